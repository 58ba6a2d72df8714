/**
 * SQS over the query protocol with Debian's boto3 1.26 / botocore 1.29 (`/usr/bin/python3`; the
 * pyenv `python3` on PATH has a newer boto3 that speaks JSON). The Python script
 * compat/boto3/sqs_query.py drives the client and prints what happened as JSON, including every
 * request and response recorded through botocore's before-send / after-call hooks; this file
 * starts the server in-process, runs the script, moves the clock between script runs, and
 * asserts. One `ops` run covers all 20 operations botocore 1.29 has (happy path and misuse);
 * `timed-1` / `timed-2` bracket a clock advance for visibility, delay, dedup window and cooldowns.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSwitchyard, type Switchyard } from '../src/index.js';
import { attributesMd5, md5 } from './support/digests.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./boto3/sqs_query.py', import.meta.url));
const ACCOUNT = '000000000000';

// ---------------------------------------------------------------------------------------
// What the script prints (loosely typed: the assertions below pin the shapes down).

/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = any;

interface Failure {
  class: string | null;
  code: string;
  type: string;
  message: string;
  status: number;
  requestId: string;
  isQueueDoesNotExist: boolean;
}

interface WireRecord {
  method: string;
  url: string;
  contentType: string;
  amzTarget: string | null;
  body: string;
  operation: string;
  status: number;
  responseType: string;
  responseBody: string;
}

const execFileP = promisify(execFile);

let sy: Switchyard;

async function runScenario(scenario: string, state?: unknown): Promise<Json> {
  const args = [SCRIPT, sy.endpoint, scenario];
  if (state !== undefined) args.push(JSON.stringify(state));
  const { stdout } = await execFileP(PYTHON, args, {
    // A clean environment: no credentials, config files or endpoint overrides from the host.
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      LANG: 'C.UTF-8',
      PYTHONIOENCODING: 'utf-8',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 60_000,
  });
  return JSON.parse(stdout);
}

// ---------------------------------------------------------------------------------------
// Independent digests (shared/reference/MD5.md).

type PyAttr = { DataType: string; StringValue?: string; BinaryValue?: { bytes: number[] } };

/** The boto3 script reports binary values as {bytes: [...]}. */
const pyAttributesMd5 = (attrs: Record<string, PyAttr>): string =>
  attributesMd5(
    Object.fromEntries(
      Object.entries(attrs).map(([k, v]) => [k, { DataType: v.DataType, StringValue: v.StringValue, BinaryValue: v.BinaryValue?.bytes }]),
    ),
  );

const form = (body: string) => new URLSearchParams(body);

// ---------------------------------------------------------------------------------------

let ops: Json;
let wire: WireRecord[];

beforeAll(async () => {
  sy = await startSwitchyard({ port: 0 });
  ops = await runScenario('ops');
  wire = ops.wire;
});

afterAll(async () => {
  await sy?.stop();
});

const url = (name: string) => `${sy.endpoint}/${ACCOUNT}/${name}`;

/** AWS's error as botocore 1.29 presents it: modeled class (or ClientError), Error.Code, Type, status. */
function expectFailure(f: Failure, cls: string, code: string, status = 400): void {
  expect(f, `expected ${code}`).toMatchObject({ class: cls, code, type: 'Sender', status });
  expect(f.message.length).toBeGreaterThan(0);
  expect(f.requestId).toMatch(/^[0-9a-f-]{36}$/);
}

describe('botocore 1.29 really speaks query/XML', () => {
  it('is the Debian client, with a query-protocol SQS model of 20 operations', () => {
    expect(ops.versions).toEqual({ boto3: '1.26.27', botocore: '1.29.27' });
    expect(ops.protocol).toBe('query');
    expect(ops.operations).toEqual([
      'AddPermission',
      'ChangeMessageVisibility',
      'ChangeMessageVisibilityBatch',
      'CreateQueue',
      'DeleteMessage',
      'DeleteMessageBatch',
      'DeleteQueue',
      'GetQueueAttributes',
      'GetQueueUrl',
      'ListDeadLetterSourceQueues',
      'ListQueueTags',
      'ListQueues',
      'PurgeQueue',
      'ReceiveMessage',
      'RemovePermission',
      'SendMessage',
      'SendMessageBatch',
      'SetQueueAttributes',
      'TagQueue',
      'UntagQueue',
    ]);
  });

  it('sent every request as a form body to / and got XML back, for all 20 operations', () => {
    expect(wire.length).toBeGreaterThan(100);
    for (const x of wire) {
      expect(x.method).toBe('POST');
      expect(x.url).toBe(`${sy.endpoint}/`);
      expect(x.contentType).toBe('application/x-www-form-urlencoded; charset=utf-8');
      expect(x.amzTarget).toBeNull();
      const f = form(x.body);
      expect(f.get('Action')).toBe(x.operation);
      expect(f.get('Version')).toBe('2012-11-05');
      expect(x.responseType).toBe('text/xml');
      if (x.status === 200) {
        expect(x.responseBody.startsWith(`<?xml version="1.0"?><${x.operation}Response xmlns="http://queue.amazonaws.com/doc/2012-11-05/">`)).toBe(true);
        expect(x.responseBody).toMatch(/<ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata>/);
      } else {
        expect(x.responseBody).toMatch(/^<\?xml version="1\.0"\?><ErrorResponse xmlns="http:\/\/queue\.amazonaws\.com\/doc\/2012-11-05\/"><Error><Type>Sender<\/Type><Code>/);
      }
    }
    expect([...new Set(wire.filter((x) => x.status === 200).map((x) => x.operation))].sort()).toEqual(ops.operations);
  });

  it('flattens lists and maps the query way (Attribute.N.Name, Tag.N.Key, MessageAttribute.N.Value.BinaryValue, ...)', () => {
    const create = form(wire.find((x) => x.operation === 'CreateQueue')!.body);
    expect(Object.fromEntries(create)).toMatchObject({
      QueueName: 'b3-main',
      'Attribute.1.Name': 'VisibilityTimeout',
      'Attribute.1.Value': '40',
      'Tag.1.Key': 'team',
      'Tag.1.Value': 'ops',
      'Tag.2.Key': 'env',
    });
    const send = form(wire.find((x) => x.operation === 'SendMessage' && x.body.includes('MessageAttribute'))!.body);
    const names = [1, 2, 3].map((i) => send.get(`MessageAttribute.${i}.Name`));
    expect(names).toEqual(['City', 'Population', 'Blob']);
    expect(send.get('MessageAttribute.3.Value.DataType')).toBe('Binary');
    expect(send.get('MessageAttribute.3.Value.BinaryValue')).toBe('AQID');
    const batch = form(wire.find((x) => x.operation === 'SendMessageBatch')!.body);
    expect(batch.get('SendMessageBatchRequestEntry.1.MessageBody')).toBe('one\r\n');
    expect(batch.get('SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue')).toBe('v');
    const untag = form(wire.find((x) => x.operation === 'UntagQueue')!.body);
    expect([untag.get('TagKey.1'), untag.get('TagKey.2')]).toEqual(['env', 'owner']);
    const perm = form(wire.find((x) => x.operation === 'AddPermission')!.body);
    expect([perm.get('AWSAccountId.1'), perm.get('AWSAccountId.2'), perm.get('ActionName.1')]).toEqual([
      '111122223333',
      '444455556666',
      'SendMessage',
    ]);
    // botocore sends an empty flattened list under the member name, not the element name.
    const emptyBatch = wire.find((x) => x.operation === 'SendMessageBatch' && x.status !== 200 && form(x.body).has('Entries'));
    expect(form(emptyBatch!.body).get('Entries')).toBe('');
  });
});

describe('queue management through boto3', () => {
  it('CreateQueue: URL, idempotency, QueueAlreadyExists, InvalidAttributeName/Value, bad name', () => {
    const c = ops.create;
    expect(c.url).toBe(url('b3-main'));
    expect(c.idempotent).toBe(c.url);
    expectFailure(c.conflict, 'QueueNameExists', 'QueueAlreadyExists');
    expectFailure(c.unknownAttribute, 'InvalidAttributeName', 'InvalidAttributeName');
    expectFailure(c.badValue, 'ClientError', 'InvalidAttributeValue');
    expectFailure(c.badName, 'ClientError', 'InvalidParameterValue');
    expect(c.tags).toEqual({ team: 'ops', env: 'test' });
  });

  it('GetQueueUrl: found, with owner account, and client.exceptions.QueueDoesNotExist', () => {
    const g = ops.getQueueUrl;
    expect(g.found).toBe(url('b3-main'));
    expect(g.withOwner).toBe(url('b3-main'));
    expectFailure(g.missing, 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue');
    expect(g.missing.isQueueDoesNotExist).toBe(true);
    const raw = wire.find((x) => x.operation === 'GetQueueUrl' && x.status === 400)!;
    expect(raw.responseBody).toContain('<Code>AWS.SimpleQueueService.NonExistentQueue</Code>');
  });

  it('ListQueues: prefix, paging with NextToken, empty, MaxResults 0', () => {
    const l = ops.listQueues;
    expect(l.prefix).toEqual(['b3-list-1', 'b3-list-2', 'b3-list-3'].map(url));
    expect(l.page1).toEqual(['b3-list-1', 'b3-list-2'].map(url));
    expect(l.page1HasToken).toBe(true);
    expect(l.page2).toEqual([url('b3-list-3')]);
    expect(l.page2HasToken).toBe(false);
    expect(l.none).toBeNull();
    expectFailure(l.badMax, 'ClientError', 'InvalidParameterValue');
  });

  it('DeleteQueue: gone afterwards (QueueDoesNotExist everywhere, modeled or not), QueueDeletedRecently', () => {
    const d = ops.deleteQueue;
    expectFailure(d.afterDelete, 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue');
    // DeleteQueue does not model the error in botocore 1.29, but the code maps to the class anyway.
    expectFailure(d.again, 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue');
    expect(d.again.isQueueDoesNotExist).toBe(true);
    expectFailure(d.recreate, 'QueueDeletedRecently', 'AWS.SimpleQueueService.QueueDeletedRecently');
  });

  it('Get/SetQueueAttributes: All, subset, InvalidAttributeName on both, InvalidAttributeValue, missing queue', () => {
    const a = ops.attributes;
    expect(a.all).toMatchObject({
      QueueArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:b3-main`,
      VisibilityTimeout: '40',
      MaximumMessageSize: '2048',
      DelaySeconds: '0',
      ApproximateNumberOfMessages: '0',
      MessageRetentionPeriod: '345600',
    });
    expect(a.some).toEqual({ QueueArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:b3-main`, MaximumMessageSize: '2048' });
    expectFailure(a.unknownGet, 'InvalidAttributeName', 'InvalidAttributeName');
    expectFailure(a.unknownSet, 'InvalidAttributeName', 'InvalidAttributeName');
    expectFailure(a.badSet, 'ClientError', 'InvalidAttributeValue');
    expectFailure(a.missingQueue, 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue');
  });

  it('PurgeQueue: empties; again within 60 s -> PurgeQueueInProgress (403); missing queue', () => {
    const p = ops.purge;
    expect([p.before, p.after]).toEqual(['3', '0']);
    expectFailure(p.again, 'PurgeQueueInProgress', 'AWS.SimpleQueueService.PurgeQueueInProgress', 403);
    expectFailure(p.missing, 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue');
  });

  it('TagQueue / UntagQueue / ListQueueTags: values, too many tags, missing queue', () => {
    const t = ops.tags;
    expect(t.afterTag).toEqual({ team: 'ops', env: 'test', cost: 'center-1', owner: 'me' });
    expect(t.afterUntag).toEqual({ team: 'ops', cost: 'center-1' });
    expectFailure(t.tooMany, 'ClientError', 'InvalidParameterValue');
    for (const k of ['tagMissing', 'untagMissing', 'listMissing'])
      expectFailure(t[k], 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue');
    expect(wire.find((x) => x.operation === 'ListQueueTags' && x.status === 200)!.responseBody).toContain('<Tag><Key>team</Key><Value>ops</Value></Tag>');
  });

  it('AddPermission / RemovePermission: policy statement, duplicate label, empty account list, unknown label', () => {
    const p = ops.permissions;
    expect(p.policy.Statement).toEqual([
      {
        Sid: 'partner',
        Effect: 'Allow',
        // As AWS writes it: several principals are a list, a lone action a string.
        Principal: { AWS: ['arn:aws:iam::111122223333:root', 'arn:aws:iam::444455556666:root'] },
        Action: 'SQS:SendMessage',
        Resource: `arn:aws:sqs:us-east-1:${ACCOUNT}:b3-main`,
      },
    ]);
    expectFailure(p.duplicateLabel, 'ClientError', 'InvalidParameterValue');
    expectFailure(p.missingAccounts, 'ClientError', 'MissingParameter');
    expect(p.afterRemove).toBeNull();
    expectFailure(p.removeUnknown, 'ClientError', 'InvalidParameterValue');
  });
});

describe('messages through boto3', () => {
  it('SendMessage digests: body and String/Number/Binary attributes (worked example)', () => {
    const m = ops.messages;
    expect(m.sent.MD5OfMessageBody).toBe(md5('{"hello":"world"}'));
    expect(m.sent.MD5OfMessageBody).toBe('fbc24bcc7a1794758fc1327fcfebdaf6');
    const worked: Record<string, PyAttr> = {
      City: { DataType: 'String', StringValue: 'Any City' },
      Population: { DataType: 'Number', StringValue: '1250800' },
      Blob: { DataType: 'Binary', BinaryValue: { bytes: [1, 2, 3] } },
    };
    expect(pyAttributesMd5(worked)).toBe('1f95e5086c99f10a02072a6b358e2465');
    expect(m.sent.MD5OfMessageAttributes).toBe('1f95e5086c99f10a02072a6b358e2465');
    expect(m.sentCrlf.MD5OfMessageBody).toBe(md5(m.crlfBody));
    expect(m.sentCrlf.MD5OfMessageAttributes).toBeUndefined();
  });

  it('ReceiveMessage with AttributeName.N=All and MessageAttributeName.N: values, digests over what is returned', () => {
    const m = ops.messages;
    const recv = form(wire.find((x) => x.operation === 'ReceiveMessage')!.body);
    expect([recv.get('AttributeName.1'), recv.get('MessageAttributeName.1'), recv.get('VisibilityTimeout')]).toEqual(['All', 'All', '0']);

    expect(m.all).toHaveLength(2);
    const [withAttrs, crlf] = m.all;
    expect(withAttrs.MessageId).toBe(m.sent.MessageId);
    expect(withAttrs.MD5OfBody).toBe(md5(withAttrs.Body));
    expect(withAttrs.MessageAttributes).toEqual({
      City: { DataType: 'String', StringValue: 'Any City' },
      Population: { DataType: 'Number', StringValue: '1250800' },
      Blob: { DataType: 'Binary', BinaryValue: { bytes: [1, 2, 3] } },
    });
    expect(withAttrs.MD5OfMessageAttributes).toBe(pyAttributesMd5(withAttrs.MessageAttributes));
    expect(withAttrs.Attributes).toMatchObject({ SenderId: 'AKIDBOTO3QUERY', ApproximateReceiveCount: '1' });
    expect(Object.keys(withAttrs.Attributes).sort()).toEqual(['ApproximateFirstReceiveTimestamp', 'ApproximateReceiveCount', 'SenderId', 'SentTimestamp']);
    expect(crlf.MessageAttributes).toBeUndefined();
    expect(crlf.MD5OfMessageAttributes).toBeUndefined();

    // Named attributes only: Population + Blob, digest over those two.
    const some = m.some.find((x: Json) => x.MessageId === m.sent.MessageId);
    expect(some.MessageAttributes).toEqual({
      Population: { DataType: 'Number', StringValue: '1250800' },
      Blob: { DataType: 'Binary', BinaryValue: { bytes: [1, 2, 3] } },
    });
    expect(some.MD5OfMessageAttributes).toBe(pyAttributesMd5(some.MessageAttributes));
    expect(some.Attributes).toEqual({ ApproximateReceiveCount: '2' });
    for (const x of m.none) {
      expect(x.Attributes).toBeUndefined();
      expect(x.MessageAttributes).toBeUndefined();
    }
  });

  it('a body with \\r\\n and a lone \\r survives XML (&#xD;) and its MD5 matches', () => {
    const m = ops.messages;
    expect(m.crlfBody).toContain('\r\n');
    for (const list of [m.all, m.some, m.none]) {
      const x = list.find((y: Json) => y.MessageId === m.sentCrlf.MessageId);
      expect(x.Body).toBe(m.crlfBody);
      expect(x.MD5OfBody).toBe(md5(m.crlfBody));
    }
    const raw = wire.find((x) => x.operation === 'ReceiveMessage' && x.responseBody.includes('line1'))!.responseBody;
    expect(raw).toContain('<Body>line1&#xD;\nline2&#xD;\n\t&amp; &lt;x a=&quot;1&quot;&gt; &apos;q&apos; &#xD;CR only héllo 🌍</Body>');
    expect(raw).not.toContain('\r');
  });

  it('SendMessage / ReceiveMessage misuse', () => {
    const m = ops.messages;
    expectFailure(m.sendMissingQueue, 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue');
    expectFailure(m.sendEmptyBody, 'ClientError', 'MissingParameter');
    expectFailure(m.sendBadChars, 'InvalidMessageContents', 'InvalidMessageContents');
    expectFailure(m.sendBadNumber, 'ClientError', 'InvalidParameterValue');
    expectFailure(m.sendTooBig, 'ClientError', 'InvalidParameterValue');
    expect(m.sendTooBig.message).toMatch(/2048 bytes/);
    expectFailure(m.receiveTooMany, 'ClientError', 'InvalidParameterValue');
    expectFailure(m.receiveBadAttribute, 'InvalidAttributeName', 'InvalidAttributeName');
  });

  it('ChangeMessageVisibility and DeleteMessage: release, MessageNotInflight, ReceiptHandleIsInvalid (404), limits', () => {
    const v = ops.visibility;
    expect(v.releasedCount).toBe(2);
    expectFailure(v.notInflight, 'MessageNotInflight', 'AWS.SimpleQueueService.MessageNotInflight');
    expectFailure(v.garbageHandle, 'ReceiptHandleIsInvalid', 'ReceiptHandleIsInvalid', 404);
    expectFailure(v.tooLong, 'ClientError', 'InvalidParameterValue');
    const d = ops.deleteMessage;
    expect(d.deleted).toBe(1);
    expect(d.counts).toEqual({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '1' });
    expect(d.staleHandleOk).toBe(200);
    expectFailure(d.garbageHandle, 'ReceiptHandleIsInvalid', 'ReceiptHandleIsInvalid', 404);
  });
});

describe('batches through boto3', () => {
  it('SendMessageBatch: Successful with digests, per-entry failures in Failed', () => {
    const b = ops.batches;
    expect(b.send.Successful.map((s: Json) => s.Id)).toEqual(['ok1', 'ok2']);
    expect(b.send.Successful[0].MD5OfMessageBody).toBe(md5('one\r\n'));
    expect(b.send.Successful[0].MD5OfMessageAttributes).toBe(pyAttributesMd5({ k: { DataType: 'String', StringValue: 'v' } }));
    expect(b.send.Successful[1].MD5OfMessageBody).toBe(md5('two'));
    expect(b.send.Failed).toEqual([
      expect.objectContaining({ Id: 'badDelay', SenderFault: true, Code: 'InvalidParameterValue' }),
      expect.objectContaining({ Id: 'badChars', SenderFault: true, Code: 'InvalidMessageContents' }),
    ]);
    expect(b.receivedBodies).toEqual(['one\r\n', 'two']);
  });

  it('ChangeMessageVisibilityBatch / DeleteMessageBatch: per-entry results', () => {
    const b = ops.batches;
    expect(b.changeVisibility.Successful).toEqual([{ Id: 'c1' }]);
    expect(b.changeVisibility.Failed).toEqual([expect.objectContaining({ Id: 'c2', SenderFault: true, Code: 'ReceiptHandleIsInvalid' })]);
    expect(b.visibleAfterChange).toEqual({ ApproximateNumberOfMessages: '1' });
    expect(b.delete.Successful).toEqual([{ Id: 'd1' }]);
    expect(b.delete.Failed).toEqual([expect.objectContaining({ Id: 'd2', SenderFault: true, Code: 'ReceiptHandleIsInvalid' })]);
  });

  it('batch misuse on all three: EmptyBatchRequest, TooManyEntriesInBatchRequest, BatchEntryIdsNotDistinct (+ InvalidBatchEntryId)', () => {
    const b = ops.batches;
    for (const op of ['send', 'delete', 'change']) {
      expectFailure(b[`${op}Empty`], 'EmptyBatchRequest', 'AWS.SimpleQueueService.EmptyBatchRequest');
      expectFailure(b[`${op}TooMany`], 'TooManyEntriesInBatchRequest', 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest');
      expectFailure(b[`${op}SameIds`], 'BatchEntryIdsNotDistinct', 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct');
    }
    expectFailure(b.sendBadId, 'InvalidBatchEntryId', 'AWS.SimpleQueueService.InvalidBatchEntryId');
  });
});

describe('dead-letter queue and FIFO through boto3', () => {
  it('RedrivePolicy via SetQueueAttributes: after maxReceiveCount receives the message is in the DLQ', () => {
    const r = ops.redrive;
    expect(r.policy).toEqual({ deadLetterTargetArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:b3-dlq`, maxReceiveCount: 2 });
    expect(r.receiveCounts).toEqual([['1'], ['2'], []]);
    expect(r.dead).toHaveLength(1);
    expect(r.dead[0].Body).toBe('poison');
    // The receive count travels with the message: two receives in the source, this one in the DLQ.
    expect(r.dead[0].Attributes).toMatchObject({ ApproximateReceiveCount: '3', DeadLetterQueueSourceArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:b3-src` });
    expect(r.sources).toEqual([url('b3-src')]);
    expectFailure(r.sourcesMissing, 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue');
    expectFailure(r.badPolicy, 'ClientError', 'InvalidAttributeValue');
  });

  it('FIFO: sequence numbers, dedup, order within a group, group blocked while in flight', () => {
    const f = ops.fifo;
    const seqs = f.sent.map((s: Json) => BigInt(s.SequenceNumber));
    for (let i = 1; i < seqs.length; i++) expect(seqs[i] > seqs[i - 1]).toBe(true);
    expect(f.duplicate.MessageId).toBe(f.sent[0].MessageId);
    expect(f.first.map((m: Json) => m.Body)).toEqual(['a1']);
    expect(f.first[0].Attributes).toMatchObject({
      MessageGroupId: 'A',
      SequenceNumber: f.sent[0].SequenceNumber,
      MessageDeduplicationId: createHash('sha256').update('a1').digest('hex'),
    });
    expect(f.whileBlocked).toEqual(['b1']);
    expect(f.empty).toEqual([]);
    expect(f.afterDelete).toEqual(['a2', 'a3']);
    expectFailure(f.noGroup, 'ClientError', 'MissingParameter');
    // Batch: a content duplicate succeeds with the original message id; a per-message delay fails its entry.
    expect(f.batch.Successful.map((x: Json) => x.Id)).toEqual(['c1', 'dup']);
    expect(f.batch.Successful[0].SequenceNumber).toMatch(/^\d{20}$/);
    expect(f.batch.Successful[1].MessageId).toBe(f.sent[1].MessageId);
    expect(f.batch.Failed).toEqual([expect.objectContaining({ Id: 'badDelay', SenderFault: true, Code: 'InvalidParameterValue' })]);
    expectFailure(f.batchNoGroup, 'ClientError', 'InvalidParameterValue');
  });
});

describe('time through boto3 (the clock moves between two script runs)', () => {
  it('visibility expiry, delays, the FIFO dedup window and the 60 s cooldowns follow the clock', async () => {
    const t1 = await runScenario('timed-1');
    expect(t1.first.map((m: Json) => [m.Body, m.Attributes.ApproximateReceiveCount])).toEqual([['timed', '1']]);
    expect(t1.hidden).toEqual([]);
    expect(t1.counts).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '1',
      ApproximateNumberOfMessagesDelayed: '1',
    });
    expect(t1.dedup[1]).toBe(t1.dedup[0]);
    expectFailure(t1.purgeAgain, 'PurgeQueueInProgress', 'AWS.SimpleQueueService.PurgeQueueInProgress', 403);
    expectFailure(t1.recreate, 'QueueDeletedRecently', 'AWS.SimpleQueueService.QueueDeletedRecently');

    sy.clock.advance(5 * 60_000 + 1_000);

    const t2 = await runScenario('timed-2', t1);
    const again = t2.again.map((m: Json) => [m.Body, m.Attributes.ApproximateReceiveCount]).sort();
    expect(again).toEqual([
      ['delayed', '1'],
      ['timed', '2'],
    ]);
    expect(t2.dedupAfterWindow).not.toBe(t1.dedup[0]);
    expect(t2.fifoBodies).toEqual(['one', 'three']);
    expect(t2.purgeOk).toBe(true);
    expect(t2.recreated).toBe(url('b3-recreate'));
    for (const x of [...t1.wire, ...t2.wire] as WireRecord[]) {
      expect(form(x.body).get('Version')).toBe('2012-11-05');
      expect(x.responseType).toBe('text/xml');
    }
  });
});
