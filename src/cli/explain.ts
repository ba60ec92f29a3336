import type { Command } from 'commander';
import { renderExplanation } from '../report/explain.js';
import { RULES } from '../rules/index.js';
import { EXIT } from './check.js';

export function registerExplain(program: Command): void {
  program
    .command('explain')
    .description('Print a rule\'s full text: what it catches, why (the Agent\'s log line), examples and the fix.')
    .argument('[rule]', 'rule id, as findings, warnings and docs/rules.md name it; none lists them')
    .addHelpText('after', '\nExit status: 0, or 2 for an unknown rule id.')
    .action((ruleId: string | undefined) => {
      process.exitCode = runExplain(ruleId, process.stdout, process.stderr);
    });
}

interface Output {
  write(text: string): unknown;
}

export function runExplain(ruleId: string | undefined, stdout: Output, stderr: Output): number {
  if (ruleId === undefined) {
    stdout.write(RULES.map((rule) => `${rule.id}  ${rule.title.trim()}\n`).join(''));
    return EXIT.clean;
  }
  const rule = RULES.find((r) => r.id === ruleId.trim());
  if (!rule) {
    stderr.write(`ddguard explain: unknown rule "${ruleId}"; the rules are: ${RULES.map((r) => r.id).join(', ')}\n`);
    return EXIT.usage;
  }
  stdout.write(renderExplanation(rule));
  return EXIT.clean;
}
