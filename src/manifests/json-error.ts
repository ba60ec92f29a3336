/** Where a text stops being JSON: 0-based offset, 1-based line and column (in UTF-16 units, as editors count). */
export interface JsonErrorPlace {
  offset: number;
  line: number;
  column: number;
}

/**
 * Where a JSON text that JSON.parse rejected stops being JSON: for the manifest loader's line and the webhook's
 * 400. Node 20's JSON.parse does not always say (`Unexpected end of JSON input`), and its message quotes the
 * input, which may hold a Secret's values: this names the place only.
 */
export function jsonErrorPlace(text: string): JsonErrorPlace {
  const offset = jsonErrorOffset(text);
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { offset, line, column: offset - lineStart + 1 };
}

/** Follows the grammar without building values; a text that is JSON ends at its length. */
function jsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw new JsonStop(i);
  };
  const space = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i] as string)) i++;
  };
  const literal = (word: string) => {
    if (text.slice(i, i + word.length) !== word) fail();
    i += word.length;
  };
  const string = () => {
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      const code = text.charCodeAt(i);
      if (code < 0x20) fail();
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) fail();
      }
      i++;
    }
    if (text[i] !== '"') fail();
    i++;
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    const length = match?.[0].length ?? 0;
    if (length === 0) fail();
    i += length;
  };
  const members = (close: string, member: () => void) => {
    i++;
    space();
    if (text[i] === close) return void i++;
    for (;;) {
      member();
      space();
      if (text[i] === close) return void i++;
      if (text[i] !== ',') fail();
      i++;
      space();
    }
  };
  const value = (): void => {
    space();
    const char = text[i];
    if (char === '{') {
      members('}', () => {
        if (text[i] !== '"') fail();
        string();
        space();
        if (text[i] !== ':') fail();
        i++;
        value();
      });
    } else if (char === '[') members(']', value);
    else if (char === '"') string();
    else if (char === 't') literal('true');
    else if (char === 'f') literal('false');
    else if (char === 'n') literal('null');
    else number();
  };
  try {
    value();
    space();
    if (i < text.length) fail();
    return text.length;
  } catch (error: unknown) {
    if (error instanceof JsonStop) return Math.min(error.offset, text.length);
    throw error;
  }
}

class JsonStop extends Error {
  readonly code = 'DDG_JSON_STOP';
  constructor(readonly offset: number) {
    super(`JSON stops at offset ${offset}`);
  }
}
