// The chart's ValidatingAdmissionPolicies (templates/policies.yaml over files/policies.yaml): the file is what
// `ddguard policies` generates today, and the chart renders it per the cluster, the mode and the config.
import '../support/requires-helm.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCel } from '@marcbachmann/cel-js';
import t from 'tap';
import { parse } from 'yaml';
import { renderPolicies } from '../../src/cli/policies.js';
import type { KubeObject } from '../../src/kube-model/types.js';
import { KUBERNETES_CONTROLLERS } from '../../src/policy-forms/cel.js';
import { generatePolicies } from '../../src/policies/generate.js';
import { RULES } from '../../src/rules/index.js';
import { CHART, helmTemplate, type TemplateOptions } from '../support/helm.js';
import { schemaErrors } from '../support/kube-schema.js';

const SERVES_V1 = 'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy';
const generated = generatePolicies(RULES, { apiVersion: 'v1', mode: 'enforce' });

function render(options: TemplateOptions = {}): { policies: KubeObject[]; bindings: KubeObject[] } {
  const objects = helmTemplate({ apiVersions: [SERVES_V1], ...options });
  return {
    policies: objects.filter((o) => o.kind === 'ValidatingAdmissionPolicy'),
    bindings: objects.filter((o) => o.kind === 'ValidatingAdmissionPolicyBinding'),
  };
}
const actions = (binding: KubeObject) => (binding['spec'] as { validationActions: string[] }).validationActions;
const ruleOf = (object: KubeObject) => object.metadata?.annotations?.['ddguard.io/rule'];

t.test('files/policies.yaml is what `ddguard policies` generates (regenerate: npm run policies)', async (t) => {
  const current = readFileSync(join(CHART, 'files', 'policies.yaml'), 'utf8');
  t.ok(current === renderPolicies(generated), 'charts/ddguard/files/policies.yaml is current');
});

t.test('the policies skip the same Kubernetes controllers as the webhook', async (t) => {
  const spec = parse(readFileSync(join(CHART, 'files', 'webhooks.yaml'), 'utf8')) as { skipKubernetesControllers: { expression: string } };
  const listed = [...spec.skipKubernetesControllers.expression.matchAll(/'([^']+)'/g)].map((m) => m[1]);
  t.same(listed, [...KUBERNETES_CONTROLLERS]);
});

t.test('on by default where the cluster serves ValidatingAdmissionPolicy v1', async (t) => {
  const { policies, bindings } = render();
  t.equal(policies.length, generated.length, `${generated.length} policies`);
  t.same(bindings.map((b) => (b['spec'] as { policyName: string }).policyName), policies.map((p) => p.metadata?.name), 'each bound');
  for (const object of [...policies, ...bindings]) {
    t.equal(object.apiVersion, 'admissionregistration.k8s.io/v1');
    t.match(object.metadata?.name, /^ddguard-(cluster|kubelet|hostname)/, 'named after the release');
    t.same(schemaErrors(object), [], `${object.kind} ${object.metadata?.name} is valid`);
  }
  for (const binding of bindings) {
    t.same(actions(binding), ['Deny'], 'enforce mode denies');
    const selector = (binding['spec'] as { matchResources: { namespaceSelector: { matchExpressions: { values: string[] }[] } } }).matchResources.namespaceSelector;
    t.same(selector.matchExpressions[0]?.values, ['kube-system', 'ddguard'], 'the webhook\'s namespace exclusions');
  }
  const first = policies[0];
  t.same((first?.['spec'] as { validations: unknown[] }).validations, (generated[0]?.policy['spec'] as { validations: unknown[] }).validations, 'the CEL is the generator\'s');
});

t.test('not rendered where the cluster does not serve it, or when turned off', async (t) => {
  t.equal(render({ apiVersions: [] }).policies.length, 0, 'no ValidatingAdmissionPolicy v1 in the cluster');
  t.equal(render({ values: { policies: { enabled: false } } }).policies.length, 0, 'policies.enabled=false');
});

t.test('v1beta1 for Kubernetes 1.28-1.29', async (t) => {
  const { policies, bindings } = render({ apiVersions: [], kubeVersion: '1.29.0', values: { policies: { useV1beta1: true } } });
  t.equal(policies.length, generated.length);
  for (const object of [...policies, ...bindings]) {
    t.equal(object.apiVersion, 'admissionregistration.k8s.io/v1beta1');
    t.same(schemaErrors(object), [], `${object.kind} ${object.metadata?.name} is valid`);
  }
});

t.test('validationActions follow the mode and config.severities', async (t) => {
  for (const binding of render({ values: { mode: 'warn' } }).bindings) t.same(actions(binding), ['Warn', 'Audit'], 'warn mode');
  const { policies, bindings } = render({ values: { config: { severities: { 'hostname-per-node': 'off', 'cluster-agent-url-https': 'warning' } } } });
  t.notOk(policies.some((p) => ruleOf(p) === 'hostname-per-node'), 'a rule turned off has no policy');
  for (const binding of bindings) {
    t.same(actions(binding), ruleOf(binding) === 'cluster-agent-url-https' ? ['Warn', 'Audit'] : ['Deny'], `${binding.metadata?.name}`);
  }
});

t.test('config.exemptions step the policies aside for what they exempt', async (t) => {
  const { policies } = render({
    values: {
      config: {
        exemptions: [
          { namespace: 'team-a', kind: 'Secret', name: 'datadog-cluster-agent', rules: ['cluster-agent-token-length'], reason: 'migrating' },
          { namespace: 'lab', reason: 'experiments' },
        ],
      },
    },
  });
  const length = policies.find((p) => p.metadata?.name === 'ddguard-cluster-agent-token-length-secrets');
  const url = policies.find((p) => p.metadata?.name === 'ddguard-cluster-agent-url-https-workloads');
  const conditions = (p?: KubeObject) => ((p?.['spec'] as { matchConditions: { name: string; expression: string }[] } | undefined)?.matchConditions ?? []);
  const matches = (policy: KubeObject | undefined, namespace: string, kind: string, name: string) =>
    conditions(policy).filter((c) => c.name.startsWith('config-exemption-')).every((c) =>
      (parseCel(c.expression) as unknown as (ctx: unknown) => unknown)({ request: { namespace, kind: { kind } }, object: { metadata: { name } } }) === true);
  t.notOk(matches(length, 'team-a', 'Secret', 'datadog-cluster-agent'), 'the exempted Secret is not judged');
  t.ok(matches(length, 'team-b', 'Secret', 'datadog-cluster-agent'), 'the same Secret elsewhere is');
  t.notOk(matches(length, 'lab', 'Secret', 'x'), 'an all-rules namespace exemption applies');
  t.ok(conditions(url).filter((c) => c.name.startsWith('config-exemption-')).length === 1, 'a rule-specific exemption is only on its rule');
  t.notOk(matches(url, 'lab', 'Deployment', 'x'), 'the all-rules exemption is on every policy');
});
