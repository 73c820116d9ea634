/**
 * How every state machine of this project calls its functions and publishes its events: the same task
 * timeout, the same retries for Lambda-level faults and for Atlas/EC2 faults, the same event publishing that
 * never blocks an outcome. The provisioning and the deprovisioning read as stories built from these.
 */
import { Duration } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { ErrorName, LAMBDA_INVOCATION_ERROR_NAMES, RETRYABLE_ERROR_NAMES } from '../lambdas/errors';
import { type CallPlan, timeoutSecondsFor } from '../lambdas/timeBudget';

/** How much longer than its function's timeout a Lambda task waits before Step Functions gives up on it. */
export const TASK_TIMEOUT_MARGIN_SECONDS = 30;

/**
 * How every Lambda task retries `AtlasRateLimitedError`: up to 60 s, then 120, 240, 480, 600… (full
 * jitter), ten times — about 40 minutes at most, 20 on average. `npm run bench` measured shorter first
 * intervals under 200 executions at once on one project: 30 s cost 7.8 Atlas requests per provisioning,
 * 60 s 6.8, most of the difference in 429s (README, Performance).
 */
export const AtlasRateLimitRetry = {
  intervalSeconds: 60,
  backoffRate: 2,
  maxDelaySeconds: 600,
  maxAttempts: 10,
} as const;

/**
 * Every task gets the execution's name (the log correlation id) and ARN (the tag on what it creates, and
 * so, for clean-up, what it may delete), from the context object, never from the state.
 */
const EXECUTION = { 'executionName.$': '$$.Execution.Name', 'executionArn.$': '$$.Execution.Id' };

/**
 * A Lambda task: the payload (plus the execution name), the function's result at `resultPath`, a task timeout
 * just past the function's own, and retries of throttled or timed-out invocations and of the retryable errors.
 * Every step must be safe to run again: creates carry a ClientToken or read a 409 for the same id as success.
 */
export function lambdaStep(
  scope: Construct,
  name: string,
  fn: lambda.IFunction,
  plan: CallPlan,
  payload: Record<string, unknown>,
  resultPath?: string,
): tasks.LambdaInvoke {
  const task = new tasks.LambdaInvoke(scope, name, {
    lambdaFunction: fn,
    payload: sfn.TaskInput.fromObject({ ...EXECUTION, ...payload }),
    payloadResponseOnly: true,
    ...(resultPath ? { resultPath } : {}),
    // The function's own timeout strikes first (Sandbox.Timedout, retried); this one is the backstop.
    taskTimeout: sfn.Timeout.duration(
      Duration.seconds(timeoutSecondsFor(plan) + TASK_TIMEOUT_MARGIN_SECONDS),
    ),
  });
  // Throttled or timed-out invocations (CDK's defaults retry only Lambda's own service errors).
  task.addRetry({
    errors: [...LAMBDA_INVOCATION_ERROR_NAMES],
    interval: Duration.seconds(2),
    backoffRate: 2,
    maxAttempts: 6,
    maxDelay: Duration.seconds(60),
    jitterStrategy: sfn.JitterType.FULL,
  });
  // A 429 says the project's token bucket is empty, and when many executions share a project it stays
  // empty for minutes: wait longer and longer (Atlas's guidance), with full jitter so that the
  // executions turned away together come back spread out, for up to about half an hour in all.
  task.addRetry({
    errors: [ErrorName.AtlasRateLimited],
    interval: Duration.seconds(AtlasRateLimitRetry.intervalSeconds),
    backoffRate: AtlasRateLimitRetry.backoffRate,
    maxAttempts: AtlasRateLimitRetry.maxAttempts,
    maxDelay: Duration.seconds(AtlasRateLimitRetry.maxDelaySeconds),
    jitterStrategy: sfn.JitterType.FULL,
  });
  task.addRetry({
    errors: RETRYABLE_ERROR_NAMES.filter((name) => name !== ErrorName.AtlasRateLimited),
    interval: Duration.seconds(2),
    backoffRate: 2,
    maxAttempts: 5,
    maxDelay: Duration.seconds(60),
    jitterStrategy: sfn.JitterType.FULL,
  });
  return task;
}

/** Publishes the JSON at `detailPath` as an event; retried, and never written back into the state. */
export function publishStep(
  scope: Construct,
  name: string,
  target: { readonly eventBus: events.IEventBus; readonly source: string },
  detailType: string,
  detailPath: string,
): tasks.EventBridgePutEvents {
  const task = new tasks.EventBridgePutEvents(scope, name, {
    entries: [
      {
        detail: sfn.TaskInput.fromJsonPathAt(detailPath),
        detailType,
        source: target.source,
        eventBus: target.eventBus,
      },
    ],
    resultPath: sfn.JsonPath.DISCARD,
  });
  task.addRetry({
    errors: ['States.TaskFailed'],
    interval: Duration.seconds(1),
    maxAttempts: 3,
    backoffRate: 2,
  });
  return task;
}
