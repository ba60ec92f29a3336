import { pointerSegments } from '../kube-model/json-pointer.js';

interface Member {
  /** Where a reader looks: the key of an object member, the start of an array element. */
  at: number;
  /** Where the value starts. */
  value: number;
}

/**
 * Maps JSON pointers to lines in a JSON text without parsing it again as a whole: each container on the way is
 * scanned once, on first use, and remembered. A `kubectl get -o json` List of 50,000 objects costs one pass for
 * all of its findings, not one per finding.
 */
export class JsonPointerLines {
  private readonly containers = new Map<number, Map<string, Member>>();
  private newlines: number[] | undefined;

  constructor(private readonly text: string) {}

  lineOf(pointer: string): number {
    let offset = skipSpace(this.text, 0);
    let at = offset;
    for (const segment of pointerSegments(pointer)) {
      const member = this.members(offset)?.get(segment);
      if (!member) break;
      at = member.at;
      offset = member.value;
    }
    return this.lineAt(at);
  }

  private members(offset: number): Map<string, Member> | undefined {
    const char = this.text[offset];
    if (char !== '{' && char !== '[') return undefined;
    let members = this.containers.get(offset);
    if (!members) {
      members = char === '{' ? scanObject(this.text, offset) : scanArray(this.text, offset);
      this.containers.set(offset, members);
    }
    return members;
  }

  private lineAt(offset: number): number {
    if (!this.newlines) {
      this.newlines = [];
      for (let i = this.text.indexOf('\n'); i !== -1; i = this.text.indexOf('\n', i + 1)) this.newlines.push(i);
    }
    // Binary search: how many newlines come before the offset.
    let low = 0;
    let high = this.newlines.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.newlines[mid] ?? Infinity) < offset) low = mid + 1;
      else high = mid;
    }
    return low + 1;
  }
}

function scanObject(text: string, open: number): Map<string, Member> {
  const members = new Map<string, Member>();
  let i = skipSpace(text, open + 1);
  while (text[i] === '"') {
    const keyEnd = skipString(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    const value = skipSpace(text, skipSpace(text, keyEnd) + 1); // past the colon
    members.set(key, { at: i, value });
    i = skipSpace(text, skipValue(text, value));
    if (text[i] === ',') i = skipSpace(text, i + 1);
  }
  return members;
}

function scanArray(text: string, open: number): Map<string, Member> {
  const members = new Map<string, Member>();
  let i = skipSpace(text, open + 1);
  for (let index = 0; i < text.length && text[i] !== ']'; index++) {
    members.set(String(index), { at: i, value: i });
    i = skipSpace(text, skipValue(text, i));
    if (text[i] === ',') i = skipSpace(text, i + 1);
    else break;
  }
  return members;
}

/** The offset just past the value starting at `i` (the text is known to be valid JSON). */
function skipValue(text: string, i: number): number {
  const char = text[i];
  if (char === '"') return skipString(text, i);
  if (char !== '{' && char !== '[') {
    let end = i;
    while (end < text.length && !',]} \t\r\n'.includes(text[end] as string)) end++;
    return end;
  }
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    const c = text[j];
    if (c === '"') j = skipString(text, j) - 1;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return j + 1;
    }
  }
  return text.length;
}

function skipString(text: string, quote: number): number {
  for (let j = quote + 1; j < text.length; j++) {
    const c = text[j];
    if (c === '\\') j++;
    else if (c === '"') return j + 1;
  }
  return text.length;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && ' \t\r\n'.includes(text[i] as string)) i++;
  return i;
}
