import type { Engine } from '../engine/engine.js';
import type { Finding } from '../engine/types.js';
import { loggedValue } from '../logging/request-values.js';
import { conformObject, type NonconformingField } from '../kube-model/conform.js';
import type { KubeObject, ObjectRef } from '../kube-model/types.js';
import { memoScope } from '../kube-model/memo.js';
import { overlayWorld } from '../world/overlay.js';
import type { AdmissionRequest, AdmissionReview, AdmissionReviewResponse, AdmissionResponse } from '../kube-model/admission-review.js';
import type { WebhookConfig } from './config.js';
import { deadlineFor, type Deadline, type DeadlinePolicy } from '../world/deadline.js';
import { decide, type Decision } from './decision.js';
import { scrub, secretValuesIn } from './scrub.js';
import { UnknownWorld } from '../world/unknown-world.js';
import type { PreparedWorld, WorldProvider } from '../world/world-provider.js';

export interface ReviewDeps {
  engine: Engine;
  worldProvider: WorldProvider;
  config: WebhookConfig;
  deadlinePolicy?: DeadlinePolicy;
}

/** Why a request was answered the way it was, before or after the rules ran. */
export type ReviewPath = 'own-service-account' | 'not-judged' | 'exempt-namespace' | 'nothing-to-judge' | 'judged';

export interface ReviewOutcome {
  response: AdmissionReviewResponse;
  path: ReviewPath;
  /** Every finding, exempted ones included (for the log and metrics). */
  findings: Finding[];
  decision: Decision;
  lookupFailures: readonly string[];
}

/**
 * Answers one AdmissionReview, in a fixed order (the body was validated by the caller):
 * 1. the webhook's own ServiceAccount is allowed;
 * 2. CONNECT, subresources, objects being deleted and kinds no rule covers are allowed;
 * 3. exempt namespaces are allowed (the caller logs it);
 * 4. the world is prepared within the request's deadline, and the object under review laid over it;
 * 5. the object's own rules and the rules its change can break elsewhere run;
 * 6. the findings become the decision, answered in the version received.
 */
export async function reviewAdmission(sent: AdmissionReview, deps: ReviewDeps, timeout?: string): Promise<ReviewOutcome> {
  const { review, nonconforming } = conformReview(sent);
  const request = review.request;
  const early = skipReason(request, deps);
  if (early) return answer(review, early, [], [], deps.config);

  const deadline = deadlineFor(timeout, deps.deadlinePolicy);
  const prepared = await prepareWithin(deps.worldProvider, request, deadline);
  const object = withRequestIdentity(request.object, request);
  const oldObject = withRequestIdentity(request.oldObject, request);
  const changed = [object, oldObject].filter((o): o is KubeObject => o !== undefined);
  // One memo scope for the overlay and both engine calls: what indexing the object works out (its component),
  // and what its own rules work out, the rest reuse.
  const findings = memoScope(() => {
    const world = overlayWorld(prepared.world, { operation: request.operation, object: object ?? null, oldObject: oldObject ?? null });
    return [
      ...(request.operation === 'DELETE' || !object ? [] : deps.engine.evaluate(object, world, { creating: request.operation === 'CREATE' })),
      // RBAC only ever adds: creating a role, binding or ServiceAccount cannot take a grant away, so only an
      // UPDATE or DELETE is judged by what it breaks elsewhere (a CREATE may only reveal what was missing).
      ...(request.operation === 'CREATE' ? [] : deps.engine.evaluateImpact(changed, world, prepared.world)),
    ];
  });
  const outcome = answer(review, 'judged', dedupe(findings), prepared.lookupFailures, deps.config);
  if (nonconforming.length) {
    const warnings = outcome.response.response.warnings ?? [];
    outcome.response.response.warnings = [...warnings, nonconformingWarning(nonconforming)];
  }
  return outcome;
}

/** The review with its objects' wrongly typed fields left out (src/kube-model/conform.ts), and those fields. */
function conformReview(review: AdmissionReview): { review: AdmissionReview; nonconforming: NonconformingField[] } {
  const nonconforming: NonconformingField[] = [];
  const conformed = (object: KubeObject) => {
    const result = conformObject(object);
    nonconforming.push(...result.nonconforming);
    return result.object;
  };
  const request: AdmissionRequest = { ...review.request };
  if (request.object) request.object = conformed(request.object);
  if (request.oldObject) request.oldObject = conformed(request.oldObject);
  return { review: { ...review, request }, nonconforming };
}

const SHOWN_FIELDS = 3;
const SHOWN_PATH_CHARS = 120;

/** One warning for every field judged as unknown: the first few paths, cut short, never their values. */
function nonconformingWarning(fields: readonly NonconformingField[]): string {
  const shown = fields.slice(0, SHOWN_FIELDS).map((f) => {
    const path = f.path.length > SHOWN_PATH_CHARS ? `${f.path.slice(0, SHOWN_PATH_CHARS)}…` : f.path;
    return `${path} (${f.found}, expected ${f.expected})`;
  });
  const more = fields.length > SHOWN_FIELDS ? ` and ${fields.length - SHOWN_FIELDS} more` : '';
  return `ddguard could not judge ${fields.length === 1 ? 'a field' : `${fields.length} fields`} of this object, whose type is not the one Kubernetes gives it: ${shown.join(', ')}${more}. Those fields were judged as unknown.`;
}

function skipReason(request: AdmissionRequest, deps: ReviewDeps): ReviewPath | undefined {
  const own = deps.config.ownServiceAccount;
  if (own && request.userInfo?.username === own) return 'own-service-account';
  if (request.operation === 'CONNECT' || request.subResource) return 'not-judged';
  if (!deps.engine.judges(request.kind.kind)) return 'not-judged';
  // Finalizers being removed from an object on its way out: blocking that would block the deletion.
  if (request.operation === 'UPDATE' && request.object?.metadata && 'deletionTimestamp' in request.object.metadata) {
    return 'not-judged';
  }
  if (request.namespace && deps.config.exemptNamespaces.includes(request.namespace)) return 'exempt-namespace';
  if (request.operation === 'DELETE' && !request.oldObject) return 'nothing-to-judge';
  return undefined;
}

/**
 * The provider's world, or, when it fails or outlives the deadline, a world where every lookup is unknown:
 * the review still gets an answer in time and the failure decides through `lookupFailure`.
 */
async function prepareWithin(provider: WorldProvider, request: AdmissionRequest, deadline: Deadline): Promise<PreparedWorld> {
  const budget = deadline.remainingMs();
  const failed = (reason: string): PreparedWorld => ({ world: new UnknownWorld(reason), lookupFailures: [reason] });
  let pending: PreparedWorld | Promise<PreparedWorld>;
  try {
    pending = provider.prepare(request, deadline);
  } catch (error: unknown) {
    return failed(`the cluster lookup failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  // A fixed world is there already: no race, no timer.
  if (!(pending instanceof Promise)) return pending;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<PreparedWorld>((resolve) => {
    timer = setTimeout(() => resolve(failed(`the cluster did not answer within ${budget} ms`)), budget);
  });
  const prepared = pending.catch((error: unknown) => failed(`the cluster lookup failed: ${error instanceof Error ? error.message : String(error)}`));
  try {
    return await Promise.race([prepared, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** The object as the request names it: a namespaced object sent without a namespace still has one. */
function withRequestIdentity(object: KubeObject | null | undefined, request: AdmissionRequest): KubeObject | undefined {
  if (!object) return undefined;
  const metadata = { ...object.metadata };
  if (!metadata.namespace && request.namespace) metadata.namespace = request.namespace;
  if (!metadata.name && request.name) metadata.name = request.name;
  return { ...object, metadata };
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = JSON.stringify([f.ruleId, f.object.kind, f.object.namespace, f.object.name, f.path, f.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function answer(
  review: AdmissionReview,
  path: ReviewPath,
  findings: Finding[],
  lookupFailures: readonly string[],
  config: WebhookConfig,
): ReviewOutcome {
  const request = review.request;
  const decision = decide({ subject: subjectOf(request), findings, lookupFailures, config });
  const response: AdmissionResponse = { uid: request.uid, allowed: decision.allowed };
  const annotations = Object.entries(decision.auditAnnotations);
  if (decision.message || decision.warnings.length || annotations.length) {
    // Only text going back needs the scrub; most reviews answer a bare "allowed".
    const secrets = secretValuesIn([request.object, request.oldObject]);
    if (decision.message) response.status = { code: 403, reason: 'Forbidden', message: scrub(decision.message, secrets) };
    if (decision.warnings.length) response.warnings = decision.warnings.map((w) => scrub(w, secrets));
    if (annotations.length) response.auditAnnotations = Object.fromEntries(annotations.map(([key, value]) => [key, scrub(value, secrets)]));
  }
  return {
    response: { apiVersion: review.apiVersion, kind: 'AdmissionReview', response },
    path,
    findings,
    decision,
    lookupFailures,
  };
}

function subjectOf(request: AdmissionRequest): ObjectRef {
  const object = request.object ?? request.oldObject;
  const { group, version, kind } = request.kind;
  const ref: ObjectRef = {
    apiVersion: group ? `${group}/${version}` : version,
    kind,
    name: request.name || object?.metadata?.name || object?.metadata?.generateName || '',
  };
  if (request.namespace) ref.namespace = request.namespace;
  return ref;
}

/**
 * The fields of the one log line per admission: names and ids, never objects. The client chooses them, so each
 * goes through `redact` and is cut short (src/logging/request-values.ts).
 */
export function admissionLogFields(request: AdmissionRequest, redact: (text: string) => string): Record<string, unknown> {
  const metadata: unknown = request.object?.metadata;
  const generateName = metadata && typeof metadata === 'object' ? (metadata as Record<string, unknown>)['generateName'] : undefined;
  return {
    uid: loggedValue(request.uid, redact),
    kind: loggedValue(request.kind.kind, redact),
    namespace: loggedValue(request.namespace, redact),
    name: loggedValue(request.name || generateName, redact),
    operation: request.operation,
    dryRun: request.dryRun ?? false,
  };
}
