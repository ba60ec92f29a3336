// A list page read from its bytes, parsing only the items that may be kept.
//
// A page of 500 ordinary Deployments is about 1 MB of JSON. Turned into a string and parsed whole, it held the
// webhook's event loop for ~10 ms per page and left megabytes of short-lived objects and a 1 MB string in the
// old generation, so a relist of 20,000 Deployments (none of them Datadog's but two) paused the reviews being
// answered meanwhile. Here the page's bytes are split into its items with a scan that only tracks strings and
// nesting (native `indexOf` skips each string's contents), and an item is parsed only when a cheap test on its
// bytes says it may be kept. Anything that does not look like a Kubernetes list is parsed whole, as before.
import type { KubeObject } from '../kube-model/types.js';
import { CLOSE_BRACE, CLOSE_BRACKET, COLON, COMMA, endOfString, endOfValue, OPEN_BRACE, OPEN_BRACKET, QUOTE, skipSpace } from '../kube-model/json-bytes.js';

/** A list as the API server sends it (`metadata.continue`, which client-node's models call `_continue`). */
export interface Page {
  items: KubeObject[];
  metadata?: { resourceVersion?: string; continue?: string };
  /** Items in the page, parsed or not. */
  total: number;
}

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
