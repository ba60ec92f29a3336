// Kubeconfig files and in-memory KubeConfigs pointing at a test API server: one cluster trusting the
// server's CA by certificate-authority-data, one bearer-token user, one context.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';

export interface KubeconfigTarget {
  server: string;
  caPem: string;
  token: string;
}

export interface KubeconfigOptions {
  /** Context (and cluster/user) name; default `fake`. */
  context?: string;
  /** Bearer token; default the server's own, pass another to exercise 401s. */
  token?: string;
  /** Default namespace of the context. */
  namespace?: string;
  /** File name inside the directory; default `kubeconfig-<context>.yaml`. */
  fileName?: string;
}

export function kubeconfigYaml(target: KubeconfigTarget, opts: KubeconfigOptions = {}): string {
  const name = opts.context ?? 'fake';
  const context: Record<string, string> = { cluster: name, user: name };
  if (opts.namespace !== undefined) context['namespace'] = opts.namespace;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name,
        cluster: { server: target.server, 'certificate-authority-data': Buffer.from(target.caPem).toString('base64') },
      },
    ],
    users: [{ name, user: { token: opts.token ?? target.token } }],
    contexts: [{ name, context }],
    'current-context': name,
  });
}

/** Writes the kubeconfig into `dir` and returns its path. */
export function writeKubeconfig(dir: string, target: KubeconfigTarget, opts: KubeconfigOptions = {}): string {
  const path = join(dir, opts.fileName ?? `kubeconfig-${opts.context ?? 'fake'}.yaml`);
  writeFileSync(path, kubeconfigYaml(target, opts), { mode: 0o600 });
  return path;
}

/** The same configuration, loaded without touching the disk. */
export function kubeConfigFor(target: KubeconfigTarget, opts: KubeconfigOptions = {}): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfigYaml(target, opts));
  return kc;
}
