/** The detail-types of the events the state machines publish, and of the two that start them. */
export const WorkflowEvents = {
  requested: 'Atlas Private Endpoint Requested',
  available: 'Atlas Private Endpoint Available',
  failed: 'Atlas Private Endpoint Failed',
  attemptFailed: 'Atlas Private Endpoint Attempt Failed',
  deletionRequested: 'Atlas Private Endpoint Deletion Requested',
  deleted: 'Atlas Private Endpoint Deleted',
  deletionFailed: 'Atlas Private Endpoint Deletion Failed',
} as const;
