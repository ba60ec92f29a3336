import { createHash } from 'node:crypto';

/**
 * The Cluster Agent auth token (datadog.md §1): its variable, its key, and what the Agent requires of its bytes.
 * Where a token comes from is token-sources.ts, which Secrets hold it token-secrets.ts, every place an object
 * holds one token-sites.ts. None of them returns a token's value in text: bytes go to measurements and hashes.
 *
 * `DD_CLUSTER_AGENT_TOKEN_NAME` (an event-collection ConfigMap name) and `DD_AUTH_TOKEN_FILE_PATH` (the Agent's
 * own IPC token) are different things and are deliberately not read here.
 */
export const TOKEN_ENV = 'DD_CLUSTER_AGENT_AUTH_TOKEN';
/** `validateAuthToken` rejects `len(token) < 32`; exactly 32 bytes is accepted. */
export const TOKEN_MIN_BYTES = 32;
/** The key both the Helm chart and the Operator store the token under. */
export const TOKEN_KEY = 'token';

/** The Agent's own log line for a short token, in the two wordings users will search for (datadog.md §1.2). */
export function shortTokenLogLines(bytes: number): [older: string, newest: string] {
  return [
    `cluster agent authentication token length must be greater than 32, currently: ${bytes}`,
    `cluster agent authentication token must be at least 32 characters long, currently: ${bytes}`,
  ];
}


/** Hash of the bytes, to compare two tokens without holding or printing either. Never put it in a message. */
export function tokenDigest(value: Buffer): string {
  return createHash('sha256').update(value).digest('hex');
}

// ---------------------------------------------------------------------------------------------------------
// Measurements

/** Go's `len(token)`: UTF-8 bytes, not characters. */
export function tokenByteLength(value: Buffer): number {
  return value.length;
}

export interface BadCharacters {
  /** How many whitespace or control bytes the token holds. */
  count: number;
  /** What and where, e.g. `1 line feed (\n) at the end`. No token content. */
  description: string;
  /** Holds a byte Go's HTTP client refuses in a header (a control character other than tab). */
  refusedByClient: boolean;
  /** Length in bytes with leading and trailing whitespace/control bytes removed: a hint, never what the Agent does. */
  trimmedLength: number;
}

/** Space, tab, CR, LF, every other byte below 0x20, and DEL (0x7f): what breaks `Authorization: Bearer <token>`. */
export function isBadTokenByte(byte: number): boolean {
  return byte <= 0x20 || byte === 0x7f;
}

const BYTE_NAMES: Readonly<Record<number, [one: string, many: string]>> = {
  0x20: ['space', 'spaces'],
  0x09: ['tab', 'tabs'],
  0x0a: ['line feed (\\n)', 'line feeds (\\n)'],
  0x0d: ['carriage return (\\r)', 'carriage returns (\\r)'],
  0x7f: ['DEL character (0x7f)', 'DEL characters (0x7f)'],
};

export function badCharactersOf(value: Buffer): BadCharacters | undefined {
  const positions = [...value.keys()].filter((i) => isBadTokenByte(value[i] ?? 0));
  if (positions.length === 0) return undefined;
  let start = 0;
  while (start < value.length && isBadTokenByte(value[start] ?? 0)) start++;
  let end = value.length;
  while (end > start && isBadTokenByte(value[end - 1] ?? 0)) end--;
  const counts = new Map<number, number>();
  for (const i of positions) counts.set(value[i] ?? 0, (counts.get(value[i] ?? 0) ?? 0) + 1);
  const what = [...counts].map(([byte, n]) => `${n} ${nameOf(byte, n)}`).join(', ');
  const refusedByClient = positions.some((i) => value[i] !== 0x20 && value[i] !== 0x09);
  return {
    count: positions.length,
    description: `${what} ${placeOf(positions, start, end)}`,
    refusedByClient,
    trimmedLength: end - start,
  };
}

function nameOf(byte: number, count: number): string {
  const names = BYTE_NAMES[byte];
  if (names) return count === 1 ? names[0] : names[1];
  const hex = `0x${byte.toString(16).padStart(2, '0')}`;
  return count === 1 ? `control character (${hex})` : `control characters (${hex})`;
}

/** `start`/`end` bound the token once leading and trailing bad bytes are cut off. */
function placeOf(positions: number[], start: number, end: number): string {
  const inside = positions.some((i) => i >= start && i < end);
  if (inside) return 'inside the token';
  const leading = positions.some((i) => i < start);
  const trailing = positions.some((i) => i >= end);
  if (leading && trailing) return 'at the start and the end';
  return leading ? 'at the start' : 'at the end';
}
