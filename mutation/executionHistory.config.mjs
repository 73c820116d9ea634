// @ts-check
import { mutationTarget } from './stryker.base.mjs';

export default mutationTarget({
  name: 'executionHistory',
  mutate: 'lambdas/domain/executionHistory.ts',
  testFiles: [
    'test/domain/executionHistory.test.ts',
    'test/services/sweep.test.ts',
    'test/adapters/Executions.test.ts',
  ],
  goal: 95,
});
