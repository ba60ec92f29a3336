/** An object and its old copy, each up to the API server's 3 MiB, with room for the review around them. */
export const BODY_LIMIT_BYTES = 8 * 1024 * 1024;

/**
 * What one server holds at once, so that no client (or many) can exhaust it. The image runs with a 256 MB
 * heap: a review's body is held as text, parsed, and judged, a few times its size in all, so the bytes in
 * flight are bounded well under that and what does not fit waits for a retry (429 and `Retry-After`).
 */
export interface ServerLimits {
  /** Review bytes being read or judged at once; one review is always let in when nothing else is in flight. */
  maxInFlightBytes: number;
  /** Open connections, TLS or not; the listener refuses more (the client retries, as Go's does). */
  maxConnections: number;
  /**
   * A connection must finish its TLS handshake within this (idle or stalled clients, port scanners). The API
   * server's own client gives a handshake 10 s (TLSHandshakeTimeout), so a longer one helps no one.
   */
  handshakeTimeoutMs: number;
  /** A request's headers must arrive within this, on a new connection too (one idle since its handshake). */
  headersTimeoutMs: number;
}

/** 32 MiB: four reviews of the 8 MiB body limit. */
export const DEFAULT_SERVER_LIMITS: Readonly<ServerLimits> = Object.freeze({
  maxInFlightBytes: 32 * 1024 * 1024,
  maxConnections: 1000,
  handshakeTimeoutMs: 10_000,
  headersTimeoutMs: 10_000,
});

/** Seconds a client is told to wait when the server is at its limit: a review takes milliseconds. */
export const RETRY_AFTER_SECONDS = 1;

/** The review bytes the server holds, taken at the headers (or as a body streams) and given back at the answer. */
export class InFlightBytes {
  private held = 0;

  constructor(readonly limit: number) {}

  get inFlight(): number {
    return this.held;
  }

  /** Takes `bytes` if they fit under the limit, or if nothing else is held (so one review always gets through). */
  take(bytes: number): boolean {
    if (this.held > 0 && this.held + bytes > this.limit) return false;
    this.held += bytes;
    return true;
  }

  give(bytes: number): void {
    this.held = Math.max(0, this.held - bytes);
  }
}

/** Answered 429 with `Retry-After` before the body is read (or while it streams). */
export class OverloadedError extends Error {
  readonly code = 'DDG_OVERLOADED';
  readonly statusCode = 429;
  constructor(limit: number) {
    super(`ddguard is reviewing ${limit} bytes already; retry in ${RETRY_AFTER_SECONDS} s`);
  }
}
