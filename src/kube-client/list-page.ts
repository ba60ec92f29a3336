// A list page read from its bytes, parsing only the items that may be kept.
//
// A page of 500 ordinary Deployments is about 1 MB of JSON. Turned into a string and parsed whole, it held the
// webhook's event loop for ~10 ms per page and left megabytes of short-lived objects and a 1 MB string in the
// old generation, so a relist of 20,000 Deployments (none of them Datadog's but two) paused the reviews being
// answered meanwhile. Here the page's bytes are split into its items with a scan that only tracks strings and
// nesting (native `indexOf` skips each string's contents), and an item is parsed only when a cheap test on its
// bytes says it may be kept. Anything that does not look like a Kubernetes list is parsed whole, as before.
import type { KubeObject } from '../kube-model/types.js';

/** A list as the API server sends it (`metadata.continue`, which client-node's models call `_continue`). */
export interface Page {
  items: KubeObject[];
  metadata?: { resourceVersion?: string; continue?: string };
  /** Items in the page, parsed or not. */
  total: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;
const ITEMS_KEY = Buffer.from('"items"');

/**
 * The page in `body`; an item whose bytes `mayKeep` rejects is counted but not parsed. Without `mayKeep`, or
 * when the body is not one JSON object with a top-level `items` array, the whole body is parsed.
 */
export function readListPage(body: Buffer, mayKeep?: (item: Buffer) => boolean): Page {
  const split = mayKeep ? splitItems(body) : undefined;
  if (!split) {
    const page = JSON.parse(body.toString('utf8')) as Omit<Page, 'total'>;
    const items = Array.isArray(page.items) ? page.items : [];
    return { ...page, items, total: items.length };
  }
  // The rest of the list (kind, metadata) with an empty items array: small, parsed whole.
  const rest = JSON.parse(`${body.toString('utf8', 0, split.arrayStart)}[]${body.toString('utf8', split.arrayEnd)}`) as Omit<Page, 'total'>;
  const items: KubeObject[] = [];
  for (const [start, end] of split.items) {
    const bytes = body.subarray(start, end);
    if (mayKeep!(bytes)) items.push(JSON.parse(bytes.toString('utf8')) as KubeObject);
  }
  return { ...rest, items, total: split.items.length };
}

interface SplitList {
  /** Where the items array's `[` is, and just past its `]`. */
  arrayStart: number;
  arrayEnd: number;
  /** Each item's bytes, [start, end). */
  items: [number, number][];
}

/** The items array of a top-level object and its elements' byte ranges; undefined for anything else. */
export function splitItems(body: Buffer): SplitList | undefined {
  let at = skipSpace(body, 0);
  if (body[at] !== OPEN_BRACE) return undefined;
  at++;
  // The top-level object's members, looking for "items".
  for (;;) {
    at = skipSpace(body, at);
    if (body[at] === CLOSE_BRACE) return undefined;
    if (body[at] !== QUOTE) return undefined;
    const keyStart = at;
    at = endOfString(body, at);
    if (at < 0) return undefined;
    const isItems = at - keyStart === ITEMS_KEY.length && body.subarray(keyStart, at).equals(ITEMS_KEY);
    at = skipSpace(body, at);
    if (body[at] !== COLON) return undefined;
    at = skipSpace(body, at + 1);
    if (isItems) return body[at] === OPEN_BRACKET ? splitArray(body, at) : undefined;
    at = endOfValue(body, at);
    if (at < 0) return undefined;
    at = skipSpace(body, at);
    if (body[at] === COMMA) at++;
    else return undefined;
  }
}

function splitArray(body: Buffer, arrayStart: number): SplitList | undefined {
  const items: [number, number][] = [];
  let at = skipSpace(body, arrayStart + 1);
  if (body[at] === CLOSE_BRACKET) return { arrayStart, arrayEnd: at + 1, items };
  for (;;) {
    const start = at;
    const end = endOfValue(body, at);
    if (end < 0) return undefined;
    items.push([start, end]);
    at = skipSpace(body, end);
    if (body[at] === CLOSE_BRACKET) return { arrayStart, arrayEnd: at + 1, items };
    if (body[at] !== COMMA) return undefined;
    at = skipSpace(body, at + 1);
  }
}

/** Just past the JSON value starting at `at` (an object, array, string or scalar); -1 if it does not end. */
function endOfValue(body: Buffer, at: number): number {
  const first = body[at];
  if (first === QUOTE) return endOfString(body, at);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    // A number, true, false or null: up to the next delimiter.
    let end = at;
    while (end < body.length && !isDelimiter(body[end]!)) end++;
    return end > at ? end : -1;
  }
  let depth = 0;
  for (let i = at; i < body.length; i++) {
    const byte = body[i];
    if (byte === QUOTE) {
      i = endOfString(body, i) - 1;
      if (i < 0) return -1;
    } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth++;
    else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/** Just past the string whose opening quote is at `at`; -1 if it does not end. */
function endOfString(body: Buffer, at: number): number {
  let from = at + 1;
  for (;;) {
    const quote = body.indexOf(QUOTE, from);
    if (quote < 0) return -1;
    // A quote is escaped when an odd number of backslashes precede it.
    let backslashes = 0;
    for (let i = quote - 1; i > at && body[i] === BACKSLASH; i--) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    from = quote + 1;
  }
}

function skipSpace(body: Buffer, at: number): number {
  while (at < body.length && (body[at] === 0x20 || body[at] === 0x0a || body[at] === 0x0d || body[at] === 0x09)) at++;
  return at;
}

function isDelimiter(byte: number): boolean {
  return byte === COMMA || byte === CLOSE_BRACE || byte === CLOSE_BRACKET || byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}
