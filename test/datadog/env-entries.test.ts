// Tests for src/datadog/env-entries.ts: which entries of a variable a rule sees, in workloads and DatadogAgents.
import t from 'tap';
import { envEntriesFor, envPlacesFor } from '../../src/datadog/env-entries.js';
import type { Container, KubeObject } from '../../src/kube-model/types.js';
import { ManifestWorld } from '../../src/world/manifest-world.js';

const NS = 'datadog';
const VAR = 'DD_KUBERNETES_KUBELET_HOST';

function daemonSet(component: string, spec: { containers: Container[]; initContainers?: Container[]; hostNetwork?: boolean }): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'x', namespace: NS },
    spec: { template: { metadata: { labels: { 'agent.datadoghq.com/component': component } }, spec } },
  };
}

const world = () => new ManifestWorld([], { defaultNamespace: NS });

t.test('a workload: its long-running containers that set the variable, pointers from the object root', async (t) => {
  const object = daemonSet('agent', {
    initContainers: [{ name: 'init', env: [{ name: VAR, value: 'init-only' }] }],
    containers: [{ name: 'agent', env: [{ name: 'A', value: '1' }, { name: VAR, value: '10.0.0.1' }] }, { name: 'trace-agent' }],
    hostNetwork: true,
  });
  const entries = envEntriesFor(object, VAR, ['node-agent'], world());
  t.same(entries.map((e) => [e.subject, e.path, e.place.hostNetwork]), [[`${VAR} on container "agent"`, '/spec/template/spec/containers/0/env/1', true]]);
  t.same(envPlacesFor(object, ['node-agent'], world()).map((p) => p.label), ['container "agent"', 'container "trace-agent"'], 'every long-running container, set or not');
  t.same(envEntriesFor(object, VAR, ['cluster-agent'], world()), [], 'a component the rule does not cover');
});

t.test('a DatadogAgent: the field the Operator turns into the variable first, then each covered override', async (t) => {
  const dda: KubeObject = {
    apiVersion: 'datadoghq.com/v2alpha1', kind: 'DatadogAgent', metadata: { name: 'datadog', namespace: NS },
    spec: {
      global: { kubelet: { host: { fieldRef: { fieldPath: 'spec.nodeName' } } } },
      override: {
        nodeAgent: { hostNetwork: true, env: [{ name: VAR, value: '10.0.0.1' }], containers: { 'a/b': { env: [{ name: VAR, value: 'x' }] } } },
        clusterAgent: { env: [{ name: VAR, value: 'dca' }] },
      },
    },
  };
  const entries = envEntriesFor(dda, VAR, ['node-agent'], world());
  t.same(entries.map((e) => [e.subject, e.path, e.place.hostNetwork]), [
    ['spec.global.kubelet.host', '/spec/global/kubelet/host', true],
    [`${VAR} in spec.override.nodeAgent.env`, '/spec/override/nodeAgent/env/0', true],
    [`${VAR} in spec.override.nodeAgent.containers.a/b.env`, '/spec/override/nodeAgent/containers/a~1b/env/0', true],
  ]);
  t.same(envEntriesFor(dda, VAR, ['cluster-agent'], world()).map((e) => e.path), ['/spec/override/clusterAgent/env/0'], 'the global field is the node Agent\'s only');
  t.same(envEntriesFor(dda, 'DD_HOSTNAME', ['node-agent'], world()), [], 'no field or override sets another variable');
});
