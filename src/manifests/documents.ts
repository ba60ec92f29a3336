/** One YAML document cut out of a file, with the line it starts on. */
export interface DocumentText {
  text: string;
  /** 1-based line of the document's first character in its file. */
  firstLine: number;
  /** Index of the document's first character in the text it was cut from. */
  offset: number;
}

// A document marker or a directive at column 0 always ends the previous document, even inside a block scalar
// (YAML 1.2 §9.1), so cutting on them is exact and lets each document be parsed, and re-parsed, on its own.
const BOUNDARY = /^(?:(---|\.\.\.)(?=[ \t\r]|$)|%)/gm;

/** Cuts a multi-document YAML text into documents in one linear pass. */
export function splitDocuments(text: string): DocumentText[] {
  const documents: DocumentText[] = [];
  let start = 0;
  let line = 1;
  let afterDirective = false;
  const cut = (end: number): void => {
    if (end <= start) return;
    documents.push({ text: text.slice(start, end), firstLine: line, offset: start });
    line += countNewlines(text, start, end);
    start = end;
  };
  for (const match of text.matchAll(BOUNDARY)) {
    const at = match.index;
    if (match[1] === '...') {
      cut(endOfLine(text, at));
      afterDirective = false;
    } else if (match[1] === '---') {
      // `%YAML 1.2` then `---` open one document together.
      if (!afterDirective) cut(at);
      afterDirective = false;
    } else {
      if (!afterDirective) cut(at);
      afterDirective = true;
    }
  }
  cut(text.length);
  return documents;
}

function endOfLine(text: string, from: number): number {
  const newline = text.indexOf('\n', from);
  return newline === -1 ? text.length : newline + 1;
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) count++;
  return count;
}
