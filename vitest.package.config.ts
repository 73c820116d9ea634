import { defineConfig } from 'vitest/config';

/**
 * `npm run test:package`: the package as people install it — packed, installed into a fresh CDK app
 * outside this repository, synthesized with `cdk synth`. Slow (pack, install, synth), so not part of
 * `npm test`; `.ci/run` runs it after `npm test`.
 */
export default defineConfig({
  test: {
    include: ['test/package/**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 900_000,
  },
});
