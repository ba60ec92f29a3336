import type { KubeObject } from './types.js';
import type { DecodedSecret } from './secrets.js';

/**
 * The answer to a cross-object question. `unknown` means the question could not be answered (a live lookup
 * failed or ran out of time): a rule that gets it reports a warning saying what it could not check.
 */
export type Lookup<T> =
  | { state: 'found'; value: T }
  | { state: 'absent' }
  | { state: 'unknown'; reason: string };

export const absent: Lookup<never> = Object.freeze({ state: 'absent' });
export function found<T>(value: T): Lookup<T> {
  return { state: 'found', value };
}
export function unknown(reason: string): Lookup<never> {
  return { state: 'unknown', reason };
}

/**
 * Everything a rule may know beyond the object it judges. Three implementations: a set of manifests (`check`),
 * the live cluster (webhook, audit), and the object under review laid over either (admission).
 *
 * Every method is synchronous so rules stay pure functions; the live world fetches what a review will need
 * before the rules run. A World is a view of one moment (one is made per review, per `check`, per audit run),
 * so what is worked out from one may be remembered for as long as that World lives.
 */
export interface World {
  /**
   * `manifests`: a set of files, possibly partial (an object missing from it may live elsewhere).
   * `cluster`: the live cluster (an object missing from it may simply not be created yet).
   * Either way a missing object is a reason to warn, never to deny.
   */
  readonly source: 'manifests' | 'cluster';
  /** Namespace given to namespaced objects that carry none (kubectl's and helm's default). */
  readonly defaultNamespace: string;
  get(kind: string, namespace: string | undefined, name: string): Lookup<KubeObject>;
  /** Every object of a kind, optionally in one namespace. */
  list(kind: string, namespace?: string): readonly KubeObject[];
  /** A Secret, decoded: `data` base64-decoded, `stringData` laid over it as the API server does. */
  secret(namespace: string, name: string): Lookup<DecodedSecret>;
  /** RoleBindings and ClusterRoleBindings whose subjects include this ServiceAccount. */
  bindingsForServiceAccount(namespace: string, name: string): readonly KubeObject[];
  /** Datadog workloads (node Agent, Cluster Agent, cluster-checks runner) and DatadogAgents. */
  datadogWorkloads(namespace?: string): readonly KubeObject[];
}
