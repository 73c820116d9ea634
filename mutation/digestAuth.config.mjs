// @ts-check
import { mutationTarget } from './stryker.base.mjs';

export default mutationTarget({
  name: 'digestAuth',
  mutate: 'lambdas/atlas/digest/digestAuth.ts',
  testFiles: ['test/atlas/digest/digestAuth.test.ts'],
  goal: 90,
});
