import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeError } from './errors.js';

export interface KubeConfigOptions {
  /** A kubeconfig file; default $KUBECONFIG, then in-cluster config, then ~/.kube/config. */
  kubeconfig?: string;
  context?: string;
  env?: Readonly<Record<string, string | undefined>>;
}

const IN_CLUSTER_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** Whether ddguard runs in a pod (the service-account token is mounted and the service env is set). */
export function inCluster(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  return Boolean(env.KUBERNETES_SERVICE_HOST) && existsSync(IN_CLUSTER_TOKEN);
}

/**
 * Loads the cluster connection: an explicit --kubeconfig wins, then $KUBECONFIG, then the in-cluster
 * service account, then ~/.kube/config. Fails with a KubeError saying which one was missing.
 */
export function loadKubeConfig(options: KubeConfigOptions = {}): KubeConfig {
  const env = options.env ?? process.env;
  const kc = new KubeConfig();
  let source = 'the in-cluster service account';
  const explicit = options.kubeconfig ?? firstPath(env.KUBECONFIG);
  if (explicit !== undefined) {
    if (!existsSync(explicit)) throw new KubeError('DDG_KUBECONFIG_MISSING', `kubeconfig not found: ${explicit}`);
    source = explicit;
    readKubeConfig(explicit, () => kc.loadFromFile(explicit));
  } else if (inCluster(env)) {
    readKubeConfig(source, () => kc.loadFromCluster());
  } else {
    const home = join(env.HOME ?? homedir(), '.kube', 'config');
    if (!existsSync(home)) {
      throw new KubeError('DDG_KUBECONFIG_MISSING', `no cluster configuration: not running in a pod, $KUBECONFIG is unset and ${home} does not exist; pass --kubeconfig`);
    }
    source = home;
    readKubeConfig(home, () => kc.loadFromFile(home));
  }
  if (options.context !== undefined) {
    if (!kc.getContextObject(options.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new KubeError('DDG_KUBE_CONTEXT_UNKNOWN', `unknown context "${options.context}"; the kubeconfig has: ${known.join(', ') || '(none)'}`);
    }
    kc.setCurrentContext(options.context);
  }
  if (!kc.getCurrentCluster()) throw noCurrentCluster(kc, source);
  return kc;
}

/** client-node throws js-yaml's multi-line YAMLException, or a bare Error for a missing field: one line instead. */
function readKubeConfig(source: string, load: () => void): void {
  try {
    load();
  } catch (error: unknown) {
    const yaml = error as { reason?: unknown; mark?: { line?: unknown } };
    const reason = typeof yaml.reason === 'string'
      ? `invalid YAML${typeof yaml.mark?.line === 'number' ? ` at line ${yaml.mark.line + 1}` : ''}: ${yaml.reason}`
      // An empty file or a scalar: client-node reads fields of undefined.
      : error instanceof TypeError ? 'not a kubeconfig (expected a YAML mapping with clusters, users and contexts)'
      : (error instanceof Error ? error.message : String(error)).split('\n')[0];
    throw new KubeError('DDG_KUBECONFIG_INVALID', `cannot read the kubeconfig ${source}: ${reason}`, { cause: error });
  }
}

function noCurrentCluster(kc: KubeConfig, source: string): KubeError {
  const contexts = kc.getContexts().map((c) => c.name);
  const known = contexts.length ? `; its contexts: ${contexts.join(', ')}` : '; it has no contexts';
  const current = kc.getCurrentContext();
  const why = !current
    ? `the kubeconfig ${source} sets no current-context`
    : kc.getContextObject(current)
      ? `the current context "${current}" of the kubeconfig ${source} names a cluster it does not have`
      : `the current context "${current}" is not in the kubeconfig ${source}`;
  return new KubeError('DDG_KUBECONFIG_INVALID', `${why}${known}; pass --context NAME`);
}

/** $KUBECONFIG may list several files; client-node reads one, so take the first that exists. */
function firstPath(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const paths = value.split(':').filter(Boolean);
  return paths.find((p) => existsSync(p)) ?? paths[0];
}
