// The PATCH bodies kube-apiserver accepts. Strategic merge patch is applied as a JSON merge patch:
// close enough for metadata and scalar fields, which is what ddguard's callers patch.
import { isDeepStrictEqual } from 'node:util';
import { ApiError, badRequest, failure } from './status.js';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
] as const;

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete result[k];
    else result[k] = mergePatch(result[k], v);
  }
  return result;
}

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

const unescape = (token: string) => token.replace(/~1/g, '/').replace(/~0/g, '~');

function parent(doc: unknown, pointer: string): { container: unknown; key: string } {
  const tokens = pointer.split('/').slice(1).map(unescape);
  const key = tokens.pop();
  if (key === undefined) throw badRequest(`invalid JSON pointer ${JSON.stringify(pointer)}`);
  let container = doc;
  for (const t of tokens) {
    container = Array.isArray(container) ? container[Number(t)] : isRecord(container) ? container[t] : undefined;
    if (container === undefined) throw new ApiError(failure(422, 'Invalid', `doc is missing path: "${pointer}"`));
  }
  return { container, key };
}

function read(doc: unknown, pointer: string): unknown {
  const { container, key } = parent(doc, pointer);
  const value = Array.isArray(container) ? container[Number(key)] : isRecord(container) ? container[key] : undefined;
  if (value === undefined) throw new ApiError(failure(422, 'Invalid', `doc is missing path: "${pointer}"`));
  return value;
}

function write(doc: unknown, pointer: string, value: unknown, insert: boolean): void {
  const { container, key } = parent(doc, pointer);
  if (Array.isArray(container)) {
    const index = key === '-' ? container.length : Number(key);
    container.splice(index, insert ? 0 : 1, value);
  } else if (isRecord(container)) container[key] = value;
}

function remove(doc: unknown, pointer: string): void {
  read(doc, pointer);
  const { container, key } = parent(doc, pointer);
  if (Array.isArray(container)) container.splice(Number(key), 1);
  else if (isRecord(container)) delete container[key];
}

export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw badRequest('json patch must be an array of operations');
  const doc = { root: structuredClone(target) };
  const at = (p: string) => `/root${p}`;
  for (const o of ops as Operation[]) {
    if (o.op === 'add') write(doc, at(o.path), structuredClone(o.value), true);
    else if (o.op === 'replace') {
      read(doc, at(o.path));
      write(doc, at(o.path), structuredClone(o.value), false);
    } else if (o.op === 'remove') remove(doc, at(o.path));
    else if (o.op === 'copy') write(doc, at(o.path), structuredClone(read(doc, at(o.from ?? ''))), true);
    else if (o.op === 'move') {
      const value = read(doc, at(o.from ?? ''));
      remove(doc, at(o.from ?? ''));
      write(doc, at(o.path), value, true);
    } else if (o.op === 'test') {
      if (!isDeepStrictEqual(read(doc, at(o.path)), o.value)) {
        throw new ApiError(failure(422, 'Invalid', `the server rejected our request due to an error in our request`));
      }
    } else throw badRequest(`Unexpected kind: ${String(o.op)}`);
  }
  return doc.root;
}

export function applyPatch(contentType: string, target: unknown, patch: unknown): unknown {
  const type = contentType.split(';')[0]?.trim();
  if (type === 'application/json-patch+json') return jsonPatch(target, patch);
  if (type === 'application/merge-patch+json' || type === 'application/strategic-merge-patch+json') {
    return mergePatch(target, patch);
  }
  throw new ApiError(
    failure(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}`,
    ),
  );
}
