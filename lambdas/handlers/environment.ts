/**
 * The environment variables the functions read, named once: the construct sets them, the handlers
 * read them, and the offline runner sets them to point at the emulators.
 */
export const RuntimeEnv = {
  secretArn: 'ATLAS_SECRET_ARN',
  atlasBaseUrl: 'ATLAS_BASE_URL',
  managedBy: 'MANAGED_BY',
  /**
   * Milliseconds the Atlas client allows to connect, and to wait for headers and between body chunks.
   * @default - the client's own (5 s connect, 15 s headers and body)
   */
  atlasTimeoutMs: 'ATLAS_TIMEOUT_MS',
  /**
   * Milliseconds one Atlas operation may spend on its own retries, waits included.
   * @default - the client's own (20 s)
   */
  atlasRetryDeadlineMs: 'ATLAS_RETRY_DEADLINE_MS',
} as const;

export const ApiEnv = { stateMachineArn: 'STATE_MACHINE_ARN' } as const;
