import type { KubeObject, PodSpec } from './types.js';
import { isRecord } from './types.js';
import { remembered } from './memo.js';

/** A workload reduced to the pod it runs: the spec, its labels, and where the spec sits in the object. */
export interface PodTemplate {
  spec: PodSpec;
  labels: Readonly<Record<string, string>>;
  /** JSON pointer to the pod spec inside the workload, e.g. `/spec/template/spec`. */
  specPath: string;
}

export const WORKLOAD_KINDS = ['Pod', 'Deployment', 'DaemonSet', 'StatefulSet', 'ReplicaSet', 'Job', 'CronJob'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

export function isWorkload(object: KubeObject): boolean {
  return (WORKLOAD_KINDS as readonly string[]).includes(object.kind ?? '');
}

// Where each workload kind keeps its pod template; the only place that knows.
const TEMPLATE_PATHS: Record<WorkloadKind, readonly string[]> = {
  Pod: [],
  Deployment: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

export function podTemplateOf(object: KubeObject): PodTemplate | undefined {
  const path = TEMPLATE_PATHS[object.kind as WorkloadKind];
  if (!path) return undefined;
  // Asked by most rules of every workload: worked out once per judgement (src/kube-model/memo.ts).
  return remembered('podTemplate', object, () => templateAt(object, path));
}

function templateAt(object: KubeObject, path: readonly string[]): PodTemplate | undefined {
  let node: unknown = object;
  for (const key of path) node = isRecord(node) ? node[key] : undefined;
  if (!isRecord(node) || !isRecord(node['spec'])) return undefined;
  const metadata = isRecord(node['metadata']) ? node['metadata'] : {};
  const labels = isRecord(metadata['labels']) ? (metadata['labels'] as Record<string, string>) : {};
  return {
    spec: node['spec'] as PodSpec,
    labels,
    specPath: ['', ...path, 'spec'].join('/'),
  };
}

/** The ServiceAccount a pod runs as: `serviceAccountName`, the deprecated `serviceAccount`, else `default`. */
export function serviceAccountOf(spec: PodSpec): string {
  return spec.serviceAccountName || spec.serviceAccount || 'default';
}

/** Containers and init containers with their JSON pointers relative to the pod spec. */
export function containersOf(spec: PodSpec): { container: NonNullable<PodSpec['containers']>[number]; path: string }[] {
  const out: { container: NonNullable<PodSpec['containers']>[number]; path: string }[] = [];
  for (const field of ['initContainers', 'containers'] as const) {
    const list = spec[field];
    if (!Array.isArray(list)) continue;
    list.forEach((container, index) => {
      if (isRecord(container)) out.push({ container, path: `/${field}/${index}` });
    });
  }
  return out;
}
