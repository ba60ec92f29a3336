// The core suite needs only the project: no test outside test/shared-corpus reaches into ../shared, and every
// file of an optional suite skips itself first thing where its need is missing (test/support/suites.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import t from 'tap';
import { ROOT } from './support/fixtures.js';
import { HELM_SUITE, OPTIONAL_SUITES, SHARED_SUITE, skipLine, testFiles } from './support/suites.js';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const TEST = join(ROOT, 'test');
// Only these may name ../shared: the shared-corpus suite, its paths, and the decision whether it runs.
const MAY_READ_SHARED = [SHARED_SUITE.dir, 'test/support/shared.ts', 'test/support/suites.ts', 'test/support/requires-shared.ts'];

t.test('no test outside the shared-corpus suite reads ../shared', async (t) => {
  const core = sources(TEST).filter((file) => !MAY_READ_SHARED.some((allowed) => relative(ROOT, file).startsWith(allowed)));
  t.ok(core.length > 40, `${core.length} core files scanned`);
  const reaching = core.filter((file) => /support\/shared\.js|['"`/]\.\.\/shared\b|'\.\.', 'shared'|\bSHARED\b/.test(readFileSync(file, 'utf8')));
  t.same(reaching.map((file) => relative(ROOT, file)), []);
});

for (const [suite, guard] of [[SHARED_SUITE, 'requires-shared'], [HELM_SUITE, 'requires-helm']] as const) {
  t.test(`every test file of ${suite.dir} skips itself first where ${suite.name} cannot run`, async (t) => {
    const files = testFiles(suite);
    t.ok(files.length > 0, `${files.length} files`);
    for (const file of files) {
      const firstImport = readFileSync(join(ROOT, suite.dir, file), 'utf8').split('\n').find((line) => line.startsWith('import '));
      t.equal(firstImport, `import '../support/${guard}.js';`, file);
    }
  });
}

t.test('a suite left out is one line: how many test files, which suite and why', async (t) => {
  for (const suite of OPTIONAL_SUITES) {
    const line = skipLine(suite, 'the reason');
    t.equal(line.split('\n').length, 1);
    t.equal(line, `# SKIP ${testFiles(suite).length} test files of the ${suite.name} suite (${suite.dir}/): the reason`);
  }
});
