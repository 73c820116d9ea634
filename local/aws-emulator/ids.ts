import { randomBytes, randomUUID } from 'node:crypto';

/** `length` random lowercase hex digits. */
export function randomHex(length: number): string {
  return randomBytes(Math.ceil(length / 2))
    .toString('hex')
    .slice(0, length);
}

/** `prefix` + 17 lowercase hex digits, the long EC2 id form (`vpce-0123456789abcdef0`). */
export function ec2Id(prefix: string): string {
  return `${prefix}-${randomHex(17)}`;
}

/** A request id or version id as AWS prints them (a v4 UUID). */
export function uuid(): string {
  return randomUUID();
}

/** `length` random characters from [a-zA-Z0-9], like the suffix Secrets Manager appends to a secret ARN. */
export function randomSuffix(length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return Array.from(randomBytes(length), (byte) => alphabet[byte % alphabet.length]).join('');
}
