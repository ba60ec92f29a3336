import { load } from 'js-yaml';
import { isRecord } from '../kube-model/types.js';
import type { World } from '../kube-model/world.js';
import type { DatadogWorkload } from './components.js';
import type { MainContainer } from './component-settings.js';

/** A check config found in a ConfigMap mounted into the container's conf.d. */
export interface CheckConfig {
  check: string;
  /** `cluster_check: true` dispatches the check to cluster-checks runners; `undefined` when unreadable. */
  clusterCheck: boolean | undefined;
  source: string;
}

/** Check configs the container gets from ConfigMaps mounted under a `conf.d` directory. */
export function mountedCheckConfigs(workload: DatadogWorkload, main: MainContainer, world: World): { configs: CheckConfig[]; unreadable: string[] } {
  const found: { configs: CheckConfig[]; unreadable: string[] } = { configs: [], unreadable: [] };
  const volumes = Array.isArray(workload.template.spec.volumes) ? workload.template.spec.volumes : [];
  for (const mount of Array.isArray(main.container.volumeMounts) ? main.container.volumeMounts : []) {
    if (!/(^|\/)conf\.d(\/|$)/.test(mount?.mountPath ?? '')) continue;
    const volume = volumes.find((v) => v?.name === mount.name);
    const configMapRef = isRecord(volume?.['configMap']) ? volume['configMap'] : undefined;
    if (configMapRef && typeof configMapRef['name'] === 'string' && configMapRef['name']) {
      readMountedConfigMap(workload, world, mount.mountPath, configMapRef, configMapRef['name'], found);
    }
  }
  return found;
}

/** The check configs of one mounted ConfigMap; with the ConfigMap unreadable, the checks its paths name. */
function readMountedConfigMap(
  workload: DatadogWorkload,
  world: World,
  mountPath: string,
  configMapRef: Record<string, unknown>,
  name: string,
  found: { configs: CheckConfig[]; unreadable: string[] },
): void {
  const source = `ConfigMap ${workload.namespace}/${name}`;
  const directoryCheck = directoryCheckOf(mountPath);
  const items = itemsOf(configMapRef);
  const configMap = world.get('ConfigMap', workload.namespace, name);
  const data = configMap.state === 'found' && isRecord(configMap.value['data']) ? configMap.value['data'] : undefined;
  if (!data) {
    const known = directoryCheck ? [directoryCheck] : checksNamedByPaths(items ?? []);
    if (known.length === 0) found.unreadable.push(source);
    for (const check of known) found.configs.push({ check, clusterCheck: undefined, source });
    return;
  }
  for (const { key, path } of items ?? Object.keys(data).map((key) => ({ key, path: key }))) {
    const check = directoryCheck ?? checkOfFile(path);
    const text = data[key];
    if (check && typeof text === 'string') found.configs.push({ check, clusterCheck: clusterCheckOf(text), source: `${source} key ${key}` });
  }
}

/** `/etc/datadog-agent/conf.d/kubernetes_state_core.d` holds one check's files; `/conf.d` holds several. */
function directoryCheckOf(mountPath: string): string | undefined {
  const directory = /\/([^/]+)\.d\/?$/.exec(mountPath)?.[1];
  return directory && directory !== 'conf' ? directory : undefined;
}

/** A ConfigMap volume's `items` (key → path), or undefined when every key is mounted under its own name. */
function itemsOf(configMapRef: Record<string, unknown>): { key: string; path: string }[] | undefined {
  if (!Array.isArray(configMapRef['items'])) return undefined;
  return (configMapRef['items'] as unknown[]).filter(isRecord).map((i) => ({ key: String(i['key']), path: String(i['path'] ?? i['key']) }));
}

function checksNamedByPaths(items: readonly { path: string }[]): string[] {
  return items.map((i) => checkOfFile(i.path)).filter((c): c is string => !!c);
}

// `kubernetes_state_core.yaml.default`, `orchestrator.yaml`, `kubernetes_state_core.d/conf.yaml` → check name.
function checkOfFile(path: string): string | undefined {
  const inDirectory = /(?:^|\/)([^/]+)\.d\/[^/]+$/.exec(path);
  if (inDirectory) return inDirectory[1];
  return /^([^/]+?)\.ya?ml(?:\.default|\.example)?$/.exec(path)?.[1];
}

function clusterCheckOf(text: string): boolean | undefined {
  // js-yaml, as for manifests: `check` reads the same check configs once per Cluster Agent, and `yaml` was a
  // tenth of its time on many installations.
  try {
    const doc: unknown = load(text);
    return isRecord(doc) ? doc['cluster_check'] === true : false;
  } catch {
    return undefined;
  }
}

// 'all': every config of the check says cluster_check: true; 'none': none does (or there is none); 'some': unknown.
export function dispatch(configs: readonly CheckConfig[], check: string): 'all' | 'none' | 'some' {
  const mine = configs.filter((c) => c.check === check);
  if (mine.length === 0) return 'none';
  if (mine.every((c) => c.clusterCheck === true)) return 'all';
  if (mine.some((c) => c.clusterCheck === false)) return 'none';
  return 'some';
}

export function withDispatch(evidence: string, dispatched: 'none' | 'some', check: string): string {
  return dispatched === 'some' ? `${evidence}; whether the ${check} check is dispatched to cluster-checks runners could not be read` : evidence;
}
