// @ts-check
import { mutationTarget } from './stryker.base.mjs';

export default mutationTarget({
  name: 'challenge',
  mutate: 'lambdas/atlas/digest/challenge.ts',
  testFiles: ['test/atlas/digest/challenge.test.ts', 'test/atlas/digest/digestAuth.test.ts'],
  goal: 90,
});
