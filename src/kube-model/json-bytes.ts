// Reading JSON's structure from its bytes without building it: where a value ends, where a string ends.
// Used where most of a body is not needed (a list page's other items, a review's managedFields): the scan
// tracks only strings and nesting, and native `indexOf` skips each string's contents.

export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const OPEN_BRACE = 0x7b;
export const CLOSE_BRACE = 0x7d;
export const OPEN_BRACKET = 0x5b;
export const CLOSE_BRACKET = 0x5d;
export const COLON = 0x3a;
export const COMMA = 0x2c;

/**
 * Just past the JSON value starting at `at` (an object, array, string or scalar); -1 if it does not end. Only
 * strings and brackets are checked: what lies between them is left for JSON.parse, or not read at all.
 */
export function endOfValue(body: Buffer, at: number): number {
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
export function endOfString(body: Buffer, at: number): number {
  let from = at + 1;
  for (;;) {
    const quote = body.indexOf(QUOTE, from);
    if (quote < 0) return -1;
    if (!isEscaped(body, quote, at + 1)) return quote + 1;
    from = quote + 1;
  }
}

/** Whether the byte at `at` is escaped: an odd number of backslashes precede it (none before `from`). */
export function isEscaped(body: Buffer, at: number, from = 0): boolean {
  let backslashes = 0;
  for (let i = at - 1; i >= from && body[i] === BACKSLASH; i--) backslashes++;
  return backslashes % 2 === 1;
}

export function skipSpace(body: Buffer, at: number): number {
  while (at < body.length && isSpace(body[at]!)) at++;
  return at;
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

function isDelimiter(byte: number): boolean {
  return byte === COMMA || byte === CLOSE_BRACE || byte === CLOSE_BRACKET || isSpace(byte);
}
