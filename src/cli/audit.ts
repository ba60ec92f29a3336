import { Option, type Command } from 'commander';
import { ConfigError } from '../config/errors.js';
import { loadConfigFile } from '../config/load.js';
import { DEFAULT_ENGINE_CONFIG, Engine } from '../engine/engine.js';
import { auditCollected } from '../audit/audit.js';
import { renderSummary, summarizeInstallations } from '../audit/summary.js';
import { KubeError } from '../kube-client/errors.js';
import { failsRun, FAIL_ON, type FailOn } from '../report/report.js';
import { FORMATS, type Format } from '../report/render.js';
import { RULES } from '../rules/index.js';
import { EXIT } from './check.js';
import { renderForOutput } from './output.js';

export interface AuditFlags {
  kubeconfig?: string;
  context?: string;
  /** The config file `check` takes: severities, exemptions, extra Cluster Agent permissions. */
  config?: string;
  namespace: string[];
  format: Format;
  failOn: FailOn;
  /** Objects per list page; hidden, for tests and very large clusters. */
  pageSize?: number;
}

export function registerAudit(program: Command): void {
  program
    .command('audit')
    .description('Audit the Datadog deployments running in a cluster: the same rules as check, on live objects.')
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, in-cluster config, ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context')
    .option('-c, --config <file>', 'config file (YAML), as for check: severities, exemptions, extra Cluster Agent permissions')
    .option('-n, --namespace <namespace>', 'audit only this namespace (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('text'))
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices(FAIL_ON).default('error'))
    .addOption(new Option('--page-size <n>', 'objects per list page').argParser((v) => Number.parseInt(v, 10)).hideHelp())
    .addHelpText('after', '\nExit status: 0 when nothing is at or above --fail-on, 1 when something is, 2 when the config or the kubeconfig is wrong or the cluster cannot be read.')
    .action(async (flags: AuditFlags) => {
      process.exitCode = await runAudit(flags);
    });
}

/** Where the audit writes; the process streams by default, buffers in tests. */
export interface AuditIO {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
}

export async function runAudit(flags: AuditFlags, io: AuditIO = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const progress = io.stderr.isTTY === true;
  try {
    // Checked before the cluster is read: a typo in the config costs no round trip.
    const config = flags.config ? loadConfigFile(flags.config).engine : DEFAULT_ENGINE_CONFIG;
    // @kubernetes/client-node adds ~70 MB to a process: loaded by the commands that talk to a cluster, when they do.
    const [{ loadKubeConfig }, { collectCluster }] = await Promise.all([import('../kube-client/client.js'), import('../audit/collect.js')]);
    const kc = loadKubeConfig({ ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}), ...(flags.context ? { context: flags.context } : {}) });
    const collected = await collectCluster(kc, {
      namespaces: flags.namespace,
      ...(flags.pageSize ? { pageSize: flags.pageSize } : {}),
      ...(progress ? { onPage: (kind: string, count: number) => void io.stderr.write(`\rddguard audit: reading ${kind} (${count})\x1b[K`) } : {}),
    });
    if (progress) io.stderr.write('\r\x1b[K');
    const report = auditCollected(collected, new Engine(RULES, config));
    let output = renderForOutput(flags.format, report, { config, failOn: flags.failOn, isTTY: io.stdout.isTTY });
    // The per-installation summary is for people; machine formats stay pure.
    if (flags.format === 'text') output = renderSummary(summarizeInstallations(collected.store, report.findings)) + '\n' + output;
    io.stdout.write(output);
    return failsRun(report, flags.failOn) ? EXIT.findings : EXIT.clean;
  } catch (error: unknown) {
    if (progress) io.stderr.write('\r\x1b[K');
    return reportFailure(error, io);
  }
}

/** A cluster or config problem is the user's to fix (one line); anything else is ours (with the stack). */
function reportFailure(error: unknown, io: AuditIO): number {
  if (error instanceof KubeError || error instanceof ConfigError) {
    io.stderr.write(`ddguard audit: ${error.message}\n`);
    return EXIT.usage;
  }
  io.stderr.write(`ddguard audit: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return EXIT.usage;
}
