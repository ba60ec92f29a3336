// Evaluation of a set of manifests: every object judged in the world of all of them, findings located on the
// line of the field they point at, exemptions reported and counted apart.
import t from 'tap';
import { Engine } from '../../src/engine/engine.js';
import { checkManifests } from '../../src/check/manifest-check.js';
import { parseManifests } from '../../src/manifests/parse.js';
import { failsRun, summarize } from '../../src/report/report.js';
import { sampleReport } from '../support/check-sample.js';
import { CHECK_TEST_RULES, sharedSecretLookupRule } from '../support/test-rules.js';

t.test('findings carry the file and the line of their path (or of its nearest ancestor)', async (t) => {
  const report = sampleReport();
  t.same(
    report.findings.map((f) => [f.ruleId, f.object.namespace, f.object.name, f.path, f.source, f.exempted?.by ?? null]),
    [
      ['test-forbidden-key', 'ns1', 'token', '/stringData/forbidden', { file: 'deploy/app.yaml', line: 8 }, null],
      ['test-forbidden-key', 'ns1', 'old', '/stringData/forbidden', { file: 'deploy/app.yaml', line: 19 }, 'annotation'],
      ['test-team-label', 'default', 'web', '/metadata/labels/team', { file: 'deploy/app.yaml', line: 23 }, null],
    ],
  );
  t.same(
    report.objects.map((o) => [o.file, o.ref.kind, o.ref.namespace ?? null, o.ref.name, o.line ?? null]),
    [
      ['deploy/app.yaml', 'Secret', 'ns1', 'token', 2],
      ['deploy/app.yaml', 'Secret', 'ns1', 'old', 10],
      ['deploy/app.yaml', 'Deployment', 'default', 'web', 21],
      ['deploy/platform.yaml', 'ClusterRole', null, 'reader', null],
      ['deploy/platform.yaml', 'Deployment', 'platform', 'api', null],
    ],
    'every object is listed; the default namespace goes to namespaced objects only; lines only where needed',
  );
  t.same(summarize(report), { objects: 5, errors: 1, warnings: 1, exempted: 1 });
  t.equal(failsRun(report, 'error'), true);
});

t.test('--fail-on: exempted findings never fail; warnings fail only with --fail-on warning', async (t) => {
  const onlyWarnings = checkManifests(
    parseManifests('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\n', 'w.yaml'),
    new Engine(CHECK_TEST_RULES),
    { defaultNamespace: 'default', files: ['w.yaml'] },
  );
  t.equal(failsRun(onlyWarnings, 'error'), false);
  t.equal(failsRun(onlyWarnings, 'warning'), true);
  const exempted = checkManifests(
    parseManifests(
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  annotations: {ddguard.io/exempt: "*", ddguard.io/exempt-reason: test}\nstringData: {forbidden: x}\n',
      's.yaml',
    ),
    new Engine(CHECK_TEST_RULES),
    { defaultNamespace: 'default', files: ['s.yaml'] },
  );
  t.equal(exempted.findings.length, 1, 'reported');
  t.equal(failsRun(exempted, 'warning'), false, 'but never failing');
});

t.test('objects are judged in the world of the whole set, with --namespace for those without one', async (t) => {
  const secretIsThere = sharedSecretLookupRule();
  const text = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n';
  const secret = 'apiVersion: v1\nkind: Secret\nmetadata: {name: shared}\nstringData: {a: b}\n';
  const run = (namespace: string) =>
    checkManifests([...parseManifests(text, 'd.yaml'), ...parseManifests(secret, 's.yaml')], new Engine([secretIsThere]), {
      defaultNamespace: namespace,
      files: ['d.yaml', 's.yaml'],
    }).findings.map((f) => [f.object.namespace, f.message, f.source?.line]);
  t.same(run('datadog'), [['datadog', 'Secret "shared" is found.', 1]]);
});
