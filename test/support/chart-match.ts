import type { KubeObject } from '../../src/kube-model/types.js';
import { helmTemplate } from './helm.js';
import { candidates, type AdmissionRequest, type Webhook } from './webhook-cel.js';

export { admitted, requestFor, type AdmissionRequest, type Webhook } from './webhook-cel.js';

/**
 * The rendered chart's webhook rules and CEL matchConditions, evaluated with a CEL interpreter on requests as
 * the API server builds them. A condition that wrongly says false means a broken Agent is admitted unseen, so
 * every Datadog object that a rule can deny must pass them.
 */
export const vwc = helmTemplate({ kubeVersion: '1.31.0', values: { tls: { mode: 'certManager' } } }).find((o) => o.kind === 'ValidatingWebhookConfiguration');
export const webhooks = (vwc?.['webhooks'] ?? []) as Webhook[];

/** Whether the API server would call ddguard: some webhook's rules and all its conditions match the request. */
export function isSent(request: AdmissionRequest): { sent: boolean; failed: string[] } {
  const matches = candidates(webhooks, request);
  if (matches.length === 0) return { sent: false, failed: ['no webhook rule'] };
  const sent = matches.some((m) => m.failed.length === 0);
  return { sent, failed: sent ? [] : [...new Set(matches.flatMap((m) => m.failed))] };
}

export function hasTokenKey(secret: KubeObject): boolean {
  const data = secret['data'];
  return typeof data === 'object' && data !== null && ('token' in data || 'DD_CLUSTER_AGENT_AUTH_TOKEN' in data)
    && secret['type'] !== 'kubernetes.io/service-account-token';
}
