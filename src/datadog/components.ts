import type { KubeObject } from '../kube-model/types.js';
import { podTemplateOf, containersOf, type PodTemplate } from '../kube-model/pod-template.js';
import { datadogImageOf } from './images.js';
import { remembered } from '../kube-model/memo.js';
import { parseAgentBool } from './agent-bool.js';

export type Component = 'node-agent' | 'cluster-agent' | 'cluster-checks-runner';

/** The one label both the Helm chart and the Operator put on every Datadog pod (datadog.md §6). */
export const COMPONENT_LABEL = 'agent.datadoghq.com/component';
const LABEL_VALUES: Readonly<Record<string, Component>> = {
  agent: 'node-agent',
  'cluster-agent': 'cluster-agent',
  'cluster-checks-runner': 'cluster-checks-runner',
};

/**
 * Where the component runs: `standalone` in a pod of its own (the chart's and Operator's DaemonSet and
 * Deployments), or `sidecar` beside an application's containers (EKS Fargate `DD_EKS_FARGATE=true`, the sidecar
 * the Cluster Agent's admission controller injects). A sidecar has no kubelet host of its own to judge.
 */
export type Placement = 'standalone' | 'sidecar';

export interface DatadogWorkload {
  object: KubeObject;
  component: Component;
  template: PodTemplate;
  namespace: string;
  placement: Placement;
}

/**
 * What Datadog component a workload runs, from (in order) the component label, the image, the workload kind
 * and the environment. The image tells the Cluster Agent apart but not a node Agent from a cluster-checks
 * runner: both run `…/agent`, so the kind and `DD_CLC_RUNNER_ENABLED` decide.
 */
export function detectComponent(object: KubeObject): Component | undefined {
  // Most rules ask what an object is: worked out once per judgement (src/kube-model/memo.ts), not once per rule.
  return remembered('component', object, () => detectUncached(object));
}

function detectUncached(object: KubeObject): Component | undefined {
  const template = podTemplateOf(object);
  if (!template) return undefined;
  const label = template.labels[COMPONENT_LABEL] ?? object.metadata?.labels?.[COMPONENT_LABEL];
  if (label && LABEL_VALUES[label]) return LABEL_VALUES[label];

  const containers = containersOf(template.spec).map(({ container }) => container);
  const images = containers.map((container) => datadogImageOf(container.image));
  if (images.includes('cluster-agent')) return 'cluster-agent';
  const runsAgent = images.includes('agent') || images.includes('dogstatsd');
  const envNames = new Set(containers.flatMap((c) => (Array.isArray(c.env) ? c.env.map((e) => e?.name) : [])));
  if (envNames.has('DD_CLC_RUNNER_ENABLED') && (runsAgent || envNames.has('DD_API_KEY'))) return 'cluster-checks-runner';
  // The Agent image in any workload kind is an Agent: a DaemonSet, an EKS Fargate sidecar in a Deployment, a
  // CronJob or a bare Pod; a DaemonSet configured like one (DD_API_KEY) even under a mirrored image name.
  if (runsAgent || (object.kind === 'DaemonSet' && envNames.has('DD_API_KEY'))) return 'node-agent';
  return undefined;
}

/** A Datadog container beside containers that are not Datadog's, or an Agent told it runs on EKS Fargate. */
export function placementOf(object: KubeObject, template: PodTemplate): Placement {
  if (object.kind === 'DaemonSet') return 'standalone';
  const containers = (Array.isArray(template.spec.containers) ? template.spec.containers : []).filter((c) => c && typeof c === 'object');
  const fargate = containers.some((c) => Array.isArray(c.env) && c.env.some((e) => e?.name === 'DD_EKS_FARGATE' && parseAgentBool(String(e.value ?? '')) === true));
  const foreign = containers.some((c) => !datadogImageOf(c.image) && !/datadog/i.test(c.image ?? ''));
  return fargate || foreign ? 'sidecar' : 'standalone';
}

export function asDatadogWorkload(object: KubeObject, defaultNamespace: string): DatadogWorkload | undefined {
  const component = detectComponent(object);
  const template = podTemplateOf(object);
  if (!component || !template) return undefined;
  return { object, component, template, namespace: object.metadata?.namespace || defaultNamespace, placement: placementOf(object, template) };
}

export const COMPONENT_NAMES: Readonly<Record<Component, string>> = {
  'node-agent': 'node Agent',
  'cluster-agent': 'Cluster Agent',
  'cluster-checks-runner': 'cluster-checks runner',
};
