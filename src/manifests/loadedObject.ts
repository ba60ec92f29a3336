import type { KubeObject } from '../k8s/types.js';
import { PointerLines } from './astLines.js';
import { BlockLines } from './blockLines.js';
import { JsonPointerLines } from './jsonLines.js';
import { joinPointer } from './pointer.js';

/**
 * A parsed document and where it came from. Its line maps are built only when a finding needs a line, once per
 * document however many findings it has: YAML is read by indentation (BlockLines), and parsed again with the
 * `yaml` package only for what that scanner is not sure about.
 */
export class SourceDocument {
  private json: JsonPointerLines | undefined;
  private block: BlockLines | undefined;
  private parsed: PointerLines | undefined;
  private kept: SourceDocument | undefined;

  constructor(
    readonly file: string,
    private readonly source: string | Buffer,
    /** 1-based line of the document's first character in the file. */
    readonly firstLine: number,
    readonly format: 'yaml' | 'json' = 'yaml',
  ) {}

  get text(): string {
    return typeof this.source === 'string' ? this.source : this.source.toString('utf8');
  }

  /**
   * This document with its text copied out of the file's (as UTF-8 bytes, outside the JS heap), for lines
   * asked after the rest of the file is gone; one copy however many of its objects keep it.
   */
  detached(): SourceDocument {
    if (typeof this.source !== 'string') return this;
    return (this.kept ??= new SourceDocument(this.file, Buffer.from(this.source, 'utf8'), this.firstLine, this.format));
  }

  lineOf(pointer: string): number {
    return this.firstLine - 1 + this.localLineOf(pointer);
  }

  private localLineOf(pointer: string): number {
    if (this.format === 'json') return (this.json ??= new JsonPointerLines(this.text)).lineOf(pointer);
    return (this.block ??= new BlockLines(this.text)).lineOf(pointer) ?? (this.parsed ??= new PointerLines(this.text)).lineOf(pointer);
  }
}

/** A Kubernetes object read from a manifest, with the means to name the line of any field in it. */
export class LoadedObject {
  constructor(
    readonly object: KubeObject,
    private readonly document: SourceDocument,
    /** Pointer to the object inside its document: `""`, or `/items/3` inside a List. */
    private readonly base: string,
  ) {}

  get file(): string {
    return this.document.file;
  }

  /**
   * This object, or `object` (a copy of it), with a copy of its document's text, so lines can still be named
   * once the file is let go.
   */
  detached(object: KubeObject = this.object): LoadedObject {
    return new LoadedObject(object, this.document.detached(), this.base);
  }

  /** Line of the object itself. */
  get line(): number {
    return this.document.lineOf(this.base);
  }

  /** Line of the field at `pointer` (relative to the object), or of its nearest existing ancestor. */
  lineOf(pointer: string): number {
    return this.document.lineOf(joinPointer(this.base, pointer));
  }
}
