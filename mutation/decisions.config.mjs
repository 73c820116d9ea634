// @ts-check
import { mutationTarget } from './stryker.base.mjs';

export default mutationTarget({
  name: 'decisions',
  mutate: 'lambdas/domain/decisions.ts',
  testFiles: ['test/domain/**/*.test.ts'],
  goal: 95,
});
