import type { Finding, Rule } from '../engine/types.js';
import { describeRef } from '../kube-model/types.js';

/**
 * Where to read everything about a rule: its section of the generated reference (headed by the id, so the
 * anchor is the id) and `ddguard explain`, which prints the same text anywhere ddguard is installed.
 */
export const RULE_REFERENCE = 'docs/rules.md';

export function referenceOf(ruleId: string): string {
  return `${RULE_REFERENCE}#${ruleId}`;
}

export function explainCommand(ruleId: string): string {
  return `ddguard explain ${ruleId}`;
}

/** The pointer a short message (an admission warning) ends with. */
export function readMore(ruleId: string): string {
  return `more: ${explainCommand(ruleId)}, ${referenceOf(ruleId)}`;
}

/**
 * A finding in full, for where there is room (auditAnnotations, Events): the object, what is wrong, the fix
 * and where to read more.
 */
export function findingInFull(finding: Finding): string {
  return `[${finding.ruleId}] ${describeRef(finding.object)}: ${sentence(finding.message)} Fix: ${sentence(finding.remediation)} ` +
    `More: \`${explainCommand(finding.ruleId)}\` or ${referenceOf(finding.ruleId)}.`;
}

/** `ddguard explain RULE`: the rule's full text as plain text, the same content as its reference section. */
export function renderExplanation(rule: Rule): string {
  const affected = rule.affectedBy?.length ? `\nRe-checked when these change: ${rule.affectedBy.join(', ')}` : '';
  return [
    `${rule.id}: ${rule.title.trim()}`,
    `Default severity: ${rule.defaultSeverity}\nChecks: ${rule.targets.join(', ')}${affected}`,
    // The description quotes the Agent's own log line where there is one.
    `Why (what the Agent does and logs):\n${indent(rule.description.trim())}`,
    `Example that fails:\n${indent(rule.example.bad.replace(/^\n+/, '').trimEnd())}`,
    `Example that passes:\n${indent(rule.example.good.replace(/^\n+/, '').trimEnd())}`,
    `Fix:\n${indent(rule.remediation.trim())}`,
    `Reference: ${referenceOf(rule.id)}`,
  ].join('\n\n') + '\n';
}

function indent(text: string): string {
  return text.split('\n').map((line) => (line ? `  ${line}` : line)).join('\n');
}

export function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?…]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
