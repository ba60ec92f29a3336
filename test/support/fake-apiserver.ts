// The local stand-in for kube-apiserver that ddguard's tests talk to over real HTTPS: the same URLs,
// Status bodies, resourceVersions, paging and watch streams as the real server for the kinds ddguard
// reads, plus test-side controls (seed objects, inject failures, hang requests, deny RBAC, count calls).
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import { makeServingCertificate } from './fake-apiserver/certs.js';
import { discoveryDocument } from './fake-apiserver/discovery.js';
import { Faults, matches, type FailureRule, type ForbidRule, type HangRule, type HangTicket, type RequestInfo, type RequestMatch, type Verb } from './fake-apiserver/faults.js';
import { prepareNew, prepareReplacement } from './fake-apiserver/objects.js';
import { resourceForKind } from './fake-apiserver/resources.js';
import { dispatch, parseResourcePath, pathSegments, verbOf } from './fake-apiserver/router.js';
import { readJsonBody, writeJson } from './fake-apiserver/http.js';
import { ApiError, failure, type StatusBody } from './fake-apiserver/status.js';
import { Store, type StoredObject } from './fake-apiserver/store.js';
import { kubeConfigFor, writeKubeconfig, type KubeconfigOptions } from './kubeconfig.js';

export type { FailureRule, ForbidRule, HangRule, RequestMatch, Verb } from './fake-apiserver/faults.js';
export type { StoredObject } from './fake-apiserver/store.js';
export type { StatusBody } from './fake-apiserver/status.js';
export type { KubeconfigOptions } from './kubeconfig.js';

export interface FakeApiServerOptions {
  /** Bearer token the server accepts; default a random one. Other tokens get 401. */
  token?: string;
  /** Identity named in Forbidden messages; default `system:serviceaccount:ddguard:ddguard`. */
  user?: string;
  /** Objects stored before the server starts listening. */
  objects?: ObjectInput[];
  /** Changes remembered for watches and paged lists before older revisions answer 410; default 10000. */
  historyLimit?: number;
  /** Interval of BOOKMARK events on watches that allow them; default 1000 ms. */
  bookmarkIntervalMs?: number;
}

/** Any Kubernetes object; `kind` is required, `apiVersion` picks between same-named kinds (Event). */
export interface ObjectInput {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; [field: string]: unknown };
  [field: string]: unknown;
}

export interface ObjectRefInput {
  apiVersion?: string;
  kind: string;
  namespace?: string;
  name: string;
}

export interface RequestRecord {
  method: string;
  path: string;
  query: Record<string, string>;
  verb?: Verb;
  /** Plural resource name, e.g. `secrets`. */
  resource?: string;
  namespace?: string;
  name?: string;
  /** HTTP status, once the response has started. */
  status?: number;
}

const isWatchHandle = (v: unknown): v is { stop: () => void } => typeof v === 'object' && v !== null && 'stop' in v;

export class FakeApiServer {
  readonly requests: RequestRecord[] = [];
  private readonly store: Store;
  private readonly faults = new Faults();
  private readonly watches = new Set<{ stop: () => void }>();
  private readonly user: string;
  private readonly bookmarkIntervalMs: number;
  private isClosed = false;
  private signalClosed: () => void = () => {};
  private readonly closed = new Promise<void>((resolve) => (this.signalClosed = resolve));

  private constructor(
    private readonly server: Server,
    readonly caPem: string,
    readonly token: string,
    opts: FakeApiServerOptions,
  ) {
    this.store = new Store(opts.historyLimit ?? 10_000);
    this.user = opts.user ?? 'system:serviceaccount:ddguard:ddguard';
    this.bookmarkIntervalMs = opts.bookmarkIntervalMs ?? 1000;
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res));
  }

  static async start(opts: FakeApiServerOptions = {}): Promise<FakeApiServer> {
    const tls = await makeServingCertificate();
    const server = createServer({ cert: tls.certPem, key: tls.keyPem, minVersion: 'TLSv1.2' });
    const fake = new FakeApiServer(server, tls.caPem, opts.token ?? randomBytes(24).toString('hex'), opts);
    fake.seed(opts.objects ?? []);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return fake;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** The current global resourceVersion. */
  get resourceVersion(): string {
    return String(this.store.currentRv);
  }

  writeKubeconfig(dir: string, opts: KubeconfigOptions = {}): string {
    return writeKubeconfig(dir, this.target(), opts);
  }

  kubeConfig(opts: KubeconfigOptions = {}): KubeConfig {
    return kubeConfigFor(this.target(), opts);
  }

  // ---- objects, from the test side; watchers see these changes like any other ----

  seed(objects: ObjectInput[]): StoredObject[] {
    return objects.map((o) => this.apply(o));
  }

  /** Creates the object, or replaces the stored one (keeping its uid) when it exists. */
  apply(object: ObjectInput): StoredObject {
    const r = resourceForKind(object.kind ?? '', object.apiVersion);
    const { resourceVersion: _rv, ...metadata } = object.metadata ?? {};
    const body = { ...object, metadata };
    const namespace = r.namespaced ? (metadata.namespace ?? 'default') : undefined;
    const current = this.store.get(r, namespace, String(metadata.name ?? ''));
    if (!current) return structuredClone(this.store.create(r, prepareNew(r, body, namespace)));
    return structuredClone(this.store.update(r, prepareReplacement(r, current, body, namespace, current.metadata.name)));
  }

  /** Deletes the object; returns it, or undefined when it did not exist. */
  remove(ref: ObjectRefInput): StoredObject | undefined {
    const r = resourceForKind(ref.kind, ref.apiVersion);
    const namespace = r.namespaced ? (ref.namespace ?? 'default') : undefined;
    if (!this.store.get(r, namespace, ref.name)) return undefined;
    return structuredClone(this.store.delete(r, namespace, ref.name));
  }

  get(ref: ObjectRefInput): StoredObject | undefined {
    const r = resourceForKind(ref.kind, ref.apiVersion);
    const found = this.store.get(r, r.namespaced ? (ref.namespace ?? 'default') : undefined, ref.name);
    return found && structuredClone(found);
  }

  list(kind: string, opts: { apiVersion?: string; namespace?: string } = {}): StoredObject[] {
    const r = resourceForKind(kind, opts.apiVersion);
    return this.store
      .list(r)
      .filter((o) => opts.namespace === undefined || o.metadata.namespace === opts.namespace)
      .map((o) => structuredClone(o));
  }

  /** Forgets the change history: older resourceVersions and continue tokens now answer 410. */
  compact(): void {
    this.store.compact();
  }

  // ---- misbehaviour ----

  failNext(rule: FailureRule): void {
    this.faults.failNext(rule);
  }

  /** Holds matching requests; returns a release function that lets held requests through. */
  hang(rule: HangRule): () => void {
    return this.faults.hang(rule);
  }

  /** Persistent RBAC denial (403 with the authorizer's message); returns an undo function. */
  forbid(rule: ForbidRule): () => void {
    return this.faults.forbid(rule);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Ends every open watch cleanly, as an apiserver restart or load balancer would. */
  closeWatches(): void {
    for (const w of [...this.watches]) w.stop();
  }

  // ---- request log ----

  count(match: RequestMatch = {}): number {
    return this.requests.filter((r) => matches(match, r)).length;
  }

  resetRequests(): void {
    this.requests.length = 0;
  }

  async close(): Promise<void> {
    this.isClosed = true;
    this.signalClosed();
    this.closeWatches();
    this.faults.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // ---- serving ----

  private target() {
    return { server: this.url, caPem: this.caPem, token: this.token };
  }

  private describe(req: IncomingMessage): RequestInfo {
    const url = new URL(req.url ?? '/', 'https://fake');
    const info: RequestInfo = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams) };
    const p = parseResourcePath(pathSegments(url.pathname));
    if (!p) return info;
    const verb = verbOf(info.method, p, info.query);
    return { ...info, ...p, ...(verb ? { verb } : {}) };
  }

  private record(info: RequestInfo, res: ServerResponse): void {
    const entry: RequestRecord = { method: info.method, path: info.path, query: info.query };
    if (info.verb) entry.verb = info.verb;
    if (info.resource) entry.resource = info.resource.plural;
    if (info.namespace !== undefined) entry.namespace = info.namespace;
    if (info.name !== undefined) entry.name = info.name;
    this.requests.push(entry);
    // Watches answer late and hung requests never do, so the status is captured when it is sent.
    const writeHead = res.writeHead.bind(res);
    res.writeHead = ((code: number, ...rest: never[]) => {
      entry.status = code;
      return writeHead(code, ...rest);
    }) as typeof res.writeHead;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const info = this.describe(req);
    this.record(info, res);
    try {
      if (req.headers.authorization !== `Bearer ${this.token}`) {
        return writeJson(res, 401, failure(401, 'Unauthorized', 'Unauthorized'));
      }
      const ticket = this.faults.takeHang(info);
      if (ticket && !(await this.wait(ticket, res))) return;
      const injected = this.faults.takeFailure(info, this.user);
      if (injected) {
        const headers: Record<string, string> = injected.retryAfterSeconds === undefined ? {} : { 'retry-after': String(injected.retryAfterSeconds) };
        return writeJson(res, injected.status.code, injected.status, headers);
      }
      await this.serve(req, res, info);
    } catch (err: unknown) {
      const status: StatusBody = err instanceof ApiError ? err.status : failure(500, 'InternalError', `Internal error occurred: ${String(err)}`);
      writeJson(res, status.code, status);
    }
  }

  private async serve(req: IncomingMessage, res: ServerResponse, info: RequestInfo): Promise<void> {
    const segments = pathSegments(info.path);
    if (['healthz', 'livez', 'readyz'].includes(segments[0] ?? '') && segments.length === 1) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return void res.end('ok');
    }
    const doc = discoveryDocument(segments, `127.0.0.1:${this.port}`);
    if (doc !== undefined && info.method === 'GET') return writeJson(res, 200, doc);
    const denied = this.faults.denial(info, this.user);
    if (denied) throw denied;
    const body = ['POST', 'PUT', 'PATCH'].includes(info.method) ? await readJsonBody(req) : undefined;
    const ctx = { store: this.store, query: info.query, body, contentType: req.headers['content-type'] ?? '' };
    const reply = dispatch(info, ctx, res, { bookmarkIntervalMs: this.bookmarkIntervalMs });
    if (isWatchHandle(reply)) {
      this.watches.add(reply);
      res.on('close', () => this.watches.delete(reply));
    } else writeJson(res, reply.code, reply.body);
  }

  /** Waits out a hang; false when the client went away or the server closed meanwhile. */
  private async wait(ticket: HangTicket, res: ServerResponse): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    let gone = false;
    const clientGone = new Promise<void>((resolve) =>
      res.once('close', () => {
        gone = true;
        resolve();
      }),
    );
    const elapsed = ticket.ms === undefined ? ticket.released : new Promise<void>((resolve) => (timer = setTimeout(resolve, ticket.ms)));
    await Promise.race([elapsed, ticket.released, clientGone, this.closed]);
    clearTimeout(timer);
    return !gone && !this.isClosed;
  }
}

export const startFakeApiServer = (opts?: FakeApiServerOptions): Promise<FakeApiServer> => FakeApiServer.start(opts);
