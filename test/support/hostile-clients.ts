// Reviews a hostile or broken client sends (issue 10), built from the repository's own example reviews so the
// tests that use them never need ../shared.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeObject } from '../../src/kube-model/types.js';
import type { AdmissionReview } from '../../src/kube-model/admission-review.js';
import { ROOT } from './fixtures.js';

const EXAMPLES = join(ROOT, 'examples', 'admission');

/** One of examples/admission/*.json, deep-cloned, with a fresh uid. */
export function exampleReview(file = 'daemonset-kubelet-host-literal.json', uid = `uid-${Math.random().toString(16).slice(2)}`): AdmissionReview {
  const review = JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')) as AdmissionReview;
  review.request.uid = uid;
  return review;
}

export const EXAMPLE_FILES = ['daemonset-kubelet-host-literal.json', 'secret-short-cluster-agent-token.json'] as const;

/**
 * The `$(VAR)` expansion bomb of issue 10: V0 is 64 characters, Vk is `$(Vk-1)$(Vk-1)`, and the Cluster Agent
 * token is `$(V<levels>)`. Fully expanded, 20 levels are 64 MiB, and every rule that reads the token would
 * copy it; the review itself is about 1.5 KB.
 */
export function expansionBomb(levels = 20, uid?: string): AdmissionReview {
  const review = exampleReview('daemonset-kubelet-host-literal.json', uid);
  const env: Record<string, unknown>[] = [{ name: 'V0', value: 'x'.repeat(64) }];
  for (let k = 1; k <= levels; k++) env.push({ name: `V${k}`, value: `$(V${k - 1})$(V${k - 1})` });
  env.push(
    { name: 'DD_KUBERNETES_KUBELET_HOST', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
    { name: 'DD_CLUSTER_AGENT_ENABLED', value: 'true' },
    { name: 'DD_CLUSTER_AGENT_AUTH_TOKEN', value: `$(V${levels})` },
  );
  containerOf(review).env = env;
  return review;
}

/** A valid review of about `bytes` bytes: the DaemonSet carries a large annotation (as last-applied would). */
export function largeReview(bytes: number, uid?: string): AdmissionReview {
  const review = exampleReview('daemonset-kubelet-host-literal.json', uid);
  const object = review.request.object as KubeObject;
  const size = Buffer.byteLength(JSON.stringify(review));
  object.metadata = { ...object.metadata, annotations: { 'example.com/padding': 'p'.repeat(Math.max(0, bytes - size - 64)) } };
  return review;
}

/** A review of a kind nothing judges, named `kind`. */
export function reviewOfKind(kind: string, uid?: string): AdmissionReview {
  const review = exampleReview('daemonset-kubelet-host-literal.json', uid);
  review.request.kind = { group: 'example.com', version: 'v1', kind };
  (review.request.object as KubeObject).kind = kind;
  return review;
}

export function containerOf(review: AdmissionReview): Record<string, unknown> {
  const object = review.request.object as { spec: { template: { spec: { containers: Record<string, unknown>[] } } } };
  const container = object.spec.template.spec.containers[0];
  if (!container) throw new Error('the example review has no container');
  return container;
}
