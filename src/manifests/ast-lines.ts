import type { Document, LineCounter, Node } from 'yaml';
import { pointerSegments } from '../kube-model/json-pointer.js';
import { yaml } from './yaml-module.js';

/**
 * Maps JSON pointers to line numbers in one YAML (or JSON) text by parsing it again. Built on first use only:
 * loading thousands of objects must not pay for line maps that no finding will ask for. For manifests it is
 * the fallback of the cheaper BlockLines scanner, for what that one is not sure about.
 */
export class PointerLines {
  private document: Document | undefined;
  private readonly lines: LineCounter = new (yaml().LineCounter)();

  constructor(private readonly text: string) {}

  /**
   * 1-based line of the node at `pointer`, or of its nearest existing ancestor (a finding may point at a
   * field that is missing). A key's line is used for map entries: that is where a reader looks.
   */
  lineOf(pointer: string): number {
    const document = this.parsed();
    let node: unknown = document.contents;
    let offset = rangeStart(node) ?? 0;
    for (const segment of pointerSegments(pointer)) {
      const next = child(document, node, segment);
      if (!next) break;
      node = next.node;
      offset = next.offset ?? offset;
    }
    return this.lines.linePos(offset).line;
  }

  private parsed(): Document {
    // Errors are ignored here: the text already parsed once; a map that is partly wrong only costs precision.
    this.document ??= yaml().parseDocument(this.text, { lineCounter: this.lines, uniqueKeys: false });
    return this.document;
  }
}

function child(document: Document, parent: unknown, segment: string): { node: unknown; offset?: number } | undefined {
  const { isAlias, isMap, isSeq } = yaml();
  const node = isAlias(parent) ? parent.resolve(document) : parent;
  if (isMap(node)) {
    const pair = node.items.find((item) => keyText(item.key) === segment);
    if (!pair) return undefined;
    const offset = rangeStart(pair.key) ?? rangeStart(pair.value);
    return offset === undefined ? { node: pair.value } : { node: pair.value, offset };
  }
  if (isSeq(node) && /^(0|[1-9]\d*)$/.test(segment)) {
    const item = node.items[Number(segment)];
    if (item === undefined) return undefined;
    const offset = rangeStart(item);
    return offset === undefined ? { node: item } : { node: item, offset };
  }
  return undefined;
}

function keyText(key: unknown): string | undefined {
  if (yaml().isScalar(key)) return String(key.value);
  return typeof key === 'string' ? key : undefined;
}

function rangeStart(node: unknown): number | undefined {
  return yaml().isNode(node) ? (node as Node).range?.[0] : undefined;
}
