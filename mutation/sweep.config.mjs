// @ts-check
import { mutationTarget } from './stryker.base.mjs';

export default mutationTarget({
  name: 'sweep',
  mutate: 'lambdas/services/sweep.ts',
  testFiles: ['test/services/**/*.test.ts'],
  goal: 90,
});
