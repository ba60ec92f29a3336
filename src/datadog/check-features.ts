import type { World } from '../kube-model/world.js';
import type { DatadogWorkload } from './components.js';
import { envValue } from '../kube-model/env.js';
import { mainContainer } from './component-settings.js';
import type { Feature, FeatureState } from './features.js';

/**
 * Features of the permission catalogue that come from the checks a component may be dispatched rather than from
 * a switch of its own. Kept apart from features.ts, which reads the components' switches.
 */
export type CheckFeature = 'kube-apiserver-metrics';

export type CatalogueFeature = Feature | CheckFeature;

export type CatalogueFeatures = ReadonlyMap<CatalogueFeature, FeatureState>;

/**
 * The kube_apiserver_metrics check scrapes the API server's /metrics (and /metrics/slis). Its auto_conf
 * (`kube_endpoints://default/kubernetes`, `cluster_check: true`) makes it a cluster check: the Cluster Agent
 * dispatches it to a cluster-checks runner, or to a node Agent whose DD_EXTRA_CONFIG_PROVIDERS lists
 * `clusterchecks`. Which one gets it is decided at run time, so it is at most `maybe`.
 */
export function kubeApiserverMetrics(workload: DatadogWorkload, world: World): FeatureState | undefined {
  if (workload.component === 'cluster-checks-runner') {
    return { runs: 'maybe', evidence: 'a cluster-checks runner may be dispatched the kube_apiserver_metrics cluster check' };
  }
  if (workload.component !== 'node-agent') return undefined;
  const main = mainContainer(workload, world);
  const providers = main ? envValue(main.env.get('DD_EXTRA_CONFIG_PROVIDERS'), world) : undefined;
  if (!main || !providers?.split(/[\s,]+/).includes('clusterchecks')) return undefined;
  return {
    runs: 'maybe',
    evidence: `DD_EXTRA_CONFIG_PROVIDERS includes clusterchecks on container "${main.container.name}", so it may be dispatched the kube_apiserver_metrics cluster check`,
  };
}

/** A component's features with the check-dispatched ones added. */
export function withCheckFeatures(features: ReadonlyMap<Feature, FeatureState>, workload: DatadogWorkload, world: World): CatalogueFeatures {
  const out = new Map<CatalogueFeature, FeatureState>(features);
  const apiserver = kubeApiserverMetrics(workload, world);
  if (apiserver) out.set('kube-apiserver-metrics', apiserver);
  return out;
}
