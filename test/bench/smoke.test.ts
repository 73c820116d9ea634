import { beforeAll, describe, expect, it } from 'vitest';
import { type BenchReport, runBench, SMOKE_SIZES } from '../../bench/runBench';
import { SECTIONS } from '../../bench/sections';
import { formatReport } from '../../bench/table';

// The harness only: tiny sizes, shapes and counts, no timing thresholds (those belong to `npm run bench`).
describe('bench harness (smoke)', () => {
  let report: BenchReport;

  beforeAll(async () => {
    report = await runBench(SMOKE_SIZES);
  }, 180_000);

  it('produces the figures of every section in one run', () => {
    expect(report.sections).toEqual(SECTIONS);
    expect(Object.keys(report)).toEqual(expect.arrayContaining([...SECTIONS]));
    expect(report.seed).toBe(1);
  });

  it('counts one Atlas request per call for the warm interceptor and two for a client that answers every challenge', () => {
    expect(report.digest?.ours).toMatchObject({ calls: 5, requests: 5, challenges: 0 });
    expect(report.digest?.afresh).toMatchObject({ calls: 5, requests: 10, challenges: 5 });
  });

  it('measures lag, Atlas GETs and transitions for our schedule and both fixed intervals at every T', () => {
    const polling = report.polling;
    const [row] = polling?.rows ?? [];

    expect(polling?.rows).toHaveLength(SMOKE_SIZES.polling.targetsSeconds.length);
    expect(row?.targetSeconds).toBe(30);
    for (const poller of [row?.ours, row?.fixed10, row?.fixed20]) {
      expect(poller?.meanLagSeconds).toBeGreaterThanOrEqual(0);
      expect(poller?.atlasGets).toBeGreaterThanOrEqual(1);
    }
    expect(row?.ours.stateTransitions).toBeGreaterThan(0);
    expect(row?.fixed10.stateTransitions).toBeNull();
    expect(polling?.errorMessageBoundSeconds).toBe(
      (polling?.schedule.atlasReadIntervalSeconds ?? 0) + (polling?.schedule.steadyWaitSeconds ?? 0),
    );
  });

  it('bundles each measured handler and loads it bundled and unbundled', () => {
    expect(report.coldStart?.handlers.map((h) => h.handler)).toEqual(['recordAttempt']);
    const [handler] = report.coldStart?.handlers ?? [];
    expect(handler?.bundleBytes).toBeGreaterThan(0);
    expect(handler?.bundledInitMs).toBeGreaterThan(0);
    expect(handler?.unbundledInitMs).toBeGreaterThan(0);
    expect(Object.keys(report.coldStart?.clientConstructionMs ?? {})).toContain('EC2Client');
  });

  it('runs every scale execution to an end and counts Atlas requests per execution and operation', () => {
    const [scale] = report.scale?.runs ?? [];
    const failed = Object.values(scale?.failures ?? {}).reduce((a, b) => a + b, 0);

    expect(report.scale?.runs).toHaveLength(1);
    expect(scale?.executions).toBe(3);
    expect((scale?.succeeded ?? 0) + failed).toBe(3);
    expect(scale?.atlasRequestsPerExecution).toBeGreaterThan(0);
    expect(scale?.atlasByOperation['register endpoint']?.requests).toBeGreaterThanOrEqual(3);
    expect(scale?.peakRssMiB).toBeGreaterThan(0);
  });

  it('gets every service-account instance its own token past a token endpoint that answers 429', () => {
    const figures = report.serviceAccounts;

    expect(figures).toMatchObject({ instances: 3, succeeded: 3, apiRequests: 3 });
    expect(figures?.token429).toBeGreaterThan(0);
    expect(figures?.tokenRequests).toBe((figures?.token429 ?? 0) + 3);
  });

  it('renders every section as a table', () => {
    const text = formatReport(report);

    for (const title of [
      'Digest',
      'Polling',
      'Cold start',
      'Scale',
      'Service-account cold starts',
      'Machine',
    ])
      expect(text).toContain(title);
  });
});
