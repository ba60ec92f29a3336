// The judgement the four RBAC rules share: what a Datadog component's ServiceAccount holds against the
// catalogue (src/datadog/catalogue*.ts) of what its features need. Rule-shaped (it returns findings), so it
// lives with the rules; the catalogue and the wording of refusals are Datadog's model.
import type { RequirementDoc, RuleContext, RuleFinding, TargetKind } from '../../engine/types.js';
import { permissionsOf, type Permissions } from '../../kube-model/rbac.js';
import { subjectsOfBinding } from '../../kube-model/rbac-bindings.js';
import { serviceAccountOf } from '../../kube-model/pod-template.js';
import type { KubeObject } from '../../kube-model/types.js';
import type { World } from '../../kube-model/world.js';
import type { CatalogueFeatures } from '../../datadog/check-features.js';
import { asDatadogWorkload, COMPONENT_NAMES, type Component, type DatadogWorkload } from '../../datadog/components.js';
import {
  accessScope, featureReason, FEATURE_SETTINGS, forbiddenMessage, isRequired, missingVerbs, refusalLine, resolveRequirement,
  resourceName, ruleSnippet, type PermissionRequirement,
} from '../../datadog/permissions.js';

/** What can grant or take away a component's access: an RBAC rule re-judges its workloads when one changes. */
export const RBAC_KINDS: readonly TargetKind[] = ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'ServiceAccount'];

export interface PermissionCheck {
  workload: DatadogWorkload;
  world: World;
  requirements: readonly PermissionRequirement[];
  features: CatalogueFeatures;
  /** The workload is re-checked because the change under review touches its RBAC (RuleContext.impact). */
  impact?: boolean;
  /** Extra sentences for a gap (what else the user may have seen, why a feature needs it). */
  explain?: (requirement: PermissionRequirement, need: 'yes' | 'maybe') => string;
  /**
   * The workload is being created at admission: RBAC applied after it (kubectl apply in any order) may not be
   * there yet, so a gap is a warning until the world is complete; the audit and later RBAC changes judge it again.
   */
  creating?: boolean;
}

/**
 * The `evaluate` of an RBAC rule: the component's workloads, their features, and the catalogue entries to hold.
 * `explain` adds to the feature reason (the Cluster Agent's note on `pods.policy`).
 */
export function permissionRule(
  component: Component,
  featuresOf: (workload: DatadogWorkload, world: World) => CatalogueFeatures,
  requirementsFor: (context: RuleContext) => readonly PermissionRequirement[],
  explain: (requirement: PermissionRequirement, why: string) => string = (_requirement, why) => why,
): (object: KubeObject, context: RuleContext) => RuleFinding[] {
  return (object, context) => {
    const { world } = context;
    const workload = asDatadogWorkload(object, world.defaultNamespace);
    if (workload?.component !== component) return [];
    const features = featuresOf(workload, world);
    return judgePermissions({
      workload,
      impact: context.impact === true,
      creating: context.creating === true,
      world,
      features,
      requirements: requirementsFor(context),
      explain: (requirement) => {
        const why = featureReason(features, requirement);
        return why ? explain(requirement, why) : '';
      },
    });
  };
}

interface Gap {
  requirement: PermissionRequirement;
  need: 'yes' | 'maybe';
  verbs: string[];
}

/** Who is judged, for every message: the account, its namespace and the component it serves. */
interface Subject {
  namespace: string;
  account: string;
  who: string;
  path: string;
}

/**
 * Compares what a workload's ServiceAccount holds cluster-wide with what it needs, the way the RBAC authorizer
 * would. A gap is an error only when the world shows the whole picture: a ClusterRoleBinding for the account,
 * every bound role present, and the feature that needs the access known to run. Otherwise it is a warning that
 * says what could not be checked (the RBAC may be managed elsewhere, or not be created yet).
 */
export function judgePermissions(check: PermissionCheck): RuleFinding[] {
  const { workload, world } = check;
  const spec = workload.template.spec;
  const account = serviceAccountOf(spec);
  const subject: Subject = {
    namespace: workload.namespace,
    account,
    who: `ServiceAccount ${workload.namespace}/${account} of the ${COMPONENT_NAMES[workload.component]}`,
    path: workload.template.specPath + (spec.serviceAccountName ? '/serviceAccountName' : spec.serviceAccount ? '/serviceAccount' : ''),
  };
  const permissions = permissionsOf(world, subject.namespace, account);
  // One pass, one object per gap: every RBAC rule runs this for each Datadog workload it judges, over the
  // catalogue's few dozen accesses, on every admission.
  const gaps: Gap[] = [];
  for (const entry of check.requirements) {
    const need = isRequired(entry, check.features);
    if (need === 'no') continue;
    const requirement = resolveRequirement(entry, workload, world);
    const verbs = missingVerbs(permissions, requirement);
    if (verbs.length > 0) gaps.push({ requirement, need, verbs });
  }
  if (gaps.length === 0) return [];

  const bindings = world.bindingsForServiceAccount(subject.namespace, account);
  const hasClusterBinding = bindings.some((b) => b.kind === 'ClusterRoleBinding');
  // Nothing visible could grant these: the RBAC may be managed elsewhere or not be created yet.
  const unverifiable = gaps.filter((g) => bindings.length === 0 || (!g.requirement.namespace && !hasClusterBinding));
  const findings: RuleFinding[] = [];
  if (unverifiable.length > 0 && check.impact && world.source === 'cluster') findings.push(...unboundByChange(unverifiable, subject));
  else if (unverifiable.length > 0) findings.push(unverifiableFinding(unverifiable, subject, bindings.length === 0, check));
  const context = gapContext(permissions, world);
  for (const gap of gaps.filter((g) => !unverifiable.includes(g))) findings.push(gapFinding(gap, subject, context, check));
  return findings;
}

/**
 * The workload is deployed and this change is what leaves it unbound: a real break, not a guess. One finding per
 * access, so a change is blamed only for the accesses it removes (engine.evaluateImpact compares them).
 */
function unboundByChange(gaps: readonly Gap[], subject: Subject): RuleFinding[] {
  const { namespace, account } = subject;
  return gaps.map((gap) => ({
    message:
      `After this change nothing binds ${subject.who} to ${gap.verbs.join('/')} ${accessScope(gap.requirement)}; ${gap.requirement.reason}. ` +
      `It will log \`${refusalLine(gap.requirement, pickVerb(gap.verbs), namespace, account)}\`.`,
    path: subject.path,
    remediation: `Keep ServiceAccount ${namespace}/${account} bound (a ClusterRoleBinding for cluster-wide access) to roles granting ${ruleSnippet(gap.requirement)}.`,
    ...(gap.requirement.advisory || gap.need === 'maybe' ? { downgrade: 'warning' as const } : {}),
  }));
}

/** Nothing visible binds the account to these accesses: one warning naming them all. */
function unverifiableFinding(gaps: readonly Gap[], subject: Subject, unbound: boolean, check: PermissionCheck): RuleFinding {
  const { namespace, account } = subject;
  const { world, workload } = check;
  const where = world.source === 'manifests' ? 'in this manifest set' : 'in the cluster yet';
  const kinds = unbound ? 'no RoleBinding or ClusterRoleBinding' : 'no ClusterRoleBinding';
  const list = gaps.map((g) => `${g.verbs.join('/')} ${accessScope(g.requirement)}`).join(', ');
  const namespaceless = namespacelessSubjects(world, account);
  const first = gaps[0]!;
  const namespacelessNote = namespaceless.length
    ? ` (${namespaceless.join(', ')} name${namespaceless.length > 1 ? '' : 's'} a ServiceAccount "${account}" without a namespace, which Kubernetes rejects for a ClusterRoleBinding)`
    : '';
  return {
    message:
      `Could not check the permissions of ${subject.who}: ${kinds} ${where} binds it${namespacelessNote}, so nothing visible grants ${list}. ` +
      `The RBAC may be managed elsewhere; if it is missing, the ${COMPONENT_NAMES[workload.component]} will log ` +
      `\`${forbiddenMessage(first.requirement, pickVerb(first.verbs), namespace, account)}\`.`,
    path: subject.path,
    downgrade: 'warning',
    remediation: `Make sure ServiceAccount ${namespace}/${account} is bound (a ClusterRoleBinding for cluster-wide access) to roles granting ${gaps.map((g) => ruleSnippet(g.requirement)).join(', ')}.`,
  };
}

interface GapContext {
  roles: string[];
  /** Bindings whose role is not in the world, and the namespace it would grant in (none: anywhere). */
  missingRoles: { text: string; namespace?: string }[];
}

function gapContext(permissions: Permissions, world: World): GapContext {
  const where = world.source === 'manifests' ? 'in this manifest set' : 'in the cluster';
  return {
    roles: [...new Set(permissions.grants.map((g) => `${g.role.kind} ${g.role.name}`))],
    missingRoles: permissions.missingRoles.map((m) => ({
      text: `${m.binding.kind} ${m.binding.name} references ${m.roleRef.kind} ${m.roleRef.name}, which is not ${where}`,
      ...(m.namespace !== undefined ? { namespace: m.namespace } : {}),
    })),
  };
}

/** A bound account that lacks an access: an error unless something leaves room for doubt. */
function gapFinding({ requirement, need, verbs }: Gap, subject: Subject, context: GapContext, check: PermissionCheck): RuleFinding {
  const { namespace, account } = subject;
  const doubts: string[] = [];
  // A role bound by a RoleBinding could grant only in that binding's namespace: one missing elsewhere leaves no doubt.
  const missing = context.missingRoles.filter((m) => m.namespace === undefined || (m.namespace === requirement.namespace && !requirement.nonResourceURL));
  if (missing.length) doubts.push(`Could not check everything: ${missing.map((m) => m.text).join('; ')}, and it may grant this.`);
  if (need === 'maybe') doubts.push('Could not tell for sure that the feature needing it runs on this component.');
  if (check.creating && !check.impact) doubts.push('It is being created now, so its RBAC may simply not be applied yet.');
  const binder = requirement.namespace
    ? `a Role or ClusterRole bound to ServiceAccount ${namespace}/${account} by a RoleBinding in namespace ${requirement.namespace} (or a ClusterRoleBinding)`
    : `a ClusterRole bound to ServiceAccount ${namespace}/${account} by a ClusterRoleBinding`;
  const holds = context.roles.length ? `none of its roles (${context.roles.join(', ')}) grants it` : 'none of its bindings grants anything';
  const explained = check.explain?.(requirement, need);
  const finding: RuleFinding = {
    message:
      `${subject.who} cannot ${verbs.join('/')} ${accessScope(requirement)}: ${holds}; ${requirement.reason}. ` +
      `It will log \`${refusalLine(requirement, pickVerb(verbs), namespace, account)}\`.` +
      (explained ? ` ${explained}` : '') +
      (doubts.length ? ` ${doubts.join(' ')}` : ''),
    path: subject.path,
    remediation: `Add ${ruleSnippet(requirement)} to ${binder}${requirement.alternatives?.length ? `, or ${requirement.alternatives.map(ruleSnippet).join(', ')}` : ''}.`,
  };
  if (doubts.length || requirement.advisory) finding.downgrade = 'warning';
  return finding;
}

// The verb a user most likely saw refused: informers list first, then watch.
function pickVerb(verbs: readonly string[]): string {
  return ['list', 'get', 'watch'].find((v) => verbs.includes(v)) ?? verbs[0] ?? 'get';
}

/** ClusterRoleBindings naming the account with no namespace: a mistake the API server rejects. */
function namespacelessSubjects(world: World, account: string): string[] {
  return world
    .list('ClusterRoleBinding')
    .filter((binding) => subjectsOfBinding(binding, '').some((s) => s.kind === 'ServiceAccount' && s.name === account && !s.namespace))
    .map((binding) => `ClusterRoleBinding ${binding.metadata?.name ?? ''}`);
}

/** The catalogue as the rule reference lists it, with `<ns>`/`<sa>` for the component's namespace and account. */
export function requirementDocs(requirements: readonly PermissionRequirement[]): RequirementDoc[] {
  return requirements.map((entry) => {
    const access: PermissionRequirement = { ...entry };
    if (entry.inOwnNamespace) access.namespace = '<ns>';
    if (entry.objectNameFrom) access.objectName = entry.objectNameFrom.fallback;
    const when = [
      ...(entry.features ?? []).map((f) => FEATURE_SETTINGS[f]),
      ...(entry.unlessFeatures ?? []).map((f) => `not with ${FEATURE_SETTINGS[f]}`),
    ];
    const name = entry.objectNameFrom ? ` (name from ${entry.objectNameFrom.setting})` : '';
    const or = entry.alternatives?.length ? ` (or ${entry.alternatives.map((a) => `${a.verbs.join('/')} ${resourceName(a)}`).join(', ')})` : '';
    return {
      access: `${entry.verbs.join('/')} ${accessScope(access)}${name}${or}`,
      neededWhen: when.length ? when.join('; ') : 'always',
      severity: entry.advisory ? 'warning' : 'error',
      reason: entry.reason,
      logLine: refusalLine(access, pickVerb(entry.verbs), '<ns>', '<sa>'),
    };
  });
}
