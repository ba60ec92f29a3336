// The folders of src/ form a stack (docs/architecture.md): each imports only from folders below it. Built
// from the sources on every run, so a new import that climbs the stack or closes a cycle fails here.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { ROOT } from './support/fixtures.js';

const SRC = join(ROOT, 'src');

/** Bottom first. Folders on one line are peers: neither may import the other. */
const LAYERS: readonly (readonly string[])[] = [
  ['logging', 'kube-model'],
  ['datadog'],
  ['policy-forms'],
  ['engine'],
  ['rules'],
  ['manifests', 'kube-client'],
  ['world'],
  ['report', 'config', 'policies', 'certs'],
  ['check', 'audit', 'webhook'],
  ['cli'],
];
const RANK = new Map(LAYERS.flatMap((folders, rank) => folders.map((folder) => [folder, rank] as const)));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : []);
}

const folderOf = (file: string): string => relative(SRC, file).split(sep)[0] ?? '';

/** folder -> folder -> the imports that make the edge (file -> imported file). */
function folderGraph(): Map<string, Map<string, string[]>> {
  const graph = new Map<string, Map<string, string[]>>();
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const imported = normalize(join(dirname(file), match[1] ?? ''));
      if (!imported.startsWith(SRC + sep)) continue;
      const from = folderOf(file), to = folderOf(imported);
      if (from === to) continue;
      const edges = graph.get(from) ?? new Map<string, string[]>();
      graph.set(from, edges);
      edges.set(to, [...(edges.get(to) ?? []), `${relative(ROOT, file)} -> ${relative(ROOT, imported)}`]);
    }
  }
  return graph;
}

/** A cycle of folders, if any (depth-first search). */
function findCycle(graph: Map<string, Map<string, string[]>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'open') return [...path.slice(path.indexOf(node)), node];
    if (state.get(node) === 'done') return undefined;
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

const graph = folderGraph();

t.test('every folder of src/ has its place in the stack', async (t) => {
  const folders = readdirSync(SRC, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  t.same(folders.filter((folder) => !RANK.has(folder)), [], 'add a new folder to LAYERS here and to docs/architecture.md');
  t.ok(graph.size >= 10, `the graph was built from the sources (${graph.size} folders import others)`);
});

t.test('the folder import graph has no cycle', async (t) => {
  const cycle = findCycle(graph);
  t.equal(cycle?.join(' -> '), undefined, 'no folder reaches itself through imports');
});

t.test('each folder imports only from folders below it', async (t) => {
  const climbing: string[] = [];
  for (const [from, edges] of graph) {
    for (const [to, imports] of edges) {
      if ((RANK.get(to) ?? Infinity) >= (RANK.get(from) ?? -Infinity)) climbing.push(`${from} -> ${to}: ${imports.join(', ')}`);
    }
  }
  t.same(climbing, [], 'imports go down the stack only');
});

t.test('the checker sees a cycle and a climbing import when there is one', async (t) => {
  const edge = (to: string) => new Map([[to, ['x']]]);
  t.same(findCycle(new Map([['a', edge('b')], ['b', edge('c')], ['c', edge('a')]])), ['a', 'b', 'c', 'a']);
  t.equal(findCycle(new Map([['a', edge('b')], ['b', edge('c')]])), undefined);
  t.ok((RANK.get('engine') ?? 0) > (RANK.get('kube-model') ?? 0), 'engine sits above the object model');
});
