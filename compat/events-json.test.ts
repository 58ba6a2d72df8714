/**
 * EventBridge compatibility through the current `@aws-sdk/client-eventbridge` (awsJson1_1):
 * TestEventPattern's match, no-match and both of its errors, and the error the operations not
 * served (global endpoints, partner event sources) answer with. Buses, rules and targets are in
 * events-resources.test.ts; delivery in events-delivery.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EventBridgeClient,
  InvalidEventPatternException,
  ActivateEventSourceCommand,
  ListEndpointsCommand,
  TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge';
import { startSwitchyard, type Switchyard } from '../src/index.js';

let sy: Switchyard;
let eb: EventBridgeClient;

const envelope = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'Order Placed',
  source: 'com.example.orders',
  account: '111122223333',
  time: '2026-11-26T12:00:00Z',
  region: 'us-east-1',
  resources: ['arn:aws:example:us-east-1:111122223333:order/42'],
  detail: { total: 120.5, currency: 'EUR', items: [{ sku: 'A-1' }, { sku: 'B-2' }], ip: '192.0.2.17' },
};

async function testPattern(pattern: unknown, event: unknown = envelope): Promise<boolean | undefined> {
  const out = await eb.send(
    new TestEventPatternCommand({
      EventPattern: typeof pattern === 'string' ? pattern : JSON.stringify(pattern),
      Event: typeof event === 'string' ? event : JSON.stringify(event),
    }),
  );
  return out.Result;
}

async function errorOf(p: Promise<unknown>): Promise<Error & { name: string; $metadata: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { name: string; $metadata: { httpStatusCode?: number } };
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  sy = await startSwitchyard({ port: 0 });
  eb = new EventBridgeClient({
    endpoint: sy.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});

afterAll(async () => {
  eb?.destroy();
  await sy?.stop();
});

describe('TestEventPattern', () => {
  it('answers true when the pattern matches', async () => {
    expect(
      await testPattern({
        source: ['com.example.orders'],
        detail: {
          total: [{ numeric: ['>', 100] }],
          currency: [{ 'equals-ignore-case': 'eur' }],
          items: { sku: [{ prefix: 'B-' }] },
          ip: [{ cidr: '192.0.2.0/24' }],
        },
      }),
    ).toBe(true);
  });

  it('answers false when it does not', async () => {
    expect(await testPattern({ source: ['com.example.billing'] })).toBe(false);
    expect(await testPattern({ detail: { total: [{ numeric: ['<', 100] }] } })).toBe(false);
  });

  it('answers InvalidEventPatternException (400) for a pattern AWS refuses', async () => {
    for (const bad of [{ source: [] }, { source: 'x' }, '{"source": [', { detail: { n: [{ numeric: ['>', 5, '>', 6] }] } }]) {
      const err = await errorOf(testPattern(bad));
      expect(err).toBeInstanceOf(InvalidEventPatternException);
      expect(err.$metadata.httpStatusCode).toBe(400);
      expect(err.message).toMatch(/^Event pattern is not valid\. Reason: /);
    }
  });

  it('answers ValidationException (400) for an event that is not an EventBridge event', async () => {
    const { id: _id, ...noId } = envelope;
    for (const bad of ['plain string', '["a"]', JSON.stringify({ hello: 'world' }), JSON.stringify(noId)]) {
      const err = await errorOf(testPattern({ source: ['x'] }, bad));
      expect(err.name).toBe('ValidationException');
      expect(err.$metadata.httpStatusCode).toBe(400);
      expect(err.message).toBe('Parameter Event is not valid.');
    }
  });
});

describe('operations not yet served', () => {
  it('answer UnknownOperationException naming the operation, not a 500', async () => {
    for (const command of [new ListEndpointsCommand({}), new ActivateEventSourceCommand({ Name: 'aws.partner/x' })]) {
      const err = await errorOf(eb.send(command as ListEndpointsCommand));
      expect(err.name).toBe('UnknownOperationException');
      expect(err.$metadata.httpStatusCode).toBe(400);
      expect(err.message).toMatch(/^Operation (ListEndpoints|ActivateEventSource) is not yet supported by Switchyard\.$/);
    }
  });
});
