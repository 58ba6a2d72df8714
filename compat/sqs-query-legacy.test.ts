/**
 * SQS over the query protocol (form-encoded requests, XML responses) with a real, old client:
 * `@aws-sdk/client-sqs` 3.445.0 (installed as `sqs-legacy`), the last JS v3 release before SQS
 * moved to JSON. Every operation the client has (the 20 query-era ones plus the three message
 * move task operations it already carries), each with its happy path and AWS's error for misuse,
 * and the semantics that matter through XML: digests, `&#xD;`, visibility, redrive, FIFO, batches.
 *
 * Error shapes this client exposes (read in its Aws_query.js and smithy-client 2.x):
 * - an error the operation models (e.g. QueueDoesNotExist on GetQueueUrl) is the modeled class:
 *   `err.name` = shape name, the XML `<Error>` element as `err.Error` (`err.Error.Code` = legacy code);
 * - an error the operation does not model (e.g. NonExistentQueue on SendMessage in this old model)
 *   is an `SQSServiceException` with `err.name` = `err.Code` = the legacy `<Code>`.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddPermissionCommand,
  CancelMessageMoveTaskCommand,
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand,
  ListQueueTagsCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  RemovePermissionCommand,
  SQSClient,
  SQSServiceException,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  StartMessageMoveTaskCommand,
  TagQueueCommand,
  UntagQueueCommand,
  type MessageAttributeValue,
  type QueueAttributeName,
} from 'sqs-legacy';
import { startSwitchyard, type Switchyard } from '../src/index.js';
import { attributesMd5, md5 } from './support/digests.js';

// ---------------------------------------------------------------------------------------
// Independent digests (shared/reference/MD5.md), not the server's code.

// ---------------------------------------------------------------------------------------
// Wire capture: every request the SDK sends and every raw response it gets.

interface Exchange {
  method: string;
  path: string;
  requestType: string;
  amzTarget?: string;
  body: string;
  status: number;
  responseType: string;
  responseBody: string;
}

type LegacyError = SQSServiceException & {
  Code?: string;
  Type?: string;
  Error?: { Code?: string; Type?: string; Message?: string };
};

async function failure(p: Promise<unknown>): Promise<{ name: string; code: string; type: string; status: number; fault: string }> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  expect(err, 'the call should have failed').toBeInstanceOf(SQSServiceException);
  const e = err as LegacyError;
  return {
    name: e.name,
    code: (e.Code ?? e.Error?.Code)!,
    type: (e.Type ?? e.Error?.Type)!,
    status: e.$metadata.httpStatusCode!,
    fault: e.$fault,
  };
}

const ACCOUNT = '000000000000';

/**
 * Message system attribute names for ReceiveMessage's AttributeNames. The 3.445 model types that
 * list as QueueAttributeName (a quirk of the old model), which lacks ApproximateReceiveCount & co.
 */
const systemNames = (...names: string[]) => names as QueueAttributeName[];

let sy: Switchyard;
let sqs: SQSClient;
const wire: Exchange[] = [];
/** Request bodies as they leave, including requests still waiting for an answer (long polls). */
const pendingBodies: string[] = [];

function lastExchange(action: string): Exchange {
  const found = wire.filter((x) => new URLSearchParams(x.body).get('Action') === action);
  expect(found.length, `a captured ${action}`).toBeGreaterThan(0);
  return found[found.length - 1];
}

async function createQueue(name: string, attributes?: Record<string, string>): Promise<string> {
  const out = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  return out.QueueUrl!;
}

async function visibleCount(url: string): Promise<Record<string, string>> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  return out.Attributes!;
}

beforeAll(async () => {
  sy = await startSwitchyard({ port: 0 });
  sqs = new SQSClient({
    endpoint: sy.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLEGACYQUERY', secretAccessKey: 'secret' },
    maxAttempts: 1,
  });
  // Innermost in the deserialize step: sees the raw HTTP response before the SDK parses it.
  sqs.middlewareStack.add(
    (next) => async (args) => {
      const req = args.request as { method: string; path: string; headers: Record<string, string>; body?: unknown };
      pendingBodies.push(String(req.body ?? ''));
      const out = await next(args);
      const res = out.response as { statusCode: number; headers: Record<string, string>; body: Readable };
      const chunks: Buffer[] = [];
      for await (const c of res.body) chunks.push(Buffer.from(c as Buffer));
      const raw = Buffer.concat(chunks);
      res.body = Readable.from([raw]);
      wire.push({
        method: req.method,
        path: req.path,
        requestType: req.headers['content-type'],
        amzTarget: req.headers['x-amz-target'],
        body: String(req.body ?? ''),
        status: res.statusCode,
        responseType: res.headers['content-type'],
        responseBody: raw.toString('utf8'),
      });
      return out;
    },
    { step: 'deserialize', priority: 'low', name: 'wireCapture' },
  );
});

afterAll(async () => {
  sqs?.destroy();
  await sy?.stop();
});

// ---------------------------------------------------------------------------------------

describe('the legacy client really speaks query/XML', () => {
  it('sends form-encoded Action/Version bodies to / and gets XML back', async () => {
    const url = await createQueue('wire-check', { VisibilityTimeout: '45' });
    const x = lastExchange('CreateQueue');
    expect(x.method).toBe('POST');
    expect(x.path).toBe('/');
    expect(x.requestType).toBe('application/x-www-form-urlencoded');
    expect(x.amzTarget).toBeUndefined();
    const form = new URLSearchParams(x.body);
    expect(form.get('Version')).toBe('2012-11-05');
    expect(form.get('QueueName')).toBe('wire-check');
    expect(form.get('Attribute.1.Name')).toBe('VisibilityTimeout');
    expect(form.get('Attribute.1.Value')).toBe('45');
    expect(x.status).toBe(200);
    expect(x.responseType).toBe('text/xml');
    expect(x.responseBody).toMatch(
      /^<\?xml version="1\.0"\?><CreateQueueResponse xmlns="http:\/\/queue\.amazonaws\.com\/doc\/2012-11-05\/"><CreateQueueResult><QueueUrl>/,
    );
    expect(x.responseBody).toContain('<ResponseMetadata><RequestId>');
    expect(url).toBe(`${sy.endpoint}/${ACCOUNT}/wire-check`);

    const err = await failure(sqs.send(new GetQueueUrlCommand({ QueueName: 'no-such-queue' })));
    const e = lastExchange('GetQueueUrl');
    expect(e.status).toBe(400);
    expect(e.responseType).toBe('text/xml');
    expect(e.responseBody).toContain('<ErrorResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><Error><Type>Sender</Type>');
    expect(e.responseBody).toContain('<Code>AWS.SimpleQueueService.NonExistentQueue</Code>');
    expect(err.name).toBe('QueueDoesNotExist');
  });

  it('answers void operations with an XML body too', async () => {
    const url = await createQueue('wire-void');
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { DelaySeconds: '1' } }));
    const x = lastExchange('SetQueueAttributes');
    expect(x.status).toBe(200);
    expect(x.responseBody).toMatch(/^<\?xml version="1\.0"\?><SetQueueAttributesResponse xmlns="[^"]+"><ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/SetQueueAttributesResponse>$/);
  });
});

describe('queue management operations', () => {
  it('CreateQueue: attributes and tags; same name + same attributes is idempotent; different -> QueueAlreadyExists', async () => {
    const url = await createQueue('cq-main', { VisibilityTimeout: '60', DelaySeconds: '2' });
    const again = await sqs.send(
      new CreateQueueCommand({ QueueName: 'cq-main', Attributes: { VisibilityTimeout: '60', DelaySeconds: '2' } }),
    );
    expect(again.QueueUrl).toBe(url);
    const err = await failure(sqs.send(new CreateQueueCommand({ QueueName: 'cq-main', Attributes: { VisibilityTimeout: '61' } })));
    expect(err).toMatchObject({ name: 'QueueNameExists', code: 'QueueAlreadyExists', type: 'Sender', status: 400, fault: 'client' });

    const tagged = await sqs.send(new CreateQueueCommand({ QueueName: 'cq-tagged', tags: { team: 'payments', env: 'dev' } }));
    const form = new URLSearchParams(lastExchange('CreateQueue').body);
    expect(form.get('Tag.1.Key')).toBe('team');
    expect(form.get('Tag.1.Value')).toBe('payments');
    const tags = await sqs.send(new ListQueueTagsCommand({ QueueUrl: tagged.QueueUrl }));
    expect(tags.Tags).toEqual({ team: 'payments', env: 'dev' });
  });

  it('CreateQueue misuse: unknown attribute, bad attribute value, bad name', async () => {
    expect(await failure(sqs.send(new CreateQueueCommand({ QueueName: 'cq-bad', Attributes: { Colour: 'blue' } as never })))).toMatchObject({
      name: 'InvalidAttributeName',
      code: 'InvalidAttributeName',
      status: 400,
    });
    expect(
      await failure(sqs.send(new CreateQueueCommand({ QueueName: 'cq-bad', Attributes: { VisibilityTimeout: '43201' } }))),
    ).toMatchObject({ name: 'InvalidAttributeValue', code: 'InvalidAttributeValue', status: 400 });
    expect(await failure(sqs.send(new CreateQueueCommand({ QueueName: 'bad name!' })))).toMatchObject({
      name: 'InvalidParameterValue',
      code: 'InvalidParameterValue',
      status: 400,
    });
    // The queue was never created.
    expect((await failure(sqs.send(new GetQueueUrlCommand({ QueueName: 'cq-bad' })))).name).toBe('QueueDoesNotExist');
  });

  it('GetQueueUrl: finds a queue by name; unknown -> QueueDoesNotExist (AWS.SimpleQueueService.NonExistentQueue)', async () => {
    const url = await createQueue('gqu-here');
    const out = await sqs.send(new GetQueueUrlCommand({ QueueName: 'gqu-here' }));
    expect(out.QueueUrl).toBe(url);
    const owner = await sqs.send(new GetQueueUrlCommand({ QueueName: 'gqu-here', QueueOwnerAWSAccountId: ACCOUNT }));
    expect(owner.QueueUrl).toBe(url);
    const err = await failure(sqs.send(new GetQueueUrlCommand({ QueueName: 'gqu-missing' })));
    expect(err).toMatchObject({
      name: 'QueueDoesNotExist',
      code: 'AWS.SimpleQueueService.NonExistentQueue',
      type: 'Sender',
      status: 400,
    });
  });

  it('ListQueues: prefix filter, MaxResults + NextToken paging, empty result, MaxResults out of range', async () => {
    const names = ['lq-a', 'lq-b', 'lq-c', 'lq-d', 'lq-e'];
    for (const n of names) await createQueue(n);
    await createQueue('other-lq');
    const all = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'lq-' }));
    expect(all.QueueUrls).toEqual(names.map((n) => `${sy.endpoint}/${ACCOUNT}/${n}`));
    expect(all.NextToken).toBeUndefined();
    expect(new URLSearchParams(lastExchange('ListQueues').body).get('QueueNamePrefix')).toBe('lq-');

    const page1 = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'lq-', MaxResults: 2 }));
    expect(page1.QueueUrls).toHaveLength(2);
    expect(page1.NextToken).toBeTruthy();
    const seen = [...page1.QueueUrls!];
    let token = page1.NextToken;
    while (token) {
      const page = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'lq-', MaxResults: 2, NextToken: token }));
      seen.push(...(page.QueueUrls ?? []));
      token = page.NextToken;
    }
    expect(seen).toEqual(all.QueueUrls);

    const none = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'zz-nothing-' }));
    expect(none.QueueUrls ?? []).toEqual([]);

    expect(await failure(sqs.send(new ListQueuesCommand({ MaxResults: 1001 })))).toMatchObject({
      name: 'InvalidParameterValue',
      code: 'InvalidParameterValue',
      status: 400,
    });
  });

  it('GetQueueAttributes: All, a chosen subset, and an unknown name -> InvalidAttributeName', async () => {
    const url = await createQueue('gqa-main', { VisibilityTimeout: '17', MessageRetentionPeriod: '3600' });
    const all = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
    expect(all.Attributes).toMatchObject({
      VisibilityTimeout: '17',
      MessageRetentionPeriod: '3600',
      DelaySeconds: '0',
      ApproximateNumberOfMessages: '0',
      QueueArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:gqa-main`,
    });
    expect(Number(all.Attributes!.CreatedTimestamp)).toBeGreaterThan(1_600_000_000);
    const some = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['VisibilityTimeout', 'QueueArn'] }));
    expect(some.Attributes).toEqual({ VisibilityTimeout: '17', QueueArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:gqa-main` });
    const form = new URLSearchParams(lastExchange('GetQueueAttributes').body);
    expect([form.get('AttributeName.1'), form.get('AttributeName.2')]).toEqual(['VisibilityTimeout', 'QueueArn']);
    expect(lastExchange('GetQueueAttributes').responseBody).toContain('<Attribute><Name>VisibilityTimeout</Name><Value>17</Value></Attribute>');

    const err = await failure(sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['Bogus' as never] })));
    expect(err).toMatchObject({ name: 'InvalidAttributeName', code: 'InvalidAttributeName', status: 400 });
    const gone = await failure(sqs.send(new GetQueueAttributesCommand({ QueueUrl: `${sy.endpoint}/${ACCOUNT}/gqa-nope`, AttributeNames: ['All'] })));
    expect(gone).toMatchObject({ name: 'AWS.SimpleQueueService.NonExistentQueue', code: 'AWS.SimpleQueueService.NonExistentQueue' });
  });

  it('SetQueueAttributes: changes values; unknown name -> InvalidAttributeName; bad value -> InvalidAttributeValue', async () => {
    const url = await createQueue('sqa-main');
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: '5', ReceiveMessageWaitTimeSeconds: '3' } }));
    const out = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['VisibilityTimeout', 'ReceiveMessageWaitTimeSeconds'] }),
    );
    expect(out.Attributes).toEqual({ VisibilityTimeout: '5', ReceiveMessageWaitTimeSeconds: '3' });
    expect(
      await failure(sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { NotAThing: '1' } as never }))),
    ).toMatchObject({ name: 'InvalidAttributeName', code: 'InvalidAttributeName', status: 400 });
    expect(
      await failure(sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { MessageRetentionPeriod: '10' } }))),
    ).toMatchObject({ name: 'InvalidAttributeValue', code: 'InvalidAttributeValue', status: 400 });
    // FifoQueue is not an attribute of a standard queue once it exists.
    expect(
      await failure(sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { FifoQueue: 'true' } }))),
    ).toMatchObject({ name: 'InvalidAttributeName', code: 'InvalidAttributeName' });
  });

  it('DeleteQueue: deletes; deleting again -> NonExistentQueue; recreating within 60 s -> QueueDeletedRecently', async () => {
    const url = await createQueue('dq-main');
    await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    expect((await failure(sqs.send(new GetQueueUrlCommand({ QueueName: 'dq-main' })))).name).toBe('QueueDoesNotExist');
    // DeleteQueue does not model QueueDoesNotExist in this client: the legacy code becomes the name.
    expect(await failure(sqs.send(new DeleteQueueCommand({ QueueUrl: url })))).toMatchObject({
      name: 'AWS.SimpleQueueService.NonExistentQueue',
      code: 'AWS.SimpleQueueService.NonExistentQueue',
      type: 'Sender',
      status: 400,
    });
    expect(await failure(sqs.send(new CreateQueueCommand({ QueueName: 'dq-main' })))).toMatchObject({
      name: 'QueueDeletedRecently',
      code: 'AWS.SimpleQueueService.QueueDeletedRecently',
    });
    sy.clock.advance(61_000);
    expect(await createQueue('dq-main')).toBe(url);
  });

  it('PurgeQueue: empties the queue; a second purge within 60 s -> PurgeQueueInProgress; unknown queue -> QueueDoesNotExist', async () => {
    const url = await createQueue('pq-main');
    for (let i = 0; i < 3; i++) await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `m${i}` }));
    expect((await visibleCount(url)).ApproximateNumberOfMessages).toBe('3');
    await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    expect((await visibleCount(url)).ApproximateNumberOfMessages).toBe('0');
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
    expect(await failure(sqs.send(new PurgeQueueCommand({ QueueUrl: url })))).toMatchObject({
      name: 'PurgeQueueInProgress',
      code: 'AWS.SimpleQueueService.PurgeQueueInProgress',
      status: 403,
    });
    sy.clock.advance(60_000);
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'after' }));
    await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    expect((await visibleCount(url)).ApproximateNumberOfMessages).toBe('0');
    expect(await failure(sqs.send(new PurgeQueueCommand({ QueueUrl: `${sy.endpoint}/${ACCOUNT}/pq-none` })))).toMatchObject({
      name: 'QueueDoesNotExist',
      code: 'AWS.SimpleQueueService.NonExistentQueue',
    });
  });

  it('TagQueue / UntagQueue / ListQueueTags (Tag.N.Key/Value, TagKey.N)', async () => {
    const url = await createQueue('tags-main');
    expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags).toBeUndefined();
    await sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: { a: '1', b: '2', c: '3' } }));
    const form = new URLSearchParams(lastExchange('TagQueue').body);
    expect([form.get('Tag.2.Key'), form.get('Tag.2.Value')]).toEqual(['b', '2']);
    expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags).toEqual({ a: '1', b: '2', c: '3' });
    expect(lastExchange('ListQueueTags').responseBody).toContain('<Tag><Key>a</Key><Value>1</Value></Tag>');
    await sqs.send(new UntagQueueCommand({ QueueUrl: url, TagKeys: ['a', 'c'] }));
    expect(new URLSearchParams(lastExchange('UntagQueue').body).get('TagKey.2')).toBe('c');
    expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags).toEqual({ b: '2' });

    const tooMany = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    expect(await failure(sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: tooMany })))).toMatchObject({
      name: 'InvalidParameterValue',
      code: 'InvalidParameterValue',
    });
    const missing = `${sy.endpoint}/${ACCOUNT}/tags-none`;
    for (const cmd of [
      new TagQueueCommand({ QueueUrl: missing, Tags: { a: '1' } }),
      new UntagQueueCommand({ QueueUrl: missing, TagKeys: ['a'] }),
      new ListQueueTagsCommand({ QueueUrl: missing }),
    ]) {
      expect(await failure(sqs.send(cmd as never))).toMatchObject({ code: 'AWS.SimpleQueueService.NonExistentQueue', status: 400 });
    }
  });

  it('AddPermission / RemovePermission write the queue Policy; duplicate or unknown label -> InvalidParameterValue', async () => {
    const url = await createQueue('perm-main');
    await sqs.send(
      new AddPermissionCommand({ QueueUrl: url, Label: 'let-them-send', AWSAccountIds: ['111122223333'], Actions: ['SendMessage', 'ReceiveMessage'] }),
    );
    const form = new URLSearchParams(lastExchange('AddPermission').body);
    expect([form.get('AWSAccountId.1'), form.get('ActionName.1'), form.get('ActionName.2')]).toEqual([
      '111122223333',
      'SendMessage',
      'ReceiveMessage',
    ]);
    const policy = JSON.parse((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['Policy'] }))).Attributes!.Policy!);
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Sid: 'let-them-send',
        Effect: 'Allow',
        // As AWS writes it: a lone principal is a string, several actions a list.
        Principal: { AWS: 'arn:aws:iam::111122223333:root' },
        Action: ['SQS:SendMessage', 'SQS:ReceiveMessage'],
        Resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:perm-main`,
      }),
    ]);
    expect(
      await failure(sqs.send(new AddPermissionCommand({ QueueUrl: url, Label: 'let-them-send', AWSAccountIds: ['111122223333'], Actions: ['*'] }))),
    ).toMatchObject({ name: 'InvalidParameterValue', code: 'InvalidParameterValue', status: 400 });
    // An empty list travels as a bare `AWSAccountId=`: the parameter is missing.
    expect(
      await failure(sqs.send(new AddPermissionCommand({ QueueUrl: url, Label: 'nobody', AWSAccountIds: [], Actions: ['SendMessage'] }))),
    ).toMatchObject({ name: 'MissingParameter', code: 'MissingParameter', status: 400 });

    await sqs.send(new RemovePermissionCommand({ QueueUrl: url, Label: 'let-them-send' }));
    const after = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['Policy'] }));
    expect(after.Attributes?.Policy).toBeUndefined();
    expect(await failure(sqs.send(new RemovePermissionCommand({ QueueUrl: url, Label: 'let-them-send' })))).toMatchObject({
      name: 'InvalidParameterValue',
      code: 'InvalidParameterValue',
    });
  });
});

describe('messages', () => {
  const worked: Record<string, MessageAttributeValue> = {
    City: { DataType: 'String', StringValue: 'Any City' },
    Population: { DataType: 'Number', StringValue: '1250800' },
    Blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) },
  };

  it('the independent attribute digest reproduces the reference vectors', () => {
    expect(attributesMd5(worked)).toBe('1f95e5086c99f10a02072a6b358e2465');
    expect(attributesMd5({ baz: { DataType: 'String', StringValue: 'qux' } })).toBe('16bd0283a5b4962721ccd3efe4bc6257');
    expect(attributesMd5({ price: { DataType: 'Number.float', StringValue: '9.99' } })).toBe('a708d61fa9258d76a4db3b9f79a9b437');
  });

  it('SendMessage with String/Number/Binary attributes: digests, wire keys, and ReceiveMessage with All / chosen names', async () => {
    const url = await createQueue('msg-attrs');
    const body = '{"hello":"world"}';
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageAttributes: worked }));
    expect(sent.MD5OfMessageBody).toBe('fbc24bcc7a1794758fc1327fcfebdaf6');
    expect(sent.MD5OfMessageBody).toBe(md5(body));
    expect(sent.MD5OfMessageAttributes).toBe('1f95e5086c99f10a02072a6b358e2465');
    expect(sent.MessageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const form = new URLSearchParams(lastExchange('SendMessage').body);
    const blobIndex = [1, 2, 3].find((i) => form.get(`MessageAttribute.${i}.Name`) === 'Blob');
    expect(form.get(`MessageAttribute.${blobIndex}.Value.DataType`)).toBe('Binary');
    expect(form.get(`MessageAttribute.${blobIndex}.Value.BinaryValue`)).toBe('AQID');

    const got = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, AttributeNames: ['All'], MessageAttributeNames: ['All'], MaxNumberOfMessages: 10 }),
    );
    const rform = new URLSearchParams(lastExchange('ReceiveMessage').body);
    expect([rform.get('AttributeName.1'), rform.get('MessageAttributeName.1')]).toEqual(['All', 'All']);
    expect(got.Messages).toHaveLength(1);
    const m = got.Messages![0];
    expect(m.MessageId).toBe(sent.MessageId);
    expect(m.Body).toBe(body);
    expect(m.MD5OfBody).toBe(md5(body));
    expect(m.MessageAttributes).toEqual({
      City: { DataType: 'String', StringValue: 'Any City' },
      Population: { DataType: 'Number', StringValue: '1250800' },
      Blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) },
    });
    expect(m.MD5OfMessageAttributes).toBe(attributesMd5(m.MessageAttributes!));
    expect(m.MD5OfMessageAttributes).toBe('1f95e5086c99f10a02072a6b358e2465');
    expect(m.Attributes).toMatchObject({ ApproximateReceiveCount: '1', SenderId: 'AKIDLEGACYQUERY' });
    expect(Number(m.Attributes!.SentTimestamp)).toBeGreaterThan(1_600_000_000_000);
    expect(Number(m.Attributes!.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(Number(m.Attributes!.SentTimestamp));
    expect(lastExchange('ReceiveMessage').responseBody).toContain(
      '<MessageAttribute><Name>Blob</Name><Value><BinaryValue>AQID</BinaryValue><DataType>Binary</DataType></Value></MessageAttribute>',
    );

    // Only the named attributes come back, with the digest over exactly those.
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }));
    const some = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ['City'], AttributeNames: systemNames('ApproximateReceiveCount') }));
    const s = some.Messages![0];
    expect(s.MessageAttributes).toEqual({ City: { DataType: 'String', StringValue: 'Any City' } });
    expect(s.MD5OfMessageAttributes).toBe('0c32cb5c844c01fbd5b6b434b52cf670');
    expect(s.Attributes).toEqual({ ApproximateReceiveCount: '2' });

    // Without MessageAttributeNames: no attributes and no attribute digest.
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: s.ReceiptHandle, VisibilityTimeout: 0 }));
    const none = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    expect(none.Messages![0].MessageAttributes).toBeUndefined();
    expect(none.Messages![0].MD5OfMessageAttributes).toBeUndefined();
    expect(none.Messages![0].Attributes).toBeUndefined();
  });

  it('custom attribute types (Number.float, String.json, Binary.gz) hash the full type name', async () => {
    const url = await createQueue('msg-custom-types');
    const attrs: Record<string, MessageAttributeValue> = {
      price: { DataType: 'Number.float', StringValue: '9.99' },
      'doc.json': { DataType: 'String.json', StringValue: '{"a":[1,2]}' },
      packed: { DataType: 'Binary.gz', BinaryValue: new Uint8Array([0, 255, 10, 13]) },
    };
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'typed', MessageAttributes: attrs }));
    expect(sent.MD5OfMessageAttributes).toBe(attributesMd5(attrs));
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ['.*'] }));
    expect(got.Messages![0].MessageAttributes).toEqual(attrs);
    expect(got.Messages![0].MD5OfMessageAttributes).toBe(attributesMd5(attrs));
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: got.Messages![0].ReceiptHandle, VisibilityTimeout: 0 }));
    const prefixed = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ['doc.*'] }));
    expect(Object.keys(prefixed.Messages![0].MessageAttributes!)).toEqual(['doc.json']);
    expect(prefixed.Messages![0].MD5OfMessageAttributes).toBe(attributesMd5({ 'doc.json': attrs['doc.json'] }));
  });

  it('a body with \\r\\n, tabs, markup and non-ASCII round-trips intact (&#xD; on the wire) and its MD5 matches', async () => {
    const url = await createQueue('msg-crlf');
    const body = 'line1\r\nline2\r\n\tindented & <tag attr="x">\'q\'</tag>\rlone CR\nhéllo wörld 🌍 ]]>';
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
    expect(sent.MD5OfMessageBody).toBe(md5(body));
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    expect(got.Messages![0].Body).toBe(body);
    expect(got.Messages![0].MD5OfBody).toBe(md5(body));
    const raw = lastExchange('ReceiveMessage').responseBody;
    expect(raw).toContain('<Body>line1&#xD;\nline2&#xD;\n\tindented &amp; &lt;tag attr=&quot;x&quot;&gt;&apos;q&apos;&lt;/tag&gt;&#xD;lone CR\nhéllo wörld 🌍 ]]&gt;</Body>');
    expect(raw).not.toContain('\r');
  });

  it('SendMessage misuse: unknown queue, empty body -> MissingParameter, invalid characters, bad attribute, delay out of range', async () => {
    const url = await createQueue('msg-misuse');
    expect(
      await failure(sqs.send(new SendMessageCommand({ QueueUrl: `${sy.endpoint}/${ACCOUNT}/msg-none`, MessageBody: 'x' }))),
    ).toMatchObject({ name: 'AWS.SimpleQueueService.NonExistentQueue', code: 'AWS.SimpleQueueService.NonExistentQueue', status: 400 });
    expect(await failure(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '' })))).toMatchObject({
      name: 'MissingParameter',
      code: 'MissingParameter',
      status: 400,
    });
    expect(await failure(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'bell\u0007' })))).toMatchObject({
      name: 'InvalidMessageContents',
      code: 'InvalidMessageContents',
    });
    expect(
      await failure(
        sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageAttributes: { n: { DataType: 'Number', StringValue: 'abc' } } })),
      ),
    ).toMatchObject({ name: 'InvalidParameterValue', code: 'InvalidParameterValue' });
    expect(await failure(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', DelaySeconds: 901 })))).toMatchObject({
      name: 'InvalidParameterValue',
      code: 'InvalidParameterValue',
    });
    expect((await visibleCount(url)).ApproximateNumberOfMessages).toBe('0');
  });

  it('DelaySeconds holds a message until the clock passes it', async () => {
    const url = await createQueue('msg-delay');
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'later', DelaySeconds: 10 }));
    expect(await visibleCount(url)).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesDelayed: '1' });
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
    sy.clock.advance(10_000);
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages![0].Body).toBe('later');
  });

  it('ReceiveMessage misuse: MaxNumberOfMessages 11, WaitTimeSeconds 21, unknown AttributeName', async () => {
    const url = await createQueue('recv-misuse');
    expect(await failure(sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 })))).toMatchObject({
      name: 'InvalidParameterValue',
      code: 'InvalidParameterValue',
      status: 400,
    });
    expect(await failure(sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 21 })))).toMatchObject({
      code: 'InvalidParameterValue',
    });
    expect(await failure(sqs.send(new ReceiveMessageCommand({ QueueUrl: url, AttributeNames: ['Nope' as never] })))).toMatchObject({
      name: 'InvalidAttributeName',
      code: 'InvalidAttributeName',
    });
    expect(
      await failure(sqs.send(new ReceiveMessageCommand({ QueueUrl: `${sy.endpoint}/${ACCOUNT}/recv-none` }))),
    ).toMatchObject({ code: 'AWS.SimpleQueueService.NonExistentQueue' });
  });

  it('visibility timeout: hidden while in flight, back after the clock passes it, with a higher receive count', async () => {
    const url = await createQueue('vis-main', { VisibilityTimeout: '30' });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'v' }));
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, AttributeNames: systemNames('ApproximateReceiveCount') }));
    expect(first.Messages![0].Attributes).toEqual({ ApproximateReceiveCount: '1' });
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
    expect(await visibleCount(url)).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '1' });
    sy.clock.advance(29_000);
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
    sy.clock.advance(1_000);
    const second = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, AttributeNames: ['All'], VisibilityTimeout: 5 }));
    expect(second.Messages![0].Body).toBe('v');
    expect(second.Messages![0].Attributes!.ApproximateReceiveCount).toBe('2');
    expect(second.Messages![0].ReceiptHandle).not.toBe(first.Messages![0].ReceiptHandle);
    // The per-request VisibilityTimeout (5 s) applies, not the queue's 30 s.
    sy.clock.advance(5_000);
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages![0].Body).toBe('v');
  });

  it('ReceiveMessage with VisibilityTimeout 0 leaves the message receivable at once (even on a frozen clock)', async () => {
    const url = await createQueue('vis-zero');
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'zero' }));
    sy.clock.freeze();
    try {
      const counts: string[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 0, AttributeNames: systemNames('ApproximateReceiveCount') }));
        counts.push(r.Messages?.[0]?.Attributes?.ApproximateReceiveCount ?? 'none');
      }
      expect(counts).toEqual(['1', '2', '3']);
      expect(await visibleCount(url)).toMatchObject({ ApproximateNumberOfMessages: '1', ApproximateNumberOfMessagesNotVisible: '0' });
    } finally {
      sy.clock.unfreeze();
    }
  });

  it('DeleteMessage: removes; a stale handle is a no-op; a garbage handle -> ReceiptHandleIsInvalid (404)', async () => {
    const url = await createQueue('del-main');
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'bye' }));
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: got.Messages![0].ReceiptHandle }));
    expect(await visibleCount(url)).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: got.Messages![0].ReceiptHandle }));
    expect(await failure(sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'not-a-receipt-handle' })))).toMatchObject({
      name: 'ReceiptHandleIsInvalid',
      code: 'ReceiptHandleIsInvalid',
      type: 'Sender',
      status: 404,
    });
  });

  it('ChangeMessageVisibility: extend, release with 0; misuse -> MessageNotInflight, ReceiptHandleIsInvalid, InvalidParameterValue', async () => {
    const url = await createQueue('cmv-main', { VisibilityTimeout: '10' });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'c' }));
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    const handle = got.Messages![0].ReceiptHandle!;
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: handle, VisibilityTimeout: 100 }));
    sy.clock.advance(50_000);
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: handle, VisibilityTimeout: 0 }));
    expect(await visibleCount(url)).toMatchObject({ ApproximateNumberOfMessages: '1', ApproximateNumberOfMessagesNotVisible: '0' });
    // Same handle again, message no longer in flight.
    expect(await failure(sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: handle, VisibilityTimeout: 5 })))).toMatchObject({
      name: 'MessageNotInflight',
      code: 'AWS.SimpleQueueService.MessageNotInflight',
      status: 400,
    });
    expect(
      await failure(sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: 'garbage', VisibilityTimeout: 5 }))),
    ).toMatchObject({ name: 'ReceiptHandleIsInvalid', code: 'ReceiptHandleIsInvalid', status: 404 });
    const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    expect(
      await failure(
        sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: again.Messages![0].ReceiptHandle, VisibilityTimeout: 43_201 })),
      ),
    ).toMatchObject({ name: 'InvalidParameterValue', code: 'InvalidParameterValue', status: 400 });
  });
});

describe('batches', () => {
  it('SendMessageBatch: per-entry success with digests and per-entry failures in Failed', async () => {
    const url = await createQueue('batch-send');
    const attrs: Record<string, MessageAttributeValue> = { kind: { DataType: 'String', StringValue: 'batch' } };
    const out = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'ok-1', MessageBody: 'first\r\n', MessageAttributes: attrs },
          { Id: 'bad-delay', MessageBody: 'x', DelaySeconds: 5000 },
          { Id: 'ok-2', MessageBody: 'second' },
          { Id: 'bad-chars', MessageBody: 'nul\u0000' },
          { Id: 'bad-dedup', MessageBody: 'y', MessageDeduplicationId: 'only-fifo' },
        ],
      }),
    );
    const form = new URLSearchParams(lastExchange('SendMessageBatch').body);
    expect(form.get('SendMessageBatchRequestEntry.1.Id')).toBe('ok-1');
    expect(form.get('SendMessageBatchRequestEntry.1.MessageAttribute.1.Name')).toBe('kind');
    expect(form.get('SendMessageBatchRequestEntry.2.DelaySeconds')).toBe('5000');
    expect(out.Successful!.map((s) => s.Id)).toEqual(['ok-1', 'ok-2']);
    expect(out.Successful![0]).toMatchObject({ MD5OfMessageBody: md5('first\r\n'), MD5OfMessageAttributes: attributesMd5(attrs) });
    expect(out.Successful![1].MD5OfMessageBody).toBe(md5('second'));
    expect(out.Successful![1].MD5OfMessageAttributes).toBeUndefined();
    expect(out.Failed).toEqual([
      expect.objectContaining({ Id: 'bad-delay', SenderFault: true, Code: 'InvalidParameterValue' }),
      expect.objectContaining({ Id: 'bad-chars', SenderFault: true, Code: 'InvalidMessageContents' }),
      expect.objectContaining({ Id: 'bad-dedup', SenderFault: true, Code: 'InvalidParameterValue' }),
    ]);
    expect(out.Failed![0].Message).toMatch(/DelaySeconds/);
    expect(lastExchange('SendMessageBatch').responseBody).toMatch(
      /<BatchResultErrorEntry><Id>bad-delay<\/Id><SenderFault>true<\/SenderFault><Code>InvalidParameterValue<\/Code><Message>/,
    );
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }));
    expect(got.Messages!.map((m) => m.Body).sort()).toEqual(['first\r\n', 'second']);
  });

  it('a batch with no entries at all (or botocore\'s bare `Entries=`) is EmptyBatchRequest, not MissingParameter', async () => {
    const url = await createQueue('batch-no-entries');
    for (const action of ['SendMessageBatch', 'DeleteMessageBatch', 'ChangeMessageVisibilityBatch']) {
      for (const extra of [{}, { Entries: '' }] as Record<string, string>[]) {
        const res = await fetch(sy.endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ Action: action, Version: '2012-11-05', QueueUrl: url, ...extra }).toString(),
        });
        expect(res.status).toBe(400);
        expect(await res.text()).toContain('<Code>AWS.SimpleQueueService.EmptyBatchRequest</Code>');
      }
    }
  });

  it('SendMessageBatch misuse: empty, 11 entries, repeated Id, bad Id', async () => {
    const url = await createQueue('batch-send-misuse');
    expect(await failure(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [] })))).toMatchObject({
      name: 'EmptyBatchRequest',
      code: 'AWS.SimpleQueueService.EmptyBatchRequest',
      status: 400,
    });
    expect(new URLSearchParams(lastExchange('SendMessageBatch').body).has('SendMessageBatchRequestEntry')).toBe(true);
    const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: `b${i}` }));
    expect(await failure(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: eleven })))).toMatchObject({
      name: 'TooManyEntriesInBatchRequest',
      code: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
    });
    expect(
      await failure(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'same', MessageBody: 'a' }, { Id: 'same', MessageBody: 'b' }] }))),
    ).toMatchObject({ name: 'BatchEntryIdsNotDistinct', code: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct' });
    expect(
      await failure(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'has space', MessageBody: 'a' }] }))),
    ).toMatchObject({ name: 'InvalidBatchEntryId', code: 'AWS.SimpleQueueService.InvalidBatchEntryId' });
    expect((await visibleCount(url)).ApproximateNumberOfMessages).toBe('0');
  });

  it('DeleteMessageBatch: deletes, reports a garbage handle in Failed; misuse: empty, too many, repeated Id', async () => {
    const url = await createQueue('batch-delete');
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'a', MessageBody: 'a' }, { Id: 'b', MessageBody: 'b' }] }));
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect(got.Messages).toHaveLength(2);
    const out = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'd1', ReceiptHandle: got.Messages![0].ReceiptHandle },
          { Id: 'd2', ReceiptHandle: 'garbage' },
          { Id: 'd3', ReceiptHandle: got.Messages![1].ReceiptHandle },
        ],
      }),
    );
    expect(out.Successful).toEqual([{ Id: 'd1' }, { Id: 'd3' }]);
    expect(out.Failed).toEqual([expect.objectContaining({ Id: 'd2', SenderFault: true, Code: 'ReceiptHandleIsInvalid' })]);
    expect(await visibleCount(url)).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0' });

    expect(await failure(sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: [] })))).toMatchObject({
      name: 'EmptyBatchRequest',
      code: 'AWS.SimpleQueueService.EmptyBatchRequest',
    });
    const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, ReceiptHandle: 'x' }));
    expect(await failure(sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: eleven })))).toMatchObject({
      name: 'TooManyEntriesInBatchRequest',
      code: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
    });
    expect(
      await failure(sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'x', ReceiptHandle: 'a' }, { Id: 'x', ReceiptHandle: 'b' }] }))),
    ).toMatchObject({ name: 'BatchEntryIdsNotDistinct', code: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct' });
  });

  it('ChangeMessageVisibilityBatch: per entry, failures in Failed; misuse: empty, too many, repeated Id', async () => {
    const url = await createQueue('batch-cmv', { VisibilityTimeout: '30' });
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'a', MessageBody: 'a' }, { Id: 'b', MessageBody: 'b' }] }));
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    const [m1, m2] = got.Messages!;
    const out = await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'release', ReceiptHandle: m1.ReceiptHandle, VisibilityTimeout: 0 },
          { Id: 'extend', ReceiptHandle: m2.ReceiptHandle, VisibilityTimeout: 300 },
          { Id: 'garbage', ReceiptHandle: 'garbage', VisibilityTimeout: 10 },
          { Id: 'too-long', ReceiptHandle: m2.ReceiptHandle, VisibilityTimeout: 50_000 },
        ],
      }),
    );
    const form = new URLSearchParams(lastExchange('ChangeMessageVisibilityBatch').body);
    expect(form.get('ChangeMessageVisibilityBatchRequestEntry.2.VisibilityTimeout')).toBe('300');
    expect(out.Successful).toEqual([{ Id: 'release' }, { Id: 'extend' }]);
    expect(out.Failed).toEqual([
      expect.objectContaining({ Id: 'garbage', SenderFault: true, Code: 'ReceiptHandleIsInvalid' }),
      expect.objectContaining({ Id: 'too-long', SenderFault: true, Code: 'InvalidParameterValue' }),
    ]);
    const now = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect(now.Messages!.map((m) => m.Body)).toEqual([m1.Body]);
    sy.clock.advance(299_000);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: now.Messages![0].ReceiptHandle }));
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
    sy.clock.advance(1_000);
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages![0].Body).toBe(m2.Body);

    expect(await failure(sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: url, Entries: [] })))).toMatchObject({
      name: 'EmptyBatchRequest',
      code: 'AWS.SimpleQueueService.EmptyBatchRequest',
    });
    const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, ReceiptHandle: 'x', VisibilityTimeout: 1 }));
    expect(await failure(sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: url, Entries: eleven })))).toMatchObject({
      name: 'TooManyEntriesInBatchRequest',
      code: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
    });
    expect(
      await failure(
        sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: url,
            Entries: [
              { Id: 'x', ReceiptHandle: 'a', VisibilityTimeout: 1 },
              { Id: 'x', ReceiptHandle: 'b', VisibilityTimeout: 1 },
            ],
          }),
        ),
      ),
    ).toMatchObject({ name: 'BatchEntryIdsNotDistinct', code: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct' });
  });
});

describe('dead-letter queues and message move tasks', () => {
  it('RedrivePolicy via SetQueueAttributes moves a message to the DLQ after maxReceiveCount receives', async () => {
    const dlq = await createQueue('redrive-dlq');
    const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    const src = await createQueue('redrive-src', { VisibilityTimeout: '10' });
    const policy = JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 });
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: src, Attributes: { RedrivePolicy: policy } }));
    expect(new URLSearchParams(lastExchange('SetQueueAttributes').body).get('Attribute.1.Value')).toBe(policy);
    const stored = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: src, AttributeNames: ['RedrivePolicy'] }));
    expect(JSON.parse(stored.Attributes!.RedrivePolicy!)).toEqual({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 });

    await sqs.send(new SendMessageCommand({ QueueUrl: src, MessageBody: 'poison', MessageAttributes: { a: { DataType: 'String', StringValue: 'b' } } }));
    for (let i = 1; i <= 2; i++) {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: src, AttributeNames: systemNames('ApproximateReceiveCount') }));
      expect(r.Messages![0].Attributes!.ApproximateReceiveCount).toBe(String(i));
      sy.clock.advance(10_000);
    }
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: src }))).Messages).toBeUndefined();
    expect((await visibleCount(src)).ApproximateNumberOfMessages).toBe('0');
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq, AttributeNames: ['All'], MessageAttributeNames: ['All'] }));
    expect(dead.Messages![0].Body).toBe('poison');
    expect(dead.Messages![0].MessageAttributes).toEqual({ a: { DataType: 'String', StringValue: 'b' } });
    expect(dead.Messages![0].Attributes!.DeadLetterQueueSourceArn).toBe(`arn:aws:sqs:us-east-1:${ACCOUNT}:redrive-src`);

    const sources = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq }));
    expect(sources.queueUrls).toEqual([src]);
    expect(lastExchange('ListDeadLetterSourceQueues').responseBody).toContain(`<QueueUrl>${src}</QueueUrl>`);
    expect(await failure(sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: `${sy.endpoint}/${ACCOUNT}/dlq-none` })))).toMatchObject({
      name: 'QueueDoesNotExist',
      code: 'AWS.SimpleQueueService.NonExistentQueue',
    });

    // A policy naming a queue that does not exist is refused.
    expect(
      await failure(
        sqs.send(
          new SetQueueAttributesCommand({
            QueueUrl: src,
            Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:nope`, maxReceiveCount: 1 }) },
          }),
        ),
      ),
    ).toMatchObject({ code: 'InvalidParameterValue' });
  });

  it('StartMessageMoveTask / ListMessageMoveTasks / CancelMessageMoveTask, on the clock, and their errors', async () => {
    const dlq = await createQueue('move-dlq');
    const dlqArn = `arn:aws:sqs:us-east-1:${ACCOUNT}:move-dlq`;
    const src = await createQueue('move-src', {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }),
      VisibilityTimeout: '1',
    });
    const srcArn = `arn:aws:sqs:us-east-1:${ACCOUNT}:move-src`;
    for (let i = 0; i < 4; i++) await sqs.send(new SendMessageCommand({ QueueUrl: src, MessageBody: `dead-${i}` }));
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: src, MaxNumberOfMessages: 10 }));
    sy.clock.advance(1_000);
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: src, MaxNumberOfMessages: 10 }))).Messages).toBeUndefined();
    expect((await visibleCount(dlq)).ApproximateNumberOfMessages).toBe('4');

    const started = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, MaxNumberOfMessagesPerSecond: 1 }));
    expect(started.TaskHandle).toBeTruthy();
    // Only one running task per source.
    expect(await failure(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn })))).toMatchObject({
      name: 'InvalidParameterValue',
      code: 'InvalidParameterValue',
    });
    const listed = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn, MaxResults: 10 }));
    expect(listed.Results).toEqual([
      expect.objectContaining({
        TaskHandle: started.TaskHandle,
        Status: 'RUNNING',
        SourceArn: dlqArn,
        MaxNumberOfMessagesPerSecond: 1,
        ApproximateNumberOfMessagesMoved: 1,
        ApproximateNumberOfMessagesToMove: 4,
      }),
    ]);
    expect(typeof listed.Results![0].StartedTimestamp).toBe('number');
    sy.clock.advance(1_000);
    const cancelled = await sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: started.TaskHandle }));
    expect(cancelled.ApproximateNumberOfMessagesMoved).toBe(2);
    expect((await visibleCount(dlq)).ApproximateNumberOfMessages).toBe('2');
    expect((await visibleCount(src)).ApproximateNumberOfMessages).toBe('2');
    const after = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }));
    expect(after.Results).toEqual([expect.objectContaining({ Status: 'CANCELLED', ApproximateNumberOfMessagesMoved: 2 })]);
    expect(after.Results![0].TaskHandle).toBeUndefined();
    expect(await failure(sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: started.TaskHandle })))).toMatchObject({
      name: 'UnsupportedOperation',
      code: 'AWS.SimpleQueueService.UnsupportedOperation',
    });

    // A task without a rate moves the rest at once and completes.
    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
    expect((await visibleCount(dlq)).ApproximateNumberOfMessages).toBe('0');
    expect((await visibleCount(src)).ApproximateNumberOfMessages).toBe('4');
    const done = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn, MaxResults: 10 }));
    expect(done.Results!.map((r) => r.Status)).toEqual(['COMPLETED', 'CANCELLED']);

    expect(await failure(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: srcArn })))).toMatchObject({
      name: 'InvalidParameterValue',
      code: 'InvalidParameterValue',
    });
    const missingArn = `arn:aws:sqs:us-east-1:${ACCOUNT}:move-none`;
    expect(await failure(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: missingArn })))).toMatchObject({
      name: 'ResourceNotFoundException',
      code: 'ResourceNotFoundException',
      status: 404,
    });
    expect(await failure(sqs.send(new ListMessageMoveTasksCommand({ SourceArn: missingArn })))).toMatchObject({
      name: 'ResourceNotFoundException',
      code: 'ResourceNotFoundException',
    });
    const unknownTask = Buffer.from(JSON.stringify({ taskId: 'f00', sourceArn: dlqArn })).toString('base64');
    expect(await failure(sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: unknownTask })))).toMatchObject({
      name: 'ResourceNotFoundException',
      code: 'ResourceNotFoundException',
      status: 404,
    });
    expect(await failure(sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: 'not-a-task-handle' })))).toMatchObject({
      name: 'InvalidParameterValue',
      code: 'InvalidParameterValue',
    });
  });
});

describe('FIFO queues', () => {
  it('keeps order within a group, deduplicates, and blocks a group while a message is in flight', async () => {
    const url = await createQueue('order.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true', VisibilityTimeout: '30' });
    const sends: { body: string; group: string; dedup?: string }[] = [
      { body: 'g1-a', group: 'g1' },
      { body: 'g1-b', group: 'g1' },
      { body: 'g2-a', group: 'g2' },
      { body: 'g1-c', group: 'g1' },
    ];
    const ids: string[] = [];
    const seqs: bigint[] = [];
    for (const s of sends) {
      const out = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: s.body, MessageGroupId: s.group }));
      ids.push(out.MessageId!);
      expect(out.SequenceNumber).toMatch(/^\d{20}$/);
      seqs.push(BigInt(out.SequenceNumber!));
    }
    expect([...seqs].sort((a, b) => (a < b ? -1 : 1))).toEqual(seqs);
    // Content-based dedup: the same body in the window is accepted but not enqueued again.
    const dup = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'g1-a', MessageGroupId: 'g1' }));
    expect(dup.MessageId).toBe(ids[0]);
    // Explicit dedup ids override the content hash.
    const explicit1 = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'g3-x', MessageGroupId: 'g3', MessageDeduplicationId: 'd-1' }));
    const explicit2 = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'g3-other', MessageGroupId: 'g3', MessageDeduplicationId: 'd-1' }));
    expect(explicit2.MessageId).toBe(explicit1.MessageId);
    expect((await visibleCount(url)).ApproximateNumberOfMessages).toBe('5');

    const first = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1, AttributeNames: systemNames('MessageGroupId', 'SequenceNumber', 'MessageDeduplicationId') }),
    );
    expect(first.Messages!.map((m) => m.Body)).toEqual(['g1-a']);
    expect(first.Messages![0].Attributes).toEqual({
      MessageGroupId: 'g1',
      SequenceNumber: String(seqs[0]),
      MessageDeduplicationId: createHash('sha256').update('g1-a').digest('hex'),
    });
    // g1 is blocked while g1-a is in flight: the rest come from g2 and g3 only.
    const rest = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect(rest.Messages!.map((m) => m.Body).sort()).toEqual(['g2-a', 'g3-x']);
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }))).Messages).toBeUndefined();

    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first.Messages![0].ReceiptHandle }));
    const g1 = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect(g1.Messages!.map((m) => m.Body)).toEqual(['g1-b', 'g1-c']);

    // After visibility expiry the group comes back in order.
    sy.clock.advance(30_000);
    const back = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect(back.Messages!.map((m) => m.Body).sort()).toEqual(['g1-b', 'g1-c', 'g2-a', 'g3-x']);
    const order = back.Messages!.map((m) => m.Body).filter((b) => b!.startsWith('g1'));
    expect(order).toEqual(['g1-b', 'g1-c']);

    // Past the 5-minute window the same body is a new message.
    sy.clock.advance(5 * 60_000);
    const fresh = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'g1-a', MessageGroupId: 'g9' }));
    expect(fresh.MessageId).not.toBe(ids[0]);
  });

  it('FIFO misuse: missing MessageGroupId, no dedup id without content-based dedup, per-message delay', async () => {
    const url = await createQueue('strict.fifo', { FifoQueue: 'true' });
    expect(await failure(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageDeduplicationId: 'd' })))).toMatchObject({
      name: 'MissingParameter',
      code: 'MissingParameter',
    });
    expect(await failure(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g' })))).toMatchObject({
      name: 'InvalidParameterValue',
      code: 'InvalidParameterValue',
    });
    expect(
      await failure(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd', DelaySeconds: 3 }))),
    ).toMatchObject({ code: 'InvalidParameterValue' });
    expect(await failure(sqs.send(new CreateQueueCommand({ QueueName: 'not-fifo-name', Attributes: { FifoQueue: 'true' } })))).toMatchObject({
      code: 'InvalidParameterValue',
    });
  });
});

describe('legacy extras: queue-URL paths and URL query strings', () => {
  const form = (fields: Record<string, string>) => new URLSearchParams({ Version: '2012-11-05', ...fields }).toString();
  const text = (xml: string, tag: string) => [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((m) => m[1]);

  it('POST /<account>/<queue> without a QueueUrl field acts on that queue', async () => {
    const url = await createQueue('by-path');
    const path = `${sy.endpoint}/${ACCOUNT}/by-path`;
    const post = (fields: Record<string, string>) =>
      fetch(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form(fields) });

    const sent = await post({
      Action: 'SendMessage',
      MessageBody: 'via path\r\nok',
      'MessageAttribute.1.Name': 'City',
      'MessageAttribute.1.Value.DataType': 'String',
      'MessageAttribute.1.Value.StringValue': 'Any City',
    });
    expect(sent.status).toBe(200);
    expect(sent.headers.get('content-type')).toBe('text/xml');
    const sentXml = await sent.text();
    expect(text(sentXml, 'MD5OfMessageBody')).toEqual([md5('via path\r\nok')]);
    expect(text(sentXml, 'MD5OfMessageAttributes')).toEqual(['0c32cb5c844c01fbd5b6b434b52cf670']);

    const attrs = await (await post({ Action: 'GetQueueAttributes', 'AttributeName.1': 'ApproximateNumberOfMessages' })).text();
    expect(attrs).toContain('<Attribute><Name>ApproximateNumberOfMessages</Name><Value>1</Value></Attribute>');

    // The SDK sees the message the path-addressed request sent.
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ['All'] }));
    expect(got.Messages![0].Body).toBe('via path\r\nok');
    expect(got.Messages![0].MessageAttributes).toEqual({ City: { DataType: 'String', StringValue: 'Any City' } });

    const del = await post({ Action: 'DeleteMessage', ReceiptHandle: got.Messages![0].ReceiptHandle! });
    expect(del.status).toBe(200);
    expect(await del.text()).toMatch(/<DeleteMessageResponse xmlns="http:\/\/queue\.amazonaws\.com\/doc\/2012-11-05\/"><ResponseMetadata>/);
    expect((await visibleCount(url)).ApproximateNumberOfMessagesNotVisible).toBe('0');

    // An explicit QueueUrl field wins over the path.
    const other = await createQueue('by-path-other');
    await post({ Action: 'SendMessage', MessageBody: 'to other', QueueUrl: other });
    expect((await visibleCount(other)).ApproximateNumberOfMessages).toBe('1');
    expect((await visibleCount(url)).ApproximateNumberOfMessages).toBe('0');

    // A path naming no queue is NonExistentQueue, in XML.
    const missing = await fetch(`${sy.endpoint}/${ACCOUNT}/by-path-none`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ Action: 'SendMessage', MessageBody: 'x' }),
    });
    expect(missing.status).toBe(400);
    const missingXml = await missing.text();
    expect(text(missingXml, 'Code')).toEqual(['AWS.SimpleQueueService.NonExistentQueue']);
    expect(text(missingXml, 'Type')).toEqual(['Sender']);
  });

  it('GET with every parameter in the URL query string', async () => {
    const url = await createQueue('get-query-a');
    await createQueue('get-query-b');
    const list = await fetch(`${sy.endpoint}/?${form({ Action: 'ListQueues', QueueNamePrefix: 'get-query-' })}`);
    expect(list.status).toBe(200);
    expect(text(await list.text(), 'QueueUrl')).toEqual([url, `${sy.endpoint}/${ACCOUNT}/get-query-b`]);

    const send = await fetch(`${sy.endpoint}/?${form({ Action: 'SendMessage', QueueUrl: url, MessageBody: 'from a GET & friends' })}`);
    expect(send.status).toBe(200);
    expect(text(await send.text(), 'MD5OfMessageBody')).toEqual([md5('from a GET & friends')]);

    // Path-addressed GET: /<account>/<queue>?Action=...
    const recv = await fetch(`${sy.endpoint}/${ACCOUNT}/get-query-a?${form({ Action: 'ReceiveMessage', 'AttributeName.1': 'All' })}`);
    const recvXml = await recv.text();
    expect(text(recvXml, 'Body')).toEqual(['from a GET &amp; friends']);
    expect(recvXml).toContain('<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value></Attribute>');

    const bad = await fetch(`${sy.endpoint}/?${form({ Action: 'NoSuchAction' })}`);
    expect(bad.status).toBe(400);
    expect(text(await bad.text(), 'Code')).toEqual(['InvalidAction']);
    const missing = await fetch(`${sy.endpoint}/?${form({ Action: 'GetQueueUrl' })}`);
    expect(missing.status).toBe(400);
    const missingXml = await missing.text();
    expect(text(missingXml, 'Code')).toEqual(['MissingParameter']);
    expect(missingXml).toContain('QueueName');
  });
});

describe('long polling', () => {
  it('a receive waiting 5 s returns within 100 ms of a send', async () => {
    const url = await createQueue('long-poll');
    const parked = whenParked('long-poll');
    let settled = false;
    const polling = sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5, MessageAttributeNames: ['All'] })).finally(() => {
      settled = true;
    });
    await parked;
    expect(settled).toBe(false);
    expect(new URLSearchParams(lastExchangeBody('ReceiveMessage')).get('WaitTimeSeconds')).toBe('5');
    const t0 = performance.now();
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'wake up', MessageAttributes: { n: { DataType: 'Number', StringValue: '1' } } }));
    const got = await polling;
    const elapsed = performance.now() - t0;
    expect(got.Messages!.map((m) => m.Body)).toEqual(['wake up']);
    expect(got.Messages![0].MD5OfMessageAttributes).toBe(attributesMd5({ n: { DataType: 'Number', StringValue: '1' } }));
    expect(elapsed).toBeLessThan(100);
  });

  it('an empty long poll ends when the clock passes WaitTimeSeconds', async () => {
    const url = await createQueue('long-poll-empty');
    const parked = whenParked('long-poll-empty');
    let settled = false;
    const polling = sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 })).finally(() => {
      settled = true;
    });
    await parked;
    expect(settled).toBe(false);
    const t0 = performance.now();
    sy.clock.advance(20_000);
    const got = await polling;
    expect(got.Messages).toBeUndefined();
    // Ended by the clock, not by 20 s of real time.
    expect(performance.now() - t0).toBeLessThan(1_000);
  });
});

/** Resolves once a receive on the named queue found nothing and started waiting (server side). */
function whenParked(queueName: string): Promise<void> {
  const q = [...sy.sqs.allQueues()].find((x) => x.name === queueName)!;
  return new Promise((resolve) => {
    const wait = q.wait.bind(q);
    q.wait = (params, ms) => {
      const poll = wait(params, ms);
      resolve();
      return poll;
    };
  });
}

/** The request body of the latest request of `action` sent so far (answered or not). */
function lastExchangeBody(action: string): string {
  return pendingBodies.filter((b) => new URLSearchParams(b).get('Action') === action).pop() ?? '';
}
