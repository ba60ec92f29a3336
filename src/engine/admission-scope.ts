import type { Rule, TargetKind } from './types.js';

export const ADMISSION_OPERATIONS = ['CREATE', 'UPDATE', 'DELETE'] as const;
export type AdmissionOperation = (typeof ADMISSION_OPERATIONS)[number];

export interface AdmissionScope {
  kind: TargetKind;
  operations: readonly AdmissionOperation[];
}

/**
 * What the webhook must be sent, per kind: every judged kind on CREATE and UPDATE, plus DELETE for the kinds
 * whose removal can break a Datadog workload elsewhere (a rule's `affectedBy`: roles, bindings,
 * ServiceAccounts). `judgedKinds` is `Engine#judgedKinds()`, so rules switched off by config drop out.
 */
export function admissionScope(judgedKinds: readonly TargetKind[], rules: readonly Rule[]): AdmissionScope[] {
  const deletable = new Set(rules.flatMap((rule) => rule.affectedBy ?? []));
  return [...new Set(judgedKinds)].sort().map((kind) => ({
    kind,
    operations: deletable.has(kind) ? ['CREATE', 'UPDATE', 'DELETE'] : ['CREATE', 'UPDATE'],
  }));
}
