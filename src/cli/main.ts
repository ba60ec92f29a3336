#!/usr/bin/env node
import { Command } from 'commander';
import { registerCheck } from './check.js';
import { registerServe } from './serve.js';
import { registerAudit } from './audit.js';
import { registerCerts } from './certs.js';
import { registerDocs } from './docs.js';
import { toolVersion } from '../report/tool-version.js';
import { registerExplain } from './explain.js';
import { registerPolicies } from './policies.js';

// A reader that stops early (`ddguard policies | head`) closes the pipe: that ends the output, not in a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

/** The entry point: wiring only. Each command lives in its own file and registers itself here. */
const program = new Command('ddguard')
  .description('Stops Datadog deployments on Kubernetes that look healthy and silently stop reporting.')
  .version(toolVersion(), '-V, --version', 'print the version of ddguard')
  .showHelpAfterError()
  .exitOverride();

registerCheck(program);
registerServe(program);
registerAudit(program);
registerCerts(program);
registerDocs(program);
registerExplain(program);
registerPolicies(program);

try {
  await program.parseAsync(process.argv);
} catch (error: unknown) {
  const code = (error as { exitCode?: number }).exitCode;
  // commander has already printed its own message for usage errors and --help.
  process.exitCode = code === 0 ? 0 : 2;
}
