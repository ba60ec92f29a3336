import { readFileSync } from 'node:fs';

/**
 * ddguard's version from its package.json, found by walking up from this module: the compiled file sits one
 * directory deeper (dist/src/...) than the source that tests run.
 */
export function toolVersion(): string {
  for (let dir = new URL('./', import.meta.url); ; dir = new URL('../', dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'ddguard' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not here: keep walking up
    }
    if (new URL('../', dir).href === dir.href) return '0.0.0';
  }
}
