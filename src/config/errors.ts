/** A config file that cannot be used; `problems` lists every problem found at once, each with its line. */
export class ConfigError extends Error {
  readonly code = 'DDG_CONFIG';
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(`invalid config file ${file} (${count}):\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}
