// What the apiserver does to a body before storing it: checks it belongs at this URL, fills the
// server-owned metadata and applies the defaulting clients can observe (Secret stringData -> data).
import { randomBytes, randomUUID } from 'node:crypto';
import { apiVersionOf, type ResourceDef } from './resources.js';
import { ApiError, badRequest, failure, invalid } from './status.js';
import type { ObjectMeta, StoredObject } from './store.js';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const nowTimestamp = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const randomSuffix = (): string => [...randomBytes(5)].map((b) => GENERATE_ALPHABET[b % GENERATE_ALPHABET.length]).join('');

function asObject(r: ResourceDef, body: unknown): StoredObject {
  if (!isRecord(body)) throw badRequest(`the body of the request was not a ${r.kind} object`);
  const kind = body['kind'] ?? r.kind;
  const apiVersion = body['apiVersion'] ?? apiVersionOf(r);
  if (kind !== r.kind || apiVersion !== apiVersionOf(r)) {
    throw badRequest(`${String(kind)} in version "${String(apiVersion)}" cannot be handled as a ${r.kind}`);
  }
  const { apiVersion: _a, kind: _k, metadata, ...rest } = structuredClone(body);
  const meta = (isRecord(metadata) ? metadata : {}) as ObjectMeta;
  return { apiVersion: apiVersionOf(r), kind: r.kind, metadata: meta, ...rest };
}

function placeInNamespace(r: ResourceDef, obj: StoredObject, namespace: string | undefined): void {
  if (!r.namespaced) {
    delete obj.metadata.namespace;
    return;
  }
  const declared = obj.metadata.namespace;
  if (declared !== undefined && declared !== '' && declared !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  obj.metadata.namespace = namespace ?? 'default';
}

function applyDefaults(r: ResourceDef, obj: StoredObject): void {
  if (r.kind !== 'Secret' || r.group !== '') return;
  const stringData = isRecord(obj['stringData']) ? obj['stringData'] : {};
  const data = isRecord(obj['data']) ? { ...obj['data'] } : {};
  for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(String(v)).toString('base64');
  delete obj['stringData'];
  if (Object.keys(data).length > 0) obj['data'] = data;
  obj['type'] ??= 'Opaque';
}

function validateName(r: ResourceDef, name: string): void {
  if (name.includes('/') || name.includes('%') || name === '.' || name === '..') {
    throw invalid(r, name, `metadata.name: Invalid value: "${name}": may not contain '/' or '%'`);
  }
}

/** A POSTed body, made ready to store. `namespace` is the one in the URL. */
export function prepareNew(r: ResourceDef, body: unknown, namespace: string | undefined): StoredObject {
  const obj = asObject(r, body);
  placeInNamespace(r, obj, namespace);
  const meta = obj.metadata;
  if (!meta.name && typeof meta['generateName'] === 'string' && meta['generateName'] !== '') {
    meta.name = `${meta['generateName']}${randomSuffix()}`;
  }
  if (typeof meta.name !== 'string' || meta.name === '') {
    throw invalid(r, '', 'metadata.name: Required value: name or generateName is required');
  }
  if (meta.resourceVersion !== undefined && meta.resourceVersion !== '') {
    // kube-apiserver reports this as an internal error from its storage layer.
    throw new ApiError(failure(500, 'InternalError', 'resourceVersion should not be set on objects to be created'));
  }
  validateName(r, meta.name);
  meta.uid = randomUUID();
  meta.creationTimestamp = nowTimestamp();
  delete meta.resourceVersion;
  applyDefaults(r, obj);
  return obj;
}

/** A PUT body (or a patched object) replacing `existing`; server-owned metadata is kept. */
export function prepareReplacement(r: ResourceDef, existing: StoredObject, body: unknown, namespace: string | undefined, name: string): StoredObject {
  const obj = asObject(r, body);
  placeInNamespace(r, obj, namespace);
  if (obj.metadata.name !== undefined && obj.metadata.name !== name) {
    throw badRequest(`the name of the object (${String(obj.metadata.name)}) does not match the name on the URL (${name})`);
  }
  obj.metadata.name = name;
  if (existing.metadata.uid !== undefined) obj.metadata.uid = existing.metadata.uid;
  if (existing.metadata.creationTimestamp !== undefined) obj.metadata.creationTimestamp = existing.metadata.creationTimestamp;
  applyDefaults(r, obj);
  return obj;
}
