import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The package test packs and installs the built package: `npm run test:package` (vitest.package.config.ts).
    exclude: ['test/package/**', '**/node_modules/**'],
    setupFiles: ['local/polyfills/promiseWithResolvers.ts'],
    env: {
      // The locked AWS SDK versions support Node 20; releases after January 2027 will not, and it warns.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    // Vitest's default leaves one core idle (availableParallelism − 1): on a 2-core machine that is one
    // worker, and most of this suite waits on loopback HTTP and child processes, so two workers finish sooner.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
