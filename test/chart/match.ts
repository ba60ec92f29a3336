import { evaluate } from '@marcbachmann/cel-js';
import type { KubeObject } from '../../src/k8s/types.js';
import { helmTemplate } from '../support/helm.js';

/**
 * The rendered chart's webhook rules and CEL matchConditions, evaluated with a CEL interpreter on requests as
 * the API server builds them. A condition that wrongly says false means a broken Agent is admitted unseen, so
 * every Datadog object that a rule can deny must pass them.
 */

export interface Webhook {
  name: string;
  rules: { apiGroups: string[]; resources: string[]; operations: string[] }[];
  matchConditions?: { name: string; expression: string }[];
}
export interface AdmissionRequest {
  kind: { group: string; version: string; kind: string };
  resource: { group: string; version: string; resource: string };
  operation: string;
  userInfo: { username: string; groups?: string[] };
  object: KubeObject | null;
  oldObject: KubeObject | null;
}

export const vwc = helmTemplate({ kubeVersion: '1.31.0', values: { tls: { mode: 'certManager' } } }).find((o) => o.kind === 'ValidatingWebhookConfiguration');
export const webhooks = (vwc?.['webhooks'] ?? []) as Webhook[];

export function webhookFor(request: AdmissionRequest): Webhook | undefined {
  return webhooks.find((hook) =>
    hook.rules.some((rule) =>
      rule.apiGroups.includes(request.resource.group) && rule.resources.includes(request.resource.resource)
      && rule.operations.includes(request.operation)));
}

/** Whether the API server would call ddguard: the request matches a webhook's rules and all its conditions. */
export function isSent(request: AdmissionRequest): { sent: boolean; failed: string[] } {
  const hook = webhookFor(request);
  if (!hook) return { sent: false, failed: ['no webhook rule'] };
  const variables = { object: request.object, oldObject: request.oldObject, request };
  const failed = (hook.matchConditions ?? []).filter((c) => evaluate(c.expression, variables) !== true).map((c) => c.name);
  return { sent: failed.length === 0, failed };
}

export const RESOURCES: Record<string, { group: string; resource: string }> = {
  Secret: { group: '', resource: 'secrets' },
  Pod: { group: '', resource: 'pods' },
  ServiceAccount: { group: '', resource: 'serviceaccounts' },
  Deployment: { group: 'apps', resource: 'deployments' },
  DaemonSet: { group: 'apps', resource: 'daemonsets' },
  StatefulSet: { group: 'apps', resource: 'statefulsets' },
  ReplicaSet: { group: 'apps', resource: 'replicasets' },
  Job: { group: 'batch', resource: 'jobs' },
  CronJob: { group: 'batch', resource: 'cronjobs' },
  ClusterRole: { group: 'rbac.authorization.k8s.io', resource: 'clusterroles' },
  ClusterRoleBinding: { group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings' },
  Role: { group: 'rbac.authorization.k8s.io', resource: 'roles' },
  RoleBinding: { group: 'rbac.authorization.k8s.io', resource: 'rolebindings' },
  DatadogAgent: { group: 'datadoghq.com', resource: 'datadogagents' },
};

/** A request as the API server builds it for `object`; stringData is merged into data before admission. */
export function requestFor(object: KubeObject, options: { operation?: string; username?: string; oldObject?: KubeObject } = {}): AdmissionRequest {
  const kind = object.kind ?? '';
  const r = RESOURCES[kind] ?? { group: 'unknown', resource: 'unknown' };
  const [group, version] = (object.apiVersion ?? 'v1').includes('/') ? (object.apiVersion ?? '').split('/') : ['', object.apiVersion ?? 'v1'];
  const operation = options.operation ?? 'CREATE';
  return {
    kind: { group: group ?? '', version: version ?? 'v1', kind },
    resource: { group: r.group, version: version ?? 'v1', resource: r.resource },
    operation,
    userInfo: { username: options.username ?? 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] },
    object: operation === 'DELETE' ? null : admitted(object),
    oldObject: options.oldObject ? admitted(options.oldObject) : null,
  };
}

export function admitted(object: KubeObject): KubeObject {
  if (object.kind !== 'Secret' || typeof object['stringData'] !== 'object' || object['stringData'] === null) return object;
  const data = { ...(object['data'] as Record<string, string> | undefined) };
  for (const [key, value] of Object.entries(object['stringData'] as Record<string, string>)) {
    data[key] = Buffer.from(String(value)).toString('base64');
  }
  const { stringData: _dropped, ...rest } = object;
  return { ...rest, data };
}

export function hasTokenKey(secret: KubeObject): boolean {
  const data = secret['data'];
  return typeof data === 'object' && data !== null && ('token' in data || 'DD_CLUSTER_AGENT_AUTH_TOKEN' in data)
    && secret['type'] !== 'kubernetes.io/service-account-token';
}
