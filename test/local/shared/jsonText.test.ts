import { describe, expect, it } from 'vitest';
import { JsonSyntaxError, parseJsonText } from '../../../local/shared/jsonText';

function syntaxError(text: string): JsonSyntaxError {
  try {
    parseJsonText(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be refused`);
}

describe('parseJsonText', () => {
  it('parses JSON as JSON.parse does, a leading byte order mark aside', () => {
    expect(parseJsonText('{"a": [1, "x", null, true]}')).toEqual({ a: [1, 'x', null, true] });
    expect(parseJsonText('\uFEFF{"a": 1}')).toEqual({ a: 1 });
  });

  it.each([
    [
      'a trailing comma in an object',
      '{\n  "request": {\n    "maxAttempts": 2,\n  }\n}',
      4,
      3,
      'expected a "quoted" property name, found "}"',
    ],
    ['an unquoted name', '{"a": 1,\n  b: 2}', 2, 3, 'expected a "quoted" property name, found "b"'],
    [
      'a trailing comma in an array',
      '{"a": [1, 2,]}',
      1,
      13,
      'expected a value (an object, array, string, number, true, false or null), found "]"',
    ],
    [
      'a word that is not a value',
      '{\n  "x": tru\n}',
      2,
      8,
      'expected a value (an object, array, string, number, true, false or null), found "t"',
    ],
    ['single quotes', "{'a': 1}", 1, 2, 'expected a "quoted" property name, found "\'"'],
    ['text after the value', '{"a": 1}}', 1, 9, 'expected the end of the text after the value, found "}"'],
    [
      'a cut-off document',
      '{"a":',
      1,
      6,
      'expected a value (an object, array, string, number, true, false or null), found the end of the text',
    ],
    [
      'an empty file',
      '',
      1,
      1,
      'expected a value (an object, array, string, number, true, false or null), found the end of the text',
    ],
    ['a missing colon', '{"a" 1}', 1, 6, 'expected ":" after the property name, found "1"'],
    ['a leading zero', '{"a": 01}', 1, 8, 'expected "," or "}", found "1"'],
  ])('names the line and column of %s', (_, text, line, column, reason) => {
    const error = syntaxError(text);

    expect(error).toMatchObject({ line, column });
    expect(error.message).toBe(`not valid JSON at line ${line}, column ${column}: ${reason}`);
  });
});
