import { describe } from 'vitest';
import { EXTERNAL_CALLS } from './faultMatrix';
import { describeMatrix } from './faultMatrixCells';

// Every workflow function × every fault of the Lambda service (throttled, failed, timed out after doing
// its work) × once / persistent: retried steps are harmless, and nothing outlives a failed execution.
describe('fault matrix: Lambda invocations', () => {
  describeMatrix(
    'Fault matrix: Lambda invocations',
    EXTERNAL_CALLS.filter((c) => c.side === 'lambda'),
  );
});
