// `ddguard policies` as a user runs it: the built CLI in a child process (needs `npm run build`; `npm test`
// does it). The objects it prints are valid Kubernetes objects, in both API versions and both modes.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { parse, parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../src/kube-model/types.js';
import { RULES } from '../../src/rules/index.js';
import { schemaErrors } from '../support/kube-schema.js';
import { runCli } from '../support/cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'dist/src/cli/main.js');

const ddguard = runCli;

const documents = (text: string) => parseAllDocuments(text).map((d) => d.toJS() as KubeObject).filter(Boolean);
const withForms = RULES.filter((rule) => rule.policy);
const expectedPolicies = withForms.reduce((n, rule) => n + (rule.policy?.targets.length ?? 0), 0);

t.test('prints a policy and a binding for every target of every rule with a policy form', async (t) => {
  const run = await ddguard(['policies']);
  t.equal(run.code, 0, run.stderr);
  const objects = documents(run.stdout);
  const policies = objects.filter((o) => o.kind === 'ValidatingAdmissionPolicy');
  const bindings = objects.filter((o) => o.kind === 'ValidatingAdmissionPolicyBinding');
  t.equal(policies.length, expectedPolicies, `${expectedPolicies} policies`);
  t.same(bindings.map((b) => (b['spec'] as { policyName: string }).policyName), policies.map((p) => p.metadata?.name), 'one binding per policy');
  t.same([...new Set(policies.map((p) => p.metadata?.annotations?.['ddguard.io/rule']))], withForms.map((r) => r.id), 'in registry order, named by rule');
  for (const object of objects) {
    t.same(schemaErrors(object), [], `${object.kind} ${object.metadata?.name} is valid`);
    t.equal(object.apiVersion, 'admissionregistration.k8s.io/v1');
  }
  for (const binding of bindings) t.same((binding['spec'] as { validationActions: string[] }).validationActions, ['Deny']);
  for (const policy of policies) {
    for (const v of (policy['spec'] as { validations: { message: string }[] }).validations) {
      t.notMatch(v.message, /\n/, 'a message has no line break (the API server rejects one)');
      t.match(v.message, /^\[[a-z-]+\] /, 'a message starts with the rule id');
    }
  }
});

t.test('--api-version v1beta1 and --mode warn', async (t) => {
  const run = await ddguard(['policies', '--api-version', 'v1beta1', '--mode', 'warn']);
  t.equal(run.code, 0, run.stderr);
  const objects = documents(run.stdout);
  t.ok(objects.length > 0);
  for (const object of objects) {
    t.equal(object.apiVersion, 'admissionregistration.k8s.io/v1beta1');
    t.same(schemaErrors(object), [], `${object.kind} ${object.metadata?.name} is a valid v1beta1 object`);
    if (object.kind === 'ValidatingAdmissionPolicyBinding') t.same((object['spec'] as { validationActions: string[] }).validationActions, ['Warn', 'Audit']);
  }
});

t.test('--out writes one file per policy and a kustomization', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ddguard-policies-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const run = await ddguard(['policies', '--out', join(dir, 'gitops')]);
  t.equal(run.code, 0, run.stderr);
  t.equal(run.stdout, '', 'nothing on stdout');
  const files = readdirSync(join(dir, 'gitops')).sort();
  const kustomization = parse(readFileSync(join(dir, 'gitops', 'kustomization.yaml'), 'utf8')) as { resources: string[] };
  t.same([...kustomization.resources].sort(), files.filter((f) => f !== 'kustomization.yaml'), 'the kustomization lists every file');
  t.equal(kustomization.resources.length, expectedPolicies);
  for (const file of kustomization.resources) {
    const objects = documents(readFileSync(join(dir, 'gitops', file), 'utf8'));
    t.same(objects.map((o) => o.kind), ['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding'], `${file}: a policy and its binding`);
  }
});

t.test('a wrong --mode or --api-version is a usage error', async (t) => {
  for (const args of [['--mode', 'audit'], ['--api-version', 'v2']]) {
    const run = await ddguard(['policies', ...args]);
    t.equal(run.code, 2, `${args.join(' ')}: exit 2`);
    t.match(run.stderr, /expected /, 'says what is expected');
    t.equal(run.stdout, '');
  }
});

t.test('a reader that stops early (ddguard policies | head) ends the output quietly', async (t) => {
  const child = spawn(process.execPath, [CLI, 'policies'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // Closed before the child writes, as `| true` or a `head` that has read enough.
  child.stdout.destroy();
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  t.equal(stderr, '', 'no stack trace');
  t.equal(code, 0);
});
