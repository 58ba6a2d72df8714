/**
 * SNS delivery through the real SDKs (SNS to publish, SQS to read what arrived): the JSON
 * envelope, raw delivery with attributes, MessageStructure=json, filter policies in both scopes,
 * FIFO topics (dedup, order, sequence numbers), PublishBatch with per-entry failures, HTTP
 * subscriptions (confirmation handshake, notifications with AWS's headers, signatures checked
 * against the served certificate, retries then the DLQ), and an EventBridge rule that targets a
 * topic fanning out to queues. The clock is frozen: retries happen only when a test moves it.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import https from 'node:https';
import MessageValidator from 'sns-validator';
import type { AddressInfo } from 'node:net';
import { X509Certificate, createVerify } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as eb from '@aws-sdk/client-eventbridge';
import * as sns from '@aws-sdk/client-sns';
import * as sqs from '@aws-sdk/client-sqs';
import { startSwitchyard, type Switchyard } from '../src/index.js';

const T0 = Date.parse('2026-11-26T12:00:00Z');
const creds = { accessKeyId: 'test', secretAccessKey: 'test' };

interface Received {
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A real HTTP subscriber: answers with the next status of `statuses` (the last repeats), records everything. */
class Subscriber {
  readonly requests: Received[] = [];
  statuses: number[] = [200];
  private server?: Server;
  private waiters: Array<{ n: number; resolve: () => void }> = [];
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests.push({ url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        const status = this.statuses[Math.min(this.requests.length - 1, this.statuses.length - 1)];
        res.writeHead(status);
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

  reset(): void {
    this.requests.length = 0;
    this.statuses = [200];
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server?.close(() => r()) ?? r());
  }
}

let sy: Switchyard;
let client: sns.SNSClient;
let queues: sqs.SQSClient;
let events: eb.EventBridgeClient;
const hook = new Subscriber();
const lambda = new Subscriber();

beforeAll(async () => {
  await hook.start();
  await lambda.start();
  sy = await startSwitchyard({ port: 0, frozenClockAt: T0, forward: { lambda: lambda.url } });
  client = new sns.SNSClient({ endpoint: sy.endpoint, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
  queues = new sqs.SQSClient({ endpoint: sy.endpoint, region: 'us-east-1', credentials: creds });
  events = new eb.EventBridgeClient({ endpoint: sy.endpoint, region: 'us-east-1', credentials: creds });
});
beforeEach(() => {
  sy.reset();
  hook.reset();
  lambda.reset();
});
afterAll(async () => {
  client?.destroy();
  queues?.destroy();
  events?.destroy();
  await sy?.stop();
  await hook.stop();
  await lambda.stop();
});

const queueArn = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;

async function queue(name: string, attributes?: Record<string, string>): Promise<string> {
  return (await queues.send(new sqs.CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
}

async function topic(name: string, attributes?: Record<string, string>): Promise<string> {
  return (await client.send(new sns.CreateTopicCommand({ Name: name, Attributes: attributes }))).TopicArn!;
}

async function subscribe(topicArn: string, protocol: string, endpoint: string, attributes?: Record<string, string>): Promise<string> {
  return (await client.send(new sns.SubscribeCommand({ TopicArn: topicArn, Protocol: protocol, Endpoint: endpoint, Attributes: attributes, ReturnSubscriptionArn: true }))).SubscriptionArn!;
}

/** Everything in the queue once deliveries have settled. */
async function drain(url: string): Promise<sqs.Message[]> {
  await sy.sns.deliverer.settled();
  await sy.events.deliverer.settled();
  await sy.sns.deliverer.settled();
  const out: sqs.Message[] = [];
  for (;;) {
    const r = await queues.send(
      new sqs.ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }),
    );
    if (!r.Messages?.length) return out;
    out.push(...r.Messages);
  }
}

async function advance(ms: number): Promise<void> {
  sy.clock.advance(ms);
  await sy.sns.deliverer.settled();
}

/** GET the SigningCertURL over HTTPS, trusting Switchyard's certificate (what a subscriber configures). */
async function fetchCertificate(url: string): Promise<string> {
  const ca = await sy.sns.signer.certificatePem();
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString('utf8')) : reject(new Error(`status ${res.statusCode}`))));
      })
      .on('error', reject);
  });
}

/** sns-validator, the AWS-published verifier, told to accept Switchyard's host and to trust its certificate. */
async function validate(m: Record<string, string>): Promise<void> {
  https.globalAgent.options.ca = await sy.sns.signer.certificatePem();
  const validator = new MessageValidator(/^127\.0\.0\.1:\d+$/);
  await new Promise<void>((resolve, reject) => validator.validate(m, (err) => (err ? reject(err) : resolve())));
}

/** Verify an SNS message's signature the way a subscriber does: fetch SigningCertURL, check with its public key. */
async function verifySignature(m: Record<string, string>): Promise<boolean> {
  const pem = await fetchCertificate(m.SigningCertURL);
  const keys =
    m.Type === 'Notification'
      ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  const text = keys.filter((k) => m[k] !== undefined).map((k) => `${k}\n${m[k]}\n`).join('');
  const v = createVerify(m.SignatureVersion === '2' ? 'RSA-SHA256' : 'RSA-SHA1');
  v.update(text, 'utf8');
  return v.verify(new X509Certificate(pem).publicKey, m.Signature, 'base64');
}

describe('to SQS', () => {
  it('delivers AWS’s JSON envelope with the attributes, signed', async () => {
    const url = await queue('inbox');
    const arn = await topic('orders');
    const subArn = await subscribe(arn, 'sqs', queueArn('inbox'));
    const r = await client.send(
      new sns.PublishCommand({
        TopicArn: arn,
        Message: 'hello & <bye>',
        Subject: 'Greeting',
        MessageAttributes: {
          colour: { DataType: 'String', StringValue: 'red' },
          size: { DataType: 'Number', StringValue: '42' },
          tags: { DataType: 'String.Array', StringValue: '["a","b"]' },
          bytes: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) },
        },
      }),
    );
    const [m] = await drain(url);
    expect(m.MessageAttributes).toBeUndefined();
    const n = JSON.parse(m.Body!);
    expect(Object.keys(n)).toEqual([
      'Type', 'MessageId', 'TopicArn', 'Subject', 'Message', 'Timestamp', 'SignatureVersion', 'Signature', 'SigningCertURL', 'UnsubscribeURL', 'MessageAttributes',
    ]);
    expect(n).toMatchObject({
      Type: 'Notification',
      MessageId: r.MessageId,
      TopicArn: arn,
      Subject: 'Greeting',
      Message: 'hello & <bye>',
      Timestamp: new Date(T0).toISOString(),
      SignatureVersion: '1',
      MessageAttributes: {
        colour: { Type: 'String', Value: 'red' },
        size: { Type: 'Number', Value: '42' },
        tags: { Type: 'String.Array', Value: '["a","b"]' },
        bytes: { Type: 'Binary', Value: 'AQID' },
      },
    });
    expect(n.UnsubscribeURL).toBe(`${sy.endpoint}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(subArn)}`);
    expect(n.SigningCertURL).toBe(`${sy.endpoint.replace('http:', 'https:')}/_switchyard/sns/SimpleNotificationService-switchyard.pem`);
    expect(await verifySignature(n)).toBe(true);
    expect(await verifySignature({ ...n, Message: 'tampered' })).toBe(false);
  });

  it('raw delivery: the body is the message, the attributes become SQS message attributes', async () => {
    const url = await queue('raw');
    const arn = await topic('orders');
    await subscribe(arn, 'sqs', queueArn('raw'), { RawMessageDelivery: 'true' });
    await client.send(
      new sns.PublishCommand({
        TopicArn: arn,
        Message: '{"id":1}',
        MessageAttributes: { colour: { DataType: 'String', StringValue: 'red' }, bytes: { DataType: 'Binary', BinaryValue: new Uint8Array([9]) } },
      }),
    );
    const [m] = await drain(url);
    expect(m.Body).toBe('{"id":1}');
    expect(m.MessageAttributes?.colour).toMatchObject({ DataType: 'String', StringValue: 'red' });
    expect(Buffer.from(m.MessageAttributes!.bytes.BinaryValue!)).toEqual(Buffer.from([9]));
    expect(m.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
  });

  it('MessageStructure=json: the sqs key for queues, default otherwise', async () => {
    const a = await queue('a');
    const arn = await topic('multi');
    await subscribe(arn, 'sqs', queueArn('a'), { RawMessageDelivery: 'true' });
    await client.send(new sns.PublishCommand({ TopicArn: arn, MessageStructure: 'json', Message: JSON.stringify({ default: 'for everyone', sqs: 'for queues' }) }));
    expect((await drain(a)).map((m) => m.Body)).toEqual(['for queues']);
    const err = await client.send(new sns.PublishCommand({ TopicArn: arn, MessageStructure: 'json', Message: '{"sqs":"x"}' })).catch((e: Error) => e);
    expect(err).toMatchObject({ name: 'InvalidParameterException', message: 'Invalid parameter: Message Structure - No default entry in JSON message body' });
  });

  it('filter policies: attribute scope (String, Number, String.Array) and body scope', async () => {
    const red = await queue('red');
    const big = await queue('big');
    const body = await queue('body');
    const arn = await topic('filtered');
    await subscribe(arn, 'sqs', queueArn('red'), { RawMessageDelivery: 'true', FilterPolicy: JSON.stringify({ colour: ['red'], tags: ['urgent'] }) });
    await subscribe(arn, 'sqs', queueArn('big'), { RawMessageDelivery: 'true', FilterPolicy: JSON.stringify({ size: [{ numeric: ['>', 100] }] }) });
    await subscribe(arn, 'sqs', queueArn('body'), {
      RawMessageDelivery: 'true',
      FilterPolicyScope: 'MessageBody',
      FilterPolicy: JSON.stringify({ order: { total: [{ numeric: ['>=', 50] }] } }),
    });
    const publish = (Message: string, attrs: Record<string, sns.MessageAttributeValue>) =>
      client.send(new sns.PublishCommand({ TopicArn: arn, Message, MessageAttributes: attrs }));
    await publish('1', { colour: { DataType: 'String', StringValue: 'red' }, tags: { DataType: 'String.Array', StringValue: '["urgent","x"]' } });
    await publish('2', { colour: { DataType: 'String', StringValue: 'red' }, tags: { DataType: 'String.Array', StringValue: '["later"]' } });
    await publish('3', { size: { DataType: 'Number', StringValue: '150' } });
    await publish('4', { size: { DataType: 'Number', StringValue: '50' } });
    await publish(JSON.stringify({ order: { total: 75 } }), {});
    await publish(JSON.stringify({ order: { total: 10 } }), {});
    expect((await drain(red)).map((m) => m.Body)).toEqual(['1']);
    expect((await drain(big)).map((m) => m.Body)).toEqual(['3']);
    expect((await drain(body)).map((m) => JSON.parse(m.Body!).order.total)).toEqual([75]);
    // The trace says which subscriptions the message did not pass.
    const traces = (await (await fetch(`${sy.endpoint}/_switchyard/api/events?kind=publish&topic=filtered`)).json()) as { events: Array<{ filteredOut: string[] }> };
    // Newest first: '1' and '3' and the 75 body pass one subscription each, the others none.
    expect(traces.events.map((t) => t.filteredOut.length)).toEqual([3, 2, 3, 2, 3, 2]);
  });

  it('publish errors: empty message, bad subject, bad attributes, too long', async () => {
    const arn = await topic('strict');
    const fail = (input: Partial<sns.PublishInput>) => client.send(new sns.PublishCommand({ TopicArn: arn, Message: 'm', ...input })).catch((e: Error) => e);
    expect(await fail({ Message: '' })).toMatchObject({ name: 'InvalidParameterException', message: 'Invalid parameter: Empty message' });
    expect(await fail({ Subject: 'line\nbreak' })).toMatchObject({ name: 'InvalidParameterException', message: 'Invalid parameter: Subject' });
    expect(await fail({ Message: 'x'.repeat(262_145) })).toMatchObject({ name: 'InvalidParameterException', message: 'Invalid parameter: Message too long' });
    expect(await fail({ MessageAttributes: { n: { DataType: 'Number', StringValue: 'abc' } } })).toMatchObject({
      name: 'InvalidParameterValueException',
      message: "Could not cast message attribute 'n' value to number.",
    });
    expect(await fail({ MessageAttributes: { n: { DataType: 'Colour', StringValue: 'x' } } })).toMatchObject({ name: 'InvalidParameterValueException' });
    expect(await fail({ MessageAttributes: { 'bad name': { DataType: 'String', StringValue: 'x' } } })).toMatchObject({ name: 'InvalidParameterValueException' });
    expect(await fail({ MessageDeduplicationId: 'd' })).toMatchObject({ name: 'InvalidParameterException' });
  });
});

describe('FIFO topics', () => {
  it('keep order per group into a FIFO queue, deduplicate within 5 minutes, and number the sequence', async () => {
    const url = await queue('orders.fifo', { FifoQueue: 'true' });
    const arn = await topic('orders.fifo', { FifoTopic: 'true' });
    await subscribe(arn, 'sqs', queueArn('orders.fifo'), { RawMessageDelivery: 'true' });
    const seqs: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await client.send(new sns.PublishCommand({ TopicArn: arn, Message: `m${i}`, MessageGroupId: 'g1', MessageDeduplicationId: `d${i}` }));
      expect(r.SequenceNumber).toMatch(/^\d{20}$/);
      seqs.push(r.SequenceNumber!);
    }
    expect([...seqs].sort()).toEqual(seqs);
    const dup = await client.send(new sns.PublishCommand({ TopicArn: arn, Message: 'again', MessageGroupId: 'g1', MessageDeduplicationId: 'd0' }));
    expect(dup.SequenceNumber).toBe(seqs[0]);
    const got = await drain(url);
    expect(got.map((m) => m.Body)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(got[0].Attributes?.MessageGroupId).toBe('g1');
    // After the window the same id is a new message.
    sy.clock.advance(5 * 60_000 + 1);
    const later = await client.send(new sns.PublishCommand({ TopicArn: arn, Message: 'later', MessageGroupId: 'g1', MessageDeduplicationId: 'd0' }));
    expect(later.SequenceNumber! > seqs[4]).toBe(true);
  });

  it('content-based deduplication, and the FIFO publish errors', async () => {
    const url = await queue('cb.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    const arn = await topic('cb.fifo', { FifoTopic: 'true', ContentBasedDeduplication: 'true' });
    await subscribe(arn, 'sqs', queueArn('cb.fifo'));
    const a = await client.send(new sns.PublishCommand({ TopicArn: arn, Message: 'same', MessageGroupId: 'g' }));
    const b = await client.send(new sns.PublishCommand({ TopicArn: arn, Message: 'same', MessageGroupId: 'g' }));
    expect(b.MessageId).toBe(a.MessageId);
    const got = await drain(url);
    expect(got).toHaveLength(1);
    const n = JSON.parse(got[0].Body!);
    expect(n).toMatchObject({ Type: 'Notification', MessageId: a.MessageId, SequenceNumber: a.SequenceNumber, Message: 'same' });
    const plain = await topic('plain.fifo', { FifoTopic: 'true' });
    const fail = (input: Partial<sns.PublishInput>) => client.send(new sns.PublishCommand({ TopicArn: plain, Message: 'm', ...input })).catch((e: Error) => e);
    expect(await fail({})).toMatchObject({ message: 'Invalid parameter: The MessageGroupId parameter is required for FIFO topics' });
    expect(await fail({ MessageGroupId: 'g' })).toMatchObject({
      message: 'Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
    });
  });
});

describe('PublishBatch', () => {
  it('answers per entry, delivering the good ones', async () => {
    const url = await queue('batch');
    const arn = await topic('batch');
    await subscribe(arn, 'sqs', queueArn('batch'), { RawMessageDelivery: 'true' });
    const r = await client.send(
      new sns.PublishBatchCommand({
        TopicArn: arn,
        PublishBatchRequestEntries: [
          { Id: 'ok-1', Message: 'one' },
          { Id: 'bad', Message: 'two', MessageAttributes: { n: { DataType: 'Number', StringValue: 'NaN?' } } },
          { Id: 'ok-2', Message: 'three' },
        ],
      }),
    );
    expect(r.Successful!.map((s) => s.Id)).toEqual(['ok-1', 'ok-2']);
    expect(r.Failed).toEqual([{ Id: 'bad', Code: 'ParameterValueInvalid', Message: "Could not cast message attribute 'n' value to number.", SenderFault: true }]);
    expect((await drain(url)).map((m) => m.Body).sort()).toEqual(['one', 'three']);
  });

  it('refuses empty, too many and non-distinct batches', async () => {
    const arn = await topic('batch');
    const send = (entries: sns.PublishBatchRequestEntry[]) =>
      client.send(new sns.PublishBatchCommand({ TopicArn: arn, PublishBatchRequestEntries: entries })).catch((e: Error) => e);
    expect(await send([])).toMatchObject({ name: 'EmptyBatchRequestException' });
    expect(await send(Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, Message: 'm' })))).toMatchObject({ name: 'TooManyEntriesInBatchRequestException' });
    expect(await send([{ Id: 'a', Message: 'm' }, { Id: 'a', Message: 'm' }])).toMatchObject({ name: 'BatchEntryIdsNotDistinctException' });
    expect(await send([{ Id: 'no spaces', Message: 'm' }])).toMatchObject({ name: 'InvalidBatchEntryIdException' });
  });
});

describe('to HTTP endpoints', () => {
  it('confirms through the SubscribeURL, then POSTs signed notifications with AWS’s headers', async () => {
    const arn = await topic('web');
    const r = await client.send(new sns.SubscribeCommand({ TopicArn: arn, Protocol: 'http', Endpoint: `${hook.url}/hook` }));
    expect(r.SubscriptionArn).toBe('pending confirmation');
    await hook.received(1);
    const confirmation = hook.requests[0];
    expect(confirmation.headers['x-amz-sns-message-type']).toBe('SubscriptionConfirmation');
    expect(confirmation.headers['x-amz-sns-topic-arn']).toBe(arn);
    const c = JSON.parse(confirmation.body);
    expect(c).toMatchObject({ Type: 'SubscriptionConfirmation', TopicArn: arn, SignatureVersion: '1' });
    expect(await verifySignature(c)).toBe(true);
    // Nothing is delivered before confirmation.
    await client.send(new sns.PublishCommand({ TopicArn: arn, Message: 'too early' }));
    await sy.sns.deliverer.settled();
    expect(hook.requests).toHaveLength(1);
    // The subscriber visits the SubscribeURL (a plain GET, as any HTTP client would).
    const visit = await fetch(c.SubscribeURL);
    expect(visit.status).toBe(200);
    expect(await visit.text()).toContain('<ConfirmSubscriptionResult><SubscriptionArn>');
    const subs = (await client.send(new sns.ListSubscriptionsByTopicCommand({ TopicArn: arn }))).Subscriptions!;
    expect(subs[0].SubscriptionArn).toMatch(/^arn:aws:sns:/);
    const p = await client.send(new sns.PublishCommand({ TopicArn: arn, Message: 'hello', Subject: 'S' }));
    await hook.received(2);
    const note = hook.requests[1];
    expect(note.url).toBe('/hook');
    expect(note.headers).toMatchObject({
      'x-amz-sns-message-type': 'Notification',
      'x-amz-sns-message-id': p.MessageId,
      'x-amz-sns-topic-arn': arn,
      'x-amz-sns-subscription-arn': subs[0].SubscriptionArn,
    });
    expect(note.headers['content-type']).toMatch(/^text\/plain/);
    const n = JSON.parse(note.body);
    expect(n).toMatchObject({ Type: 'Notification', Message: 'hello', Subject: 'S', MessageId: p.MessageId });
    expect(await verifySignature(n)).toBe(true);
    // The verifier AWS publishes accepts it too, and refuses a tampered copy.
    await validate(n);
    await validate(c);
    await expect(validate({ ...n, Message: 'tampered' })).rejects.toThrow('The message signature is invalid.');
  });

  it('ConfirmSubscription through the SDK; a wrong token is refused', async () => {
    const arn = await topic('web');
    await client.send(new sns.SubscribeCommand({ TopicArn: arn, Protocol: 'http', Endpoint: `${hook.url}/x` }));
    await hook.received(1);
    const token = JSON.parse(hook.requests[0].body).Token as string;
    const bad = await client.send(new sns.ConfirmSubscriptionCommand({ TopicArn: arn, Token: 'nope' })).catch((e: Error) => e);
    expect(bad).toMatchObject({ name: 'InvalidParameterException', message: 'Invalid parameter: Token' });
    const ok = await client.send(new sns.ConfirmSubscriptionCommand({ TopicArn: arn, Token: token }));
    expect(ok.SubscriptionArn).toMatch(new RegExp(`^${arn}:`));
    const attrs = (await client.send(new sns.GetSubscriptionAttributesCommand({ SubscriptionArn: ok.SubscriptionArn }))).Attributes!;
    expect(attrs.PendingConfirmation).toBe('false');
    expect(JSON.parse(attrs.EffectiveDeliveryPolicy!).healthyRetryPolicy.numRetries).toBe(3);
  });

  it('retries a failing endpoint per the delivery policy on the clock, then dead-letters', async () => {
    const dlq = await queue('dlq');
    const arn = await topic('flaky');
    const sub = await subscribe(arn, 'http', `${hook.url}/flaky`, { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn('dlq') }) });
    await hook.received(1);
    const token = JSON.parse(hook.requests[0].body).Token as string;
    await client.send(new sns.ConfirmSubscriptionCommand({ TopicArn: arn, Token: token }));
    hook.reset();
    hook.statuses = [500];
    const p = await client.send(new sns.PublishCommand({ TopicArn: arn, Message: 'doomed' }));
    await hook.received(1);
    await sy.sns.deliverer.settled();
    expect(hook.requests).toHaveLength(1);
    // AWS's default HTTP policy: 3 retries, 20 s apart.
    for (let i = 2; i <= 4; i++) {
      await advance(20_000);
      await hook.received(i);
      await sy.sns.deliverer.settled();
    }
    expect(hook.requests).toHaveLength(4);
    await advance(60_000);
    expect(hook.requests).toHaveLength(4);
    const [dead] = await drain(dlq);
    const body = JSON.parse(dead.Body!);
    expect(body).toMatchObject({ Type: 'Notification', MessageId: p.MessageId, Message: 'doomed' });
    // AWS adds no error attributes to an SNS DLQ message.
    expect(dead.MessageAttributes).toBeUndefined();
    const trace = (await (await fetch(`${sy.endpoint}/_switchyard/api/events/${p.MessageId}`)).json()) as { deliveries: Array<{ subscriptionArn: string; state: string; attempts: unknown[] }> };
    expect(trace.deliveries[0]).toMatchObject({ subscriptionArn: sub, state: 'dead-lettered' });
    expect(trace.deliveries[0].attempts).toHaveLength(4);
  });

  it('a retry that succeeds', async () => {
    const arn = await topic('flaky');
    await subscribe(arn, 'http', `${hook.url}/once`);
    await hook.received(1);
    await client.send(new sns.ConfirmSubscriptionCommand({ TopicArn: arn, Token: JSON.parse(hook.requests[0].body).Token }));
    hook.reset();
    hook.statuses = [503, 200];
    await client.send(new sns.PublishCommand({ TopicArn: arn, Message: 'eventually' }));
    await hook.received(1);
    await sy.sns.deliverer.settled(); // the 503 is recorded and the retry waits on the clock
    await advance(20_000);
    await hook.received(2);
    expect(hook.requests.map((r) => JSON.parse(r.body).Message)).toEqual(['eventually', 'eventually']);
  });
});

describe('other protocols', () => {
  it('lambda: the function behind the forward endpoint is invoked with the SNS event', async () => {
    const arn = await topic('to-fn');
    const sub = await subscribe(arn, 'lambda', 'arn:aws:lambda:us-east-1:000000000000:function:handler');
    const p = await client.send(new sns.PublishCommand({ TopicArn: arn, Message: 'run', MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } }));
    await lambda.received(1);
    const req = lambda.requests[0];
    expect(req.url).toBe(`/2015-03-31/functions/${encodeURIComponent('arn:aws:lambda:us-east-1:000000000000:function:handler')}/invocations`);
    const event = JSON.parse(req.body);
    expect(event.Records).toHaveLength(1);
    expect(event.Records[0]).toMatchObject({
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn: sub,
      Sns: { Type: 'Notification', MessageId: p.MessageId, TopicArn: arn, Message: 'run', MessageAttributes: { k: { Type: 'String', Value: 'v' } } },
    });
  });

  it('email: recorded, and confirmable with the token from the inspection API', async () => {
    const arn = await topic('mail');
    const sub = await subscribe(arn, 'email', 'dev@example.com');
    const res = await fetch(`${sy.endpoint}/_aws/sns/subscription-tokens/${encodeURIComponent(sub)}`);
    const { subscription_token: token } = (await res.json()) as { subscription_token: string };
    expect(token).toMatch(/^[0-9a-f]{288}$/);
    await client.send(new sns.ConfirmSubscriptionCommand({ TopicArn: arn, Token: token }));
    const p = await client.send(new sns.PublishCommand({ TopicArn: arn, Message: 'newsletter' }));
    await sy.sns.deliverer.settled();
    const trace = (await (await fetch(`${sy.endpoint}/_switchyard/api/events/${p.MessageId}`)).json()) as { deliveries: Array<{ protocol: string; state: string; input: string }> };
    expect(trace.deliveries).toEqual([expect.objectContaining({ protocol: 'email', state: 'captured', input: 'newsletter' })]);
    expect((await fetch(`${sy.endpoint}/_aws/sns/subscription-tokens/nope`)).status).toBe(404);
  });

  it('Unsubscribe of a confirmed HTTP subscription sends an UnsubscribeConfirmation', async () => {
    const arn = await topic('web');
    const sub = await subscribe(arn, 'http', `${hook.url}/bye`);
    await hook.received(1);
    await client.send(new sns.ConfirmSubscriptionCommand({ TopicArn: arn, Token: JSON.parse(hook.requests[0].body).Token }));
    await client.send(new sns.UnsubscribeCommand({ SubscriptionArn: sub }));
    await hook.received(2);
    expect(hook.requests[1].headers['x-amz-sns-message-type']).toBe('UnsubscribeConfirmation');
    expect(hook.requests[1].headers['x-amz-sns-subscription-arn']).toBe(sub);
    const m = JSON.parse(hook.requests[1].body);
    expect(m).toMatchObject({ Type: 'UnsubscribeConfirmation', TopicArn: arn });
    expect(await verifySignature(m)).toBe(true);
  });
});

describe('over HTTPS', () => {
  it('the same port answers the SDK over TLS with the signing certificate', async () => {
    const ca = await sy.sns.signer.certificatePem();
    const { NodeHttpHandler } = await import('@smithy/node-http-handler');
    const tls = new sns.SNSClient({
      endpoint: sy.endpoint.replace('http:', 'https:'),
      region: 'us-east-1',
      credentials: creds,
      requestHandler: new NodeHttpHandler({ httpsAgent: new https.Agent({ ca }) }),
    });
    try {
      const arn = (await tls.send(new sns.CreateTopicCommand({ Name: 'secure' }))).TopicArn!;
      expect((await client.send(new sns.ListTopicsCommand({}))).Topics).toEqual([{ TopicArn: arn }]);
    } finally {
      tls.destroy();
    }
  });
});

describe('from EventBridge', () => {
  it('a rule targeting a topic fans out to every subscribed queue', async () => {
    const a = await queue('fan-a');
    const b = await queue('fan-b');
    const arn = await topic('fanout');
    await subscribe(arn, 'sqs', queueArn('fan-a'), { RawMessageDelivery: 'true' });
    await subscribe(arn, 'sqs', queueArn('fan-b'));
    await events.send(new eb.PutRuleCommand({ Name: 'to-topic', EventPattern: JSON.stringify({ source: ['shop'] }) }));
    await events.send(new eb.PutTargetsCommand({ Rule: 'to-topic', Targets: [{ Id: 't', Arn: arn }] }));
    const put = await events.send(new eb.PutEventsCommand({ Entries: [{ Source: 'shop', DetailType: 'Order', Detail: '{"id":7}' }] }));
    const raw = await drain(a);
    expect(raw).toHaveLength(1);
    expect(JSON.parse(raw[0].Body!)).toMatchObject({ id: put.Entries![0].EventId, source: 'shop', detail: { id: 7 } });
    const wrapped = await drain(b);
    expect(JSON.parse(JSON.parse(wrapped[0].Body!).Message)).toMatchObject({ detail: { id: 7 } });
  });
});
