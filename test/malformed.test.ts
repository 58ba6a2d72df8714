/**
 * Hand-built HTTP against the real node:http server: everything a broken client, a fuzzer or a
 * curl user can send. Every answer must be an AWS error in the protocol the request used, and the
 * server must keep serving afterwards.
 */
import { connect } from 'node:net';
import { request as httpRequest } from 'node:http';
import type { Stream } from 'node:stream';
import request from 'supertest';
import { parseStringPromise } from 'xml2js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSwitchyard, type Switchyard } from '../src/index.js';
import { md5Hex, md5OfAttributes } from '../src/sqs/md5.js';
import { VERSION } from '../src/version.js';

const JSON_TYPE = 'application/x-amz-json-1.0';
const FORM_TYPE = 'application/x-www-form-urlencoded; charset=utf-8';
const SQS_NS = 'http://queue.amazonaws.com/doc/2012-11-05/';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_BODY = 5 * 1024 * 1024;

let sy: Switchyard;
const internalErrors: unknown[] = [];

beforeAll(async () => {
  sy = await startSwitchyard({ port: 0, onError: (err) => internalErrors.push(err) });
});

afterAll(async () => {
  await sy.stop();
});

/** Buffer every response as text, whatever its content type (supertest only parses a few). */
function rawText(res: Stream, cb: (err: Error | null, body: string) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks).toString('utf8')));
  res.on('error', (err: Error) => cb(err, ''));
}

interface Reply {
  status: number;
  headers: Record<string, string>;
  text: string;
}

async function post(path: string, body: string | Buffer, headers: Record<string, string>): Promise<Reply> {
  // serialize(identity): superagent would otherwise run a Buffer with a form content type through qs.
  const res = await request(sy.endpoint)
    .post(path)
    .set(headers)
    .serialize((data: unknown) => data as string)
    .buffer(true)
    .parse(rawText)
    .send(body);
  return { status: res.status, headers: res.headers as Record<string, string>, text: res.body as string };
}

/** An SQS JSON request: `op` is the part after `AmazonSQS.`. */
function json(op: string, body: string | Buffer | object, headers: Record<string, string> = {}): Promise<Reply> {
  const text = typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  return post('/', text, { 'content-type': JSON_TYPE, 'x-amz-target': `AmazonSQS.${op}`, ...headers });
}

/** An SQS query request (form body). */
function query(body: string | Buffer, headers: Record<string, string> = {}, path = '/'): Promise<Reply> {
  return post(path, body, { 'content-type': FORM_TYPE, ...headers });
}

function expectJsonError(res: Reply, status: number, type: string, queryCode = type): { __type: string; message: string } {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toBe(JSON_TYPE);
  expect(res.headers['x-amzn-requestid']).toMatch(UUID);
  expect(res.headers['x-amzn-query-error']).toBe(`${queryCode};${status < 500 ? 'Sender' : 'Receiver'}`);
  const body = JSON.parse(res.text) as { __type: string; message: string };
  // `com.amazonaws.sqs#QueueDoesNotExist` and `QueueDoesNotExist` mean the same to every SDK.
  expect(body.__type.split('#').pop()).toBe(type);
  expect(typeof body.message).toBe('string');
  expect(body.message.length).toBeGreaterThan(0);
  return body;
}

interface XmlError {
  code: string;
  message: string;
}

async function expectXmlError(res: Reply, status: number, code: string): Promise<XmlError> {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toBe('text/xml');
  expect(res.headers['x-amzn-query-error']).toBeUndefined();
  const doc = await parseStringPromise(res.text);
  const root = doc.ErrorResponse;
  expect(root).toBeDefined();
  expect(root.$.xmlns).toBe(SQS_NS);
  const error = root.Error[0];
  expect(error.Type[0]).toBe(status < 500 ? 'Sender' : 'Receiver');
  expect(error.Code[0]).toBe(code);
  expect(root.RequestId[0]).toMatch(UUID);
  expect(root.RequestId[0]).toBe(res.headers['x-amzn-requestid']);
  return { code: error.Code[0], message: error.Message[0] };
}

function form(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
}

const V = 'Version=2012-11-05';

async function createQueueJson(name: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await json('CreateQueue', { QueueName: name }, headers);
  expect(res.status).toBe(200);
  return (JSON.parse(res.text) as { QueueUrl: string }).QueueUrl;
}

function polluted(): unknown {
  return (({}) as Record<string, unknown>).polluted;
}

/** `depth` nested JSON arrays around a string. */
function nestedArrays(depth: number): string {
  return '['.repeat(depth) + '"x"' + ']'.repeat(depth);
}

// ---------------------------------------------------------------------------------------

describe('JSON protocol: bodies that are not a JSON object', () => {
  it('answers invalid JSON with SerializationException', async () => {
    expectJsonError(await json('CreateQueue', '{"QueueName": '), 400, 'SerializationException');
    expectJsonError(await json('ListQueues', '{QueueNamePrefix: "a"}'), 400, 'SerializationException');
    expectJsonError(await json('ListQueues', '{} trailing'), 400, 'SerializationException');
  });

  it('answers an array, a string, a number and null with SerializationException', async () => {
    for (const body of ['[]', '[{"QueueName":"a"}]', '"hello"', '42', 'null', 'true']) {
      expectJsonError(await json('CreateQueue', body), 400, 'SerializationException');
    }
  });

  it('treats an empty body as {} (operations without required input succeed)', async () => {
    const res = await json('ListQueues', '');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(JSON_TYPE);
    expect(typeof JSON.parse(res.text)).toBe('object');
  });

  it('answers non-UTF-8 bytes with SerializationException', async () => {
    const body = Buffer.concat([Buffer.from('{"QueueName":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]);
    expectJsonError(await json('CreateQueue', body), 400, 'SerializationException');
    // An overlong encoding of "/" and a UTF-8-encoded surrogate are not UTF-8 either.
    expectJsonError(await json('CreateQueue', Buffer.from([0x7b, 0xc0, 0xaf, 0x7d])), 400, 'SerializationException');
    expectJsonError(
      await json('CreateQueue', Buffer.concat([Buffer.from('{"QueueName":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')])),
      400,
      'SerializationException',
    );
  });
});

describe('JSON protocol: wrong types', () => {
  it('rejects MaxNumberOfMessages "ten"', async () => {
    const url = await createQueueJson('types-q');
    const body = expectJsonError(await json('ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 'ten' }), 400, 'SerializationException');
    expect(body.message).toContain('MaxNumberOfMessages');
  });

  it('rejects QueueName 5', async () => {
    expectJsonError(await json('CreateQueue', { QueueName: 5 }), 400, 'SerializationException');
  });

  it('rejects MessageAttributes given as a list', async () => {
    const url = await createQueueJson('types-q');
    const res = await json('SendMessage', {
      QueueUrl: url,
      MessageBody: 'x',
      MessageAttributes: [{ Name: 'a', DataType: 'String', StringValue: 'b' }],
    });
    expectJsonError(res, 400, 'SerializationException');
  });

  it('rejects other mismatches: numbers in a string map, an object for a string, a string for a list, a non-integer', async () => {
    expectJsonError(await json('CreateQueue', { QueueName: 'x', Attributes: { VisibilityTimeout: 45 } }), 400, 'SerializationException');
    expectJsonError(await json('CreateQueue', { QueueName: { S: 'x' } }), 400, 'SerializationException');
    const url = await createQueueJson('types-q');
    expectJsonError(await json('GetQueueAttributes', { QueueUrl: url, AttributeNames: 'All' }), 400, 'SerializationException');
    expectJsonError(await json('SendMessage', { QueueUrl: url, MessageBody: 'x', DelaySeconds: 1.5 }), 400, 'SerializationException');
    expectJsonError(await json('SendMessage', { QueueUrl: url, MessageBody: 'x', DelaySeconds: '1' }), 400, 'SerializationException');
    expectJsonError(await json('SendMessage', { QueueUrl: url, MessageBody: 'x', DelaySeconds: true }), 400, 'SerializationException');
    // A binary attribute value that is not base64.
    const bad = await json('SendMessage', {
      QueueUrl: url,
      MessageBody: 'x',
      MessageAttributes: { b: { DataType: 'Binary', BinaryValue: 'not base64!' } },
    });
    expectJsonError(bad, 400, 'InvalidParameterValue');
  });
});

describe('missing required parameters', () => {
  it('JSON: QueueUrl, MessageBody, QueueName', async () => {
    let body = expectJsonError(await json('SendMessage', { MessageBody: 'x' }), 400, 'MissingParameter');
    expect(body.message).toContain('QueueUrl');
    const url = await createQueueJson('missing-q');
    body = expectJsonError(await json('SendMessage', { QueueUrl: url }), 400, 'MissingParameter');
    expect(body.message).toContain('MessageBody');
    body = expectJsonError(await json('CreateQueue', {}), 400, 'MissingParameter');
    expect(body.message).toContain('QueueName');
    // null counts as absent
    body = expectJsonError(await json('SendMessage', { QueueUrl: null, MessageBody: 'x' }), 400, 'MissingParameter');
    expect(body.message).toContain('QueueUrl');
    // an empty MessageBody is as good as none
    body = expectJsonError(await json('SendMessage', { QueueUrl: url, MessageBody: '' }), 400, 'MissingParameter');
    expect(body.message).toContain('MessageBody');
  });

  it('query: QueueUrl, MessageBody, QueueName', async () => {
    let err = await expectXmlError(await query(`Action=SendMessage&${V}&MessageBody=x`), 400, 'MissingParameter');
    expect(err.message).toContain('QueueUrl');
    const url = await createQueueJson('missing-q');
    err = await expectXmlError(await query(`Action=SendMessage&${V}&${form({ QueueUrl: url })}`), 400, 'MissingParameter');
    expect(err.message).toContain('MessageBody');
    err = await expectXmlError(await query(`Action=CreateQueue&${V}`), 400, 'MissingParameter');
    expect(err.message).toContain('QueueName');
    // A message attribute entry without its Name.
    err = await expectXmlError(
      await query(`Action=SendMessage&${V}&${form({ QueueUrl: url, MessageBody: 'x', 'MessageAttribute.1.Value.DataType': 'String', 'MessageAttribute.1.Value.StringValue': 'v' })}`),
      400,
      'MissingParameter',
    );
    expect(err.message).toContain('Name');
  });

  it('query: a sub-key under a list item or map value is a missing value, not a crash', async () => {
    const url = await createQueueJson('subkey-q');
    const q = form({ QueueUrl: url });
    await expectXmlError(await query(`Action=TagQueue&${V}&${q}&Tag.1.Key=k&Tag.1.Value.x=1`), 400, 'MissingParameter');
    await expectXmlError(await query(`Action=CreateQueue&${V}&QueueName=subkey2&Tag.1.Key=k&Tag.1.Value.x=1`), 400, 'MissingParameter');
    expect((await query(`Action=SendMessage&${V}&${q}&MessageBody=x`)).status).toBe(200);
    await expectXmlError(await query(`Action=ReceiveMessage&${V}&${q}&MessageAttributeName.1.x=All`), 400, 'MissingParameter');
    // The message was not received by the refused call.
    const got = await json('ReceiveMessage', { QueueUrl: url, MessageAttributeNames: ['All'] });
    expect(JSON.parse(got.text).Messages).toHaveLength(1);
  });

  it('query: a non-integer MaxNumberOfMessages is InvalidParameterValue', async () => {
    const url = await createQueueJson('missing-q');
    const err = await expectXmlError(
      await query(`Action=ReceiveMessage&${V}&${form({ QueueUrl: url, MaxNumberOfMessages: 'ten' })}`),
      400,
      'InvalidParameterValue',
    );
    expect(err.message).toContain('MaxNumberOfMessages');
  });
});

describe('form encoding', () => {
  // AWS's common-errors table gives MalformedQueryString HTTP status 404.
  it('rejects a bad percent escape (%zz) in the body, in a key, and in the URL', async () => {
    await expectXmlError(await query(`Action=ListQueues&${V}&QueueNamePrefix=a%zz`), 404, 'MalformedQueryString');
    await expectXmlError(await query(`Action=ListQueues&${V}&Queue%zzNamePrefix=a`), 404, 'MalformedQueryString');
    await expectXmlError(await post(`/?Action=ListQueues&${V}&QueueNamePrefix=%zz`, '', {}), 404, 'MalformedQueryString');
    await expectXmlError(await query(`Action=ListQueues&${V}&QueueNamePrefix=%`), 404, 'MalformedQueryString');
  });

  it('rejects a truncated UTF-8 sequence (%E0%A4%A) and escapes that are not UTF-8', async () => {
    await expectXmlError(await query(`Action=ListQueues&${V}&QueueNamePrefix=%E0%A4%A`), 404, 'MalformedQueryString');
    await expectXmlError(await query(`Action=ListQueues&${V}&QueueNamePrefix=%E0%A4`), 404, 'MalformedQueryString');
    await expectXmlError(await query(`Action=ListQueues&${V}&QueueNamePrefix=%FF`), 404, 'MalformedQueryString');
    // A UTF-8-encoded lone surrogate is not UTF-8.
    const url = await createQueueJson('form-q');
    await expectXmlError(await query(`Action=SendMessage&${V}&${form({ QueueUrl: url })}&MessageBody=%ED%A0%80`), 404, 'MalformedQueryString');
  });

  it('rejects raw non-UTF-8 bytes in a form body', async () => {
    const body = Buffer.concat([Buffer.from(`Action=ListQueues&${V}&QueueNamePrefix=`), Buffer.from([0xe9, 0xff])]);
    await expectXmlError(await query(body), 404, 'MalformedQueryString');
  });

  it('decodes both + and %20 as a space (and a literal + as %2B)', async () => {
    const url = await createQueueJson('form-q');
    const send = await query(`Action=SendMessage&${V}&${form({ QueueUrl: url })}&MessageBody=a+b%20c%2Bd`);
    expect(send.status).toBe(200);
    const doc = await parseStringPromise(send.text);
    expect(doc.SendMessageResponse.SendMessageResult[0].MD5OfMessageBody[0]).toBe(md5Hex('a b c+d'));
  });

  it('rejects a list index that is not a positive integer', async () => {
    await expectXmlError(
      await query(`Action=CreateQueue&${V}&QueueName=idx&Attribute.one.Name=DelaySeconds&Attribute.one.Value=1`),
      404,
      'MalformedQueryString',
    );
  });
});

describe('routing failures', () => {
  it('answers an unknown X-Amz-Target operation with UnknownOperationException in JSON', async () => {
    for (const op of ['Nope', 'constructor', '__proto__', 'toString', 'hasOwnProperty', '']) {
      expectJsonError(await json(op, '{}'), 400, 'UnknownOperationException');
    }
  });

  it('answers an unknown target prefix in JSON too', async () => {
    for (const target of ['AmazonSNS.Publish', 'Foo.Bar', 'NoDotAtAll', '.ListQueues', '__proto__.ListQueues']) {
      const res = await post('/', '{}', { 'content-type': JSON_TYPE, 'x-amz-target': target });
      expectJsonError(res, 400, 'UnknownOperationException');
    }
  });

  it('answers a JSON content type without X-Amz-Target in JSON', async () => {
    const res = await post('/', '{"QueueName":"x"}', { 'content-type': JSON_TYPE });
    expectJsonError(res, 400, 'UnknownOperationException');
  });

  it('answers an unknown query Action with InvalidAction in XML', async () => {
    for (const action of ['Nope', 'constructor', '__proto__', 'toString', 'Publish']) {
      const err = await expectXmlError(await query(`Action=${action}&${V}`), 400, 'InvalidAction');
      expect(err.message).toContain(action);
    }
  });

  it('answers a missing Action with MissingAction in XML', async () => {
    await expectXmlError(await query(`${V}&QueueName=x`), 400, 'MissingAction');
    await expectXmlError(await query(''), 400, 'MissingAction');
    await expectXmlError(await query('Action=&Version=2012-11-05'), 400, 'MissingAction');
    const get = await request(sy.endpoint).get('/').buffer(true).parse(rawText);
    await expectXmlError({ status: get.status, headers: get.headers as Record<string, string>, text: get.body as string }, 400, 'MissingAction');
  });

  it('answers a non-form content type without X-Amz-Target with an XML error', async () => {
    for (const type of ['text/plain', 'application/json', 'application/xml']) {
      const res = await post('/', `Action=ListQueues&${V}`, { 'content-type': type });
      await expectXmlError(res, 400, 'InvalidAction');
    }
  });
});

describe('oversized bodies', () => {
  it('refuses a body one byte over the limit with 413, in the request protocol', async () => {
    const jsonBody = Buffer.alloc(MAX_BODY + 1, 0x20);
    jsonBody[0] = 0x7b; // "{"
    jsonBody[jsonBody.length - 1] = 0x7d; // "}"
    expectJsonError(await json('ListQueues', jsonBody), 413, 'RequestEntityTooLarge');
    const formBody = Buffer.alloc(MAX_BODY + 1, 0x61);
    Buffer.from(`Action=ListQueues&${V}&QueueNamePrefix=`).copy(formBody);
    await expectXmlError(await query(formBody), 413, 'RequestEntityTooLarge');
  });

  it('accepts a body exactly at the limit (it is only too big for SQS itself)', async () => {
    const url = await createQueueJson('big-q');
    const prefix = `{"QueueUrl":${JSON.stringify(url)},"MessageBody":"`;
    const body = Buffer.alloc(MAX_BODY, 0x61);
    Buffer.from(prefix).copy(body);
    Buffer.from('"}').copy(body, MAX_BODY - 2);
    const res = await json('SendMessage', body);
    // Parsed fine; refused by SQS's 1 MiB message limit, not by the gateway.
    const err = expectJsonError(res, 400, 'InvalidParameterValue');
    expect(err.message).toContain('shorter than');
  });

  it('refuses a 10 MB body with 413 and keeps serving', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024, 0x61);
    expectJsonError(await json('SendMessage', big), 413, 'RequestEntityTooLarge');
    await expectXmlError(await query(big), 413, 'RequestEntityTooLarge');
    const res = await json('ListQueues', {});
    expect(res.status).toBe(200);
  });

  it('refuses a chunked body (no Content-Length) once it passes the limit', async () => {
    const res = await new Promise<Reply>((resolve, reject) => {
      const url = new URL(sy.endpoint);
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: '/',
          headers: { 'content-type': JSON_TYPE, 'x-amz-target': 'AmazonSQS.ListQueues', 'transfer-encoding': 'chunked' },
        },
        (r) => rawText(r, (err, text) => (err ? reject(err) : resolve({ status: r.statusCode!, headers: r.headers as Record<string, string>, text }))),
      );
      req.on('error', reject);
      const chunk = Buffer.alloc(256 * 1024, 0x20);
      for (let i = 0; i < 24; i++) req.write(chunk); // 6 MiB
      req.end();
    });
    expectJsonError(res, 413, 'RequestEntityTooLarge');
  });

  it('refuses a declared Content-Length over the limit before reading the body', async () => {
    const rawRequest = (headers: string): Promise<string> =>
      new Promise((resolve, reject) => {
        const url = new URL(sy.endpoint);
        const socket = connect(Number(url.port), url.hostname);
        let text = '';
        socket.on('error', reject);
        socket.on('data', (d) => {
          text += d.toString('latin1');
          const head = text.indexOf('\r\n\r\n');
          if (head < 0) return;
          const length = Number(/content-length: (\d+)/i.exec(text.slice(0, head))?.[1] ?? 0);
          if (text.length >= head + 4 + length) {
            socket.destroy();
            resolve(text);
          }
        });
        socket.write(`POST / HTTP/1.1\r\nHost: ${url.host}\r\n${headers}Content-Length: ${100 * 1024 * 1024}\r\n\r\n{`);
      });
    const parse = (text: string): Reply => {
      const head = text.indexOf('\r\n\r\n');
      const lines = text.slice(0, head).split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of lines.slice(1)) headers[l.slice(0, l.indexOf(':')).toLowerCase()] = l.slice(l.indexOf(':') + 1).trim();
      return { status: Number(lines[0].split(' ')[1]), headers, text: text.slice(head + 4) };
    };
    expectJsonError(parse(await rawRequest(`Content-Type: ${JSON_TYPE}\r\nX-Amz-Target: AmazonSQS.ListQueues\r\n`)), 413, 'RequestEntityTooLarge');
    await expectXmlError(parse(await rawRequest(`Content-Type: ${FORM_TYPE}\r\n`)), 413, 'RequestEntityTooLarge');
  });
});

describe('prototype pollution', () => {
  it('ignores __proto__ and constructor keys at the top of a JSON input', async () => {
    const body = '{"QueueName":"pp-json","__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}';
    const res = await json('CreateQueue', body);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text).QueueUrl).toMatch(/\/000000000000\/pp-json$/);
    expect(polluted()).toBeUndefined();
  });

  it('treats __proto__ in an attribute map as an unknown attribute name', async () => {
    const res = await json('CreateQueue', '{"QueueName":"pp-attr","Attributes":{"__proto__":"1"}}');
    expectJsonError(res, 400, 'InvalidAttributeName');
    const nested = await json('CreateQueue', '{"QueueName":"pp-attr","Attributes":{"__proto__":{"polluted":"yes"}}}');
    expectJsonError(nested, 400, 'SerializationException');
    expect(polluted()).toBeUndefined();
  });

  it('keeps __proto__ and constructor as ordinary tag keys', async () => {
    const created = await json('CreateQueue', '{"QueueName":"pp-tags","tags":{"__proto__":"a","constructor":"b"}}');
    expect(created.status).toBe(200);
    const url = JSON.parse(created.text).QueueUrl as string;
    const tags = await json('ListQueueTags', { QueueUrl: url });
    expect(tags.status).toBe(200);
    const parsed = JSON.parse(tags.text, (k, v) => v) as { Tags: Record<string, string> };
    expect(Object.getOwnPropertyNames(parsed.Tags).sort()).toEqual(['__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(parsed.Tags, '__proto__')?.value).toBe('a');
    expect(polluted()).toBeUndefined();
  });

  it('round-trips message attributes named __proto__ and constructor (JSON)', async () => {
    const url = await createQueueJson('pp-msg');
    const body =
      `{"QueueUrl":${JSON.stringify(url)},"MessageBody":"hi","MessageAttributes":{` +
      '"__proto__":{"DataType":"String","StringValue":"p"},"constructor":{"DataType":"Number","StringValue":"7"}}}';
    const expected: Record<string, { DataType: string; StringValue: string }> = {};
    Object.defineProperty(expected, '__proto__', { value: { DataType: 'String', StringValue: 'p' }, enumerable: true });
    expected.constructor = { DataType: 'Number', StringValue: '7' } as never;
    const digest = md5OfAttributes(expected);
    expect(digest).toMatch(/^[0-9a-f]{32}$/);

    const sent = await json('SendMessage', body);
    expect(sent.status).toBe(200);
    expect(JSON.parse(sent.text).MD5OfMessageAttributes).toBe(digest);

    const got = await json('ReceiveMessage', { QueueUrl: url, MessageAttributeNames: ['All'] });
    expect(got.status).toBe(200);
    const msg = JSON.parse(got.text).Messages[0];
    expect(Object.getOwnPropertyNames(msg.MessageAttributes).sort()).toEqual(['__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(msg.MessageAttributes, '__proto__')?.value).toEqual({ DataType: 'String', StringValue: 'p' });
    expect(msg.MD5OfMessageAttributes).toBe(digest);
    expect(polluted()).toBeUndefined();
  });

  it('ignores __proto__ and constructor form keys, and keeps them as map keys (query)', async () => {
    const created = await query(
      `Action=CreateQueue&${V}&QueueName=pp-form&__proto__.polluted=yes&constructor.prototype.polluted=yes&__proto__=x` +
        '&Tag.1.Key=__proto__&Tag.1.Value=a&Tag.2.Key=constructor&Tag.2.Value=b',
    );
    expect(created.status).toBe(200);
    const url = (await parseStringPromise(created.text)).CreateQueueResponse.CreateQueueResult[0].QueueUrl[0] as string;
    expect(url).toMatch(/\/000000000000\/pp-form$/);
    expect(polluted()).toBeUndefined();

    const tags = await query(`Action=ListQueueTags&${V}&${form({ QueueUrl: url })}`);
    expect(tags.status).toBe(200);
    const tagDoc = await parseStringPromise(tags.text);
    const listed = (tagDoc.ListQueueTagsResponse.ListQueueTagsResult[0].Tag as { Key: string[]; Value: string[] }[]).map((t) => [t.Key[0], t.Value[0]]);
    expect(listed.sort()).toEqual([
      ['__proto__', 'a'],
      ['constructor', 'b'],
    ]);

    await expectXmlError(
      await query(`Action=SetQueueAttributes&${V}&${form({ QueueUrl: url })}&Attribute.1.Name=__proto__&Attribute.1.Value=1`),
      400,
      'InvalidAttributeName',
    );

    const sent = await query(
      `Action=SendMessage&${V}&${form({ QueueUrl: url, MessageBody: 'hi' })}` +
        '&MessageAttribute.1.Name=__proto__&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=p',
    );
    expect(sent.status).toBe(200);
    const got = await query(`Action=ReceiveMessage&${V}&${form({ QueueUrl: url })}&MessageAttributeName.1=All`);
    const msg = (await parseStringPromise(got.text)).ReceiveMessageResponse.ReceiveMessageResult[0].Message[0];
    expect(msg.MessageAttribute[0].Name[0]).toBe('__proto__');
    expect(msg.MessageAttribute[0].Value[0].StringValue[0]).toBe('p');
    expect(msg.MD5OfMessageAttributes[0]).toBe(
      (await parseStringPromise(sent.text)).SendMessageResponse.SendMessageResult[0].MD5OfMessageAttributes[0],
    );
    expect(polluted()).toBeUndefined();
  });
});

describe('pathological values', () => {
  it('answers JSON nested 10,000 deep with an error, not a crash', async () => {
    expectJsonError(await json('CreateQueue', `{"QueueName":${nestedArrays(10_000)}}`), 400, 'SerializationException');
    const deepObject = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
    expectJsonError(await json('CreateQueue', `{"QueueName":"deep","Attributes":${deepObject}}`), 400, 'SerializationException');
    // Unknown members are ignored however deep they are.
    const ignored = await json('ListQueues', `{"Junk":${nestedArrays(10_000)},"QueueNamePrefix":"nothing-here"}`);
    expect(ignored.status).toBe(200);
    // An unbalanced deep document is simply invalid JSON.
    expectJsonError(await json('ListQueues', '['.repeat(100_000)), 400, 'SerializationException');
  });

  it('answers a form key nested 10,000 deep with a sane answer', async () => {
    const res = await query(`Action=ListQueues&${V}&QueueNamePrefix=nothing-here&${'a.'.repeat(10_000)}b=1`);
    expect(res.status).toBe(200);
    expect((await parseStringPromise(res.text)).ListQueuesResponse).toBeDefined();
  });

  it('answers huge numbers with an error', async () => {
    const url = await createQueueJson('numbers-q');
    // 1e400 parses to Infinity; 2^31 and beyond do not fit an SQS Integer.
    for (const n of ['1e400', '-1e400', '12345678901234567890', '2147483648', '-2147483649', '1e20']) {
      const res = await json('ReceiveMessage', `{"QueueUrl":${JSON.stringify(url)},"MaxNumberOfMessages":${n}}`);
      expectJsonError(res, 400, 'SerializationException');
    }
    // In range for an Integer but not for the parameter.
    const res = await json('SendMessage', `{"QueueUrl":${JSON.stringify(url)},"MessageBody":"x","DelaySeconds":2147483647}`);
    expectJsonError(res, 400, 'InvalidParameterValue');
    // 1e3 is the integer 1000 in JSON.
    expectJsonError(await json('SendMessage', `{"QueueUrl":${JSON.stringify(url)},"MessageBody":"x","DelaySeconds":1e3}`), 400, 'InvalidParameterValue');
    await expectXmlError(
      await query(`Action=ReceiveMessage&${V}&${form({ QueueUrl: url, MaxNumberOfMessages: '99999999999999999999' })}`),
      400,
      'InvalidParameterValue',
    );
    await expectXmlError(await query(`Action=SendMessage&${V}&${form({ QueueUrl: url, MessageBody: 'x', DelaySeconds: '1e400' })}`), 400, 'InvalidParameterValue');
  });

  it('rejects lone surrogates escaped in JSON with InvalidMessageContents', async () => {
    const url = await createQueueJson('surrogate-q');
    const u = JSON.stringify(url);
    for (const body of ['"\\ud800"', '"a\\udc00b"', '"\\udbff"', '"\\udfff\\ud800"']) {
      const res = await json('SendMessage', `{"QueueUrl":${u},"MessageBody":${body}}`);
      expectJsonError(res, 400, 'InvalidMessageContents');
    }
    // In an attribute value AWS calls the same thing InvalidParameterValue.
    const attr = await json(
      'SendMessage',
      `{"QueueUrl":${u},"MessageBody":"ok","MessageAttributes":{"a":{"DataType":"String","StringValue":"\\ud800"}}}`,
    );
    expectJsonError(attr, 400, 'InvalidParameterValue');
    // A proper pair (U+1F30D) is fine and digested as UTF-8.
    const ok = await json('SendMessage', `{"QueueUrl":${u},"MessageBody":"h\\u00e9llo w\\u00f6rld \\ud83c\\udf0d"}`);
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.text).MD5OfMessageBody).toBe('0e487ea323b9fe6a06a7796b48540d5c');
    // Characters outside the XML set are refused in query too.
    await expectXmlError(await query(`Action=SendMessage&${V}&${form({ QueueUrl: url })}&MessageBody=%EF%BF%BF`), 400, 'InvalidMessageContents');
    await expectXmlError(await query(`Action=SendMessage&${V}&${form({ QueueUrl: url })}&MessageBody=a%00b`), 400, 'InvalidMessageContents');
  });
});

describe('after the barrage', () => {
  it('still serves CreateQueue, SendMessage and ReceiveMessage, and no request hit an internal error', async () => {
    const url = await createQueueJson('still-alive');
    const sent = await json('SendMessage', { QueueUrl: url, MessageBody: 'hello world' });
    expect(sent.status).toBe(200);
    expect(JSON.parse(sent.text).MD5OfMessageBody).toBe('5eb63bbbe01eeed093cb22bb8f5acdc3');
    const got = await json('ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 10 });
    expect(got.status).toBe(200);
    const messages = JSON.parse(got.text).Messages as { Body: string; MD5OfBody: string }[];
    expect(messages.map((m) => m.Body)).toEqual(['hello world']);
    expect(messages[0].MD5OfBody).toBe('5eb63bbbe01eeed093cb22bb8f5acdc3');
    expect(internalErrors).toEqual([]);
    expect(polluted()).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------

describe('routes and request context', () => {
  it('GET /_switchyard/health answers with version and services', async () => {
    const res = await request(sy.endpoint).get('/_switchyard/health');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({ status: 'ok', version: VERSION, services: ['sqs', 'events', 'sns'] });
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
    const unknown = await request(sy.endpoint).get('/_switchyard/nope');
    expect(unknown.status).toBe(404);
  });

  it('serves an SQS query request POSTed to the queue URL path (no QueueUrl, no Version)', async () => {
    await createQueueJson('path-q');
    const sent = await query('Action=SendMessage&MessageBody=via+path', {}, '/000000000000/path-q');
    expect(sent.status).toBe(200);
    expect((await parseStringPromise(sent.text)).SendMessageResponse.SendMessageResult[0].MD5OfMessageBody[0]).toBe(md5Hex('via path'));
    const got = await query('Action=ReceiveMessage&MaxNumberOfMessages=10', {}, '/000000000000/path-q/');
    expect(got.status).toBe(200);
    const doc = await parseStringPromise(got.text);
    expect(doc.ReceiveMessageResponse.ReceiveMessageResult[0].Message.map((m: { Body: string[] }) => m.Body[0])).toEqual(['via path']);
    // A path naming a queue that does not exist.
    await expectXmlError(await query('Action=SendMessage&MessageBody=x', {}, '/000000000000/no-such-q'), 400, 'AWS.SimpleQueueService.NonExistentQueue');
  });

  it('reads query parameters from the URL query string (GET and POST)', async () => {
    const created = await request(sy.endpoint).get(`/?Action=CreateQueue&${V}&QueueName=urlq`).buffer(true).parse(rawText);
    expect(created.status).toBe(200);
    expect(created.headers['content-type']).toBe('text/xml');
    const url = (await parseStringPromise(created.body as string)).CreateQueueResponse.CreateQueueResult[0].QueueUrl[0] as string;
    expect(url).toMatch(/\/000000000000\/urlq$/);
    const byPost = await post(`/?Action=GetQueueUrl&${V}&QueueName=urlq`, '', {});
    expect(byPost.status).toBe(200);
    expect((await parseStringPromise(byPost.text)).GetQueueUrlResponse.GetQueueUrlResult[0].QueueUrl[0]).toBe(url);
    // URL and body combine; the body wins on a clash.
    const mixed = await query('QueueName=urlq', {}, `/?Action=GetQueueUrl&${V}&QueueName=other`);
    expect(mixed.status).toBe(200);
    expect((await parseStringPromise(mixed.text)).GetQueueUrlResponse.GetQueueUrlResult[0].QueueUrl[0]).toBe(url);
  });

  it('puts a signed request in the region of its credential scope', async () => {
    const auth = {
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKID/20261126/eu-west-1/sqs/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=abc',
    };
    const url = await createQueueJson('eu-q', auth);
    // Not visible from us-east-1 (unsigned requests use the default region).
    expectJsonError(await json('GetQueueUrl', { QueueName: 'eu-q' }), 400, 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue');
    expectJsonError(await json('GetQueueAttributes', { QueueUrl: url }), 400, 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue');
    const listed = JSON.parse((await json('ListQueues', { QueueNamePrefix: 'eu-' })).text) as { QueueUrls?: string[] };
    expect(listed.QueueUrls ?? []).toEqual([]);
    // Visible from eu-west-1, with an eu-west-1 ARN.
    const attrs = await json('GetQueueAttributes', { QueueUrl: url, AttributeNames: ['QueueArn'] }, auth);
    expect(attrs.status).toBe(200);
    expect(JSON.parse(attrs.text).Attributes.QueueArn).toBe('arn:aws:sqs:eu-west-1:000000000000:eu-q');
    // The query protocol reads the same scope.
    const viaQuery = await query(`Action=GetQueueUrl&${V}&QueueName=eu-q`, auth);
    expect(viaQuery.status).toBe(200);
  });

  it('selects the account from a 12-digit access key', async () => {
    const auth = {
      authorization:
        'AWS4-HMAC-SHA256 Credential=123456789012/20261126/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=abc',
    };
    const url = await createQueueJson('acct-q', auth);
    expect(url).toMatch(/\/123456789012\/acct-q$/);
    const attrs = await json('GetQueueAttributes', { QueueUrl: url, AttributeNames: ['All'] }, auth);
    expect(JSON.parse(attrs.text).Attributes.QueueArn).toBe('arn:aws:sqs:us-east-1:123456789012:acct-q');
    // The default account does not see it.
    expectJsonError(await json('GetQueueUrl', { QueueName: 'acct-q' }), 400, 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue');
    // A non-numeric access key keeps the default account.
    const other = await createQueueJson('acct-q2', {
      authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261126/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=abc',
    });
    expect(other).toMatch(/\/000000000000\/acct-q2$/);
  });

  it('builds QueueUrls from the request Host header', async () => {
    const url = await createQueueJson('host-q', { host: 'sqs.example.test:9999' });
    expect(url).toBe('http://sqs.example.test:9999/000000000000/host-q');
    const viaQuery = await query(`Action=GetQueueUrl&${V}&QueueName=host-q`, { host: 'localhost:4566' });
    expect((await parseStringPromise(viaQuery.text)).GetQueueUrlResponse.GetQueueUrlResult[0].QueueUrl[0]).toBe(
      'http://localhost:4566/000000000000/host-q',
    );
    // A QueueUrl with any host finds the queue by account and name.
    const sent = await json('SendMessage', { QueueUrl: 'https://elsewhere.invalid/000000000000/host-q', MessageBody: 'x' });
    expect(sent.status).toBe(200);
  });
});
