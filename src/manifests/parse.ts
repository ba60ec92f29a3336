import { load, CORE_SCHEMA, Type, YAMLException } from 'js-yaml';
import type { KubeObject } from '../k8s/types.js';
import { isRecord } from '../k8s/types.js';
import { countNewlines, splitDocuments } from './documents.js';
import { ManifestParseError } from './errors.js';
import { jsonErrorOffset } from './jsonErrorOffset.js';
import { LoadedObject, SourceDocument } from './loadedObject.js';

// js-yaml, not the `yaml` package, parses: it is about ten times faster, and loading must keep up with tens of
// thousands of objects. `yaml` only builds line maps, lazily. The schema is YAML 1.2 core (no timestamps turned
// into Dates) plus the `<<` merge key that kubectl accepts; js-yaml recognises merges by this tag.
const MERGE = new Type('tag:yaml.org,2002:merge', { kind: 'scalar', resolve: (data: unknown) => data === '<<' || data === null });
const SCHEMA = CORE_SCHEMA.extend({ implicit: [MERGE] });

/**
 * Parses one file's text (YAML, multi-document YAML or JSON) into Kubernetes objects. `List` and other `*List`
 * objects are unwrapped; empty documents and documents that are not Kubernetes objects (a values.yaml, a
 * Chart.yaml) are skipped.
 */
export function parseManifests(text: string, file: string): LoadedObject[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const json = parseJsonIfJson(body, file);
  if (json !== undefined) return collect(json.value, new SourceDocument(file, body, 1, 'json'));
  const out: LoadedObject[] = [];
  for (const piece of splitDocuments(body)) {
    const value = parseYamlDocument(piece.text, file, piece.firstLine);
    if (value !== undefined && value !== null) out.push(...collect(value, new SourceDocument(file, piece.text, piece.firstLine)));
  }
  return out;
}

function parseYamlDocument(text: string, file: string, firstLine: number): unknown {
  try {
    return load(text, { schema: SCHEMA, filename: file });
  } catch (error: unknown) {
    if (error instanceof YAMLException) {
      throw new ManifestParseError(file, firstLine + (error.mark?.line ?? 0), `invalid YAML: ${error.reason}`);
    }
    throw error;
  }
}

/** JSON when the text looks like JSON and parses as JSON; a `.json` file that does not is an error. */
function parseJsonIfJson(text: string, file: string): { value: unknown } | undefined {
  const first = /\S/.exec(text)?.[0];
  if (first !== '{' && first !== '[') return undefined;
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error: unknown) {
    if (!file.toLowerCase().endsWith('.json')) return undefined; // YAML flow style, e.g. `{kind: Secret}`
    const reason = error instanceof Error ? error.message : String(error);
    throw new ManifestParseError(file, jsonErrorLine(text), `invalid JSON: ${reason}`);
  }
}

function jsonErrorLine(text: string): number {
  return 1 + countNewlines(text, 0, jsonErrorOffset(text));
}

function collect(value: unknown, document: SourceDocument): LoadedObject[] {
  const out: LoadedObject[] = [];
  const visit = (node: unknown, base: string): void => {
    if (!isRecord(node)) return;
    const kind = node.kind;
    if (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(node.items)) {
      node.items.forEach((item, index) => visit(typedItem(item, node, kind), `${base}/items/${index}`));
    } else if (isKubeObject(node)) {
      out.push(new LoadedObject(node, document, base));
    }
  };
  visit(value, '');
  return out;
}

/** Items of a typed list (`PodList` from the API) carry no kind or apiVersion; the list names them. */
function typedItem(item: unknown, list: Record<string, unknown>, listKind: string): unknown {
  if (!isRecord(item) || listKind === 'List') return item;
  if (item.kind === undefined) item.kind = listKind.slice(0, -'List'.length);
  if (item.apiVersion === undefined && typeof list.apiVersion === 'string') item.apiVersion = list.apiVersion;
  return item;
}

function isKubeObject(node: Record<string, unknown>): node is KubeObject {
  return typeof node.kind === 'string' && node.kind !== '' && typeof node.apiVersion === 'string' && node.apiVersion !== '';
}
