import { afterEach, describe, expect, it } from 'vitest';
import { envNumber } from '../lambdas/envNumber';

const NAME = 'ENV_NUMBER_TEST';

describe('envNumber', () => {
  afterEach(() => {
    delete process.env[NAME];
  });

  it.each([
    ['1500', 'positive', 1500],
    [' 2.5 ', 'positive', 2.5],
    ['0', 'nonNegative', 0],
    ['7200', 'nonNegative', 7200],
  ] as const)('reads %j as a %s number', (text, range, expected) => {
    // Prepare
    process.env[NAME] = text;

    // Act + Assess
    expect(envNumber(NAME, range)).toBe(expected);
  });

  it.each([
    [undefined, 'positive'],
    ['', 'nonNegative'],
    ['  ', 'nonNegative'],
    ['abc', 'positive'],
    ['Infinity', 'positive'],
    ['0', 'positive'],
    ['-1', 'nonNegative'],
  ] as const)(
    'gives undefined for %j when the range is %s, so the caller keeps its default',
    (text, range) => {
      // Prepare
      if (text !== undefined) process.env[NAME] = text;

      // Act + Assess
      expect(envNumber(NAME, range)).toBeUndefined();
    },
  );
});
