import { describe } from 'vitest';
import { EXTERNAL_CALLS } from './faultMatrix';
import { describeMatrix } from './faultMatrixCells';

// Every Atlas call × every fault × once / persistent (see faultMatrix.test.ts for the AWS calls).
describe('fault matrix: Atlas calls', () => {
  describeMatrix(
    'Fault matrix: Atlas calls',
    EXTERNAL_CALLS.filter((c) => c.side === 'atlas'),
  );
});
