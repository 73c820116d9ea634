// @ts-check
import { mutationTarget } from './stryker.base.mjs';

export default mutationTarget({
  name: 'request',
  mutate: 'lambdas/domain/request.ts',
  testFiles: ['test/domain/**/*.test.ts'],
  goal: 95,
});
