import { AwsApiError } from './errors';

/** A JSON protocol request body: always a JSON object. */
export type JsonObject = Readonly<Record<string, unknown>>;

/**
 * Readers for members of a JSON protocol request. A member of the wrong JSON type is a
 * `SerializationException` (the service could not deserialize the body); a missing required member
 * is a `ValidationException` worded like AWS's Coral validation messages.
 */
export function optionalString(input: JsonObject, member: string): string | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw wrongType(member, 'a string', value);
  return value;
}

export function requiredString(input: JsonObject, member: string): string {
  const value = optionalString(input, member);
  if (value === undefined) throw missing(member);
  return value;
}

export function optionalInteger(input: JsonObject, member: string): number | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw wrongType(member, 'an integer', value);
  return value;
}

export function optionalBoolean(input: JsonObject, member: string): boolean | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw wrongType(member, 'a boolean', value);
  return value;
}

/** A timestamp member: JSON protocols send epoch seconds (a number, possibly fractional). */
export function optionalEpochSeconds(input: JsonObject, member: string): number | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw wrongType(member, 'a timestamp', value);
  return value;
}

export function optionalArray(input: JsonObject, member: string): unknown[] | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw wrongType(member, 'a list', value);
  return value;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON timestamps are epoch seconds; the emulator keeps milliseconds. */
export function epochSeconds(ms: number): number {
  return ms / 1000;
}

function wrongType(member: string, expected: string, value: unknown): AwsApiError {
  const got = Array.isArray(value) ? 'a list' : typeof value;
  return new AwsApiError('SerializationException', `Member ${member} must be ${expected}, got ${got}`);
}

function missing(member: string): AwsApiError {
  return new AwsApiError(
    'ValidationException',
    `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
  );
}
