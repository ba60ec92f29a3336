/** Why the audit (or the live world) could not talk to the cluster; each code is a distinct user fix. */
export type KubeErrorCode =
  | 'DDG_KUBECONFIG_MISSING'
  | 'DDG_KUBECONFIG_INVALID'
  | 'DDG_KUBE_CONTEXT_UNKNOWN'
  | 'DDG_KUBE_UNREACHABLE'
  | 'DDG_KUBE_FORBIDDEN'
  | 'DDG_KUBE_UNAUTHORIZED'
  | 'DDG_KUBE_API';

export class KubeError extends Error {
  constructor(
    readonly code: KubeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'KubeError';
  }
}

/** What a request was doing, so a failure can name it. */
export interface RequestDescription {
  verb: string;
  /** Plural resource, with its group when it has one: `clusterroles.rbac.authorization.k8s.io`. */
  resource: string;
  namespace?: string;
  server?: string;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN']);

/** Turns whatever client-node threw into a KubeError that says what to fix. */
export function toKubeError(error: unknown, what: RequestDescription): KubeError {
  if (error instanceof KubeError) return error;
  const where = what.namespace ? ` in namespace "${what.namespace}"` : '';
  const status = statusOf(error);
  if (status?.code === 403) {
    return new KubeError(
      'DDG_KUBE_FORBIDDEN',
      `permission missing: cannot ${what.verb} ${what.resource}${where}` + (status.message ? ` (${status.message})` : '') +
        `. Grant the "${what.verb}" verb on "${what.resource}" to the identity ddguard runs as.`,
      { cause: error },
    );
  }
  if (status?.code === 401) {
    return new KubeError('DDG_KUBE_UNAUTHORIZED', `the API server rejected the credentials (401 Unauthorized) on ${what.verb} ${what.resource}`, { cause: error });
  }
  if (status) {
    return new KubeError('DDG_KUBE_API', `${what.verb} ${what.resource}${where} failed: HTTP ${status.code}${status.message ? ` ${status.message}` : ''}`, { cause: error });
  }
  const code = networkCodeOf(error);
  const server = what.server ? ` at ${what.server}` : '';
  const detail = error instanceof Error ? error.message : String(error);
  if (code !== undefined || /fetch failed|socket|connect/i.test(detail)) {
    return new KubeError('DDG_KUBE_UNREACHABLE', `cannot reach the Kubernetes API server${server} (${code ?? detail}); check the kubeconfig's server address and your network`, { cause: error });
  }
  return new KubeError('DDG_KUBE_API', `${what.verb} ${what.resource}${where} failed: ${detail}`, { cause: error });
}

/** HTTP status of a client-node ApiException, with the Status body's message when there is one. */
export function statusOf(error: unknown): { code: number; message?: string } | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = (error as { code: unknown }).code;
  if (typeof code !== 'number') return undefined;
  const raw = (error as { body?: unknown }).body;
  let body: unknown = raw;
  if (typeof raw === 'string') {
    try {
      body = JSON.parse(raw);
    } catch {
      body = undefined;
    }
  }
  const message = typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string' ? (body as { message: string }).message : undefined;
  return message === undefined ? { code } : { code, message };
}

/** A network error code anywhere along the cause chain (fetch wraps the socket error). */
function networkCodeOf(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
