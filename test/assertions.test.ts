/**
 * Assertions for tests (issue 7): waitForEvent, deliveriesTo, messagesIn, publishedTo and the
 * idempotency report, in-process and over HTTP, against real SDK traffic.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { startSwitchyard, WaitTimeout, type Switchyard } from '../src/index.js';

let sy: Switchyard;
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
let sqs: SQSClient;
let sns: SNSClient;
let eb: EventBridgeClient;

beforeAll(async () => {
  sy = await startSwitchyard({ port: 0, frozenClockAt: Date.UTC(2026, 10, 27, 9) });
  const c = { endpoint: sy.endpoint, region: 'us-east-1', credentials };
  sqs = new SQSClient(c);
  sns = new SNSClient(c);
  eb = new EventBridgeClient(c);
});
afterAll(async () => {
  await sy.stop();
});
beforeEach(() => sy.reset());

async function queue(name: string): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const a = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { url: QueueUrl!, arn: a.Attributes!.QueueArn! };
}

const order = (id: string, total: number) => ({ Source: 'shop', DetailType: 'OrderPlaced', Detail: JSON.stringify({ orderId: id, total, metadata: { 'idempotency-key': `order-${id}` } }) });

describe('waitForEvent', () => {
  it('finds an event already routed, and waits for one still to come', async () => {
    await eb.send(new PutEventsCommand({ Entries: [order('1', 10)] }));
    const found = await sy.waitForEvent({ source: ['shop'], detail: { orderId: ['1'] } });
    expect(found.event).toMatchObject({ source: 'shop', 'detail-type': 'OrderPlaced', detail: { orderId: '1' } });
    const later = sy.waitForEvent({ detail: { total: [{ numeric: ['>', 100] }] } }, { timeout: 5000 });
    await eb.send(new PutEventsCommand({ Entries: [order('2', 50), order('3', 500)] }));
    expect((await later).event).toMatchObject({ detail: { orderId: '3' } });
  });

  it('times out with WaitTimeout naming the pattern; an invalid pattern is refused with AWS\'s reason', async () => {
    await eb.send(new PutEventsCommand({ Entries: [order('1', 10)] }));
    const err = await sy.waitForEvent({ source: ['nobody'] }, { timeout: 30 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaitTimeout);
    expect((err as Error).message).toBe('No event matching {"source":["nobody"]} within 30 ms (0 events arrived meanwhile, 1 in the trace).');
    await expect(sy.waitForEvent({ source: 'shop' })).rejects.toThrow(/must be an object or an array/);
  });

  it('over HTTP: POST /wait-for-event answers with the event, 408 when none comes', async () => {
    const post = (body: unknown) => fetch(`${sy.endpoint}/_switchyard/api/wait-for-event`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const waiting = post({ pattern: { 'detail-type': ['OrderPlaced'] }, timeoutMs: 5000 });
    await eb.send(new PutEventsCommand({ Entries: [order('9', 1)] }));
    const ok = await waiting;
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { event: { detail: { orderId: string } } }).event.detail.orderId).toBe('9');
    const none = await post({ pattern: { source: ['x'] }, timeoutMs: 20 });
    expect(none.status).toBe(408);
    expect(((await none.json()) as { error: string }).error).toBe('Timeout');
    expect((await post({ pattern: { source: 'x' } })).status).toBe(400);
  });
});

describe('deliveriesTo, messagesIn, publishedTo', () => {
  it('an event routed to a queue: the delivery with its input, the message peeked (still there to receive)', async () => {
    const q = await queue('orders');
    await eb.send(new PutRuleCommand({ Name: 'big', EventPattern: JSON.stringify({ detail: { total: [{ numeric: ['>=', 100] }] } }) }));
    await eb.send(new PutTargetsCommand({ Rule: 'big', Targets: [{ Id: 'q', Arn: q.arn, InputPath: '$.detail' }] }));
    await eb.send(new PutEventsCommand({ Entries: [order('1', 150), order('2', 5)] }));
    const deliveries = sy.deliveriesTo(q.arn);
    expect(deliveries.map((d) => [JSON.parse(d.input).orderId, d.state, d.targetId, d.kind])).toEqual([['1', 'delivered', 'q', 'event']]);
    expect(sy.deliveriesTo(`${deliveries[0].ruleArn}#q`)).toHaveLength(1);
    const peeked = sy.messagesIn(q.url)!;
    expect(peeked.visible.map((m) => JSON.parse(m.body).orderId)).toEqual(['1']);
    expect(sy.messagesIn(q.arn)!.visible).toHaveLength(1);
    expect(sy.messagesIn(`${sy.endpoint}/000000000000/absent`)).toBeUndefined();
    // Peeking changed nothing: the consumer still receives it, first time.
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.url, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
    expect(got.Messages?.[0].Attributes?.ApproximateReceiveCount).toBe('1');
    // Over HTTP.
    const http = (await (await fetch(`${sy.endpoint}/_switchyard/api/deliveries?target=${encodeURIComponent(q.arn)}`)).json()) as { deliveries: unknown[] };
    expect(http.deliveries).toHaveLength(1);
    const msgs = (await (await fetch(`${sy.endpoint}/_switchyard/api/messages?queue=${encodeURIComponent(q.url)}`)).json()) as { inFlight: unknown[] };
    expect(msgs.inFlight).toHaveLength(1);
  });

  it('publishedTo lists what was published, where it went and which filter policies refused it', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'orders' }));
    const q = await queue('eu-orders');
    const { SubscriptionArn } = await sns.send(
      new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: q.arn, Attributes: { FilterPolicy: JSON.stringify({ region: ['eu'] }) }, ReturnSubscriptionArn: true }),
    );
    await sns.send(new PublishCommand({ TopicArn, Message: 'to eu', MessageAttributes: { region: { DataType: 'String', StringValue: 'eu' } } }));
    await sns.send(new PublishCommand({ TopicArn, Message: 'to us', Subject: 'us', MessageAttributes: { region: { DataType: 'String', StringValue: 'us' } } }));
    const published = sy.publishedTo(TopicArn!);
    expect(published.map((p) => [p.body, p.deliveredTo, p.filteredOut])).toEqual([
      ['to eu', [SubscriptionArn], []],
      ['to us', [], [SubscriptionArn]],
    ]);
    expect(published[1].subject).toBe('us');
    expect(sy.deliveriesTo(q.arn).map((d) => d.kind)).toEqual(['publish']);
    const http = (await (await fetch(`${sy.endpoint}/_switchyard/api/published?topic=${encodeURIComponent(TopicArn!)}`)).json()) as { messages: unknown[] };
    expect(http.messages).toHaveLength(2);
  });

  it('repeatedIdempotencyKeys: the same key sent twice, and a target that received it twice', async () => {
    const q = await queue('payments');
    await eb.send(new PutRuleCommand({ Name: 'all', EventPattern: JSON.stringify({ source: ['shop'] }) }));
    await eb.send(new PutTargetsCommand({ Rule: 'all', Targets: [{ Id: 'q', Arn: q.arn }] }));
    // The sender retried: two events, one key.
    await eb.send(new PutEventsCommand({ Entries: [order('7', 70)] }));
    await eb.send(new PutEventsCommand({ Entries: [order('7', 70)] }));
    await sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: '{}', MessageAttributes: { 'idempotency-key': { DataType: 'String', StringValue: 'once' } } }));
    const report = sy.repeatedIdempotencyKeys();
    expect(report.repeatedKeys.map((r) => [r.key, r.ids.length])).toEqual([['order-7', 2]]);
    expect(report.duplicateDeliveries.map((d) => [d.targetArn, d.key, d.count])).toEqual([[q.arn, 'order-7', 2]]);
  });
});
