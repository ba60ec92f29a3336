import type { KubeObject, ObjectRef } from './types.js';
import { isRecord, refOf } from './types.js';
import type { World } from './world.js';
import { grantNamespaceOf, roleRefOf } from './rbac-bindings.js';

/** One access a component needs: verbs on a resource (or subresource) of an API group. */
export interface RequiredPermission {
  apiGroup: string;
  resource: string;
  subresource?: string;
  verbs: readonly string[];
  /** Why it is needed, quoted in the finding. */
  reason: string;
}

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/** One rule granted to a ServiceAccount, with the role and binding it came through. */
export interface Grant {
  rule: PolicyRule;
  role: ObjectRef;
  binding: ObjectRef;
  /** The namespace a RoleBinding limits the grant to; absent for cluster-wide grants. */
  namespace?: string;
}

/** Everything bound to a ServiceAccount, and the bindings whose role the world does not hold. */
export interface Permissions {
  grants: Grant[];
  /** `namespace`: the one a RoleBinding's role would grant in, as on a Grant; absent for a ClusterRoleBinding. */
  missingRoles: { binding: ObjectRef; roleRef: { kind: string; name: string }; namespace?: string }[];
}

export interface AccessQuery {
  verb: string;
  apiGroup: string;
  resource: string;
  subresource?: string;
  /** Where the access happens; absent for a cluster-wide request (list pods in all namespaces). */
  namespace?: string;
  name?: string;
  /** A request for a path that is no resource (`/metrics`); `apiGroup` and `resource` are then ignored. */
  nonResourceURL?: string;
}

/** The union of every role bound to the ServiceAccount, as the Kubernetes RBAC authorizer would see it. */
export function permissionsOf(world: World, namespace: string, serviceAccount: string): Permissions {
  const permissions: Permissions = { grants: [], missingRoles: [] };
  for (const binding of world.bindingsForServiceAccount(namespace, serviceAccount)) {
    const { kind, name } = roleRefOf(binding);
    const bindingNamespace = grantNamespaceOf(binding, world.defaultNamespace);
    // A RoleBinding may only reference a Role in its own namespace, or a ClusterRole.
    const role =
      kind === 'ClusterRole' ? world.get('ClusterRole', undefined, name)
      : kind === 'Role' && bindingNamespace ? world.get('Role', bindingNamespace, name)
      : undefined;
    const bindingRef = refOf(binding);
    if (!role || role.state !== 'found') {
      permissions.missingRoles.push({ binding: bindingRef, roleRef: { kind, name }, ...(bindingNamespace ? { namespace: bindingNamespace } : {}) });
      continue;
    }
    for (const rule of effectiveRules(role.value, world)) {
      const grant: Grant = { rule, role: refOf(role.value), binding: bindingRef };
      if (bindingNamespace) grant.namespace = bindingNamespace;
      permissions.grants.push(grant);
    }
  }
  return permissions;
}

/** A role's own rules plus, for an aggregated ClusterRole, the rules of every ClusterRole it selects. */
export function effectiveRules(role: KubeObject, world: World): PolicyRule[] {
  const own = rulesOf(role);
  if (role.kind !== 'ClusterRole' || aggregationSelectorsOf(role).length === 0) return own;
  const aggregated = world
    .list('ClusterRole')
    .filter((other) => other !== role && other.metadata?.name !== role.metadata?.name)
    .filter((other) => aggregates(role, other))
    .flatMap(rulesOf);
  return [...own, ...aggregated];
}

/** The ClusterRoles whose aggregationRule selects `role` by its labels: they pick up its rules. */
export function clusterRolesAggregating(role: KubeObject, world: World): KubeObject[] {
  return world.list('ClusterRole').filter((other) => aggregates(other, role));
}

/** Whether `aggregator`'s aggregationRule selects `role` (the clusterrole-aggregation controller's match). */
function aggregates(aggregator: KubeObject, role: KubeObject): boolean {
  const labels = role.metadata?.labels ?? {};
  return aggregationSelectorsOf(aggregator).some((selector) => labelSelectorMatches(selector, labels));
}

function aggregationSelectorsOf(role: KubeObject): unknown[] {
  const aggregation = isRecord(role['aggregationRule']) ? role['aggregationRule'] : undefined;
  return Array.isArray(aggregation?.['clusterRoleSelectors']) ? aggregation['clusterRoleSelectors'] : [];
}

function rulesOf(role: KubeObject): PolicyRule[] {
  return Array.isArray(role['rules']) ? (role['rules'] as PolicyRule[]).filter(isRecord) : [];
}

/** The grant that allows the access, if any: the authorizer's allow-if-any-rule-matches. */
export function findGrant(permissions: Permissions, query: AccessQuery): Grant | undefined {
  return permissions.grants.find((grant) => grantAllows(grant, query));
}

export function grantAllows(grant: Grant, query: AccessQuery): boolean {
  // Paths are cluster-scoped: a RoleBinding never grants them, even to a ClusterRole that lists them.
  if (query.nonResourceURL !== undefined) return grant.namespace === undefined && ruleAllows(grant.rule, query);
  if (grant.namespace !== undefined && grant.namespace !== query.namespace) return false;
  return ruleAllows(grant.rule, query);
}

export function ruleAllows(rule: PolicyRule, query: AccessQuery): boolean {
  if (!matches(rule.verbs, query.verb)) return false;
  if (query.nonResourceURL !== undefined) return nonResourceURLMatches(rule.nonResourceURLs ?? [], query.nonResourceURL);
  if (!matches(rule.apiGroups, query.apiGroup)) return false;
  if (!resourceMatches(rule.resources ?? [], query.resource, query.subresource)) return false;
  // resourceNames narrow a rule to named objects: they never grant a request without a name (list, watch).
  if (rule.resourceNames && rule.resourceNames.length > 0) {
    return query.name !== undefined && rule.resourceNames.includes(query.name);
  }
  return true;
}

function matches(values: string[] | undefined, wanted: string): boolean {
  return Array.isArray(values) && (values.includes('*') || values.includes(wanted));
}

// Mirrors k8s.io/kubernetes/pkg/apis/rbac/v1 ResourceMatches: "*" matches everything including subresources,
// "res/sub" matches exactly, "*/sub" matches a subresource of any resource.
function resourceMatches(resources: string[], resource: string, subresource?: string): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  return resources.some(
    (r) => r === '*' || r === combined || (subresource !== undefined && r === `*/${subresource}`),
  );
}

// Mirrors k8s.io/kubernetes/pkg/apis/rbac/v1 NonResourceURLMatches: an exact path, "*", or a "prefix*".
function nonResourceURLMatches(urls: string[], path: string): boolean {
  return urls.some((url) => url === '*' || url === path || (url.endsWith('*') && path.startsWith(url.slice(0, -1))));
}

interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export function labelSelectorMatches(selector: unknown, labels: Readonly<Record<string, string>>): boolean {
  if (!isRecord(selector)) return false;
  const matchLabels = isRecord(selector['matchLabels']) ? selector['matchLabels'] : {};
  const expressions = Array.isArray(selector['matchExpressions'])
    ? (selector['matchExpressions'] as LabelSelectorRequirement[])
    : [];
  if (Object.keys(matchLabels).length === 0 && expressions.length === 0) return false;
  return (
    Object.entries(matchLabels).every(([key, value]) => labels[key] === value) &&
    expressions.every((e) => {
      const has = Object.prototype.hasOwnProperty.call(labels, e.key);
      const value = labels[e.key];
      switch (e.operator) {
        case 'In': return has && (e.values ?? []).includes(value ?? '');
        case 'NotIn': return !has || !(e.values ?? []).includes(value ?? '');
        case 'Exists': return has;
        case 'DoesNotExist': return !has;
        default: return false;
      }
    })
  );
}
