// @ts-check
import { mutationTarget } from './stryker.base.mjs';

export default mutationTarget({
  name: 'registration',
  mutate: 'lambdas/domain/registration.ts',
  testFiles: ['test/domain/registration.test.ts', 'test/handlers/registerEndpoint.test.ts'],
  goal: 95,
});
