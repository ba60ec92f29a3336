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
  const explicit = options.kubeconfig ?? firstPath(env.KUBECONFIG);
  if (explicit !== undefined) {
    if (!existsSync(explicit)) throw new KubeError('DDG_KUBECONFIG_MISSING', `kubeconfig not found: ${explicit}`);
    kc.loadFromFile(explicit);
  } else if (inCluster(env)) {
    kc.loadFromCluster();
  } else {
    const home = join(env.HOME ?? homedir(), '.kube', 'config');
    if (!existsSync(home)) {
      throw new KubeError('DDG_KUBECONFIG_MISSING', `no cluster configuration: not running in a pod, $KUBECONFIG is unset and ${home} does not exist; pass --kubeconfig`);
    }
    kc.loadFromFile(home);
  }
  if (options.context !== undefined) {
    if (!kc.getContextObject(options.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new KubeError('DDG_KUBE_CONTEXT_UNKNOWN', `unknown context "${options.context}"; the kubeconfig has: ${known.join(', ') || '(none)'}`);
    }
    kc.setCurrentContext(options.context);
  }
  if (!kc.getCurrentCluster()) throw new KubeError('DDG_KUBECONFIG_MISSING', 'the kubeconfig names no current context with a cluster; pass --context');
  return kc;
}

/** $KUBECONFIG may list several files; client-node reads one, so take the first that exists. */
function firstPath(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const paths = value.split(':').filter(Boolean);
  return paths.find((p) => existsSync(p)) ?? paths[0];
}
