// Section 3: `ddguard check` on generated manifest sets, against parsing the same YAML alone.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAll, dump } from 'js-yaml';
import { parseAllDocuments } from 'yaml';
import { REPO, SHARED, median } from './util.js';

type Obj = { kind?: string; metadata?: { name?: string; namespace?: string }; [k: string]: unknown };
const CLUSTER_SCOPED = new Set(['ClusterRole', 'ClusterRoleBinding', 'APIService', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'CustomResourceDefinition', 'Namespace']);

export interface CliRow {
  objects: number; seconds: number; objectsPerSec: number; peakRssMb: number; exitCode: number | null; timedOut: boolean;
  jsYamlSeconds: number; yamlSeconds: number | null;
  /** A process doing only check's reading and parsing (bench/parse-only.ts): the pipeline's floor. */
  parseOnlySeconds: number;
  /** Medians over the rounds of each round's ratio: check, then check's parse alone, to js-yaml's parse. */
  checkToJsYaml: number; parseOnlyToJsYaml: number;
  rounds: number;
}

/** One Datadog installation per namespace, from the chart's default rendering; every 7th one broken. */
function installation(template: Obj[], i: number): Obj[] {
  const ns = `team-${i}`;
  const rename = (n: string): string => `${n}-${i}`;
  const out = template.map((o) => {
    const copy = structuredClone(o) as Obj & { subjects?: Array<{ namespace?: string }>; roleRef?: { name?: string; kind?: string }; data?: unknown };
    const meta = copy.metadata ?? (copy.metadata = {});
    if (CLUSTER_SCOPED.has(copy.kind ?? '')) meta.name = rename(meta.name ?? 'x');
    else meta.namespace = ns;
    for (const s of copy.subjects ?? []) if (s.namespace) s.namespace = ns;
    if (copy.roleRef?.kind === 'ClusterRole' && copy.roleRef.name) copy.roleRef.name = rename(copy.roleRef.name);
    return copy;
  });
  if (i % 7 === 3) {
    // Broken: the API key Secret goes missing its key, and the Cluster Agent loses its RBAC binding.
    for (const o of out) if (o.kind === 'Secret') (o as { data?: unknown }).data = {};
    return out.filter((o) => !(o.kind === 'ClusterRoleBinding' && /cluster-agent/.test(o.metadata?.name ?? '')));
  }
  return out;
}

function generate(dir: string, template: Obj[], target: number): number {
  mkdirSync(dir, { recursive: true });
  let n = 0;
  for (let i = 0; n < target; i++) {
    const objects = installation(template, i).slice(0, target - n);
    writeFileSync(join(dir, `team-${i}.yaml`), objects.map((o) => dump(o, { noRefs: true })).join('---\n'));
    n += objects.length;
  }
  return n;
}

async function timeProcess(args: string[], timeoutS: number): Promise<{ seconds: number; peakRssMb: number; exitCode: number | null; timedOut: boolean }> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    // GNU time reports the child's peak RSS ("Maximum resident set size") on stderr.
    const child = spawn('/usr/bin/time', ['-v', 'node', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    child.on('error', reject);
    // A superlinear blow-up must not eat the whole bench budget: stop it and report the run as timed out.
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutS * 1000);
    child.on('close', () => {
      clearTimeout(timer);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(err);
      const code = /Exit status: (\d+)/.exec(err);
      resolve({ seconds, peakRssMb: kb ? Number(kb[1]) / 1024 : NaN, exitCode: code ? Number(code[1]) : null, timedOut: seconds >= timeoutS });
    });
  });
}

function timeParse(dir: string, parse: (text: string) => number): number {
  const files = readdirSync(dir).map((f) => join(dir, f));
  const started = process.hrtime.bigint();
  let n = 0;
  for (const f of files) n += parse(readFileSync(f, 'utf8'));
  if (n < 0) console.log(n);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function chartTemplate(): Obj[] {
  return loadAll(readFileSync(join(SHARED, 'corpus/helm-charts-baselines/daemonset_default.rendered.yaml'), 'utf8')).filter((o): o is Obj => typeof o === 'object' && o !== null);
}

/** Writes a manifest set of `size` objects into `dir` (for profiling `check` by hand); returns the count. */
export function generateManifestSet(dir: string, size: number): number {
  return generate(dir, chartTemplate(), size);
}

export async function runCli(sizes: number[], yamlLibMax: number): Promise<CliRow[]> {
  const template = chartTemplate();
  const root = mkdtempSync(join(tmpdir(), 'ddguard-bench-manifests-'));
  const rows: CliRow[] = [];
  try {
    for (const size of sizes) {
      const dir = join(root, String(size));
      const objects = generate(dir, template, size);
      const timeout = Number(process.env['BENCH_CHECK_TIMEOUT_S'] ?? 200);
      // Rounds of check, its parse alone and js-yaml, one after the other: a ratio is taken within a round, so a
      // change in the machine's speed (it varied by half between runs) hits both sides of it.
      const rounds = Math.max(1, Number(process.env['BENCH_CHECK_ROUNDS'] ?? 3));
      const checks: Awaited<ReturnType<typeof timeProcess>>[] = [];
      const parseOnly: number[] = [];
      const jsYaml: number[] = [];
      for (let round = 0; round < rounds; round++) {
        checks.push(await timeProcess([join(REPO, 'dist/src/cli/main.js'), 'check', dir, '--format', 'json'], timeout));
        const alone = await timeProcess([join(REPO, 'dist/bench/parse-only.js'), dir], timeout);
        if (alone.exitCode !== 0) throw new Error(`bench/parse-only exited with ${alone.exitCode}`);
        parseOnly.push(alone.seconds);
        jsYaml.push(timeParse(dir, (t) => loadAll(t).length));
      }
      const run = {
        seconds: median(checks.map((c) => c.seconds)),
        peakRssMb: Math.max(...checks.map((c) => c.peakRssMb)),
        exitCode: checks[0]!.exitCode,
        timedOut: checks.some((c) => c.timedOut),
      };
      const jsYamlSeconds = median(jsYaml);
      const checkToJsYaml = median(checks.map((c, i) => c.seconds / jsYaml[i]!));
      const parseOnlyToJsYaml = median(parseOnly.map((seconds, i) => seconds / jsYaml[i]!));
      const yamlSeconds = size <= yamlLibMax ? timeParse(dir, (t) => parseAllDocuments(t).length) : null;
      rows.push({ objects, ...run, objectsPerSec: objects / run.seconds, jsYamlSeconds, yamlSeconds, parseOnlySeconds: median(parseOnly), checkToJsYaml, parseOnlyToJsYaml, rounds });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return rows;
}
