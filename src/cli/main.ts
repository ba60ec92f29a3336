#!/usr/bin/env node
import { Command } from 'commander';
import { registerCheck } from './check.js';
import { registerServe } from './serve.js';
import { registerAudit } from './audit.js';
import { registerCerts } from './certs.js';
import { registerDocs } from './docs.js';
import { registerPolicies } from './policies.js';

/** The entry point: wiring only. Each command lives in its own file and registers itself here. */
const program = new Command('ddguard')
  .description('Stops Datadog deployments on Kubernetes that look healthy and silently stop reporting.')
  .showHelpAfterError()
  .exitOverride();

registerCheck(program);
registerServe(program);
registerAudit(program);
registerCerts(program);
registerDocs(program);
registerPolicies(program);

try {
  await program.parseAsync(process.argv);
} catch (error: unknown) {
  const code = (error as { exitCode?: number }).exitCode;
  // commander has already printed its own message for usage errors and --help.
  process.exitCode = code === 0 ? 0 : 2;
}
