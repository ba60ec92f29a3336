import type { Finding } from '../engine/types.js';
import { summarize, type CheckReport } from './report.js';

/**
 * The machine-readable report CI parses; its shape is public:
 * `{version: 1, findings: [...], summary: {objects, errors, warnings, exempted}}`. Every key is always present
 * (a cluster-scoped object has `namespace: null`), except `exempted`, which only exempted findings carry, and
 * `inputErrors` (`[{file, line, message}]`, `line: null` when there is none), present only when an input
 * could not be read or parsed: the run then exits 2.
 */
export function renderJson(report: CheckReport): string {
  const document = {
    version: 1,
    findings: report.findings.map(jsonFinding),
    ...(report.problems?.length
      ? { inputErrors: report.problems.map((p) => ({ file: p.file, line: p.line ?? null, message: p.message })) }
      : {}),
    summary: summarize(report),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function jsonFinding(finding: Finding) {
  return {
    ruleId: finding.ruleId,
    severity: finding.severity,
    message: finding.message,
    remediation: finding.remediation,
    object: {
      apiVersion: finding.object.apiVersion,
      kind: finding.object.kind,
      namespace: finding.object.namespace ?? null,
      name: finding.object.name,
    },
    path: finding.path,
    source: finding.source ? { file: finding.source.file, line: finding.source.line } : null,
    ...(finding.exempted ? { exempted: { by: finding.exempted.by, reason: finding.exempted.reason } } : {}),
  };
}
