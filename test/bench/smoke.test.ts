import { beforeAll, describe, expect, it } from 'vitest';
import { type BenchReport, runBench, SMOKE_SIZES } from '../../bench/runBench';
import { formatReport } from '../../bench/table';

// The harness only: tiny sizes, shapes and counts, no timing thresholds (those belong to `npm run bench`).
describe('bench harness (smoke)', () => {
  let report: BenchReport;

  beforeAll(async () => {
    report = await runBench(SMOKE_SIZES);
  }, 180_000);

  it('produces the digest, polling, coldStart and scale figures in one run', () => {
    expect(Object.keys(report)).toEqual(expect.arrayContaining(['digest', 'polling', 'coldStart', 'scale']));
  });

  it('counts one Atlas request per call for the warm interceptor and two for a client that answers every challenge', () => {
    expect(report.digest.ours).toMatchObject({ calls: 5, requests: 5, challenges: 0 });
    expect(report.digest.afresh).toMatchObject({ calls: 5, requests: 10, challenges: 5 });
  });

  it('measures lag, Atlas GETs and transitions for our schedule and both fixed intervals at every T', () => {
    const [row] = report.polling.rows;

    expect(report.polling.rows).toHaveLength(SMOKE_SIZES.polling.targetsSeconds.length);
    expect(row?.targetSeconds).toBe(30);
    for (const poller of [row?.ours, row?.fixed10, row?.fixed20]) {
      expect(poller?.meanLagSeconds).toBeGreaterThanOrEqual(0);
      expect(poller?.atlasGets).toBeGreaterThanOrEqual(1);
    }
    expect(row?.ours.stateTransitions).toBeGreaterThan(0);
    expect(row?.fixed10.stateTransitions).toBeNull();
    expect(report.polling.errorMessageBoundSeconds).toBe(
      report.polling.schedule.atlasReadIntervalSeconds + report.polling.schedule.steadyWaitSeconds,
    );
  });

  it('bundles each measured handler and loads it bundled and unbundled', () => {
    expect(report.coldStart.handlers.map((h) => h.handler)).toEqual(['recordAttempt']);
    const [handler] = report.coldStart.handlers;
    expect(handler?.bundleBytes).toBeGreaterThan(0);
    expect(handler?.bundledInitMs).toBeGreaterThan(0);
    expect(handler?.unbundledInitMs).toBeGreaterThan(0);
    expect(Object.keys(report.coldStart.clientConstructionMs)).toContain('EC2Client');
  });

  it('runs every scale execution to an end and counts Atlas requests per execution', () => {
    const { scale } = report;
    const failed = Object.values(scale.failures).reduce((a, b) => a + b, 0);

    expect(scale.executions).toBe(3);
    expect(scale.succeeded + failed).toBe(3);
    expect(scale.atlasRequestsPerExecution).toBeGreaterThan(0);
    expect(scale.peakRssMiB).toBeGreaterThan(0);
  });

  it('renders every section as a table', () => {
    const text = formatReport(report);

    for (const title of ['Digest', 'Polling', 'Cold start', 'Scale', 'Machine'])
      expect(text).toContain(title);
  });
});
