/**
 * Short texts for channels with a size limit (admission warnings, Kubernetes Events): 256 runes is the API
 * server's cap on one warning (k8s.io/apiserver endpoints/filters/warning.go), the tightest of them.
 */
export const SHORT_TEXT_RUNES = 256;

/** Runes, as the API server counts them (a code point, not a UTF-16 unit). */
export function runeLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * `text` within `limit` runes. A long text is cut at the last clause boundary (`. `, `: `, `; `) past half the
 * limit, so the warning ends on a whole thought; failing that at a word; an ellipsis marks the cut.
 */
export function shorten(text: string, limit = SHORT_TEXT_RUNES): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  // A text has no more runes than UTF-16 units: one this short is within the limit without counting them.
  if (flat.length <= limit) return flat;
  // Without a surrogate pair a rune is a UTF-16 unit (the common case): the text is cut without an array of runes.
  const runes = SURROGATE.test(flat) ? [...flat] : undefined;
  if ((runes?.length ?? flat.length) <= limit) return flat;
  const head = runes ? runes.slice(0, limit - 1).join('') : flat.slice(0, limit - 1);
  const clause = Math.max(head.lastIndexOf('. '), head.lastIndexOf(': '), head.lastIndexOf('; '));
  if (clause > limit / 2) return `${head.slice(0, clause)}…`;
  const space = head.lastIndexOf(' ');
  return `${space > limit / 2 ? head.slice(0, space) : head}…`;
}
