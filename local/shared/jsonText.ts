/**
 * JSON text from a file a person wrote: a syntax error names the line and column, counted from 1, the
 * way an editor shows them. `JSON.parse` on Node 20 gives a character offset for some errors ("at
 * position 14") and none for others ("Unexpected token 'o', "nope" is not valid JSON"), so on failure
 * a small scanner finds where the text stops being JSON and says what it expected there.
 */

/** Thrown by {@link parseJsonText}; `line` and `column` are 1-based. */
export class JsonSyntaxError extends SyntaxError {
  readonly line: number;
  readonly column: number;

  constructor(reason: string, line: number, column: number) {
    super(`not valid JSON at line ${line}, column ${column}: ${reason}`);
    this.name = 'JsonSyntaxError';
    this.line = line;
    this.column = column;
  }
}

/** Parses `text`, or throws a {@link JsonSyntaxError} naming where it stopped making sense. */
export function parseJsonText(source: string): unknown {
  // Some editors start a UTF-8 file with a byte order mark; it is not part of the JSON.
  const text = source.startsWith('\uFEFF') ? source.slice(1) : source;
  try {
    return JSON.parse(text);
  } catch {
    const { offset, reason } = firstError(text);
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    const column = offset - (before.lastIndexOf('\n') + 1) + 1;
    throw new JsonSyntaxError(reason, line, column);
  }
}

interface Problem {
  readonly offset: number;
  readonly reason: string;
}

/** Where `text` (which `JSON.parse` refused) first breaks the JSON grammar (RFC 8259), and why. */
function firstError(text: string): Problem {
  let i = 0;
  const fail = (reason: string): never => {
    const found = i >= text.length ? 'the end of the text' : JSON.stringify(text[i]);
    throw { offset: i, reason: `${reason}, found ${found}` } satisfies Problem;
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i += 1;
  };
  const string = () => {
    i += 1; // the opening quote
    for (;;) {
      if (i >= text.length) fail('expected the closing " of a string');
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i += 1;
        return;
      }
      if (c < 0x20) fail('expected \\n or another escape instead of a control character in a string');
      if (c === 0x5c) {
        i += 1;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('expected 4 hex digits after \\u');
          i += 5;
        } else if (i < text.length && '"\\/bfnrt'.includes(text[i] as string)) i += 1;
        else fail('expected one of "\\/bfnrtu after a backslash');
      } else i += 1;
    }
  };
  const number = () => {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i));
    if (!match) fail('expected a number');
    i += (match as RegExpExecArray)[0].length;
  };
  const value = (): void => {
    space();
    const c = text[i];
    if (c === '{') {
      i += 1;
      space();
      if (text[i] === '}') {
        i += 1;
        return;
      }
      for (;;) {
        space();
        if (text[i] !== '"') fail('expected a "quoted" property name');
        string();
        space();
        if (text[i] !== ':') fail('expected ":" after the property name');
        i += 1;
        value();
        space();
        if (text[i] === ',') i += 1;
        else if (text[i] === '}') {
          i += 1;
          return;
        } else fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      i += 1;
      space();
      if (text[i] === ']') {
        i += 1;
        return;
      }
      for (;;) {
        value();
        space();
        if (text[i] === ',') i += 1;
        else if (text[i] === ']') {
          i += 1;
          return;
        } else fail('expected "," or "]"');
      }
    }
    if (c === '"') {
      string();
      return;
    }
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      number();
      return;
    }
    for (const literal of ['true', 'false', 'null']) {
      if (text.startsWith(literal, i)) {
        i += literal.length;
        return;
      }
    }
    fail('expected a value (an object, array, string, number, true, false or null)');
  };
  try {
    value();
    space();
    if (i < text.length) fail('expected the end of the text after the value');
    return { offset: i, reason: 'not valid JSON' };
  } catch (problem) {
    return problem as Problem;
  }
}
