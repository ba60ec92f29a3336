// `ddguard explain RULE` and the pointers to it: every warning sends the reader to a rule's full text.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { runExplain } from '../../src/cli/explain.js';
import { referenceOf } from '../../src/report/explain.js';
import { RULES } from '../../src/rules/index.js';
import { ROOT } from '../support/fixtures.js';

function explain(ruleId?: string): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = runExplain(ruleId, { write: (s: string) => (stdout += s) }, { write: (s: string) => (stderr += s) });
  return { code, stdout, stderr };
}

t.test('every rule\'s full text: title, why (with the Agent\'s log line), examples, fix, reference', async (t) => {
  for (const rule of RULES) {
    const { code, stdout, stderr } = explain(rule.id);
    t.equal(code, 0, rule.id);
    t.equal(stderr, '');
    t.ok(stdout.startsWith(`${rule.id}: ${rule.title.trim()}\n`), `${rule.id}: the title first`);
    t.ok(stdout.includes(rule.description.trim()), `${rule.id}: the whole description`);
    t.ok(stdout.includes(rule.remediation.trim()), `${rule.id}: the whole remediation`);
    t.ok(stdout.includes(`Reference: ${referenceOf(rule.id)}`), `${rule.id}: where the reference is`);
  }
  const length = explain('cluster-agent-token-length').stdout;
  t.match(length, /cluster agent authentication token length must be greater than 32, currently: N/, 'the Agent\'s log line');
});

t.test('the pointer in warnings leads somewhere: docs/rules.md has a section per rule, headed by its id', async (t) => {
  const reference = readFileSync(join(ROOT, 'docs', 'rules.md'), 'utf8');
  for (const rule of RULES) t.ok(reference.includes(`\n## ${rule.id}\n`), `${referenceOf(rule.id)} exists`);
});

t.test('an unknown rule: exit 2 and the list of ids; no rule: the list', async (t) => {
  const unknown = explain('cluster-agent-token-lenght');
  t.equal(unknown.code, 2);
  t.equal(unknown.stdout, '');
  t.equal(unknown.stderr, `ddguard explain: unknown rule "cluster-agent-token-lenght"; the rules are: ${RULES.map((r) => r.id).join(', ')}\n`);
  const list = explain();
  t.equal(list.code, 0);
  t.equal(list.stdout.trimEnd().split('\n').length, RULES.length);
});

const MAIN = join(ROOT, 'dist', 'src', 'cli', 'main.js');
t.test('the command, as installed', { skip: !existsSync(MAIN) && 'run `npm run build` first' }, async (t) => {
  const run = promisify(execFile);
  const ok = await run(process.execPath, [MAIN, 'explain', 'kubelet-host-per-node']);
  t.match(ok.stdout, /^kubelet-host-per-node: /);
  const bad = await run(process.execPath, [MAIN, 'explain', 'nope']).catch((e: unknown) => e as { code: number; stderr: string });
  t.equal((bad as { code: number }).code, 2);
  t.match((bad as { stderr: string }).stderr, /^ddguard explain: unknown rule "nope"; the rules are: cluster-agent-token-length, /);
});
