import { readFileSync } from 'node:fs';
import type { Test } from 'tap';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { detectComponent } from '../../src/datadog/components.js';
import { Engine } from '../../src/engine/engine.js';
import { isWorkload } from '../../src/kube-model/pod-template.js';
import { admissionScope } from '../../src/engine/admission-scope.js';
import type { KubeObject } from '../../src/kube-model/types.js';
import { RULES } from '../../src/rules/index.js';
import { ROOT } from './fixtures.js';
import { helmTemplate } from './helm.js';
import { admitted, calledWebhooks, requestFor, type AdmissionRequest, type Webhook } from './webhook-cel.js';

/**
 * Fail safe: with the chart's defaults, a write waits on ddguard (a webhook with failurePolicy Fail) only when
 * it is recognisably Datadog's. Evaluated as the API server would: the rendered webhooks' rules and CEL
 * matchConditions over a table of requests, Datadog's own writes on one side and other teams' on the other.
 */

export const FIXTURES = join(ROOT, 'test', 'fixtures', 'fail-safe');
export const engine = new Engine(RULES);
export const operationsByKind = new Map(admissionScope(engine.judgedKinds(), RULES).map((s) => [s.kind as string, s.operations]));

export function render(values: Record<string, unknown> = {}, kubeVersion = '1.31.0'): Webhook[] {
  const objects = helmTemplate({ values: { tls: { mode: 'certManager' }, ...values }, kubeVersion, namespace: 'guard-system' });
  return (objects.find((o) => o.kind === 'ValidatingWebhookConfiguration')?.['webhooks'] ?? []) as Webhook[];
}
export const defaults = render();

export function objectsOf(file: string): KubeObject[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .filter((doc) => doc.errors.length === 0)
    .map((doc) => doc.toJS() as unknown)
    .filter((o): o is KubeObject => typeof o === 'object' && o !== null && typeof (o as KubeObject).kind === 'string');
}

/** Whether a rule of ddguard's judges the object: its kind is judged, a workload is a Datadog component, a Secret holds a token key. */
export function judged(object: KubeObject): boolean {
  if (!engine.judges(object.kind ?? '')) return false;
  if (isWorkload(object)) return detectComponent(object) !== undefined;
  if (object.kind === 'Secret') {
    const data = admitted(object)['data'];
    return object['type'] !== 'kubernetes.io/service-account-token' && typeof data === 'object' && data !== null
      && ('token' in data || 'DD_CLUSTER_AGENT_AUTH_TOKEN' in data);
  }
  return true;
}

/** Every write of the object the webhooks are registered for: CREATE, UPDATE and, where judged, DELETE. */
export function writesOf(object: KubeObject): { label: string; request: AdmissionRequest }[] {
  const name = `${object.kind} ${object.metadata?.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata?.name}`;
  return (operationsByKind.get(object.kind ?? '') ?? ['CREATE', 'UPDATE']).map((operation) => ({
    label: `${operation} ${name}`,
    request: requestFor(object, { operation, ...(operation === 'CREATE' ? {} : { oldObject: object }) }),
  }));
}

export const describe = (hooks: Webhook[]) => hooks.map((h) => `${h.name} (${h.failurePolicy})`).join(', ') || 'none';

/** Datadog's write: never behind a fail-open webhook, and behind a failing-closed one whenever ddguard judges it. */
export function assertDatadogWrite(t: Test, hooks: Webhook[], object: KubeObject, label: string, request: AdmissionRequest): void {
  const called = calledWebhooks(hooks, request);
  const expected = judged(object) ? 1 : 0;
  t.ok(called.length === expected && called.every((h) => h.failurePolicy === 'Fail'),
    `${label}: ${expected ? 'one failing-closed webhook' : 'no webhook'} (called: ${describe(called)})`);
}

