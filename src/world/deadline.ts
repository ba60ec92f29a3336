/**
 * When an admission must be answered by. The API server sends its own timeout as `?timeout=10s` (the hook's
 * `timeoutSeconds`, rounded up to a second); ddguard keeps a margin for the answer to travel back, so a slow
 * lookup ends as a warning instead of the API server's "context deadline exceeded".
 */
export class Deadline {
  constructor(
    /** Epoch milliseconds. */
    readonly at: number,
    private readonly clock: () => number = Date.now,
  ) {}

  static after(ms: number, clock: () => number = Date.now): Deadline {
    return new Deadline(clock() + ms, clock);
  }

  remainingMs(): number {
    return Math.max(0, this.at - this.clock());
  }

  get expired(): boolean {
    return this.remainingMs() === 0;
  }

  /** Aborts when the deadline passes, for fetches and watches that take a signal. */
  signal(): AbortSignal {
    return AbortSignal.timeout(Math.max(1, this.remainingMs()));
  }
}

export interface DeadlinePolicy {
  /** Used when the request carries no `?timeout=` (the v1 default `timeoutSeconds`). */
  defaultTimeoutMs: number;
  /** Kept back from the API server's timeout for the answer itself. */
  marginMs: number;
  /** Never budget less than this, so a 1 s timeout still leaves room for a cache read. */
  minimumMs: number;
}

export const DEFAULT_DEADLINE_POLICY: DeadlinePolicy = Object.freeze({
  defaultTimeoutMs: 10_000,
  marginMs: 1_000,
  minimumMs: 250,
});

/** The deadline for a request, from its `?timeout=` query value. */
export function deadlineFor(
  timeout: string | undefined,
  policy: DeadlinePolicy = DEFAULT_DEADLINE_POLICY,
  clock: () => number = Date.now,
): Deadline {
  const total = (timeout === undefined ? undefined : parseGoDuration(timeout)) ?? policy.defaultTimeoutMs;
  // Short timeouts keep a proportional margin rather than losing the whole budget to a fixed one.
  const margin = Math.min(policy.marginMs, total / 4);
  return Deadline.after(Math.max(policy.minimumMs, total - margin), clock);
}

const UNIT_MS: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };
const GO_DURATION = /^(?:\d+(?:\.\d+)?(?:h|ms|m|s|us|µs|ns))+$/;

/** A Go `time.Duration` string (`10s`, `1m30s`, `500ms`) in milliseconds; undefined when it is not one. */
export function parseGoDuration(text: string): number | undefined {
  if (!GO_DURATION.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) {
    total += Number(amount) * (UNIT_MS[unit ?? ''] ?? 0);
  }
  return total;
}
