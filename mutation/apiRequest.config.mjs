// @ts-check
import { mutationTarget } from './stryker.base.mjs';

export default mutationTarget({
  name: 'apiRequest',
  mutate: 'lambdas/domain/apiRequest.ts',
  testFiles: ['test/domain/**/*.test.ts'],
  goal: 95,
});
