// `npm test`: tap over the whole suite, leaving out each optional suite whose need is missing here, with one
// line per suite left out (how many test files, and why). Named files are passed to tap as they are.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { OPTIONAL_SUITES, PROJECT_ROOT, skipLine } from './support/suites.js';

const named = process.argv.slice(2);
const leftOut = named.some((arg) => !arg.startsWith('-'))
  ? []
  : OPTIONAL_SUITES.flatMap((suite) => {
      const reason = suite.missing();
      return reason ? [{ suite, reason }] : [];
    });
// --exclude replaces tap's default, so the default (fixtures and dist folders) is restated.
const exclude = leftOut.length ? ['--exclude', '**/@(fixture*(s)|dist)/**', ...leftOut.flatMap(({ suite }) => ['--exclude', `${suite.dir}/**`])] : [];
const lines = leftOut.map(({ suite, reason }) => skipLine(suite, reason));
for (const line of lines) console.log(line);
const tap = spawnSync(join(PROJECT_ROOT, 'node_modules', '.bin', 'tap'), [...exclude, ...named], { cwd: PROJECT_ROOT, stdio: 'inherit' });
// Again after tap's summary, where a reader of the log looks.
for (const line of lines) console.log(line);
process.exit(tap.status ?? 1);
