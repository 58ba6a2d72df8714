/**
 * Embedding in a test runner through the public API: `startSwitchyard({ port: 0 })`, `reset()`
 * between tests (every service emptied, in milliseconds), `clock.advance()` for visibility
 * timeouts, delays, retries and schedules, and `stop()`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as eb from '@aws-sdk/client-eventbridge';
import * as sns from '@aws-sdk/client-sns';
import * as sqs from '@aws-sdk/client-sqs';
import { startSwitchyard, type Switchyard } from '../src/index.js';

let sy: Switchyard;
let q: sqs.SQSClient;
let t: sns.SNSClient;
let e: eb.EventBridgeClient;

beforeAll(async () => {
  sy = await startSwitchyard({ port: 0, frozenClockAt: Date.parse('2026-11-27T12:00:00Z') });
  const config = { endpoint: sy.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  q = new sqs.SQSClient(config);
  t = new sns.SNSClient(config);
  e = new eb.EventBridgeClient(config);
});
afterAll(async () => {
  for (const c of [q, t, e]) c?.destroy();
  await sy?.stop();
});

describe('the public API', () => {
  it('port 0 picks a free port and the endpoint points at it', () => {
    expect(sy.port).toBeGreaterThan(0);
    expect(sy.endpoint).toBe(`http://127.0.0.1:${sy.port}`);
  });

  it('reset() empties every service and the trace, in milliseconds', async () => {
    const { QueueUrl } = await q.send(new sqs.CreateQueueCommand({ QueueName: 'q' }));
    for (let i = 0; i < 100; i++) await q.send(new sqs.SendMessageCommand({ QueueUrl, MessageBody: `m${i}` }));
    await t.send(new sns.CreateTopicCommand({ Name: 't' }));
    await e.send(new eb.PutRuleCommand({ Name: 'r', ScheduleExpression: 'rate(1 minute)' }));
    expect(sy.events.trace.size).toBe(100);
    const started = performance.now();
    sy.reset();
    const ms = performance.now() - started;
    expect(ms).toBeLessThan(50);
    expect((await q.send(new sqs.ListQueuesCommand({}))).QueueUrls ?? []).toEqual([]);
    expect((await t.send(new sns.ListTopicsCommand({}))).Topics ?? []).toEqual([]);
    expect((await e.send(new eb.ListRulesCommand({}))).Rules ?? []).toEqual([]);
    expect(sy.events.trace.size).toBe(0);
  });

  it('clock.advance() moves visibility timeouts and delays', async () => {
    sy.reset();
    const { QueueUrl } = await q.send(new sqs.CreateQueueCommand({ QueueName: 'timed', Attributes: { VisibilityTimeout: '30' } }));
    await q.send(new sqs.SendMessageCommand({ QueueUrl, MessageBody: 'now' }));
    await q.send(new sqs.SendMessageCommand({ QueueUrl, MessageBody: 'later', DelaySeconds: 60 }));
    const first = await q.send(new sqs.ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    expect(first.Messages?.map((m) => m.Body)).toEqual(['now']);
    expect((await q.send(new sqs.ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages).toBeUndefined();
    sy.clock.advance(30_000);
    const again = await q.send(new sqs.ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
    expect(again.Messages?.map((m) => [m.Body, m.Attributes?.ApproximateReceiveCount])).toEqual([['now', '2']]);
    sy.clock.advance(30_000);
    const late = await q.send(new sqs.ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    expect(late.Messages?.map((m) => m.Body).sort()).toEqual(['later', 'now']);
  });

  it('the same controls over HTTP: the clock', async () => {
    const before = (await (await fetch(`${sy.endpoint}/_switchyard/api/clock`)).json()) as { now: string; frozen: boolean };
    expect(before.frozen).toBe(true);
    const r = await fetch(`${sy.endpoint}/_switchyard/api/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"ms":60000}' });
    const after = (await r.json()) as { now: string };
    expect(Date.parse(after.now) - Date.parse(before.now)).toBe(60_000);
  });
});
