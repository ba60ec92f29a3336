/** A manifest that cannot be parsed: names the file and the line so the user can open it there. */
export class ManifestParseError extends Error {
  readonly code = 'DDG_MANIFEST_PARSE';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
    this.name = 'ManifestParseError';
  }
}

/** A path that cannot be read (missing, unreadable, not a file or directory). */
export class ManifestInputError extends Error {
  readonly code = 'DDG_MANIFEST_INPUT';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'ManifestInputError';
  }
}
