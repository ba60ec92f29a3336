import type { Command } from 'commander';

// Placeholder until the command lands; replaced by its own implementation.
export function registerAudit(program: Command): void {
  program.command('audit').description('(not yet available)').action(() => {
    process.stderr.write('ddguard audit: not yet available in this build\n');
    process.exitCode = 2;
  });
}
