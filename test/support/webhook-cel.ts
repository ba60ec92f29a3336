import { evaluate } from '@marcbachmann/cel-js';
import type { KubeObject } from '../../src/kube-model/types.js';
import { isKnownKind, KINDS } from '../../src/kube-model/kinds.js';

/**
 * The API server's choice of webhooks, for tests: a rendered webhook is called for a request when one of its
 * rules matches the request's resource and operation and every matchCondition evaluates to true, with the CEL
 * interpreter the tests use (@marcbachmann/cel-js). namespaceSelector is left to the tests that need it.
 */
export interface Webhook {
  name: string;
  failurePolicy?: string;
  rules: { apiGroups: string[]; resources: string[]; operations: string[] }[];
  matchConditions?: { name: string; expression: string }[];
}

export interface AdmissionRequest {
  kind: { group: string; version: string; kind: string };
  resource: { group: string; version: string; resource: string };
  namespace?: string;
  operation: string;
  userInfo: { username: string; groups?: string[] };
  object: KubeObject | null;
  oldObject: KubeObject | null;
}

export interface Match {
  hook: Webhook;
  /** Names of the conditions that were not true (empty: the webhook is called). */
  failed: string[];
}

/** Every webhook whose rules cover the request, with the conditions that did not hold. */
export function candidates(webhooks: readonly Webhook[], request: AdmissionRequest): Match[] {
  return webhooks
    .filter((hook) => hook.rules.some((rule) =>
      rule.apiGroups.includes(request.resource.group) && rule.resources.includes(request.resource.resource)
      && rule.operations.includes(request.operation)))
    .map((hook) => {
      const variables = { object: request.object, oldObject: request.oldObject, request };
      const failed = (hook.matchConditions ?? []).filter((c) => evaluate(c.expression, variables) !== true).map((c) => c.name);
      return { hook, failed };
    });
}

/** The webhooks the API server would call for the request. */
export function calledWebhooks(webhooks: readonly Webhook[], request: AdmissionRequest): Webhook[] {
  return candidates(webhooks, request).filter((m) => m.failed.length === 0).map((m) => m.hook);
}

/** A request as the API server builds it for `object`; stringData is merged into data before admission. */
export function requestFor(
  object: KubeObject,
  options: { operation?: string; username?: string; oldObject?: KubeObject; namespace?: string } = {},
): AdmissionRequest {
  const kind = object.kind ?? '';
  const r = isKnownKind(kind) ? KINDS[kind] : { group: 'unknown', resource: 'unknown', scope: 'Namespaced' };
  const [group, version] = (object.apiVersion ?? 'v1').includes('/') ? (object.apiVersion ?? '').split('/') : ['', object.apiVersion ?? 'v1'];
  const operation = options.operation ?? 'CREATE';
  const namespace = r.scope === 'Cluster' ? '' : (options.namespace ?? object.metadata?.namespace ?? options.oldObject?.metadata?.namespace ?? 'default');
  const place = (o: KubeObject): KubeObject => admitted(r.scope === 'Cluster' ? o : { ...o, metadata: { ...o.metadata, namespace } });
  return {
    kind: { group: group ?? '', version: version ?? 'v1', kind },
    resource: { group: r.group, version: version ?? 'v1', resource: r.resource },
    namespace,
    operation,
    userInfo: { username: options.username ?? 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] },
    object: operation === 'DELETE' ? null : place(object),
    oldObject: options.oldObject ? place(options.oldObject) : null,
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
