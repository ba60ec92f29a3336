import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import type { KubeObject } from '../kube-model/types.js';
import { ManifestInputError } from './errors.js';
import { PointerLines } from './ast-lines.js';
import { BlockLines } from './block-lines.js';
import { JsonPointerLines } from './json-lines.js';
import type { StringTable } from './strings.js';
import { joinPointer } from '../kube-model/json-pointer.js';

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
    private readonly source: string | Buffer | (() => string),
    /** 1-based line of the document's first character in the file. */
    readonly firstLine: number,
    readonly format: 'yaml' | 'json' = 'yaml',
    /** Where the document is in its file's text (without a byte order mark), to read it again. */
    private readonly place?: DocumentPlace,
  ) {}

  get text(): string {
    if (typeof this.source === 'string') return this.source;
    return typeof this.source === 'function' ? this.source() : this.source.toString('utf8');
  }

  /**
   * This document, able to name lines after its file's text is let go: read again from `files` when given
   * (a file on disk), else with its text copied (as UTF-8 bytes, outside the JS heap). One copy however many
   * of its objects keep it.
   */
  detached(files?: FileTexts, strings?: StringTable): SourceDocument {
    const { source, place, file } = this;
    if (typeof source !== 'string') return this;
    if (files && place) {
      if (this.kept) return this.kept;
      // The reader must not refer to `this`: this document holds a slice of the whole file's text.
      const { offset, fileLength, bytes } = place;
      const length = source.length;
      const end = offset + length;
      const wholeFile = () => files.read(file, fileLength).slice(offset, end);
      const reread = bytes ? () => files.readDocument(file, bytes, length) ?? wholeFile() : wholeFile;
      this.kept = new SourceDocument(file, reread, this.firstLine, this.format);
      // Its YAML line table, built now from the text in hand and kept instead of the text: reading documents
      // again and indexing them at the end of a large input left the collector more than the input itself
      // (the text is read again only for what the table is not sure about).
      if (strings && this.format === 'yaml') this.kept.block = new BlockLines(source, (key) => strings.intern(key));
      return this.kept;
    }
    return (this.kept ??= new SourceDocument(this.file, Buffer.from(source, 'utf8'), this.firstLine, this.format));
  }

  lineOf(pointer: string): number {
    return this.firstLine - 1 + this.localLineOf(pointer);
  }

  private localLineOf(pointer: string): number {
    if (this.format === 'json') return (this.json ??= new JsonPointerLines(this.text)).lineOf(pointer);
    return (this.block ??= new BlockLines(this.text)).lineOf(pointer) ?? (this.parsed ??= new PointerLines(this.text)).lineOf(pointer);
  }
}

export interface DocumentPlace {
  offset: number;
  /** Length of the file's text when it was parsed: a file read again at another length has changed. */
  fileLength: number;
  /** The document's bytes in the file (a YAML document of a file on disk), to read it alone again. */
  bytes?: DocumentBytes;
}

export interface DocumentBytes {
  offset: number;
  length: number;
  /** The file's size as its text encodes: another size on disk means the file changed, or was not UTF-8. */
  fileBytes: number;
}

/**
 * Files' texts read again, for the lines of findings worked out after the files were let go: the last one is
 * kept, since objects are judged in the order they were read.
 */
export class FileTexts {
  private last: { file: string; text: string } | undefined;

  read(file: string, expectedLength: number): string {
    if (this.last?.file !== file) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error: unknown) {
        throw new ManifestInputError(file, `could not be read again: ${error instanceof Error ? error.message : String(error)}`);
      }
      this.last = { file, text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
    }
    if (this.last.text.length !== expectedLength) throw new ManifestInputError(file, 'changed while it was being checked');
    return this.last.text;
  }

  /**
   * One document's text, read alone from its bytes in the file: a finding's line needs its document, not the
   * file, and reading whole files again at the end of a large input made the collector's work grow with the
   * input. Undefined when the file's size is not the one its text gave (invalid UTF-8 was replaced when it was
   * read, or it changed): the caller reads the whole file, which says which.
   */
  readDocument(file: string, bytes: DocumentBytes, expectedLength: number): string | undefined {
    let fd: number | undefined;
    try {
      fd = openSync(file, 'r');
      if (fstatSync(fd).size !== bytes.fileBytes) return undefined;
      const buffer = Buffer.allocUnsafe(bytes.length);
      const read = readSync(fd, buffer, 0, bytes.length, bytes.offset);
      const text = buffer.toString('utf8', 0, read);
      return text.length === expectedLength ? text : undefined;
    } catch {
      return undefined;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  release(): void {
    this.last = undefined;
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
  detached(object: KubeObject = this.object, files?: FileTexts, strings?: StringTable): LoadedObject {
    return new LoadedObject(object, this.document.detached(files, strings), this.base);
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
