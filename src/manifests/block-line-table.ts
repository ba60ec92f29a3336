// One pass over a block-style YAML document that records, per line, the structure a pointer walk needs: the
// line's indentation, its `- `, its map key and what kind of value follows; block scalar text is skipped.
// Anything the pass cannot read with certainty makes the whole document unreadable here, and the caller asks
// the YAML parser instead: a quoted scalar or flow collection spanning lines, tabs outside block scalars,
// anchors, tags or aliases on keys and items, `?` and flow keys, `- - `, a block scalar header alone on its
// line, directives, a node on the `---` line, a lone CR.

/** What follows a line's key (or its `- `, or starts the line when it has neither). */
export const NONE = 0; // nothing or a comment: the value, if any, is on the lines below
export const SCALAR = 1; // a plain scalar, or a quoted one that closes on this line
export const EMPTY = 2; // `{}` or `[]`
export const FLOW = 3; // a non-empty flow collection that closes on this line, without aliases
export const BLOCK = 4; // a `|` or `>` block scalar header
export const PROPS = 5; // an anchor, tag or alias (also inside a flow collection)
export const WEIRD = 6; // anything else: never descended into, never trusted as an item's line

export interface LineTable {
  /** Column of each line's first character; -1 for lines without structure (blank, comment, block scalar text). */
  readonly indent: Int32Array;
  /** Column of the line's leading `- `, or -1. */
  readonly dash: Int32Array;
  /** Column of the map key on the line (after its `- `, if any), or -1. */
  readonly keyCol: Int32Array;
  /** The key's text; null when a parser might read it differently (`0x1F`, `True`, escapes) or it is `<<`. */
  readonly key: (string | null)[];
  /** NONE, SCALAR, EMPTY, FLOW, BLOCK, PROPS or WEIRD. */
  readonly value: Uint8Array;
}

/** The line table of one YAML document, or undefined when it holds anything the table cannot describe. */
export function indexLines(text: string, intern?: (key: string) => string): LineTable | undefined {
  if (/\r(?!\n)/.test(text)) return undefined; // a lone CR breaks lines for YAML, not for this scanner
  const indexer = new LineIndexer(text, intern);
  try {
    indexer.run();
  } catch (error: unknown) {
    if (error instanceof Unsure) return undefined;
    throw error;
  }
  return indexer.table.indent.some((indent) => indent >= 0) ? indexer.table : undefined;
}

/** Thrown by the indexer on what it cannot read with certainty. */
class Unsure extends Error {}

const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const HASH = 0x23;
const DASH = 0x2d;
const COLON = 0x3a;
const QUESTION = 0x3f;
const DQUOTE = 0x22;
const SQUOTE = 0x27;
const BACKSLASH = 0x5c;
const AMPERSAND = 0x26;
const BANG = 0x21;
const STAR = 0x2a;
const PIPE = 0x7c;
const GREATER = 0x3e;
const OPEN_SQUARE = 0x5b;
const OPEN_CURLY = 0x7b;
const CLOSE_SQUARE = 0x5d;
const CLOSE_CURLY = 0x7d;
const PERCENT = 0x25;
const AT = 0x40;
const BACKTICK = 0x60;

function isQuote(c: number): boolean {
  return c === DQUOTE || c === SQUOTE;
}

function isFlowOpen(c: number): boolean {
  return c === OPEN_SQUARE || c === OPEN_CURLY;
}

function isFlowClose(c: number): boolean {
  return c === CLOSE_SQUARE || c === CLOSE_CURLY;
}

function isBlockHeader(c: number): boolean {
  return c === PIPE || c === GREATER;
}

/** `%` (directives), `@` and `` ` `` (reserved): no plain scalar starts with them. */
function isReservedIndicator(c: number): boolean {
  return c === PERCENT || c === AT || c === BACKTICK;
}

class LineIndexer {
  /**
   * Sized once from the line count: `check` builds a table for each document whose findings it places after the
   * input is read, and columns grown line by line left several times their size behind for the collector.
   */
  readonly table: LineTable;
  private row = 0;
  /** The current line is text[start, end), without its line break. */
  private start = 0;
  private end = 0;
  /** While >= 0: the column of a block scalar's parent; deeper lines and blank lines are the scalar's text. */
  private blockParent = -1;
  private started = false;
  private ended = false;
  private readonly hasTabs: boolean;

  constructor(
    private readonly text: string,
    /** Given when the table outlives the text: a key sliced from the text would keep all of it alive. */
    private readonly intern?: (key: string) => string,
  ) {
    this.hasTabs = text.includes('\t');
    let lines = 1;
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
    this.table = { indent: new Int32Array(lines), dash: new Int32Array(lines), keyCol: new Int32Array(lines), key: new Array<string | null>(lines).fill(null), value: new Uint8Array(lines) };
  }

  run(): void {
    const text = this.text;
    for (let start = 0; ; ) {
      const newline = text.indexOf('\n', start);
      let end = newline === -1 ? text.length : newline;
      if (end > start && text.charCodeAt(end - 1) === CR) end--;
      this.start = start;
      this.end = end;
      this.line();
      if (newline === -1) return;
      start = newline + 1;
    }
  }

  private push(indent: number, dash: number, keyCol: number, key: string | null, value: number): void {
    const table = this.table;
    const row = this.row++;
    table.indent[row] = indent;
    table.dash[row] = dash;
    table.keyCol[row] = keyCol;
    table.key[row] = key !== null && this.intern ? this.intern(key) : key;
    table.value[row] = value;
  }

  private skip(): void {
    this.push(-1, -1, -1, null, NONE);
  }

  private line(): void {
    const text = this.text;
    const at = this.skipSpaces(this.start);
    const col = at - this.start;
    if (this.ended || this.isBlank(at) || this.continuesBlockScalar(col)) return this.skip();
    const first = text.charCodeAt(at);
    if (first === HASH) return this.skip();
    if (first === TAB || (this.hasTabs && this.hasTab(at))) throw new Unsure();
    if (col === 0 && this.isDocumentMarker(at)) return this.skip();
    this.started = true;
    if (first === DASH && this.isIndicator(at)) return this.item(col, at);
    this.node(col, -1, at);
  }

  /** Whether a line at column `col` is block scalar text; one at or left of the scalar's parent ends the scalar. */
  private continuesBlockScalar(col: number): boolean {
    if (this.blockParent < 0) return false;
    if (col > this.blockParent) return true;
    this.blockParent = -1;
    return false;
  }

  /** Whether the line at column 0 is a `---` or `...` marker, which holds no node; after `...` nothing does. */
  private isDocumentMarker(at: number): boolean {
    if (this.isMarker(at, '---')) {
      // Only the marker that opens the document is in its text; `--- value` puts a node on the marker line.
      if (this.started || !this.isBlankOrComment(at + 3)) throw new Unsure();
      return true;
    }
    if (this.isMarker(at, '...')) {
      this.ended = true;
      return true;
    }
    return false;
  }

  /** A line opening with the `- ` at `at`: the item's node follows on the line, or starts below. */
  private item(col: number, at: number): void {
    const content = this.skipSpaces(at + 1);
    if (this.isBlankOrComment(content)) return this.push(col, col, -1, null, NONE); // the item starts below
    // `- - `: a sequence in a sequence, opening on one line; what it holds (a block scalar?) is not read here.
    if (this.text.charCodeAt(content) === DASH && this.isIndicator(content)) throw new Unsure();
    this.node(col, col, content);
  }

  /** A node starting at `at`, first on its line or after its `- `: a map entry, or a value on its own. */
  private node(col: number, dash: number, at: number): void {
    const c = this.text.charCodeAt(at);
    if (isQuote(c)) return this.quotedNode(col, dash, at);
    if (isFlowOpen(c)) return this.flowNode(col, dash, at);
    if (isBlockHeader(c)) return this.blockHeaderItem(col, dash);
    this.plainNode(col, dash, at);
  }

  /** A quoted scalar: the key of an entry when `: ` follows it, else the whole value. */
  private quotedNode(col: number, dash: number, at: number): void {
    const close = this.quoteEnd(at);
    const after = this.skipSpaces(close);
    if (this.isIndicatorAt(after, COLON)) {
      const key = quotedKey(this.text.slice(at + 1, close - 1), this.text.charCodeAt(at));
      return this.entry(col, dash, at, key, after + 1);
    }
    this.push(col, dash, -1, null, this.isBlankOrComment(after) ? SCALAR : WEIRD);
  }

  /** A flow collection: the whole value; as a key it is unsure. */
  private flowNode(col: number, dash: number, at: number): void {
    const { close, shape } = this.flow(at);
    const after = this.skipSpaces(close);
    if (this.isIndicatorAt(after, COLON)) throw new Unsure(); // a flow collection as a key
    this.push(col, dash, -1, null, this.isBlankOrComment(after) ? shape : WEIRD);
  }

  /** `- |`: the text is deeper than the dash. A header alone on a line belongs to a key above: unsure. */
  private blockHeaderItem(col: number, dash: number): void {
    if (dash < 0) throw new Unsure();
    this.blockParent = dash;
    this.push(col, dash, -1, null, BLOCK);
  }

  /** A node in plain text: an entry when a `: ` on the line ends its key, else a plain scalar. */
  private plainNode(col: number, dash: number, at: number): void {
    const c = this.text.charCodeAt(at);
    // Anchors, tags and aliases on keys and items, `?` and `:` keys, reserved indicators.
    if (c === AMPERSAND || c === BANG || c === STAR || isReservedIndicator(c)) throw new Unsure();
    if ((c === QUESTION || c === COLON) && this.isIndicator(at)) throw new Unsure();
    const colon = this.plainKeyEnd(at);
    if (colon < 0) return this.push(col, dash, -1, null, SCALAR);
    this.entry(col, dash, at, plainKey(this.text.slice(at, colon).trimEnd()), colon + 1);
  }

  private entry(col: number, dash: number, keyAt: number, key: string | null, valueFrom: number): void {
    const keyCol = keyAt - this.start;
    this.push(col, dash, keyCol, key, this.valueAfterKey(this.skipSpaces(valueFrom), keyCol));
  }

  private valueAfterKey(at: number, keyCol: number): number {
    if (this.isBlankOrComment(at)) return NONE;
    const opened = this.openedValue(at, keyCol);
    if (opened !== undefined) return opened;
    const c = this.text.charCodeAt(at);
    if (c === AMPERSAND || c === BANG) {
      // Still read what follows the properties: a block scalar or a multi-line scalar shapes the lines below.
      const rest = this.skipProperties(at);
      if (rest < this.end) this.openedValue(rest, keyCol);
      return PROPS;
    }
    if (c === STAR) return PROPS;
    if ((c === DASH || c === QUESTION || c === COLON) && this.isIndicator(at)) return WEIRD;
    if (isReservedIndicator(c)) return WEIRD;
    return SCALAR;
  }

  /**
   * The kind of a value at `at` that opens something with its own extent (a quoted scalar, a flow collection,
   * a block scalar header), or undefined for any other value. Scanning it throws when it spans lines.
   */
  private openedValue(at: number, keyCol: number): number | undefined {
    const c = this.text.charCodeAt(at);
    if (isQuote(c)) return this.isBlankOrComment(this.quoteEnd(at)) ? SCALAR : WEIRD;
    if (isFlowOpen(c)) {
      const { close, shape } = this.flow(at);
      return this.isBlankOrComment(close) ? shape : WEIRD;
    }
    if (isBlockHeader(c)) {
      this.blockParent = keyCol; // the text is deeper than the key
      return BLOCK;
    }
    return undefined;
  }

  /** Offset past the anchors and tags starting at `at`, and the spaces after each. */
  private skipProperties(at: number): number {
    const text = this.text;
    let rest = at;
    while (rest < this.end && (text.charCodeAt(rest) === AMPERSAND || text.charCodeAt(rest) === BANG)) {
      while (rest < this.end && text.charCodeAt(rest) !== SPACE) rest++;
      rest = this.skipSpaces(rest);
    }
    return rest;
  }

  /** Offset just past the closing quote of the scalar opening at `at`; one that goes on to the next line is unsure. */
  private quoteEnd(at: number): number {
    const text = this.text;
    const quote = text.charCodeAt(at);
    for (let i = at + 1; i < this.end; i++) {
      const c = text.charCodeAt(i);
      if (quote === DQUOTE && c === BACKSLASH) i++;
      else if (c === quote) {
        if (quote === SQUOTE && i + 1 < this.end && text.charCodeAt(i + 1) === SQUOTE) i++;
        else return i + 1;
      }
    }
    throw new Unsure();
  }

  /**
   * The flow collection opening at `at`, which must close on this line: the offset just past it, and EMPTY,
   * FLOW, or PROPS when it holds an alias (a path through it leads elsewhere).
   */
  private flow(at: number): { close: number; shape: number } {
    const text = this.text;
    let depth = 0;
    let empty = true;
    let alias = false;
    for (let i = at; i < this.end; i++) {
      const c = text.charCodeAt(i);
      if (isFlowOpen(c)) {
        depth++;
        if (i !== at) empty = false;
      } else if (isFlowClose(c)) {
        if (--depth === 0) return { close: i + 1, shape: empty ? EMPTY : alias ? PROPS : FLOW };
      } else if (isQuote(c)) {
        i = this.quoteEnd(i) - 1;
        empty = false;
      } else if (c === HASH && text.charCodeAt(i - 1) === SPACE) {
        break; // a comment: the collection goes on below
      } else if (c !== SPACE) {
        empty = false;
        if (c === STAR) alias = true;
      }
    }
    throw new Unsure();
  }

  /** Offset of the `: ` ending a plain key that starts at `at`, or -1 when the line holds a plain scalar. */
  private plainKeyEnd(at: number): number {
    const text = this.text;
    for (let i = at; i < this.end; i++) {
      const c = text.charCodeAt(i);
      if (c === COLON && this.isIndicator(i)) return i;
      if (c === HASH && i > at && text.charCodeAt(i - 1) === SPACE) return -1;
    }
    return -1;
  }

  /** `-`, `?` or `:` at `at`, followed by a space or the end of the line. */
  private isIndicator(at: number): boolean {
    return at + 1 >= this.end || this.text.charCodeAt(at + 1) === SPACE;
  }

  private isIndicatorAt(at: number, char: number): boolean {
    return at < this.end && this.text.charCodeAt(at) === char && this.isIndicator(at);
  }

  private isMarker(at: number, marker: string): boolean {
    return this.text.startsWith(marker, at) && (at + 3 >= this.end || this.text.charCodeAt(at + 3) === SPACE || this.text.charCodeAt(at + 3) === TAB);
  }

  /** Nothing but spaces, or a comment, from `at` to the end of the line (a `#` must follow a space). */
  private isBlankOrComment(at: number): boolean {
    const i = this.skipSpaces(at);
    if (i >= this.end) return true;
    return this.text.charCodeAt(i) === HASH && (i === this.start || this.text.charCodeAt(i - 1) === SPACE);
  }

  private isBlank(at: number): boolean {
    for (let i = at; i < this.end; i++) {
      const c = this.text.charCodeAt(i);
      if (c !== SPACE && c !== TAB) return false;
    }
    return true;
  }

  private hasTab(at: number): boolean {
    for (let i = at; i < this.end; i++) if (this.text.charCodeAt(i) === TAB) return true;
    return false;
  }

  private skipSpaces(at: number): number {
    let i = at;
    while (i < this.end && this.text.charCodeAt(i) === SPACE) i++;
    return i;
  }
}

/** A quoted key's text; null for a double-quoted one with escapes, which this scanner does not decode. */
function quotedKey(raw: string, quote: number): string | null {
  if (quote === SQUOTE) return raw.replace(/''/g, "'");
  return raw.includes('\\') ? null : raw;
}

/**
 * A plain key's text as a parser compares it, or null when a YAML 1.2 core schema parser may read it as
 * something else (`0x1F` is 31, `~` is null, `True` is true) or it is the merge key `<<`.
 */
function plainKey(text: string): string | null {
  if (text === '' || text === '<<') return null;
  if (/^[-+.~0-9]/.test(text) || /^(null|Null|NULL|true|True|TRUE|false|False|FALSE)$/.test(text)) {
    return /^(0|[1-9]\d{0,14})$/.test(text) ? text : null;
  }
  return text;
}
