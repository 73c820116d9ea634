// @ts-check
import { mutationTarget } from './stryker.base.mjs';

export default mutationTarget({
  name: 'retryPolicy',
  mutate: 'lambdas/atlas/retryPolicy.ts',
  testFiles: ['test/atlas/retryPolicy.test.ts'],
  goal: 95,
});
