/**
 * The response's auditAnnotations within the API's rules. The API server records each as
 * `<webhook name>/<key>`, which must be a qualified name, so a key is at most 63 characters of letters, digits,
 * `-`, `_` and `.`, starting and ending with a letter or digit; a key that breaks this is dropped with only a
 * log line on the API server. Values have no limit there, so ddguard bounds them as ValidatingAdmissionPolicy
 * bounds its own (10 KiB) and the number of entries, so one request cannot bloat the audit log.
 */
export const AUDIT_ANNOTATION_KEY_MAX = 63;
export const AUDIT_ANNOTATION_VALUE_MAX_BYTES = 10 * 1024;
export const AUDIT_ANNOTATIONS_MAX = 32;
const MORE_KEY = 'more';

/** One annotation per entry, keyed by rule id (`rule-id`, `rule-id-2`, …). */
export function auditAnnotationsFor(entries: readonly { key: string; text: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  const seen = new Map<string, number>();
  const kept = entries.slice(0, entries.length > AUDIT_ANNOTATIONS_MAX ? AUDIT_ANNOTATIONS_MAX - 1 : AUDIT_ANNOTATIONS_MAX);
  for (const { key, text } of kept) {
    const base = qualifiedName(key);
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    out[count === 1 ? base : withSuffix(base, `-${count}`)] = boundedValue(text);
  }
  if (kept.length < entries.length) out[MORE_KEY] = `${entries.length - kept.length} more findings: run \`ddguard audit\` to see them all.`;
  return out;
}

function qualifiedName(key: string): string {
  const cleaned = key.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, AUDIT_ANNOTATION_KEY_MAX).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return cleaned || 'finding';
}

function withSuffix(base: string, suffix: string): string {
  return `${base.slice(0, AUDIT_ANNOTATION_KEY_MAX - suffix.length).replace(/[^A-Za-z0-9]+$/, '')}${suffix}`;
}

/** Cut on a code point, never inside one, with an ellipsis saying so. */
function boundedValue(text: string): string {
  if (Buffer.byteLength(text) <= AUDIT_ANNOTATION_VALUE_MAX_BYTES) return text;
  const room = AUDIT_ANNOTATION_VALUE_MAX_BYTES - Buffer.byteLength('…');
  let out = '';
  let used = 0;
  for (const rune of text) {
    const size = Buffer.byteLength(rune);
    if (used + size > room) break;
    out += rune;
    used += size;
  }
  return `${out}…`;
}
