import type { Finding } from '../engine/types.js';
import { describeRef } from '../kube-model/types.js';
import { groupByFile } from './group.js';
import { fails, problemLocation, type CheckedObject, type CheckReport, type FailOn } from './report.js';
import type { InputProblem } from '../manifests/errors.js';

export interface JunitOptions {
  /** Only findings that fail the run are JUnit failures; the others are listed in the test case's output. */
  failOn: FailOn;
}

/** JUnit XML: a suite per file, a test case per object, a failure per finding that fails the run. */
export function renderJunit(report: CheckReport, options: JunitOptions): string {
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  for (const [file, objects] of groupByFile(report.objects)) {
    const cases = objects.map((object) => testCase(file, object, options.failOn));
    const suiteFailures = objects.filter((object) => object.findings.some((f) => fails(f, options.failOn))).length;
    tests += objects.length;
    failures += suiteFailures;
    suites.push(
      `  <testsuite name="${xml(file)}" tests="${objects.length}" failures="${suiteFailures}" errors="0" skipped="0">\n${cases.join('\n')}\n  </testsuite>`,
    );
  }
  // An input that could not be read is a JUnit error (the test could not run), one suite per file.
  const problems = report.problems ?? [];
  for (const [file, inFile] of groupProblems(problems)) {
    const cases = inFile.map(
      (problem) =>
        `    <testcase classname="${xml(file)}" name="${xml(problemLocation(problem))}">\n      <error type="input-error" message="${xml(problem.message)}">${xml(`${problemLocation(problem)}: ${problem.message}`)}</error>\n    </testcase>`,
    );
    tests += inFile.length;
    suites.push(`  <testsuite name="${xml(file)}" tests="${inFile.length}" failures="0" errors="${inFile.length}" skipped="0">\n${cases.join('\n')}\n  </testsuite>`);
  }
  const body = suites.length > 0 ? `\n${suites.join('\n')}\n` : '\n';
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="ddguard" tests="${tests}" failures="${failures}" errors="${problems.length}">${body}</testsuites>\n`;
}

function groupProblems(problems: readonly InputProblem[]): Map<string, InputProblem[]> {
  const byFile = new Map<string, InputProblem[]>();
  for (const problem of problems) {
    const list = byFile.get(problem.file);
    if (list) list.push(problem);
    else byFile.set(problem.file, [problem]);
  }
  return byFile;
}

function testCase(file: string, object: CheckedObject, failOn: FailOn): string {
  const findings = object.findings;
  const open = `    <testcase classname="${xml(file)}" name="${xml(describeRef(object.ref))}"`;
  if (findings.length === 0) return `${open}/>`;
  const failing = findings.filter((finding) => fails(finding, failOn));
  const other = findings.filter((finding) => !fails(finding, failOn));
  const parts = failing.map(
    (finding) =>
      `      <failure type="${xml(finding.ruleId)}" message="${xml(`[${finding.ruleId}] ${finding.message}`)}">${xml(details(finding))}</failure>`,
  );
  if (other.length > 0) parts.push(`      <system-out>${xml(other.map(details).join('\n\n'))}</system-out>`);
  return `${open}>\n${parts.join('\n')}\n    </testcase>`;
}

function details(finding: Finding): string {
  const label = finding.exempted ? `exempted (by ${finding.exempted.by}: ${finding.exempted.reason})` : finding.severity;
  const where = finding.source ? `${finding.source.file}:${finding.source.line} ` : '';
  return `${label} ${finding.ruleId} at ${where}${finding.path || '/'}\n${finding.message}\nFix: ${finding.remediation}`;
}

// Characters XML 1.0 cannot carry at all are dropped; the five special ones are escaped.
const INVALID_XML = /[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

function xml(text: string): string {
  return text
    .replace(INVALID_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}
