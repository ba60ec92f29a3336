import type { Rule } from '../engine/types.js';

/**
 * The rule reference (docs/rules.md), generated from the registry so it cannot drift from the code; a test
 * fails when the committed file differs from this output.
 */
export function renderRuleReference(rules: readonly Rule[]): string {
  const parts = [
    '# Rule reference',
    '<!-- Generated from the rule registry (src/rules/index.ts) by `npm run docs`. Do not edit by hand: a test fails when this file is stale. -->',
    [
      'Every finding names one of these rules. The id is public: exempt an object with the annotations',
      '`ddguard.io/exempt: "<rule-id>,<rule-id>"` and `ddguard.io/exempt-reason: "<why>"`, or change a severity',
      '(`error`, `warning`, `off`) and exempt by namespace, kind and name in the file given to `--config`.',
    ].join('\n'),
  ];
  if (rules.length === 0) {
    parts.push('No rules are registered yet.');
    return `${parts.join('\n\n')}\n`;
  }
  parts.push(summaryTable(rules));
  for (const rule of rules) parts.push(ruleSection(rule));
  return `${parts.join('\n\n')}\n`;
}

function summaryTable(rules: readonly Rule[]): string {
  const rows = rules.map((rule) => `| [\`${rule.id}\`](#${rule.id}) | ${rule.defaultSeverity} | ${cell(rule.title)} |`);
  return ['| Rule | Default severity | What it catches |', '|---|---|---|', ...rows].join('\n');
}

function ruleSection(rule: Rule): string {
  const affected = rule.affectedBy?.length ? ` · **Re-checked when these change:** ${rule.affectedBy.join(', ')}` : '';
  return [
    `## ${rule.id}`,
    `**${rule.title.trim()}**`,
    `**Default severity:** ${rule.defaultSeverity} · **Checks:** ${rule.targets.join(', ')}${affected}`,
    `**Why.** ${rule.description.trim()}`,
    `**Example that fails:**\n\n${yamlBlock(rule.example.bad)}`,
    `**Example that passes:**\n\n${yamlBlock(rule.example.good)}`,
    `**Fix.** ${rule.remediation.trim()}`,
    ...(rule.requirements?.length ? [requirementTable(rule)] : []),
    policyLine(rule),
  ].join('\n\n');
}

/** Whether the API server enforces part of the rule through a generated ValidatingAdmissionPolicy. */
function policyLine(rule: Rule): string {
  if (!rule.policy) return '**Policy form.** None: only the webhook, `check` and the audit run this rule.';
  return `**Policy form.** Enforced by the API server too (\`ddguard policies\`): ${rule.policy.covers.trim()}.`;
}

function requirementTable(rule: Rule): string {
  const rows = (rule.requirements ?? []).map((r) =>
    `| ${cell(r.access)} | ${cell(r.neededWhen)} | ${r.severity} | ${cell(r.reason)} | \`${r.logLine.replace(/\|/g, '\\|')}\` |`);
  return [
    '**Requires, per feature.** A gap is reported with the severity shown (a warning too where ddguard cannot tell the feature runs). `<ns>`/`<sa>` are the component\'s namespace and ServiceAccount.',
    '| Access | Needed when | Severity | Why | Log line when refused |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

function yamlBlock(text: string): string {
  return `\`\`\`yaml\n${text.replace(/^\n+/, '').trimEnd()}\n\`\`\``;
}

function cell(text: string): string {
  return text.trim().replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}
