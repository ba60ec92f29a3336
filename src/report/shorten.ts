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

/**
 * `text` within `limit` runes. A long text is cut at the last clause boundary (`. `, `: `, `; `) past half the
 * limit, so the warning ends on a whole thought; failing that at a word; an ellipsis marks the cut.
 */
export function shorten(text: string, limit = SHORT_TEXT_RUNES): string {
  const runes = [...text.replace(/\s+/g, ' ').trim()];
  if (runes.length <= limit) return runes.join('');
  const head = runes.slice(0, limit - 1).join('');
  const clause = Math.max(head.lastIndexOf('. '), head.lastIndexOf(': '), head.lastIndexOf('; '));
  if (clause > limit / 2) return `${head.slice(0, clause)}…`;
  const space = head.lastIndexOf(' ');
  return `${space > limit / 2 ? head.slice(0, space) : head}…`;
}
