// Topic sets for the SNS benchmark: a topic, N SQS queues and N raw subscriptions, half of them
// (floor(N/2)) filtered out by the benchmark's messages; created and deleted through the AWS SDK
// (setup only), counted over raw HTTP (GetQueueAttributes on lean keep-alive sockets).
//
// Also the raw Publish request every measurement sends, and the small pool of raw connections
// that counts queues.
import http from 'node:http';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { SNSClient, CreateTopicCommand, DeleteTopicCommand, PublishCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import * as sqsNew from '@aws-sdk/client-sqs';
import * as sqsLegacy from 'sqs-legacy';
import { RawConn, decodeXml, encode, pool } from '../../sqs/lib/wire.mjs';

export const REGION = 'us-east-1';
export const CREDENTIALS = { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' };

/** What every benchmark message carries; the filtered-out half asks for kind=refund. */
export const MESSAGE_ATTRIBUTE = { name: 'kind', value: 'order' };
export const PASSING_POLICY = JSON.stringify({ kind: ['order'] });
export const FILTERED_POLICY = JSON.stringify({ kind: ['refund'] });
export const MESSAGE_BYTES = 200;
export const MESSAGE = ('sns-bench-message-' + 'x'.repeat(MESSAGE_BYTES)).slice(0, MESSAGE_BYTES);

/** Subscription i is filtered out when i is odd: floor(n/2) of n, none of 1. */
export const isFiltered = (i) => i % 2 === 1;
export const expectedPerPublish = (n) => n - Math.floor(n / 2);

// SNS routes by the credential scope in emulators that share a port with SQS: say "sns".
export const SNS_AUTH_HEADERS = {
  authorization:
    `AWS4-HMAC-SHA256 Credential=${CREDENTIALS.accessKeyId}/20250101/${REGION}/sns/aws4_request, ` +
    'SignedHeaders=content-type;host;x-amz-date, Signature=' + '0'.repeat(64),
  'x-amz-date': '20250101T000000Z',
  'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
};

/** The query-protocol Publish of MESSAGE with kind=order, as autocannon and RawConn send it. */
export function publishRequest(topicArn) {
  const body = new URLSearchParams({
    Action: 'Publish',
    Version: '2010-03-31',
    TopicArn: topicArn,
    Message: MESSAGE,
    'MessageAttributes.entry.1.Name': MESSAGE_ATTRIBUTE.name,
    'MessageAttributes.entry.1.Value.DataType': 'String',
    'MessageAttributes.entry.1.Value.StringValue': MESSAGE_ATTRIBUTE.value,
  }).toString();
  return { method: 'POST', path: '/', headers: SNS_AUTH_HEADERS, body };
}

/** Every Publish answer must name a MessageId (checked on every answer, cheaply). */
export const publishAnswerOk = (body) => typeof body === 'string' && body.includes('<MessageId>') && !body.includes('<Error>');

/** The bytes of one HTTP/1.1 request, for RawConn. */
export function requestBytes(endpoint, { method, path, headers, body }) {
  const u = new URL(endpoint);
  let head = `${method} ${path} HTTP/1.1\r\nhost: ${u.host}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`;
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
  return Buffer.from(`${head}\r\n${body}`);
}

/**
 * A fixed pool of raw keep-alive connections; run(fn) lends one. Cheaper per request than
 * node:http's client, which matters with the load generator on a single core.
 */
export class ConnPool {
  constructor(endpoint, size) {
    const u = new URL(endpoint);
    this.idle = Array.from({ length: size }, () => new RawConn(u.hostname, Number(u.port)));
    this.all = [...this.idle];
    this.waiters = [];
  }

  async run(fn) {
    const c = this.idle.pop() ?? (await new Promise((r) => this.waiters.push(r)));
    try {
      return await fn(c);
    } finally {
      const w = this.waiters.shift();
      if (w) w(c);
      else this.idle.push(c);
    }
  }

  close() {
    for (const c of this.all) c.close();
  }
}

/** SDK clients for setup and the raw pieces for counting, for one server. */
export function clientsFor(target, endpoint, pollConnections) {
  const requestHandler = () => new NodeHttpHandler({ httpAgent: new http.Agent({ keepAlive: true, maxSockets: 16 }) });
  const common = { endpoint, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 };
  const sqsMod = target.legacySdk ? sqsLegacy : sqsNew;
  return {
    endpoint,
    protocol: target.sqsProtocol,
    sns: new SNSClient({ ...common, requestHandler: requestHandler() }),
    sqs: new sqsMod.SQSClient({ ...common, requestHandler: requestHandler() }),
    sqsMod,
    conns: new ConnPool(endpoint, pollConnections),
    close() {
      this.conns.close();
      this.sns.destroy();
      this.sqs.destroy();
    },
  };
}

/** GetQueueAttributes(ApproximateNumberOfMessages) for one queue, prebuilt once. */
function countRequest(c, q) {
  return requestBytes(c.endpoint, encode(c.protocol, 'GetQueueAttributes', { QueueUrl: q.url, AttributeNames: ['ApproximateNumberOfMessages'] }));
}

/** Messages in one queue (ApproximateNumberOfMessages: nothing is ever received, so all of them). */
export async function countOne(c, conn, q) {
  const res = await conn.request(q.countBytes, 10_000);
  if (res.status >= 300) throw new Error(`GetQueueAttributes ${q.name} -> HTTP ${res.status}: ${res.body.slice(0, 200)}`);
  const attrs = c.protocol === 'json' ? JSON.parse(res.body).Attributes : decodeXml('GetQueueAttributes', res.body).Attributes;
  const n = Number(attrs?.ApproximateNumberOfMessages);
  if (!Number.isFinite(n)) throw new Error(`GetQueueAttributes ${q.name}: no ApproximateNumberOfMessages in ${res.body.slice(0, 200)}`);
  return n;
}

/** Messages in each of `queues`, concurrently over the pool. */
export async function countAll(c, queues) {
  return Promise.all(queues.map((q) => c.conns.run((conn) => countOne(c, conn, q))));
}

/**
 * Topic `name` with n queues `${name}-q${i}` each subscribed with RawMessageDelivery=true and a
 * filter policy on `kind`: the odd ones ask for refund (the benchmark publishes orders).
 */
export async function createSet(c, name, n, concurrency) {
  const { TopicArn } = await c.sns.send(new CreateTopicCommand({ Name: name }));
  if (!TopicArn) throw new Error(`CreateTopic ${name}: no TopicArn`);
  const queues = new Array(n);
  const r = await pool(n, concurrency, async (i) => {
    const qname = `${name}-q${i}`;
    const { QueueUrl } = await c.sqs.send(new c.sqsMod.CreateQueueCommand({ QueueName: qname }));
    const { Attributes } = await c.sqs.send(new c.sqsMod.GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    const filtered = isFiltered(i);
    const out = await c.sns.send(
      new SubscribeCommand({
        TopicArn,
        Protocol: 'sqs',
        Endpoint: Attributes.QueueArn,
        Attributes: { RawMessageDelivery: 'true', FilterPolicy: filtered ? FILTERED_POLICY : PASSING_POLICY },
        ReturnSubscriptionArn: true,
      }),
    );
    const q = { i, name: qname, url: QueueUrl, arn: Attributes.QueueArn, subscriptionArn: out.SubscriptionArn, filtered };
    q.countBytes = countRequest(c, q);
    queues[i] = q;
  });
  if (r.errors.length) throw new Error(`creating ${n} queues and subscriptions on ${name}: ${r.errors.length} errors, first: ${r.errors[0].message}`);
  return { name, topicArn: TopicArn, n, queues, expectedPerPublish: expectedPerPublish(n) };
}

export async function deleteSet(c, set, concurrency) {
  await c.sns.send(new DeleteTopicCommand({ TopicArn: set.topicArn })).catch(() => {});
  await pool(set.queues.length, concurrency, (i) => c.sqs.send(new c.sqsMod.DeleteQueueCommand({ QueueUrl: set.queues[i].url })).catch(() => {}));
}

/** One Publish through the SDK (the smoke check): the SDK must parse the answer. */
export async function sdkPublish(c, topicArn) {
  const out = await c.sns.send(
    new PublishCommand({ TopicArn: topicArn, Message: MESSAGE, MessageAttributes: { [MESSAGE_ATTRIBUTE.name]: { DataType: 'String', StringValue: MESSAGE_ATTRIBUTE.value } } }),
  );
  return out.MessageId;
}

/** Receive one message (without deleting it) to check what a subscriber gets. */
export async function receiveOne(c, q) {
  const { Messages } = await c.sqs.send(new c.sqsMod.ReceiveMessageCommand({ QueueUrl: q.url, MaxNumberOfMessages: 1, MessageAttributeNames: ['All'], WaitTimeSeconds: 0 }));
  return Messages?.[0] ?? null;
}
