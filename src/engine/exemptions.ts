import type { KubeObject, ObjectRef } from '../kube-model/types.js';

export const EXEMPT_ANNOTATION = 'ddguard.io/exempt';
export const EXEMPT_REASON_ANNOTATION = 'ddguard.io/exempt-reason';

/** An exemption from config. Every field but `reason` narrows it; a missing field matches anything. */
export interface ConfigExemption {
  namespace?: string;
  kind?: string;
  name?: string;
  /** Rule ids; all rules when absent. */
  rules?: readonly string[];
  reason: string;
}

export interface ExemptionResult {
  exempted?: { by: 'annotation' | 'config'; reason: string };
  /** Said in the finding when an annotation tried to exempt without a reason. */
  note?: string;
}

export function exemptionFor(
  ruleId: string,
  object: KubeObject,
  ref: ObjectRef,
  exemptions: readonly ConfigExemption[],
): ExemptionResult {
  const annotations = object.metadata?.annotations ?? {};
  const listed = (annotations[EXEMPT_ANNOTATION] ?? '').split(',').map((id) => id.trim());
  if (listed.includes(ruleId) || listed.includes('*')) {
    const reason = annotations[EXEMPT_REASON_ANNOTATION]?.trim();
    if (reason) return { exempted: { by: 'annotation', reason } };
    return { note: `(${EXEMPT_ANNOTATION} names this rule but ${EXEMPT_REASON_ANNOTATION} is missing, so it is not exempted.)` };
  }
  const match = exemptions.find(
    (e) =>
      (e.rules === undefined || e.rules.includes(ruleId)) &&
      (e.namespace === undefined || e.namespace === ref.namespace) &&
      (e.kind === undefined || e.kind === ref.kind) &&
      (e.name === undefined || e.name === ref.name),
  );
  return match ? { exempted: { by: 'config', reason: match.reason } } : {};
}
