import { parse } from '@marcbachmann/cel-js';
import { Engine } from '../../src/engine/engine.js';
import type { KubeObject } from '../../src/kube-model/types.js';
import { generatePolicies, type GeneratedPolicy } from '../../src/policies/generate.js';
import { RULES } from '../../src/rules/index.js';
import { ManifestWorld } from '../../src/world/manifest-world.js';

/**
 * A ValidatingAdmissionPolicy evaluated the way the API server does, with cel-js: the request's resource
 * against matchConstraints, then matchConditions, variables and validations over `object`, `oldObject` and
 * `request`. failurePolicy is Ignore, so an expression that fails to evaluate admits; such failures are
 * reported so the tests can require that there are none.
 *
 * Where cel-js differs from the Kubernetes CEL environment: it has no OpenAPI types, so every field is dyn, as
 * it is at run time in the API server (the object is unstructured there too); JS numbers are doubles, which
 * no expression does arithmetic on. The expressions use only functions both have (size, bytes, string,
 * matches, startsWith, endsWith, contains, lowerAscii, the list macros, has, type, dyn).
 */

export const POLICIES = generatePolicies(RULES, { apiVersion: 'v1', mode: 'enforce' });
const engine = new Engine(RULES);

type Program = (context: Record<string, unknown>) => unknown;
const compiled = new Map<string, Program>();
function compile(expression: string): Program {
  let program = compiled.get(expression);
  if (!program) compiled.set(expression, (program = parse(expression) as unknown as Program));
  return program;
}

export interface Request {
  kind: { group: string; version: string; kind: string };
  resource: { group: string; version: string; resource: string };
  operation: string;
  namespace: string;
  userInfo: { username: string; groups: string[] };
  object: KubeObject | null;
  oldObject: KubeObject | null;
}

const RESOURCES: Record<string, string> = {
  Secret: 'secrets', Pod: 'pods', Deployment: 'deployments', DaemonSet: 'daemonsets', StatefulSet: 'statefulsets',
  ReplicaSet: 'replicasets', Job: 'jobs', CronJob: 'cronjobs', DatadogAgent: 'datadogagents', ConfigMap: 'configmaps',
  ServiceAccount: 'serviceaccounts', ClusterRole: 'clusterroles', Role: 'roles', ClusterRoleBinding: 'clusterrolebindings',
  RoleBinding: 'rolebindings', Service: 'services',
};

/** The request the API server builds for creating `object`, with `object` as admission presents it. */
export function createRequest(object: KubeObject, options: { asWritten?: boolean; username?: string } = {}): Request {
  const apiVersion = object.apiVersion ?? 'v1';
  const [group, version] = apiVersion.includes('/') ? (apiVersion.split('/') as [string, string]) : ['', apiVersion];
  const kind = object.kind ?? '';
  return {
    kind: { group, version, kind },
    resource: { group, version, resource: RESOURCES[kind] ?? `${kind.toLowerCase()}s` },
    operation: 'CREATE',
    namespace: object.metadata?.namespace ?? 'datadog',
    userInfo: { username: options.username ?? 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] },
    object: options.asWritten ? object : asAdmitted(object),
    oldObject: null,
  };
}

/**
 * A Secret as admission sees it: `stringData` merged into `data` (stringData wins) and every `data` value
 * re-encoded in canonical base64, as the API server decodes and encodes it. A value that is not base64 is
 * kept (the API server would reject the whole object before admission).
 */
export function asAdmitted(object: KubeObject): KubeObject {
  if (object.kind !== 'Secret') return object;
  const data: Record<string, unknown> = {};
  const raw = (object['data'] ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(raw)) {
    const compact = typeof value === 'string' ? value.replace(/[\r\n]/g, '') : value;
    const canonical = typeof compact === 'string' && /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(compact);
    data[key] = canonical ? Buffer.from(compact as string, 'base64').toString('base64') : value;
  }
  for (const [key, value] of Object.entries((object['stringData'] ?? {}) as Record<string, unknown>)) {
    if (value !== null && value !== undefined) data[key] = Buffer.from(String(value), 'utf8').toString('base64');
  }
  const { stringData: _merged, ...rest } = object;
  return Object.keys(raw).length || object['stringData'] ? { ...rest, data } : rest;
}

export interface PolicyVerdict {
  matched: boolean;
  denied: boolean;
  messages: string[];
  /** Expressions that failed to evaluate (admitted under failurePolicy Ignore). */
  failures: string[];
}

export function evaluatePolicy(generated: GeneratedPolicy, request: Request): PolicyVerdict {
  const verdict: PolicyVerdict = { matched: false, denied: false, messages: [], failures: [] };
  const { target } = generated;
  const inScope = target.resources.some((r) =>
    r.apiGroups.includes(request.resource.group) && r.resources.includes(request.resource.resource)
    && (target.matchPolicy === 'Equivalent' || r.apiVersions.includes(request.resource.version)));
  if (!inScope || !['CREATE', 'UPDATE'].includes(request.operation) || request.namespace === 'kube-system') return verdict;
  const context: Record<string, unknown> = { object: request.object, oldObject: request.oldObject, request };
  const run = (name: string, expression: string, ctx: Record<string, unknown>): unknown => {
    try {
      return compile(expression)(ctx);
    } catch (error) {
      verdict.failures.push(`${generated.name} ${name}: ${(error as Error).message.split('\n')[0]}`);
      return undefined;
    }
  };
  for (const condition of target.matchConditions) {
    const value = run(`matchCondition ${condition.name}`, condition.expression, context);
    if (value !== true) return verdict;
  }
  verdict.matched = true;
  const variables: Record<string, unknown> = {};
  const withVariables = { ...context, variables };
  for (const variable of target.variables) {
    const value = run(`variable ${variable.name}`, variable.expression, withVariables);
    if (value === undefined) return verdict;
    variables[variable.name] = value;
  }
  const spec = generated.policy['spec'] as { validations: { expression: string; messageExpression: string; message: string }[] };
  for (const [index, validation] of spec.validations.entries()) {
    const ok = run(`validation ${index}`, validation.expression, withVariables);
    if (ok !== false) continue;
    verdict.denied = true;
    const message = run(`messageExpression ${index}`, validation.messageExpression, withVariables);
    verdict.messages.push(typeof message === 'string' && !message.includes('\n') ? message : validation.message);
  }
  return verdict;
}

/** The rule's error findings for `object` in `world` (default: a world holding only the object). */
export function ruleErrors(ruleId: string, object: KubeObject, world?: ManifestWorld): string[] {
  const judged = world ?? new ManifestWorld([object], { defaultNamespace: 'datadog' });
  return engine.evaluate(object, judged).filter((f) => f.ruleId === ruleId && f.severity === 'error').map((f) => f.message);
}
