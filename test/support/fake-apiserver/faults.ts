// Test-side misbehaviour: injected failures, hanging requests and RBAC denials. Each rule matches
// requests by method, path prefix, verb and resource, whichever are given.
import type { ResourceDef } from './resources.js';
import { defaultMessage, defaultReason, detailsOf, failure, forbidden, forbiddenMessage, type ApiError, type StatusBody } from './status.js';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

/** What the router learned about a request; `resource` is absent for discovery and unknown paths. */
export interface RequestInfo {
  method: string;
  path: string;
  query: Record<string, string>;
  verb?: Verb;
  resource?: ResourceDef;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export interface RequestMatch {
  method?: string;
  pathPrefix?: string;
  verb?: Verb;
  /** Plural resource name, e.g. `secrets`. */
  resource?: string;
  namespace?: string;
}

export interface FailureRule extends RequestMatch {
  status: number;
  reason?: string;
  message?: string;
  /** How many matching requests fail; default 1. */
  times?: number;
  /** Sent as Retry-After (and details.retryAfterSeconds), e.g. with 429. */
  retryAfterSeconds?: number;
}

export interface HangRule extends RequestMatch {
  /** Delay before the request is served normally; omitted = until released, aborted or closed. */
  ms?: number;
  /** How many matching requests hang; default: all until released. */
  times?: number;
}

export interface ForbidRule {
  verb: Verb | '*';
  /** Plural resource name, e.g. `secrets`, or '*'. */
  resource: string;
  group?: string;
  namespace?: string;
  name?: string;
}

/** The request fields a RequestMatch looks at; `resource` is the plural name. */
export interface MatchableRequest {
  method: string;
  path: string;
  verb?: Verb;
  resource?: string;
  namespace?: string;
}

export function matches(m: RequestMatch, req: MatchableRequest): boolean {
  return (
    (m.method === undefined || m.method.toUpperCase() === req.method) &&
    (m.pathPrefix === undefined || req.path.startsWith(m.pathPrefix)) &&
    (m.verb === undefined || m.verb === req.verb) &&
    (m.resource === undefined || m.resource === req.resource) &&
    (m.namespace === undefined || m.namespace === req.namespace)
  );
}

function matchable(info: RequestInfo): MatchableRequest {
  const m: MatchableRequest = { method: info.method, path: info.path };
  if (info.verb) m.verb = info.verb;
  if (info.resource) m.resource = info.resource.plural;
  if (info.namespace !== undefined) m.namespace = info.namespace;
  return m;
}

function forbidMatches(f: ForbidRule, info: RequestInfo): boolean {
  const r = info.resource;
  return (
    r !== undefined &&
    (f.verb === '*' || f.verb === info.verb) &&
    (f.resource === '*' || f.resource === r.plural) &&
    (f.group === undefined || f.group === r.group) &&
    (f.namespace === undefined || f.namespace === info.namespace) &&
    (f.name === undefined || f.name === info.name)
  );
}

interface Counted<T> {
  rule: T;
  remaining: number;
}

export interface HangTicket {
  ms?: number;
  /** Resolves when the rule is released, so "forever" hangs can be let through. */
  released: Promise<void>;
}

export class Faults {
  private failures: Counted<FailureRule>[] = [];
  private hangs: (Counted<HangRule> & { release: () => void; released: Promise<void> })[] = [];
  private forbids: ForbidRule[] = [];

  failNext(rule: FailureRule): void {
    this.failures.push({ rule, remaining: rule.times ?? 1 });
  }

  /** Returns a release function: the rule stops matching and held requests proceed. */
  hang(rule: HangRule): () => void {
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const entry = { rule, remaining: rule.times ?? Infinity, release, released };
    this.hangs.push(entry);
    return () => {
      this.hangs = this.hangs.filter((h) => h !== entry);
      entry.release();
    };
  }

  /** Returns an undo function. */
  forbid(rule: ForbidRule): () => void {
    this.forbids.push(rule);
    return () => {
      this.forbids = this.forbids.filter((f) => f !== rule);
    };
  }

  clear(): void {
    for (const h of this.hangs) h.release();
    this.failures = [];
    this.hangs = [];
    this.forbids = [];
  }

  takeHang(info: RequestInfo): HangTicket | undefined {
    const entry = this.hangs.find((h) => h.remaining > 0 && matches(h.rule, matchable(info)));
    if (!entry) return undefined;
    entry.remaining--;
    return entry.rule.ms === undefined ? { released: entry.released } : { ms: entry.rule.ms, released: entry.released };
  }

  takeFailure(info: RequestInfo, user: string): { status: StatusBody; retryAfterSeconds?: number } | undefined {
    const entry = this.failures.find((f) => f.remaining > 0 && matches(f.rule, matchable(info)));
    if (!entry) return undefined;
    if (--entry.remaining <= 0) this.failures = this.failures.filter((f) => f !== entry);
    const { status: code, reason, message, retryAfterSeconds } = entry.rule;
    const text = message ?? (code === 403 ? this.deniedText(info, user) : undefined) ?? defaultMessage(code);
    const details = info.resource ? detailsOf(info.resource, info.name) : {};
    if (retryAfterSeconds !== undefined) details.retryAfterSeconds = retryAfterSeconds;
    const status = failure(code, reason ?? defaultReason(code), text, details);
    return retryAfterSeconds === undefined ? { status } : { status, retryAfterSeconds };
  }

  /** The authorizer's 403 when a forbid rule denies this request, else undefined. */
  denial(info: RequestInfo, user: string): ApiError | undefined {
    const { resource, verb } = info;
    if (!resource || !verb || !this.forbids.some((f) => forbidMatches(f, info))) return undefined;
    return forbidden({ user, verb, resource, namespace: info.namespace, name: info.name });
  }

  private deniedText(info: RequestInfo, user: string): string | undefined {
    if (!info.resource || !info.verb) return undefined;
    return forbiddenMessage({ user, verb: info.verb, resource: info.resource, namespace: info.namespace, name: info.name });
  }
}
