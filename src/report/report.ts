import type { Finding, Severity } from '../engine/types.js';
import type { ObjectRef } from '../kube-model/types.js';
import type { InputProblem } from '../manifests/errors.js';

/** An object that was checked, with or without findings (JUnit has a test case for each). */
export interface CheckedObject {
  ref: ObjectRef;
  file: string;
  /** Line of the object; filled only for objects with findings, since lines are computed on demand. */
  line?: number;
  /** This object's findings, the same ones `CheckReport.findings` lists. */
  findings: Finding[];
}

/** What `ddguard check` found: every renderer reads this and nothing else. */
export interface CheckReport {
  objects: CheckedObject[];
  /** Every finding, in the order of the objects, then of the rule registry. */
  findings: Finding[];
  files: string[];
  /** Where the objects came from when not from files, for the summary line (`the cluster`). */
  scope?: string;
  /** Inputs that could not be read or parsed, in the order met; absent when there are none. */
  problems?: InputProblem[];
}

/** `file:line` (or `file`) of a problem, as editors and CI logs link it. */
export function problemLocation(problem: InputProblem): string {
  return problem.line === undefined ? problem.file : `${problem.file}:${problem.line}`;
}

export interface Summary {
  objects: number;
  errors: number;
  warnings: number;
  exempted: number;
}

/** Exempted findings are reported but counted apart: they never fail a run. */
export function summarize(report: CheckReport): Summary {
  const summary: Summary = { objects: report.objects.length, errors: 0, warnings: 0, exempted: 0 };
  for (const finding of report.findings) {
    if (finding.exempted) summary.exempted++;
    else if (finding.severity === 'error') summary.errors++;
    else summary.warnings++;
  }
  return summary;
}

export const FAIL_ON = ['error', 'warning'] as const;
export type FailOn = (typeof FAIL_ON)[number];

/** Whether a finding fails the run under `--fail-on`. */
export function fails(finding: Finding, failOn: FailOn): boolean {
  if (finding.exempted) return false;
  return atOrAbove(finding.severity, failOn);
}

export function atOrAbove(severity: Severity, threshold: FailOn): boolean {
  return threshold === 'warning' || severity === 'error';
}

export function failsRun(report: CheckReport, failOn: FailOn): boolean {
  return report.findings.some((finding) => fails(finding, failOn));
}
