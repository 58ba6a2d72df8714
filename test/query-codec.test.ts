import { parseStringPromise } from 'xml2js';
import { describe, expect, it } from 'vitest';
import { AwsError } from '../src/gateway/errors.js';
import { decodeQueryInput, encodeXmlError, encodeXmlResponse, escapeXml, parseForm } from '../src/gateway/query-codec.js';
import { boolean, integer, list, map, required, string, structure, timestamp, blob, wire } from '../src/gateway/shapes.js';
import { sqsShapes } from '../src/sqs/shapes.js';
import { errorOf } from './support.js';

const SQS_NS = 'http://queue.amazonaws.com/doc/2012-11-05/';
const SNS_NS = 'http://sns.amazonaws.com/doc/2010-03-31/';
const RID = 'a1b2c3d4-0000-4000-8000-00000000beef';

function decode(text: string, shape: Parameters<typeof decodeQueryInput>[1]): Record<string, unknown> {
  return decodeQueryInput(parseForm(text), shape);
}


/** An SNS-style (wrapped) input: `Attributes.entry.N.key`, `Tags.member.N.Key`, `TagKeys.member.N`. */
const snsAttributeValue = structure({ DataType: required(string), StringValue: string, BinaryValue: blob });
const snsInput = structure({
  Name: required(string),
  Attributes: map(string),
  Tags: list(structure({ Key: required(string), Value: required(string) })),
  TagKeys: list(string),
  MessageAttributes: map(snsAttributeValue, { keyName: 'Name', valueName: 'Value' }),
  ReturnSubscriptionArn: boolean,
  Count: integer,
  When: timestamp,
});

describe('parseForm', () => {
  it('decodes + and %20 as a space, %2B as a plus', () => {
    const p = parseForm('a=b+c&d=e%20f&g=h%2Bi&j=%26%3D%25');
    expect(p.get('a')).toBe('b c');
    expect(p.get('d')).toBe('e f');
    expect(p.get('g')).toBe('h+i');
    expect(p.get('j')).toBe('&=%');
  });

  it('decodes keys too, and UTF-8 escapes', () => {
    const p = parseForm('Message%41ttribute.1.Name=x&body=h%C3%A9llo+%F0%9F%8C%8D');
    expect(p.get('MessageAttribute.1.Name')).toBe('x');
    expect(p.get('body')).toBe('héllo 🌍');
  });

  it('reads a bare key as an empty value, skips empty pairs, keeps = inside a value, last duplicate wins', () => {
    const p = parseForm('TagKeys&&Empty=&x=a=b&dup=1&dup=2&');
    expect(p.get('TagKeys')).toBe('');
    expect(p.get('Empty')).toBe('');
    expect(p.get('x')).toBe('a=b');
    expect(p.get('dup')).toBe('2');
    expect([...p.keys()]).toEqual(['TagKeys', 'Empty', 'x', 'dup']);
    expect(parseForm('').size).toBe(0);
  });

  it('rejects malformed percent escapes with MalformedQueryString', () => {
    for (const bad of ['a=%zz', 'a=%', 'a=%4', '%zz=1', 'a=%E0%A4%A', 'a=%E0%A4', 'a=%FF', 'a=%ED%A0%80']) {
      const err = errorOf(() => parseForm(bad));
      expect(err.queryCode).toBe('MalformedQueryString');
      expect(err.status).toBe(404);
      expect(err.sender).toBe(true);
    }
  });
});

describe('decodeQueryInput: SQS flattened forms', () => {
  it('reads flattened message attributes (Name / Value.DataType / Value.StringValue / Value.BinaryValue)', () => {
    const input = decode(
      'QueueUrl=http%3A%2F%2Fh%2F000000000000%2Fq&MessageBody=hello+world' +
        '&MessageAttribute.1.Name=City&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=Any+City' +
        '&MessageAttribute.2.Name=Blob&MessageAttribute.2.Value.DataType=Binary&MessageAttribute.2.Value.BinaryValue=AQID' +
        '&MessageSystemAttribute.1.Name=AWSTraceHeader&MessageSystemAttribute.1.Value.DataType=String&MessageSystemAttribute.1.Value.StringValue=Root%3D1' +
        '&DelaySeconds=5',
      sqsShapes.SendMessage.input,
    );
    expect(input).toEqual({
      QueueUrl: 'http://h/000000000000/q',
      MessageBody: 'hello world',
      DelaySeconds: 5,
      MessageAttributes: {
        City: { DataType: 'String', StringValue: 'Any City' },
        Blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) },
      },
      MessageSystemAttributes: { AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1' } },
    });
  });

  it('orders flattened lists by index number, not by text or arrival', () => {
    const input = decode('QueueUrl=u&AttributeName.10=C&AttributeName.2=B&AttributeName.1=A', sqsShapes.GetQueueAttributes.input);
    expect(input.AttributeNames).toEqual(['A', 'B', 'C']);
  });

  it('reads Attribute.N.Name/Value and Tag.N.Key/Value maps (CreateQueue)', () => {
    const input = decode(
      'QueueName=q1&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=45&Attribute.2.Name=DelaySeconds&Attribute.2.Value=0' +
        '&Tag.1.Key=team&Tag.1.Value=core',
      sqsShapes.CreateQueue.input,
    );
    expect(input).toEqual({ QueueName: 'q1', Attributes: { VisibilityTimeout: '45', DelaySeconds: '0' }, tags: { team: 'core' } });
  });

  it('reads batch entries with nested attribute maps', () => {
    const input = decode(
      'QueueUrl=u&SendMessageBatchRequestEntry.2.Id=b&SendMessageBatchRequestEntry.2.MessageBody=two' +
        '&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=one' +
        '&SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=k&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=Number' +
        '&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue=7',
      sqsShapes.SendMessageBatch.input,
    );
    expect(input.Entries).toEqual([
      { Id: 'a', MessageBody: 'one', MessageAttributes: { k: { DataType: 'Number', StringValue: '7' } } },
      { Id: 'b', MessageBody: 'two' },
    ]);
  });

  it('reads an empty list sent as a bare key', () => {
    expect(decode('QueueUrl=u&TagKey=', sqsShapes.UntagQueue.input)).toEqual({ QueueUrl: 'u', TagKeys: [] });
    expect(decode('QueueUrl=u&TagKey', sqsShapes.UntagQueue.input)).toEqual({ QueueUrl: 'u', TagKeys: [] });
  });

  it('ignores parameters the shape does not name (Action, Version, junk)', () => {
    expect(decode('Action=ListQueues&Version=2012-11-05&Junk.1.x=y&QueueNamePrefix=p', sqsShapes.ListQueues.input)).toEqual({
      QueueNamePrefix: 'p',
    });
  });

  it('reports a missing required member with MissingParameter and the wire name', () => {
    let err = errorOf(() => decode('MessageBody=x', sqsShapes.SendMessage.input));
    expect(err.queryCode).toBe('MissingParameter');
    expect(err.message).toContain('QueueUrl');
    err = errorOf(() => decode('QueueUrl=u', sqsShapes.SendMessage.input));
    expect(err.message).toContain('MessageBody');
    err = errorOf(() => decode('QueueUrl=u&MessageBody=x&MessageAttribute.1.Name=a&MessageAttribute.1.Value.StringValue=b', sqsShapes.SendMessage.input));
    expect(err.queryCode).toBe('MissingParameter');
    expect(err.message).toContain('DataType');
    err = errorOf(() => decode('QueueUrl=u&SendMessageBatchRequestEntry.1.MessageBody=x', sqsShapes.SendMessageBatch.input));
    expect(err.message).toContain('Id');
  });

  it('rejects non-numeric and non-integer numbers with InvalidParameterValue', () => {
    for (const v of ['ten', '1.5', '', '0x10', '1e3']) {
      const err = errorOf(() => decode(`QueueUrl=u&MaxNumberOfMessages=${v}`, sqsShapes.ReceiveMessage.input));
      expect(err.queryCode).toBe('InvalidParameterValue');
      expect(err.status).toBe(400);
    }
    expect(decode('QueueUrl=u&MaxNumberOfMessages=+7', sqsShapes.ReceiveMessage.input).MaxNumberOfMessages).toBe(7);
  });

  it('rejects bad base64 and index keys that are not positive integers', () => {
    expect(
      errorOf(() =>
        decode('QueueUrl=u&MessageBody=x&MessageAttribute.1.Name=b&MessageAttribute.1.Value.DataType=Binary&MessageAttribute.1.Value.BinaryValue=%21%21', sqsShapes.SendMessage.input),
      ).queryCode,
    ).toBe('InvalidParameterValue');
    for (const idx of ['0', '01', 'x', '-1', '']) {
      const err = errorOf(() => decode(`QueueUrl=u&AttributeName.${idx}=All`, sqsShapes.GetQueueAttributes.input));
      expect(err.queryCode).toBe('MalformedQueryString');
    }
  });

  it('never yields a list item or map value without a value (sub-keys under a scalar)', () => {
    let err = errorOf(() => decode('QueueUrl=u&MessageAttributeName.1.x=All', sqsShapes.ReceiveMessage.input));
    expect(err.queryCode).toBe('MissingParameter');
    expect(err.message).toContain('MessageAttributeName.1');
    err = errorOf(() => decode('QueueUrl=u&Tag.1.Key=k&Tag.1.Value.x=1', sqsShapes.TagQueue.input));
    expect(err.queryCode).toBe('MissingParameter');
    expect(err.message).toContain('Tag.Value');
    err = errorOf(() => decode('QueueName=q&Attribute.1.Name=DelaySeconds', sqsShapes.CreateQueue.input));
    expect(err.queryCode).toBe('MissingParameter');
    err = errorOf(() => decode('QueueName=q&Attribute.1.Value=1', sqsShapes.CreateQueue.input));
    expect(err.message).toContain('Attribute.Name');
  });

  it('keeps __proto__ and constructor as plain map keys', () => {
    const input = decode('QueueName=q&Tag.1.Key=__proto__&Tag.1.Value=a&Tag.2.Key=constructor&Tag.2.Value=b', sqsShapes.CreateQueue.input);
    const tags = input.tags as Record<string, string>;
    expect(Object.getPrototypeOf(tags)).toBe(Object.prototype);
    expect(Object.keys(tags)).toEqual(['__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(tags, '__proto__')?.value).toBe('a');
    expect(({} as Record<string, unknown>).a).toBeUndefined();
  });
});

describe('decodeQueryInput: wrapped member / entry forms (SNS style)', () => {
  it('reads Name.member.N lists and Name.entry.N.key/value maps', () => {
    const input = decode(
      'Name=t1&Attributes.entry.1.key=DisplayName&Attributes.entry.1.value=Hello&Attributes.entry.2.key=FifoTopic&Attributes.entry.2.value=false' +
        '&Tags.member.1.Key=a&Tags.member.1.Value=1&Tags.member.2.Key=b&Tags.member.2.Value=2' +
        '&TagKeys.member.2=y&TagKeys.member.1=x',
      snsInput,
    );
    expect(input).toEqual({
      Name: 't1',
      Attributes: { DisplayName: 'Hello', FifoTopic: 'false' },
      Tags: [
        { Key: 'a', Value: '1' },
        { Key: 'b', Value: '2' },
      ],
      TagKeys: ['x', 'y'],
    });
  });

  it('reads MessageAttributes.entry.N.Name / .Value.* (the map that uses Name and Value)', () => {
    const input = decode(
      'Name=t&MessageAttributes.entry.1.Name=color&MessageAttributes.entry.1.Value.DataType=String&MessageAttributes.entry.1.Value.StringValue=red' +
        '&MessageAttributes.entry.2.Name=b&MessageAttributes.entry.2.Value.DataType=Binary&MessageAttributes.entry.2.Value.BinaryValue=AQID',
      snsInput,
    );
    expect(input.MessageAttributes).toEqual({
      color: { DataType: 'String', StringValue: 'red' },
      b: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) },
    });
  });

  it('reads an empty wrapped list sent as a bare key (TagKeys=)', () => {
    expect(decode('Name=t&TagKeys=', snsInput)).toEqual({ Name: 't', TagKeys: [] });
  });

  it('reads booleans, integers and timestamps', () => {
    const input = decode('Name=t&ReturnSubscriptionArn=true&Count=-3&When=2026-01-02T03%3A04%3A05Z', snsInput);
    expect(input.ReturnSubscriptionArn).toBe(true);
    expect(input.Count).toBe(-3);
    expect((input.When as Date).toISOString()).toBe('2026-01-02T03:04:05.000Z');
    expect((decode('Name=t&When=1767323045', snsInput).When as Date).getTime()).toBe(1767323045_000);
    expect(decode('Name=t&ReturnSubscriptionArn=false', snsInput).ReturnSubscriptionArn).toBe(false);
    for (const bad of ['ReturnSubscriptionArn=True', 'ReturnSubscriptionArn=1', 'When=yesterday']) {
      expect(errorOf(() => decode(`Name=t&${bad}`, snsInput)).queryCode).toBe('InvalidParameterValue');
    }
  });

  it('reports an entry without its key or value as MissingParameter', () => {
    expect(errorOf(() => decode('Name=t&Attributes.entry.1.value=v', snsInput)).queryCode).toBe('MissingParameter');
    expect(errorOf(() => decode('Name=t&Attributes.entry.1.key=k', snsInput)).queryCode).toBe('MissingParameter');
  });
});

describe('escapeXml', () => {
  it('escapes the five XML specials and writes \\r as &#xD;', () => {
    expect(escapeXml(`a&b<c>d"e'f\rg`)).toBe('a&amp;b&lt;c&gt;d&quot;e&apos;f&#xD;g');
    expect(escapeXml('a\r\nb')).toBe('a&#xD;\nb');
  });

  it('leaves everything else alone', () => {
    const s = 'plain text\twith\nnewlines, ünïcödé 🌍 and ]]>';
    expect(escapeXml(s)).toBe(s.replace('>', '&gt;'));
    expect(escapeXml('nothing to do')).toBe('nothing to do');
    expect(escapeXml('')).toBe('');
  });
});

describe('XML responses, parsed back with xml2js', () => {
  it('writes a flattened SQS ReceiveMessage result that round-trips, \\r included', async () => {
    const body = `<tag attr="x">a & b's \r\n"quoted"</tag>`;
    const xml = encodeXmlResponse(
      'ReceiveMessage',
      SQS_NS,
      sqsShapes.ReceiveMessage.output,
      {
        Messages: [
          {
            MessageId: 'm1',
            ReceiptHandle: 'r1',
            MD5OfBody: 'x',
            Body: body,
            Attributes: { SentTimestamp: '1700000000000', ApproximateReceiveCount: '1' },
            MD5OfMessageAttributes: 'y',
            MessageAttributes: {
              City: { DataType: 'String', StringValue: 'Any <City>' },
              Blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) },
            },
          },
          { MessageId: 'm2', ReceiptHandle: 'r2', MD5OfBody: 'z', Body: 'two' },
        ],
      },
      RID,
    );
    expect(xml.startsWith(`<?xml version="1.0"?><ReceiveMessageResponse xmlns="${SQS_NS}"><ReceiveMessageResult>`)).toBe(true);
    expect(xml).toContain('&#xD;');
    expect(xml).not.toContain('\r');
    const doc = await parseStringPromise(xml);
    const root = doc.ReceiveMessageResponse;
    expect(root.$.xmlns).toBe(SQS_NS);
    expect(root.ResponseMetadata[0].RequestId[0]).toBe(RID);
    const [m1, m2] = root.ReceiveMessageResult[0].Message;
    expect(m1.Body[0]).toBe(body);
    expect(m1.Attribute.map((a: { Name: string[]; Value: string[] }) => [a.Name[0], a.Value[0]])).toEqual([
      ['SentTimestamp', '1700000000000'],
      ['ApproximateReceiveCount', '1'],
    ]);
    expect(m1.MessageAttribute[0].Name[0]).toBe('City');
    expect(m1.MessageAttribute[0].Value[0]).toEqual({ StringValue: ['Any <City>'], DataType: ['String'] });
    expect(m1.MessageAttribute[1].Value[0]).toEqual({ BinaryValue: ['AQID'], DataType: ['Binary'] });
    expect(m2.Body[0]).toBe('two');
    expect(m2.Attribute).toBeUndefined();
  });

  it('writes flattened lists as repeated elements (ListQueues)', async () => {
    const xml = encodeXmlResponse('ListQueues', SQS_NS, sqsShapes.ListQueues.output, { QueueUrls: ['u1', 'u&2'], NextToken: 't' }, RID);
    const result = (await parseStringPromise(xml)).ListQueuesResponse.ListQueuesResult[0];
    expect(result.QueueUrl).toEqual(['u1', 'u&2']);
    expect(result.NextToken).toEqual(['t']);
  });

  it('writes an empty result element when there is no output, and no result for void operations', async () => {
    const empty = await parseStringPromise(encodeXmlResponse('ReceiveMessage', SQS_NS, sqsShapes.ReceiveMessage.output, {}, RID));
    expect(empty.ReceiveMessageResponse.ReceiveMessageResult).toEqual(['']);
    const voidXml = encodeXmlResponse('DeleteMessage', SQS_NS, undefined, undefined, RID);
    expect(voidXml).toBe(
      `<?xml version="1.0"?><DeleteMessageResponse xmlns="${SQS_NS}"><ResponseMetadata><RequestId>${RID}</RequestId></ResponseMetadata></DeleteMessageResponse>`,
    );
    const parsed = await parseStringPromise(voidXml);
    expect(parsed.DeleteMessageResponse.ResponseMetadata[0].RequestId[0]).toBe(RID);
  });

  it('writes batch results with booleans and failures (SendMessageBatch)', async () => {
    const xml = encodeXmlResponse(
      'SendMessageBatch',
      SQS_NS,
      sqsShapes.SendMessageBatch.output,
      {
        Successful: [{ Id: 'a', MessageId: 'm', MD5OfMessageBody: 'd' }],
        Failed: [{ Id: 'b', SenderFault: true, Code: 'InvalidParameterValue', Message: 'bad <value>' }],
      },
      RID,
    );
    const result = (await parseStringPromise(xml)).SendMessageBatchResponse.SendMessageBatchResult[0];
    expect(result.SendMessageBatchResultEntry[0]).toEqual({ Id: ['a'], MessageId: ['m'], MD5OfMessageBody: ['d'] });
    expect(result.BatchResultErrorEntry[0]).toEqual({ Id: ['b'], SenderFault: ['true'], Code: ['InvalidParameterValue'], Message: ['bad <value>'] });
  });

  it('writes wrapped member / entry forms (SNS style)', async () => {
    const output = structure({
      Topics: list(structure({ TopicArn: string })),
      Attributes: map(string),
      Tags: wire(list(structure({ Key: string, Value: string })), 'Tags'),
      When: timestamp,
      Data: blob,
    });
    const xml = encodeXmlResponse(
      'Describe',
      SNS_NS,
      output,
      {
        Topics: [{ TopicArn: 'arn:1' }, { TopicArn: 'arn:2' }],
        Attributes: { DisplayName: 'a & b', Policy: '{"x":"<y>"}' },
        Tags: [],
        When: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
        Data: new Uint8Array([255, 0]),
      },
      RID,
    );
    const result = (await parseStringPromise(xml)).DescribeResponse.DescribeResult[0];
    expect(result.Topics[0].member.map((m: { TopicArn: string[] }) => m.TopicArn[0])).toEqual(['arn:1', 'arn:2']);
    expect(result.Attributes[0].entry.map((e: { key: string[]; value: string[] }) => [e.key[0], e.value[0]])).toEqual([
      ['DisplayName', 'a & b'],
      ['Policy', '{"x":"<y>"}'],
    ]);
    expect(result.Tags).toEqual(['']);
    expect(result.When).toEqual(['2026-01-02T03:04:05.000Z']);
    expect(result.Data).toEqual(['/wA=']);
  });

  it('writes ErrorResponse with Type, Code, escaped Message and RequestId', async () => {
    const sender = new AwsError({ type: 'QueueDoesNotExist', queryCode: 'AWS.SimpleQueueService.NonExistentQueue', status: 400 }, 'No <queue> & "such"');
    const doc = await parseStringPromise(encodeXmlError(SQS_NS, sender, RID));
    const root = doc.ErrorResponse;
    expect(root.$.xmlns).toBe(SQS_NS);
    expect(root.Error[0].Type[0]).toBe('Sender');
    expect(root.Error[0].Code[0]).toBe('AWS.SimpleQueueService.NonExistentQueue');
    expect(root.Error[0].Message[0]).toBe('No <queue> & "such"');
    expect(root.RequestId[0]).toBe(RID);
    const receiver = new AwsError({ type: 'InternalError', status: 500 }, 'oops');
    const doc2 = await parseStringPromise(encodeXmlError(SNS_NS, receiver, RID));
    expect(doc2.ErrorResponse.Error[0].Type[0]).toBe('Receiver');
    expect(doc2.ErrorResponse.Error[0].Code[0]).toBe('InternalError');
  });
});

describe('empty flattened lists under either name', () => {
  it('reads botocore\'s bare member name (TagKeys=) and the JS SDK\'s element name (TagKey=) as []', () => {
    const q = 'QueueUrl=http%3A%2F%2Flocalhost%2F000000000000%2Fq';
    expect(decode(`${q}&TagKeys=`, sqsShapes.UntagQueue.input)).toEqual({ QueueUrl: 'http://localhost/000000000000/q', TagKeys: [] });
    expect(decode(`${q}&TagKey=`, sqsShapes.UntagQueue.input)).toEqual({ QueueUrl: 'http://localhost/000000000000/q', TagKeys: [] });
    expect(decode(`${q}&TagKey.1=a&TagKey.2=b`, sqsShapes.UntagQueue.input).TagKeys).toEqual(['a', 'b']);
    // A member-named key with a value is not a list: still missing.
    expect(errorOf(() => decode(`${q}&TagKeys=x`, sqsShapes.UntagQueue.input)).type).toBe('MissingParameter');
  });
});
