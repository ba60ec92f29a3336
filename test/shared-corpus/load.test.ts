// Loading the official Datadog corpus (../shared/corpus) with the lines `check` reports.
import '../support/requires-shared.js';
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PodSpec } from '../../src/kube-model/types.js';
import { loadManifests } from '../../src/manifests/load.js';
import { ManifestParseError } from '../../src/manifests/errors.js';
import { CORPUS } from '../support/shared.js';

t.test('a real helm rendering from the corpus: every object, with lines that point at the right text', async (t) => {
  const { objects } = await loadManifests([join(CORPUS, 'helm-charts-baselines/daemonset_default.rendered.yaml')]);
  t.equal(objects.length, 30, 'every Kubernetes object of the rendering');
  const daemonSet = objects.find((o) => o.object.kind === 'DaemonSet');
  t.ok(daemonSet);
  const lines = readFileSync(join(CORPUS, 'helm-charts-baselines/daemonset_default.rendered.yaml'), 'utf8').split('\n');
  t.equal(lines[daemonSet!.line - 1], 'apiVersion: apps/v1');
  const spec = daemonSet!.object.spec as { template: { spec: PodSpec } };
  const index = spec.template.spec.containers?.[0]?.env?.findIndex((e) => e.name === 'DD_CLUSTER_AGENT_AUTH_TOKEN') ?? -1;
  t.ok(index >= 0);
  t.match(lines[daemonSet!.lineOf(`/spec/template/spec/containers/0/env/${index}`) - 1], /- name: DD_CLUSTER_AGENT_AUTH_TOKEN$/);
});

t.test('the malformed upstream Secret is a parse error with its file and line', async (t) => {
  const file = join(CORPUS, 'datadog-agent-manifests/cluster-agent/dca-secret-legacy-malformed.yaml');
  const error = await loadManifests([file]).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.type(error, ManifestParseError);
  t.match(error, { code: 'DDG_MANIFEST_PARSE', file, line: 9 });
});
