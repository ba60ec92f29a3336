// The four output formats over one small fixed report (built with test-only rules). Rendered text and SARIF are
// snapshots; the JSON contract and the JUnit structure are asserted field by field.
import t from 'tap';
import type { Log } from 'sarif';
import { useColor } from '../../src/cli/check.js';
import { DEFAULT_ENGINE_CONFIG } from '../../src/engine/engine.js';
import { renderJson } from '../../src/report/json.js';
import { renderJunit } from '../../src/report/junit.js';
import { artifactUri, renderSarif } from '../../src/report/sarif.js';
import { renderText } from '../../src/report/text.js';
import type { CheckReport } from '../../src/report/report.js';
import { sampleReport } from '../support/check-sample.js';
import { CHECK_TEST_RULES } from '../support/test-rules.js';

const report = sampleReport();
const sarifOptions = { rules: CHECK_TEST_RULES, config: DEFAULT_ENGINE_CONFIG, cwd: '/work/repo', toolVersion: '0.0.0-test' };

t.test('text: grouped by object, readable, plain without colour', async (t) => {
  const text = renderText(report, { color: false });
  t.notMatch(text, /\u001b\[/, 'no escape codes');
  t.matchSnapshot(text);
});

t.test('text: colour only on a terminal, and not when NO_COLOR is set', async (t) => {
  t.equal(useColor(true, {}), true);
  t.equal(useColor(false, {}), false);
  t.equal(useColor(undefined, {}), false);
  t.equal(useColor(true, { NO_COLOR: '1' }), false);
  t.equal(useColor(true, { NO_COLOR: '' }), true, 'an empty NO_COLOR does not count');
});

t.test('text: colour when asked', async (t) => {
  t.matchSnapshot(renderText(report, { color: true }));
});

t.test('text: the summary line says when nothing was found', async (t) => {
  const clean: CheckReport = { objects: report.objects.map((o) => ({ ref: o.ref, file: o.file, findings: [] })), findings: [], files: report.files };
  t.equal(renderText(clean, { color: false }), 'Checked 5 objects in 2 files: 0 errors, 0 warnings.\n');
  t.equal(renderText({ objects: [], findings: [], files: ['x.yaml'] }, { color: false }), 'Checked 0 objects in 1 file: no Kubernetes objects found.\n');
});

t.test('json: exactly the public shape', async (t) => {
  const json = JSON.parse(renderJson(report)) as unknown;
  t.strictSame(json, {
    version: 1,
    findings: [
      {
        ruleId: 'test-forbidden-key',
        severity: 'error',
        message: 'Key "forbidden" is set (6 bytes).',
        remediation: 'Remove the key named "forbidden".',
        object: { apiVersion: 'v1', kind: 'Secret', namespace: 'ns1', name: 'token' },
        path: '/stringData/forbidden',
        source: { file: 'deploy/app.yaml', line: 8 },
      },
      {
        ruleId: 'test-forbidden-key',
        severity: 'error',
        message: 'Key "forbidden" is set (2 bytes).',
        remediation: 'Remove the key named "forbidden".',
        object: { apiVersion: 'v1', kind: 'Secret', namespace: 'ns1', name: 'old' },
        path: '/stringData/forbidden',
        source: { file: 'deploy/app.yaml', line: 19 },
        exempted: { by: 'annotation', reason: 'rotated next sprint' },
      },
      {
        ruleId: 'test-team-label',
        severity: 'warning',
        message: 'The Deployment has no "team" label.',
        remediation: 'Add a `team` label.',
        object: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'web' },
        path: '/metadata/labels/team',
        source: { file: 'deploy/app.yaml', line: 23 },
      },
    ],
    summary: { objects: 5, errors: 1, warnings: 1, exempted: 1 },
  });
});

t.test('sarif 2.1.0: rules with help, results on file and line, exemptions as suppressions', async (t) => {
  const rendered = renderSarif(report, sarifOptions);
  const sarif = JSON.parse(rendered) as Log;
  t.equal(sarif.version, '2.1.0');
  const run = sarif.runs[0]!;
  t.same(run.tool.driver.rules?.map((r) => r.id), ['test-forbidden-key', 'test-team-label']);
  t.same(
    run.results?.map((r) => {
      const physical = r.locations?.[0]?.physicalLocation;
      return [r.ruleId, r.ruleIndex, r.level, physical?.artifactLocation?.uri, physical?.region?.startLine];
    }),
    [
      ['test-forbidden-key', 0, 'error', 'deploy/app.yaml', 8],
      ['test-forbidden-key', 0, 'error', 'deploy/app.yaml', 19],
      ['test-team-label', 1, 'warning', 'deploy/app.yaml', 23],
    ],
  );
  t.same(run.results?.[1]?.suppressions, [{ kind: 'inSource', justification: 'rotated next sprint' }]);
  t.equal(run.results?.[0]?.suppressions, undefined);
  t.matchSnapshot(rendered);
});

t.test('sarif: severities from config, a rule turned off is disabled', async (t) => {
  const config = { ...DEFAULT_ENGINE_CONFIG, severities: { 'test-forbidden-key': 'warning' as const, 'test-team-label': 'off' as const } };
  const log = JSON.parse(renderSarif({ ...report, findings: [] }, { ...sarifOptions, config })) as Log;
  t.same(log.runs[0]?.tool.driver.rules?.map((r) => r.defaultConfiguration), [{ level: 'warning' }, { enabled: false, level: 'none' }]);
});

t.test('sarif: artifact URIs relative to the working directory, file:// outside it, escaped', async (t) => {
  t.equal(artifactUri('deploy/app.yaml', '/work/repo'), 'deploy/app.yaml');
  t.equal(artifactUri('/work/repo/a b/#1.yaml', '/work/repo'), 'a%20b/%231.yaml');
  t.equal(artifactUri('../other/x.yaml', '/work/repo'), 'file:///work/other/x.yaml');
});

t.test('junit: a suite per file, a test case per object, a failure per failing finding', async (t) => {
  const xml = renderJunit(report, { failOn: 'error' });
  t.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="ddguard" tests="5" failures="1" errors="0">/);
  t.match(xml, '<testsuite name="deploy/app.yaml" tests="3" failures="1" errors="0" skipped="0">');
  t.match(xml, '<testsuite name="deploy/platform.yaml" tests="2" failures="0" errors="0" skipped="0">');
  t.equal(xml.match(/<testcase /g)?.length, 5);
  t.equal(xml.match(/<failure /g)?.length, 1, 'only the error fails under --fail-on error');
  t.match(xml, '<failure type="test-forbidden-key" message="[test-forbidden-key] Key &quot;forbidden&quot; is set (6 bytes).">');
  t.match(xml, '<testcase classname="deploy/platform.yaml" name="ClusterRole reader"/>');
  t.match(xml, /<system-out>exempted \(by annotation: rotated next sprint\) test-forbidden-key at deploy\/app.yaml:19/);
  t.match(xml, /<system-out>warning test-team-label at deploy\/app.yaml:23/);

  const strict = renderJunit(report, { failOn: 'warning' });
  t.equal(strict.match(/<failure /g)?.length, 2, 'warnings fail too under --fail-on warning; exempted never');
  t.match(renderJunit({ objects: [], findings: [], files: [] }, { failOn: 'error' }), '<testsuites name="ddguard" tests="0" failures="0" errors="0">\n</testsuites>');
});
