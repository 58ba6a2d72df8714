/**
 * SNS persistence (`dataDir`): topics and subscriptions with every attribute, FIFO dedup windows
 * and sequence numbers, and HTTP deliveries waiting for a retry survive a restart; damaged
 * entries are reported and the rest recovered; and kill -9 under Publish load loses no
 * acknowledged publish that reached a queue. Restarts are a stop and a start on the same
 * directory, on frozen clocks, so retry times across the restart are exact.
 */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as eb from '@aws-sdk/client-eventbridge';
import * as sns from '@aws-sdk/client-sns';
import * as sqs from '@aws-sdk/client-sqs';
import { startSwitchyard, type Switchyard } from '../src/index.js';
import { CATALOG_FILE } from '../src/persist/index.js';
import { encodeRecord } from '../src/persist/journal.js';
import type { PublishTrace } from '../src/trace/trace.js';
import { spawnJsonChild, transpileSources } from './persist-build.js';

const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);
const ACCOUNT = '000000000000';
const SNS_JOURNAL = 'sns-journal.log';
const creds = { accessKeyId: 'test', secretAccessKey: 'test' };
const running: Switchyard[] = [];
const dirs: string[] = [];

function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-persist-sns-'));
  dirs.push(d);
  return d;
}

interface Started {
  sy: Switchyard;
  sns: sns.SNSClient;
  sqs: sqs.SQSClient;
  warnings: string[];
}

async function start(dataDir: string, at = T0): Promise<Started> {
  const sy = await startSwitchyard({ port: 0, dataDir, frozenClockAt: at });
  running.push(sy);
  return {
    sy,
    sns: new sns.SNSClient({ endpoint: sy.endpoint, region: 'us-east-1', credentials: creds }),
    sqs: new sqs.SQSClient({ endpoint: sy.endpoint, region: 'us-east-1', credentials: creds }),
    warnings: sy.persistence!.report.warnings,
  };
}

async function stop(sy: Switchyard): Promise<void> {
  running.splice(running.indexOf(sy), 1);
  await sy.stop();
}

/** A real HTTP subscriber: answers confirmations 200 and notifications with `status`. */
class Subscriber {
  readonly requests: Array<{ type: string; messageId: string; body: string }> = [];
  notificationStatus = 200;
  url = '';
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const type = String(req.headers['x-amz-sns-message-type']);
      this.requests.push({ type, messageId: String(req.headers['x-amz-sns-message-id']), body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(type === 'Notification' ? this.notificationStatus : 200);
      res.end();
      this.waiters = this.waiters.filter((w) => (this.requests.length >= w.n ? (w.resolve(), false) : true));
    });
  });
  private waiters: Array<{ n: number; resolve: () => void }> = [];

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
    return this;
  }

  received(n: number): Promise<void> {
    if (this.requests.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }

  notifications(): Array<{ messageId: string; body: string }> {
    return this.requests.filter((r) => r.type === 'Notification');
  }

  /** The token of the last SubscriptionConfirmation received. */
  token(): string {
    const c = this.requests.filter((r) => r.type === 'SubscriptionConfirmation').pop()!;
    return (JSON.parse(c.body) as { Token: string }).Token;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

const subscribers: Subscriber[] = [];
async function subscriber(): Promise<Subscriber> {
  const s = await new Subscriber().start();
  subscribers.push(s);
  return s;
}

afterEach(async () => {
  for (const sy of running.splice(0)) await sy.stop();
  for (const s of subscribers.splice(0)) await s.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function receiveAll(client: sqs.SQSClient, QueueUrl: string): Promise<sqs.Message[]> {
  const out: sqs.Message[] = [];
  for (;;) {
    const r = await client.send(new sqs.ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 600, MessageAttributeNames: ['All'] }));
    if (!r.Messages?.length) return out;
    out.push(...r.Messages);
  }
}

/** An HTTP subscription, confirmed with the token its endpoint received. */
async function confirmedHttp(s: Started, TopicArn: string, endpoint: Subscriber, Attributes?: Record<string, string>): Promise<string> {
  const before = endpoint.requests.length;
  const { SubscriptionArn } = await s.sns.send(new sns.SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: endpoint.url, Attributes, ReturnSubscriptionArn: true }));
  await endpoint.received(before + 1);
  await s.sns.send(new sns.ConfirmSubscriptionCommand({ TopicArn, Token: endpoint.token() }));
  return SubscriptionArn!;
}

/** Everything a client can read about the SNS resources. */
async function describeAll(client: sns.SNSClient, subscriptionArns: string[]): Promise<unknown> {
  const topics = (await client.send(new sns.ListTopicsCommand({}))).Topics!.map((t) => t.TopicArn!);
  const out: Record<string, unknown> = { topics, subscriptions: (await client.send(new sns.ListSubscriptionsCommand({}))).Subscriptions };
  for (const TopicArn of topics) {
    out[TopicArn] = {
      attributes: (await client.send(new sns.GetTopicAttributesCommand({ TopicArn }))).Attributes,
      tags: (await client.send(new sns.ListTagsForResourceCommand({ ResourceArn: TopicArn }))).Tags,
      dataProtection: (await client.send(new sns.GetDataProtectionPolicyCommand({ ResourceArn: TopicArn }))).DataProtectionPolicy,
      subscriptions: (await client.send(new sns.ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions,
    };
  }
  for (const SubscriptionArn of subscriptionArns) out[SubscriptionArn] = (await client.send(new sns.GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes;
  return out;
}

describe('resources', () => {
  it('topics, subscriptions, attributes, tags, permissions and pending confirmations are the same after a restart', async () => {
    const dir = tmpDir();
    const hook = await subscriber();
    const first = await start(dir);
    const dlq = (await first.sqs.send(new sqs.CreateQueueCommand({ QueueName: 'dlq' }))).QueueUrl!;
    await first.sqs.send(new sqs.CreateQueueCommand({ QueueName: 'q' }));
    const { TopicArn: orders } = await first.sns.send(
      new sns.CreateTopicCommand({
        Name: 'orders',
        Attributes: { DisplayName: 'Orders', DeliveryPolicy: JSON.stringify({ http: { defaultHealthyRetryPolicy: { numRetries: 5, minDelayTarget: 2, maxDelayTarget: 30, backoffFunction: 'exponential' } } }) },
        Tags: [
          { Key: 'team', Value: 'shop' },
          { Key: '10', Value: 'numeric keys keep their place' },
          { Key: 'env', Value: 'dev' },
        ],
      }),
    );
    const { TopicArn: fifo } = await first.sns.send(new sns.CreateTopicCommand({ Name: 'events.fifo', Attributes: { FifoTopic: 'true', ContentBasedDeduplication: 'true', FifoThroughputScope: 'MessageGroup' } }));
    await first.sns.send(new sns.SetTopicAttributesCommand({ TopicArn: orders!, AttributeName: 'KmsMasterKeyId', AttributeValue: 'alias/aws/sns' }));
    await first.sns.send(new sns.AddPermissionCommand({ TopicArn: orders!, Label: 'partner', AWSAccountId: ['111122223333'], ActionName: ['Publish', 'Subscribe'] }));
    await first.sns.send(new sns.PutDataProtectionPolicyCommand({ ResourceArn: orders!, DataProtectionPolicy: JSON.stringify({ Name: 'p', Description: '', Version: '2021-06-01', Statement: [] }) }));
    const subs: string[] = [];
    const sub = async (input: Omit<sns.SubscribeInput, 'ReturnSubscriptionArn'>): Promise<string> => {
      const arn = (await first.sns.send(new sns.SubscribeCommand({ ...input, ReturnSubscriptionArn: true }))).SubscriptionArn!;
      subs.push(arn);
      return arn;
    };
    await sub({
      TopicArn: orders,
      Protocol: 'sqs',
      Endpoint: `arn:aws:sqs:us-east-1:${ACCOUNT}:q`,
      Attributes: {
        RawMessageDelivery: 'true',
        FilterPolicyScope: 'MessageBody',
        FilterPolicy: JSON.stringify({ kind: ['order'] }),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:dlq` }),
      },
    });
    // Pending: its endpoint got the confirmation, nobody confirmed.
    await sub({ TopicArn: orders, Protocol: 'http', Endpoint: hook.url, Attributes: { DeliveryPolicy: JSON.stringify({ healthyRetryPolicy: { numRetries: 2 } }) } });
    await hook.received(1);
    await sub({ TopicArn: orders, Protocol: 'email', Endpoint: 'someone@example.com' });
    await sub({ TopicArn: fifo, Protocol: 'sqs', Endpoint: `arn:aws:sqs:us-east-1:${ACCOUNT}:q` });
    const gone = await sub({ TopicArn: orders, Protocol: 'sms', Endpoint: '+15555550100' });
    await first.sns.send(new sns.UnsubscribeCommand({ SubscriptionArn: gone }));
    subs.pop();
    // Another region is state of its own.
    const eu = new sns.SNSClient({ endpoint: first.sy.endpoint, region: 'eu-west-1', credentials: creds });
    await eu.send(new sns.CreateTopicCommand({ Name: 'orders' }));
    const before = await describeAll(first.sns, subs);
    const euBefore = await describeAll(eu, []);
    await stop(first.sy);

    const second = await start(dir, T0 + 1000);
    expect(second.warnings).toEqual([]);
    expect(await describeAll(second.sns, subs)).toEqual(before);
    const eu2 = new sns.SNSClient({ endpoint: second.sy.endpoint, region: 'eu-west-1', credentials: creds });
    expect(await describeAll(eu2, [])).toEqual(euBefore);

    // The filter policy still filters (in the body), raw delivery is still raw.
    await second.sns.send(new sns.PublishCommand({ TopicArn: orders, Message: JSON.stringify({ kind: 'order', n: 1 }) }));
    await second.sns.send(new sns.PublishCommand({ TopicArn: orders, Message: JSON.stringify({ kind: 'refund', n: 2 }) }));
    const q = (await second.sqs.send(new sqs.GetQueueUrlCommand({ QueueName: 'q' }))).QueueUrl!;
    expect((await receiveAll(second.sqs, q)).map((m) => m.Body)).toEqual([JSON.stringify({ kind: 'order', n: 1 })]);
    expect(await receiveAll(second.sqs, dlq)).toEqual([]);
  });

  it('a pending HTTP subscription is confirmed after a restart with the token its endpoint received', async () => {
    const dir = tmpDir();
    const hook = await subscriber();
    const first = await start(dir);
    const { TopicArn } = await first.sns.send(new sns.CreateTopicCommand({ Name: 't' }));
    const { SubscriptionArn } = await first.sns.send(new sns.SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: hook.url, ReturnSubscriptionArn: true }));
    await hook.received(1);
    const token = hook.token();
    await stop(first.sy);

    const second = await start(dir, T0 + 60_000);
    // The confirmation was delivered before the restart: it is not sent again.
    await second.sy.sns.deliverer.settled();
    expect(hook.requests.map((r) => r.type)).toEqual(['SubscriptionConfirmation']);
    expect((await second.sns.send(new sns.ConfirmSubscriptionCommand({ TopicArn, Token: token }))).SubscriptionArn).toBe(SubscriptionArn);
    await stop(second.sy);

    const third = await start(dir, T0 + 120_000);
    const attrs = (await third.sns.send(new sns.GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes!;
    expect(attrs.PendingConfirmation).toBe('false');
    const { MessageId } = await third.sns.send(new sns.PublishCommand({ TopicArn, Message: 'hello' }));
    await hook.received(2);
    expect(hook.notifications().map((n) => [n.messageId, JSON.parse(n.body).Message])).toEqual([[MessageId, 'hello']]);
  });
});

describe('FIFO topics', () => {
  it('a duplicate inside the window after a restart gets the first answer; after the window it is new; sequence numbers go on', async () => {
    const dir = tmpDir();
    const first = await start(dir);
    const { TopicArn } = await first.sns.send(new sns.CreateTopicCommand({ Name: 't.fifo', Attributes: { FifoTopic: 'true' } }));
    const q = (await first.sqs.send(new sqs.CreateQueueCommand({ QueueName: 'q.fifo', Attributes: { FifoQueue: 'true', ContentBasedDeduplication: 'true' } }))).QueueUrl!;
    await first.sns.send(new sns.SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: `arn:aws:sqs:us-east-1:${ACCOUNT}:q.fifo`, Attributes: { RawMessageDelivery: 'true' } }));
    const publish = (c: Started, id: string, body: string) => c.sns.send(new sns.PublishCommand({ TopicArn, Message: body, MessageGroupId: 'g', MessageDeduplicationId: id }));
    const one = await publish(first, 'd1', 'one');
    const two = await publish(first, 'd2', 'two');
    await stop(first.sy);

    const second = await start(dir, T0 + 60_000);
    const again = await publish(second, 'd1', 'one, again');
    expect([again.MessageId, again.SequenceNumber]).toEqual([one.MessageId, one.SequenceNumber]);
    const three = await publish(second, 'd3', 'three');
    expect(BigInt(three.SequenceNumber!)).toBeGreaterThan(BigInt(two.SequenceNumber!));
    expect((await receiveAll(second.sqs, q)).map((m) => m.Body)).toEqual(['one', 'two', 'three']);
    await stop(second.sy);

    const third = await start(dir, T0 + 6 * 60_000);
    const later = await publish(third, 'd1', 'one, much later');
    expect(later.MessageId).not.toBe(one.MessageId);
    expect(BigInt(later.SequenceNumber!)).toBeGreaterThan(BigInt(three.SequenceNumber!));
  });

  it('a deleted and recreated FIFO topic does not inherit the old dedup window', async () => {
    const dir = tmpDir();
    const first = await start(dir);
    const create = (c: Started) => c.sns.send(new sns.CreateTopicCommand({ Name: 't.fifo', Attributes: { FifoTopic: 'true' } }));
    const { TopicArn } = await create(first);
    const publish = (c: Started) => c.sns.send(new sns.PublishCommand({ TopicArn, Message: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd' }));
    const old = await publish(first);
    await first.sns.send(new sns.DeleteTopicCommand({ TopicArn }));
    await create(first);
    await stop(first.sy);
    const second = await start(dir, T0 + 1000);
    expect((await publish(second)).MessageId).not.toBe(old.MessageId);
  });
});

/** A subscription delivery policy: `numRetries` retries, `delay` seconds apart. */
const policy = (numRetries: number, delay: number) =>
  JSON.stringify({ healthyRetryPolicy: { numRetries, minDelayTarget: delay, maxDelayTarget: delay, numNoDelayRetries: 0, numMinDelayRetries: 0, numMaxDelayRetries: 0, backoffFunction: 'linear' } });

describe('HTTP deliveries', () => {
  it('a delivery waiting for a retry resumes after a restart, is delivered when its time comes, and only once', async () => {
    const dir = tmpDir();
    const hook = await subscriber();
    const first = await start(dir);
    const { TopicArn } = await first.sns.send(new sns.CreateTopicCommand({ Name: 't' }));
    await confirmedHttp(first, TopicArn!, hook, { DeliveryPolicy: policy(3, 10) });
    hook.notificationStatus = 500;
    const { MessageId } = await first.sns.send(new sns.PublishCommand({ TopicArn, Message: 'hello', Subject: 'greeting' }));
    await hook.received(2);
    await first.sy.sns.deliverer.settled();
    await stop(first.sy);

    hook.notificationStatus = 200;
    const second = await start(dir, T0 + 1000);
    await second.sy.sns.deliverer.settled();
    expect(hook.notifications()).toHaveLength(1); // not yet: the retry is due at T0 + 10 s
    second.sy.clock.advance(8_999);
    await second.sy.sns.deliverer.settled();
    expect(hook.notifications()).toHaveLength(1);
    second.sy.clock.advance(1);
    await hook.received(3);
    const [, retried] = hook.notifications();
    expect(retried.messageId).toBe(MessageId);
    expect(JSON.parse(retried.body)).toMatchObject({ Type: 'Notification', MessageId, TopicArn, Subject: 'greeting', Message: 'hello' });
    // The inspection trace shows the attempt from before the restart too.
    await second.sy.sns.deliverer.settled();
    const trace = second.sy.events.trace.get(MessageId!) as PublishTrace;
    expect(trace.deliveries.map((d) => [d.state, d.attempts.map((a) => a.status)])).toEqual([['delivered', [500, 200]]]);
    await stop(second.sy);

    const third = await start(dir, T0 + 20_000);
    third.sy.clock.advance(3_600_000);
    await third.sy.sns.deliverer.settled();
    expect(hook.notifications()).toHaveLength(2);
  });

  it('the attempt count carries across restarts: retries run out on schedule and the message goes to the DLQ', async () => {
    const dir = tmpDir();
    const hook = await subscriber();
    const first = await start(dir);
    const dlq = (await first.sqs.send(new sqs.CreateQueueCommand({ QueueName: 'dlq' }))).QueueUrl!;
    const { TopicArn } = await first.sns.send(new sns.CreateTopicCommand({ Name: 't' }));
    await confirmedHttp(first, TopicArn!, hook, {
      DeliveryPolicy: policy(2, 5),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:dlq` }),
    });
    hook.notificationStatus = 500;
    const { MessageId } = await first.sns.send(new sns.PublishCommand({ TopicArn, Message: 'doomed' }));
    await hook.received(2);
    await first.sy.sns.deliverer.settled();
    await stop(first.sy);

    // Attempt 2, after the first restart.
    const second = await start(dir, T0 + 1000);
    second.sy.clock.advance(5_000);
    await hook.received(3);
    await second.sy.sns.deliverer.settled();
    await stop(second.sy);

    // Attempt 3, the last the policy allows (2 retries), then the DLQ.
    const third = await start(dir, T0 + 7000);
    expect(await receiveAll(third.sqs, dlq)).toEqual([]);
    third.sy.clock.advance(5_000);
    await hook.received(4);
    await third.sy.sns.deliverer.settled();
    const dead = await receiveAll(third.sqs, dlq);
    expect(dead.map((m) => JSON.parse(m.Body!).MessageId)).toEqual([MessageId]);
    await stop(third.sy);

    const fourth = await start(dir, T0 + 20_000);
    fourth.sy.clock.advance(3_600_000);
    await fourth.sy.sns.deliverer.settled();
    expect(hook.notifications().map((n) => n.messageId)).toEqual([MessageId, MessageId, MessageId]);
  });
});

describe('EventBridge rules that publish to topics', () => {
  it("a rule's publish records its HTTP delivery too: a retry pending at the restart is made after it", async () => {
    const dir = tmpDir();
    const hook = await subscriber();
    const first = await start(dir);
    const events = new eb.EventBridgeClient({ endpoint: first.sy.endpoint, region: 'us-east-1', credentials: creds });
    const { TopicArn } = await first.sns.send(new sns.CreateTopicCommand({ Name: 'from-rules' }));
    await confirmedHttp(first, TopicArn!, hook, { DeliveryPolicy: policy(3, 10), RawMessageDelivery: 'true' });
    await events.send(new eb.PutRuleCommand({ Name: 'all-orders', EventPattern: JSON.stringify({ source: ['shop'] }) }));
    await events.send(new eb.PutTargetsCommand({ Rule: 'all-orders', Targets: [{ Id: 'topic', Arn: TopicArn }] }));
    hook.notificationStatus = 503;
    await events.send(new eb.PutEventsCommand({ Entries: [{ Source: 'shop', DetailType: 'order', Detail: JSON.stringify({ id: 7 }) }] }));
    await hook.received(2);
    await first.sy.events.deliverer.settled();
    await first.sy.sns.deliverer.settled();
    await stop(first.sy);

    hook.notificationStatus = 200;
    const second = await start(dir, T0 + 1000);
    second.sy.clock.advance(9_000);
    await hook.received(3);
    const [before, after] = hook.notifications();
    expect(after).toEqual(before);
    expect(JSON.parse(after.body)).toMatchObject({ source: 'shop', 'detail-type': 'order', detail: { id: 7 } });
  });
});

describe('damaged files', () => {
  it('malformed catalog entries and journal records are reported with their place and skipped; the rest is recovered', async () => {
    const dir = tmpDir();
    const first = await start(dir);
    for (const Name of ['a', 'b']) await first.sns.send(new sns.CreateTopicCommand({ Name }));
    const { TopicArn: fifo } = await first.sns.send(new sns.CreateTopicCommand({ Name: 'c.fifo', Attributes: { FifoTopic: 'true' } }));
    const arn = (name: string) => `arn:aws:sns:us-east-1:${ACCOUNT}:${name}`;
    await first.sqs.send(new sqs.CreateQueueCommand({ QueueName: 'q' }));
    const s1 = await first.sns.send(new sns.SubscribeCommand({ TopicArn: arn('a'), Protocol: 'sqs', Endpoint: `arn:aws:sqs:us-east-1:${ACCOUNT}:q`, ReturnSubscriptionArn: true }));
    const s2 = await first.sns.send(new sns.SubscribeCommand({ TopicArn: arn('a'), Protocol: 'email', Endpoint: 'x@example.com', ReturnSubscriptionArn: true }));
    const publish = (c: Started, id: string) => c.sns.send(new sns.PublishCommand({ TopicArn: fifo, Message: id, MessageGroupId: 'g', MessageDeduplicationId: id }));
    const kept = await publish(first, 'kept');
    const damaged = await publish(first, 'damaged');
    await stop(first.sy);

    const catalogFile = path.join(dir, CATALOG_FILE);
    const catalog = JSON.parse(fs.readFileSync(catalogFile, 'utf8'));
    catalog.sns.topics[1].name = 42;
    catalog.sns.subscriptions[0].protocol = 'carrier-pigeon';
    fs.writeFileSync(catalogFile, JSON.stringify(catalog));
    const journalFile = path.join(dir, SNS_JOURNAL);
    const buf = fs.readFileSync(journalFile);
    const at = buf.indexOf('"damaged"');
    buf[at + 1] ^= 0x20; // flips a byte: that record's checksum no longer matches
    fs.writeFileSync(journalFile, Buffer.concat([buf, Buffer.from(encodeRecord({ t: 'K', a: 5 }) + encodeRecord({ t: 'Z' }))]));

    const second = await start(dir, T0 + 1000);
    const warnings = second.warnings.join('\n');
    expect(warnings).toMatch(/sns\.topics\[1\] is malformed \(name is not a valid topic name/);
    expect(warnings).toMatch(/sns\.subscriptions\[0\] is malformed \(protocol is not an SNS protocol/);
    expect(warnings).toMatch(/sns-journal\.log: record \d+ at byte offset \d+ \(\d+ bytes\) is damaged \(checksum mismatch\)/);
    expect(warnings).toMatch(/sns-journal\.log: intact record \d+ is a malformed K record/);
    expect(warnings).toMatch(/sns-journal\.log: intact record \d+ is of an unknown kind/);
    expect(second.warnings).toHaveLength(6); // the five, and where the damaged journal was kept
    expect((await second.sns.send(new sns.ListTopicsCommand({}))).Topics!.map((t) => t.TopicArn)).toEqual([arn('a'), fifo]);
    expect((await second.sns.send(new sns.ListSubscriptionsCommand({}))).Subscriptions!.map((s) => s.Endpoint)).toEqual(['x@example.com']);
    await expect(second.sns.send(new sns.GetSubscriptionAttributesCommand({ SubscriptionArn: s1.SubscriptionArn }))).rejects.toThrow(/does not exist/);
    expect((await second.sns.send(new sns.GetSubscriptionAttributesCommand({ SubscriptionArn: s2.SubscriptionArn }))).Attributes!.Protocol).toBe('email');
    // The intact dedup entry still answers; the damaged one is forgotten.
    expect((await publish(second, 'kept')).MessageId).toBe(kept.MessageId);
    expect((await publish(second, 'damaged')).MessageId).not.toBe(damaged.MessageId);
  });

  it('reset() empties the SNS catalog section and journal', async () => {
    const dir = tmpDir();
    const hook = await subscriber();
    const first = await start(dir);
    const { TopicArn: fifo } = await first.sns.send(new sns.CreateTopicCommand({ Name: 'f.fifo', Attributes: { FifoTopic: 'true' } }));
    await first.sns.send(new sns.PublishCommand({ TopicArn: fifo, Message: 'm', MessageGroupId: 'g', MessageDeduplicationId: 'd' }));
    const { TopicArn } = await first.sns.send(new sns.CreateTopicCommand({ Name: 't' }));
    await confirmedHttp(first, TopicArn!, hook);
    hook.notificationStatus = 500;
    await first.sns.send(new sns.PublishCommand({ TopicArn, Message: 'retried' }));
    await hook.received(2);
    await first.sy.sns.deliverer.settled();
    expect(fs.statSync(path.join(dir, SNS_JOURNAL)).size).toBeGreaterThan(0);
    first.sy.reset();
    await first.sy.persistence!.flush();
    expect(fs.statSync(path.join(dir, SNS_JOURNAL)).size).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(dir, CATALOG_FILE), 'utf8')).sns).toEqual({ topics: [], subscriptions: [] });
    await stop(first.sy);

    const second = await start(dir, T0 + 1000);
    second.sy.clock.advance(3_600_000);
    await second.sy.sns.deliverer.settled();
    expect((await second.sns.send(new sns.ListTopicsCommand({}))).Topics).toEqual([]);
    expect(hook.notifications()).toHaveLength(1);
  });
});

describe('kill -9', () => {
  /** src/ transpiled to plain JavaScript, in a folder of this file's own (test files run in parallel). */
  function transpile(): string {
    const out = transpileSources('switchyard-test-build-sns');
    fs.writeFileSync(
      path.join(out, 'child.mjs'),
      `import { startSwitchyard } from './src/index.js';
const sy = await startSwitchyard({ port: 0, dataDir: process.argv[2] });
console.log(JSON.stringify({ endpoint: sy.endpoint, warnings: sy.persistence.report.warnings }));
process.on('SIGTERM', () => sy.stop().then(() => process.exit(0)));
`,
    );
    return out;
  }

  let build: string;
  let dir: string;
  const children: ChildProcess[] = [];
  beforeAll(() => {
    build = transpile();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-kill-sns-'));
  });
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function spawnServer(): Promise<{ child: ChildProcess; endpoint: string; warnings: string[] }> {
    return spawnJsonChild(path.join(build, 'child.mjs'), dir, children);
  }

  async function snsCall(endpoint: string, action: string, params: Record<string, string>): Promise<string> {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ Action: action, Version: '2010-03-31', ...params }).toString(),
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${action}: ${res.status} ${text}`);
    return text;
  }

  async function sqsCall(endpoint: string, action: string, body: unknown): Promise<Record<string, unknown>> {
    const res = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${action}` }, body: JSON.stringify(body) });
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status !== 200) throw new Error(`${action}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  }

  it('every acknowledged Publish to a topic with an SQS subscription is in the queue after SIGKILL and a restart', async () => {
    const first = await spawnServer();
    const { QueueUrl } = (await sqsCall(first.endpoint, 'CreateQueue', { QueueName: 'fanout' })) as { QueueUrl: string };
    const TopicArn = /<TopicArn>([^<]+)<\/TopicArn>/.exec(await snsCall(first.endpoint, 'CreateTopic', { Name: 'load' }))![1];
    // Enveloped (signed) delivery: the queue gets the message only after the signature is made.
    await snsCall(first.endpoint, 'Subscribe', { TopicArn, Protocol: 'sqs', Endpoint: `arn:aws:sqs:us-east-1:${ACCOUNT}:fanout` });
    const acked = new Set<string>();
    let unanswered = 0;
    let stopping = false;
    // Killed once a good number of publishes were acknowledged, with more in flight.
    let enough!: () => void;
    const underLoad = new Promise<void>((resolve) => (enough = resolve));
    const client = async (n: number): Promise<void> => {
      for (let i = 0; !stopping; i++) {
        try {
          const xml = await snsCall(first.endpoint, 'Publish', { TopicArn, Message: `client ${n} message ${i}` });
          acked.add(/<MessageId>([^<]+)<\/MessageId>/.exec(xml)![1]);
          if (acked.size === 300) enough();
        } catch {
          unanswered++; // in flight when the process died
        }
      }
    };
    const clients = Array.from({ length: 8 }, (_, n) => client(n));
    await underLoad;
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    stopping = true;
    await Promise.all(clients);

    const second = await spawnServer();
    const url = QueueUrl.replace(/^http:\/\/[^/]+/, second.endpoint);
    const found = new Set<string>();
    const receiver = async (): Promise<void> => {
      for (;;) {
        const out = (await sqsCall(second.endpoint, 'ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 600 })) as { Messages?: { Body: string }[] };
        if (!out.Messages?.length) return;
        for (const m of out.Messages) found.add((JSON.parse(m.Body) as { MessageId: string }).MessageId);
      }
    };
    await Promise.all(Array.from({ length: 8 }, receiver));
    expect([...acked].filter((id) => !found.has(id))).toEqual([]);
    // At most the publishes that were in flight at the kill arrived without an answer.
    expect(found.size).toBeLessThanOrEqual(acked.size + 8);
    console.log(`SNS kill -9: ${acked.size} acknowledged, ${unanswered} unanswered, ${found.size} in the queue; warnings: ${second.warnings.join(' | ') || 'none'}`);
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('exit', r));
  }, 30_000);
});
