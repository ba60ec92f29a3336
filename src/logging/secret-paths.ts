/**
 * The second line of defence of the logs: code logs names and counts, never objects, but if an object ever
 * reaches a log call, a Secret's `data` and `stringData` and kubectl's last-applied annotation (which copies a
 * Secret's values in plain text) are censored, at the depths an object can sit in a record (`object`,
 * `request.object`, `review.request.oldObject`, …), as are the `authorization` header of a logged `req`.
 *
 * Not pino's `redact` option: with paths that start with a wildcard it runs every field of every line, and
 * of every child's bindings, through its redactor (a clone and a JSON.stringify per field), which cost the
 * webhook a third of its throughput at the default log level. This walk reads the few fields of a record and
 * copies only the objects on the way to what it censors.
 */
export const CENSORED = '[redacted]';

const SECRET_FIELDS: ReadonlySet<string> = new Set(['data', 'stringData']);
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
/** A Secret at the top of the record or up to three levels down (`review.request.object`). */
const MAX_DEPTH = 3;

/** `record`, or a copy of it with every secret-bearing field censored; the record itself is never changed. */
export function withoutSecretValues<T extends object>(record: T): T {
  const censored = censorObject(record as Record<string, unknown>, 0);
  const req = (censored ?? record) as { req?: { headers?: Record<string, unknown> } };
  const headers = req.req?.headers;
  if (!isObject(headers) || headers['authorization'] === undefined) return (censored ?? record) as T;
  const out = censored ?? { ...(record as Record<string, unknown>) };
  out['req'] = { ...req.req, headers: { ...headers, authorization: CENSORED } };
  return out as T;
}

/** A copy of `object` with what it holds censored, or undefined when it holds nothing to censor. */
function censorObject(object: Record<string, unknown>, depth: number): Record<string, unknown> | undefined {
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(object)) {
    const value = object[key];
    const replaced = censorField(key, value, depth);
    if (replaced === value) continue;
    copy ??= Array.isArray(object) ? [...(object as unknown[])] as unknown as Record<string, unknown> : { ...object };
    copy[key] = replaced;
  }
  return copy;
}

function censorField(key: string, value: unknown, depth: number): unknown {
  if (value === undefined || value === null) return value;
  if (SECRET_FIELDS.has(key)) return CENSORED;
  if (!isObject(value)) return value;
  const inner = (depth < MAX_DEPTH ? censorObject(value, depth + 1) : undefined) ?? value;
  const annotations = key === 'metadata' ? inner['annotations'] : undefined;
  if (isObject(annotations) && annotations[LAST_APPLIED] !== undefined) {
    return { ...inner, annotations: { ...annotations, [LAST_APPLIED]: CENSORED } };
  }
  return inner;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
