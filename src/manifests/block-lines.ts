import { BLOCK, EMPTY, FLOW, indexLines, NONE, SCALAR, type LineTable } from './block-line-table.js';
import { pointerSegments } from '../kube-model/json-pointer.js';

/** A node on the way down a pointer. */
type Step =
  /** A block map or sequence whose first key or `- ` is on `line`, at column `col`. */
  | { kind: 'map' | 'seq'; line: number; col: number }
  /**
   * No child on another line: a scalar, null, `{}`, `[]`, or a one-line flow collection on the line of its key
   * or `- `. A pointer below it names a field on this line, or a missing one: this line either way.
   */
  | { kind: 'leaf' }
  /** May have children the scanner does not read: a flow collection, a block scalar, an alias or anchored node. */
  | { kind: 'opaque' };

const LEAF: Step = { kind: 'leaf' };
const OPAQUE: Step = { kind: 'opaque' };

/** The entries of one block map, read once: each key's line, and where the scanner stopped being sure. */
interface MapEntries {
  lines: Map<string, number>;
  /** Line of the first entry the scanner cannot compare, or Infinity. Keys after it are unknown. */
  unsureFrom: number;
}

/**
 * Maps JSON pointers to lines in block-style YAML by indentation alone: findings on a generated manifest set ask
 * for lines in nearly every document, and parsing each one again cost more than loading them all. Answers as
 * the parser-based PointerLines does (a map entry's key line, a sequence item's `- ` line, a missing field's
 * nearest existing ancestor) or not at all: `undefined` means "not sure", and the caller asks PointerLines.
 * Not sure, for a whole document: see block-line-table.ts. For one pointer: a path into a flow collection below
 * its key or holding an alias, into a block scalar, alias or anchored node, past a merge key `<<` or a key a
 * parser might read differently, or to a null item (a bare `-` with nothing below).
 */
export class BlockLines {
  private readonly table: LineTable | undefined;
  // Each container is read once, on first use, and remembered: a List of thousands of items costs one pass
  // for all of their findings, not one per finding. Keyed by the container's first line.
  private readonly maps = new Map<number, MapEntries>();
  private readonly seqs = new Map<number, number[]>();

  /** `intern` when the table outlives `text` (indexLines). */
  constructor(text: string, intern?: (key: string) => string) {
    this.table = indexLines(text, intern);
  }

  /** 1-based line of the node at `pointer`, or of its nearest existing ancestor; undefined when not sure. */
  lineOf(pointer: string): number | undefined {
    const table = this.table;
    if (!table) return undefined;
    const root = nextStructural(table, 0);
    if (root === undefined) return undefined;
    let line = root;
    const rootStep = rootAt(table, root);
    if (!rootStep) return undefined;
    let step: Step = rootStep;
    for (const segment of pointerSegments(pointer)) {
      if (step.kind === 'leaf') break;
      if (step.kind === 'opaque') return undefined;
      if (step.kind === 'map') {
        const found = this.entry(table, step.line, step.col, segment);
        if (found === undefined) return undefined;
        if (found === 'missing') break;
        line = found;
        step = valueOf(table, found);
      } else {
        const found = this.item(table, step.line, step.col, segment);
        if (found === 'missing') break;
        const item = itemAt(table, found);
        if (!item) return undefined;
        line = item.line;
        step = item.step;
      }
    }
    return line + 1;
  }

  /** The line of the entry `key` in the map at (`start`, `col`), 'missing', or undefined when not sure. */
  private entry(table: LineTable, start: number, col: number, key: string): number | 'missing' | undefined {
    let entries = this.maps.get(start);
    if (!entries) {
      entries = mapEntries(table, start, col);
      this.maps.set(start, entries);
    }
    const line = entries.lines.get(key);
    if (line !== undefined && line < entries.unsureFrom) return line;
    return entries.unsureFrom === Infinity ? 'missing' : undefined;
  }

  /** The line of item `index` of the sequence whose first `- ` is at (`start`, `col`), or 'missing'. */
  private item(table: LineTable, start: number, col: number, index: string): number | 'missing' {
    if (!/^(0|[1-9]\d*)$/.test(index)) return 'missing';
    let items = this.seqs.get(start);
    if (!items) {
      items = seqItems(table, start, col);
      this.seqs.set(start, items);
    }
    return items[Number(index)] ?? 'missing';
  }
}

function mapEntries(table: LineTable, start: number, col: number): MapEntries {
  const lines = new Map<string, number>();
  let previous = start;
  for (let line = start; line < table.indent.length; line++) {
    if (line !== start) {
      const indent = table.indent[line] ?? -1;
      if (indent < 0 || indent > col) continue; // blank, comment, or inside the previous entry's value
      if (indent < col) break;
      if (table.dash[line] === col) {
        // `key:` then `- item` at the key's own column: a compact sequence, the previous entry's value.
        if (table.value[previous] !== NONE) return { lines, unsureFrom: line };
        continue;
      }
    }
    const key = table.key[line];
    // A key the scanner cannot compare (`<<` merges keys in from elsewhere) might be any key asked for.
    if (table.keyCol[line] !== col || key === null || key === undefined) return { lines, unsureFrom: line };
    if (!lines.has(key)) lines.set(key, line);
    previous = line;
  }
  return { lines, unsureFrom: Infinity };
}

function seqItems(table: LineTable, start: number, col: number): number[] {
  const items: number[] = [];
  for (let line = start; line < table.indent.length; line++) {
    const indent = table.indent[line] ?? -1;
    if (indent < 0 || indent > col) continue;
    if (indent < col || table.dash[line] !== col) break; // a shallower line, or the key after a compact sequence
    items.push(line);
  }
  return items;
}

/** The document's root: its first line with structure. */
function rootAt(table: LineTable, line: number): Step | undefined {
  const indent = table.indent[line] ?? 0;
  if (table.dash[line] === indent) return { kind: 'seq', line, col: indent };
  return nodeOn(table, line);
}

/**
 * Where the sequence item whose `- ` is on `line` starts, and what it is: after the dash, or, after a bare
 * `-`, on the next line. Undefined for a null item (a bare `-` with nothing below).
 */
function itemAt(table: LineTable, line: number): { line: number; step: Step } | undefined {
  if ((table.keyCol[line] ?? -1) < 0 && table.value[line] === NONE) {
    const below = nextStructural(table, line + 1);
    if (below === undefined || (table.indent[below] ?? -1) <= (table.dash[line] ?? 0)) return undefined;
    if (table.dash[below] === table.indent[below]) return { line: below, step: { kind: 'seq', line: below, col: table.indent[below] ?? 0 } };
    const step = nodeOn(table, below);
    return step && { line: below, step };
  }
  const step = nodeOn(table, line);
  return step && { line, step };
}

/** The node that starts on `line` (after its `- `, if any), when it does start there. */
function nodeOn(table: LineTable, line: number): Step | undefined {
  const keyCol = table.keyCol[line] ?? -1;
  if (keyCol >= 0) return { kind: 'map', line, col: keyCol };
  const value = table.value[line];
  if (value === SCALAR || value === EMPTY || value === FLOW) return LEAF;
  if (value === BLOCK) return OPAQUE;
  return undefined; // a bare `-`: the item starts below it
}

/** The value of the map entry on `line`: on the line itself, or the block below it. */
function valueOf(table: LineTable, line: number): Step {
  const value = table.value[line];
  if (value === SCALAR || value === EMPTY || value === FLOW) return LEAF;
  if (value !== NONE) return OPAQUE;
  const keyCol = table.keyCol[line] ?? 0;
  const next = nextStructural(table, line + 1);
  if (next === undefined) return LEAF; // `key:` last in the document: null
  const indent = table.indent[next] ?? -1;
  const isSeq = table.dash[next] === indent;
  if (indent === keyCol && isSeq) return { kind: 'seq', line: next, col: indent }; // compact sequence
  if (indent <= keyCol) return LEAF; // the next entry follows: this one is null
  if (isSeq) return { kind: 'seq', line: next, col: indent };
  if (table.keyCol[next] === indent) return { kind: 'map', line: next, col: indent };
  // A flow collection below its key is not a leaf: a missing field in it is on the key's line, a present one on its own.
  const below = table.value[next];
  return below === SCALAR || below === EMPTY ? LEAF : OPAQUE;
}

function nextStructural(table: LineTable, from: number): number | undefined {
  for (let line = from; line < table.indent.length; line++) if ((table.indent[line] ?? -1) >= 0) return line;
  return undefined;
}
