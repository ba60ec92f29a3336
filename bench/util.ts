import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { runtimeLayout } from '../test/support/dockerfile.js';

export const REPO = resolve(new URL('../..', import.meta.url).pathname);
export const SHARED = resolve(REPO, '..', 'shared');

/** Resident set size of a process in MB, from /proc (Linux only). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) / 1024 : NaN;
}

/** Peak RSS (VmHWM) in MB. */
export function peakRssMb(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => ok(port));
    });
  });
}

export interface CapturedReview { name: string; body: string; kind: string; review: { request: { object?: unknown; oldObject?: unknown; operation: string } } }

/** The captured admission reviews of the official chart plus one non-Datadog Deployment: the request mix. */
export function capturedReviews(): CapturedReview[] {
  const dir = join(SHARED, 'captured-admission', 'datadog-chart');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json') && /CREATE/.test(f)).map((f) => join(dir, f));
  files.push(join(SHARED, 'captured-admission', 'deployment-create.json'));
  return files.map((file) => {
    const body = readFileSync(file, 'utf8');
    const review = JSON.parse(body) as CapturedReview['review'] & { request: { kind: { kind: string } } };
    return { name: file.split('/').pop() ?? file, body: JSON.stringify(review), kind: review.request.kind.kind, review };
  });
}

/** The NODE_OPTIONS the image runs serve with (Dockerfile `ENV NODE_OPTIONS`): the bench measures serve as shipped. */
export function imageNodeOptions(): string {
  return runtimeLayout(readFileSync(join(REPO, 'Dockerfile'), 'utf8')).nodeOptions;
}

/** The middle value (the upper of the two for an even count): one round slowed by another process does not count. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

export const fmt = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
