import { describe, expect, it } from 'vitest';
import { progressPrinter } from '../../local/cli/progress';
import type { EventLog } from '../../local/runner/OfflineWorkflow';

// Events shaped as aws-local-stepfunctions dispatches them: a caught error is StateFailed, then
// StateCaught, then a StateExited whose output is the Catch's (the failure at its ResultPath).

const NAME = 'key-73a3b9e44cbebc1a4b3c9b43fecbb9756e35ae5e';
const lambdaCause = (errorType: string, errorMessage: string) =>
  JSON.stringify({ errorType, errorMessage, trace: [] });

function printer(options: Parameters<typeof progressPrinter>[2] = {}) {
  let now = 0;
  const lines: string[] = [];
  const print = progressPrinter(
    () => now,
    (line) => lines.push(line),
    options,
  );
  return {
    lines,
    at: (seconds: number) => {
      now = seconds * 1000;
    },
    send: (event: Record<string, unknown>, name = NAME) => print(name, event as unknown as EventLog),
  };
}

const state = (name: string, output?: unknown) => ({ name, type: 'Task', input: {}, output });

function failThenCatch(
  p: ReturnType<typeof printer>,
  name: string,
  error: string,
  message: string,
  next = 'Start clean-up',
) {
  p.send({ type: 'StateEntered', state: state(name) });
  p.send({ type: 'StateFailed', state: state(name), Error: error, Cause: lambdaCause(error, message) });
  p.send({
    type: 'StateCaught',
    state: state(name),
    catch: { catcher: { ErrorEquals: ['States.ALL'], Next: next } },
  });
  p.send({
    type: 'StateExited',
    state: state(name, { failure: { Error: error, Cause: lambdaCause(error, message) } }),
  });
}

describe('progressPrinter', () => {
  it('prints a caught error with its name and cause, never the success line with undefined fields', () => {
    // Prepare
    const p = printer();
    p.send({ type: 'ExecutionStarted', input: {} });
    p.send({
      type: 'StateExited',
      state: state('Validate request', { request: { groupId: '5f0c1a2b3c4d5e6f7a8b9c0d' } }),
    });

    // Act
    failThenCatch(p, 'Find endpoint service', 'AtlasAuthError', 'Atlas answered 401: You are not authorized');
    failThenCatch(
      p,
      'Create VPC endpoint',
      'Ec2InvalidParameterError',
      'The subnet ID subnet-1 does not exist',
    );

    // Assess
    expect(p.lines).toEqual([
      't+    0s  Request accepted for project 5f0c1a2b3c4d5e6f7a8b9c0d',
      't+    0s  Find endpoint service failed: AtlasAuthError: Atlas answered 401: You are not authorized; next: Start clean-up',
      't+    0s  Create VPC endpoint failed: Ec2InvalidParameterError: The subnet ID subnet-1 does not exist; next: Start clean-up',
    ]);
    expect(p.lines.join('\n')).not.toContain('undefined');
  });

  it('says a refused request was refused, with the fields the cause names', () => {
    const p = printer();

    failThenCatch(
      p,
      'Validate request',
      'InvalidRequestError',
      'subnetIds[0]: expected "subnet-" followed by 8 or 17 hexadecimal characters',
      'Request rejected',
    );

    expect(p.lines).toEqual([
      't+    0s  Request refused: InvalidRequestError: subnetIds[0]: expected "subnet-" followed by 8 or 17 hexadecimal characters',
    ]);
  });

  it('prints each retry with the error that caused it', () => {
    const p = printer();
    const name = 'Check endpoint';

    p.send({
      type: 'StateFailed',
      state: state(name),
      Error: 'AtlasRateLimitedError',
      Cause: lambdaCause('AtlasRateLimitedError', 'Atlas answered 429'),
    });
    p.send({ type: 'StateRetried', state: state(name), retry: { retrier: {}, attempt: 1 } });

    expect(p.lines).toEqual([
      't+    0s  Check endpoint: AtlasRateLimitedError: Atlas answered 429; retrying (retry 1)',
    ]);
  });

  it('says what clean-up removed: the endpoints it waited for, or that nothing was left', () => {
    // Prepare: two passes; the first finds vpce-a still being deleted
    const p = printer();
    const pass = (done: boolean, remaining: string[]) => ({
      cleanup: { done, outcome: { cleanup: { complete: done, vpcEndpointIds: ['vpce-a'], remaining } } },
    });
    const other = 'key-0000000000000000000000000000000000000000';

    // Act
    p.send({ type: 'StateExited', state: state('Clean up', pass(false, ['vpce-a'])) });
    p.at(10);
    p.send({ type: 'StateExited', state: state('Clean up', pass(true, [])) });
    p.send({ type: 'StateExited', state: state('Clean up', pass(true, [])) }, other);

    // Assess
    expect(p.lines).toEqual([
      't+   10s  Cleaned up: removed vpce-a from Atlas and EC2',
      't+    0s  Cleaned up: this execution had nothing left to remove',
    ]);
  });

  it('prints how an execution ended: the failure with its error and cause, a stop as ABORTED', () => {
    const p = printer();

    p.send({ type: 'ExecutionFailed', Error: 'AttemptsExhaustedError', Cause: 'gave up after 3 attempts' });
    p.send({ type: 'ExecutionAborted' }, 'key-1111111111');
    p.send(
      { type: 'ExecutionSucceeded', output: { vpcEndpointId: 'vpce-0123456789abcdef0', attempts: [{}, {}] } },
      'key-2222222222',
    );

    expect(p.lines).toEqual([
      't+    0s  FAILED: AttemptsExhaustedError: gave up after 3 attempts',
      't+    0s  ABORTED: the execution was stopped; no Catch runs, so nothing was cleaned up',
      't+    0s  SUCCEEDED: VPC endpoint vpce-0123456789abcdef0 is AVAILABLE in Atlas after 2 attempt(s)',
    ]);
  });

  it('starts each line with a short execution id and counts time from each execution’s own start', () => {
    // Prepare
    const p = printer({ executionIds: true });
    const second = 'req-9f86d081884c7d659a2feaa0c55ad015a3bf4f1b';
    p.send({ type: 'ExecutionStarted', input: {} });
    p.at(30);
    p.send({ type: 'ExecutionStarted', input: {} }, second);

    // Act
    p.at(45);
    p.send({ type: 'StateExited', state: state('Register with Atlas', { attempt: { number: 1 } }) });
    p.send({ type: 'ExecutionFailed', Error: 'AtlasAuthError', Cause: 'Atlas answered 401' }, second);

    // Assess
    expect(p.lines).toEqual([
      '[key-73a3b9e4] t+   45s  Attempt 1: registered with Atlas',
      '[req-9f86d081] t+   15s  FAILED: AtlasAuthError: Atlas answered 401',
    ]);
  });

  it('leaves the ending to the caller when told to', () => {
    const p = printer({ outcomes: false });

    p.send({ type: 'ExecutionFailed', Error: 'AtlasAuthError', Cause: 'Atlas answered 401' });

    expect(p.lines).toEqual([]);
  });
});
