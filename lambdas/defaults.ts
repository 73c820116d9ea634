/**
 * Defaults that the CDK app, the functions and the CLIs share, each named once. This module imports
 * nothing, so a synthesis, a Lambda bundle and a CLI can all load it.
 */
export const Defaults = {
  /**
   * The stack's name when the CDK app's `stackName` context gives none. (The workflow's `managedBy`, the
   * value of the managed-by tag on its endpoints, defaults to the stack name and a hash unique to the
   * construct; the stack output `ManagedBy` shows it.)
   */
  stackName: 'AtlasPrivateLink',
  /** Seconds after its creation during which the sweep leaves a managed endpoint alone, whatever its execution says. */
  sweepGraceSeconds: 7200,
} as const;
