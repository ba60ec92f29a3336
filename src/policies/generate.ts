import type { Rule } from '../engine/types.js';
import type { KubeObject } from '../kube-model/types.js';
import { celString } from '../policy-forms/cel.js';
import type { PolicyTarget } from '../policy-forms/types.js';

export const POLICY_API_VERSIONS = ['v1', 'v1beta1'] as const;
export type PolicyApiVersion = (typeof POLICY_API_VERSIONS)[number];
export const POLICY_MODES = ['enforce', 'warn'] as const;
export type PolicyMode = (typeof POLICY_MODES)[number];

export interface PolicyOptions {
  /** `v1` (Kubernetes 1.30+) or `v1beta1` (1.28-1.29, where the feature gate and API must be enabled). */
  apiVersion: PolicyApiVersion;
  /** `enforce`: the API server denies; `warn`: it admits with a warning and an audit annotation. */
  mode: PolicyMode;
}

/** The annotation on every generated object naming the rule it enforces. */
export const RULE_ANNOTATION = 'ddguard.io/rule';
export const OPERATIONS = ['CREATE', 'UPDATE'] as const;

/** One ValidatingAdmissionPolicy and its binding. */
export interface GeneratedPolicy {
  ruleId: string;
  target: PolicyTarget;
  name: string;
  policy: KubeObject;
  binding: KubeObject;
}

/**
 * The ValidatingAdmissionPolicies of every rule with a policy form, in registry order, with one binding each.
 * Messages are the webhook's: `[rule-id] what is wrong (with the measured value) how to fix it`.
 */
export function generatePolicies(rules: readonly Rule[], options: PolicyOptions): GeneratedPolicy[] {
  const apiVersion = `admissionregistration.k8s.io/${options.apiVersion}`;
  return rules.flatMap((rule) =>
    (rule.policy?.targets ?? []).map((target) => {
      const name = `ddguard-${rule.id}-${target.name}`;
      const metadata = {
        name,
        labels: { 'app.kubernetes.io/name': 'ddguard', 'app.kubernetes.io/component': 'admission-policy' },
        annotations: { [RULE_ANNOTATION]: rule.id },
      };
      const policy: KubeObject = {
        apiVersion,
        kind: 'ValidatingAdmissionPolicy',
        metadata,
        spec: {
          // An expression that fails to evaluate admits: a policy never denies what the rule may allow.
          failurePolicy: 'Ignore',
          matchConstraints: {
            matchPolicy: target.matchPolicy,
            resourceRules: target.resources.map((r) => ({
              apiGroups: [...r.apiGroups],
              apiVersions: [...r.apiVersions],
              resources: [...r.resources],
              operations: [...OPERATIONS],
              scope: 'Namespaced',
            })),
          },
          matchConditions: target.matchConditions.map((c) => ({ ...c })),
          variables: target.variables.map((v) => ({ ...v })),
          validations: target.validations.map((v) => ({
            expression: v.expression,
            message: `[${rule.id}] ${sentence(rule.title)} ${rule.remediation.trim()}`,
            messageExpression: `'[${rule.id}] ' + ${v.detail} + ' ' + ${celString(rule.remediation.trim())}`,
            reason: 'Invalid',
          })),
        },
      };
      const binding: KubeObject = {
        apiVersion,
        kind: 'ValidatingAdmissionPolicyBinding',
        metadata,
        spec: {
          policyName: name,
          validationActions: options.mode === 'enforce' ? ['Deny'] : ['Warn', 'Audit'],
          matchResources: {
            namespaceSelector: {
              matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system'] }],
            },
          },
        },
      };
      return { ruleId: rule.id, target, name, policy, binding };
    }),
  );
}

function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
