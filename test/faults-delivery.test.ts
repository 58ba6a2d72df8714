/**
 * Faults on deliveries (issue 7): EventBridge targets and SNS subscriptions fail (and retry, and
 * dead-letter), arrive several times, or arrive later, on demand; every injected fault is marked
 * in the trace; the same seed makes the same decisions; FIFO order and exactly-once hold under
 * injection; a fault naming another resource changes nothing. Real SDK clients throughout, time
 * moved on a frozen clock.
 */
import * as fs from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as eb from '@aws-sdk/client-eventbridge';
import * as sns from '@aws-sdk/client-sns';
import * as sqs from '@aws-sdk/client-sqs';
import { startSwitchyard, type Switchyard } from '../src/index.js';
import type { EventTrace, PublishTrace } from '../src/trace/trace.js';

const T0 = Date.UTC(2026, 10, 27, 12);
const ACCOUNT = '000000000000';
const BUS = `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default`;
const creds = { accessKeyId: 'test', secretAccessKey: 'test' };

/** A real HTTP subscriber that answers 200 and records every request. */
class Subscriber {
  readonly requests: { body: string; headers: IncomingMessage['headers'] }[] = [];
  private server?: Server;
  private waiters: { n: number; resolve: () => void }[] = [];
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests.push({ body: Buffer.concat(chunks).toString('utf8'), headers: req.headers });
        res.end();
        this.waiters = this.waiters.filter((w) => (this.requests.length >= w.n ? (w.resolve(), false) : true));
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  received(n: number): Promise<void> {
    if (this.requests.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }

  notifications(): Record<string, string>[] {
    return this.requests.map((r) => JSON.parse(r.body) as Record<string, string>).filter((b) => b.Type === 'Notification');
  }

  stop(): Promise<void> {
    this.server?.closeAllConnections();
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

let sy: Switchyard;
let events: eb.EventBridgeClient;
let topics: sns.SNSClient;
let queues: sqs.SQSClient;
let hook: Subscriber;

beforeAll(async () => {
  sy = await startSwitchyard({ port: 0, frozenClockAt: T0, faults: { seed: 7 } });
  const config = { endpoint: sy.endpoint, region: 'us-east-1', credentials: creds, maxAttempts: 1 };
  events = new eb.EventBridgeClient(config);
  topics = new sns.SNSClient(config);
  queues = new sqs.SQSClient(config);
  hook = new Subscriber();
  await hook.start();
});
afterAll(async () => {
  events.destroy();
  topics.destroy();
  queues.destroy();
  await sy.stop();
  await hook.stop();
});
/** The clock when the test began (reset() empties the state; time goes on). */
let t0 = T0;
beforeEach(() => {
  sy.reset();
  hook.requests.length = 0;
  t0 = sy.clock.now();
});

// ------------------------------------------------------------------ helpers

async function queue(name: string, attributes?: Record<string, string>): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await queues.send(new sqs.CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  return { url: QueueUrl!, arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}` };
}

/** A rule on the default bus for `source: orders` with the given targets; its ARN. */
async function rule(name: string, targets: eb.Target[]): Promise<string> {
  const { RuleArn } = await events.send(new eb.PutRuleCommand({ Name: name, EventPattern: JSON.stringify({ source: ['orders'] }) }));
  await events.send(new eb.PutTargetsCommand({ Rule: name, Targets: targets }));
  return RuleArn!;
}

/** One event per detail, in order (one PutEvents call each); their ids. */
async function put(...details: object[]): Promise<string[]> {
  const ids: string[] = [];
  for (const d of details) {
    const r = await events.send(new eb.PutEventsCommand({ Entries: [{ Source: 'orders', DetailType: 'placed', Detail: JSON.stringify(d) }] }));
    ids.push(r.Entries![0].EventId!);
  }
  return ids;
}

async function topic(name: string, attributes?: Record<string, string>): Promise<string> {
  return (await topics.send(new sns.CreateTopicCommand({ Name: name, Attributes: attributes }))).TopicArn!;
}

async function subscribe(topicArn: string, protocol: string, endpoint: string, attributes?: Record<string, string>): Promise<string> {
  return (await topics.send(new sns.SubscribeCommand({ TopicArn: topicArn, Protocol: protocol, Endpoint: endpoint, Attributes: attributes, ReturnSubscriptionArn: true }))).SubscriptionArn!;
}

/** An HTTP subscription to the stub, confirmed with the token it was sent. */
async function subscribeHook(topicArn: string, path: string, attributes?: Record<string, string>): Promise<string> {
  const before = hook.requests.length;
  const arn = await subscribe(topicArn, 'http', `${hook.url}${path}`, attributes);
  await hook.received(before + 1);
  const { Token } = JSON.parse(hook.requests[before].body) as { Token: string };
  await topics.send(new sns.ConfirmSubscriptionCommand({ TopicArn: topicArn, Token }));
  hook.requests.length = 0;
  return arn;
}

async function settle(): Promise<void> {
  await sy.events.deliverer.settled();
  await sy.sns.deliverer.settled();
  await sy.events.deliverer.settled();
}

async function advance(ms: number): Promise<void> {
  sy.clock.advance(ms);
  await settle();
}

/** Move time `step` at a time until every delivery has ended (retries, delays). */
async function runOut(step: number): Promise<void> {
  await settle();
  for (let i = 0; i < 500 && sy.events.deliverer.inFlight + sy.sns.deliverer.inFlight > 0; i++) await advance(step);
  expect(sy.events.deliverer.inFlight + sy.sns.deliverer.inFlight).toBe(0);
}

/** Receive and delete until the queue answers empty. */
async function drain(url: string): Promise<sqs.Message[]> {
  await settle();
  const out: sqs.Message[] = [];
  for (;;) {
    const { Messages } = await queues.send(
      new sqs.ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }),
    );
    if (!Messages?.length) return out;
    for (const m of Messages) {
      out.push(m);
      await queues.send(new sqs.DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    }
  }
}

const eventTrace = (id: string): EventTrace => sy.events.trace.get(id) as EventTrace;
const publishTrace = (id: string): PublishTrace => sy.events.trace.get(id) as PublishTrace;
/** The `Message` of an SNS envelope in an SQS body. */
const messageOf = (m: sqs.Message): string => (JSON.parse(m.Body!) as { Message: string }).Message;

// ------------------------------------------------------------------ EventBridge targets

describe('EventBridge targets', () => {
  it('failure (count 2, naming ruleArn#targetId): two failed attempts marked, retried on the clock, then delivered once', async () => {
    const q = await queue('orders');
    const ruleArn = await rule('r', [{ Id: 't1', Arn: q.arn }]);
    const fault = sy.faults.add({ kind: 'failure', resource: `${ruleArn}#t1`, count: 2 });
    const [id] = await put({ n: 1 });
    await settle();
    expect((await drain(q.url)).length).toBe(0);
    await advance(1000); // EventBridge's first backoff
    expect(eventTrace(id).deliveries[0].attempts).toHaveLength(2);
    await advance(2000);
    const got = await drain(q.url);
    expect(got.map((m) => JSON.parse(m.Body!).id)).toEqual([id]);
    const d = eventTrace(id).deliveries[0];
    expect(d.state).toBe('delivered');
    expect(d.attempts.map((a) => [a.at - t0, a.ok, a.code, a.injected])).toEqual([
      [0, false, 'InjectedFailure', { faultId: fault.id, kind: 'failure' }],
      [1000, false, 'InjectedFailure', { faultId: fault.id, kind: 'failure' }],
      [3000, true, undefined, undefined],
    ]);
    expect(d.attempts[0].message).toBe(`The delivery failed: injected by ${fault.id}.`);
    expect(sy.faults.list()).toEqual([]); // spent
  });

  it('failure exhausting the RetryPolicy: the DLQ gets the event with RULE_ARN, TARGET_ARN, the fault’s code and message, RETRY_ATTEMPTS', async () => {
    const q = await queue('orders');
    const dlq = await queue('orders-dlq');
    const ruleArn = await rule('r', [{ Id: 't1', Arn: q.arn, RetryPolicy: { MaximumRetryAttempts: 2 }, DeadLetterConfig: { Arn: dlq.arn } }]);
    const fault = sy.faults.add({ kind: 'failure', resource: ruleArn, error: 'Boom', message: 'the target fell over' });
    const [id] = await put({ n: 1 });
    await advance(1000);
    await advance(2000);
    expect(await drain(q.url)).toEqual([]);
    const [dead] = await drain(dlq.url);
    expect(JSON.parse(dead.Body!).id).toBe(id);
    const attrs = Object.fromEntries(Object.entries(dead.MessageAttributes!).map(([k, v]) => [k, v.StringValue]));
    expect(attrs).toEqual({
      RULE_ARN: ruleArn,
      TARGET_ARN: q.arn,
      ERROR_CODE: 'Boom',
      ERROR_MESSAGE: 'the target fell over',
      RETRY_ATTEMPTS: '2',
      EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts',
    });
    const d = eventTrace(id).deliveries[0];
    expect(d).toMatchObject({ state: 'dead-lettered', deadLetterArn: dlq.arn, exhausted: 'MaximumRetryAttempts' });
    expect(d.attempts.map((a) => a.injected)).toEqual(Array(3).fill({ faultId: fault.id, kind: 'failure' }));
    expect(fault.fired).toBe(3);
  });

  it('duplicate (copies 3, naming the rule): three messages in the queue, the same event id; the delivery is marked', async () => {
    const q = await queue('orders');
    const ruleArn = await rule('r', [{ Id: 't1', Arn: q.arn }]);
    const fault = sy.faults.add({ kind: 'duplicate', resource: ruleArn, copies: 3 });
    const [id] = await put({ n: 1 });
    const got = await drain(q.url);
    expect(got.map((m) => JSON.parse(m.Body!).id)).toEqual([id, id, id]);
    expect(new Set(got.map((m) => m.MessageId)).size).toBe(3); // three messages, each received once
    expect(got.map((m) => m.Attributes!.ApproximateReceiveCount)).toEqual(['1', '1', '1']);
    const d = eventTrace(id).deliveries[0];
    expect(d.injected).toEqual({ faultId: fault.id, kind: 'duplicate', copies: 3 });
    expect(d.attempts).toHaveLength(1);
    // Over the inspection API too.
    const record = (await (await fetch(`${sy.endpoint}/_switchyard/api/events/${id}`)).json()) as { deliveries: { injected: unknown }[] };
    expect(record.deliveries[0].injected).toEqual({ faultId: fault.id, kind: 'duplicate', copies: 3 });
  });

  it('a duplicate fault naming a standard queue is the queue’s own: one message, received again after its delete', async () => {
    const q = await queue('orders');
    await rule('r', [{ Id: 't1', Arn: q.arn }]);
    const fault = sy.faults.add({ kind: 'duplicate', resource: q.arn });
    const [id] = await put({ n: 1 });
    const got = await drain(q.url);
    expect(got.map((m) => [JSON.parse(m.Body!).id, m.Attributes!.ApproximateReceiveCount])).toEqual([
      [id, '1'],
      [id, '2'],
    ]);
    expect(got[0].MessageId).toBe(got[1].MessageId);
    expect(fault.fired).toBe(1);
    expect(eventTrace(id).deliveries[0].injected).toEqual({ faultId: fault.id, kind: 'duplicate', copies: 2 });
  });

  it('latency (naming the target ARN): the attempt is made delayMs later on the clock, and marked', async () => {
    const q = await queue('orders');
    await rule('r', [{ Id: 't1', Arn: q.arn }]);
    const fault = sy.faults.add({ kind: 'latency', resource: q.arn, delayMs: 5000 });
    const [id] = await put({ n: 1 });
    await settle();
    expect(sy.messagesIn(q.url)!.visible).toHaveLength(0);
    expect(eventTrace(id).deliveries[0]).toMatchObject({ state: 'pending', attempts: [], injected: { faultId: fault.id, kind: 'latency', delayMs: 5000 } });
    await advance(4999);
    expect(sy.messagesIn(q.url)!.visible).toHaveLength(0);
    await advance(1);
    expect((await drain(q.url)).map((m) => JSON.parse(m.Body!).id)).toEqual([id]);
    const d = eventTrace(id).deliveries[0];
    expect(d.state).toBe('delivered');
    expect(d.attempts.map((a) => a.at - t0)).toEqual([5000]);
    expect(fault.fired).toBe(1); // asked once per attempt: the delayed attempt is not delayed again
  });

  it('the same seed makes the same decisions: failures, copies and delays fall on the same events in every run', async () => {
    const run = async (): Promise<{ outcome: string[]; fired: number[] }> => {
      sy.reset();
      t0 = sy.clock.now();
      const q = await queue('orders');
      const dlq = await queue('orders-dlq');
      const ruleArn = await rule('r', [{ Id: 't1', Arn: q.arn, RetryPolicy: { MaximumRetryAttempts: 1 }, DeadLetterConfig: { Arn: dlq.arn } }]);
      const faults = [
        sy.faults.add({ kind: 'failure', resource: BUS, probability: 0.4 }),
        sy.faults.add({ kind: 'duplicate', resource: ruleArn, probability: 0.3 }),
        sy.faults.add({ kind: 'latency', resource: `${ruleArn}#t1`, probability: 0.3, delayMs: 700 }),
      ];
      const ids = await put(...Array.from({ length: 30 }, (_, n) => ({ n })));
      await runOut(500);
      const copies = new Map<string, number>();
      for (const m of await drain(q.url)) copies.set(JSON.parse(m.Body!).id, (copies.get(JSON.parse(m.Body!).id) ?? 0) + 1);
      const dead = new Set((await drain(dlq.url)).map((m) => JSON.parse(m.Body!).id as string));
      const outcome = ids.map((id, n) => {
        const d = eventTrace(id).deliveries[0];
        const arrived = copies.get(id) ?? 0;
        // Every event ends in the queue or the DLQ, never both, never lost.
        expect(arrived > 0 !== dead.has(id)).toBe(true);
        return `${n}:${d.state}:${d.attempts.length}:${arrived}:${d.attempts.map((a) => a.at - t0).join('/')}`;
      });
      return { outcome, fired: faults.map((f) => f.fired) };
    };
    const first = await run();
    for (const fired of first.fired) {
      expect(fired).toBeGreaterThan(2);
      expect(fired).toBeLessThan(25);
    }
    expect(first.outcome.some((o) => o.includes(':dead-lettered:'))).toBe(true);
    expect(await run()).toEqual(first);
  });

  it('FIFO queue target: no duplicates, and failed or delayed attempts do not reorder the group', async () => {
    const q = await queue('orders.fifo', { FifoQueue: 'true' });
    const ruleArn = await rule('r', [{ Id: 'fifo', Arn: q.arn, SqsParameters: { MessageGroupId: 'g' } }]);
    const dup = sy.faults.add({ kind: 'duplicate', resource: '*' });
    const fail = sy.faults.add({ kind: 'failure', resource: q.arn, probability: 0.4 });
    const late = sy.faults.add({ kind: 'latency', resource: ruleArn, probability: 0.3, delayMs: 1500 });
    const ids = await put(...Array.from({ length: 15 }, (_, n) => ({ n })));
    await runOut(1000);
    const got = await drain(q.url);
    expect(got.map((m) => JSON.parse(m.Body!).id)).toEqual(ids);
    expect(dup.asked).toBe(0);
    expect(fail.fired).toBeGreaterThan(0);
    expect(late.fired).toBeGreaterThan(0);
    expect(ids.every((id) => eventTrace(id).deliveries[0].state === 'delivered')).toBe(true);
  });

  it('a fault naming another rule, target, bus or queue changes nothing', async () => {
    const q = await queue('orders');
    const other = await queue('other');
    const ruleArn = await rule('r', [{ Id: 't1', Arn: q.arn }]);
    const faults = [
      sy.faults.add({ kind: 'failure', resource: `${ruleArn}-not` }),
      sy.faults.add({ kind: 'failure', resource: `${ruleArn}#t2` }),
      sy.faults.add({ kind: 'duplicate', resource: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/elsewhere` }),
      sy.faults.add({ kind: 'latency', resource: other.arn, delayMs: 1000 }),
      // An API latency (with `service`) is the gateway's, not a delivery's.
      sy.faults.add({ kind: 'latency', service: 'sqs', operation: 'ListQueues', resource: '*', delayMs: 1000 }),
    ];
    const [id] = await put({ n: 1 });
    expect((await drain(q.url)).map((m) => JSON.parse(m.Body!).id)).toEqual([id]);
    const d = eventTrace(id).deliveries[0];
    expect(d.injected).toBeUndefined();
    expect(d.attempts).toEqual([{ at: t0, ok: true, detail: expect.any(String) }]);
    expect(faults.map((f) => f.fired)).toEqual([0, 0, 0, 0, 0]);
  });
});

// ------------------------------------------------------------------ SNS subscriptions

describe('SNS subscriptions', () => {
  it('failure (count 2, naming the subscription): SQS delivery fails twice, retried per AWS’s managed policy, then arrives once', async () => {
    const q = await queue('inbox');
    const arn = await topic('orders');
    const sub = await subscribe(arn, 'sqs', q.arn);
    const fault = sy.faults.add({ kind: 'failure', resource: sub, count: 2 });
    const { MessageId } = await topics.send(new sns.PublishCommand({ TopicArn: arn, Message: 'hello' }));
    await settle();
    expect(sy.messagesIn(q.url)!.visible).toHaveLength(0);
    await advance(0); // the first retries are immediate, on the clock
    await advance(0);
    const got = await drain(q.url);
    expect(got.map(messageOf)).toEqual(['hello']);
    const d = publishTrace(MessageId!).deliveries[0];
    expect(d.state).toBe('delivered');
    expect(d.attempts.map((a) => [a.ok, a.code, a.injected])).toEqual([
      [false, 'InjectedFailure', { faultId: fault.id, kind: 'failure' }],
      [false, 'InjectedFailure', { faultId: fault.id, kind: 'failure' }],
      [true, undefined, undefined],
    ]);
  });

  it('failure on an HTTP endpoint (naming its URL): the endpoint is not called, the delivery policy retries, then the DLQ gets the notification', async () => {
    const dlq = await queue('sub-dlq');
    const arn = await topic('web');
    const url = `${hook.url}/flaky`;
    const sub = await subscribeHook(arn, '/flaky', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn }) });
    const fault = sy.faults.add({ kind: 'failure', resource: url, error: 'ConnectionRefused' });
    const { MessageId } = await topics.send(new sns.PublishCommand({ TopicArn: arn, Message: 'doomed' }));
    await settle();
    // AWS's default HTTP policy: 3 retries, 20 s apart.
    for (let i = 0; i < 3; i++) await advance(20_000);
    expect(hook.requests).toHaveLength(0);
    const [dead] = await drain(dlq.url);
    expect(JSON.parse(dead.Body!)).toMatchObject({ Type: 'Notification', MessageId, Message: 'doomed' });
    const d = publishTrace(MessageId!).deliveries[0];
    expect(d).toMatchObject({ subscriptionArn: sub, state: 'dead-lettered', deadLetterArn: dlq.arn });
    expect(d.attempts.map((a) => [a.at - t0, a.code, a.injected])).toEqual(
      [0, 20_000, 40_000, 60_000].map((t) => [t, 'ConnectionRefused', { faultId: fault.id, kind: 'failure' }]),
    );
  });

  it('duplicate on an HTTP subscription (copies 3): the endpoint gets three POSTs of one MessageId', async () => {
    const arn = await topic('web');
    const sub = await subscribeHook(arn, '/twice');
    const fault = sy.faults.add({ kind: 'duplicate', resource: sub, copies: 3 });
    const { MessageId } = await topics.send(new sns.PublishCommand({ TopicArn: arn, Message: 'again' }));
    await hook.received(3);
    await settle();
    expect(hook.notifications().map((n) => [n.MessageId, n.Message])).toEqual(Array(3).fill([MessageId, 'again']));
    expect(hook.requests.map((r) => r.headers['x-amz-sns-message-id'])).toEqual(Array(3).fill(MessageId));
    const d = publishTrace(MessageId!).deliveries[0];
    expect(d).toMatchObject({ state: 'delivered', injected: { faultId: fault.id, kind: 'duplicate', copies: 3 } });
    expect(d.attempts).toHaveLength(1);
  });

  it('duplicate on an SQS subscription (naming the topic): two messages in the queue with the same SNS MessageId', async () => {
    const q = await queue('inbox');
    const arn = await topic('orders');
    await subscribe(arn, 'sqs', q.arn);
    const fault = sy.faults.add({ kind: 'duplicate', resource: arn });
    const { MessageId } = await topics.send(new sns.PublishCommand({ TopicArn: arn, Message: 'twice' }));
    const got = await drain(q.url);
    expect(got.map((m) => (JSON.parse(m.Body!) as { MessageId: string }).MessageId)).toEqual([MessageId, MessageId]);
    expect(got[0].MessageId).not.toBe(got[1].MessageId);
    expect(publishTrace(MessageId!).deliveries[0].injected).toEqual({ faultId: fault.id, kind: 'duplicate', copies: 2 });
  });

  it('latency (naming the topic): the message reaches the queue delayMs later on the clock', async () => {
    const q = await queue('inbox');
    const arn = await topic('orders');
    await subscribe(arn, 'sqs', q.arn);
    const fault = sy.faults.add({ kind: 'latency', resource: arn, delayMs: 2000 });
    const { MessageId } = await topics.send(new sns.PublishCommand({ TopicArn: arn, Message: 'late' }));
    await settle();
    expect(sy.messagesIn(q.url)!.visible).toHaveLength(0);
    await advance(1999);
    expect(sy.messagesIn(q.url)!.visible).toHaveLength(0);
    await advance(1);
    expect((await drain(q.url)).map(messageOf)).toEqual(['late']);
    const d = publishTrace(MessageId!).deliveries[0];
    expect(d.injected).toEqual({ faultId: fault.id, kind: 'latency', delayMs: 2000 });
    expect(d.attempts.map((a) => a.at - t0)).toEqual([2000]);
  });

  it('the same seed makes the same decisions across subscriptions', async () => {
    const run = async (): Promise<{ outcome: string[]; fired: number[] }> => {
      sy.reset();
      t0 = sy.clock.now();
      const a = await queue('a');
      const b = await queue('b');
      const arn = await topic('orders');
      const subA = await subscribe(arn, 'sqs', a.arn);
      await subscribe(arn, 'sqs', b.arn, { RawMessageDelivery: 'true' });
      const faults = [
        sy.faults.add({ kind: 'failure', resource: arn, probability: 0.3 }),
        sy.faults.add({ kind: 'duplicate', resource: subA, probability: 0.4 }),
        sy.faults.add({ kind: 'latency', resource: b.arn, probability: 0.3, delayMs: 1500 }),
      ];
      const ids: string[] = [];
      for (let n = 0; n < 25; n++) ids.push((await topics.send(new sns.PublishCommand({ TopicArn: arn, Message: `m${n}` }))).MessageId!);
      await runOut(1000);
      const inA = (await drain(a.url)).map(messageOf);
      const inB = (await drain(b.url)).map((m) => m.Body!);
      const outcome = ids.map((id) =>
        publishTrace(id)
          .deliveries.map((d) => `${d.state}:${d.attempts.map((x) => x.at - t0).join('/')}:${d.injected?.kind ?? '-'}`)
          .join(' '),
      );
      expect(new Set(inA).size).toBe(25); // nothing lost
      expect(inB.length).toBe(25);
      return { outcome: [...outcome, inA.join(','), inB.join(',')], fired: faults.map((f) => f.fired) };
    };
    const first = await run();
    for (const fired of first.fired) expect(fired).toBeGreaterThan(2);
    expect(await run()).toEqual(first);
  });

  it('FIFO topic to FIFO queue: order kept per group and exactly once under failure, latency and a duplicate fault on "*"', async () => {
    const q = await queue('inbox.fifo', { FifoQueue: 'true' });
    const arn = await topic('orders.fifo', { FifoTopic: 'true', ContentBasedDeduplication: 'true' });
    const sub = await subscribe(arn, 'sqs', q.arn, { RawMessageDelivery: 'true' });
    const dup = sy.faults.add({ kind: 'duplicate', resource: '*' });
    const fail = sy.faults.add({ kind: 'failure', resource: sub, probability: 0.4 });
    const late = sy.faults.add({ kind: 'latency', resource: arn, probability: 0.3, delayMs: 1500 });
    const sent: Record<string, string[]> = { g1: [], g2: [] };
    for (let n = 0; n < 24; n++) {
      const group = n % 3 === 0 ? 'g2' : 'g1';
      sent[group].push(`${group}-${n}`);
      await topics.send(new sns.PublishCommand({ TopicArn: arn, Message: `${group}-${n}`, MessageGroupId: group }));
    }
    await runOut(1000);
    const got: Record<string, string[]> = { g1: [], g2: [] };
    for (const m of await drain(q.url)) got[m.Attributes!.MessageGroupId!].push(m.Body!);
    expect(got).toEqual(sent);
    expect(dup.asked).toBe(0);
    expect(fail.fired).toBeGreaterThan(0);
    expect(late.fired).toBeGreaterThan(0);
  });

  it('FIFO: once the only fault is spent, later messages of the group still wait for the one being retried', async () => {
    const q = await queue('inbox.fifo', { FifoQueue: 'true' });
    const arn = await topic('orders.fifo', { FifoTopic: 'true', ContentBasedDeduplication: 'true' });
    const sub = await subscribe(arn, 'sqs', q.arn, { RawMessageDelivery: 'true' });
    sy.faults.add({ kind: 'failure', resource: sub, count: 1 });
    for (const m of ['first', 'second', 'third']) await topics.send(new sns.PublishCommand({ TopicArn: arn, Message: m, MessageGroupId: 'g' }));
    await settle();
    expect(sy.faults.active).toBe(false);
    expect(sy.messagesIn(q.url)!.visible).toHaveLength(0); // held behind the retry
    await advance(0);
    expect((await drain(q.url)).map((m) => m.Body)).toEqual(['first', 'second', 'third']);
  });

  it('FIFO with a data directory: a Publish held behind a retry is answered at once, and delivered in order after it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-faults-delivery-'));
    const local = await startSwitchyard({ port: 0, dataDir: dir, frozenClockAt: T0, faults: { seed: 1 } });
    const config = { endpoint: local.endpoint, region: 'us-east-1', credentials: creds, maxAttempts: 1 };
    const c = { sqs: new sqs.SQSClient(config), sns: new sns.SNSClient(config) };
    try {
      const { QueueUrl } = await c.sqs.send(new sqs.CreateQueueCommand({ QueueName: 'inbox.fifo', Attributes: { FifoQueue: 'true' } }));
      const { TopicArn } = await c.sns.send(new sns.CreateTopicCommand({ Name: 'orders.fifo', Attributes: { FifoTopic: 'true', ContentBasedDeduplication: 'true' } }));
      await c.sns.send(new sns.SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: `arn:aws:sqs:us-east-1:${ACCOUNT}:inbox.fifo`, Attributes: { RawMessageDelivery: 'true' } }));
      local.faults.add({ kind: 'failure', resource: TopicArn, count: 1 });
      for (const m of ['first', 'second']) await c.sns.send(new sns.PublishCommand({ TopicArn, Message: m, MessageGroupId: 'g' }));
      local.clock.advance(0);
      await local.sns.deliverer.settled();
      const { Messages } = await c.sqs.send(new sqs.ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
      expect(Messages?.map((m) => m.Body)).toEqual(['first', 'second']);
    } finally {
      c.sqs.destroy();
      c.sns.destroy();
      await local.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a fault naming another subscription, topic or endpoint changes nothing', async () => {
    const q = await queue('inbox');
    const other = await queue('other');
    const arn = await topic('orders');
    const sub = await subscribe(arn, 'sqs', q.arn);
    const faults = [
      sy.faults.add({ kind: 'failure', resource: `${arn}:00000000-0000-0000-0000-000000000000` }),
      sy.faults.add({ kind: 'duplicate', resource: `${arn}-other` }),
      sy.faults.add({ kind: 'latency', resource: other.arn, delayMs: 1000 }),
    ];
    const { MessageId } = await topics.send(new sns.PublishCommand({ TopicArn: arn, Message: 'plain' }));
    expect((await drain(q.url)).map(messageOf)).toEqual(['plain']);
    const d = publishTrace(MessageId!).deliveries[0];
    expect(d).toMatchObject({ subscriptionArn: sub, state: 'delivered' });
    expect(d.injected).toBeUndefined();
    expect(d.attempts).toHaveLength(1);
    expect(faults.map((f) => f.asked)).toEqual([0, 0, 0]);
  });
});
