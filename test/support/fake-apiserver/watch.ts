// Watch streams: newline-delimited JSON events on a held-open chunked response, replaying history
// after the requested resourceVersion, then following live changes. Objects that move in or out of
// the selector show up as ADDED / DELETED, as with the real watch cache.
import type { ServerResponse } from 'node:http';
import { apiVersionOf } from './resources.js';
import { compileSelectors } from './selectors.js';
import { ApiError } from './status.js';
import type { VerbContext } from './handlers.js';
import type { Change, StoredObject } from './store.js';

export interface WatchOptions {
  bookmarkIntervalMs: number;
}

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

function relayed(change: Change, selected: (o: StoredObject) => boolean): EventType | undefined {
  const before = change.prev !== undefined && selected(change.prev);
  const after = change.type !== 'DELETED' && selected(change.object);
  if (before && after) return 'MODIFIED';
  if (after) return 'ADDED';
  if (before) return 'DELETED';
  return undefined;
}

/** Streams events until the client leaves, `timeoutSeconds` passes, or `stop` is called. */
export function serveWatch(ctx: VerbContext, res: ServerResponse, opts: WatchOptions): { stop: () => void } {
  const { store, resource: r, query: q } = ctx;
  const filter = compileSelectors(r, q['labelSelector'], q['fieldSelector']);
  const selected = (o: StoredObject) => (ctx.namespace === undefined || o.metadata.namespace === ctx.namespace) && filter(o);
  const send = (type: EventType, object: unknown) => res.write(`${JSON.stringify({ type, object })}\n`);
  const rv = q['resourceVersion'];

  let backlog: Change[] = [];
  if (rv !== undefined && rv !== '' && rv !== '0') {
    try {
      backlog = store.changesSince(r, Number(rv));
    } catch (err: unknown) {
      if (!(err instanceof ApiError)) throw err;
      res.writeHead(200, { 'content-type': 'application/json' });
      send('ERROR', err.status);
      res.end();
      return { stop: () => {} };
    }
  }

  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
  res.flushHeaders();
  const relay = (change: Change) => {
    const type = relayed(change, selected);
    if (type) send(type, change.object);
  };
  // Subscribing and replaying in the same tick leaves no gap: the store only changes between ticks.
  const unsubscribe = store.subscribe(r, relay);
  if (rv === undefined || rv === '' || rv === '0') {
    for (const o of store.list(r)) if (selected(o)) send('ADDED', o);
  } else backlog.forEach(relay);

  const timers: NodeJS.Timeout[] = [];
  if (q['allowWatchBookmarks'] === 'true' || q['allowWatchBookmarks'] === '1') {
    const bookmark = () =>
      send('BOOKMARK', { kind: r.kind, apiVersion: apiVersionOf(r), metadata: { resourceVersion: String(store.currentRv) } });
    timers.push(setInterval(bookmark, opts.bookmarkIntervalMs));
  }
  const stop = () => {
    unsubscribe();
    timers.forEach(clearTimeout);
    if (!res.writableEnded) res.end();
  };
  const timeoutSeconds = Number(q['timeoutSeconds'] ?? 0);
  if (timeoutSeconds > 0) timers.push(setTimeout(stop, timeoutSeconds * 1000));
  res.on('close', stop);
  return { stop };
}
