/**
 * The longest piece of a request a log line carries: a Kubernetes name is at most 253 characters, and a
 * message or stack a few lines. A client chooses these values, so without a bound one request could write a
 * 64 KB line at every level.
 */
export const MAX_LOGGED_CHARS = 253;
export const MAX_LOGGED_MESSAGE_CHARS = 2048;

/**
 * A value from a request, fit for a log line: passed through `redact` (which cuts out secret values), then cut
 * to `max` characters with a note of how many were left out. A non-string is named by its type, never shown.
 */
export function loggedValue(value: unknown, redact: (text: string) => string, max = MAX_LOGGED_CHARS): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') return `(${Array.isArray(value) ? 'array' : typeof value})`;
  // Redacted whole, then cut: a secret value that ran across the cut would otherwise leave its first part.
  const text = redact(value);
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
}
