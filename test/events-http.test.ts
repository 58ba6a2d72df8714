/**
 * EventBridge over hand-built HTTP: what no SDK sends (wrong types, hostile details, deep nesting,
 * prototype keys), and the trace API's own edges. Every answer must be AWS's error in JSON 1.1,
 * and the server must keep routing afterwards.
 */
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSwitchyard, type Switchyard } from '../src/index.js';

const TYPE = 'application/x-amz-json-1.1';
let sy: Switchyard;
const internalErrors: unknown[] = [];

beforeAll(async () => {
  sy = await startSwitchyard({ port: 0, frozenClockAt: Date.parse('2026-11-26T12:00:00Z'), onError: (err) => internalErrors.push(err) });
});

beforeEach(() => sy.reset());

afterAll(async () => {
  expect(internalErrors).toEqual([]);
  await sy.stop();
});

async function call(op: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await request(sy.endpoint)
    .post('/')
    .set({ 'content-type': TYPE, 'x-amz-target': `AWSEvents.${op}` })
    .send(typeof body === 'string' ? body : JSON.stringify(body));
  return { status: res.status, body: JSON.parse(res.text || '{}') };
}

async function queueWithRule(pattern: unknown, input?: Record<string, unknown>): Promise<string> {
  const q = await request(sy.endpoint)
    .post('/')
    .set({ 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.CreateQueue' })
    .send(JSON.stringify({ QueueName: 'q' }));
  const url = JSON.parse(q.text).QueueUrl as string;
  expect((await call('PutRule', { Name: 'r', EventPattern: JSON.stringify(pattern) })).status).toBe(200);
  const targets = await call('PutTargets', { Rule: 'r', Targets: [{ Id: 't', Arn: 'arn:aws:sqs:us-east-1:000000000000:q', ...input }] });
  expect(targets.body).toEqual({ FailedEntryCount: 0, FailedEntries: [] });
  return url;
}

async function received(url: string): Promise<string[]> {
  await sy.events.deliverer.settled();
  const res = await request(sy.endpoint)
    .post('/')
    .set({ 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ReceiveMessage' })
    .send(JSON.stringify({ QueueUrl: url, MaxNumberOfMessages: 10 }));
  return ((JSON.parse(res.text).Messages ?? []) as { Body: string }[]).map((m) => m.Body);
}

describe('wrong types', () => {
  it('answers Entries that is not a list, and an entry Detail that is not a string, with SerializationException', async () => {
    for (const body of [{ Entries: 'x' }, { Entries: [{ Source: 'a', DetailType: 'b', Detail: { n: 1 } }] }, { Entries: [{ Time: 'yesterday' }] }]) {
      const r = await call('PutEvents', body);
      expect(r.status).toBe(400);
      expect(r.body.__type).toBe('SerializationException');
    }
  });

  it('answers a missing required member with ValidationException, not a crash', async () => {
    const r = await call('PutRule', {});
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({
      __type: 'ValidationException',
      message: "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null",
    });
    const t = await call('PutTargets', { Rule: 'r', Targets: [{ Id: 'a', Arn: 'arn:aws:sqs:us-east-1:000000000000:q' }, { Arn: 'x' }] });
    expect(t.body.message).toBe("1 validation error detected: Value null at 'targets.2.member.id' failed to satisfy constraint: Member must not be null");
  });
});

describe('hostile event details', () => {
  it('routes a Detail nested 1,000 levels deep (AWS\'s limit) and refuses 1,001 or 10,000 per entry', async () => {
    const url = await queueWithRule({ source: ['deep'] });
    const nest = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
    const r = await call('PutEvents', {
      Entries: [
        { Source: 'deep', DetailType: 'x', Detail: nest(1000) },
        { Source: 'deep', DetailType: 'x', Detail: nest(1001) },
        { Source: 'deep', DetailType: 'x', Detail: nest(10_000) },
      ],
    });
    expect(r.body.FailedEntryCount).toBe(2);
    expect((r.body.Entries as object[]).slice(1)).toEqual([
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
    ]);
    const bodies = await received(url);
    expect(bodies).toHaveLength(1);
    expect(JSON.parse(bodies[0]).detail.a.a.a).toBeTypeOf('object');
  });

  it('keeps __proto__ and constructor keys as plain fields: matched, delivered, never polluting', async () => {
    const url = await queueWithRule({ detail: { __proto__: { polluted: ['yes'] } } }, {
      InputTransformer: { InputPathsMap: { p: '$.detail.__proto__.polluted' }, InputTemplate: '{"p": <p>}' },
    });
    const r = await call('PutEvents', {
      Entries: [{ Source: 's', DetailType: 'x', Detail: '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"x":1}}}' }],
    });
    expect(r.body.FailedEntryCount).toBe(0);
    expect(await received(url)).toEqual(['{"p":"yes"}']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('passes markup in event fields through untouched (escaping is the UI\'s job, not the wire\'s)', async () => {
    const url = await queueWithRule({ source: ['x'] }, { InputPath: '$.detail.html' });
    const html = '<script>alert(1)</script><img src=x onerror=alert(2)>';
    await call('PutEvents', { Entries: [{ Source: 'x', DetailType: 'x', Detail: JSON.stringify({ html }) }] });
    expect(await received(url)).toEqual([JSON.stringify(html)]);
  });
});

describe('the trace', () => {
  it('keeps only the most recent events (a ring), each findable by id', async () => {
    const small = await startSwitchyard({ port: 0, traceCapacity: 3 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await request(small.endpoint)
        .post('/')
        .set({ 'content-type': TYPE, 'x-amz-target': 'AWSEvents.PutEvents' })
        .send(JSON.stringify({ Entries: [{ Source: 's', DetailType: 'x', Detail: `{"i":${i}}` }] }));
      ids.push(JSON.parse(res.text).Entries[0].EventId);
    }
    const list = await request(small.endpoint).get('/_switchyard/api/events');
    expect(list.body.events.map((e: { id: string }) => e.id)).toEqual(ids.slice(2).reverse());
    expect((await request(small.endpoint).get(`/_switchyard/api/events/${ids[0]}`)).status).toBe(404);
    expect((await request(small.endpoint).get(`/_switchyard/api/events/${ids[4]}`)).body.event.detail).toEqual({ i: 4 });
    await small.stop();
  });

  it('moves the clock through the API only with a JSON body', async () => {
    const before = sy.clock.now();
    const form = await request(sy.endpoint).post('/_switchyard/api/clock/advance').type('form').send('ms=1000');
    expect(form.status).toBe(400);
    const ok = await request(sy.endpoint).post('/_switchyard/api/clock/advance').set('content-type', 'application/json').send('{"ms":60000}');
    expect(ok.status).toBe(200);
    expect(sy.clock.now()).toBe(before + 60_000);
    expect((await request(sy.endpoint).get('/_switchyard/api/clock')).body).toEqual({ now: new Date(before + 60_000).toISOString(), frozen: true });
  });
});
