/**
 * Turns the state machine's event log into one line per step a person cares about: the state entered,
 * the Atlas and EC2 status, the attempt number and the (virtual) time since the start.
 */
import type { EventLog } from '../runner/OfflineWorkflow';

type Output = Record<string, unknown> | undefined;

const get = (value: unknown, path: string): unknown =>
  path
    .split('.')
    .reduce<unknown>(
      (v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
      value,
    );

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
        write(`${stamp()}  Request accepted for project ${get(output, 'request.groupId')}`);
        return;
      case 'Find endpoint service':
        write(
          `${stamp()}  Endpoint service ${get(output, 'service.endpointServiceId')}: ${get(output, 'service.status')}` +
            (get(output, 'service.next') === 'READY'
              ? ` (${get(output, 'service.endpointServiceName')})`
              : ', waiting'),
        );
        return;
      case 'Create VPC endpoint':
        write(
          `${stamp()}  Attempt ${get(output, 'attempt.number')}: created VPC endpoint ${get(output, 'attempt.vpcEndpointId')}`,
        );
        return;
      case 'Register with Atlas':
        write(`${stamp()}  Attempt ${get(output, 'attempt.number')}: registered with Atlas`);
        return;
      case 'Check endpoint': {
        const poll = get(output, 'attempt.poll');
        write(
          `${stamp()}  Attempt ${get(output, 'attempt.number')}: Atlas ${get(poll, 'connectionStatus') ?? '-'}, ` +
            `EC2 ${get(poll, 'ec2State')} → ${get(poll, 'verdict')}` +
            (get(poll, 'errorMessage') ? ` (errorMessage: ${get(poll, 'errorMessage')})` : ''),
        );
        return;
      }
      case 'Record failed attempt':
        write(
          `${stamp()}  Attempt ${get(output, 'history.last.attempt.attempt')} failed (${get(output, 'history.last.attempt.outcome')}); ` +
            (get(output, 'history.attemptsLeft') ? 'deleting it and trying again' : 'no attempts left'),
        );
        return;
      case 'Clean up':
        if (get(output, 'cleanup.done')) write(`${stamp()}  Cleaned up what this execution created`);
        return;
      case 'Record success':
        write(`${stamp()}  AVAILABLE`);
        return;
      default:
        return;
    }
  };
}
