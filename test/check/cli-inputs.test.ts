// `ddguard check` in pipelines: empty standard input, and inputs that do not parse among others that do. The
// built CLI in a child process, as a CI job runs it (`npm test` builds it first).
import t from 'tap';
import { runCli as ddguard } from '../support/cli.js';

// The Operator ignores a clusterAgentTokenSecret without keyName: a warning.
const WARNING_ONLY = `apiVersion: datadoghq.com/v2alpha1
kind: DatadogAgent
metadata:
  name: datadog
  namespace: datadog
spec:
  global:
    clusterAgentTokenSecret:
      secretName: datadog-token
`;

interface JsonReport {
  findings: unknown[];
}

t.test('empty standard input is a usage error unless --allow-empty (a failed helm template upstream)', async (t) => {
  const [empty, blank, allowed] = await Promise.all([
    ddguard(['check', '-']),
    ddguard(['check', '-', '--format', 'json'], { stdin: '\n  \n' }),
    ddguard(['check', '-', '--allow-empty']),
  ]);
  t.equal(empty.code, 2);
  t.match(empty.stderr, 'ddguard check: <stdin>: no input on stdin');
  t.equal(blank.code, 2, 'whitespace only is empty too');
  t.match(JSON.parse(blank.stdout), { inputErrors: [{ file: '<stdin>', line: null, message: /^no input on stdin/ }] });
  t.equal(allowed.code, 0, allowed.stderr);
  t.match(allowed.stdout, 'Checked 0 objects in 1 file: no Kubernetes objects found.');
});

t.test('a directory with files that do not parse: each is reported with its line, the rest is checked, exit 2', async (t) => {
  const broken = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\n  labels: [unclosed\n';
  const template = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include "app.fullname" . }}\n  labels:\n    {{- include "app.labels" . | nindent 4 }}\n';
  const dir = t.testdir({
    chart: { templates: { 'deployment.yaml': template } },
    manifests: { 'agent.yaml': WARNING_ONLY, 'broken.yaml': broken },
  });
  const run = (format: string) => ddguard(['check', '.', '--format', format, '--fail-on', 'warning'], { cwd: dir });
  const [text, json, sarif, junit] = (await Promise.all(['text', 'json', 'sarif', 'junit'].map(run))) as [Awaited<ReturnType<typeof run>>, Awaited<ReturnType<typeof run>>, Awaited<ReturnType<typeof run>>, Awaited<ReturnType<typeof run>>];
  for (const r of [text, json, sarif, junit]) {
    t.equal(r.code, 2, 'exit 2 although the finding alone would be 1');
    t.match(r.stderr, 'ddguard check: chart/templates/deployment.yaml:6: a raw Helm template');
    t.match(r.stderr, 'render it first (helm template');
    t.match(r.stderr, 'ddguard check: manifests/broken.yaml:6: invalid YAML');
  }
  t.match(text.stdout, 'DatadogAgent datadog/datadog  manifests/agent.yaml:1', 'the finding in the file that parses is reported');
  t.match(text.stdout, 'manifests/broken.yaml:6\n  error     invalid YAML');
  t.match(text.stdout, '2 inputs could not be read or parsed');

  const report = JSON.parse(json.stdout) as JsonReport & { inputErrors: { file: string; line: number; message: string }[] };
  t.equal(report.findings.length, 1);
  t.same(report.inputErrors.map((e) => [e.file, e.line]), [['chart/templates/deployment.yaml', 6], ['manifests/broken.yaml', 6]]);

  const log = JSON.parse(sarif.stdout) as { runs: { results: unknown[]; invocations: { executionSuccessful: boolean; toolExecutionNotifications: { level: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[] }[] }[] };
  const run0 = log.runs[0]!;
  t.equal(run0.results.length, 1, 'the finding is a result');
  t.equal(run0.invocations[0]!.executionSuccessful, false);
  t.same(
    run0.invocations[0]!.toolExecutionNotifications.map((n) => [n.level, n.locations[0]!.physicalLocation.artifactLocation.uri, n.locations[0]!.physicalLocation.region.startLine]),
    [['error', 'chart/templates/deployment.yaml', 6], ['error', 'manifests/broken.yaml', 6]],
    'each input error is a notification on its file and line',
  );

  t.match(junit.stdout, /<testsuites name="ddguard" tests="3" failures="1" errors="2">/);
  t.match(junit.stdout, '<error type="input-error" message="invalid YAML');
  t.match(junit.stdout, '<testsuite name="chart/templates/deployment.yaml" tests="1" failures="0" errors="1"');
});
