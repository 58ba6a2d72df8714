/**
 * SQS compatibility through the current `@aws-sdk/client-sqs` (awsJson1_0 + query-compatible
 * errors). Every one of the 23 operations: the happy path and AWS's error for each misuse, plus
 * the semantics an application relies on (visibility, delays, DLQ redrive and move tasks, FIFO
 * ordering, grouping and deduplication, retention, attributes and their MD5 digests).
 *
 * Time moves only through `sy.clock.advance()`; the one real-time wait is the long-poll test.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddPermissionCommand,
  BatchEntryIdsNotDistinct,
  BatchRequestTooLong,
  CancelMessageMoveTaskCommand,
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  EmptyBatchRequest,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  InvalidAttributeName,
  InvalidAttributeValue,
  InvalidBatchEntryId,
  InvalidMessageContents,
  ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand,
  ListQueueTagsCommand,
  ListQueuesCommand,
  MessageNotInflight,
  PurgeQueueCommand,
  PurgeQueueInProgress,
  QueueDeletedRecently,
  QueueDoesNotExist,
  QueueNameExists,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  RemovePermissionCommand,
  ResourceNotFoundException,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  SQSServiceException,
  StartMessageMoveTaskCommand,
  TagQueueCommand,
  TooManyEntriesInBatchRequest,
  UntagQueueCommand,
  type Message,
  type MessageAttributeValue,
  type QueueAttributeName,
  type ReceiveMessageCommandInput,
  type SendMessageCommandInput,
  type SendMessageCommandOutput,
} from '@aws-sdk/client-sqs';
import { startSwitchyard, type Switchyard } from '../src/index.js';
import { attributesMd5, encodeAttributes, md5 } from './support/digests.js';

// The attribute digest, written from shared/reference/MD5.md (independent of src/sqs/md5.ts).

type Attributes = Record<string, MessageAttributeValue>;

const bodyMd5 = (body: string): string => md5(body);

const WORKED_EXAMPLE: Attributes = {
  City: { DataType: 'String', StringValue: 'Any City' },
  Population: { DataType: 'Number', StringValue: '1250800' },
  Blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) },
};

const TRACE_HEADER = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';

// ---------------------------------------------------------------------------------------------
// Harness

let sy: Switchyard;
let sqs: SQSClient;
const ACCOUNT = '000000000000';
const run = Date.now().toString(36);
let seq = 0;

/** A queue name no other test (or earlier run against the same server) uses. */
const qname = (tag: string) => `sy-${run}-${tag}-${++seq}`;

function client(endpoint: string): SQSClient {
  return new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
}

const asAttrs = (a: Record<string, string>) => a as Partial<Record<QueueAttributeName, string>>;

async function createQueue(name: string, attributes: Record<string, string> = {}): Promise<string> {
  const out = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: asAttrs(attributes) }));
  return out.QueueUrl!;
}

const createFifo = (tag: string, attributes: Record<string, string> = {}) =>
  createQueue(`${qname(tag)}.fifo`, { FifoQueue: 'true', ...attributes });

async function queueAttributes(url: string, names: string[] = ['All']): Promise<Record<string, string>> {
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: names as QueueAttributeName[] }));
  return (out.Attributes ?? {}) as Record<string, string>;
}

const arnOf = async (url: string) => (await queueAttributes(url, ['QueueArn'])).QueueArn;

async function counts(url: string): Promise<{ visible: number; inFlight: number; delayed: number }> {
  const a = await queueAttributes(url, [
    'ApproximateNumberOfMessages',
    'ApproximateNumberOfMessagesNotVisible',
    'ApproximateNumberOfMessagesDelayed',
  ]);
  return {
    visible: Number(a.ApproximateNumberOfMessages),
    inFlight: Number(a.ApproximateNumberOfMessagesNotVisible),
    delayed: Number(a.ApproximateNumberOfMessagesDelayed),
  };
}

function send(url: string, body: string, extra: Partial<SendMessageCommandInput> = {}): Promise<SendMessageCommandOutput> {
  return sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, ...extra }));
}

async function receive(url: string, extra: Partial<ReceiveMessageCommandInput> = {}): Promise<Message[]> {
  const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, ...extra }));
  return out.Messages ?? [];
}

const bodies = (messages: Message[]) => messages.map((m) => m.Body);

/** Make an in-flight message visible again (so the next receive gets it). */
async function release(url: string, m: Message): Promise<void> {
  await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 }));
}

interface SdkError extends Error {
  Code?: string;
  Type?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number };
}

async function failure(p: Promise<unknown>): Promise<SdkError> {
  let value: unknown;
  try {
    value = await p;
  } catch (err) {
    return err as SdkError;
  }
  throw new Error(`expected the call to fail, but it returned ${JSON.stringify(value)}`);
}

/**
 * AWS's error as the SDK reports it: the class/name from `__type`, the legacy query code from
 * `x-amzn-query-error` (err.Code, err.Type), and the HTTP status.
 */
async function expectAwsError(p: Promise<unknown>, name: string, code: string, status = 400): Promise<SdkError> {
  const err = await failure(p);
  expect({ name: err.name, code: err.Code, type: err.Type, status: err.$metadata?.httpStatusCode, fault: err.$fault }).toEqual({
    name,
    code,
    type: 'Sender',
    status,
    fault: 'client',
  });
  expect(err).toBeInstanceOf(SQSServiceException);
  return err;
}

const nonExistentQueue = (p: Promise<unknown>) =>
  expectAwsError(p, 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue').then((err) => {
    expect(err).toBeInstanceOf(QueueDoesNotExist);
    expect(err.message).toBe('The specified queue does not exist.');
  });

const invalidParameterValue = (p: Promise<unknown>) => expectAwsError(p, 'InvalidParameterValue', 'InvalidParameterValue');

beforeAll(async () => {
  sy = await startSwitchyard({ port: 0 });
  sqs = client(sy.endpoint);
});

afterAll(async () => {
  sqs?.destroy();
  await sy?.stop();
});

// ---------------------------------------------------------------------------------------------

describe('the attribute digest used by this suite (MD5.md)', () => {
  it('reproduces the worked example byte for byte and its digest', () => {
    const bytes = encodeAttributes(WORKED_EXAMPLE);
    expect(bytes.length).toBe(93);
    expect(bytes.subarray(0, 26).toString('hex')).toBe('00000004426c6f620000000642696e6172790200000003010203');
    expect(attributesMd5(WORKED_EXAMPLE)).toBe('1f95e5086c99f10a02072a6b358e2465');
    expect(bodyMd5('{"hello":"world"}')).toBe('fbc24bcc7a1794758fc1327fcfebdaf6');
  });

  it('reproduces the published AWS vectors', () => {
    expect(attributesMd5({ baz: { DataType: 'String', StringValue: 'qux' } })).toBe('16bd0283a5b4962721ccd3efe4bc6257');
    expect(attributesMd5({ timestamp: { DataType: 'Number', StringValue: '1493147359900' } })).toBe('235c5c510d26fb653d073faed50ae77c');
    expect(attributesMd5({ 'SOME_Valid.attribute-Name': { DataType: 'Number', StringValue: '1493147359900' } })).toBe(
      '36655e7e9d7c0e8479fa3f3f42247ae7',
    );
    expect(attributesMd5({ price: { DataType: 'Number.float', StringValue: '9.99' } })).toBe('a708d61fa9258d76a4db3b9f79a9b437');
    expect(attributesMd5({ price: { DataType: 'Number', StringValue: '9.99' } })).toBe('fddd202d660e3a312b6e11692ecfb118');
    expect(attributesMd5({ AWSTraceHeader: { DataType: 'String', StringValue: TRACE_HEADER } })).toBe('5ae4d5d7636402d80f4eb6d213245a88');
    expect(bodyMd5('héllo wörld 🌍')).toBe('0e487ea323b9fe6a06a7796b48540d5c');
  });
});

describe('CreateQueue', () => {
  it('creates a queue whose URL points at the host the client used', async () => {
    const name = qname('create');
    const url = await createQueue(name);
    expect(url).toBe(`${sy.endpoint}/${ACCOUNT}/${name}`);

    const viaLocalhost = client(`http://localhost:${sy.port}`);
    try {
      const got = await viaLocalhost.send(new GetQueueUrlCommand({ QueueName: name }));
      expect(got.QueueUrl).toBe(`http://localhost:${sy.port}/${ACCOUNT}/${name}`);
      const listed = await viaLocalhost.send(new ListQueuesCommand({ QueueNamePrefix: name }));
      expect(listed.QueueUrls).toEqual([`http://localhost:${sy.port}/${ACCOUNT}/${name}`]);
      const created = await viaLocalhost.send(new CreateQueueCommand({ QueueName: qname('create-localhost') }));
      expect(created.QueueUrl).toMatch(new RegExp(`^http://localhost:${sy.port}/${ACCOUNT}/sy-`));
      // Any host in a QueueUrl names the same queue: the 127.0.0.1 URL works through this client.
      await viaLocalhost.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'via localhost' }));
      expect(bodies(await receive(url))).toEqual(['via localhost']);
    } finally {
      viaLocalhost.destroy();
    }
  });

  it('is idempotent for the same attributes (and for none), returning the same URL', async () => {
    const name = qname('idem');
    const url = await createQueue(name, { VisibilityTimeout: '69', DelaySeconds: '1' });
    expect(await createQueue(name, { VisibilityTimeout: '69', DelaySeconds: '1' })).toBe(url);
    expect(await createQueue(name, { DelaySeconds: '1' })).toBe(url);
    expect(await createQueue(name)).toBe(url);
  });

  it('refuses the same name with a different attribute value (QueueNameExists / QueueAlreadyExists)', async () => {
    const name = qname('exists');
    await createQueue(name, { DelaySeconds: '1' });
    const err = await expectAwsError(createQueue(name, { DelaySeconds: '2' }), 'QueueNameExists', 'QueueAlreadyExists');
    expect(err).toBeInstanceOf(QueueNameExists);
    expect(err.message).toBe('A queue already exists with the same name and a different value for attribute DelaySeconds');

    const fifo = `${qname('exists')}.fifo`;
    await createQueue(fifo, { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    await expectAwsError(
      createQueue(fifo, { FifoQueue: 'true', ContentBasedDeduplication: 'false' }),
      'QueueNameExists',
      'QueueAlreadyExists',
    );
  });

  it('stores tags given at creation', async () => {
    const out = await sqs.send(new CreateQueueCommand({ QueueName: qname('tags'), tags: { team: 'core', env: 'dev' } }));
    const tags = await sqs.send(new ListQueueTagsCommand({ QueueUrl: out.QueueUrl }));
    expect(tags.Tags).toEqual({ team: 'core', env: 'dev' });
  });

  it('rejects invalid names with InvalidParameterValue', async () => {
    await invalidParameterValue(createQueue('has space'));
    await invalidParameterValue(createQueue('x'.repeat(81)));
    // FIFO queues must end in .fifo, and only FIFO queues may.
    await invalidParameterValue(createQueue(qname('nofifosuffix'), { FifoQueue: 'true' }));
    await invalidParameterValue(createQueue(`${qname('standard')}.fifo`));
  });

  it('rejects unknown attributes (InvalidAttributeName) and bad values (InvalidAttributeValue)', async () => {
    const unknown = await expectAwsError(createQueue(qname('badattr'), { Bogus: '1' }), 'InvalidAttributeName', 'InvalidAttributeName');
    expect(unknown).toBeInstanceOf(InvalidAttributeName);
    expect(unknown.message).toBe('Unknown Attribute Bogus.');
    // FIFO-only attributes are unknown on a standard queue.
    await expectAwsError(
      createQueue(qname('badattr'), { ContentBasedDeduplication: 'true' }),
      'InvalidAttributeName',
      'InvalidAttributeName',
    );
    const value = await expectAwsError(
      createQueue(qname('badattr'), { VisibilityTimeout: '43201' }),
      'InvalidAttributeValue',
      'InvalidAttributeValue',
    );
    expect(value).toBeInstanceOf(InvalidAttributeValue);
    await expectAwsError(createQueue(qname('badattr'), { MessageRetentionPeriod: '59' }), 'InvalidAttributeValue', 'InvalidAttributeValue');
    await expectAwsError(createQueue(qname('badattr'), { DelaySeconds: 'soon' }), 'InvalidAttributeValue', 'InvalidAttributeValue');
  });
});

describe('GetQueueUrl', () => {
  it('returns the URL of an existing queue', async () => {
    const name = qname('geturl');
    const url = await createQueue(name);
    const out = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    expect(out.QueueUrl).toBe(url);
    const owned = await sqs.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: ACCOUNT }));
    expect(owned.QueueUrl).toBe(url);
  });

  it('answers QueueDoesNotExist (AWS.SimpleQueueService.NonExistentQueue) for an unknown name or owner', async () => {
    await nonExistentQueue(sqs.send(new GetQueueUrlCommand({ QueueName: qname('missing') })));
    const name = qname('otherowner');
    await createQueue(name);
    await nonExistentQueue(sqs.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: '111122223333' })));
  });
});

describe('ListQueues', () => {
  it('filters by prefix and pages with MaxResults / NextToken', async () => {
    const prefix = `sy-${run}-lq-`;
    const urls: string[] = [];
    for (let i = 0; i < 5; i++) urls.push(await createQueue(qname('lq')));
    await createQueue(qname('lqother'));

    const all = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix }));
    expect([...all.QueueUrls!].sort()).toEqual([...urls].sort());
    expect(all.NextToken).toBeUndefined();

    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const page = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 2, NextToken: token }));
      pages.push(page.QueueUrls ?? []);
      token = page.NextToken;
    } while (token && pages.length < 10);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat().sort()).toEqual([...urls].sort());

    const none = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: `sy-${run}-nothing-here` }));
    expect(none.QueueUrls ?? []).toEqual([]);
  });

  it('rejects MaxResults outside 1-1000 with InvalidParameterValue', async () => {
    await invalidParameterValue(sqs.send(new ListQueuesCommand({ MaxResults: 0 })));
    await invalidParameterValue(sqs.send(new ListQueuesCommand({ MaxResults: 1001 })));
  });
});

describe('DeleteQueue', () => {
  it('deletes the queue and its messages; the name is reusable only after 60 s (QueueDeletedRecently)', async () => {
    const name = qname('delete');
    const url = await createQueue(name);
    await send(url, 'doomed');
    await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));

    await nonExistentQueue(sqs.send(new GetQueueUrlCommand({ QueueName: name })));
    await nonExistentQueue(send(url, 'too late'));
    await nonExistentQueue(sqs.send(new DeleteQueueCommand({ QueueUrl: url })));

    const err = await expectAwsError(createQueue(name), 'QueueDeletedRecently', 'AWS.SimpleQueueService.QueueDeletedRecently');
    expect(err).toBeInstanceOf(QueueDeletedRecently);
    expect(err.message).toBe('You must wait 60 seconds after deleting a queue before you can create another with the same name.');

    sy.clock.advance(61_000);
    expect(await createQueue(name)).toBe(url);
    expect(await counts(url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('answers QueueDoesNotExist for a queue that never existed', async () => {
    await nonExistentQueue(sqs.send(new DeleteQueueCommand({ QueueUrl: `${sy.endpoint}/${ACCOUNT}/${qname('never')}` })));
  });
});

describe('GetQueueAttributes', () => {
  it('returns every attribute of a standard queue for All, with AWS defaults', async () => {
    const name = qname('attrs');
    const url = await createQueue(name);
    const a = await queueAttributes(url);
    expect(Object.keys(a).sort()).toEqual(
      [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesDelayed',
        'ApproximateNumberOfMessagesNotVisible',
        'CreatedTimestamp',
        'DelaySeconds',
        'LastModifiedTimestamp',
        'MaximumMessageSize',
        'MessageRetentionPeriod',
        'QueueArn',
        'ReceiveMessageWaitTimeSeconds',
        'SqsManagedSseEnabled',
        'VisibilityTimeout',
      ].sort(),
    );
    expect(a).toMatchObject({
      QueueArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`,
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
      ApproximateNumberOfMessagesDelayed: '0',
      VisibilityTimeout: '30',
      MaximumMessageSize: '1048576',
      MessageRetentionPeriod: '345600',
      DelaySeconds: '0',
      ReceiveMessageWaitTimeSeconds: '0',
      SqsManagedSseEnabled: 'true',
    });
    // Queue timestamps are epoch seconds.
    const now = Math.floor(sy.clock.now() / 1000);
    expect(Math.abs(Number(a.CreatedTimestamp) - now)).toBeLessThanOrEqual(2);
    expect(Math.abs(Number(a.LastModifiedTimestamp) - Number(a.CreatedTimestamp))).toBeLessThanOrEqual(1);
  });

  it('adds the FIFO attributes for a FIFO queue', async () => {
    const url = await createFifo('fifoattrs', { ContentBasedDeduplication: 'true' });
    expect(await queueAttributes(url)).toMatchObject({
      FifoQueue: 'true',
      ContentBasedDeduplication: 'true',
      DeduplicationScope: 'queue',
      FifoThroughputLimit: 'perQueue',
    });
  });

  it('returns only the attributes asked for', async () => {
    const url = await createQueue(qname('someattrs'), { VisibilityTimeout: '20' });
    const a = await queueAttributes(url, ['VisibilityTimeout', 'QueueArn']);
    expect(Object.keys(a).sort()).toEqual(['QueueArn', 'VisibilityTimeout']);
    expect(a.VisibilityTimeout).toBe('20');
  });

  it('counts visible, in-flight and delayed messages (Approximate*)', async () => {
    const url = await createQueue(qname('counters'));
    await send(url, 'a');
    await send(url, 'b');
    await send(url, 'c', { DelaySeconds: 60 });
    expect(await counts(url)).toEqual({ visible: 2, inFlight: 0, delayed: 1 });
    expect(await receive(url)).toHaveLength(1);
    expect(await counts(url)).toEqual({ visible: 1, inFlight: 1, delayed: 1 });
    sy.clock.advance(60_001); // the delay ends, and so does the in-flight message's visibility timeout
    expect(await counts(url)).toEqual({ visible: 3, inFlight: 0, delayed: 0 });
  });

  it('rejects an unknown attribute name (InvalidAttributeName) and an unknown queue', async () => {
    const url = await createQueue(qname('badget'));
    const err = await expectAwsError(queueAttributes(url, ['Foobar']), 'InvalidAttributeName', 'InvalidAttributeName');
    expect(err.message).toBe('Unknown Attribute Foobar.');
    await nonExistentQueue(queueAttributes(`${sy.endpoint}/${ACCOUNT}/${qname('nope')}`));
  });
});

describe('SetQueueAttributes', () => {
  it('changes attributes, which then govern behaviour, and moves LastModifiedTimestamp', async () => {
    const url = await createQueue(qname('set'));
    const before = await queueAttributes(url);
    sy.clock.advance(10_000);
    await sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: url,
        Attributes: asAttrs({ VisibilityTimeout: '45', MaximumMessageSize: '2048', DelaySeconds: '0', MessageRetentionPeriod: '604800' }),
      }),
    );
    const after = await queueAttributes(url);
    expect(after).toMatchObject({ VisibilityTimeout: '45', MaximumMessageSize: '2048', MessageRetentionPeriod: '604800' });
    expect(after.CreatedTimestamp).toBe(before.CreatedTimestamp);
    const moved = Number(after.LastModifiedTimestamp) - Number(before.LastModifiedTimestamp);
    expect(moved).toBeGreaterThanOrEqual(9);
    expect(moved).toBeLessThanOrEqual(11);

    // The new visibility timeout applies to the next receive.
    await send(url, 'governed');
    expect(await receive(url)).toHaveLength(1);
    sy.clock.advance(31_000);
    expect(await receive(url)).toEqual([]);
    sy.clock.advance(15_000);
    expect(bodies(await receive(url))).toEqual(['governed']);

    // The new maximum size applies to the next send.
    await invalidParameterValue(send(url, 'x'.repeat(2049)));
  });

  it('rejects bad values (InvalidAttributeValue) and unknown names (InvalidAttributeName)', async () => {
    const url = await createQueue(qname('setbad'));
    const set = (a: Record<string, string>) => sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: asAttrs(a) }));
    await expectAwsError(set({ VisibilityTimeout: '43201' }), 'InvalidAttributeValue', 'InvalidAttributeValue');
    await expectAwsError(set({ MessageRetentionPeriod: '1209601' }), 'InvalidAttributeValue', 'InvalidAttributeValue');
    await expectAwsError(set({ MaximumMessageSize: '1023' }), 'InvalidAttributeValue', 'InvalidAttributeValue');
    await expectAwsError(set({ ApproximateNumberOfMessages: '5' }), 'InvalidAttributeName', 'InvalidAttributeName');
    await expectAwsError(set({ Bogus: '1' }), 'InvalidAttributeName', 'InvalidAttributeName');
    await nonExistentQueue(
      sqs.send(new SetQueueAttributesCommand({ QueueUrl: `${url}-gone`, Attributes: asAttrs({ VisibilityTimeout: '1' }) })),
    );
  });

  it('treats FifoQueue as unknown on a standard queue and immutable on a FIFO queue', async () => {
    const standard = await createQueue(qname('setfifo'));
    const err = await expectAwsError(
      sqs.send(new SetQueueAttributesCommand({ QueueUrl: standard, Attributes: asAttrs({ FifoQueue: 'true' }) })),
      'InvalidAttributeName',
      'InvalidAttributeName',
    );
    expect(err.message).toBe('Unknown Attribute FifoQueue.');

    const fifo = await createFifo('setfifo');
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: fifo, Attributes: asAttrs({ FifoQueue: 'true' }) }));
    const change = await expectAwsError(
      sqs.send(new SetQueueAttributesCommand({ QueueUrl: fifo, Attributes: asAttrs({ FifoQueue: 'false' }) })),
      'InvalidAttributeValue',
      'InvalidAttributeValue',
    );
    expect(change.message).toBe('Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.');
    expect((await queueAttributes(fifo)).FifoQueue).toBe('true');
  });

  it('validates RedrivePolicy targets (InvalidParameterValue) and removes a Policy set to ""', async () => {
    const url = await createQueue(qname('redrive'));
    const missing = `arn:aws:sqs:us-east-1:${ACCOUNT}:${qname('nodlq')}`;
    const err = await invalidParameterValue(
      sqs.send(
        new SetQueueAttributesCommand({
          QueueUrl: url,
          Attributes: asAttrs({ RedrivePolicy: JSON.stringify({ deadLetterTargetArn: missing, maxReceiveCount: 3 }) }),
        }),
      ),
    );
    expect(err.message).toContain('Dead letter target does not exist');

    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sqs:SendMessage' }] });
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: asAttrs({ Policy: policy }) }));
    expect(JSON.parse((await queueAttributes(url, ['Policy'])).Policy).Statement[0].Action).toBe('sqs:SendMessage');
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: asAttrs({ Policy: '' }) }));
    expect((await queueAttributes(url)).Policy).toBeUndefined();
  });
});

describe('SendMessage', () => {
  it('returns a MessageId and the body digest, and the message is received intact', async () => {
    const url = await createQueue(qname('send'));
    const out = await send(url, 'hello world');
    expect(out.MessageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(out.MD5OfMessageBody).toBe('5eb63bbbe01eeed093cb22bb8f5acdc3');
    expect(out.MD5OfMessageAttributes).toBeUndefined();
    expect(out.MD5OfMessageSystemAttributes).toBeUndefined();
    expect(out.SequenceNumber).toBeUndefined();
    const [m] = await receive(url);
    expect(m).toMatchObject({ MessageId: out.MessageId, Body: 'hello world', MD5OfBody: '5eb63bbbe01eeed093cb22bb8f5acdc3' });
    expect(m.ReceiptHandle).toEqual(expect.any(String));
    expect(m.MessageAttributes).toBeUndefined();
    expect(m.MD5OfMessageAttributes).toBeUndefined();
  });

  it('keeps every body byte for byte; the SDK body-digest check accepts every response', async () => {
    const url = await createQueue(qname('bodies'));
    const samples = [
      'line one\r\nline two\r\n',
      'lone\rcarriage',
      'héllo wörld 🌍',
      '日本語のテキスト',
      '{"foo":20}',
      '"&quot;&quot;\r',
      '<xml attr="1">&amp;</xml>',
      '\ttabbed\n',
      '𝄞 music, \uE000 private use, \uFFFD replacement',
    ];
    for (const body of samples) {
      const out = await send(url, body);
      expect(out.MD5OfMessageBody).toBe(bodyMd5(body));
    }
    const batch = await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: url, Entries: samples.slice(0, 5).map((b, i) => ({ Id: `b${i}`, MessageBody: b })) }),
    );
    expect(batch.Successful!.map((s) => s.MD5OfMessageBody)).toEqual(samples.slice(0, 5).map(bodyMd5));

    const got: Message[] = [];
    for (let i = 0; i < 5 && got.length < samples.length + 5; i++) got.push(...(await receive(url, { MaxNumberOfMessages: 10 })));
    expect(got).toHaveLength(samples.length + 5);
    for (const m of got) expect(m.MD5OfBody).toBe(bodyMd5(m.Body!));
    expect(bodies(got).sort()).toEqual([...samples, ...samples.slice(0, 5)].sort());
    expect(bodyMd5('héllo wörld 🌍')).toBe('0e487ea323b9fe6a06a7796b48540d5c');
  });

  it('accepts exactly 1 MiB and rejects more (attributes count towards the size)', async () => {
    const url = await createQueue(qname('size'));
    const max = 1_048_576;
    const big = await send(url, 'a'.repeat(max));
    expect(big.MD5OfMessageBody).toBe(bodyMd5('a'.repeat(max)));
    const err = await invalidParameterValue(send(url, 'a'.repeat(max + 1)));
    expect(err.message).toBe(`One or more parameters are invalid. Reason: Message must be shorter than ${max} bytes.`);
    // name "k" (1) + type "String" (6) + value "x" (1) = 8 bytes on top of the body.
    await invalidParameterValue(send(url, 'a'.repeat(max - 7), { MessageAttributes: { k: { DataType: 'String', StringValue: 'x' } } }));
    await send(url, 'a'.repeat(max - 8), { MessageAttributes: { k: { DataType: 'String', StringValue: 'x' } } });
    expect((await counts(url)).visible).toBe(2);
  });

  it('rejects characters outside the XML range with InvalidMessageContents', async () => {
    const url = await createQueue(qname('badchars'));
    for (const body of ['nul \u0000 inside', 'bell \u0007', 'lone surrogate \uD800', 'noncharacter \uFFFF']) {
      const err = await expectAwsError(send(url, body), 'InvalidMessageContents', 'InvalidMessageContents');
      expect(err).toBeInstanceOf(InvalidMessageContents);
    }
    expect(await counts(url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('rejects more than 10 attributes, invalid attribute names, types and values with InvalidParameterValue', async () => {
    const url = await createQueue(qname('badattrs'));
    const eleven: Attributes = {};
    for (let i = 0; i < 11; i++) eleven[`a${i}`] = { DataType: 'String', StringValue: 'v' };
    await invalidParameterValue(send(url, 'x', { MessageAttributes: eleven }));
    const ten = Object.fromEntries(Object.entries(eleven).slice(0, 10));
    expect((await send(url, 'x', { MessageAttributes: ten })).MD5OfMessageAttributes).toBe(attributesMd5(ten));

    const str = (StringValue: string): MessageAttributeValue => ({ DataType: 'String', StringValue });
    for (const name of ['AWS.reserved', 'amazon.reserved', '.leading', 'trailing.', 'double..dot', 'bad!char', 'L'.repeat(257)])
      await invalidParameterValue(send(url, 'x', { MessageAttributes: { [name]: str('v') } }));
    await invalidParameterValue(send(url, 'x', { MessageAttributes: { n: { DataType: 'Number', StringValue: 'twelve' } } }));
    await invalidParameterValue(send(url, 'x', { MessageAttributes: { t: { DataType: 'Invalid', StringValue: 'v' } } }));
    await invalidParameterValue(send(url, 'x', { MessageAttributes: { e: str('') } }));
    await invalidParameterValue(send(url, 'x', { MessageAttributes: { ctl: str('bad \u0008 value') } }));
    // Letters outside ASCII are allowed in names (validated against AWS by LocalStack).
    const intl = { 'attr.1øßä': str('Valida') };
    expect((await send(url, 'x', { MessageAttributes: intl })).MD5OfMessageAttributes).toBe(attributesMd5(intl));
  });

  it('rejects DelaySeconds over 900 and MessageDeduplicationId on a standard queue', async () => {
    const url = await createQueue(qname('baddelay'));
    await invalidParameterValue(send(url, 'x', { DelaySeconds: 901 }));
    await invalidParameterValue(send(url, 'x', { MessageDeduplicationId: 'd1' }));
    await send(url, 'x', { DelaySeconds: 900 });
    expect((await counts(url)).delayed).toBe(1);
  });

  it('answers QueueDoesNotExist for an unknown queue', async () => {
    await nonExistentQueue(send(`${sy.endpoint}/${ACCOUNT}/${qname('nosuch')}`, 'x'));
  });
});

describe('SendMessageBatch', () => {
  it('sends every entry and answers each with its digests', async () => {
    const url = await createQueue(qname('batch'));
    const attrs: Attributes = { color: { DataType: 'String', StringValue: 'red' } };
    const out = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'one', MessageBody: 'first' },
          { Id: 'two', MessageBody: 'second', MessageAttributes: attrs },
          {
            Id: 'three_3',
            MessageBody: 'third',
            DelaySeconds: 30,
            MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: TRACE_HEADER } },
          },
        ],
      }),
    );
    expect(out.Failed ?? []).toEqual([]);
    const byId = Object.fromEntries(out.Successful!.map((s) => [s.Id, s]));
    expect(Object.keys(byId).sort()).toEqual(['one', 'three_3', 'two']);
    expect(byId.one.MD5OfMessageBody).toBe(bodyMd5('first'));
    expect(byId.one.MD5OfMessageAttributes).toBeUndefined();
    expect(byId.two.MD5OfMessageAttributes).toBe(attributesMd5(attrs));
    expect(byId.three_3.MD5OfMessageSystemAttributes).toBe('5ae4d5d7636402d80f4eb6d213245a88');
    expect(new Set(out.Successful!.map((s) => s.MessageId)).size).toBe(3);
    expect(await counts(url)).toEqual({ visible: 2, inFlight: 0, delayed: 1 });
  });

  it('fails only the bad entries, with a per-entry code and SenderFault', async () => {
    const url = await createQueue(qname('batchpartial'));
    const eleven: Attributes = {};
    for (let i = 0; i < 11; i++) eleven[`a${i}`] = { DataType: 'String', StringValue: 'v' };
    const out = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'ok1', MessageBody: 'fine' },
          { Id: 'ctl', MessageBody: 'control \u0001 char' },
          { Id: 'attrs', MessageBody: 'too many attributes', MessageAttributes: eleven },
          { Id: 'ok2', MessageBody: 'also fine' },
        ],
      }),
    );
    expect(out.Successful!.map((s) => s.Id).sort()).toEqual(['ok1', 'ok2']);
    const failed = Object.fromEntries(out.Failed!.map((f) => [f.Id, f]));
    expect(failed.ctl).toMatchObject({ SenderFault: true, Code: 'InvalidMessageContents' });
    expect(failed.attrs).toMatchObject({ SenderFault: true, Code: 'InvalidParameterValue' });
    expect(failed.ctl.Message).toEqual(expect.any(String));
    expect(bodies(await receive(url, { MaxNumberOfMessages: 10 })).sort()).toEqual(['also fine', 'fine']);
  });

  it('rejects empty, oversized, duplicate-id and bad-id batches', async () => {
    const url = await createQueue(qname('batchbad'));
    const batch = (Entries: { Id: string; MessageBody: string }[]) => sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries }));

    const empty = await expectAwsError(batch([]), 'EmptyBatchRequest', 'AWS.SimpleQueueService.EmptyBatchRequest');
    expect(empty).toBeInstanceOf(EmptyBatchRequest);

    const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, MessageBody: `b${i}` }));
    const tooMany = await expectAwsError(batch(eleven), 'TooManyEntriesInBatchRequest', 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest');
    expect(tooMany).toBeInstanceOf(TooManyEntriesInBatchRequest);
    expect(tooMany.message).toBe('Maximum number of entries per request are 10. You have sent 11.');

    const dup = await expectAwsError(
      batch([
        { Id: 'same', MessageBody: 'a' },
        { Id: 'same', MessageBody: 'b' },
      ]),
      'BatchEntryIdsNotDistinct',
      'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
    );
    expect(dup).toBeInstanceOf(BatchEntryIdsNotDistinct);

    for (const id of ['invalid:id', 'x'.repeat(81), '']) {
      const bad = await expectAwsError(batch([{ Id: id, MessageBody: 'a' }]), 'InvalidBatchEntryId', 'AWS.SimpleQueueService.InvalidBatchEntryId');
      expect(bad).toBeInstanceOf(InvalidBatchEntryId);
      expect(bad.message).toBe(
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      );
    }

    const tooLong = await expectAwsError(
      batch([
        { Id: 'a', MessageBody: 'a'.repeat(600_000) },
        { Id: 'b', MessageBody: 'b'.repeat(600_000) },
      ]),
      'BatchRequestTooLong',
      'AWS.SimpleQueueService.BatchRequestTooLong',
    );
    expect(tooLong).toBeInstanceOf(BatchRequestTooLong);
    expect(tooLong.message).toBe('Batch requests cannot be longer than 1048576 bytes. You have sent 1200000 bytes.');
    expect(await counts(url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it("caps the batch total at the service limit, not at the queue's MaximumMessageSize", async () => {
    const url = await createQueue(qname('batchmax'), { MaximumMessageSize: '2048' });
    const attrs: Attributes = { k: { DataType: 'String', StringValue: 'x' } };
    const out = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: '1', MessageBody: 'a'.repeat(2048 - 8), MessageAttributes: attrs },
          { Id: '2', MessageBody: 'a' },
        ],
      }),
    );
    expect(out.Successful!.map((s) => s.Id)).toEqual(['1', '2']);
    expect(out.Successful![1].MD5OfMessageBody).toBe('0cc175b9c0f1b6a831c399e269772661');
  });

  it('answers QueueDoesNotExist for an unknown queue', async () => {
    await nonExistentQueue(
      sqs.send(new SendMessageBatchCommand({ QueueUrl: `${sy.endpoint}/${ACCOUNT}/${qname('nosuch')}`, Entries: [{ Id: 'a', MessageBody: 'a' }] })),
    );
  });
});

describe('ReceiveMessage', () => {
  it('returns nothing from an empty queue and up to MaxNumberOfMessages messages', async () => {
    const url = await createQueue(qname('recv'));
    const empty = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    expect(empty.Messages).toBeUndefined();
    for (let i = 0; i < 12; i++) await send(url, `m${i}`);
    expect(await receive(url)).toHaveLength(1);
    expect(await receive(url, { MaxNumberOfMessages: 10 })).toHaveLength(10);
    expect(await receive(url, { MaxNumberOfMessages: 10 })).toHaveLength(1);
    expect(await counts(url)).toEqual({ visible: 0, inFlight: 12, delayed: 0 });
  });

  it('returns system attributes on request (MessageSystemAttributeNames and the old AttributeNames)', async () => {
    const url = await createQueue(qname('sysattrs'));
    const sent = await send(url, 'with attributes');
    const sentAt = sy.clock.now();
    const [m] = await receive(url, { MessageSystemAttributeNames: ['All'] });
    expect(m.MessageId).toBe(sent.MessageId);
    expect(Object.keys(m.Attributes!).sort()).toEqual(['ApproximateFirstReceiveTimestamp', 'ApproximateReceiveCount', 'SenderId', 'SentTimestamp']);
    expect(m.Attributes!.ApproximateReceiveCount).toBe('1');
    expect(m.Attributes!.SenderId).toEqual(expect.any(String));
    // Message timestamps are epoch milliseconds.
    expect(Math.abs(Number(m.Attributes!.SentTimestamp) - sentAt)).toBeLessThan(2_000);
    expect(Number(m.Attributes!.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(Number(m.Attributes!.SentTimestamp));

    await release(url, m);
    const [old] = await receive(url, { AttributeNames: ['All'] });
    expect(old.Attributes!.ApproximateReceiveCount).toBe('2');
    await release(url, old);
    const [one] = await receive(url, { MessageSystemAttributeNames: ['SenderId', 'SequenceNumber'] });
    expect(Object.keys(one.Attributes!)).toEqual(['SenderId']);
    await release(url, one);
    const [none] = await receive(url);
    expect(none.Attributes).toBeUndefined();
  });

  it('rejects MaxNumberOfMessages outside 1-10, WaitTimeSeconds over 20 and VisibilityTimeout over 12 h', async () => {
    const url = await createQueue(qname('recvbad'));
    const err = await invalidParameterValue(receive(url, { MaxNumberOfMessages: 11 }));
    expect(err.message).toBe('Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.');
    await invalidParameterValue(receive(url, { MaxNumberOfMessages: 0 }));
    await invalidParameterValue(receive(url, { WaitTimeSeconds: 21 }));
    await invalidParameterValue(receive(url, { VisibilityTimeout: 43_201 }));
    await nonExistentQueue(receive(`${sy.endpoint}/${ACCOUNT}/${qname('nosuch')}`));
  });

  it('a receive waiting 5 s (WaitTimeSeconds: 5) returns within 100 ms of a send', async () => {
    const url = await createQueue(qname('longpoll'));
    const started = performance.now();
    let resolvedAt = 0;
    const pending = sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5 })).then((out) => {
      resolvedAt = performance.now();
      return out;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(resolvedAt).toBe(0); // still waiting
    const sentAt = performance.now();
    await send(url, 'wake up');
    const out = await pending;
    expect(bodies(out.Messages ?? [])).toEqual(['wake up']);
    expect(resolvedAt - sentAt).toBeLessThan(100);
    expect(resolvedAt - started).toBeGreaterThanOrEqual(190);
  });
});

describe('visibility timeout', () => {
  it('hides a received message until the timeout passes, then redelivers it with ApproximateReceiveCount 2', async () => {
    const url = await createQueue(qname('vis'));
    const sent = await send(url, 'once more');
    const [first] = await receive(url, { MessageSystemAttributeNames: ['All'] });
    expect(first.Attributes!.ApproximateReceiveCount).toBe('1');
    expect(await receive(url)).toEqual([]);
    sy.clock.advance(29_000);
    expect(await receive(url)).toEqual([]);
    sy.clock.advance(1_500);
    const [second] = await receive(url, { MessageSystemAttributeNames: ['All'] });
    expect(second.MessageId).toBe(sent.MessageId);
    expect(second.Attributes!.ApproximateReceiveCount).toBe('2');
    expect(second.Attributes!.ApproximateFirstReceiveTimestamp).toBe(first.Attributes!.ApproximateFirstReceiveTimestamp);
    expect(second.ReceiptHandle).not.toBe(first.ReceiptHandle);
  });

  it('honours a per-receive VisibilityTimeout', async () => {
    const url = await createQueue(qname('visrecv'));
    await send(url, 'short');
    expect(await receive(url, { VisibilityTimeout: 5 })).toHaveLength(1);
    sy.clock.advance(4_000);
    expect(await receive(url)).toEqual([]);
    sy.clock.advance(1_500);
    expect(bodies(await receive(url))).toEqual(['short']);
  });
});

describe('DeleteMessage', () => {
  it('deletes a received message; deleting again is harmless', async () => {
    const url = await createQueue(qname('del'));
    await send(url, 'bye');
    const [m] = await receive(url, { VisibilityTimeout: 5 });
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    sy.clock.advance(6_000);
    expect(await receive(url)).toEqual([]);
    expect(await counts(url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('deletes with the handle of an expired receive, but not with one superseded by a newer receive', async () => {
    const url = await createQueue(qname('delold'));
    await send(url, 'expired handle');
    const [a] = await receive(url, { VisibilityTimeout: 1 });
    sy.clock.advance(2_000);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: a.ReceiptHandle }));
    expect(await counts(url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });

    await send(url, 'superseded handle');
    const [b1] = await receive(url, { VisibilityTimeout: 1 });
    sy.clock.advance(2_000);
    const [b2] = await receive(url, { VisibilityTimeout: 30 });
    // "You must provide the most recently received ReceiptHandle (otherwise, the request succeeds,
    // but the message will not be deleted)."
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: b1.ReceiptHandle }));
    expect(await counts(url)).toEqual({ visible: 0, inFlight: 1, delayed: 0 });
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: b2.ReceiptHandle }));
    expect(await counts(url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('rejects a malformed receipt handle with ReceiptHandleIsInvalid (404)', async () => {
    const url = await createQueue(qname('delbad'));
    const err = await expectAwsError(
      sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'garbage' })),
      'ReceiptHandleIsInvalid',
      'ReceiptHandleIsInvalid',
      404,
    );
    expect(err).toBeInstanceOf(ReceiptHandleIsInvalid);
    expect(err.message).toBe('The input receipt handle "garbage" is not a valid receipt handle.');
    await nonExistentQueue(sqs.send(new DeleteMessageCommand({ QueueUrl: `${url}-gone`, ReceiptHandle: 'garbage' })));
  });

  it('on a FIFO queue, refuses a receipt handle whose visibility timeout has expired', async () => {
    const url = await createFifo('delfifo', { VisibilityTimeout: '1', ContentBasedDeduplication: 'true' });
    await send(url, 'g1-m1', { MessageGroupId: 'g1' });
    const [m] = await receive(url);
    sy.clock.advance(2_000);
    const err = await invalidParameterValue(sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle })));
    expect(err.message).toBe(`Value ${m.ReceiptHandle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`);
    expect((await counts(url)).visible).toBe(1);
  });
});

describe('DeleteMessageBatch', () => {
  it('deletes each entry and fails only malformed handles', async () => {
    const url = await createQueue(qname('delbatch'));
    for (const b of ['a', 'b', 'c']) await send(url, b);
    const got = await receive(url, { MaxNumberOfMessages: 10 });
    expect(got).toHaveLength(3);
    const out = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'm0', ReceiptHandle: got[0].ReceiptHandle },
          { Id: 'bad', ReceiptHandle: 'not-a-handle' },
          { Id: 'm1', ReceiptHandle: got[1].ReceiptHandle },
        ],
      }),
    );
    expect(out.Successful!.map((s) => s.Id).sort()).toEqual(['m0', 'm1']);
    expect(out.Failed).toEqual([
      expect.objectContaining({ Id: 'bad', SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: expect.any(String) }),
    ]);
    expect(await counts(url)).toEqual({ visible: 0, inFlight: 1, delayed: 0 });
  });

  it('rejects empty, oversized, duplicate-id and bad-id batches', async () => {
    const url = await createQueue(qname('delbatchbad'));
    const batch = (Entries: { Id: string; ReceiptHandle: string }[]) => sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries }));
    await expectAwsError(batch([]), 'EmptyBatchRequest', 'AWS.SimpleQueueService.EmptyBatchRequest');
    await expectAwsError(
      batch(Array.from({ length: 11 }, (_, i) => ({ Id: `d${i}`, ReceiptHandle: 'h' }))),
      'TooManyEntriesInBatchRequest',
      'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
    );
    await expectAwsError(
      batch([
        { Id: 'x', ReceiptHandle: 'h1' },
        { Id: 'x', ReceiptHandle: 'h2' },
      ]),
      'BatchEntryIdsNotDistinct',
      'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
    );
    await expectAwsError(batch([{ Id: 'invalid:id', ReceiptHandle: 'h' }]), 'InvalidBatchEntryId', 'AWS.SimpleQueueService.InvalidBatchEntryId');
    await nonExistentQueue(sqs.send(new DeleteMessageBatchCommand({ QueueUrl: `${url}-gone`, Entries: [{ Id: 'a', ReceiptHandle: 'h' }] })));
  });
});

describe('ChangeMessageVisibility', () => {
  it('with 0 makes the message visible now; a longer timeout keeps it hidden longer', async () => {
    const url = await createQueue(qname('cmv'));
    const sent = await send(url, 'flip');
    const [m] = await receive(url);
    await release(url, m);
    const [again] = await receive(url, { MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
    expect(again.MessageId).toBe(sent.MessageId);
    expect(again.Attributes!.ApproximateReceiveCount).toBe('2');

    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: again.ReceiptHandle, VisibilityTimeout: 60 }));
    sy.clock.advance(31_000);
    expect(await receive(url)).toEqual([]);
    sy.clock.advance(30_000);
    expect(bodies(await receive(url))).toEqual(['flip']);
  });

  it('answers MessageNotInflight for a message that is visible again', async () => {
    const url = await createQueue(qname('notinflight'));
    await send(url, 'x');
    const [m] = await receive(url);
    await release(url, m);
    const err = await expectAwsError(
      sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 10 })),
      'MessageNotInflight',
      'AWS.SimpleQueueService.MessageNotInflight',
    );
    expect(err).toBeInstanceOf(MessageNotInflight);
  });

  it('rejects a malformed handle (ReceiptHandleIsInvalid), a deleted message and a timeout over 12 h (InvalidParameterValue)', async () => {
    const url = await createQueue(qname('cmvbad'));
    await expectAwsError(
      sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: 'INVALID', VisibilityTimeout: 60 })),
      'ReceiptHandleIsInvalid',
      'ReceiptHandleIsInvalid',
      404,
    );
    await send(url, 'x');
    const [m] = await receive(url);
    await invalidParameterValue(
      sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 43_201 })),
    );
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    const err = await invalidParameterValue(
      sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 42 })),
    );
    expect(err.message).toBe(
      `Value ${m.ReceiptHandle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
    );
    await nonExistentQueue(
      sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: `${url}-gone`, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 1 })),
    );
  });
});

describe('ChangeMessageVisibilityBatch', () => {
  it('changes each entry and fails only the bad ones', async () => {
    const url = await createQueue(qname('cmvbatch'));
    for (const b of ['a', 'b', 'c']) await send(url, b);
    const got = await receive(url, { MaxNumberOfMessages: 10 });
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: got[2].ReceiptHandle }));
    const out = await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'now', ReceiptHandle: got[0].ReceiptHandle, VisibilityTimeout: 0 },
          { Id: 'later', ReceiptHandle: got[1].ReceiptHandle, VisibilityTimeout: 120 },
          { Id: 'garbage', ReceiptHandle: 'garbage', VisibilityTimeout: 0 },
          { Id: 'deleted', ReceiptHandle: got[2].ReceiptHandle, VisibilityTimeout: 0 },
        ],
      }),
    );
    expect(out.Successful!.map((s) => s.Id).sort()).toEqual(['later', 'now']);
    const failed = Object.fromEntries(out.Failed!.map((f) => [f.Id, f]));
    expect(failed.garbage).toMatchObject({ SenderFault: true, Code: 'ReceiptHandleIsInvalid' });
    expect(failed.deleted).toMatchObject({ SenderFault: true, Code: 'InvalidParameterValue' });
    expect(bodies(await receive(url, { MaxNumberOfMessages: 10 }))).toEqual([got[0].Body]);
    sy.clock.advance(121_000);
    expect(bodies(await receive(url, { MaxNumberOfMessages: 10 })).sort()).toEqual([got[0].Body, got[1].Body].sort());
  });

  it('rejects empty, oversized, duplicate-id and bad-id batches', async () => {
    const url = await createQueue(qname('cmvbatchbad'));
    const batch = (Entries: { Id: string; ReceiptHandle: string; VisibilityTimeout: number }[]) =>
      sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: url, Entries }));
    await expectAwsError(batch([]), 'EmptyBatchRequest', 'AWS.SimpleQueueService.EmptyBatchRequest');
    await expectAwsError(
      batch(Array.from({ length: 11 }, (_, i) => ({ Id: `c${i}`, ReceiptHandle: 'h', VisibilityTimeout: 1 }))),
      'TooManyEntriesInBatchRequest',
      'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
    );
    await expectAwsError(
      batch([
        { Id: 'x', ReceiptHandle: 'h1', VisibilityTimeout: 1 },
        { Id: 'x', ReceiptHandle: 'h2', VisibilityTimeout: 1 },
      ]),
      'BatchEntryIdsNotDistinct',
      'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
    );
    await expectAwsError(
      batch([{ Id: 'bad id', ReceiptHandle: 'h', VisibilityTimeout: 1 }]),
      'InvalidBatchEntryId',
      'AWS.SimpleQueueService.InvalidBatchEntryId',
    );
    await nonExistentQueue(
      sqs.send(
        new ChangeMessageVisibilityBatchCommand({ QueueUrl: `${url}-gone`, Entries: [{ Id: 'a', ReceiptHandle: 'h', VisibilityTimeout: 1 }] }),
      ),
    );
  });
});

describe('DelaySeconds', () => {
  it('delays every message by the queue default; a per-message value overrides it', async () => {
    const url = await createQueue(qname('delay'), { DelaySeconds: '10' });
    await send(url, 'queue delay');
    await send(url, 'no delay', { DelaySeconds: 0 });
    await send(url, 'short delay', { DelaySeconds: 5 });
    expect(await counts(url)).toEqual({ visible: 1, inFlight: 0, delayed: 2 });
    expect(bodies(await receive(url, { MaxNumberOfMessages: 10 }))).toEqual(['no delay']);
    sy.clock.advance(5_001);
    expect(await counts(url)).toEqual({ visible: 1, inFlight: 1, delayed: 1 });
    expect(bodies(await receive(url, { MaxNumberOfMessages: 10 }))).toEqual(['short delay']);
    sy.clock.advance(5_000);
    expect((await counts(url)).delayed).toBe(0);
    expect(bodies(await receive(url, { MaxNumberOfMessages: 10 }))).toEqual(['queue delay']);
  });
});

describe('MessageRetentionPeriod', () => {
  it('drops messages older than the retention period', async () => {
    const url = await createQueue(qname('retention'), { MessageRetentionPeriod: '60' });
    await send(url, 'short-lived');
    sy.clock.advance(30_000);
    expect((await counts(url)).visible).toBe(1);
    sy.clock.advance(31_000);
    expect(await counts(url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(await receive(url)).toEqual([]);
  });
});

describe('PurgeQueue', () => {
  it('deletes visible, in-flight and delayed messages; a second purge within 60 s is PurgeQueueInProgress (403)', async () => {
    const url = await createQueue(qname('purge'));
    await send(url, 'visible');
    await send(url, 'in flight');
    await send(url, 'delayed', { DelaySeconds: 5 });
    expect(await receive(url)).toHaveLength(1);
    await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    expect(await counts(url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    sy.clock.advance(31_000);
    expect(await receive(url)).toEqual([]);

    const err = await expectAwsError(
      sqs.send(new PurgeQueueCommand({ QueueUrl: url })),
      'PurgeQueueInProgress',
      'AWS.SimpleQueueService.PurgeQueueInProgress',
      403,
    );
    expect(err).toBeInstanceOf(PurgeQueueInProgress);
    expect(err.message).toMatch(/^Only one PurgeQueue operation on .+ is allowed every 60 seconds\.$/);

    await send(url, 'after purge');
    sy.clock.advance(30_000);
    await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    expect(await counts(url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('clears the FIFO deduplication history', async () => {
    const url = await createFifo('purgefifo');
    await send(url, 'message-1', { MessageGroupId: 'g', MessageDeduplicationId: 'same' });
    await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    await send(url, 'message-2', { MessageGroupId: 'g', MessageDeduplicationId: 'same' });
    expect(bodies(await receive(url, { MaxNumberOfMessages: 10 }))).toEqual(['message-2']);
  });

  it('answers QueueDoesNotExist for an unknown queue', async () => {
    await nonExistentQueue(sqs.send(new PurgeQueueCommand({ QueueUrl: `${sy.endpoint}/${ACCOUNT}/${qname('nosuch')}` })));
  });
});

describe('TagQueue / UntagQueue / ListQueueTags', () => {
  it('adds, overwrites and removes tags; keys are case-sensitive', async () => {
    const url = await createQueue(qname('tags'));
    expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags ?? {}).toEqual({});
    await sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: { tag1: 'value1', tag2: 'value2', tag3: '', MyTag: 'a', mytag: 'b' } }));
    expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags).toEqual({
      tag1: 'value1',
      tag2: 'value2',
      tag3: '',
      MyTag: 'a',
      mytag: 'b',
    });
    await sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: { tag1: 'VALUE1' } }));
    await sqs.send(new UntagQueueCommand({ QueueUrl: url, TagKeys: ['tag3', 'MyTag', 'not-there'] }));
    expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags).toEqual({ tag1: 'VALUE1', tag2: 'value2', mytag: 'b' });
    await sqs.send(new UntagQueueCommand({ QueueUrl: url, TagKeys: ['tag1', 'tag2', 'mytag'] }));
    expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags ?? {}).toEqual({});
  });

  it('answers QueueDoesNotExist for an unknown queue', async () => {
    const gone = `${sy.endpoint}/${ACCOUNT}/${qname('nosuch')}`;
    await nonExistentQueue(sqs.send(new TagQueueCommand({ QueueUrl: gone, Tags: { a: 'b' } })));
    await nonExistentQueue(sqs.send(new UntagQueueCommand({ QueueUrl: gone, TagKeys: ['a'] })));
    await nonExistentQueue(sqs.send(new ListQueueTagsCommand({ QueueUrl: gone })));
  });
});

describe('AddPermission / RemovePermission', () => {
  it('adds and removes labelled statements in the queue Policy', async () => {
    const url = await createQueue(qname('perm'));
    const arn = await arnOf(url);
    await sqs.send(
      new AddPermissionCommand({ QueueUrl: url, Label: 'crossaccount', AWSAccountIds: [ACCOUNT, '668614515564'], Actions: ['ReceiveMessage'] }),
    );
    await sqs.send(new AddPermissionCommand({ QueueUrl: url, Label: 'second', AWSAccountIds: [ACCOUNT], Actions: ['SendMessage', 'DeleteMessage'] }));
    const policy = JSON.parse((await queueAttributes(url, ['Policy'])).Policy);
    const asList = (v: unknown) => (Array.isArray(v) ? v : [v]);
    expect(policy.Statement.map((s: { Sid: string }) => s.Sid)).toEqual(['crossaccount', 'second']);
    const first = policy.Statement[0];
    expect(first).toMatchObject({ Effect: 'Allow', Resource: arn });
    expect(asList(first.Action)).toEqual(['SQS:ReceiveMessage']);
    expect(asList(first.Principal.AWS).sort()).toEqual([`arn:aws:iam::${ACCOUNT}:root`, 'arn:aws:iam::668614515564:root'].sort());
    expect(asList(policy.Statement[1].Action).sort()).toEqual(['SQS:DeleteMessage', 'SQS:SendMessage']);

    await sqs.send(new RemovePermissionCommand({ QueueUrl: url, Label: 'crossaccount' }));
    const after = JSON.parse((await queueAttributes(url, ['Policy'])).Policy);
    expect(after.Statement.map((s: { Sid: string }) => s.Sid)).toEqual(['second']);
    await sqs.send(new RemovePermissionCommand({ QueueUrl: url, Label: 'second' }));
    expect((await queueAttributes(url, ['Policy'])).Policy).toBeUndefined();
  });

  it('rejects a duplicate label and an unknown label with InvalidParameterValue', async () => {
    const url = await createQueue(qname('permbad'));
    await sqs.send(new AddPermissionCommand({ QueueUrl: url, Label: 'dup', AWSAccountIds: [ACCOUNT], Actions: ['ReceiveMessage'] }));
    const dup = await invalidParameterValue(
      sqs.send(new AddPermissionCommand({ QueueUrl: url, Label: 'dup', AWSAccountIds: ['668614515564'], Actions: ['ReceiveMessage'] })),
    );
    expect(dup.message).toBe('Value dup for parameter Label is invalid. Reason: Already exists.');
    const missing = await invalidParameterValue(sqs.send(new RemovePermissionCommand({ QueueUrl: url, Label: 'missing' })));
    expect(missing.message).toBe("Value missing for parameter Label is invalid. Reason: can't find label.");
    // At most 7 actions in one permission: OverLimit (403), as AWS documents.
    const eight = ['SendMessage', 'ReceiveMessage', 'DeleteMessage', 'ChangeMessageVisibility', 'GetQueueAttributes', 'GetQueueUrl', 'PurgeQueue', 'ListQueueTags'];
    const over = await sqs
      .send(new AddPermissionCommand({ QueueUrl: url, Label: 'many', AWSAccountIds: [ACCOUNT], Actions: eight }))
      .then(() => undefined, (e: SQSServiceException) => e);
    expect(over?.name).toBe('OverLimit');
    expect(over?.$metadata.httpStatusCode).toBe(403);
    const gone = `${url}-gone`;
    await nonExistentQueue(sqs.send(new AddPermissionCommand({ QueueUrl: gone, Label: 'l', AWSAccountIds: [ACCOUNT], Actions: ['SendMessage'] })));
    await nonExistentQueue(sqs.send(new RemovePermissionCommand({ QueueUrl: gone, Label: 'l' })));
  });
});

describe('dead-letter queues', () => {
  it('moves a message past maxReceiveCount to the DLQ, and StartMessageMoveTask moves it back', async () => {
    const dlq = await createQueue(qname('dlq'));
    const dlqArn = await arnOf(dlq);
    const src = await createQueue(qname('src'), {
      VisibilityTimeout: '10',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }),
    });
    const srcArn = await arnOf(src);
    expect(JSON.parse((await queueAttributes(src, ['RedrivePolicy'])).RedrivePolicy)).toEqual({
      deadLetterTargetArn: dlqArn,
      maxReceiveCount: 2,
    });
    const sent = await send(src, 'poison', { MessageAttributes: { kind: { DataType: 'String', StringValue: 'bad' } } });

    for (const n of ['1', '2']) {
      const [m] = await receive(src, { MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
      expect(m.Attributes!.ApproximateReceiveCount).toBe(n);
      sy.clock.advance(10_001);
    }
    // The third delivery attempt moves it to the dead-letter queue instead.
    expect(await receive(src)).toEqual([]);
    expect(await counts(src)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect((await counts(dlq)).visible).toBe(1);

    const [dead] = await receive(dlq, { MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'] });
    expect(dead).toMatchObject({ MessageId: sent.MessageId, Body: 'poison', MD5OfMessageAttributes: sent.MD5OfMessageAttributes });
    expect(dead.Attributes!.DeadLetterQueueSourceArn).toBe(srcArn);
    expect(dead.MessageAttributes).toEqual({ kind: { DataType: 'String', StringValue: 'bad' } });

    await release(dlq, dead);
    const started = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
    expect(started.TaskHandle).toEqual(expect.any(String));
    const listed = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }));
    expect(listed.Results).toHaveLength(1);
    expect(listed.Results![0]).toMatchObject({
      Status: 'COMPLETED',
      SourceArn: dlqArn,
      ApproximateNumberOfMessagesMoved: 1,
      ApproximateNumberOfMessagesToMove: 1,
    });
    expect(listed.Results![0].TaskHandle).toBeUndefined();
    expect(listed.Results![0].DestinationArn).toBeUndefined();

    expect(await counts(dlq)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    const [back] = await receive(src, { MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'] });
    expect(back.Body).toBe('poison');
    expect(back.MessageAttributes).toEqual({ kind: { DataType: 'String', StringValue: 'bad' } });
    expect(back.Attributes!.DeadLetterQueueSourceArn).toBeUndefined();
  });

  it('ListDeadLetterSourceQueues lists and pages the queues that redrive into a DLQ', async () => {
    const dlq = await createQueue(qname('dlqsrc'));
    const dlqArn = await arnOf(dlq);
    const redrive = { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: '5' }) };
    const sources = [await createQueue(qname('s'), redrive), await createQueue(qname('s'), redrive), await createQueue(qname('s'), redrive)];
    await createQueue(qname('unrelated'));

    const all = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq }));
    expect([...all.queueUrls!].sort()).toEqual([...sources].sort());
    expect(all.NextToken).toBeUndefined();

    const first = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq, MaxResults: 2 }));
    expect(first.queueUrls).toHaveLength(2);
    expect(first.NextToken).toEqual(expect.any(String));
    const second = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq, MaxResults: 2, NextToken: first.NextToken }));
    expect(second.queueUrls).toHaveLength(1);
    expect(second.NextToken).toBeUndefined();
    expect([...first.queueUrls!, ...second.queueUrls!].sort()).toEqual([...sources].sort());

    const lonely = await createQueue(qname('nosources'));
    expect((await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: lonely }))).queueUrls ?? []).toEqual([]);
    await nonExistentQueue(sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: `${lonely}-gone` })));
  });

  it('paces a move task by MaxNumberOfMessagesPerSecond; CancelMessageMoveTask stops it', async () => {
    const dlq = await createQueue(qname('movedlq'));
    const dlqArn = await arnOf(dlq);
    await createQueue(qname('movesrc'), { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }) });
    const dest = await createQueue(qname('movedest'));
    const destArn = await arnOf(dest);
    for (const b of ['m1', 'm2', 'm3']) await send(dlq, b);

    // Freeze the clock so that only advance() paces the task (no real-time second can slip by).
    sy.clock.freeze();
    try {
      const { TaskHandle } = await sqs.send(
        new StartMessageMoveTaskCommand({ SourceArn: dlqArn, DestinationArn: destArn, MaxNumberOfMessagesPerSecond: 1 }),
      );
      expect((await counts(dest)).visible).toBe(1);
      const running = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn, MaxResults: 10 }));
      expect(running.Results![0]).toMatchObject({
        TaskHandle,
        Status: 'RUNNING',
        SourceArn: dlqArn,
        DestinationArn: destArn,
        MaxNumberOfMessagesPerSecond: 1,
        ApproximateNumberOfMessagesMoved: 1,
        ApproximateNumberOfMessagesToMove: 3,
      });
      expect(Math.abs(running.Results![0].StartedTimestamp! - sy.clock.now())).toBeLessThan(1_000);

      // Only one active task per source queue.
      const second = await invalidParameterValue(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, DestinationArn: destArn })));
      expect(second.message).toBe('There is already a task running. Only one active task is allowed for a source queue arn at a given time.');

      sy.clock.advance(1_000);
      expect((await counts(dest)).visible).toBe(2);
      const cancelled = await sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle }));
      expect(cancelled.ApproximateNumberOfMessagesMoved).toBe(2);
      sy.clock.advance(5_000);
      expect((await counts(dest)).visible).toBe(2);
      expect((await counts(dlq)).visible).toBe(1);
      const after = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }));
      expect(after.Results![0]).toMatchObject({ Status: 'CANCELLED', ApproximateNumberOfMessagesMoved: 2 });
      expect(after.Results![0].TaskHandle).toBeUndefined();
    } finally {
      sy.clock.unfreeze();
    }
    expect(bodies(await receive(dest, { MaxNumberOfMessages: 10 })).sort()).toEqual(['m1', 'm2']);
  });

  it('rejects move tasks for a queue that is not a DLQ, and unknown queues and task handles', async () => {
    const plain = await createQueue(qname('notdlq'));
    const plainArn = await arnOf(plain);
    const notDlq = await invalidParameterValue(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: plainArn })));
    expect(notDlq.message).toBe('Source queue must be configured as a Dead Letter Queue.');

    const missingArn = `arn:aws:sqs:us-east-1:${ACCOUNT}:${qname('nosuch')}`;
    const noSource = await expectAwsError(
      sqs.send(new StartMessageMoveTaskCommand({ SourceArn: missingArn })),
      'ResourceNotFoundException',
      'ResourceNotFoundException',
      404,
    );
    expect(noSource).toBeInstanceOf(ResourceNotFoundException);

    const dlq = await createQueue(qname('dlqdest'));
    const dlqArn = await arnOf(dlq);
    await createQueue(qname('dlqdestsrc'), { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }) });
    const noDest = await expectAwsError(
      sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, DestinationArn: missingArn })),
      'ResourceNotFoundException',
      'ResourceNotFoundException',
      404,
    );
    expect(noDest.message).toBe("The resource that you specified for the DestinationArn parameter doesn't exist.");

    const badHandle = await invalidParameterValue(sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: 'not-a-task-handle' })));
    expect(badHandle.message).toBe('Value for parameter TaskHandle is invalid.');

    await expectAwsError(
      sqs.send(new ListMessageMoveTasksCommand({ SourceArn: missingArn })),
      'ResourceNotFoundException',
      'ResourceNotFoundException',
      404,
    );
    expect((await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }))).Results ?? []).toEqual([]);
  });
});

describe('FIFO queues', () => {
  it('deliver a group in order with increasing sequence numbers', async () => {
    const url = await createFifo('order');
    const sent: SendMessageCommandOutput[] = [];
    for (let i = 1; i <= 5; i++) sent.push(await send(url, `m${i}`, { MessageGroupId: 'g', MessageDeduplicationId: `d${i}` }));
    const seqs = sent.map((s) => s.SequenceNumber!);
    for (const s of seqs) expect(s).toMatch(/^\d{20}$/);
    for (let i = 1; i < seqs.length; i++) expect(BigInt(seqs[i])).toBeGreaterThan(BigInt(seqs[i - 1]));

    const got = await receive(url, { MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'] });
    expect(bodies(got)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    got.forEach((m, i) => {
      expect(m.MessageId).toBe(sent[i].MessageId);
      expect(m.Attributes).toMatchObject({ MessageGroupId: 'g', MessageDeduplicationId: `d${i + 1}`, SequenceNumber: seqs[i] });
    });
  });

  it('hold a group while one of its messages is in flight; other groups stay receivable', async () => {
    const url = await createFifo('groups', { ContentBasedDeduplication: 'true' });
    await send(url, 'a1', { MessageGroupId: 'A' });
    await send(url, 'a2', { MessageGroupId: 'A' });
    const [a1] = await receive(url);
    expect(a1.Body).toBe('a1');
    await send(url, 'b1', { MessageGroupId: 'B' });
    const [b1, ...rest] = await receive(url, { MaxNumberOfMessages: 10 });
    expect(b1.Body).toBe('b1');
    expect(rest).toEqual([]);
    expect(await receive(url, { MaxNumberOfMessages: 10 })).toEqual([]);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: a1.ReceiptHandle }));
    expect(bodies(await receive(url, { MaxNumberOfMessages: 10 }))).toEqual(['a2']);
  });

  it('deliver in order again after a visibility timeout', async () => {
    const url = await createFifo('reorder', { VisibilityTimeout: '1', ContentBasedDeduplication: 'true' });
    for (const b of ['message-0', 'message-1', 'message-2']) await send(url, b, { MessageGroupId: '1' });
    expect(bodies(await receive(url, { MaxNumberOfMessages: 10 }))).toEqual(['message-0', 'message-1', 'message-2']);
    sy.clock.advance(2_000);
    expect(bodies(await receive(url, { MaxNumberOfMessages: 10 }))).toEqual(['message-0', 'message-1', 'message-2']);
  });

  it('drop a duplicate MessageDeduplicationId for 5 minutes, answering with the original MessageId', async () => {
    const url = await createFifo('dedup');
    const first = await send(url, 'original', { MessageGroupId: 'g1', MessageDeduplicationId: 'dedup-1' });
    const dup = await send(url, 'duplicate', { MessageGroupId: 'g1', MessageDeduplicationId: 'dedup-1' });
    expect(dup.MessageId).toBe(first.MessageId);
    // Deduplication is queue-wide by default, across message groups too.
    const otherGroup = await send(url, 'other group', { MessageGroupId: 'g2', MessageDeduplicationId: 'dedup-1' });
    expect(otherGroup.MessageId).toBe(first.MessageId);

    const [m] = await receive(url, { MaxNumberOfMessages: 10 });
    expect(m.Body).toBe('original');
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    // Still a duplicate after the original is deleted, within the window.
    sy.clock.advance(4 * 60_000);
    expect((await send(url, 'still duplicate', { MessageGroupId: 'g1', MessageDeduplicationId: 'dedup-1' })).MessageId).toBe(first.MessageId);
    expect(await receive(url, { MaxNumberOfMessages: 10 })).toEqual([]);

    sy.clock.advance(60_001);
    const fresh = await send(url, 'accepted again', { MessageGroupId: 'g1', MessageDeduplicationId: 'dedup-1' });
    expect(fresh.MessageId).not.toBe(first.MessageId);
    expect(BigInt(fresh.SequenceNumber!)).toBeGreaterThan(BigInt(first.SequenceNumber!));
    expect(bodies(await receive(url, { MaxNumberOfMessages: 10 }))).toEqual(['accepted again']);
  });

  it('deduplicate by body with ContentBasedDeduplication (SHA-256 of the body)', async () => {
    const url = await createFifo('cbd', { ContentBasedDeduplication: 'true' });
    const body = '{"foo": "bar"}';
    const first = await send(url, body, { MessageGroupId: 'g' });
    expect((await send(url, body, { MessageGroupId: 'g' })).MessageId).toBe(first.MessageId);
    const other = await send(url, 'another body', { MessageGroupId: 'g' });
    expect(other.MessageId).not.toBe(first.MessageId);
    // An explicit id overrides the content hash.
    const explicit = await send(url, body, { MessageGroupId: 'g', MessageDeduplicationId: 'explicit' });
    expect(explicit.MessageId).not.toBe(first.MessageId);

    const got = await receive(url, { MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['MessageDeduplicationId'] });
    expect(bodies(got)).toEqual([body, 'another body', body]);
    expect(got[0].Attributes!.MessageDeduplicationId).toBe(createHash('sha256').update(body, 'utf8').digest('hex'));
    expect(got[2].Attributes!.MessageDeduplicationId).toBe('explicit');

    sy.clock.advance(5 * 60_000 + 1);
    const again = await send(url, body, { MessageGroupId: 'g' });
    expect(again.MessageId).not.toBe(first.MessageId);
  });

  it('reject a send without MessageGroupId (MissingParameter), without a dedup id, or with a per-message delay', async () => {
    const url = await createFifo('fifobad');
    const missing = await expectAwsError(send(url, 'x', { MessageDeduplicationId: 'd' }), 'MissingParameter', 'MissingParameter');
    expect(missing.message).toBe('The request must contain the parameter MessageGroupId.');
    const noDedup = await invalidParameterValue(send(url, 'x', { MessageGroupId: 'g' }));
    expect(noDedup.message).toBe('The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
    const delay = await invalidParameterValue(send(url, 'x', { MessageGroupId: 'g', MessageDeduplicationId: 'd', DelaySeconds: 2 }));
    expect(delay.message).toBe('Value 2 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.');
    expect(await counts(url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('reject a whole batch when an entry lacks MessageGroupId or a deduplication id', async () => {
    const url = await createFifo('fifobatch');
    const noGroup = await invalidParameterValue(
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: [
            { Id: 'ok', MessageBody: 'b', MessageGroupId: 'g', MessageDeduplicationId: 'd1' },
            { Id: 'nogroup', MessageBody: 'b', MessageDeduplicationId: 'd2' },
          ],
        }),
      ),
    );
    expect(noGroup.message).toBe('The request must contain the parameter MessageGroupId.');
    const noDedup = await invalidParameterValue(
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: [
            { Id: 'ok', MessageBody: 'b', MessageGroupId: 'g', MessageDeduplicationId: 'd1' },
            { Id: 'nodedup', MessageBody: 'b', MessageGroupId: 'g' },
          ],
        }),
      ),
    );
    expect(noDedup.message).toBe('The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
    expect(await counts(url)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });

    const ok = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'e1', MessageBody: 'first', MessageGroupId: 'g', MessageDeduplicationId: 'e1' },
          { Id: 'e2', MessageBody: 'second', MessageGroupId: 'g', MessageDeduplicationId: 'e2' },
        ],
      }),
    );
    const [s1, s2] = ok.Successful!;
    expect(BigInt(s2.SequenceNumber!)).toBeGreaterThan(BigInt(s1.SequenceNumber!));
    expect(bodies(await receive(url, { MaxNumberOfMessages: 10 }))).toEqual(['first', 'second']);
  });

  it('MessageGroupId is accepted on a standard queue (fair queues) and returned as a system attribute', async () => {
    const url = await createQueue(qname('fair'));
    const out = await send(url, 'tenant message', { MessageGroupId: 'tenant-1' });
    expect(out.SequenceNumber).toBeUndefined();
    const [m] = await receive(url, { MessageSystemAttributeNames: ['MessageGroupId'] });
    expect(m.Body).toBe('tenant message');
    expect(m.Attributes).toEqual({ MessageGroupId: 'tenant-1' });
  });
});

describe('message attributes and their digests', () => {
  const ATTRS: Attributes = {
    ...WORKED_EXAMPLE,
    price: { DataType: 'Number.float', StringValue: '9.99' },
    'meta.trace': { DataType: 'String', StringValue: 't-1' },
    'meta.span': { DataType: 'String.id', StringValue: 's-1' },
    image: { DataType: 'Binary.gif', BinaryValue: new Uint8Array([0x47, 0x49, 0x46, 0x00, 0xff]) },
  };

  it('returns the worked example with the digests from MD5.md', async () => {
    const url = await createQueue(qname('worked'));
    const out = await send(url, '{"hello":"world"}', { MessageAttributes: WORKED_EXAMPLE });
    expect(out.MD5OfMessageBody).toBe('fbc24bcc7a1794758fc1327fcfebdaf6');
    expect(out.MD5OfMessageAttributes).toBe('1f95e5086c99f10a02072a6b358e2465');
    const [m] = await receive(url, { MessageAttributeNames: ['All'] });
    expect(m.MD5OfBody).toBe('fbc24bcc7a1794758fc1327fcfebdaf6');
    expect(m.MD5OfMessageAttributes).toBe('1f95e5086c99f10a02072a6b358e2465');
    expect(m.MessageAttributes!.City).toEqual({ DataType: 'String', StringValue: 'Any City' });
    expect(m.MessageAttributes!.Population).toEqual({ DataType: 'Number', StringValue: '1250800' });
    expect(m.MessageAttributes!.Blob.DataType).toBe('Binary');
    expect(Array.from(m.MessageAttributes!.Blob.BinaryValue!)).toEqual([1, 2, 3]);
    expect(attributesMd5(m.MessageAttributes!)).toBe(m.MD5OfMessageAttributes);
  });

  it('reproduces the AWS vectors and custom types through SendMessage', async () => {
    const url = await createQueue(qname('vectors'));
    const md5 = async (a: Attributes) => (await send(url, 'test', { MessageAttributes: a })).MD5OfMessageAttributes;
    expect(await md5({ baz: { DataType: 'String', StringValue: 'qux' } })).toBe('16bd0283a5b4962721ccd3efe4bc6257');
    expect(await md5({ timestamp: { DataType: 'Number', StringValue: '1493147359900' } })).toBe('235c5c510d26fb653d073faed50ae77c');
    expect(await md5({ price: { DataType: 'Number.float', StringValue: '9.99' } })).toBe('a708d61fa9258d76a4db3b9f79a9b437');
    expect(await md5({ price: { DataType: 'Number', StringValue: '9.99' } })).toBe('fddd202d660e3a312b6e11692ecfb118');
    expect(await md5(ATTRS)).toBe(attributesMd5(ATTRS));
  });

  it('round-trips String, Number, Binary and custom types, selected by All, .*, *, prefix.* and exact names', async () => {
    const url = await createQueue(qname('select'));
    const out = await send(url, 'attributes', { MessageAttributes: ATTRS });
    expect(out.MD5OfMessageAttributes).toBe(attributesMd5(ATTRS));

    const pick = async (names: string[] | undefined): Promise<Message> => {
      const [m] = await receive(url, names ? { MessageAttributeNames: names } : {});
      await release(url, m);
      // The digest always covers exactly the attributes returned.
      if (m.MessageAttributes) expect(m.MD5OfMessageAttributes).toBe(attributesMd5(m.MessageAttributes));
      else expect(m.MD5OfMessageAttributes).toBeUndefined();
      return m;
    };

    for (const all of [['All'], ['.*'], ['*']]) {
      const m = await pick(all);
      expect(Object.keys(m.MessageAttributes!).sort()).toEqual(Object.keys(ATTRS).sort());
      expect(m.MD5OfMessageAttributes).toBe(out.MD5OfMessageAttributes);
      expect(m.MessageAttributes!.price).toEqual({ DataType: 'Number.float', StringValue: '9.99' });
      expect(m.MessageAttributes!['meta.span']).toEqual({ DataType: 'String.id', StringValue: 's-1' });
      expect(m.MessageAttributes!.image.DataType).toBe('Binary.gif');
      expect(Array.from(m.MessageAttributes!.image.BinaryValue!)).toEqual([0x47, 0x49, 0x46, 0x00, 0xff]);
    }

    expect(Object.keys((await pick(['meta.*'])).MessageAttributes!).sort()).toEqual(['meta.span', 'meta.trace']);
    // "prefix.*" matches every name that starts with the prefix.
    expect(Object.keys((await pick(['Pop.*'])).MessageAttributes!)).toEqual(['Population']);
    const exact = await pick(['City', 'Blob', 'NotThere']);
    expect(Object.keys(exact.MessageAttributes!).sort()).toEqual(['Blob', 'City']);
    expect(exact.MD5OfMessageAttributes).toBe('239ae0210b5decfca300f48585acfb62');
    expect((await pick(['City'])).MD5OfMessageAttributes).toBe('0c32cb5c844c01fbd5b6b434b52cf670');

    for (const none of [undefined, [], ['NotThere', 'Help'], ['AWS.'], ['..foo']]) {
      const m = await pick(none);
      expect(m.MessageAttributes).toBeUndefined();
      expect(m.Body).toBe('attributes');
    }
  });

  it('digests the AWSTraceHeader system attribute separately (MD5OfMessageSystemAttributes)', async () => {
    const url = await createQueue(qname('trace'));
    const attrs: Attributes = { timestamp: { DataType: 'Number', StringValue: '1493147359900' } };
    const system = { AWSTraceHeader: { DataType: 'String', StringValue: TRACE_HEADER } };
    const plain = await send(url, 'test', { MessageAttributes: attrs });
    const traced = await send(url, 'test', { MessageAttributes: attrs, MessageSystemAttributes: system });
    expect(traced.MD5OfMessageAttributes).toBe(plain.MD5OfMessageAttributes);
    expect(plain.MD5OfMessageSystemAttributes).toBeUndefined();
    expect(traced.MD5OfMessageSystemAttributes).toBe(attributesMd5(system));
    expect(traced.MD5OfMessageSystemAttributes).toBe('5ae4d5d7636402d80f4eb6d213245a88');

    const got = await receive(url, { MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['AWSTraceHeader'] });
    const byId = Object.fromEntries(got.map((m) => [m.MessageId, m]));
    expect(byId[traced.MessageId!].Attributes).toEqual({ AWSTraceHeader: TRACE_HEADER });
    expect(byId[plain.MessageId!].Attributes ?? {}).toEqual({});
    // System attributes never appear among the message attributes.
    expect(byId[traced.MessageId!].MessageAttributes).toBeUndefined();
  });
});
