import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Forwarder, logEventOf, outcomeOfError } from '../src/delivery/forward.js';

/** One request as the stub saw it. */
interface Seen {
  method: string;
  httpVersion: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

type Reply = (res: ServerResponse) => void;

const json = (status: number, contentType: string, body: unknown, headers: Record<string, string> = {}): Reply => (res) => {
  res.writeHead(status, { 'content-type': contentType, ...headers });
  res.end(JSON.stringify(body));
};
const JSON10 = 'application/x-amz-json-1.0';
const JSON11 = 'application/x-amz-json-1.1';

/** What each service answers when no reply is queued: enough of its API for the SDK to parse. */
function defaultReply(path: string, target: string | undefined): Reply {
  if (path.startsWith('/2015-03-31/functions/')) {
    return (res) => {
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end();
    };
  }
  switch (target) {
    case 'AWSStepFunctions.StartExecution':
      return json(200, JSON10, { executionArn: 'arn:aws:states:us-east-1:000000000000:execution:orders:e-1', startDate: 1_700_000_000 });
    case 'Kinesis_20131202.PutRecord':
      return json(200, JSON11, { ShardId: 'shardId-000000000000', SequenceNumber: '4960' });
    case 'Firehose_20150804.PutRecord':
      return json(200, JSON11, { RecordId: 'rec-1', Encrypted: false });
    case 'Logs_20140328.CreateLogStream':
      return json(200, JSON11, {});
    case 'Logs_20140328.PutLogEvents':
      return json(200, JSON11, { nextSequenceToken: '1' });
    default:
      return json(400, JSON11, { __type: 'UnknownOperationException', message: `stub does not play ${target}` });
  }
}

let server: Server;
let endpoint: string;
const seen: Seen[] = [];
/** Replies to use, in order, before falling back to the defaults. */
const queued: Reply[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      const target = req.headers['x-amz-target'] as string | undefined;
      seen.push({ method: req.method ?? '', httpVersion: req.httpVersion, path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      (queued.shift() ?? defaultReply(path, target))(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  seen.length = 0;
  queued.length = 0;
});

const all = () => ({ lambda: endpoint, states: endpoint, kinesis: endpoint, firehose: endpoint, logs: endpoint });

const EVENT_ID = '3f1f0c5e-8a0e-4c1a-9d3e-2b7f6a1c0d42';
const BODY = JSON.stringify({ id: EVENT_ID, source: 'orders', 'detail-type': 'Placed', detail: { n: 1, text: 'héllo ✓' } });
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

describe('Forwarder: each service through its real SDK client', () => {
  let f: Forwarder;
  beforeAll(() => {
    f = new Forwarder({ endpoints: all() });
  });
  afterAll(() => f.close());

  it('Lambda: Invoke, asynchronously, with the body as the payload', async () => {
    const arn = 'arn:aws:lambda:us-east-1:000000000000:function:handle-order';
    const out = await f.deliver(arn, BODY);
    expect(out).toMatchObject({ ok: true });
    expect(out.ok && out.captured).toBeFalsy();
    expect(seen).toHaveLength(1);
    const [req] = seen;
    expect(req.method).toBe('POST');
    expect(decodeURIComponent(req.path)).toBe(`/2015-03-31/functions/${arn}/invocations`);
    expect(req.headers['x-amz-invocation-type']).toBe('Event');
    expect(req.body).toBe(BODY);
    expect(req.headers.authorization).toMatch(/Credential=test\/\d{8}\/us-east-1\/lambda\/aws4_request/);
  });

  it('Lambda: a qualified ARN is passed whole', async () => {
    const arn = 'arn:aws:lambda:us-east-1:000000000000:function:handle-order:live';
    expect(await f.deliver(arn, '"just a string"')).toMatchObject({ ok: true });
    expect(decodeURIComponent(seen[0].path)).toBe(`/2015-03-31/functions/${arn}/invocations`);
    expect(seen[0].body).toBe('"just a string"');
  });

  it('Step Functions: StartExecution with the body as input', async () => {
    const arn = 'arn:aws:states:us-east-1:000000000000:stateMachine:orders';
    const out = await f.deliver(arn, BODY);
    expect(out).toMatchObject({ ok: true, detail: expect.stringContaining('execution:orders:e-1') });
    expect(seen[0].headers['x-amz-target']).toBe('AWSStepFunctions.StartExecution');
    expect(JSON.parse(seen[0].body)).toEqual({ stateMachineArn: arn, input: BODY });
  });

  it('Kinesis: PutRecord with the given partition key, else the event id', async () => {
    const arn = 'arn:aws:kinesis:us-east-1:000000000000:stream/order-stream';
    expect(await f.deliver(arn, BODY, { eventId: EVENT_ID, partitionKey: 'customer-7' })).toMatchObject({ ok: true });
    expect(await f.deliver(arn, BODY, { eventId: EVENT_ID })).toMatchObject({ ok: true });
    expect(seen.map((s) => s.headers['x-amz-target'])).toEqual(['Kinesis_20131202.PutRecord', 'Kinesis_20131202.PutRecord']);
    expect(JSON.parse(seen[0].body)).toEqual({ StreamName: 'order-stream', Data: b64(BODY), PartitionKey: 'customer-7' });
    expect(JSON.parse(seen[1].body)).toEqual({ StreamName: 'order-stream', Data: b64(BODY), PartitionKey: EVENT_ID });
    // Plain HTTP/1.1, not the HTTP/2 the Kinesis client defaults to.
    expect(seen[0].httpVersion).toBe('1.1');
  });

  it('Firehose: PutRecord with the body as data, no newline added', async () => {
    const arn = 'arn:aws:firehose:us-east-1:000000000000:deliverystream/order-firehose';
    expect(await f.deliver(arn, BODY)).toMatchObject({ ok: true, detail: 'firehose: record rec-1' });
    expect(seen[0].headers['x-amz-target']).toBe('Firehose_20150804.PutRecord');
    const sent = JSON.parse(seen[0].body);
    expect(sent).toEqual({ DeliveryStreamName: 'order-firehose', Record: { Data: b64(BODY) } });
    expect(Buffer.from(sent.Record.Data, 'base64').toString('utf8')).toBe(BODY);
  });

  it('CloudWatch Logs: a log stream named after the event, one log event with the body', async () => {
    const arn = 'arn:aws:logs:us-east-1:000000000000:log-group:/aws/events/orders:*';
    const out = await f.deliver(arn, BODY, { eventId: EVENT_ID, timestamp: 1_700_000_000_123 });
    expect(out).toMatchObject({ ok: true });
    expect(seen.map((s) => s.headers['x-amz-target'])).toEqual(['Logs_20140328.CreateLogStream', 'Logs_20140328.PutLogEvents']);
    expect(JSON.parse(seen[0].body)).toEqual({ logGroupName: '/aws/events/orders', logStreamName: EVENT_ID });
    expect(JSON.parse(seen[1].body)).toEqual({
      logGroupName: '/aws/events/orders',
      logStreamName: EVENT_ID,
      logEvents: [{ timestamp: 1_700_000_000_123, message: BODY }],
    });
  });

  it('CloudWatch Logs: the input-transformer form sets timestamp and message; an existing stream is reused', async () => {
    const arn = 'arn:aws:logs:us-east-1:000000000000:log-group:orders';
    queued.push(json(400, JSON11, { __type: 'ResourceAlreadyExistsException', message: 'The specified log stream already exists' }));
    const body = '{"timestamp":"2024-05-01T12:00:00Z","message":"order 7 placed"}';
    expect(await f.deliver(arn, body, { eventId: EVENT_ID, timestamp: 1 })).toMatchObject({ ok: true });
    expect(seen).toHaveLength(2);
    expect(JSON.parse(seen[1].body).logEvents).toEqual([{ timestamp: Date.parse('2024-05-01T12:00:00Z'), message: 'order 7 placed' }]);
  });
});

describe('Forwarder: captured, never dropped', () => {
  it('records a target whose service has no endpoint, without a request', async () => {
    const f = new Forwarder({ endpoints: { states: endpoint } });
    const out = await f.deliver('arn:aws:lambda:us-east-1:000000000000:function:f', BODY);
    expect(out).toEqual({ ok: true, captured: true, detail: 'no endpoint configured for lambda; recorded only' });
    expect(seen).toHaveLength(0);
    f.close();
  });

  it('records targets of services it cannot forward', async () => {
    const f = new Forwarder({ endpoints: { ecs: endpoint } });
    const out = await f.deliver('arn:aws:ecs:us-east-1:000000000000:cluster/default', BODY);
    expect(out).toMatchObject({ ok: true, captured: true });
    expect(seen).toHaveLength(0);
    f.close();
  });

  it('names the service of an ARN', () => {
    const f = new Forwarder({ endpoints: { lambda: endpoint } });
    expect(f.serviceOf('arn:aws:states:us-east-1:000000000000:stateMachine:m')).toBe('states');
    expect(f.serviceOf('not-an-arn')).toBe('');
    expect(f.forwards('arn:aws:lambda:us-east-1:000000000000:function:f')).toBe(true);
    expect(f.forwards('arn:aws:kinesis:us-east-1:000000000000:stream/s')).toBe(false);
  });

  it('rejects a malformed ARN or resource without retrying', async () => {
    const f = new Forwarder({ endpoints: all() });
    expect(await f.deliver('nonsense', BODY)).toMatchObject({ ok: false, code: 'ValidationException', retryable: false });
    expect(await f.deliver('arn:aws:kinesis:us-east-1:000000000000:table/x', BODY)).toMatchObject({
      ok: false,
      code: 'ValidationException',
      retryable: false,
    });
    f.close();
  });
});

describe('Forwarder: errors as outcomes', () => {
  let f: Forwarder;
  beforeAll(() => {
    f = new Forwarder({ endpoints: all() });
  });
  afterAll(() => f.close());
  const fn = 'arn:aws:lambda:us-east-1:000000000000:function:handle-order';

  it('a 500 is retryable', async () => {
    queued.push(json(500, 'application/json', { Type: 'Service', Message: 'boom' }, { 'x-amzn-errortype': 'ServiceException' }));
    const out = await f.deliver(fn, BODY);
    expect(out).toMatchObject({ ok: false, code: 'ServiceException', message: 'boom', retryable: true, status: 500 });
    expect(seen).toHaveLength(1); // one attempt: Switchyard's RetryPolicy does the retrying
  });

  it('a bare 500 from an awsJson service is retryable', async () => {
    queued.push((res) => {
      res.writeHead(500);
      res.end();
    });
    const out = await f.deliver('arn:aws:states:us-east-1:000000000000:stateMachine:orders', BODY);
    expect(out).toMatchObject({ ok: false, retryable: true, status: 500 });
  });

  it('a 404 ResourceNotFoundException is not retryable', async () => {
    queued.push(
      json(404, 'application/json', { Type: 'User', Message: `Function not found: ${fn}` }, { 'x-amzn-errortype': 'ResourceNotFoundException' }),
    );
    const out = await f.deliver(fn, BODY);
    expect(out).toEqual({
      ok: false,
      code: 'ResourceNotFoundException',
      message: `Function not found: ${fn}`,
      retryable: false,
      status: 404,
    });
  });

  it('throttling is retryable, even as a 400', async () => {
    queued.push(json(400, JSON11, { __type: 'ProvisionedThroughputExceededException', message: 'Rate exceeded for shard' }));
    const out = await f.deliver('arn:aws:kinesis:us-east-1:000000000000:stream/s', BODY, { eventId: EVENT_ID });
    expect(out).toMatchObject({ ok: false, code: 'ProvisionedThroughputExceededException', retryable: true, status: 400 });
  });

  it('a refused connection is retryable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const g = new Forwarder({ endpoints: { firehose: `http://127.0.0.1:${port}` } });
    const out = await g.deliver('arn:aws:firehose:us-east-1:000000000000:deliverystream/d', BODY);
    expect(out).toMatchObject({ ok: false, code: 'ECONNREFUSED', retryable: true });
    g.close();
  });

  it('a request that outlives requestTimeoutMs is retryable', async () => {
    queued.push(() => undefined); // never answers
    const g = new Forwarder({ endpoints: all(), requestTimeoutMs: 100 });
    const out = await g.deliver(fn, BODY);
    expect(out).toMatchObject({ ok: false, code: 'TimeoutError', retryable: true });
    g.close();
  });

  it('after close, deliveries fail retryably without a request', async () => {
    const g = new Forwarder({ endpoints: all() });
    expect(await g.deliver(fn, BODY)).toMatchObject({ ok: true });
    g.close();
    expect(await g.deliver(fn, BODY)).toMatchObject({ ok: false, retryable: true });
    expect(seen).toHaveLength(1);
  });
});

describe('helpers', () => {
  it('logEventOf takes only the exact {timestamp, message} shape', () => {
    expect(logEventOf('{"timestamp":1700000000000,"message":"m"}', 5)).toEqual({ timestamp: 1_700_000_000_000, message: 'm' });
    expect(logEventOf('{"timestamp":"1700000000000","message":"m"}', 5)).toEqual({ timestamp: 1_700_000_000_000, message: 'm' });
    expect(logEventOf('{"timestamp":"x","message":"m"}', 5)).toEqual({ timestamp: 5, message: '{"timestamp":"x","message":"m"}' });
    expect(logEventOf('{"timestamp":1,"message":"m","other":1}', 5).timestamp).toBe(5);
    expect(logEventOf('plain text', 5)).toEqual({ timestamp: 5, message: 'plain text' });
  });

  it('outcomeOfError classifies by name, status and fault', () => {
    const sdk = (name: string, status: number, fault: 'client' | 'server') =>
      Object.assign(new Error('m'), { name, $fault: fault, $metadata: { httpStatusCode: status } });
    expect(outcomeOfError(sdk('TooManyRequestsException', 429, 'client'))).toMatchObject({ retryable: true });
    expect(outcomeOfError(sdk('ThrottlingException', 400, 'client'))).toMatchObject({ retryable: true });
    expect(outcomeOfError(sdk('InvalidParameterValueException', 400, 'client'))).toMatchObject({ retryable: false });
    expect(outcomeOfError(sdk('ServiceUnavailableException', 503, 'server'))).toMatchObject({ retryable: true });
    expect(outcomeOfError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toMatchObject({
      code: 'ECONNRESET',
      retryable: true,
    });
  });
});
