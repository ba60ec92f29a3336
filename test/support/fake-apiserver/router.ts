// From an HTTP request to "which resource, which namespace, which object, which verb", following
// kube-apiserver's URL layout: /api/v1/... for the core group, /apis/<group>/<version>/... otherwise.
import type { ServerResponse } from 'node:http';
import type { RequestInfo, Verb } from './faults.js';
import { createObject, deleteObject, getObject, listObjects, patchObject, replaceObject, type Reply, type VerbContext } from './handlers.js';
import { findResource, type ResourceDef } from './resources.js';
import { methodNotAllowed, pathNotFound } from './status.js';
import { serveWatch, type WatchOptions } from './watch.js';

export interface ResourcePath {
  resource: ResourceDef;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export const pathSegments = (path: string): string[] => path.split('/').filter((s) => s !== '').map(decodeURIComponent);

export function parseResourcePath(segments: string[]): ResourcePath | undefined {
  let rest: string[];
  let group = '';
  let version: string;
  if (segments[0] === 'api' && segments[1] === 'v1') {
    version = 'v1';
    rest = segments.slice(2);
  } else if (segments[0] === 'apis' && segments.length >= 4) {
    group = segments[1]!;
    version = segments[2]!;
    rest = segments.slice(3);
  } else return undefined;
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural = '', name, subresource, ...more] = rest;
  const resource = findResource(group, version, plural);
  if (!resource || more.length > 0) return undefined;
  if (namespace !== undefined && !resource.namespaced) return undefined;
  if (namespace === undefined && resource.namespaced && name !== undefined) return undefined;
  const path: ResourcePath = { resource };
  if (namespace !== undefined) path.namespace = namespace;
  if (name !== undefined) path.name = name;
  if (subresource !== undefined) path.subresource = subresource;
  return path;
}

const isWatch = (query: Record<string, string>) => query['watch'] === 'true' || query['watch'] === '1';

export function verbOf(method: string, p: ResourcePath, query: Record<string, string>): Verb | undefined {
  if (p.name !== undefined) {
    const byMethod: Record<string, Verb> = { GET: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };
    return byMethod[method];
  }
  if (method === 'GET') return isWatch(query) ? 'watch' : 'list';
  if (method === 'POST' && (p.namespace !== undefined || !p.resource.namespaced)) return 'create';
  if (method === 'DELETE') return 'deletecollection';
  return undefined;
}

const HANDLERS: Partial<Record<Verb, (ctx: VerbContext) => Reply>> = {
  get: getObject,
  list: listObjects,
  create: createObject,
  update: replaceObject,
  patch: patchObject,
  delete: deleteObject,
};

/**
 * Serves a resource request. Returns a Reply to write, or a watch handle when the response is a
 * stream that `serveWatch` now owns.
 */
export function dispatch(
  info: RequestInfo,
  ctx: Omit<VerbContext, 'resource' | 'namespace' | 'name'>,
  res: ServerResponse,
  watchOpts: WatchOptions,
): Reply | { stop: () => void } {
  const { resource, verb } = info;
  // Subresources (status, scale, log, ...) are not served.
  if (!resource || info.subresource !== undefined) throw pathNotFound();
  const full: VerbContext = { ...ctx, resource, namespace: info.namespace, name: info.name };
  if (verb === 'watch') return serveWatch(full, res, watchOpts);
  const handler = verb === undefined ? undefined : HANDLERS[verb];
  if (!handler) throw methodNotAllowed();
  return handler(full);
}
