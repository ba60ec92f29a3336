import { runeLength, shorten, SHORT_TEXT_RUNES } from '../report/shorten.js';

/**
 * The API server's warning limits (k8s.io/apiserver endpoints/filters/warning.go): 4,096 runes in total for a
 * request, shared with other webhooks; past that it cuts every warning to 256 runes, then drops the rest.
 * ddguard keeps each warning within 256 runes and the list within the total, so nothing it says is cut, even
 * when other webhooks' warnings push the request into truncation.
 */
export const WARNING_TOTAL_RUNES = 4 * 1024;
export const WARNING_ITEM_MAX_RUNES = SHORT_TEXT_RUNES;

/** Shortest room a warning's text gets between its `[rule-id] Kind ns/name: ` prefix and its pointer. */
const MIN_TEXT_RUNES = 60;

/**
 * One warning: the prefix and the pointer to more (`(more: ddguard explain …)`) whole, the text shortened to
 * what is left of 256 runes. Of the pointers given, longest first, the first that leaves the text its minimum
 * is used; with a very long object name the last one is, and the warning may pass 256 runes.
 */
export function warningText(prefix: string, text: string, pointers: readonly string[] = []): string {
  const fixed = runeLength(prefix);
  const pointer = pointers.find((p) => fixed + runeLength(p) + MIN_TEXT_RUNES <= WARNING_ITEM_MAX_RUNES) ?? pointers.at(-1) ?? '';
  const room = Math.max(MIN_TEXT_RUNES, WARNING_ITEM_MAX_RUNES - fixed - runeLength(pointer));
  return `${prefix}${shorten(text, room)}${pointer}`;
}

/**
 * Deduplicated warnings whose total stays within the budget. When some do not fit, the last place says how
 * many were left out, so a reader knows the list is not complete.
 */
export function fitWarnings(texts: readonly string[], budget = WARNING_TOTAL_RUNES): string[] {
  const unique = [...new Set(texts)];
  const kept: string[] = [];
  let used = 0;
  for (const text of unique) {
    const size = runeLength(text);
    if (used + size > budget) break;
    kept.push(text);
    used += size;
  }
  if (kept.length === unique.length) return kept;
  while (kept.length > 0) {
    const note = `…and ${unique.length - kept.length} more ddguard warnings.`;
    if (used + runeLength(note) <= budget) return [...kept, note];
    used -= runeLength(kept.pop() ?? '');
  }
  return [];
}
