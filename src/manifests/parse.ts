import { load, CORE_SCHEMA, Type, YAMLException } from 'js-yaml';
import type { KubeObject } from '../kube-model/types.js';
import { isRecord } from '../kube-model/types.js';
import { splitDocuments, type DocumentText } from './documents.js';
import { ManifestParseError } from './errors.js';
import { jsonErrorPlace } from './json-error.js';
import { LoadedObject, SourceDocument, type DocumentPlace } from './loaded-object.js';

// js-yaml, not the `yaml` package, parses: it is about ten times faster, and loading must keep up with tens of
// thousands of objects. `yaml` only builds line maps, lazily. The schema is YAML 1.2 core (no timestamps turned
// into Dates) plus the `<<` merge key that kubectl accepts; js-yaml recognises merges by this tag.
const MERGE = new Type('tag:yaml.org,2002:merge', { kind: 'scalar', resolve: (data: unknown) => data === '<<' || data === null });
const SCHEMA = CORE_SCHEMA.extend({ implicit: [MERGE] });

/**
 * Parses one file's text (YAML, multi-document YAML or JSON) into Kubernetes objects. `List` and other `*List`
 * objects are unwrapped; empty documents and documents that are not Kubernetes objects (a values.yaml, a
 * Chart.yaml) are skipped. Throws the first document that does not parse.
 */
export function parseManifests(text: string, file: string): LoadedObject[] {
  const out: LoadedObject[] = [];
  const [error] = readManifests(text, file, (object) => out.push(object));
  if (error) throw error;
  return out;
}

/**
 * As parseManifests, handing each object to `onObject` as soon as its document is parsed, so a caller can let
 * it go before the next. A YAML document that does not parse is returned as an error and the next one is read
 * (documents are independent); a JSON file that does not parse is one error.
 */
export function readManifests(
  text: string,
  file: string,
  onObject: (object: LoadedObject) => void,
  /** The text is `file`'s on disk as read now: lines may be worked out later by reading it again. */
  onDisk = false,
): ManifestParseError[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const errors: ManifestParseError[] = [];
  const attempt = (parse: () => void): void => {
    try {
      parse();
    } catch (error: unknown) {
      if (!(error instanceof ManifestParseError)) throw error;
      errors.push(error);
    }
  };
  let json: { value: unknown } | undefined;
  attempt(() => (json = parseJsonIfJson(body, file)));
  if (errors.length > 0) return errors;
  if (json !== undefined) {
    const place = onDisk ? { offset: 0, fileLength: body.length } : undefined;
    for (const object of collect(json.value, new SourceDocument(file, body, 1, 'json', place))) onObject(object);
    return errors;
  }
  const pieces = splitDocuments(body);
  const places = onDisk ? documentPlaces(pieces, body.length, text.length - body.length) : undefined;
  pieces.forEach((piece, index) => {
    attempt(() => {
      const value = parseYamlDocument(piece.text, file, piece.firstLine);
      if (value === undefined || value === null) return;
      for (const object of collect(value, new SourceDocument(file, piece.text, piece.firstLine, 'yaml', places?.[index]))) onObject(object);
    });
  });
  return errors;
}

/**
 * Where each document is in its file: its text's offset, and its bytes, to read one document again rather than
 * the whole file. The documents cover the text end to end, so the file's size is the sum of theirs (and of a
 * byte order mark's 3 bytes, `bomChars` being 1 when there is one).
 */
function documentPlaces(pieces: readonly DocumentText[], fileLength: number, bomChars: number): DocumentPlace[] {
  const lengths = pieces.map((piece) => Buffer.byteLength(piece.text));
  const bom = bomChars > 0 ? 3 : 0;
  const fileBytes = lengths.reduce((sum, length) => sum + length, bom);
  let offset = bom;
  return pieces.map((piece, index) => {
    const bytes = { offset, length: lengths[index]!, fileBytes };
    offset += bytes.length;
    return { offset: piece.offset, fileLength, bytes };
  });
}

function parseYamlDocument(text: string, file: string, firstLine: number): unknown {
  try {
    return load(text, { schema: SCHEMA, filename: file });
  } catch (error: unknown) {
    if (error instanceof YAMLException) {
      throw new ManifestParseError(file, firstLine + (error.mark?.line ?? 0), withTemplateHint(text, `invalid YAML: ${error.reason}`));
    }
    throw error;
  }
}

// A Go template action: what a chart's templates/ hold before `helm template` renders them.
const TEMPLATE_ACTION = /\{\{-?\s*[^}]*\}\}/;

/** A raw Helm template is not a broken manifest: say what it is and how to check it. */
function withTemplateHint(text: string, reason: string): string {
  if (!TEMPLATE_ACTION.test(text)) return reason;
  return `a raw Helm template ({{ ... }}), not a rendered manifest: render it first (helm template RELEASE CHART | ddguard check -); ${reason}`;
}

/** JSON when the text looks like JSON and parses as JSON; a `.json` file that does not is an error. */
function parseJsonIfJson(text: string, file: string): { value: unknown } | undefined {
  const first = /\S/.exec(text)?.[0];
  if (first !== '{' && first !== '[') return undefined;
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error: unknown) {
    if (!file.toLowerCase().endsWith('.json')) return undefined; // YAML flow style, e.g. `{kind: Secret}`
    // V8 may quote the start of the text (`Unexpected token 'a', "abc…" is not valid JSON`): a Secret's value, maybe.
    const reason = (error instanceof Error ? error.message : String(error)).replace(/, ".*" is not valid JSON$/s, '');
    throw new ManifestParseError(file, jsonErrorPlace(text).line, withTemplateHint(text, `invalid JSON: ${reason}`));
  }
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
