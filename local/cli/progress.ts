/**
 * Turns the state machine's event log into one line per step a person cares about: the state entered,
 * the Atlas and EC2 status, the attempt number and the (virtual) time since the start.
 */
import type { EventLog } from '../runner/OfflineWorkflow';
import { valueAt } from '../shared/valueAt';

type Output = Record<string, unknown> | undefined;

/** A formatter of progress lines; `now` is the virtual clock. */
export function progressPrinter(
  now: () => number,
  write: (line: string) => void,
): (name: string, event: EventLog) => void {
  const start = now();
  const stamp = () => `t+${String(Math.round((now() - start) / 1000)).padStart(5)}s`;
  return (_execution, event) => {
    if (event.type === 'StateRetried') {
      write(`${stamp()}  ${event.state.name}: retrying after a throttled or failed call`);
      return;
    }
    if (event.type !== 'StateExited') return;
    const name = event.state.name;
    const output = event.state.output as Output;
    switch (name) {
      case 'Validate request':
        write(`${stamp()}  Request accepted for project ${valueAt(output, 'request.groupId')}`);
        return;
      case 'Find endpoint service':
        write(
          `${stamp()}  Endpoint service ${valueAt(output, 'service.endpointServiceId')}: ${valueAt(output, 'service.status')}` +
            (valueAt(output, 'service.next') === 'READY'
              ? ` (${valueAt(output, 'service.endpointServiceName')})`
              : ', waiting'),
        );
        return;
      case 'Create VPC endpoint':
        write(
          `${stamp()}  Attempt ${valueAt(output, 'attempt.number')}: created VPC endpoint ${valueAt(output, 'attempt.vpcEndpointId')}`,
        );
        return;
      case 'Register with Atlas':
        write(`${stamp()}  Attempt ${valueAt(output, 'attempt.number')}: registered with Atlas`);
        return;
      case 'Check endpoint': {
        const poll = valueAt(output, 'attempt.poll');
        write(
          `${stamp()}  Attempt ${valueAt(output, 'attempt.number')}: Atlas ${valueAt(poll, 'connectionStatus') ?? '-'}, ` +
            `EC2 ${valueAt(poll, 'ec2State')} → ${valueAt(poll, 'verdict')}` +
            (valueAt(poll, 'errorMessage') ? ` (errorMessage: ${valueAt(poll, 'errorMessage')})` : ''),
        );
        return;
      }
      case 'Record failed attempt':
        write(
          `${stamp()}  Attempt ${valueAt(output, 'history.last.attempt.attempt')} failed (${valueAt(output, 'history.last.attempt.outcome')}); ` +
            (valueAt(output, 'history.attemptsLeft') ? 'deleting it and trying again' : 'no attempts left'),
        );
        return;
      case 'Clean up':
        if (valueAt(output, 'cleanup.done')) write(`${stamp()}  Cleaned up what this execution created`);
        return;
      case 'Record success':
        write(`${stamp()}  AVAILABLE`);
        return;
      case 'Look for connection strings': {
        const strings = valueAt(output, 'strings') as Output;
        if (valueAt(strings, 'next') !== 'DONE') {
          write(
            `${stamp()}  Connection strings: ${(valueAt(strings, 'waitingFor') as string[]).join(', ')} ` +
              `not listing the endpoint yet (read ${valueAt(strings, 'reads')}), waiting`,
          );
          return;
        }
        writeConnectionStrings(stamp(), valueAt(strings, 'result') as Output, write);
        return;
      }
      case 'Result without connection strings':
        writeConnectionStrings(stamp(), valueAt(output, 'strings.result') as Output, write);
        return;
      // The deprovisioning.
      case 'Find provisioning':
        write(
          `${stamp()}  Deleting what provisioning ${valueAt(output, 'target.executionId')} made: ` +
            `VPC endpoint ${valueAt(output, 'target.vpcEndpointId')}`,
        );
        return;
      case 'Delete Atlas registration':
        write(
          `${stamp()}  Atlas registration: ${valueAt(output, 'registration.done') ? 'gone (404)' : 'deleting, waiting'}`,
        );
        return;
      case 'Delete VPC endpoint':
        write(
          `${stamp()}  VPC endpoint: ${valueAt(output, 'vpcEndpoint.done') ? 'deleted' : `${valueAt(output, 'vpcEndpoint.observed')}, waiting`}`,
        );
        return;
      case 'Keep endpoint service':
      case 'Delete endpoint service': {
        const outcome = valueAt(output, 'endpointService.outcome');
        if (outcome)
          write(
            `${stamp()}  Endpoint service: ${outcome}` +
              (valueAt(output, 'endpointService.reason')
                ? ` (${valueAt(output, 'endpointService.reason')})`
                : ''),
          );
        return;
      }
      case 'Record deprovisioning':
        write(`${stamp()}  DELETED`);
        return;
      default:
        return;
    }
  };
}

function writeConnectionStrings(stamp: string, result: Output, write: (line: string) => void): void {
  const strings = (valueAt(result, 'connectionStrings') ?? []) as {
    clusterName: string;
    type: string;
    srvConnectionString: string;
  }[];
  for (const s of strings)
    write(`${stamp}  Connection string for ${s.clusterName} (${s.type}): ${s.srvConnectionString}`);
  const notCovered = (valueAt(result, 'clustersNotCovered') ?? []) as {
    clusterName: string;
    reason: string;
  }[];
  for (const c of notCovered) write(`${stamp}  Not covered: ${c.clusterName}: ${c.reason}`);
  const note = valueAt(result, 'connectionStringsNote');
  if (typeof note === 'string') write(`${stamp}  Note: ${note}`);
}
