import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

const requireModule = createRequire(import.meta.url);
let loaded: typeof Yaml | undefined;

/**
 * The `yaml` package, required on first use rather than imported: only line maps that the indentation scanner
 * is unsure of, config files and `ddguard policies` need it, and loading it cost every command ~30 ms of
 * start-up (a `check` without a config file never loads it).
 */
export function yaml(): typeof Yaml {
  return (loaded ??= requireModule('yaml') as typeof Yaml);
}
