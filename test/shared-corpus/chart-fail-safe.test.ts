// Fail safe over what Datadog really ships: every judged object of the official corpus and the captured chart
// install waits on ddguard (failurePolicy Fail); none fails open.
import '../support/requires-shared.js';
import '../support/requires-helm.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { KubeObject } from '../../src/kube-model/types.js';
import { assertDatadogWrite, defaults, judged, objectsOf, writesOf } from '../support/chart-fail-safe.js';
import { CAPTURED_CHART, corpusFiles, SHARED } from '../support/shared.js';
import type { AdmissionRequest } from '../support/webhook-cel.js';


t.test('every object of the official corpus that ddguard judges waits on it; none fails open', async (t) => {
  let writes = 0;
  for (const file of corpusFiles()) {
    for (const object of objectsOf(file)) {
      for (const { label, request } of writesOf(object)) {
        if (judged(object)) writes += 1;
        assertDatadogWrite(t, defaults, object, `${file.slice(SHARED.length + 1)}: ${label}`, request);
      }
    }
  }
  t.ok(writes >= 100, `the corpus has judged writes (${writes})`);
});

t.test('the official chart as a real API server sent it waits on ddguard', async (t) => {
  const dir = CAPTURED_CHART;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const { request } = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { request: AdmissionRequest };
    const object = (request.object ?? request.oldObject) as KubeObject;
    assertDatadogWrite(t, defaults, object, file, request);
  }
});
