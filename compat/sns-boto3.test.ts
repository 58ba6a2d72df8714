/**
 * SNS over the query protocol with Debian's boto3 1.26 / botocore 1.29 (`/usr/bin/python3`).
 * compat/boto3/sns.py drives topics, subscriptions to SQS queues (made with boto3's SQS client),
 * Publish with every attribute type, PublishBatch, FIFO topics, tags and the modeled errors, reads
 * the queues by short long-polls, and prints what happened as JSON, including every SNS request
 * and response recorded through botocore's before-send / after-call hooks. This file starts the
 * server in-process, runs the script once, and asserts.
 */
import { execFile } from 'node:child_process';
import { X509Certificate, createVerify } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSwitchyard, type Switchyard } from '../src/index.js';
import { attributesMd5, md5 } from './support/digests.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./boto3/sns.py', import.meta.url));
const ACCOUNT = '000000000000';
const NS = 'http://sns.amazonaws.com/doc/2010-03-31/';
const topicArn = (name: string) => `arn:aws:sns:us-east-1:${ACCOUNT}:${name}`;
const queueArn = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = any;

interface Failure {
  class: string | null;
  code: string;
  type: string;
  message: string;
  status: number;
  requestId: string;
  isNotFound: boolean;
  isInvalidParameter: boolean;
  isInvalidParameterValue: boolean;
}

interface WireRecord {
  method: string;
  url: string;
  contentType: string;
  body: string;
  operation: string;
  status: number;
  responseType: string;
  responseBody: string;
}

const execFileP = promisify(execFile);

let sy: Switchyard;
let out: Json;
let wire: WireRecord[];
let runMs = 0;

beforeAll(async () => {
  sy = await startSwitchyard({ port: 0 });
  const started = Date.now();
  const { stdout } = await execFileP(PYTHON, [SCRIPT, sy.endpoint], {
    // A clean environment: no credentials, config files or endpoint overrides from the host.
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: '/nonexistent',
      LANG: 'C.UTF-8',
      PYTHONIOENCODING: 'utf-8',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    maxBuffer: 16 * 1024 * 1024,
    timeout: 60_000,
  });
  runMs = Date.now() - started;
  out = JSON.parse(stdout);
  wire = out.wire;
}, 90_000);

afterAll(async () => {
  await sy?.stop();
});

const form = (body: string) => new URLSearchParams(body);
const requestOf = (op: string, pred: (f: URLSearchParams) => boolean = () => true) =>
  form(wire.find((x) => x.operation === op && pred(form(x.body)))!.body);

/** AWS's error as botocore 1.29 presents it: modeled class, Error.Code, Type, status, request id. */
function expectFailure(f: Failure, cls: string, code: string, status: number, message?: string): void {
  expect(f, `expected ${code}`).toMatchObject({ class: cls, code, type: 'Sender', status });
  if (message !== undefined) expect(f.message).toBe(message);
  else expect(f.message.length).toBeGreaterThan(0);
  expect(f.requestId).toMatch(/^[0-9a-f-]{36}$/);
}

/** The boto3 script reports binary values as {bytes: [...]}. */
type PyAttr = { DataType: string; StringValue?: string; BinaryValue?: { bytes: number[] } };
const pyAttributesMd5 = (attrs: Record<string, PyAttr>): string =>
  attributesMd5(
    Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, { DataType: v.DataType, StringValue: v.StringValue, BinaryValue: v.BinaryValue?.bytes }])),
  );

/** A subscriber's check: the SNS signature over the canonical notification text, with the signing certificate's key. */
async function signatureValid(n: Record<string, string>): Promise<boolean> {
  const text = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
    .filter((k) => n[k] !== undefined)
    .map((k) => `${k}\n${n[k]}\n`)
    .join('');
  const v = createVerify(n.SignatureVersion === '2' ? 'RSA-SHA256' : 'RSA-SHA1');
  v.update(text, 'utf8');
  return v.verify(new X509Certificate(await sy.sns.signer.certificatePem()).publicKey, n.Signature, 'base64');
}

describe('botocore 1.29 really speaks SNS query/XML', () => {
  it('is the Debian client with the query-protocol SNS model, and the run is quick', () => {
    expect(out.versions).toEqual({ boto3: '1.26.27', botocore: '1.29.27' });
    expect(out.protocol).toBe('query');
    expect(out.apiVersion).toBe('2010-03-31');
    expect(runMs).toBeLessThan(15_000);
  });

  it('sent every request as a form body to / and got SNS XML back', () => {
    expect(wire.length).toBeGreaterThan(30);
    for (const x of wire) {
      expect(x.method).toBe('POST');
      expect(x.url).toBe(`${sy.endpoint}/`);
      expect(x.contentType).toBe('application/x-www-form-urlencoded; charset=utf-8');
      const f = form(x.body);
      expect(f.get('Action')).toBe(x.operation);
      expect(f.get('Version')).toBe('2010-03-31');
      expect(x.responseType).toBe('text/xml');
      if (x.status === 200) {
        expect(x.responseBody.startsWith(`<?xml version="1.0"?><${x.operation}Response xmlns="${NS}">`)).toBe(true);
        expect(x.responseBody).toMatch(/<ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata>/);
      } else {
        expect(x.responseBody.startsWith(`<?xml version="1.0"?><ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>`)).toBe(true);
      }
    }
    expect([...new Set(wire.filter((x) => x.status === 200).map((x) => x.operation))].sort()).toEqual([
      'CreateTopic',
      'DeleteTopic',
      'GetSubscriptionAttributes',
      'GetTopicAttributes',
      'ListSubscriptionsByTopic',
      'ListTagsForResource',
      'ListTopics',
      'Publish',
      'PublishBatch',
      'SetTopicAttributes',
      'Subscribe',
      'TagResource',
      'Unsubscribe',
      'UntagResource',
    ]);
  });

  it('uses the non-flattened forms: Attributes.entry.N.key, Tags.member.N.Key, MessageAttributes.entry.N.Name/Value', () => {
    expect(Object.fromEntries(requestOf('CreateTopic'))).toMatchObject({
      Name: 'b3-orders',
      'Attributes.entry.1.key': 'DisplayName',
      'Attributes.entry.1.value': 'Orders',
      'Tags.member.1.Key': 'team',
      'Tags.member.1.Value': 'ops',
      'Tags.member.2.Key': 'env',
      'Tags.member.2.Value': 'test',
    });
    expect(Object.fromEntries(requestOf('Subscribe', (f) => f.has('Attributes.entry.2.key')))).toMatchObject({
      Protocol: 'sqs',
      Endpoint: queueArn('b3-raw'),
      ReturnSubscriptionArn: 'true',
      'Attributes.entry.1.key': 'RawMessageDelivery',
      'Attributes.entry.1.value': 'true',
      'Attributes.entry.2.key': 'FilterPolicy',
      'Attributes.entry.2.value': '{"colour": ["red"]}',
    });
    const publish = requestOf('Publish', (f) => f.get('Message') === 'red & <one>');
    expect(Object.fromEntries(publish)).toMatchObject({
      Subject: 'Colours',
      'MessageAttributes.entry.1.Name': 'colour',
      'MessageAttributes.entry.1.Value.DataType': 'String',
      'MessageAttributes.entry.1.Value.StringValue': 'red',
      'MessageAttributes.entry.2.Name': 'size',
      'MessageAttributes.entry.2.Value.DataType': 'Number',
      'MessageAttributes.entry.3.Name': 'blob',
      'MessageAttributes.entry.3.Value.DataType': 'Binary',
      'MessageAttributes.entry.3.Value.BinaryValue': 'AQID',
      'MessageAttributes.entry.4.Name': 'tags',
      'MessageAttributes.entry.4.Value.DataType': 'String.Array',
      'MessageAttributes.entry.4.Value.StringValue': '["a","b"]',
    });
    expect(Object.fromEntries(requestOf('PublishBatch'))).toMatchObject({
      'PublishBatchRequestEntries.member.1.Id': 'ok-1',
      'PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Name': 'colour',
      'PublishBatchRequestEntries.member.2.MessageAttributes.entry.1.Value.StringValue': 'NaN?',
      'PublishBatchRequestEntries.member.3.Subject': 'Batch',
    });
    const untag = requestOf('UntagResource');
    expect([untag.get('TagKeys.member.1'), untag.get('TagKeys.member.2')]).toEqual(['team', 'cost']);
    expect(Object.fromEntries(requestOf('Publish', (f) => f.get('MessageGroupId') === 'g'))).toMatchObject({
      MessageGroupId: 'g',
      MessageDeduplicationId: 'd1',
    });
  });

  it('answers in the wrapped member/entry layout botocore parses', () => {
    const body = (op: string) => wire.find((x) => x.operation === op && x.status === 200)!.responseBody;
    expect(body('ListTopics')).toContain(`<Topics><member><TopicArn>${topicArn('b3-orders')}</TopicArn></member>`);
    expect(body('GetTopicAttributes')).toContain(`<Attributes><entry><key>TopicArn</key><value>${topicArn('b3-orders')}</value></entry>`);
    expect(body('ListTagsForResource')).toContain('<Tags><member><Key>team</Key><Value>ops</Value></member>');
    expect(body('PublishBatch')).toMatch(/<Successful><member><Id>ok-1<\/Id><MessageId>[0-9a-f-]{36}<\/MessageId><\/member>/);
    expect(body('PublishBatch')).toContain('<Failed><member><Id>bad</Id><Code>ParameterValueInvalid</Code>');
  });
});

describe('topics through boto3', () => {
  it('CreateTopic: standard and FIFO with attributes and tags, idempotent', () => {
    const t = out.topics;
    expect(t.arn).toBe(topicArn('b3-orders'));
    expect(t.fifoArn).toBe(topicArn('b3-orders.fifo'));
    expect(t.idempotent).toBe(t.arn);
    expect(t.fifoIdempotent).toBe(t.fifoArn);
    expect(t.tags).toEqual([
      { Key: 'team', Value: 'ops' },
      { Key: 'env', Value: 'test' },
    ]);
    expect(t.fifoTags).toEqual([{ Key: 'kind', Value: 'fifo' }]);
  });

  it('ListTopics lists both', () => {
    expect(out.topics.list).toEqual([topicArn('b3-orders'), topicArn('b3-orders.fifo')]);
  });

  it('GetTopicAttributes: owner, counters, display name, FIFO flags; SetTopicAttributes changes DisplayName', () => {
    const a = out.topics.attributes;
    expect(a).toMatchObject({
      TopicArn: topicArn('b3-orders'),
      Owner: ACCOUNT,
      DisplayName: 'Orders',
      SubscriptionsConfirmed: '0',
      SubscriptionsPending: '0',
      SubscriptionsDeleted: '0',
    });
    expect(a.FifoTopic).toBeUndefined();
    expect(JSON.parse(a.Policy).Statement[0].Resource).toBe(topicArn('b3-orders'));
    expect(JSON.parse(a.EffectiveDeliveryPolicy).http.defaultHealthyRetryPolicy.numRetries).toBe(3);
    expect(out.topics.fifoAttributes).toMatchObject({ TopicArn: topicArn('b3-orders.fifo'), FifoTopic: 'true', ContentBasedDeduplication: 'false' });
    expect(out.topics.afterSet).toBe('Orders 2');
  });
});

describe('subscriptions through boto3', () => {
  it('Subscribe to SQS queues: confirmed at once, ARNs under the topic, idempotent', () => {
    const s = out.subscriptions;
    for (const k of ['raw', 'env']) expect(s[k]).toMatch(new RegExp(`^${topicArn('b3-orders')}:[0-9a-f-]{36}$`));
    expect(s.fifo).toMatch(new RegExp(`^${topicArn('b3-orders.fifo')}:[0-9a-f-]{36}$`));
    expect(s.raw).not.toBe(s.env);
    expect(s.again).toBe(s.env);
    expect(s.queues).toEqual({ raw: queueArn('b3-raw'), env: queueArn('b3-env'), fifo: queueArn('b3-fifo.fifo') });
    expect(s.confirmed).toBe('2');
  });

  it('GetSubscriptionAttributes: RawMessageDelivery and FilterPolicy as set, defaults otherwise', () => {
    const s = out.subscriptions;
    expect(s.rawAttributes).toMatchObject({
      SubscriptionArn: s.raw,
      TopicArn: topicArn('b3-orders'),
      Owner: ACCOUNT,
      Protocol: 'sqs',
      Endpoint: queueArn('b3-raw'),
      PendingConfirmation: 'false',
      ConfirmationWasAuthenticated: 'true',
      RawMessageDelivery: 'true',
      FilterPolicyScope: 'MessageAttributes',
    });
    expect(JSON.parse(s.rawAttributes.FilterPolicy)).toEqual({ colour: ['red'] });
    expect(s.envAttributes).toMatchObject({ SubscriptionArn: s.env, RawMessageDelivery: 'false', Endpoint: queueArn('b3-env') });
    expect(s.envAttributes.FilterPolicy).toBeUndefined();
  });

  it('ListSubscriptionsByTopic lists both queue subscriptions', () => {
    const s = out.subscriptions;
    expect(s.byTopic).toEqual([
      { SubscriptionArn: s.env, Owner: ACCOUNT, Protocol: 'sqs', Endpoint: queueArn('b3-env'), TopicArn: topicArn('b3-orders') },
      { SubscriptionArn: s.raw, Owner: ACCOUNT, Protocol: 'sqs', Endpoint: queueArn('b3-raw'), TopicArn: topicArn('b3-orders') },
    ]);
  });
});

describe('publish and delivery to SQS through boto3', () => {
  it('Publish answers with a MessageId', () => {
    expect(out.publish.blue.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.publish.red.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.publish.red.SequenceNumber).toBeUndefined();
  });

  it('the raw subscription got only the message passing its filter, attributes as SQS message attributes', () => {
    const raw = out.publish.raw;
    expect(raw.map((m: Json) => m.Body)).toEqual(['red & <one>']);
    const [m] = raw;
    expect(m.MD5OfBody).toBe(md5('red & <one>'));
    expect(m.MessageAttributes).toEqual({
      colour: { DataType: 'String', StringValue: 'red' },
      size: { DataType: 'Number', StringValue: '42.5' },
      blob: { DataType: 'Binary', BinaryValue: { bytes: [1, 2, 3] } },
      tags: { DataType: 'String.Array', StringValue: '["a","b"]' },
    });
    expect(m.MD5OfMessageAttributes).toBe(pyAttributesMd5(m.MessageAttributes));
    // Nothing else arrived later (the blue message was filtered out).
    expect(out.leftover.raw).toEqual([]);
  });

  it('the enveloped subscription got AWS’s JSON envelope for both messages, signed', async () => {
    const env = out.publish.env;
    expect(env).toHaveLength(2);
    for (const m of env) {
      expect(m.MessageAttributes).toBeUndefined();
      expect(m.MD5OfBody).toBe(md5(m.Body));
    }
    const notes = env.map((m: Json) => JSON.parse(m.Body));
    const byId = Object.fromEntries(notes.map((n: Json) => [n.MessageId, n]));
    const blue = byId[out.publish.blue.MessageId];
    const red = byId[out.publish.red.MessageId];
    expect(Object.keys(red)).toEqual([
      'Type', 'MessageId', 'TopicArn', 'Subject', 'Message', 'Timestamp', 'SignatureVersion', 'Signature', 'SigningCertURL', 'UnsubscribeURL', 'MessageAttributes',
    ]);
    expect(red).toMatchObject({
      Type: 'Notification',
      TopicArn: topicArn('b3-orders'),
      Subject: 'Colours',
      Message: 'red & <one>',
      SignatureVersion: '1',
      MessageAttributes: {
        colour: { Type: 'String', Value: 'red' },
        size: { Type: 'Number', Value: '42.5' },
        blob: { Type: 'Binary', Value: 'AQID' },
        tags: { Type: 'String.Array', Value: '["a","b"]' },
      },
    });
    expect(blue).toMatchObject({ Type: 'Notification', Subject: 'Colours', Message: 'blue one', MessageAttributes: { colour: { Type: 'String', Value: 'blue' } } });
    for (const n of [red, blue]) {
      expect(n.Timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(n.Signature).toMatch(/^[A-Za-z0-9+/]+=*$/);
      expect(n.SigningCertURL).toBe(`${sy.endpoint.replace('http:', 'https:')}/_switchyard/sns/SimpleNotificationService-switchyard.pem`);
      expect(n.UnsubscribeURL).toBe(`${sy.endpoint}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(out.subscriptions.env)}`);
      expect(await signatureValid(n)).toBe(true);
    }
    expect(await signatureValid({ ...red, Message: 'tampered' })).toBe(false);
  });

  it('PublishBatch: the failing entry is in Failed, the others are delivered', () => {
    const b = out.batch;
    expect(b.result.Successful.map((s: Json) => s.Id)).toEqual(['ok-1', 'ok-2']);
    for (const s of b.result.Successful) expect(s.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(b.result.Failed).toEqual([
      { Id: 'bad', Code: 'ParameterValueInvalid', Message: "Could not cast message attribute 'n' value to number.", SenderFault: true },
    ]);
    expect(b.raw.map((m: Json) => m.Body).sort()).toEqual(['batch one', 'batch two']);
    for (const m of b.raw) expect(m.MessageAttributes).toEqual({ colour: { DataType: 'String', StringValue: 'red' } });
    const notes = b.env.map((m: Json) => JSON.parse(m.Body));
    expect(notes.map((n: Json) => n.Message).sort()).toEqual(['batch one', 'batch two']);
    expect(notes.map((n: Json) => n.MessageId).sort()).toEqual(b.result.Successful.map((s: Json) => s.MessageId).sort());
    const two = notes.find((n: Json) => n.Message === 'batch two');
    const one = notes.find((n: Json) => n.Message === 'batch one');
    expect(two.Subject).toBe('Batch');
    expect('Subject' in one).toBe(false);
    expect(out.leftover.env).toEqual([]);
  });

  it('FIFO: SequenceNumber per publish, a duplicate deduplicated, group and dedup ids carried to the FIFO queue', () => {
    const f = out.fifo;
    expect(f.first.SequenceNumber).toMatch(/^\d{20}$/);
    expect(f.second.SequenceNumber).toMatch(/^\d{20}$/);
    expect(BigInt(f.second.SequenceNumber) > BigInt(f.first.SequenceNumber)).toBe(true);
    expect(f.duplicate).toEqual(f.first);
    expect(f.received.map((m: Json) => m.Body)).toEqual(['f1', 'f2']);
    expect(f.received[0].Attributes).toMatchObject({ MessageGroupId: 'g', MessageDeduplicationId: 'd1' });
    expect(f.received[1].Attributes).toMatchObject({ MessageGroupId: 'g', MessageDeduplicationId: 'd2' });
    expect(out.leftover.fifo).toEqual([]);
    expectFailure(f.noGroup, 'InvalidParameterException', 'InvalidParameter', 400, 'Invalid parameter: The MessageGroupId parameter is required for FIFO topics');
  });
});

describe('tags, Unsubscribe and DeleteTopic through boto3', () => {
  it('TagResource / UntagResource / ListTagsForResource', () => {
    const t = out.tags;
    expect(t.afterTag).toEqual([
      { Key: 'team', Value: 'ops' },
      { Key: 'env', Value: 'prod' },
      { Key: 'cost', Value: 'center-1' },
    ]);
    expect(t.afterUntag).toEqual([{ Key: 'env', Value: 'prod' }]);
    expectFailure(t.missing, 'ResourceNotFoundException', 'ResourceNotFound', 404);
  });

  it('Unsubscribe removes the subscription and counts it as deleted', () => {
    const u = out.unsubscribe;
    expect(u.remaining).toEqual([out.subscriptions.env]);
    expectFailure(u.attributesGone, 'NotFoundException', 'NotFound', 404);
    expect(u.attributesGone.isNotFound).toBe(true);
    expect(u.deleted).toBe('1');
  });

  it('DeleteTopic removes it from ListTopics; afterwards it is NotFound; deleting again succeeds', () => {
    const d = out.deleteTopic;
    expect(d.topicsAfter).toEqual([topicArn('b3-orders.fifo')]);
    expectFailure(d.getDeleted, 'NotFoundException', 'NotFound', 404, 'Topic does not exist');
    expect(d.againOk).toBe(200);
  });
});

describe('errors as botocore raises them', () => {
  it('a missing topic is client.exceptions.NotFoundException (NotFound, 404)', () => {
    for (const f of [out.errors.missingTopic, out.errors.subscribeMissingTopic, out.publish.missingTopic]) {
      expectFailure(f, 'NotFoundException', 'NotFound', 404, 'Topic does not exist');
      expect(f.isNotFound).toBe(true);
    }
    expect(wire.find((x) => x.status === 404 && x.operation === 'GetTopicAttributes')!.responseBody).toContain('<Code>NotFound</Code>');
  });

  it('a bad topic name is InvalidParameterException (InvalidParameter, 400)', () => {
    for (const f of [out.errors.badName, out.errors.fifoNameWithoutAttribute]) {
      expectFailure(f, 'InvalidParameterException', 'InvalidParameter', 400, 'Invalid parameter: Topic Name');
      expect(f.isInvalidParameter).toBe(true);
    }
  });

  it('a Number attribute that is not a number is InvalidParameterValueException (ParameterValueInvalid, 400)', () => {
    for (const f of [out.publish.badNumber, out.errors.badNumber]) {
      expectFailure(f, 'InvalidParameterValueException', 'ParameterValueInvalid', 400, "Could not cast message attribute 'n' value to number.");
      expect(f.isInvalidParameterValue).toBe(true);
    }
  });
});
