// No false positives: every official Datadog manifest in ../shared/corpus yields no error finding, except the
// Operator examples whose 29-character placeholder token really is too short.
import '../support/requires-shared.js';
import t from 'tap';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Engine } from '../../src/engine/engine.js';
import { RULES } from '../../src/rules/index.js';
import { ManifestWorld } from '../../src/world/manifest-world.js';
import type { KubeObject } from '../../src/kube-model/types.js';
import { CORPUS, corpusFiles } from '../support/shared.js';

const MALFORMED = 'datadog-agent-manifests/cluster-agent/dca-secret-legacy-malformed.yaml';
const PLACEHOLDER_TOKEN = new Set([
  'datadog-operator/datadog-agent-with-clusteragent.yaml',
  'datadog-operator/datadog-agent-with-dca-clusterchecksrunner.yaml',
]);

const engine = new Engine(RULES);
const files = corpusFiles();

t.ok(files.length >= 20, `the corpus is there (${files.length} files)`);

for (const file of files) {
  const name = relative(CORPUS, file);
  t.test(name, async (t) => {
    const docs = parseAllDocuments(readFileSync(file, 'utf8'));
    if (name === MALFORMED) {
      t.ok(docs.some((d) => d.errors.length > 0), 'the malformed upstream file does not parse');
      return;
    }
    const objects = docs.map((d) => d.toJS() as KubeObject | null).filter((o): o is KubeObject => !!o?.kind);
    const world = new ManifestWorld(objects, { defaultNamespace: 'datadog' });
    const errors = objects.flatMap((o) => engine.evaluate(o, world)).filter((f) => f.severity === 'error');
    const expected = PLACEHOLDER_TOKEN.has(name) ? ['cluster-agent-token-length'] : [];
    t.same([...new Set(errors.map((f) => f.ruleId))], expected, errors.map((f) => f.message).join('\n'));
  });
}
