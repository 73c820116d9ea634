/**
 * The environment variables the functions read, named once: the construct sets them, the handlers
 * read them, and the offline runner sets them to point at the emulators.
 */
export const RuntimeEnv = {
  secretArn: 'ATLAS_SECRET_ARN',
  atlasBaseUrl: 'ATLAS_BASE_URL',
  managedBy: 'MANAGED_BY',
} as const;

export const ApiEnv = { stateMachineArn: 'STATE_MACHINE_ARN' } as const;
