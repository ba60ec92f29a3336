/**
 * An input that could not be read or parsed. The run goes on with the rest, every format reports it in its own
 * way, and the exit status is 2.
 */
export interface InputProblem {
  /** The file (`<stdin>` for standard input) or the path as given. */
  file: string;
  /** 1-based line, when the problem is in the text. */
  line?: number;
  /** What is wrong and, where there is one, what to do: `invalid YAML: ...`. */
  message: string;
}

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
