import type { KubeObject } from './types.js';

/** The AdmissionReview versions the webhook speaks; it answers in the version it was sent. */
export const REVIEW_API_VERSIONS = ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'] as const;
export type ReviewApiVersion = (typeof REVIEW_API_VERSIONS)[number];

export const OPERATIONS = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** The fields of `request` ddguard reads (admission.md §1). */
export interface AdmissionRequest {
  uid: string;
  kind: GroupVersionKind;
  resource?: { group: string; version: string; resource: string };
  subResource?: string;
  name?: string;
  namespace?: string;
  operation: Operation;
  userInfo?: { username?: string; uid?: string; groups?: string[] };
  /** null on DELETE. */
  object?: KubeObject | null;
  /** null on CREATE and CONNECT. */
  oldObject?: KubeObject | null;
  dryRun?: boolean;
  options?: unknown;
}

export interface AdmissionReview {
  apiVersion: ReviewApiVersion;
  kind: 'AdmissionReview';
  request: AdmissionRequest;
}

/** A metav1.Status: how a denial reads in kubectl (`Error from server (Forbidden): …`). */
export interface DenialStatus {
  code: 403;
  reason: 'Forbidden';
  message: string;
}

export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: DenialStatus;
  warnings?: string[];
  /** Recorded by the API server in its audit log as `<webhook name>/<key>`. */
  auditAnnotations?: Record<string, string>;
}

export interface AdmissionReviewResponse {
  apiVersion: ReviewApiVersion;
  kind: 'AdmissionReview';
  response: AdmissionResponse;
}

const objectOrNull = { anyOf: [{ type: 'null' }, { type: 'object' }] } as const;

/**
 * The shape a review must have before the handler reads it. Loose where the API server adds fields over
 * time, strict where the answer depends on a field: uid, kind, operation, and the object the operation needs.
 */
export const ADMISSION_REVIEW_SCHEMA = {
  $id: 'https://ddguard.io/schemas/admission-review.json',
  type: 'object',
  required: ['apiVersion', 'kind', 'request'],
  properties: {
    apiVersion: { enum: [...REVIEW_API_VERSIONS] },
    kind: { const: 'AdmissionReview' },
    request: {
      type: 'object',
      required: ['uid', 'kind', 'operation'],
      properties: {
        uid: { type: 'string', minLength: 1 },
        kind: {
          type: 'object',
          required: ['kind'],
          properties: {
            group: { type: 'string' },
            version: { type: 'string' },
            kind: { type: 'string', minLength: 1 },
          },
        },
        subResource: { type: 'string' },
        name: { type: 'string' },
        namespace: { type: 'string' },
        operation: { enum: [...OPERATIONS] },
        userInfo: {
          type: 'object',
          properties: { username: { type: 'string' }, groups: { type: 'array', items: { type: 'string' } } },
        },
        object: objectOrNull,
        oldObject: objectOrNull,
        dryRun: { type: 'boolean' },
      },
      // An UPDATE is judged on its new object. A DELETE is judged on `oldObject` when there is one; an API
      // server that leaves it out gets an allow rather than a 400, which would block every deletion.
      if: { properties: { operation: { enum: ['CREATE', 'UPDATE'] } } },
      then: { required: ['object'], properties: { object: { type: 'object' } } },
    },
  },
} as const;
