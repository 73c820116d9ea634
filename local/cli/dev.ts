/**
 * `npm run dev`: keeps the whole offline stack up — the local API, the Atlas and AWS emulators and the
 * synthesized state machine — and prints how to drive it with curl and the AWS CLI.
 */
import { parseArgs } from 'node:util';
import { keyedExecution } from '../../lambdas/domain/apiRequest';
import { lambdaRuntime } from '../../lambdas/handlers/runtime';
import { DEMO_API_KEY } from '../atlas-emulator';
import { startOfflineEnvironment } from '../offline/OfflineEnvironment';
import { loadBuiltInScenario, loadScenarioFile } from '../offline/scenario';
import { progressPrinter } from './progress';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    scenario: { type: 'string' },
    'scenario-file': { type: 'string' },
  },
  strict: true,
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  process.stderr.write(
    `--port: expected a port number from 0 to 65535, got ${JSON.stringify(values.port)}\n`,
  );
  process.exit(2);
}
const scenario = values['scenario-file']
  ? loadScenarioFile(values['scenario-file'])
  : loadBuiltInScenario(values.scenario ?? 'happy-path');

let print: ReturnType<typeof progressPrinter> | undefined;
const env = await startOfflineEnvironment({
  scenario,
  apiPort: port,
  realWaitMs: 200,
  onEvent: (name, event) => print?.(name, event),
});
print = progressPrinter(env.clock.now, (line) => process.stdout.write(`${line}\n`));

const body = JSON.stringify(env.request);
// The API names the execution after the Idempotency-Key, so the examples can name it before it exists.
const IDEMPOTENCY_KEY = 'demo-1';
const executionId = keyedExecution(IDEMPOTENCY_KEY, lambdaRuntime().hash).name;
const q = (text: string) => `'${text.replace(/'/g, "'\\''")}'`;
const awsFlags = `--endpoint-url ${env.aws.url} --region us-east-1`;
process.stdout.write(`
The offline stack is up (Ctrl-C stops it).
  API              ${env.api.url}/endpoints
  Atlas emulator   ${env.atlas.url}   (API key ${DEMO_API_KEY.publicKey} / ${DEMO_API_KEY.privateKey})
  AWS emulator     ${env.aws.url}   (EC2, Secrets Manager, Step Functions, EventBridge; any credentials)

Start a provisioning through the API, then follow it (its executionId follows from the Idempotency-Key):
  curl -si -X POST ${env.api.url}/endpoints -H 'Content-Type: application/json' -H 'Idempotency-Key: ${IDEMPOTENCY_KEY}' -d ${q(body)}
  curl -s ${env.api.url}/endpoints/${executionId}

List the provisionings (newest first; limit 1 to 50, then the answer's nextToken):
  curl -s '${env.api.url}/endpoints?limit=10'

Once it is AVAILABLE, delete it (202; the same DELETE again answers the same deprovisioning), then follow it:
  curl -si -X DELETE ${env.api.url}/endpoints/${executionId}
  curl -s ${env.api.url}/endpoints/${executionId}
  (add -H 'Content-Type: application/json' -d '{"deleteEndpointService":true}' to remove the endpoint service too, when no other endpoint uses it)

As the Step Functions console would (AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x for the CLI):
  aws stepfunctions start-execution ${awsFlags} --state-machine-arn ${env.synthesized.stateMachineArn} --input ${q(body)}

As an EventBridge event:
  aws events put-events ${awsFlags} --entries ${q(
    JSON.stringify([
      {
        EventBusName: env.synthesized.eventBusName,
        Source: 'my.app',
        DetailType: 'Atlas Private Endpoint Requested',
        Detail: body,
      },
    ]),
  )}

Delete it as an EventBridge event, or as the console would:
  aws events put-events ${awsFlags} --entries ${q(
    JSON.stringify([
      {
        EventBusName: env.synthesized.eventBusName,
        Source: 'my.app',
        DetailType: 'Atlas Private Endpoint Deletion Requested',
        Detail: JSON.stringify({ executionId }),
      },
    ]),
  )}
  aws stepfunctions start-execution ${awsFlags} --state-machine-arn ${env.synthesized.deprovisioning.stateMachineArn} --input ${q(JSON.stringify({ executionId }))}
  aws stepfunctions list-executions ${awsFlags} --state-machine-arn ${env.synthesized.deprovisioning.stateMachineArn}

Ask Atlas directly:
  curl --digest -u ${DEMO_API_KEY.publicKey}:${DEMO_API_KEY.privateKey} -H 'Accept: application/vnd.atlas.2023-01-01+json' ${env.atlas.url}/api/atlas/v2/groups/${env.request.groupId}/privateEndpoint/AWS/endpointService

`);

const stop = async () => {
  await env.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
