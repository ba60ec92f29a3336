/**
 * A rule's policy form: the part of the rule the object alone decides, written as CEL for a Kubernetes
 * ValidatingAdmissionPolicy, so the API server enforces it even while the webhook is down. A form may cover
 * less than its rule (never more): it denies only what the rule surely reports as an error.
 */
export interface PolicyForm {
  /** What the API server enforces, completing "Enforced by the API server: …" in the rule reference. */
  covers: string;
  targets: readonly PolicyTarget[];
}

/** One ValidatingAdmissionPolicy of a rule: one family of resources with the same CEL shape. */
export interface PolicyTarget {
  /** Kebab-case suffix of the policy's name, e.g. `secrets`. */
  name: string;
  /**
   * `exact`: on the objects it matches, judged alone (no other object in the world), the policy denies exactly
   * what the rule reports as an error. `under`: it denies a subset (the tests check only that direction).
   */
  exactness: 'exact' | 'under';
  resources: readonly ResourceRule[];
  /** `Exact` where another version of the kind means something else to the rule (DatadogAgent v1alpha1). */
  matchPolicy: 'Equivalent' | 'Exact';
  /** CEL conditions that pick the objects recognisably Datadog's; all must be true. */
  matchConditions: readonly NamedExpression[];
  /** CEL variables, each evaluated at most once; they must never fail on any object the conditions admit. */
  variables: readonly NamedExpression[];
  validations: readonly PolicyValidation[];
}

export interface ResourceRule {
  apiGroups: readonly string[];
  apiVersions: readonly string[];
  resources: readonly string[];
}

export interface NamedExpression {
  name: string;
  expression: string;
}

export interface PolicyValidation {
  /** CEL that is true when the object is fine. */
  expression: string;
  /**
   * CEL string saying what is wrong, with the measured value (never a secret's value); the generator puts the
   * rule's `[rule-id]` before it and the rule's remediation after it.
   */
  detail: string;
}
