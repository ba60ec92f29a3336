// The chart's matchConditions (test/support/chart-match.ts) over what Datadog really ships: the reviews a real API
// server sent for the official Datadog chart, and every workload and token Secret of the official manifests.
import '../support/requires-shared.js';
import '../support/requires-helm.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parseAllDocuments } from 'yaml';
import { detectComponent } from '../../src/datadog/components.js';
import type { KubeObject } from '../../src/kube-model/types.js';
import { admitted, hasTokenKey, isSent, requestFor, type AdmissionRequest } from '../support/chart-match.js';
import { CAPTURED_CHART, corpusFiles, SHARED } from '../support/shared.js';

t.test('the official Datadog chart, as a real API server sent it, reaches ddguard where it matters', async (t) => {
  const expectedNotSent: Record<string, string> = {
    '0001-Secret-CREATE-datadog.json': 'the API key Secret holds no Cluster Agent token',
    '0014-Deployment-CREATE-datadog-datadog-operator.json': 'the Operator is no Datadog component: no rule judges it',
  };
  for (const file of readdirSync(CAPTURED_CHART).filter((f) => f.endsWith('.json')).sort()) {
    const review = JSON.parse(readFileSync(join(CAPTURED_CHART, file), 'utf8')) as { request: AdmissionRequest };
    const { sent, failed } = isSent(review.request);
    const why = expectedNotSent[file];
    if (why) t.notOk(sent, `${file}: not sent, ${why}`);
    else t.ok(sent, `${file}: sent (failed conditions: ${failed.join(', ') || 'none'})`);
  }
});

t.test('every Datadog component and token Secret of the official manifests is sent', async (t) => {
  let workloads = 0;
  for (const file of corpusFiles()) {
    const objects = parseAllDocuments(readFileSync(file, 'utf8'))
      .filter((doc) => doc.errors.length === 0)
      .map((doc) => doc.toJS() as unknown)
      .filter((o): o is KubeObject => typeof o === 'object' && o !== null && typeof (o as KubeObject).kind === 'string');
    for (const object of objects) {
      const isWorkload = detectComponent(object) !== undefined;
      const isToken = object.kind === 'Secret' && hasTokenKey(admitted(object));
      if (!isWorkload && !isToken) continue;
      if (isWorkload) workloads += 1;
      const { sent, failed } = isSent(requestFor(object));
      t.ok(sent, `${file.slice(SHARED.length + 1)}: ${object.kind} ${object.metadata?.name} (failed: ${failed.join(', ') || 'none'})`);
    }
  }
  t.ok(workloads >= 5, `the corpus has Datadog workloads (${workloads})`);
});
