// The REST verbs on one resource, answering as kube-apiserver's generic registry does.
import { prepareNew, prepareReplacement } from './objects.js';
import { applyPatch } from './patch.js';
import { apiVersionOf, type ResourceDef } from './resources.js';
import { compileSelectors } from './selectors.js';
import { ApiError, badRequest, expired, notFound, success } from './status.js';
import { keyOf, type Store, type StoredObject } from './store.js';

export interface VerbContext {
  store: Store;
  resource: ResourceDef;
  namespace?: string | undefined;
  name?: string | undefined;
  query: Record<string, string>;
  body?: unknown;
  contentType?: string;
}

export interface Reply {
  code: number;
  body: unknown;
}

const isDryRun = (ctx: VerbContext) => ctx.query['dryRun'] === 'All';

function existing(ctx: VerbContext): StoredObject {
  const name = ctx.name ?? '';
  const found = ctx.store.get(ctx.resource, ctx.namespace, name);
  if (!found) throw notFound(ctx.resource, name);
  return found;
}

export function getObject(ctx: VerbContext): Reply {
  return { code: 200, body: existing(ctx) };
}

interface ContinueToken {
  rv: number;
  start: string;
}

const TOKEN_TOO_OLD =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

// Same layout as the real token (base64url JSON {v, rv, start}), so nobody is tempted to parse it.
const encodeToken = (t: ContinueToken) =>
  Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: t.rv, start: `${t.start}\u0000` })).toString('base64url');

function decodeToken(token: string): ContinueToken {
  try {
    const raw = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { rv?: unknown; start?: unknown };
    if (typeof raw.rv === 'number' && typeof raw.start === 'string') return { rv: raw.rv, start: raw.start.replace(/\u0000$/, '') };
  } catch {
    // falls through to the error below
  }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

function listAt(ctx: VerbContext, token: ContinueToken | undefined): { rv: number; items: StoredObject[] } {
  const q = ctx.query;
  const exactRv = q['resourceVersionMatch'] === 'Exact' && q['resourceVersion'] ? Number(q['resourceVersion']) : undefined;
  const rv = token?.rv ?? exactRv ?? ctx.store.currentRv;
  try {
    return { rv, items: ctx.store.list(ctx.resource, rv) };
  } catch (err: unknown) {
    if (token && err instanceof ApiError && err.status.code === 410) throw expired(TOKEN_TOO_OLD);
    throw err;
  }
}

/** Built-in kinds omit kind/apiVersion on list items (kubernetes/kubernetes#3030); custom resources keep them. */
function asListItem(r: ResourceDef, obj: StoredObject): unknown {
  if (r.custom) return obj;
  const { kind: _kind, apiVersion: _apiVersion, ...rest } = obj;
  return rest;
}

export function listObjects(ctx: VerbContext): Reply {
  const { resource: r, query: q } = ctx;
  const token = q['continue'] ? decodeToken(q['continue']) : undefined;
  const selected = compileSelectors(r, q['labelSelector'], q['fieldSelector']);
  const { rv, items } = listAt(ctx, token);
  const matching = items.filter(
    (o) =>
      (ctx.namespace === undefined || o.metadata.namespace === ctx.namespace) &&
      (token === undefined || keyOf(o.metadata.namespace, o.metadata.name) > token.start) &&
      selected(o),
  );
  const limit = Number(q['limit'] ?? 0);
  const page = limit > 0 ? matching.slice(0, limit) : matching;
  const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
  const last = page[page.length - 1];
  if (page.length < matching.length && last) {
    metadata['continue'] = encodeToken({ rv, start: keyOf(last.metadata.namespace, last.metadata.name) });
    if (!q['labelSelector'] && !q['fieldSelector']) metadata['remainingItemCount'] = matching.length - page.length;
  }
  return {
    code: 200,
    body: { kind: `${r.kind}List`, apiVersion: apiVersionOf(r), metadata, items: page.map((o) => asListItem(r, o)) },
  };
}

export function createObject(ctx: VerbContext): Reply {
  const obj = prepareNew(ctx.resource, ctx.body, ctx.namespace);
  if (isDryRun(ctx)) return { code: 201, body: obj };
  return { code: 201, body: ctx.store.create(ctx.resource, obj) };
}

export function replaceObject(ctx: VerbContext): Reply {
  const obj = prepareReplacement(ctx.resource, existing(ctx), ctx.body, ctx.namespace, ctx.name ?? '');
  if (isDryRun(ctx)) return { code: 200, body: obj };
  return { code: 200, body: ctx.store.update(ctx.resource, obj) };
}

export function patchObject(ctx: VerbContext): Reply {
  const current = existing(ctx);
  const patched = applyPatch(ctx.contentType ?? '', current, ctx.body);
  const obj = prepareReplacement(ctx.resource, current, patched, ctx.namespace, ctx.name ?? '');
  if (isDryRun(ctx)) return { code: 200, body: obj };
  return { code: 200, body: ctx.store.update(ctx.resource, obj) };
}

export function deleteObject(ctx: VerbContext): Reply {
  const current = existing(ctx);
  const deleted = isDryRun(ctx) ? current : ctx.store.delete(ctx.resource, ctx.namespace, current.metadata.name);
  if (ctx.resource.deleteReturnsObject) return { code: 200, body: deleted };
  return { code: 200, body: success(ctx.resource, current.metadata.name, current.metadata.uid ?? '') };
}
