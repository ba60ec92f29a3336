// `ddguard check` and `ddguard docs` as a user runs them: the built CLI in a child process, its exit status,
// its output on stdout and its errors on stderr. Needs `npm run build` first (`npm test` does it).
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../support/cli.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = join(ROOT, 'test/fixtures/manifests');
const SHORT_TOKEN = join(FIXTURES, 'datadog-agent-short-token.yaml'); // a 29-byte token on line 15
const CLEAN = join(FIXTURES, 'datadog-agent-minimum.yaml');
const MALFORMED = join(FIXTURES, 'malformed-secret.yaml'); // invalid YAML, reported at line 9
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

const ddguard = runCli;

interface JsonReport {
  findings: { ruleId: string; severity: string; source: { file: string; line: number }; exempted?: { by: string; reason: string } }[];
  summary: { objects: number; errors: number; warnings: number; exempted: number };
}

t.test('exit 0 when nothing is at or above --fail-on', async (t) => {
  const run = await ddguard(['check', CLEAN]);
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, 'Checked 1 object in 1 file: 0 errors, 0 warnings.');
  t.notMatch(run.stdout, /\u001b\[/, 'no colour when stdout is not a terminal');
});

t.test('exit 1 on an error finding, naming the rule, the file and the line', async (t) => {
  const run = await ddguard(['check', SHORT_TOKEN, '--format', 'json']);
  t.equal(run.code, 1, run.stderr);
  const report = JSON.parse(run.stdout) as JsonReport;
  t.same(
    report.findings.map((f) => [f.ruleId, f.severity, f.source]),
    [['cluster-agent-token-length', 'error', { file: SHORT_TOKEN, line: 15 }]],
  );
  t.same(report.summary, { objects: 1, errors: 1, warnings: 0, exempted: 0 });
});

t.test('--fail-on warning turns warnings into exit 1; stdin is read from -', async (t) => {
  const lenient = await ddguard(['check', '-', '--format', 'json'], { stdin: WARNING_ONLY });
  t.equal(lenient.code, 0, lenient.stderr);
  const report = JSON.parse(lenient.stdout) as JsonReport;
  t.ok(report.summary.warnings >= 1 && report.summary.errors === 0, JSON.stringify(report.summary));
  t.same([...new Set(report.findings.map((f) => f.source.file))], ['<stdin>']);
  const strict = await ddguard(['check', '-', '--fail-on', 'warning'], { stdin: WARNING_ONLY });
  t.equal(strict.code, 1, strict.stderr);
});

t.test('--config: exemptions report the finding as exempted and stop the failure; severities apply', async (t) => {
  const dir = t.testdir({
    'exempt.yaml': 'exemptions:\n  - kind: DatadogAgent\n    name: datadog\n    rules: [cluster-agent-token-length]\n    reason: placeholder in an example\n',
    'soften.yaml': 'severities:\n  cluster-agent-token-length: warning\n',
  });
  const exempted = await ddguard(['check', SHORT_TOKEN, '--config', join(dir, 'exempt.yaml'), '--format', 'json']);
  t.equal(exempted.code, 0, exempted.stderr);
  const report = JSON.parse(exempted.stdout) as JsonReport;
  t.same(report.findings.map((f) => f.exempted), [{ by: 'config', reason: 'placeholder in an example' }]);
  t.same(report.summary, { objects: 1, errors: 0, warnings: 0, exempted: 1 });

  const softened = await ddguard(['check', SHORT_TOKEN, '--config', join(dir, 'soften.yaml')]);
  t.equal(softened.code, 0, softened.stderr);
  t.match(softened.stdout, /warning\s+cluster-agent-token-length/);
});

t.test('exit 2 for input and usage errors, with the reason on stderr', async (t) => {
  const dir = t.testdir({ 'bad.yaml': 'severities:\n  no-such-rule: error\n  cluster-agent-token-length: fatal\nexemptions:\n  - name: x\n' });
  const [malformed, missing, badConfig, badFormat, badFailOn, noPath] = await Promise.all([
    ddguard(['check', MALFORMED]),
    ddguard(['check', 'no/such/dir']),
    ddguard(['check', CLEAN, '--config', join(dir, 'bad.yaml')]),
    ddguard(['check', CLEAN, '--format', 'xml']),
    ddguard(['check', CLEAN, '--fail-on', 'info']),
    ddguard(['check']),
  ]);
  t.equal(malformed.code, 2);
  t.match(malformed.stderr, `${MALFORMED}:9: invalid YAML`);
  t.match(malformed.stdout, `${MALFORMED}:9\n  error     invalid YAML`, 'the report names it too');

  t.equal(missing.code, 2);
  t.match(missing.stderr, 'no/such/dir: no such file or directory');

  t.equal(badConfig.code, 2);
  t.match(badConfig.stderr, '(3 problems)');
  t.match(badConfig.stderr, 'unknown rule id "no-such-rule"');
  t.match(badConfig.stderr, 'must be one of error, warning, off, not "fatal"');
  t.match(badConfig.stderr, 'missing required field "reason"');

  t.equal(badFormat.code, 2, 'unknown format');
  t.equal(badFailOn.code, 2, 'unknown --fail-on');
  t.equal(noPath.code, 2, 'no path');
});

t.test('sarif and junit from the CLI: SARIF paths relative to the working directory', async (t) => {
  const dir = t.testdir({ manifests: { 'agent.yaml': readFileSync(SHORT_TOKEN, 'utf8') } });
  const sarif = await ddguard(['check', 'manifests', '--format', 'sarif'], { cwd: dir });
  t.equal(sarif.code, 1, sarif.stderr);
  const log = JSON.parse(sarif.stdout) as { version: string; runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[] }[] };
  t.equal(log.version, '2.1.0');
  t.same(log.runs[0]?.results[0]?.locations[0]?.physicalLocation, { artifactLocation: { uri: 'manifests/agent.yaml' }, region: { startLine: 15 } });

  const junit = await ddguard(['check', 'manifests', '--format', 'junit'], { cwd: dir });
  t.equal(junit.code, 1);
  t.match(junit.stdout, '<testsuite name="manifests/agent.yaml" tests="1" failures="1"');
});

t.test('docs: prints the reference, and --check fails on a stale file', async (t) => {
  const printed = await ddguard(['docs']);
  t.equal(printed.code, 0, printed.stderr);
  t.match(printed.stdout, /^# Rule reference/);
  const dir = t.testdir({ 'stale.md': '# Rule reference\n\nold\n' });
  const stale = await ddguard(['docs', '--check', join(dir, 'stale.md')]);
  t.equal(stale.code, 1);
  t.match(stale.stderr, 'stale');
  const written = await ddguard(['docs', '--write', join(dir, 'fresh.md')]);
  t.equal(written.code, 0);
  t.equal(readFileSync(join(dir, 'fresh.md'), 'utf8'), printed.stdout);
  t.equal((await ddguard(['docs', '--check', join(dir, 'fresh.md')])).code, 0);
});

t.test('a check without a config file starts without the packages only config files and line maps need', async (t) => {
  // Preloaded into the CLI's process: at exit, the CommonJS packages it loaded (yaml and ajv are CommonJS).
  const report = `import { createRequire } from 'node:module';
    const cache = createRequire(process.cwd() + '/').cache;
    process.on('exit', () => process.stderr.write('LOADED ' + JSON.stringify([...new Set(Object.keys(cache).flatMap((k) => /node_modules\\/([^/]+)\\//.exec(k)?.[1] ?? []))]) + '\\n'));`;
  const loaded = async (args: string[]): Promise<string[]> => {
    const run = await ddguard(['check', ...args], { nodeArgs: ['--import', `data:text/javascript,${encodeURIComponent(report)}`] });
    const line = /^LOADED (.*)$/m.exec(run.stderr)?.[1];
    t.ok(line, run.stderr);
    return JSON.parse(line ?? '[]') as string[];
  };
  const plain = await loaded([CLEAN]);
  t.notOk(plain.includes('yaml') || plain.includes('ajv'), `loaded: ${plain.join(', ')}`);
  const dir = t.testdir({ 'soften.yaml': 'severities:\n  cluster-agent-token-length: warning\n' });
  const configured = await loaded([CLEAN, '--config', join(dir, 'soften.yaml')]);
  t.ok(configured.includes('yaml') && configured.includes('ajv'), 'a config file is read with them');
});
