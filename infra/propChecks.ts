/**
 * Checks of the props a user types, run in the constructors so that a typo fails `cdk synth` naming the
 * prop, not the first execution. Each returns the problem in words, or undefined; {@link refuseInvalidProps}
 * throws one `InvalidRequestError` naming every bad prop, the error every part of this package throws for
 * a bad argument. A token (a value known only at deploy time) is not checked.
 */
import { Token } from 'aws-cdk-lib';
import { parseBaseUrl } from '../lambdas/atlas/paths';
import { readerArnProblem } from '../lambdas/domain/callers';
import { type FieldViolation, InvalidRequestError } from '../lambdas/errors';
import { describeReceived } from '../lambdas/ids';

/** Throws one {@link InvalidRequestError} naming every prop that has a problem, if any has. */
export function refuseInvalidProps(problems: Readonly<Record<string, string | undefined>>): void {
  const violations: FieldViolation[] = Object.entries(problems)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([field, message]) => ({ field, message }));
  if (violations.length > 0) throw new InvalidRequestError(violations);
}

/** The Atlas Admin API's base URL: https, with no credentials, query or fragment. */
export function atlasBaseUrlProblem(value: string | undefined): string | undefined {
  if (value === undefined || Token.isUnresolved(value)) return undefined;
  const expected =
    'an https URL such as "https://cloud.mongodb.com" (Atlas for Government: "https://cloud.mongodbgov.com")';
  // A URL's user information may be a key pasted astray: it stays out of the message.
  const got = describeReceived(value.replace(/\/\/[^/?#]*@/, '//…@'));
  if (!/^https:\/\//i.test(value)) return `expected ${expected}, got ${got}`;
  const location = parseBaseUrl(value);
  return 'problem' in location ? `expected ${location.problem}, got ${got}` : undefined;
}

// An AWS tag value: https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u;

/** The managed-by tag value: a non-empty AWS tag value. */
export function managedByProblem(value: string): string | undefined {
  if (Token.isUnresolved(value) || TAG_VALUE.test(value)) return undefined;
  return `expected 1 to 256 letters, digits, spaces or _ . : / = + - @ (an AWS tag value), got ${describeReceived(value)}`;
}

/** An EventBridge event `source`: not one of AWS's own. */
export function eventSourceProblem(value: string): string | undefined {
  if (Token.isUnresolved(value)) return undefined;
  if (/^[A-Za-z0-9._-]{1,256}$/.test(value) && !value.startsWith('aws.')) return undefined;
  return `expected 1 to 256 letters, digits, '.', '_' or '-', not starting with "aws.", got ${describeReceived(value)}`;
}

/** `endpointReaders`: IAM role or user ARNs (no commas: the functions read them as one comma-separated list). */
export function endpointReadersProblem(readers: readonly string[] | undefined): string | undefined {
  for (const arn of readers ?? []) {
    if (Token.isUnresolved(arn)) continue;
    if (arn.includes(',')) return `expected ARNs without commas, got ${describeReceived(arn)}`;
    const problem = readerArnProblem(arn);
    if (problem) return problem;
  }
  return undefined;
}
