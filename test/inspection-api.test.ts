/**
 * The inspection API (docs/inspection-api.md) over supertest against a real Switchyard: the
 * trace list with its filters and paging, the live stream, "why didn't it match?", resources,
 * peeking without side effects, deleting and redriving, idempotency, and LocalStack's
 * /_aws/sqs/messages.
 */
import { request as httpRequest } from 'node:http';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSwitchyard, type Switchyard } from '../src/index.js';

let sy: Switchyard;
const internalErrors: unknown[] = [];

beforeAll(async () => {
  sy = await startSwitchyard({ port: 0, frozenClockAt: Date.parse('2026-11-27T10:00:00Z'), onError: (e) => internalErrors.push(e) });
});
beforeEach(() => sy.reset());
afterAll(async () => {
  expect(internalErrors).toEqual([]);
  await sy.stop();
});

async function aws(service: 'sqs' | 'events', op: string, input: unknown): Promise<Record<string, unknown>> {
  const [type, prefix] = service === 'sqs' ? ['application/x-amz-json-1.0', 'AmazonSQS'] : ['application/x-amz-json-1.1', 'AWSEvents'];
  const res = await request(sy.endpoint).post('/').set({ 'content-type': type, 'x-amz-target': `${prefix}.${op}` }).send(JSON.stringify(input));
  expect(res.status, res.text).toBe(200);
  return JSON.parse(res.text || '{}');
}

async function snsCall(params: Record<string, string>): Promise<string> {
  const res = await request(sy.endpoint)
    .post('/')
    .set('content-type', 'application/x-www-form-urlencoded')
    .send(new URLSearchParams({ Version: '2010-03-31', ...params }).toString());
  expect(res.status, res.text).toBe(200);
  return res.text;
}

const api = (path: string) => request(sy.endpoint).get(`/_switchyard/api${path}`);
const arn = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;

async function ruleToQueue(name: string, pattern: unknown, queue = 'q'): Promise<string> {
  await aws('sqs', 'CreateQueue', { QueueName: queue });
  const { RuleArn } = await aws('events', 'PutRule', { Name: name, EventPattern: JSON.stringify(pattern) });
  await aws('events', 'PutTargets', { Rule: name, Targets: [{ Id: 't', Arn: arn(queue) }] });
  return RuleArn as string;
}

async function put(detail: unknown, source = 'shop'): Promise<string> {
  const r = (await aws('events', 'PutEvents', { Entries: [{ Source: source, DetailType: 'Order', Detail: JSON.stringify(detail) }] })) as { Entries: Array<{ EventId: string }> };
  return r.Entries[0].EventId;
}

describe('the trace', () => {
  it('lists events, publishes and sends, filters by kind and resource, and pages with offset', async () => {
    await ruleToQueue('r', { source: ['shop'] });
    for (let i = 0; i < 5; i++) await put({ i });
    await aws('sqs', 'SendMessage', { QueueUrl: `${sy.endpoint}/000000000000/q`, MessageBody: 'direct' });
    await snsCall({ Action: 'CreateTopic', Name: 'tp' });
    await snsCall({ Action: 'Publish', TopicArn: 'arn:aws:sns:us-east-1:000000000000:tp', Message: 'hi' });
    await sy.events.deliverer.settled();
    const all = (await api('/events')).body as { events: Array<{ kind: string }>; total: number; matched: number };
    expect(all.total).toBe(7);
    expect(all.events.map((e) => e.kind)).toEqual(['publish', 'send', 'event', 'event', 'event', 'event', 'event']);
    const page = (await api('/events?kind=event&limit=2&offset=2')).body as { events: Array<{ id: string; deliveries: Array<{ state: string }> }>; matched: number };
    expect(page.matched).toBe(5);
    expect(page.events).toHaveLength(2);
    expect(page.events[0].deliveries[0].state).toBe('delivered');
    expect((await api('/events?queue=q')).body.events).toHaveLength(1);
    expect((await api('/events?topic=tp')).body.events).toHaveLength(1);
    expect((await api('/events?bus=default&q=%22i%22%3A3')).body.events).toHaveLength(1);
    const send = (await api('/events?kind=send')).body.events[0] as { id: string; queueArn: string };
    expect(send.queueArn).toBe(arn('q'));
    expect((await api(`/events/${send.id}`)).body).toMatchObject({ kind: 'send', via: 'SendMessage', message: { body: 'direct' } });
    expect((await api('/events/nope')).status).toBe(404);
  });

  it('streams new records as server-sent events', async () => {
    const received: string[] = [];
    let opened!: () => void;
    const open = new Promise<void>((r) => (opened = r));
    const done = new Promise<void>((resolve, reject) => {
      const req = httpRequest(`${sy.endpoint}/_switchyard/api/stream`, (res) => {
        expect(res.headers['content-type']).toBe('text/event-stream');
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          received.push(chunk);
          opened(); // the stream's opening comment: it is subscribed
          if (received.join('').includes('event: trace')) {
            req.destroy();
            resolve();
          }
        });
      });
      req.on('error', reject);
      req.end();
    });
    // Once the stream is open, anything traced shows up on it.
    await open;
    const id = await put({ live: true });
    await done;
    const text = received.join('');
    const data = JSON.parse(/data: (.*)\n/.exec(text)![1]) as { id: string; kind: string; source: string };
    expect(data).toMatchObject({ id, kind: 'event', source: 'shop' });
  });

  it('explains why an event does not match a rule, and the pattern tester explains anything', async () => {
    const rule = await ruleToQueue('big', { source: ['shop'], detail: { price: [{ numeric: ['>', 100] }] } });
    const id = await put({ price: 12 });
    const r = await api(`/events/${id}/explain?rule=${encodeURIComponent(rule)}`);
    expect(r.status).toBe(200);
    expect(r.body.explanation.matches).toBe(false);
    expect(r.body.explanation.summary).toBe('detail.price: 12 is not in numeric range > 100');
    expect((await api(`/events/${id}/explain?rule=nope`)).status).toBe(404);
    const t = await request(sy.endpoint)
      .post('/_switchyard/api/explain')
      .set('content-type', 'application/json')
      .send({ event: { source: 'x', detail: { a: 'b' } }, pattern: { detail: { a: [{ prefix: 'b' }] } } });
    expect(t.body.explanation.matches).toBe(true);
    const bad = await request(sy.endpoint).post('/_switchyard/api/explain').set('content-type', 'application/json').send({ event: {}, pattern: '{"a": 1}' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('InvalidEventPattern');
    const broken = await request(sy.endpoint).post('/_switchyard/api/explain').set('content-type', 'application/json').send('{not json');
    expect(broken.status).toBe(400);
    expect(broken.body.error).toBe('BadRequest');
  });
});

describe('resources', () => {
  it('buses with rules and targets; topics with subscriptions', async () => {
    await ruleToQueue('r', { source: ['shop'] });
    await snsCall({ Action: 'CreateTopic', Name: 'tp' });
    await snsCall({
      Action: 'Subscribe',
      TopicArn: 'arn:aws:sns:us-east-1:000000000000:tp',
      Protocol: 'sqs',
      Endpoint: arn('q'),
      'Attributes.entry.1.key': 'FilterPolicy',
      'Attributes.entry.1.value': '{"k":["v"]}',
    });
    const buses = (await api('/buses')).body.buses as Array<{ name: string; rules: Array<{ name: string; eventPattern: string; targets: Array<{ arn: string }> }> }>;
    const def = buses.find((b) => b.name === 'default')!;
    expect(def.rules[0]).toMatchObject({ name: 'r', eventPattern: '{\n  "source": [\n    "shop"\n  ]\n}', targets: [{ arn: arn('q') }] });
    const topics = (await api('/topics')).body.topics as Array<{ name: string; subscriptions: Array<{ protocol: string; filterPolicy: string; filterPolicyScope: string }> }>;
    expect(topics[0]).toMatchObject({ name: 'tp', subscriptions: [{ protocol: 'sqs', filterPolicyScope: 'MessageAttributes' }] });
    expect(JSON.parse(topics[0].subscriptions[0].filterPolicy)).toEqual({ k: ['v'] });
  });

  it('peeks at messages in every state without changing them', async () => {
    const url = `${sy.endpoint}/000000000000/q`;
    await aws('sqs', 'CreateQueue', { QueueName: 'q' });
    await aws('sqs', 'SendMessage', { QueueUrl: url, MessageBody: 'a', MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } });
    await aws('sqs', 'SendMessage', { QueueUrl: url, MessageBody: 'b' });
    await aws('sqs', 'SendMessage', { QueueUrl: url, MessageBody: 'later', DelaySeconds: 60 });
    const got = (await aws('sqs', 'ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 1 })) as { Messages: Array<{ Body: string }> };
    const taken = got.Messages[0].Body;
    for (let i = 0; i < 3; i++) {
      const peek = (await api(`/queues/${encodeURIComponent(arn('q'))}/messages`)).body;
      expect(peek.inFlight.map((m: { body: string }) => m.body)).toEqual([taken]);
      expect(peek.inFlight[0].receiveCount).toBe(1);
      expect(peek.visible).toHaveLength(1);
      expect(peek.delayed.map((m: { body: string }) => m.body)).toEqual(['later']);
      expect(peek.delayed[0].visibleAt).toBe('2026-11-27T10:01:00.000Z');
    }
    const attrs = (await aws('sqs', 'GetQueueAttributes', { QueueUrl: url, AttributeNames: ['All'] })) as { Attributes: Record<string, string> };
    expect(attrs.Attributes).toMatchObject({ ApproximateNumberOfMessages: '1', ApproximateNumberOfMessagesNotVisible: '1', ApproximateNumberOfMessagesDelayed: '1' });
    const queues = (await api('/queues')).body.queues;
    expect(queues[0]).toMatchObject({ name: 'q', url, counts: { visible: 1, inFlight: 1, delayed: 1 } });
  });

  it('deletes one message, and redrives a DLQ back to its source', async () => {
    await aws('sqs', 'CreateQueue', { QueueName: 'dlq' });
    await aws('sqs', 'CreateQueue', { QueueName: 'work', Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn('dlq'), maxReceiveCount: 1 }), VisibilityTimeout: '1' } });
    const work = `${sy.endpoint}/000000000000/work`;
    for (const body of ['x', 'y', 'z']) await aws('sqs', 'SendMessage', { QueueUrl: work, MessageBody: body });
    // Received once and not deleted: after the timeout, the next receive sends them to the DLQ.
    await aws('sqs', 'ReceiveMessage', { QueueUrl: work, MaxNumberOfMessages: 10 });
    sy.clock.advance(1000);
    expect((await aws('sqs', 'ReceiveMessage', { QueueUrl: work, MaxNumberOfMessages: 10 })).Messages).toBeUndefined();
    const dlqPath = `/queues/${encodeURIComponent(arn('dlq'))}`;
    const peek = (await api(`${dlqPath}/messages`)).body;
    expect(peek.visible.map((m: { body: string }) => m.body).sort()).toEqual(['x', 'y', 'z']);
    const gone = peek.visible.find((m: { body: string }) => m.body === 'y').messageId as string;
    expect((await request(sy.endpoint).delete(`/_switchyard/api${dlqPath}/messages/${gone}`)).status).toBe(204);
    expect((await request(sy.endpoint).delete(`/_switchyard/api${dlqPath}/messages/${gone}`)).status).toBe(404);
    const info = (await api('/queues')).body.queues.find((q: { name: string }) => q.name === 'dlq');
    expect(info).toMatchObject({ isDeadLetterQueue: true, sourceQueueArns: [arn('work')] });
    const r = await request(sy.endpoint).post(`/_switchyard/api${dlqPath}/redrive`).set('content-type', 'application/json').send({});
    expect(r.body).toEqual({ moved: 2 });
    const back = (await aws('sqs', 'ReceiveMessage', { QueueUrl: work, MaxNumberOfMessages: 10 })) as { Messages: Array<{ Body: string }> };
    expect(back.Messages.map((m) => m.Body).sort()).toEqual(['x', 'z']);
    const notDlq = await request(sy.endpoint).post(`/_switchyard/api/queues/${encodeURIComponent(arn('work'))}/redrive`).set('content-type', 'application/json').send({});
    expect(notDlq.status).toBe(400);
    // A form post (what a cross-site page could send without a preflight) is refused.
    const form = await request(sy.endpoint).post(`/_switchyard/api${dlqPath}/redrive`).set('content-type', 'application/x-www-form-urlencoded').send('a=1');
    expect(form.status).toBe(400);
  });
});

describe('idempotency', () => {
  it('flags repeated keys and counts duplicate deliveries to a target', async () => {
    await ruleToQueue('r', { source: ['shop'] });
    const meta = (key: string) => ({ metadata: { 'idempotency-key': key } });
    await put(meta('k-1'));
    await put(meta('k-1'));
    await put(meta('k-2'));
    await sy.events.deliverer.settled();
    const list = (await api('/events?kind=event')).body.events as Array<{ idempotencyKey: string; repeatedKey: boolean }>;
    expect(list.map((e) => [e.idempotencyKey, e.repeatedKey])).toEqual([
      ['k-2', false],
      ['k-1', true],
      ['k-1', true],
    ]);
    const report = (await api('/idempotency')).body;
    expect(report.path).toBe('detail.metadata.idempotency-key');
    expect(report.repeatedKeys).toEqual([{ key: 'k-1', ids: expect.any(Array) }]);
    expect(report.duplicateDeliveries).toEqual([{ targetArn: arn('q'), key: 'k-1', count: 2, ids: expect.any(Array) }]);
    // SQS sends: the key from a message attribute.
    await aws('sqs', 'SendMessage', { QueueUrl: `${sy.endpoint}/000000000000/q`, MessageBody: 'plain', MessageAttributes: { 'idempotency-key': { DataType: 'String', StringValue: 'm-1' } } });
    expect((await api('/events?kind=send')).body.events[0].idempotencyKey).toBe('m-1');
  });
});

describe('LocalStack compatible', () => {
  it('GET /_aws/sqs/messages shows messages without receiving them, as JSON or XML', async () => {
    const url = `${sy.endpoint}/000000000000/q`;
    await aws('sqs', 'CreateQueue', { QueueName: 'q' });
    await aws('sqs', 'SendMessage', { QueueUrl: url, MessageBody: '<hello & bye>' });
    const json = await request(sy.endpoint).get(`/_aws/sqs/messages?QueueUrl=${encodeURIComponent(url)}`).set('accept', 'application/json');
    const msgs = json.body.ReceiveMessageResponse.ReceiveMessageResult.Message;
    expect(msgs).toHaveLength(1);
    expect(msgs[0].Body).toBe('<hello & bye>');
    const xml = await request(sy.endpoint).get(`/_aws/sqs/messages?QueueUrl=${encodeURIComponent(url)}`);
    expect(xml.text).toContain('<Body>&#60;hello &#38; bye&#62;</Body>');
    const attrs = (await aws('sqs', 'GetQueueAttributes', { QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] })) as { Attributes: Record<string, string> };
    expect(attrs.Attributes.ApproximateNumberOfMessages).toBe('1');
    expect((await request(sy.endpoint).get('/_aws/sqs/messages?QueueName=missing')).status).toBe(400);
  });
});
