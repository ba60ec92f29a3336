import type { Finding } from '../engine/types.js';
import { describeRef } from '../kube-model/types.js';
import { problemLocation, summarize, type CheckReport, type Summary } from './report.js';

export interface TextOptions {
  /** ANSI colour: only on a terminal, and never when NO_COLOR is set (the caller decides). */
  color: boolean;
}

type Paint = (text: string) => string;

interface Palette {
  error: Paint;
  warning: Paint;
  exempted: Paint;
  heading: Paint;
  dim: Paint;
}

const ansi = (open: number, close: number): Paint => (text) => `\u001b[${open}m${text}\u001b[${close}m`;
const COLORS: Palette = { error: ansi(31, 39), warning: ansi(33, 39), exempted: ansi(36, 39), heading: ansi(1, 22), dim: ansi(2, 22) };
const plain: Paint = (text) => text;
const PLAIN: Palette = { error: plain, warning: plain, exempted: plain, heading: plain, dim: plain };

/** Findings grouped by object, each with its line, measured value and fix; then one summary line. */
export function renderText(report: CheckReport, options: TextOptions): string {
  const paint = options.color ? COLORS : PLAIN;
  const blocks: string[] = [];
  for (const object of report.objects) {
    if (object.findings.length === 0) continue;
    const where = object.line === undefined ? object.file : `${object.file}:${object.line}`;
    const lines = [`${paint.heading(describeRef(object.ref))}  ${paint.dim(where)}`];
    for (const finding of object.findings) lines.push(...renderFinding(finding, paint));
    blocks.push(lines.join('\n'));
  }
  const problems = report.problems ?? [];
  if (problems.length > 0) {
    blocks.push(problems.map((problem) => `${paint.heading(problemLocation(problem))}\n  ${paint.error('error'.padEnd(LABEL_WIDTH))}  ${problem.message}`).join('\n\n'));
  }
  const summary = summaryLine(summarize(report), report.scope ?? plural(report.files.length, 'file'));
  blocks.push(problems.length > 0 ? `${summary} ${plural(problems.length, 'input')} could not be read or parsed; the check is incomplete.` : summary);
  return `${blocks.join('\n\n')}\n`;
}

const LABEL_WIDTH = 'exempted'.length;

function renderFinding(finding: Finding, paint: Palette): string[] {
  const label = finding.exempted ? 'exempted' : finding.severity;
  const labelText = paint[label](label.padEnd(LABEL_WIDTH));
  const at = finding.source ? `${finding.source.file}:${finding.source.line}  ` : '';
  const indent = ' '.repeat(2 + LABEL_WIDTH + 2);
  const lines = [`  ${labelText}  ${finding.ruleId}  ${paint.dim(`${at}${finding.path || '/'}`)}`];
  lines.push(`${indent}${finding.message}`);
  lines.push(`${indent}Fix: ${finding.remediation}`);
  if (finding.exempted) lines.push(`${indent}${paint.exempted(`Exempted by ${finding.exempted.by}: ${finding.exempted.reason}`)}`);
  return lines;
}

function summaryLine(summary: Summary, where: string): string {
  const checked = `Checked ${plural(summary.objects, 'object')} in ${where}`;
  if (summary.objects === 0) return `${checked}: no Kubernetes objects found.`;
  const counts = [plural(summary.errors, 'error'), plural(summary.warnings, 'warning')];
  if (summary.exempted > 0) counts.push(`${summary.exempted} exempted`);
  return `${checked}: ${counts.join(', ')}.`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
