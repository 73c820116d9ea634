import { afterAll, beforeAll, expect, it } from 'vitest';
import { ClientEnv } from '../../lambdas/adapters/sdkConfig';
import { type OfflineEnvironment, startOfflineEnvironment } from '../../local/offline/OfflineEnvironment';
import {
  buildMatrix,
  type CellResult,
  cellEvents,
  cellName,
  type ExternalCall,
  MATRIX_RETRY_DEADLINE_MS,
  MATRIX_SDK_RETRY_DELAY_MS,
  MATRIX_TIMEOUT_MS,
  renderMatrix,
  runCell,
} from './faultMatrix';

/**
 * Declares one test per cell for `calls`, run one after another in one environment, and prints the
 * table with its pass count when they are done.
 */
export function describeMatrix(title: string, calls: readonly ExternalCall[]): void {
  const cells = buildMatrix(calls);
  const results: CellResult[] = [];
  let env: OfflineEnvironment;

  beforeAll(async () => {
    // The SDK keeps its 3 attempts, but pauses 10 ms between them instead of sleeping its real-time backoff
    // (500 ms base after throttling): persistent throttling cells spent most of their time in those sleeps.
    process.env[ClientEnv.retryDelayMs] = String(MATRIX_SDK_RETRY_DELAY_MS);
    env = await startOfflineEnvironment({
      clientTimeoutMs: MATRIX_TIMEOUT_MS,
      atlasRetryDeadlineMs: MATRIX_RETRY_DEADLINE_MS,
      logLevel: 'CRITICAL',
      onEvent: (_, event) => {
        if (event.type === 'StateEntered') cellEvents.onStateEntered?.(event.state.name);
      },
    });
  });

  afterAll(async () => {
    console.log(`${title}\n${renderMatrix(results)}`);
    await env?.close();
    delete process.env[ClientEnv.retryDelayMs];
  });

  it.each(cells.map((cell) => [cellName(cell), cell] as const))(
    '%s: succeeds or fails typed, and leaves nothing behind',
    async (_, cell) => {
      const result = await runCell(env, cell);
      results.push(result);
      expect(result.hits, 'the fault fired').toBeGreaterThan(0);
      expect(result, JSON.stringify(result)).toMatchObject({ pass: true });
    },
    60_000,
  );
}
