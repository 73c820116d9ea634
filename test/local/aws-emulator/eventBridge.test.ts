import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AwsEmulator,
  type AwsEmulatorOptions,
  EmulatorOptionsError,
  type RecordedEvent,
  startAwsEmulator,
} from '../../../local/aws-emulator';
import { eventsClient } from './clients';

const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:ProvisionPrivateEndpoint';
const NOW = Date.parse('2026-03-01T12:00:00Z');

describe('EventBridge PutEvents', () => {
  let aws: AwsEmulator;
  let client: EventBridgeClient;
  const inputs: unknown[] = [];

  async function start(options: AwsEmulatorOptions = {}): Promise<void> {
    aws = await startAwsEmulator({ clock: () => NOW, ...options });
    client = eventsClient(aws.url);
  }

  const stepFunctions = {
    stateMachineArn: STATE_MACHINE_ARN,
    run: async ({ input }: { input: unknown }) => {
      inputs.push(input);
      return {};
    },
  };

  afterEach(async () => {
    inputs.length = 0;
    client.destroy();
    await aws.close();
  });

  it('records every entry with its bus, source, detail type and parsed detail', async () => {
    await start();

    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'app.privatelink', DetailType: 'EndpointReady', Detail: '{"vpcEndpointId":"vpce-1"}' },
          { Source: 'app.privatelink', DetailType: 'EndpointFailed', Detail: '{}', EventBusName: 'ops' },
        ],
      }),
    );

    expect(out.FailedEntryCount).toBe(0);
    expect(out.Entries?.map((e) => e.EventId)).toEqual(aws.events.map((e) => e.eventId));
    expect(aws.events).toMatchObject([
      {
        time: NOW,
        eventBusName: 'default',
        source: 'app.privatelink',
        detailType: 'EndpointReady',
        detail: { vpcEndpointId: 'vpce-1' },
      },
      { eventBusName: 'ops', detailType: 'EndpointFailed', detail: {} },
    ]);
  });

  it('answers per-entry errors for a missing Source or malformed Detail without failing the call', async () => {
    await start();

    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          { DetailType: 'X', Detail: '{}' },
          { Source: 's', DetailType: 'X', Detail: 'not json' },
          { Source: 's', DetailType: 'X', Detail: '{}' },
        ],
      }),
    );

    expect(out.FailedEntryCount).toBe(2);
    expect(out.Entries?.map((e) => e.ErrorCode ?? 'ok')).toEqual([
      'InvalidArgument',
      'MalformedDetail',
      'ok',
    ]);
    expect(aws.events).toHaveLength(1);
  });

  it('starts an execution with the detail as input when a rule matches', async () => {
    await start({
      stepFunctions,
      rules: [
        {
          eventBusName: 'default',
          pattern: { source: ['app.privatelink'], 'detail-type': ['EndpointRequested'] },
          target: 'stepFunctions',
          inputPath: '$.detail',
        },
      ],
    });

    await client.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'app.privatelink', DetailType: 'EndpointRequested', Detail: '{"requestId":"r-1"}' },
          { Source: 'app.privatelink', DetailType: 'SomethingElse', Detail: '{"requestId":"r-2"}' },
        ],
      }),
    );

    expect(aws.executions).toHaveLength(1);
    expect(aws.executions[0]).toMatchObject({
      stateMachineArn: STATE_MACHINE_ARN,
      input: '{"requestId":"r-1"}',
    });
    expect(aws.events[0]?.startedExecutionArns).toEqual([aws.executions[0]?.executionArn]);
    await aws.waitForExecution(aws.executions[0]!.executionArn);
    expect(inputs).toEqual([{ requestId: 'r-1' }]);
  });

  it("matches a rule's anything-but source as EventBridge does: any source but those it names", async () => {
    // Prepare: the stack's request rule, which ignores requests claiming the workflow's own source
    await start({
      stepFunctions,
      rules: [
        {
          pattern: {
            source: [{ 'anything-but': ['atlas-privatelink'] }],
            'detail-type': ['EndpointRequested'],
          },
          target: 'stepFunctions',
        },
      ],
    });

    // Act
    await client.send(
      new PutEventsCommand({
        Entries: ['my.app', 'atlas-privatelink', 'other.team'].map((source) => ({
          Source: source,
          DetailType: 'EndpointRequested',
          Detail: '{}',
        })),
      }),
    );

    // Assess
    expect(aws.events.map((e) => [e.source, e.startedExecutionArns.length])).toEqual([
      ['my.app', 1],
      ['atlas-privatelink', 0],
      ['other.team', 1],
    ]);
  });

  it('fails at start for a pattern value that is neither a string nor an anything-but', async () => {
    const starting = startAwsEmulator({
      stepFunctions,
      rules: [{ pattern: { source: [{ prefix: 'my.' } as never] }, target: 'stepFunctions' }],
    });

    await expect(starting).rejects.toThrow(/rules\[0\]\.pattern fields must be arrays of strings or/);
    await start(); // leaves a server for afterEach to close
  });

  it('accepts an entry for a bus that does not exist with an EventId, as EventBridge does, drops it and says why', async () => {
    // Prepare
    const seen: RecordedEvent[] = [];
    await start({
      stepFunctions,
      rules: [
        {
          eventBusName: 'requests',
          pattern: { 'detail-type': ['EndpointRequested'] },
          target: 'stepFunctions',
          inputPath: '$.detail',
        },
      ],
      eventBuses: ['ops'],
      onEvent: (event) => seen.push(event),
    });

    // Act: the rule's detail-type, on a misspelt bus, then on the buses that exist
    const out = await client.send(
      new PutEventsCommand({
        Entries: ['reqests', 'requests', 'ops', 'default'].map((bus) => ({
          EventBusName: bus,
          Source: 'my.app',
          DetailType: 'EndpointRequested',
          Detail: '{"requestId":"r-1"}',
        })),
      }),
    );

    // Assess: EventBridge's user guide — no error and not a failed entry, but the event is dropped.
    expect(out.FailedEntryCount).toBe(0);
    expect(out.Entries?.every((e) => e.EventId !== undefined && e.ErrorCode === undefined)).toBe(true);
    expect(seen.map((e) => [e.eventBusName, e.dropped ?? null, e.startedExecutionArns.length])).toEqual([
      ['reqests', 'no such event bus', 0],
      ['requests', null, 1],
      ['ops', null, 0],
      ['default', null, 0],
    ]);
    expect(aws.executions).toHaveLength(1);
  });

  it('gives the whole event envelope as input when the rule has no inputPath', async () => {
    await start({
      stepFunctions,
      rules: [{ pattern: { source: ['app.privatelink'] }, target: 'stepFunctions' }],
    });

    await client.send(
      new PutEventsCommand({ Entries: [{ Source: 'app.privatelink', DetailType: 'X', Detail: '{"a":1}' }] }),
    );

    expect(JSON.parse(aws.executions[0]!.input)).toMatchObject({
      version: '0',
      source: 'app.privatelink',
      'detail-type': 'X',
      account: '123456789012',
      region: 'us-east-1',
      time: '2026-03-01T12:00:00Z',
      detail: { a: 1 },
    });
  });

  it("refuses entries a bus policy denies, per entry, naming the condition's key as EventBridge does", async () => {
    // Prepare: the callers are told apart by their access key ids
    await start({
      eventBuses: ['bus'],
      principals: { AKIDEXAMPLE: 'arn:aws:iam::123456789012:role/publisher' },
      eventBusPolicies: {
        bus: [
          {
            Effect: 'Deny',
            Action: 'events:PutEvents',
            Condition: { StringEquals: { 'events:source': ['reserved.source'] } },
          },
          {
            Effect: 'Deny',
            Action: 'events:PutEvents',
            Condition: { ArnNotLike: { 'aws:PrincipalArn': ['arn:aws:iam::123456789012:role/pub*'] } },
          },
        ],
      },
    });

    // Act
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: 'bus', Source: 'my.app', DetailType: 'X', Detail: '{}' },
          { EventBusName: 'bus', Source: 'reserved.source', DetailType: 'X', Detail: '{}' },
          { EventBusName: 'default', Source: 'reserved.source', DetailType: 'X', Detail: '{}' },
        ],
      }),
    );

    // Assess: the denied entry is dropped; other buses have no policy
    expect(out.Entries?.map((e) => e.ErrorCode ?? 'ok')).toEqual([
      'ok',
      'NotAuthorizedForSourceException',
      'ok',
    ]);
    expect(out.FailedEntryCount).toBe(1);
    expect(aws.events.map((e) => e.source)).toEqual(['my.app', 'reserved.source']);
  });

  it('fails at start for a bus policy condition it does not model, rather than ignoring it', async () => {
    const starting = startAwsEmulator({
      eventBusPolicies: {
        bus: [
          {
            Effect: 'Deny',
            Action: 'events:PutEvents',
            Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
          },
        ],
      },
    });

    await expect(starting).rejects.toThrow(
      /eventBusPolicies\.bus\[0\]\.Condition: IpAddress is not modelled/,
    );
    await start(); // leaves a server for afterEach to close
  });

  it('fails at start when a rule targets Step Functions but no backend is configured', async () => {
    const starting = startAwsEmulator({ rules: [{ pattern: { source: ['s'] }, target: 'stepFunctions' }] });

    await expect(starting).rejects.toThrow(EmulatorOptionsError);
    await expect(starting).rejects.toThrow(/rules\[0\]\.target/);
    await start(); // leaves a server for afterEach to close
  });
});
