// The line scanner (BlockLines) against the YAML parser (PointerLines), pointer by pointer, over any set of
// YAML files: the rule fixtures in the core suite, the official corpus in the shared-corpus suite.
import type { Test } from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { dump, load, type DumpOptions } from 'js-yaml';
import { PointerLines } from '../../src/manifests/ast-lines.js';
import { BlockLines } from '../../src/manifests/block-lines.js';
import { splitDocuments } from '../../src/manifests/documents.js';
import { escapeSegment } from '../../src/kube-model/json-pointer.js';

export function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/i.test(entry.name) ? [path] : [];
  });
}

/** Every pointer to a node of `value`, and pointers just past it: a missing key, an index past the end, into a scalar. */
function pointers(value: unknown, base = ''): string[] {
  if (Array.isArray(value)) {
    return [base, `${base}/${value.length}`, `${base}/x`, ...value.flatMap((item, i) => pointers(item, `${base}/${i}`))];
  }
  if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
    const entries = Object.entries(value as Record<string, unknown>);
    return [base, `${base}/not-a-key~1here`, ...entries.flatMap(([key, child]) => pointers(child, `${base}/${escapeSegment(key)}`))];
  }
  return [base, `${base}/0`];
}

export interface Tally {
  documents: number;
  pointers: number;
  answered: number;
  mismatches: string[];
}

export function emptyTally(): Tally {
  return { documents: 0, pointers: 0, answered: 0, mismatches: [] };
}

/** Every document of `files` that loads, with its value. */
export function documents(files: string[]): Array<{ file: string; firstLine: number; text: string; value: unknown }> {
  return files.flatMap((file) => {
    const raw = readFileSync(file, 'utf8');
    return splitDocuments(raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw).flatMap((piece) => {
      try {
        const value = load(piece.text);
        return value === undefined || value === null ? [] : [{ file, ...piece, value }];
      } catch {
        return []; // not YAML that loads: nothing asks for its lines
      }
    });
  });
}

export function compare(tally: Tally, where: string, text: string, value: unknown): void {
  tally.documents++;
  const scanner = new BlockLines(text);
  const parser = new PointerLines(text);
  for (const pointer of pointers(value)) {
    tally.pointers++;
    const scanned = scanner.lineOf(pointer);
    if (scanned === undefined) continue;
    tally.answered++;
    const parsed = parser.lineOf(pointer);
    if (scanned !== parsed) tally.mismatches.push(`${where} ${pointer}: scanner ${scanned}, parser ${parsed}`);
  }
}

export function compareAll(files: string[]): Tally {
  const tally = emptyTally();
  for (const d of documents(files)) compare(tally, `${d.file} (document at line ${d.firstLine})`, d.text, d.value);
  return tally;
}

/** The documents of `files` written again in other styles (compact sequences, 4 spaces, flow, folded, quoted). */
export function checkRestyled(t: Test, files: string[]): void {
  const styles: DumpOptions[] = [{ noArrayIndent: true }, { indent: 4 }, { flowLevel: 3 }, { lineWidth: 20 }, { forceQuotes: true, quotingType: '"' }];
  const docs = documents(files);
  for (const style of styles) {
    const tally = emptyTally();
    for (const d of docs) compare(tally, `${d.file}:${d.firstLine} as ${JSON.stringify(style)}`, dump(d.value, style), d.value);
    t.same(tally.mismatches.slice(0, 20), [], `${JSON.stringify(style)}: no disagreement`);
    t.comment(`${JSON.stringify(style)}: scanner answered ${((tally.answered / tally.pointers) * 100).toFixed(2)}% of ${tally.pointers}`);
    t.ok(tally.answered > 0);
  }
}

/** The documents of `files` with comments at any indentation, blank lines and wider spacing slipped in. */
export function checkEdited(t: Test, files: string[]): Tally {
  let seed = 42;
  const random = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const spaces = (): string => ' '.repeat(Math.floor(random() * 12));
  const edits: Array<(line: string) => string[]> = [
    (line) => [`${spaces()}# a comment with "quotes" [ and { brackets`, line],
    (line) => [spaces(), line],
    (line) => [/[|>][-+]?$/.test(line) ? line : `${line}   # trailing "comment" [`],
    (line) => [line.replace(/^(\s*)- /, '$1-   ')],
    (line) => [line.replace(/: /, ':    ')],
  ];
  const tally = emptyTally();
  for (const d of documents(files)) {
    for (let round = 0; round < 3; round++) {
      const text = d.text
        .split('\n')
        .flatMap((line) => (random() < 0.08 ? (edits[Math.floor(random() * edits.length)] as (line: string) => string[])(line) : [line]))
        .join('\n');
      let value: unknown;
      try {
        value = load(text);
      } catch {
        continue;
      }
      if (!isDeepStrictEqual(value, d.value)) continue; // an edit inside a block scalar or quoted scalar: skip it
      compare(tally, `${d.file}:${d.firstLine} edited (round ${round})`, text, value);
    }
  }
  t.same(tally.mismatches.slice(0, 20), [], 'no disagreement');
  t.comment(`edited: ${tally.documents} documents, scanner answered ${((tally.answered / tally.pointers) * 100).toFixed(2)}% of ${tally.pointers}`);
  return tally;
}
