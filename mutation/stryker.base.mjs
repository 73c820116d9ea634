// @ts-check
/**
 * What every mutation-testing target shares. Each `<target>.config.mjs` beside this file names the source file
 * it mutates, the tests that are meant to catch a mistake in it, and the score it must reach.
 */

/**
 * @param {object} target
 * @param {string} target.name - the config's name, used for its reports
 * @param {string} target.mutate - the source file to mutate
 * @param {string[]} target.testFiles - the tests that protect it; a mutant they miss survives
 * @param {number} target.goal - the lowest acceptable mutation score, in percent
 * @returns {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export function mutationTarget({ name, mutate, testFiles, goal }) {
  // Read by mutation/vitest.config.ts in Stryker's worker processes, which inherit this environment.
  process.env.MUTATION_TEST_FILES = testFiles.join(',');
  return {
    testRunner: 'vitest',
    vitest: { configFile: 'mutation/vitest.config.ts', related: false },
    mutate: [mutate],
    coverageAnalysis: 'perTest',
    // Two cores, shared: one test runner, which also keeps timings steady enough for timeout detection.
    concurrency: 1,
    timeoutMS: 5_000,
    thresholds: { high: goal, low: goal, break: goal },
    reporters: ['clear-text', 'progress', 'html', 'json'],
    htmlReporter: { fileName: `reports/mutation/${name}.html` },
    jsonReporter: { fileName: `reports/mutation/${name}.json` },
    clearTextReporter: { allowEmojis: false, logTests: false, reportScoreTable: true },
    incrementalFile: `reports/mutation/${name}.incremental.json`,
    ignorePatterns: ['cdk.out', '.bench', 'coverage', 'reports', 'docs'],
    tempDirName: '.stryker-tmp',
    cleanTempDir: true,
  };
}
