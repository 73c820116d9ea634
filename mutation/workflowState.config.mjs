// @ts-check
import { mutationTarget } from './stryker.base.mjs';

export default mutationTarget({
  name: 'workflowState',
  mutate: 'lambdas/domain/workflowState.ts',
  testFiles: ['test/domain/**/*.test.ts'],
  goal: 95,
});
