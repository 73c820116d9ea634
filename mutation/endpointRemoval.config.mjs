// @ts-check
import { mutationTarget } from './stryker.base.mjs';

export default mutationTarget({
  name: 'endpointRemoval',
  mutate: 'lambdas/services/endpointRemoval.ts',
  testFiles: [
    'test/services/**/*.test.ts',
    'test/handlers/cleanUp.test.ts',
    'test/handlers/deleteAttempt.test.ts',
  ],
  goal: 90,
});
