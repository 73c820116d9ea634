import { describe } from 'vitest';
import { EXTERNAL_CALLS } from './faultMatrix';
import { describeMatrix } from './faultMatrixCells';

// Every AWS call × every fault × once / persistent: the execution succeeds, or fails with a typed error,
// and nothing a failed execution created outlives it (its own clean-up, or the sweep once the fault
// lifts). The Atlas calls run in faultMatrix.atlas.test.ts, in parallel.
describe('fault matrix: AWS calls', () => {
  describeMatrix(
    'Fault matrix: AWS calls',
    EXTERNAL_CALLS.filter((c) => c.side === 'aws'),
  );
});
