import t from 'tap';
import { conformObject } from '../../src/kube-model/conform.js';
import type { KubeObject } from '../../src/kube-model/types.js';

t.test('a conforming object comes back as the same object, with nothing reported', async (t) => {
  const object = {
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'datadog', annotations: { 'a/b': 'c' } },
    spec: { template: { spec: { containers: [{ name: 'agent', image: 'gcr.io/datadoghq/agent:7', env: [{ name: 'A', value: 'b' }] }] } } },
  } as KubeObject;
  const result = conformObject(object);
  t.equal(result.object, object);
  t.same(result.nonconforming, []);
});

t.test('each wrongly typed field is left out and named by its JSON pointer, escaped', async (t) => {
  const object = {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'x', annotations: { 'example.com/owner': 7, 'ok~tilde': 'fine' } },
    spec: { template: { spec: { containers: [{ name: 'a' }, { name: 'b', image: 42, env: 'not a list' }] } } },
  } as unknown as KubeObject;
  const before = structuredClone(object);
  const result = conformObject(object);
  t.same(result.nonconforming.map((f) => `${f.path} ${f.found} ${f.expected}`), [
    '/metadata/annotations/example.com~1owner a number a string',
    '/spec/template/spec/containers/1/image a number a string',
    '/spec/template/spec/containers/1/env a string a list',
  ]);
  const containers = (result.object as unknown as { spec: { template: { spec: { containers: Record<string, unknown>[] } } } }).spec.template.spec.containers;
  t.same(containers[1], { name: 'b' }, 'the wrong fields are gone, the rest kept');
  t.same(result.object.metadata?.annotations, { 'ok~tilde': 'fine' });
  t.same(object, before, 'the input is not touched');
});

t.test('a list item of the wrong type becomes an empty item, so later items keep their index', async (t) => {
  const object = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: ['oops', { name: 'c', image: 7 }] } } as unknown as KubeObject;
  const result = conformObject(object);
  t.same(result.nonconforming.map((f) => f.path), ['/spec/containers/0', '/spec/containers/1/image']);
  t.same((result.object as unknown as { spec: { containers: unknown[] } }).spec.containers, [{}, { name: 'c' }]);
});

t.test('a kind with no shape of its own is checked for the common fields only', async (t) => {
  const result = conformObject({ apiVersion: 'v1', kind: 'Service', metadata: { name: 5 }, spec: { anything: 1 } } as unknown as KubeObject);
  t.same(result.nonconforming.map((f) => f.path), ['/metadata/name']);
});
