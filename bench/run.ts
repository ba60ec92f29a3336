// `npm run bench`: every figure of issue 6, measured side by side in one run, printed with its target and
// written to bench/results.json. Durations are short on purpose (whole run well under ten minutes on 2 cores);
// BENCH_SECONDS, BENCH_SOAK and BENCH_SOAK_MAX_SECONDS lengthen them; BENCH_LOOKUPS_ADMISSIONS and
// BENCH_LOOKUPS_SECONDS set the lookups run (keep it longer than the 10 s Secret TTL). The scale section
// (issue 12) takes BENCH_SCALE_DEPLOYMENTS, BENCH_SCALE_NAMESPACES and BENCH_SCALE_CHURN_SECONDS (default 60;
// the issue's figure is over 10 minutes: BENCH_SCALE_CHURN_SECONDS=600). BENCH_CHECK_ROUNDS (default 3) sets how
// many rounds of check, its parse alone and js-yaml the CLI section takes the medians of.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runHttp } from './http.js';
import { runEngine } from './engine.js';
import { runCli } from './cli.js';
import { runLookups } from './lookups.js';
import { runScale } from './scale.js';
import { REPO, fmt } from './util.js';

const seconds = Number(process.env['BENCH_SECONDS'] ?? 6);
const soakTarget = Number(process.env['BENCH_SOAK'] ?? 100_000);
const soakMaxSeconds = Number(process.env['BENCH_SOAK_MAX_SECONDS'] ?? 60);
const sections = new Set((process.env['BENCH_SECTIONS'] ?? 'http,engine,cli,lookups,scale').split(','));

interface Line { figure: string; value: string; target: string; met: boolean | null }
const lines: Line[] = [];
const line = (figure: string, value: string, target = '', met: boolean | null = null): void => { lines.push({ figure, value, target, met }); };
const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, seconds };

if (sections.has('http')) {
  process.stderr.write('http: ddguard serve vs the node:https and Fastify floors...\n');
  const h = await runHttp(seconds, soakTarget, soakMaxSeconds);
  results['http'] = h;
  const dd = h.throughput['ddguard']!, fl = h.throughput['floor']!, fa = h.throughput['fastify']!;
  for (const c of ['c16', 'c64'] as const) {
    line(`HTTP req/s ${c} floor / Fastify floor / ddguard`, `${fmt(fl[c], 0)} / ${fmt(fa[c], 0)} / ${fmt(dd[c], 0)}`);
    line(`HTTP throughput ddguard/floor ${c}`, fmt(dd[c] / fl[c], 2), '>= 0.8', dd[c] / fl[c] >= 0.8);
    // What the framework alone leaves of the floor's rate, and what ddguard's own work leaves of Fastify's.
    line(`  Fastify floor / floor ${c}`, fmt(fa[c] / fl[c], 2));
    line(`  ddguard / Fastify floor ${c}`, fmt(dd[c] / fa[c], 2));
  }
  const rd = h.rate1000['ddguard']!, rf = h.rate1000['floor']!;
  line('1000 req/s p50 ms floor / ddguard', `${fmt(rf.p50, 2)} / ${fmt(rd.p50, 2)}`);
  line('1000 req/s p99 ms floor / ddguard', `${fmt(rf.p99, 2)} / ${fmt(rd.p99, 2)}`);
  line('p99 ddguard/floor at 1000 req/s', fmt(rd.p99 / rf.p99, 2), '<= 2', rd.p99 / rf.p99 <= 2);
  line('achieved rate floor / ddguard', `${fmt(rf.achieved, 0)} / ${fmt(rd.achieved, 0)}`);
  line('RSS MB after runs floor / ddguard', `${fmt(h.rssAfterMb['floor']!)} / ${fmt(h.rssAfterMb['ddguard']!)}`);
  line(`ddguard RSS MB after ${h.soak.requests} req soak`, fmt(h.soak.rssEndMb), '<= 100', h.soak.rssEndMb <= 100);
  line('ddguard RSS growth, 2nd half of soak MB', `${fmt(h.soak.rssHalfMb)} -> ${fmt(h.soak.rssEndMb)} (${fmt(h.soak.growthMb)})`, '~0 (<= 2)', h.soak.growthMb <= 2);
  if (h.soak.note) line('soak note', h.soak.note);
  line('errors/timeouts/non-2xx floor / Fastify floor / ddguard', `${h.errors['floor']} / ${h.errors['fastify']} / ${h.errors['ddguard']}`, '0', Object.values(h.errors).every((n) => n === 0));
}

if (sections.has('engine')) {
  process.stderr.write('engine: evaluate vs JSON.parse...\n');
  const rows = runEngine(Number(process.env['BENCH_ENGINE_MS'] ?? 300));
  results['engine'] = rows;
  for (const r of rows) {
    line(`engine ${r.object.replace(/^\d+-/, '').replace('-CREATE-', ' ')} µs`, `${fmt(r.evaluateUs + r.impactUs, 2)} (${fmt(r.evaluateUs, 2)}+${fmt(r.impactUs, 2)}) / ${fmt(r.parseUs, 2)}`, '', null);
    line(`  ratio`, fmt(r.ratio, 2), '<= 0.5', r.ratio <= 0.5);
  }
}

if (sections.has('cli')) {
  process.stderr.write('cli: ddguard check on generated manifests...\n');
  const sizes = (process.env['BENCH_CLI_SIZES'] ?? '1000,10000,50000').split(',').map(Number);
  const rows = await runCli(sizes, Number(process.env['BENCH_YAML_LIB_MAX'] ?? 10_000));
  results['cli'] = rows;
  for (const r of rows) {
    line(`check ${r.objects} objects: s, obj/s, peak RSS MB (${r.rounds} rounds: medians, highest RSS)`, `${fmt(r.seconds, 2)} s, ${fmt(r.objectsPerSec, 0)}/s, ${fmt(r.peakRssMb, 0)} MB (exit ${r.exitCode}${r.timedOut ? ', TIMED OUT' : ''})`, '>= 20000/s', r.objectsPerSec >= 20_000);
    line(`  floor js-yaml / yaml parse s`, `${fmt(r.jsYamlSeconds, 2)} / ${r.yamlSeconds === null ? 'skipped' : fmt(r.yamlSeconds, 2)}`);
    // Issue 12: check costs at most half again what parsing the same input with js-yaml alone costs.
    if (r.objects >= 10_000) line(`  check time / js-yaml parse time`, fmt(r.checkToJsYaml, 2), '<= 1.5', r.checkToJsYaml <= 1.5);
    // check's own reading and parsing alone, in a process of its own: what is left of the 1.5 for the rest.
    line(`  check's parse alone s, / js-yaml parse time`, `${fmt(r.parseOnlySeconds, 2)}, ${fmt(r.parseOnlyToJsYaml, 2)}`);
    if (r.objects >= 50_000) line(`  check peak RSS MB, ${r.objects} objects`, fmt(r.peakRssMb, 0), '<= 300', r.peakRssMb <= 300);
  }
  const t10 = rows.find((r) => r.objects === 10_000), t50 = rows.find((r) => r.objects === 50_000);
  if (t10 && t50) line('check time(50k)/time(10k)', fmt(t50.seconds / t10.seconds, 2), '<= 5.5', t50.seconds / t10.seconds <= 5.5);
}

if (sections.has('lookups')) {
  const admissions = Number(process.env['BENCH_LOOKUPS_ADMISSIONS'] ?? 5000);
  const lookupSeconds = Number(process.env['BENCH_LOOKUPS_SECONDS'] ?? 25);
  process.stderr.write(`lookups: ddguard serve against the stand-in API server, ${admissions} admissions over ${lookupSeconds}s...\n`);
  const l = await runLookups(admissions, lookupSeconds);
  results['lookups'] = { measured: true, ...l };
  line('API calls per 1,000 admissions', `${fmt(l.callsPer1000, 2)} (${l.apiCalls} calls / ${l.admissions} in ${fmt(l.seconds)}s, Secret TTL ${l.secretTtlSeconds}s)`, '<= 10', l.callsPer1000 <= 10);
  for (const [call, n] of Object.entries(l.breakdown)) line(`  ${call}`, `${n} (${fmt((n * 1000) / l.admissions, 2)}/1000)`);
  line('lookups admissions errors/timeouts/non-2xx', String(l.errors), '0', l.errors === 0);
}

if (sections.has('scale')) {
  const deployments = Number(process.env['BENCH_SCALE_DEPLOYMENTS'] ?? 20_000);
  const churnSeconds = Number(process.env['BENCH_SCALE_CHURN_SECONDS'] ?? 60);
  process.stderr.write(`scale: ddguard serve and audit against a stand-in cluster of ${deployments} Deployments...\n`);
  const s = await runScale({
    deployments, namespaces: Number(process.env['BENCH_SCALE_NAMESPACES'] ?? 2_000), churnPerSecond: 50, churnSeconds,
    loadRate: Number(process.env['BENCH_SCALE_RATE'] ?? 100), loadSeconds: Number(process.env['BENCH_SCALE_LOAD_SECONDS'] ?? 10),
  });
  results['scale'] = s;
  const v = s.serve;
  line('scale cluster', Object.entries(s.objects).map(([k, n]) => `${n} ${k}`).join(', '));
  line('serve ready s, empty / large cluster', `${fmt(v.emptyReadySeconds)} / ${fmt(v.readySeconds)}`, '<= 15', v.readySeconds <= 15);
  const rssLimit = Math.min(150, 1.2 * v.emptyRssMb + 40);
  line('serve RSS MB when ready, empty / large', `${fmt(v.emptyRssMb)} / ${fmt(v.readyRssMb)}`, `<= ${fmt(rssLimit, 0)}`, v.readyRssMb <= rssLimit);
  line(`serve RSS MB growth over ${v.churnSeconds}s churn (${v.churnUpdates} updates)`, `${fmt(v.readyRssMb)} -> ${fmt(v.rssAfterChurnMb)} (${fmt(v.rssAfterChurnMb - v.readyRssMb)})`, '<= 5', v.rssAfterChurnMb - v.readyRssMb <= 5);
  line('admission p99 ms, quiet / during relist', `${fmt(v.p99Ms, 1)} / ${fmt(v.p99DuringRelistMs, 1)} (relist: ${v.relistLists} pages in ${fmt(v.relistSeconds)} s)`, '<= 2x', v.p99DuringRelistMs <= 2 * Math.max(v.p99Ms, 1));
  line('serve API requests to ready', byVerb(v.startupRequests));
  line('serve API requests during churn', byVerb(v.churnRequests));
  line('scale admission errors', String(v.admissionErrors), '0', v.admissionErrors === 0);
  line('audit s, peak RSS MB, exit', `${fmt(s.audit.seconds)}, ${fmt(s.audit.peakRssMb)}, ${s.audit.exitCode}`);
  line('audit API requests', byVerb(s.audit.requests));
}

/** `27 (14 list, 9 watch, 4 GET)` from a `verb resource` breakdown; the full breakdown is in results.json. */
function byVerb(breakdown: Record<string, number>): string {
  const verbs: Record<string, number> = {};
  for (const [key, n] of Object.entries(breakdown)) verbs[key.split(' ')[0] ?? key] = (verbs[key.split(' ')[0] ?? key] ?? 0) + n;
  const total = Object.values(verbs).reduce((a, b) => a + b, 0);
  return `${total} (${Object.entries(verbs).map(([verb, n]) => `${n} ${verb}`).join(', ') || 'none'})`;
}

const width = Math.max(...lines.map((l) => l.figure.length));
const vwidth = Math.max(...lines.map((l) => l.value.length));
console.log(`${'figure'.padEnd(width)}  ${'value'.padEnd(vwidth)}  target   ok`);
for (const l of lines) console.log(`${l.figure.padEnd(width)}  ${l.value.padEnd(vwidth)}  ${l.target.padEnd(8)} ${l.met === null ? '' : l.met ? 'yes' : 'NO'}`);
results['table'] = lines;
writeFileSync(join(REPO, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log('wrote bench/results.json');
