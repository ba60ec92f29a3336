import type { Finding } from '../engine/types.js';
import type { ObjectRef } from '../kube-model/types.js';
import { describeRef } from '../kube-model/types.js';
import type { WebhookConfig } from './config.js';
import { explainCommand, findingInFull, readMore, sentence } from '../report/explain.js';
import { auditAnnotationsFor } from './audit-annotations.js';
import { fitWarnings, warningText } from './warnings.js';

export interface Decision {
  allowed: boolean;
  /** The denial message (kubectl prints it after `denied the request: `); absent when allowed. */
  message?: string;
  /** Rule ids (and `lookup`) behind the denial, for the log and metrics. */
  denyingRules: string[];
  warnings: string[];
  /** Every finding in full (fix and where to read more), for the API server's audit log. */
  auditAnnotations: Record<string, string>;
}

export interface DecisionInput {
  /** The object the request is about, named in the denial's first line. */
  subject: ObjectRef;
  findings: readonly Finding[];
  lookupFailures: readonly string[];
  config: Pick<WebhookConfig, 'mode' | 'lookupFailure'>;
}

/** Pseudo rule id for lines about lookups that failed, so every line of a denial has one shape. */
export const LOOKUP_ID = 'lookup';

/**
 * Turns findings into the answer. In `enforce` mode an error finding that is not exempted denies, and so does
 * a failed lookup when `lookupFailure` is `deny`; everything else the user should know becomes a warning.
 * `warn` mode never denies. Exempted findings are neither: they are logged by the caller.
 */
export function decide({ subject, findings, lookupFailures, config }: DecisionInput): Decision {
  const live = findings.filter((f) => !f.exempted);
  const enforce = config.mode === 'enforce';
  const errors = enforce ? live.filter((f) => f.severity === 'error') : [];
  const lookupDenies = enforce && config.lookupFailure === 'deny' ? lookupFailures : [];
  const advisories = live.filter((f) => !errors.includes(f));
  const warnings = fitWarnings([
    ...advisories.map((f) => warningText(`[${f.ruleId}] ${aboutOther(f, subject)}`, f.message, [` (${readMore(f.ruleId)})`, ` (${explainCommand(f.ruleId)})`])),
    ...(lookupDenies.length ? [] : lookupFailures.map((reason) => warningText(`[${LOOKUP_ID}] `, `could not check: ${reason}`))),
  ]);
  const lines = [
    ...errors.map((f) => `[${f.ruleId}] ${aboutOther(f, subject)}${sentence(f.message)} ${f.remediation}`),
    ...lookupDenies.map((reason) => `[${LOOKUP_ID}] could not check: ${sentence(reason)} Retry when the cluster answers.`),
  ];
  // Warnings are cut to fit the API server's limits; the audit log gets each finding whole.
  const auditAnnotations = auditAnnotationsFor([
    ...live.map((f) => ({ key: f.ruleId, text: findingInFull(f) })),
    ...lookupFailures.map((reason) => ({ key: LOOKUP_ID, text: `could not check: ${sentence(reason)}` })),
  ]);
  if (lines.length === 0) return { allowed: true, denyingRules: [], warnings, auditAnnotations };
  const count = `${lines.length} ${lines.length === 1 ? 'problem' : 'problems'}`;
  return {
    allowed: false,
    message: [`ddguard denied ${describeRef(subject)}: ${count}`, ...lines].join('\n'),
    denyingRules: [...new Set([...errors.map((f) => f.ruleId), ...(lookupDenies.length ? [LOOKUP_ID] : [])])],
    warnings,
    auditAnnotations,
  };
}

/** Impact findings name another object (the DaemonSet a deleted binding breaks): say which. */
function aboutOther(finding: Finding, subject: ObjectRef): string {
  const { kind, namespace, name } = finding.object;
  const same = kind === subject.kind && name === subject.name && (namespace ?? '') === (subject.namespace ?? '');
  return same ? '' : `${describeRef(finding.object)}: `;
}
