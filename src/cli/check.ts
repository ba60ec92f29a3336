import { Option, type Command } from 'commander';
import { ConfigError } from '../config/errors.js';
import { loadConfigFile } from '../config/load.js';
import { DEFAULT_ENGINE_CONFIG, Engine } from '../engine/engine.js';
import { ManifestInputError, ManifestParseError } from '../manifests/errors.js';
import { ManifestCheck } from '../check/manifest-check.js';
import { streamManifests } from '../manifests/load.js';
import { failsRun, FAIL_ON, problemLocation, type FailOn } from '../report/report.js';
import { FORMATS, type Format } from '../report/render.js';
import { renderForOutput } from './output.js';
import { RULES } from '../rules/index.js';

interface CheckFlags {
  format: Format;
  failOn: FailOn;
  config?: string;
  namespace: string;
  allowEmpty?: boolean;
}

/** Exit codes: nothing at or above --fail-on, something is, usage or input error. */
export const EXIT = { clean: 0, findings: 1, usage: 2 } as const;

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('Check manifests (files, directories, - for stdin) for Datadog deployments that would silently stop reporting.')
    .argument('<paths...>', 'files, directories (recursive .yaml, .yml, .json) or - for standard input')
    .addOption(new Option('-f, --format <format>', 'output format').choices(FORMATS).default('text'))
    .option('-c, --config <file>', 'config file (YAML): severities, exemptions, extra Cluster Agent permissions')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices(FAIL_ON).default('error'))
    .option('-n, --namespace <namespace>', 'namespace of objects that name none, as with helm and kubectl', 'default')
    .option('--allow-empty', 'accept empty standard input (a rendering expected to produce nothing) instead of failing')
    .addHelpText(
      'after',
      '\nExit status: 0 when nothing is at or above --fail-on, 1 when something is, 2 for usage or input errors\n' +
        '(a file that does not parse, empty standard input): every other file is still checked and reported.\n' +
        'In a pipeline, use `set -o pipefail` so a failing `helm template` fails the step too.',
    )
    .action(async (paths: string[], flags: CheckFlags) => {
      process.exitCode = await runCheck(paths, flags);
    });
}

async function runCheck(paths: string[], flags: CheckFlags): Promise<number> {
  try {
    const config = flags.config ? loadConfigFile(flags.config).engine : DEFAULT_ENGINE_CONFIG;
    const check = new ManifestCheck(new Engine(RULES, config), flags.namespace);
    const { files, problems } = await streamManifests(paths, (object) => check.add(object), { allowEmpty: flags.allowEmpty === true });
    const report = check.finish(files, problems);
    const output = renderForOutput(flags.format, report, { config, failOn: flags.failOn, isTTY: process.stdout.isTTY });
    await write(output);
    // On stderr too: a report written to a file, or machine-readable, is not what a person reads in a CI log.
    for (const problem of report.problems ?? []) process.stderr.write(`ddguard check: ${problemLocation(problem)}: ${problem.message}\n`);
    if (report.objects.length === 0 && problems.length === 0) process.stderr.write('ddguard check: warning: no Kubernetes objects found in the given paths\n');
    if (report.problems?.length) return EXIT.usage;
    return failsRun(report, flags.failOn) ? EXIT.findings : EXIT.clean;
  } catch (error: unknown) {
    if (error instanceof ManifestParseError || error instanceof ManifestInputError || error instanceof ConfigError) {
      process.stderr.write(`ddguard check: ${error.message}\n`);
      return EXIT.usage;
    }
    // A bug, not the user's input: say so with the stack rather than fail quietly.
    process.stderr.write(`ddguard check: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT.usage;
  }
}

export { useColor } from './output.js';

function write(text: string): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(text, (error) => (error ? reject(error) : resolve())));
}
