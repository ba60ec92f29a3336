// The recipes under examples/ and the pre-commit hook at the root, as people copy them: the CI command lines
// are taken out of the YAML and run with bash, a real helm and the built ddguard against fixtures (a chart
// that renders the Datadog token Secret, clean and broken manifests); the GitOps manifests are parsed and
// their values validated against the chart's values.schema.json.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import t, { type Test } from 'tap';
import { parse, parseAllDocuments } from 'yaml';
import { ROOT } from '../support/fixtures.js';
import { toolPath } from '../support/helm.js';
import { HELM_SUITE } from '../support/suites.js';

const EXAMPLES = join(ROOT, 'examples');
const RECIPES = join(ROOT, 'test', 'fixtures', 'recipes');
const helmMissing = HELM_SUITE.missing() ?? false;

// Some thirty helm and ddguard processes on a shared machine.
t.setTimeout(300_000);

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * A job's working copy: the fixture chart, a values file and a manifests folder, and a bin/ with `ddguard` (the
 * built CLI) and `helm`, private helm homes, the variables the test sets.
 */
function workspace(t: Test, variables: Record<string, string>): { dir: string; run: (script: string) => Run } {
  const dir = t.testdir({ bin: {}, home: {} });
  cpSync(RECIPES, join(dir, 'fixtures'), { recursive: true });
  const ddguard = join(dir, 'bin', 'ddguard');
  writeFileSync(ddguard, `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'dist', 'src', 'cli', 'main.js')}" "$@"\n`);
  chmodSync(ddguard, 0o755);
  if (!helmMissing) symlinkSync(toolPath('helm'), join(dir, 'bin', 'helm'));
  const home = join(dir, 'home');
  const env: NodeJS.ProcessEnv = {
    PATH: `${join(dir, 'bin')}:${process.env['PATH'] ?? '/usr/bin:/bin'}`,
    HOME: home,
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
    KUBECONFIG: join(home, 'no-kubeconfig'),
    ...variables,
  };
  // errexit as both CI systems run a script; pipefail only where the recipe sets it.
  const run = (script: string): Run => {
    const result = spawnSync('bash', ['--noprofile', '--norc', '-e', '-c', script], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  return { dir, run };
}

const CLEAN = { DATADOG_CHART: 'fixtures/chart', DATADOG_VALUES: 'fixtures/values-32-byte-token.yaml', MANIFESTS: 'fixtures/manifests-clean' };

interface Workflow {
  jobs: Record<string, { env?: Record<string, string>; steps: { name?: string; run?: string; shell?: string; uses?: string; if?: string; with?: Record<string, string> }[] }>;
}

t.test('GitHub Actions: the check steps, run as written', { skip: helmMissing }, async (t) => {
  const workflow = parse(readFileSync(join(EXAMPLES, 'ci', 'github-actions.yaml'), 'utf8')) as Workflow;
  const job = workflow.jobs['ddguard'];
  const checks = (job?.steps ?? []).filter((step) => step.run?.includes('ddguard check'));
  t.equal(checks.length, 2, 'a step for the rendered chart and one for the manifests');
  for (const step of checks) {
    t.equal(step.shell, 'bash', `${step.name}: bash`);
    t.match(step.run, /^set -o pipefail$/m, `${step.name}: pipefail`);
  }
  const [chartStep, sarifStep] = checks as [{ run: string }, { run: string }];
  t.match(chartStep.run, /helm template [^|]*\| ddguard check -/);
  const upload = job?.steps.find((step) => step.uses?.startsWith('github/codeql-action/upload-sarif'));
  t.equal(upload?.with?.['sarif_file'], 'ddguard.sarif', 'the SARIF the manifests step writes is uploaded');
  t.match(upload?.if, /failure\(\)/, 'also when the check step failed');
  for (const name of ['DATADOG_CHART', 'DATADOG_VALUES', 'MANIFESTS']) t.ok(job?.env?.[name], `${name} is a job variable`);

  const clean = workspace(t, CLEAN);
  const cleanChart = clean.run(chartStep.run);
  t.equal(cleanChart.status, 0, 'a chart with a 32-byte token passes', { stderr: cleanChart.stderr });
  t.match(cleanChart.stdout, /Checked 1 object/);
  t.equal(clean.run(sarifStep.run).status, 0, 'clean manifests pass');
  const emptySarif = JSON.parse(readFileSync(join(clean.dir, 'ddguard.sarif'), 'utf8')) as { runs: { results: unknown[] }[] };
  t.same(emptySarif.runs[0]?.results, [], 'an empty SARIF run is uploaded');

  const short = workspace(t, { ...CLEAN, DATADOG_VALUES: 'fixtures/values-30-byte-token.yaml' }).run(chartStep.run);
  t.equal(short.status, 1, 'a 30-byte token fails the step');
  t.match(short.stdout, /error\s+cluster-agent-token-length/);

  const missingChart = workspace(t, { ...CLEAN, DATADOG_CHART: 'no/such/chart' }).run(chartStep.run);
  t.not(missingChart.status, 0, 'helm failing fails the step');
  t.match(missingChart.stderr, /^Error: .*not found/m, "helm's own error is in the log");

  const broken = workspace(t, { ...CLEAN, MANIFESTS: 'fixtures/manifests-broken' });
  t.equal(broken.run(sarifStep.run).status, 1, 'broken manifests fail the step');
  const sarif = JSON.parse(readFileSync(join(broken.dir, 'ddguard.sarif'), 'utf8')) as {
    runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[] }[];
  };
  const result = sarif.runs[0]?.results[0];
  t.equal(result?.ruleId, 'cluster-agent-token-length');
  t.same(result?.locations[0]?.physicalLocation, { artifactLocation: { uri: 'fixtures/manifests-broken/datadog-agent.yaml' }, region: { startLine: 15 } }, 'on the offending line, relative to the repository');
});

t.test('GitLab CI: the job script, run as written', { skip: helmMissing }, async (t) => {
  const pipeline = parse(readFileSync(join(EXAMPLES, 'ci', 'gitlab-ci.yml'), 'utf8')) as Record<string, { script: string[]; variables: Record<string, string>; artifacts: { when: string; reports: { junit: string } } }>;
  const job = pipeline['ddguard'];
  t.equal(job?.script[0], 'set -o pipefail', 'pipefail first, for every line after it');
  t.equal(job?.artifacts.when, 'always', 'the report is kept when the job fails');
  const script = (job?.script ?? []).join('\n');

  const clean = workspace(t, CLEAN);
  const passed = clean.run(script);
  t.equal(passed.status, 0, 'clean manifests and chart pass', { stderr: passed.stderr });
  t.match(readFileSync(join(clean.dir, job?.artifacts.reports.junit ?? 'missing'), 'utf8'), /<testsuites[^>]*failures="0"/, 'the JUnit report is written');

  const short = workspace(t, { ...CLEAN, DATADOG_VALUES: 'fixtures/values-30-byte-token.yaml' }).run(script);
  t.equal(short.status, 1, 'a 30-byte token in the chart fails the job');
  t.match(short.stdout, /cluster-agent-token-length/);

  const missingChart = workspace(t, { ...CLEAN, DATADOG_CHART: 'no/such/chart' }).run(script);
  t.not(missingChart.status, 0, 'helm failing fails the job');

  const broken = workspace(t, { ...CLEAN, MANIFESTS: 'fixtures/manifests-broken' });
  t.equal(broken.run(script).status, 1, 'broken manifests fail the job');
  t.match(readFileSync(join(broken.dir, 'ddguard-junit.xml'), 'utf8'), /failures="1"/, 'with the finding in the report');
});

t.test('pre-commit: the hook runs its entry on the staged files it selects', async (t) => {
  const hooks = parse(readFileSync(join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as { id: string; entry: string; language: string; files: string; exclude: string }[];
  const hook = hooks.find((h) => h.id === 'ddguard-check');
  t.ok(hook, 'the hook is declared at the repository root');
  t.equal(hook?.language, 'node', 'pre-commit installs this package with npm');
  const [command, ...args] = (hook?.entry ?? '').split(' ');
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  t.ok(command && pkg.bin[command], `the entry's command (${command}) is this package's bin`);

  const files = new RegExp(hook?.files ?? '$^');
  const exclude = new RegExp(hook?.exclude ?? '$^');
  const selected = (path: string) => files.test(path) && !exclude.test(path);
  t.ok(selected('deploy/datadog-agent.yaml') && selected('k8s/secret.yml') && selected('list.json'), 'YAML and JSON files');
  t.notOk(selected('README.md'), 'not other files');
  t.notOk(selected('charts/datadog/templates/secret.yaml'), 'not raw Helm templates');

  const config = parse(readFileSync(join(EXAMPLES, 'ci', 'pre-commit-config.yaml'), 'utf8')) as { repos: { hooks: { id: string }[] }[] };
  t.same(config.repos.flatMap((r) => r.hooks.map((h) => h.id)), ['ddguard-check'], 'the sample config uses the hook');

  const { run } = workspace(t, {});
  const staged = (paths: string[]) => run([command, ...args, ...paths].map((a) => `'${a}'`).join(' '));
  const clean = staged(['fixtures/manifests-clean/datadog-agent.yaml', 'fixtures/values-32-byte-token.yaml']);
  t.equal(clean.status, 0, 'clean files pass the commit', { stderr: clean.stderr });
  const broken = staged(['fixtures/manifests-clean/datadog-agent.yaml', 'fixtures/manifests-broken/datadog-agent.yaml']);
  t.equal(broken.status, 1, 'a broken file stops the commit');
  t.match(broken.stdout, /fixtures\/manifests-broken\/datadog-agent\.yaml:15/, 'naming the file and line');
});

t.test('Argo CD and Flux: valid manifests that install this repository\'s chart with valid values', async (t) => {
  const schema = JSON.parse(readFileSync(join(ROOT, 'charts', 'ddguard', 'values.schema.json'), 'utf8')) as object;
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  t.notOk(validate({ tls: { mode: 'bogus' } }), 'the schema rejects a wrong value');

  const argo = parse(readFileSync(join(EXAMPLES, 'gitops', 'argocd-application.yaml'), 'utf8')) as {
    apiVersion: string; kind: string; spec: { source: { path: string; helm: { valuesObject: unknown } }; destination: { namespace: string } };
  };
  t.equal(`${argo.apiVersion} ${argo.kind}`, 'argoproj.io/v1alpha1 Application');
  t.equal(argo.spec.source.path, 'charts/ddguard');
  t.ok(existsSync(join(ROOT, argo.spec.source.path, 'Chart.yaml')), 'the path is this repository\'s chart');
  t.ok(validate(argo.spec.source.helm.valuesObject), `Argo CD values are valid: ${JSON.stringify(validate.errors)}`);
  t.equal((argo.spec.source.helm.valuesObject as { tls?: { mode?: string } }).tls?.mode, 'certManager', 'a certificate that helm template does not regenerate');

  const flux = parseAllDocuments(readFileSync(join(EXAMPLES, 'gitops', 'flux-helmrelease.yaml'), 'utf8')).map((d) => d.toJS() as {
    apiVersion: string; kind: string; metadata: { name: string; namespace: string };
    spec: { chart?: { spec: { chart: string; sourceRef: { kind: string; name: string; namespace: string } } }; values?: unknown };
  });
  t.same(flux.map((o) => `${o.apiVersion} ${o.kind}`), ['source.toolkit.fluxcd.io/v1 GitRepository', 'helm.toolkit.fluxcd.io/v2 HelmRelease']);
  const [source, release] = flux;
  const chart = release?.spec.chart?.spec;
  t.equal(chart?.chart, './charts/ddguard');
  t.ok(existsSync(join(ROOT, chart?.chart ?? 'missing', 'Chart.yaml')), 'the chart path is this repository\'s chart');
  t.same(chart?.sourceRef, { kind: 'GitRepository', name: source?.metadata.name, namespace: source?.metadata.namespace }, 'from the GitRepository');
  t.ok(validate(release?.spec.values), `Flux values are valid: ${JSON.stringify(validate.errors)}`);
});

t.test('the examples README describes each recipe file and a denial in each tool', async (t) => {
  const readme = readFileSync(join(EXAMPLES, 'README.md'), 'utf8');
  for (const file of ['ci/github-actions.yaml', 'ci/gitlab-ci.yml', 'ci/pre-commit-config.yaml', 'gitops/argocd-application.yaml', 'gitops/flux-helmrelease.yaml']) {
    t.ok(existsSync(join(EXAMPLES, file)) && readme.includes(`(${file})`), `${file} exists and is linked`);
  }
  for (const tool of ['kubectl', 'Argo CD', 'Flux']) t.match(readme, new RegExp(`\\*\\*${tool}\\*\\*[^]*denied the request`), `${tool}: what a denial looks like`);
});
