// @ts-check
import { mutationTarget } from './stryker.base.mjs';

export default mutationTarget({
  name: 'registration',
  mutate: 'lambdas/domain/registration.ts',
  testFiles: ['test/handlers/registerEndpoint.test.ts'],
  goal: 95,
});
