/**
 * `npm run dev`: keeps the whole offline stack up — the local API, the Atlas and AWS emulators and the
 * synthesized state machine — prints how to drive it with curl and the AWS CLI, and follows every
 * execution it runs, each line marked with a short execution id.
 */
import { createHash } from 'node:crypto';
import { keyedExecution } from '../../lambdas/domain/apiRequest';
import { apiCaller } from '../../lambdas/domain/callers';
import { DEMO_API_KEY } from '../atlas-emulator';
import type { RecordedEvent } from '../aws-emulator';
import type { OfflineEnvironment } from '../offline/OfflineEnvironment';
import { OFFLINE_CALLER_ARN } from '../offline/offlineCaller';
import { builtInScenarioNames, loadBuiltInScenario, loadScenarioFile } from '../offline/scenario';
import { ExitCode, exitWhenWritten, parseCommandLine, parsePort, runCli, UsageError } from './commandLine';
import { progressPrinter, shortExecutionId } from './progress';

const SCRIPT = 'npm run dev';
const DEFAULT_PORT = '3000';

const HELP = `Usage: npm run dev -- [options]

Keeps the offline stack up until Ctrl-C: the local API (as API Gateway would serve it), the Atlas and
AWS emulators (EC2, Secrets Manager, Step Functions, EventBridge) and the state machine CDK synthesizes.
Prints curl and AWS CLI commands to paste into another shell, then one line per step of every execution,
each starting with a short execution id.

Options:
  --port N              the local API's port (default: ${DEFAULT_PORT}; 0 picks a free one)
  --scenario NAME       how the emulators behave (default: happy-path):
                        ${builtInScenarioNames().join(', ')}
  --scenario-file PATH  your own scenario, a JSON file (see README, "Scenarios")
  --help                this text

Exit status:
  0  stopped with Ctrl-C (SIGINT) or SIGTERM
  2  a bad option or scenario file: nothing was started
  3  the port is in use (or may not be used): nothing was started
  4  an unexpected error (a bug)
`;

const OPTIONS = {
  port: { type: 'string', default: DEFAULT_PORT },
  scenario: { type: 'string' },
  'scenario-file': { type: 'string' },
  help: { type: 'boolean', default: false },
} as const;

/**
 * Fake credentials and the region for the AWS CLI, set inline so each command works in a fresh shell.
 * AWS_DEFAULT_REGION, not AWS_REGION: version 1 of the CLI reads only the former, version 2 both. An empty
 * AWS_PAGER keeps version 2 from paging the answer.
 */
const AWS_CLI_ENV =
  'AWS_ACCESS_KEY_ID=offline AWS_SECRET_ACCESS_KEY=offline AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=';

async function main(): Promise<number> {
  const values = parseCommandLine(OPTIONS);
  if (values.help) {
    process.stdout.write(HELP);
    return ExitCode.ok;
  }
  const port = parsePort(values.port);
  if (values.scenario !== undefined && values['scenario-file'] !== undefined) {
    throw new UsageError('give --scenario or --scenario-file, not both');
  }
  const scenario =
    values['scenario-file'] !== undefined
      ? loadScenarioFile(values['scenario-file'])
      : loadBuiltInScenario(values.scenario ?? 'happy-path');

  process.stdout.write('Synthesizing the CDK stack and starting the emulators…\n');
  // Loaded once the options are read: --help and a bad option answer without loading the CDK and the SDKs.
  const { startOfflineEnvironment } = await import('../offline/OfflineEnvironment');
  let print: ReturnType<typeof progressPrinter> | undefined;
  let reportBusEvent: ((event: RecordedEvent) => void) | undefined;
  const env = await startOfflineEnvironment({
    scenario,
    apiPort: port,
    realWaitMs: 200,
    onEvent: (name, event) => print?.(name, event),
    onBusEvent: (event) => reportBusEvent?.(event),
  });
  const write = (line: string) => process.stdout.write(`${line}\n`);
  print = progressPrinter(env.clock.now, write, { executionIds: true });
  reportBusEvent = busEventReporter(env, write);
  process.stdout.write(instructions(env));

  return new Promise<number>((resolve) => {
    const stop = () => {
      write('Stopping…');
      // A second Ctrl-C while it closes does not wait.
      process.once('SIGINT', () => exitWhenWritten(ExitCode.ok));
      void env.close().then(() => resolve(ExitCode.ok));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

/** What to paste into another shell: each command complete, with its fake AWS credentials inline. */
function instructions(env: OfflineEnvironment): string {
  const body = JSON.stringify(env.request);
  // The API names the execution after the Idempotency-Key, so the examples can name it before it exists.
  const idempotencyKey = 'demo-1';
  const executionId = keyedExecution(idempotencyKey, apiCaller(OFFLINE_CALLER_ARN) as string, (text) =>
    createHash('sha256').update(text).digest('hex'),
  ).name;
  const deletion = JSON.stringify([
    {
      EventBusName: env.synthesized.eventBusName,
      Source: 'my.app',
      DetailType: 'Atlas Private Endpoint Deletion Requested',
      Detail: JSON.stringify({ executionId }),
    },
  ]);
  const q = (text: string) => `'${text.replace(/'/g, "'\\''")}'`;
  const aws = (command: string) => `${AWS_CLI_ENV} aws ${command} --endpoint-url ${env.aws.url}`;
  const atlasKey = JSON.stringify({
    publicKey: DEMO_API_KEY.publicKey,
    privateKey: DEMO_API_KEY.privateKey,
  });
  const event = JSON.stringify([
    {
      EventBusName: env.synthesized.eventBusName,
      Source: 'my.app',
      DetailType: 'Atlas Private Endpoint Requested',
      Detail: body,
    },
  ]);
  return `
The offline stack is up (Ctrl-C stops it).
  API              ${env.api.url}/endpoints
  Atlas emulator   ${env.atlas.url}   (API key ${DEMO_API_KEY.publicKey} / ${DEMO_API_KEY.privateKey})
  AWS emulator     ${env.aws.url}   (EC2, Secrets Manager, Step Functions, EventBridge; any credentials)
  Atlas secret     ${env.atlasSecretArn}

Start a provisioning through the API, then follow it (its executionId follows from the Idempotency-Key):
  curl -si -X POST ${env.api.url}/endpoints -H 'Content-Type: application/json' -H 'Idempotency-Key: ${idempotencyKey}' -d ${q(body)}
  curl -s ${env.api.url}/endpoints/${executionId}

List the provisionings (newest first; limit 1 to 50, then the answer's nextToken):
  curl -s '${env.api.url}/endpoints?limit=10'

Each caller sees only its own (the local API signs nothing: it takes the caller from this header, else
${OFFLINE_CALLER_ARN}); another caller gets 404:
  curl -s -H 'X-Offline-Caller-Arn: arn:aws:iam::123456789012:user/someone-else' ${env.api.url}/endpoints/${executionId}

Once it is AVAILABLE, delete it (202; the same DELETE again answers the same deprovisioning), then follow it
(add -H 'Content-Type: application/json' -d '{"deleteEndpointService":true}' to remove the endpoint service
too, when no other endpoint uses it):
  curl -si -X DELETE ${env.api.url}/endpoints/${executionId}
  curl -s ${env.api.url}/endpoints/${executionId}

As the Step Functions console would:
  ${aws('stepfunctions start-execution')} --state-machine-arn ${env.synthesized.stateMachineArn} --input ${q(body)}

As an EventBridge event on the stack's bus:
  ${aws('events put-events')} --entries ${q(event)}

Delete it as an EventBridge event, or as the console would, then list the deprovisionings:
  ${aws('events put-events')} --entries ${q(deletion)}
  ${aws('stepfunctions start-execution')} --state-machine-arn ${env.synthesized.deprovisioning.stateMachineArn} --input ${q(JSON.stringify({ executionId }))}
  ${aws('stepfunctions list-executions')} --state-machine-arn ${env.synthesized.deprovisioning.stateMachineArn}

Put an Atlas key into the secret, as README's "The secret" does for a deployed stack, then see its versions
(this Atlas emulator accepts only the demo key; the functions keep the key they read for up to 5 minutes,
as deployed ones do):
  ${aws('secretsmanager put-secret-value')} --secret-id ${env.atlasSecretArn} --secret-string ${q(atlasKey)}
  ${aws('secretsmanager describe-secret')} --secret-id ${env.atlasSecretArn}

Ask Atlas directly:
  curl --digest -u ${DEMO_API_KEY.publicKey}:${DEMO_API_KEY.privateKey} -H 'Accept: application/vnd.atlas.2023-01-01+json' ${env.atlas.url}/api/atlas/v2/groups/${env.request.groupId}/privateEndpoint/AWS/endpointService

`;
}

/**
 * Says what an event put on EventBridge did: the execution it started, why the rule's target refused it,
 * or that its bus does not exist (EventBridge accepts such an event and drops it, without an error).
 */
function busEventReporter(env: OfflineEnvironment, write: (line: string) => void) {
  return (event: RecordedEvent) => {
    const what = `EventBridge: "${event.detailType}" on bus ${event.eventBusName}`;
    if (event.dropped) {
      write(
        `${what}: no such bus, so the event was dropped; EventBridge answers such a put with an EventId and no error. ` +
          `The stack's bus is ${env.synthesized.eventBusName}.`,
      );
      return;
    }
    for (const arn of event.startedExecutionArns) {
      write(`${what} started execution [${shortExecutionId(arn.split(':').at(-1) ?? arn)}]`);
    }
    for (const error of event.targetErrors)
      write(`${what}: the rule matched, but its target refused: ${error}`);
  };
}

runCli(SCRIPT, main);
