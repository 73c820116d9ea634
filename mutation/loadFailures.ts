import type { File, Test } from '@vitest/runner';
import { experimental_getRunnerTask, type Reporter, type TestModule } from 'vitest/node';

/**
 * Turns a test file that fails to load into one failed test. Stryker's vitest runner (9.6.1) builds a mutant's
 * result from the tests it collected, and a file whose import throws collects none, so a module-level mutant
 * that breaks the import of the code under test (every test of it fails) would be reported as surviving.
 */
export class LoadFailuresAsFailedTests implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    for (const testModule of testModules) {
      const file: File = experimental_getRunnerTask(testModule);
      if (file.result?.state === 'fail' && file.tasks.length === 0) {
        const loads = {
          id: `${file.id}_load`,
          type: 'test',
          name: 'loads',
          fullName: `${file.name} loads`,
          mode: 'run',
          file,
          result: { state: 'fail', errors: file.result.errors },
        } as unknown as Test;
        file.tasks.push(loads);
      }
    }
  }
}
