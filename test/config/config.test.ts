// The config file: validated once with ajv, every problem reported at once with its line, unknown rule ids
// refused, and an EngineConfig the engine takes as is.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfigFile, parseConfig } from '../../src/config/load.js';
import { Engine } from '../../src/engine/engine.js';
import { ManifestWorld } from '../../src/world/manifest-world.js';
import { CHECK_TEST_RULES } from '../support/test-rules.js';

const parse = (text: string) => parseConfig(text, 'ddguard.yaml', CHECK_TEST_RULES);

function problemsOf(text: string): readonly string[] {
  try {
    parse(text);
  } catch (error: unknown) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

t.test('a valid config becomes a frozen EngineConfig; the webhook section passes through', async (t) => {
  const config = parse(`
severities:
  test-forbidden-key: warning
  test-team-label: off
exemptions:
  - namespace: legacy
    kind: Secret
    name: old-token
    rules: [test-forbidden-key]
    reason: rotated in Q3
clusterAgentPermissions:
  - apiGroup: ""
    resource: configmaps
    verbs: [get, list]
    reason: the cluster checks read their config from ConfigMaps
  - apiGroup: apps
    resource: deployments
    subresource: scale
    verbs: [get]
    reason: autoscaling
webhook:
  failurePolicy: Ignore
  nested: {any: [thing]}
`);
  t.same(config.engine, {
    severities: { 'test-forbidden-key': 'warning', 'test-team-label': 'off' },
    exemptions: [{ namespace: 'legacy', kind: 'Secret', name: 'old-token', rules: ['test-forbidden-key'], reason: 'rotated in Q3' }],
    settings: {
      extraClusterAgentPermissions: [
        { apiGroup: '', resource: 'configmaps', verbs: ['get', 'list'], reason: 'the cluster checks read their config from ConfigMaps' },
        { apiGroup: 'apps', resource: 'deployments', subresource: 'scale', verbs: ['get'], reason: 'autoscaling' },
      ],
    },
  });
  t.same(config.webhook, { failurePolicy: 'Ignore', nested: { any: ['thing'] } });
  t.ok(Object.isFrozen(config.engine.exemptions[0]), 'frozen all the way down');
  t.ok(Object.isFrozen(config.engine.settings.extraClusterAgentPermissions[0]?.verbs));
});

t.test('the engine applies what the config says', async (t) => {
  const { engine: config } = parse(`
severities: {test-team-label: "off"}
exemptions:
  - {kind: Secret, name: old, reason: "rotated later"}
`);
  const secret = (name: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'ns' }, stringData: { forbidden: 'x' } });
  const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'ns' } };
  const objects = [secret('old'), secret('new'), deployment];
  const engine = new Engine(CHECK_TEST_RULES, config);
  const world = new ManifestWorld(objects);
  const findings = objects.flatMap((o) => engine.evaluate(o, world));
  t.same(
    findings.map((f) => [f.object.name, f.ruleId, f.exempted?.reason ?? null]),
    [
      ['old', 'test-forbidden-key', 'rotated later'],
      ['new', 'test-forbidden-key', null],
    ],
    'the label rule is off; the old Secret is exempted, not dropped',
  );
});

t.test('empty files and empty sections are no config', async (t) => {
  t.same(parse('').engine, { severities: {}, exemptions: [], settings: { extraClusterAgentPermissions: [] } });
  t.same(parse('# nothing yet\nexemptions:\nseverities:\n').engine.exemptions, []);
  t.equal(parse('').webhook, undefined);
});

t.test('every problem is reported at once, in file order, each with its line', async (t) => {
  const problems = problemsOf(
    [
      'severities:', // 1
      '  test-forbidden-key: fatal', // 2
      '  test-forbiden-key: error', // 3
      '  no-such-rule: warning', // 4
      'exemptions:', // 5
      '  - namespace: legacy', // 6
      '  - name: x', // 7
      '    nmae: typo', // 8
      '    rules: [test-team-labl]', // 9
      '    reason: because', // 10
      '  - reason: only a reason', // 11
      'clusterAgentPermissions:', // 12
      '  - resource: configmaps', // 13
      '    verbs: []', // 14
      '    reason: why', // 15
      'webhook: [not, an, object]', // 16
      'severity: {}', // 17
    ].join('\n'),
  );
  t.same(problems, [
    'ddguard.yaml:2: /severities/test-forbidden-key: must be one of error, warning, off, not "fatal"',
    'ddguard.yaml:3: /severities/test-forbiden-key: unknown rule id "test-forbiden-key" (did you mean "test-forbidden-key"?)',
    'ddguard.yaml:4: /severities/no-such-rule: unknown rule id "no-such-rule" (`ddguard docs` lists the rules)',
    'ddguard.yaml:6: /exemptions/0: missing required field "reason"',
    'ddguard.yaml:8: /exemptions/1/nmae: unknown field "nmae" (allowed: namespace, kind, name, rules, reason)',
    'ddguard.yaml:9: /exemptions/1/rules/0: unknown rule id "test-team-labl" (did you mean "test-team-label"?)',
    'ddguard.yaml:11: /exemptions/2: an exemption must name at least one of namespace, kind, name or rules',
    'ddguard.yaml:13: /clusterAgentPermissions/0: missing required field "apiGroup"',
    'ddguard.yaml:14: /clusterAgentPermissions/0/verbs: must NOT have fewer than 1 items',
    'ddguard.yaml:16: /webhook: must be object',
    'ddguard.yaml:17: /severity: unknown field "severity" (allowed: severities, exemptions, clusterAgentPermissions, webhook)',
  ]);
});

t.test('unknown rule ids are errors even when everything else is right', async (t) => {
  t.throws(() => parse('severities:\n  cluster-agent-token-lenght: off\n'), {
    code: 'DDG_CONFIG',
    problems: ['ddguard.yaml:2: /severities/cluster-agent-token-lenght: unknown rule id "cluster-agent-token-lenght" (`ddguard docs` lists the rules)'],
  });
});

t.test('YAML syntax errors name the line; a config that is not a map says so', async (t) => {
  t.match(problemsOf('severities:\n  a: [unclosed\n'), [/^ddguard\.yaml:\d+: invalid YAML: /]);
  t.same(problemsOf('- a\n- b\n'), ['ddguard.yaml:1: (top level): must be object']);
});

t.test('loadConfigFile reads a file; a missing file is a ConfigError', async (t) => {
  const dir = t.testdir({});
  const file = join(dir, 'ddguard.yaml');
  writeFileSync(file, 'severities: {test-team-label: error}\n');
  t.same(loadConfigFile(file, CHECK_TEST_RULES).engine.severities, { 'test-team-label': 'error' });
  t.throws(() => loadConfigFile(join(dir, 'missing.yaml'), CHECK_TEST_RULES), { code: 'DDG_CONFIG', problems: ['no such file'] });
});
