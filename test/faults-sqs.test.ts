/**
 * Faults on SQS (issue 7): duplicate delivery and reordering on standard queues, never on FIFO;
 * API errors, quotas and latency at the gateway; the faults API over HTTP. Every run with the
 * same seed makes the same decisions.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { checkFaultSpec, FaultSpecError } from '../src/faults/faults.js';
import { startSwitchyard, type Switchyard } from '../src/index.js';

let sy: Switchyard;
let sqs: SQSClient;

beforeAll(async () => {
  sy = await startSwitchyard({ port: 0, frozenClockAt: Date.UTC(2026, 10, 27), faults: { seed: 99 } });
  sqs = new SQSClient({ endpoint: sy.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
});
afterAll(async () => {
  await sy.stop();
});
beforeEach(() => sy.reset());

async function queue(name: string, attributes?: Record<string, string>): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  const a = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl!, arn: a.Attributes!.QueueArn! };
}

async function sendAll(url: string, bodies: string[], fifo = false): Promise<void> {
  for (let i = 0; i < bodies.length; i += 10)
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: bodies.slice(i, i + 10).map((b, j) => ({ Id: `e${i + j}`, MessageBody: b, ...(fifo ? { MessageGroupId: 'g', MessageDeduplicationId: b } : {}) })),
      }),
    );
}

/** A consumer that receives, records and deletes until the queue answers empty. */
async function drain(url: string, max = 10): Promise<Message[]> {
  const seen: Message[] = [];
  for (;;) {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: max, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
    if (!Messages?.length) return seen;
    for (const m of Messages) {
      seen.push(m);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    }
  }
}

describe('duplicate delivery', () => {
  it('copies: 3 — the message comes back after each of the first two deletes, same MessageId, then is gone', async () => {
    const { url, arn } = await queue('dupes');
    const fault = sy.faults.add({ kind: 'duplicate', resource: arn, copies: 3 });
    const { MessageId } = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'once, they said' }));
    const seen = await drain(url);
    expect(seen.map((m) => m.MessageId)).toEqual([MessageId, MessageId, MessageId]);
    expect(seen.map((m) => m.Attributes!.ApproximateReceiveCount)).toEqual(['1', '2', '3']);
    expect(fault.fired).toBe(1);
    // The trace marks the send as injected.
    const trace = (await (await fetch(`${sy.endpoint}/_switchyard/api/events/${MessageId}`)).json()) as { injected?: unknown };
    expect(trace.injected).toEqual({ faultId: fault.id, kind: 'duplicate', copies: 3 });
  });

  it('probability 0.5 with a seed: the same messages are duplicated in every run', async () => {
    const run = async (): Promise<string[]> => {
      sy.reset();
      const { url, arn } = await queue('half');
      sy.faults.add({ kind: 'duplicate', resource: arn, probability: 0.5 });
      await sendAll(url, Array.from({ length: 40 }, (_, i) => `m${i}`));
      const counts = new Map<string, number>();
      for (const m of await drain(url)) counts.set(m.Body!, (counts.get(m.Body!) ?? 0) + 1);
      expect([...counts.values()].every((n) => n === 1 || n === 2)).toBe(true);
      expect(counts.size).toBe(40); // nothing lost
      return [...counts].filter(([, n]) => n === 2).map(([b]) => b).sort();
    };
    const first = await run();
    expect(first.length).toBeGreaterThan(5);
    expect(first.length).toBeLessThan(35);
    expect(await run()).toEqual(first);
  });

  it('a glob names queues by ARN pattern; a FIFO queue is never duplicated, even by "*"', async () => {
    const std = await queue('orders-a');
    const fifo = await queue('orders-b.fifo', { FifoQueue: 'true' });
    sy.faults.add({ kind: 'duplicate', resource: '*' });
    await sendAll(std.url, ['s']);
    await sendAll(fifo.url, ['f1', 'f2'], true);
    expect((await drain(std.url)).map((m) => m.Body)).toEqual(['s', 's']);
    expect((await drain(fifo.url)).map((m) => m.Body)).toEqual(['f1', 'f2']);
  });
});

describe('reordering', () => {
  it('standard queue: received out of order, each message exactly once; the same order under the same seed', async () => {
    const bodies = Array.from({ length: 30 }, (_, i) => `m${String(i).padStart(2, '0')}`);
    const run = async (): Promise<string[]> => {
      sy.reset();
      const { url, arn } = await queue('shuffled');
      sy.faults.add({ kind: 'reorder', resource: arn });
      await sendAll(url, bodies);
      return (await drain(url, 5)).map((m) => m.Body!);
    };
    const order = await run();
    expect(order).not.toEqual(bodies);
    expect([...order].sort()).toEqual(bodies);
    expect(await run()).toEqual(order);
  });

  it('FIFO queues keep their order: a reorder fault on "*" leaves them alone, and one naming a FIFO queue is refused', async () => {
    const fifo = await queue('ordered.fifo', { FifoQueue: 'true' });
    sy.faults.add({ kind: 'reorder', resource: '*' });
    const bodies = Array.from({ length: 25 }, (_, i) => `f${String(i).padStart(2, '0')}`);
    await sendAll(fifo.url, bodies, true);
    expect((await drain(fifo.url, 3)).map((m) => m.Body)).toEqual(bodies);
    expect(() => checkFaultSpec({ kind: 'reorder', resource: fifo.arn }, 'faults[0]')).toThrow(
      new FaultSpecError('faults[0].resource', 'FIFO queues keep their order: reordering applies to standard queues only'),
    );
  });
});

describe('API faults at the gateway', () => {
  it('an injected error carries x-switchyard-fault; the next call after the count is spent succeeds', async () => {
    const { url } = await queue('marked');
    const fault = sy.faults.add({ kind: 'api-error', service: 'sqs', operation: 'SendMessage', error: 'InternalError', count: 1 });
    const body = JSON.stringify({ QueueUrl: url, MessageBody: 'x' });
    const headers = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.SendMessage' };
    const first = await fetch(sy.endpoint, { method: 'POST', headers, body });
    expect(first.status).toBe(500);
    expect(first.headers.get('x-switchyard-fault')).toBe(fault.id);
    expect(first.headers.get('x-amzn-query-error')).toBe('InternalError;Receiver');
    expect(await first.json()).toEqual({ __type: 'InternalError', message: 'We encountered an internal error. Please try again.' });
    const second = await fetch(sy.endpoint, { method: 'POST', headers, body });
    expect(second.status).toBe(200);
    expect(second.headers.get('x-switchyard-fault')).toBeNull();
    // The record of what fired (an API error has no trace record of its own).
    const listed = (await (await fetch(`${sy.endpoint}/_switchyard/api/faults`)).json()) as { recent: { faultId: string; kind: string; where: string; at: string }[] };
    expect(listed.recent).toEqual([{ faultId: fault.id, kind: 'api-error', where: 'sqs.SendMessage', at: '2026-11-27T00:00:00.000Z' }]);
  });

  it('quota: a FIFO queue takes 300 SendMessage calls per second of the clock; the 301st is RequestThrottled', async () => {
    const { url } = await queue('limited.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    const other = await queue('unlimited');
    sy.faults.add({ kind: 'quota', service: 'sqs' });
    const results: string[] = [];
    for (let i = 0; i < 301; i++)
      results.push(await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `b${i}`, MessageGroupId: 'g' })).then(() => 'ok', (e: Error) => e.name));
    expect(results.filter((r) => r === 'ok')).toHaveLength(300);
    expect(results[300]).toBe('RequestThrottled');
    // Standard queues have no such quota.
    for (let i = 0; i < 310; i++) await sqs.send(new SendMessageCommand({ QueueUrl: other.url, MessageBody: 'x' }));
    sy.clock.advance(1000);
    await expect(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'next second', MessageGroupId: 'g' }))).resolves.toHaveProperty('MessageId');
  });

  it('latency: the call is answered no sooner than delayMs later', async () => {
    const { url } = await queue('slow');
    sy.faults.add({ kind: 'latency', service: 'sqs', operation: 'SendMessage', delayMs: 150, count: 1 });
    const began = performance.now();
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'late' }));
    expect(performance.now() - began).toBeGreaterThanOrEqual(145);
  });
});

describe('the faults API over HTTP', () => {
  it('POST adds (all or none), GET lists with counts, DELETE removes; a bad fault names its path', async () => {
    const api = `${sy.endpoint}/_switchyard/api/faults`;
    const post = (body: unknown) => fetch(api, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const bad = await post({ faults: [{ kind: 'duplicate', resource: '*' }, { kind: 'api-error', service: 'sqs', error: 'Oops' }] });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toBe(
      'faults[1].error: must be one of ThrottlingException, RequestThrottled, Throttled, InternalError, InternalFailure, InternalException, ServiceUnavailable, got "Oops"',
    );
    expect(((await (await fetch(api)).json()) as { faults: unknown[] }).faults).toEqual([]);
    const added = await post({ kind: 'api-error', service: 'sqs', operation: 'ListQueues', count: 1 });
    expect(added.status).toBe(201);
    const fault = (await added.json()) as { id: string };
    const formPost = await fetch(api, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'kind=duplicate' });
    expect(formPost.status).toBe(400); // a cross-origin form cannot add faults
    const listed = (await (await fetch(api)).json()) as { seed: number; faults: { id: string; fired: number }[] };
    expect(listed.seed).toBe(99);
    expect(listed.faults.map((f) => [f.id, f.fired])).toEqual([[fault.id, 0]]);
    expect((await fetch(`${api}/${fault.id}`, { method: 'DELETE' })).status).toBe(200);
    expect((await fetch(`${api}/${fault.id}`, { method: 'DELETE' })).status).toBe(404);
    const seeded = await fetch(`${api}/seed`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"seed": 5}' });
    expect(((await seeded.json()) as { seed: number }).seed).toBe(5);
  });
});
