import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { renderRuleReference } from '../report/rule-reference.js';
import { RULES } from '../rules/index.js';

interface DocsFlags {
  write?: string;
  check?: string;
}

export function registerDocs(program: Command): void {
  program
    .command('docs')
    .description('Print the rule reference generated from the registry, write it to a file, or check that a file is current.')
    .option('--write <file>', 'write the rule reference to FILE (npm run docs writes docs/rules.md)')
    .option('--check <file>', 'exit 1 when FILE differs from the generated rule reference')
    .action(async (flags: DocsFlags) => {
      process.exitCode = await runDocs(flags);
    });
}

async function runDocs(flags: DocsFlags): Promise<number> {
  const reference = renderRuleReference(RULES);
  if (flags.write) await writeFile(flags.write, reference);
  if (flags.check) {
    const current = await readFile(flags.check, 'utf8').catch(() => undefined);
    if (current !== reference) {
      process.stderr.write(`ddguard docs: ${flags.check} is stale: regenerate it with \`npm run docs\`\n`);
      return 1;
    }
  }
  if (!flags.write && !flags.check) process.stdout.write(reference);
  return 0;
}
