import type { KubeObject, ObjectRef } from '../kube-model/types.js';
import type { RequiredPermission } from '../kube-model/rbac.js';

export type { RequiredPermission } from '../kube-model/rbac.js';
import type { World } from '../kube-model/world.js';
import type { PolicyForm } from '../policy-forms/types.js';
import type { TargetKind } from '../kube-model/kinds.js';

export const SEVERITIES = ['error', 'warning'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The one finding shape printed by `check`, returned by the webhook and published by the audit. */
export interface Finding {
  ruleId: string;
  severity: Severity;
  /** What is wrong, with the measured value. Never a secret's value: lengths and names only. */
  message: string;
  /** How to fix it: a full sentence. */
  remediation: string;
  object: ObjectRef;
  /** JSON pointer into the object (RFC 6901), `""` for the object itself. */
  path: string;
  /** Filled in by the manifest loader for `check`; absent for admission and audit. */
  source?: { file: string; line: number };
  /** Present when an exemption matched: the finding is reported, but does not fail anything. */
  exempted?: { by: 'annotation' | 'config'; reason: string };
}

/** What a rule returns; the engine adds the rule id, severity, object and default remediation. */
export interface RuleFinding {
  message: string;
  path: string;
  remediation?: string;
  /**
   * Set to 'warning' when the rule cannot decide because something is missing from the world
   * (a rule never guesses an error). An error-level override is ignored: config owns the ceiling.
   */
  downgrade?: 'warning';
}

export interface RuleContext {
  world: World;
  settings: RuleSettings;
  /**
   * True when the engine re-checks a deployed workload because a role, binding or ServiceAccount under review
   * touches it: what the world lacks after the change, the change removed, so it is no longer a guess.
   */
  impact?: boolean;
  /**
   * True when the object under review is being created at admission: what it needs from objects applied after
   * it (its RBAC, in `kubectl apply` order) may not exist yet, so such gaps warn rather than deny.
   */
  creating?: boolean;
}

/** Rule parameters that are data, changeable in config. */
export interface RuleSettings {
  /** Extra permissions the Cluster Agent's ServiceAccount must hold, added to the built-in set. */
  extraClusterAgentPermissions: readonly RequiredPermission[];
}

/** One requirement as the rule reference lists it. */
export interface RequirementDoc {
  /** `get/update mutatingwebhookconfigurations.admissionregistration.k8s.io "datadog-webhook" cluster-wide`. */
  access: string;
  /** The features (and the settings behind them) that need it; `always` when none. */
  neededWhen: string;
  severity: Severity;
  reason: string;
  /** The line the component logs when refused. */
  logLine: string;
}

/** Kinds a rule can target: the rule-target kinds of the kinds table. */
export type { TargetKind } from '../kube-model/kinds.js';

export interface Rule {
  /** Public kebab-case id; users exempt by it and CI parses it. Equals the rule's file name. */
  id: string;
  title: string;
  defaultSeverity: Severity;
  /** Why it breaks Datadog, quoting the Agent's own log line where there is one. */
  description: string;
  /** The default fix: a full sentence ending with a period. */
  remediation: string;
  /** Kinds the rule evaluates. */
  targets: readonly TargetKind[];
  /**
   * Kinds whose change can break this rule on *other* objects (a ClusterRole update that strips the Cluster
   * Agent's permissions). On admission of such an object, the engine re-evaluates the rule on the Datadog
   * workloads the change touches, in the world as it would be after the request.
   */
  affectedBy?: readonly TargetKind[];
  /**
   * The part of the rule the object alone decides, as CEL for a ValidatingAdmissionPolicy (`ddguard policies`,
   * src/policies): enforced by the API server even while the webhook is down. Absent: webhook and audit only.
   */
  policy?: PolicyForm;
  /** For the generated reference: what the rule requires of the component, per feature (the permission catalogue). */
  requirements?: readonly RequirementDoc[];
  /** A short bad/good example for the generated reference. */
  example: { bad: string; good: string };
  evaluate(object: KubeObject, context: RuleContext): RuleFinding[];
}
