import { defineConfig } from 'vitest/config';
import base from '../vitest.config';
import { LoadFailuresAsFailedTests } from './loadFailures';

/**
 * The project's vitest configuration, narrowed to the tests of one mutation-testing target (named by the target's
 * config in MUTATION_TEST_FILES). Stryker's own `testFiles` option is not used: with it, Stryker 9.6.1 activates a
 * module-level ("static") mutant only after the module has loaded, so such a mutant survives tests that kill it
 * (stryker-js#6144).
 */
const only = process.env.MUTATION_TEST_FILES;

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: only ? only.split(',') : (base.test?.include ?? []),
    reporters: ['default', new LoadFailuresAsFailedTests()],
  },
});
