// @ts-check
import { mutationTarget } from './stryker.base.mjs';

export default mutationTarget({
  name: 'callers',
  mutate: 'lambdas/domain/callers.ts',
  testFiles: ['test/domain/**/*.test.ts', 'test/handlers/api/callers.test.ts'],
  goal: 95,
});
