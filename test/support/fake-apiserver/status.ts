// metav1.Status failures shaped as kube-apiserver writes them, so clients parse real bodies.
import { qualifiedName, type ResourceDef } from './resources.js';

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  retryAfterSeconds?: number;
}

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

const DEFAULT_REASON: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Expired',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

const DEFAULT_MESSAGE: Record<number, string> = {
  401: 'Unauthorized',
  429: 'Too many requests, please try again later.',
  500: 'Internal error occurred: injected failure',
  503: 'the server is currently unable to handle the request',
  504: 'Timeout: request did not complete within requested timeout - context deadline exceeded',
};

export const defaultReason = (code: number): string => DEFAULT_REASON[code] ?? 'Unknown';
export const defaultMessage = (code: number): string => DEFAULT_MESSAGE[code] ?? `injected ${code} failure`;

/** Thrown by handlers; the router turns it into a Status response. */
export class ApiError extends Error {
  readonly code = 'FAKE_APISERVER_STATUS';
  constructor(readonly status: StatusBody) {
    super(status.message);
  }
}

export function failure(code: number, reason: string, message: string, details?: StatusDetails): StatusBody {
  // Same key order as the real server's output.
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

export function success(r: ResourceDef, name: string, uid: string): StatusBody {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { ...detailsOf(r, name), uid }, code: 200 };
}

export function detailsOf(r: ResourceDef, name?: string): StatusDetails {
  const d: StatusDetails = {};
  if (name !== undefined) d.name = name;
  if (r.group) d.group = r.group;
  d.kind = r.plural;
  return d;
}

const named = (r: ResourceDef, name: string) => `${qualifiedName(r)} "${name}"`;

export const notFound = (r: ResourceDef, name: string) =>
  new ApiError(failure(404, 'NotFound', `${named(r, name)} not found`, detailsOf(r, name)));

export const alreadyExists = (r: ResourceDef, name: string) =>
  new ApiError(failure(409, 'AlreadyExists', `${named(r, name)} already exists`, detailsOf(r, name)));

export const conflict = (r: ResourceDef, name: string) =>
  new ApiError(
    failure(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${named(r, name)}: the object has been modified; please apply your changes to the latest version and try again`,
      detailsOf(r, name),
    ),
  );

export const invalid = (r: ResourceDef, name: string, cause: string) =>
  new ApiError(failure(422, 'Invalid', `${r.kind} "${name}" is invalid: ${cause}`, detailsOf(r, name)));

export const badRequest = (message: string) => new ApiError(failure(400, 'BadRequest', message));

export const expired = (message: string) => new ApiError(failure(410, 'Expired', message));

export const pathNotFound = () =>
  new ApiError(failure(404, 'NotFound', 'the server could not find the requested resource', { }));

export const methodNotAllowed = () =>
  new ApiError(failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'));

export interface AccessAttributes {
  user: string;
  verb: string;
  resource: ResourceDef;
  namespace?: string | undefined;
  name?: string | undefined;
}

/** The RBAC authorizer's wording, e.g. `secrets "x" is forbidden: User "u" cannot get resource ...`. */
export function forbiddenMessage(a: AccessAttributes): string {
  const subject = a.name ? named(a.resource, a.name) : qualifiedName(a.resource);
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  return `${subject} is forbidden: User "${a.user}" cannot ${a.verb} resource "${a.resource.plural}" in API group "${a.resource.group}" ${scope}`;
}

export const forbidden = (a: AccessAttributes) =>
  new ApiError(failure(403, 'Forbidden', forbiddenMessage(a), detailsOf(a.resource, a.name)));
