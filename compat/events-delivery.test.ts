/**
 * EventBridge delivery through the real SDKs: PutEvents (with partial failure) routed by rules to
 * each kind of target (SQS standard and FIFO, another bus in this and another account, an API
 * destination served by a real local HTTP server, a Lambda function behind a forward endpoint
 * stub), input transformers, a retry that succeeds, retries that exhaust into a DLQ with AWS's
 * attributes, a cron rule firing when the clock is advanced, and archive + replay. The clock is
 * frozen: retries and schedules happen only when a test moves it (and it never goes back, so each
 * test reads the time it starts at).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as eb from '@aws-sdk/client-eventbridge';
import * as sqs from '@aws-sdk/client-sqs';
import { startSwitchyard, type Switchyard } from '../src/index.js';
import type { EventTrace } from '../src/trace/trace.js';

const T0 = Date.parse('2026-11-26T12:00:00Z');
const ACCOUNT = '000000000000';
const OTHER = '111122223333';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A real HTTP server that answers with the next status in `statuses` (the last one repeats) and records every request. */
class StubServer {
  readonly requests: Received[] = [];
  readonly tokenRequests: Received[] = [];
  statuses: number[] = [200];
  private server?: Server;
  private waiters: Array<{ n: number; resolve: () => void }> = [];
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/token') {
          // An OAuth client-credentials token endpoint; token requests are recorded, not counted as deliveries.
          this.tokenRequests.push({ method: req.method!, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ access_token: `token-${this.tokenRequests.length}`, token_type: 'Bearer', expires_in: 3600 }));
          return;
        }
        this.requests.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        const status = this.statuses[Math.min(this.requests.length - 1, this.statuses.length - 1)];
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(status < 300 ? '{}' : '{"message":"boom"}');
        this.waiters = this.waiters.filter((w) => (this.requests.length >= w.n ? (w.resolve(), false) : true));
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  /** Resolves once `n` requests have arrived in total. */
  received(n: number): Promise<void> {
    if (this.requests.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }

  reset(): void {
    this.requests.length = 0;
    this.tokenRequests.length = 0;
    this.statuses = [200];
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server?.close(() => r()) ?? r());
  }
}

let sy: Switchyard;
let client: eb.EventBridgeClient;
let queues: sqs.SQSClient;
const http = new StubServer();
const lambda = new StubServer();

const creds = { accessKeyId: 'test', secretAccessKey: 'test' };

beforeAll(async () => {
  await http.start();
  await lambda.start();
  sy = await startSwitchyard({ port: 0, frozenClockAt: T0, forward: { lambda: lambda.url } });
  client = new eb.EventBridgeClient({ endpoint: sy.endpoint, region: 'us-east-1', credentials: creds });
  queues = new sqs.SQSClient({ endpoint: sy.endpoint, region: 'us-east-1', credentials: creds });
});

beforeEach(() => {
  sy.reset();
  http.reset();
  lambda.reset();
});

afterAll(async () => {
  client?.destroy();
  queues?.destroy();
  await sy?.stop();
  await http.stop();
  await lambda.stop();
});

const queueArn = (name: string, account = ACCOUNT) => `arn:aws:sqs:us-east-1:${account}:${name}`;

async function createQueue(name: string, attributes?: Record<string, string>): Promise<string> {
  return (await queues.send(new sqs.CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
}

/** Everything in the queue now (deliveries settled first). */
async function drain(url: string): Promise<sqs.Message[]> {
  await sy.events.deliverer.settled();
  const out: sqs.Message[] = [];
  for (;;) {
    const r = await queues.send(
      new sqs.ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }),
    );
    if (!r.Messages?.length) return out;
    out.push(...r.Messages);
  }
}

/** Let the clock pass and every attempt it makes due finish. */
async function advance(ms: number): Promise<void> {
  sy.clock.advance(ms);
  await sy.events.deliverer.settled();
}

async function rule(name: string, pattern: unknown, targets: eb.Target[], bus?: string, c = client): Promise<string> {
  const { RuleArn } = await c.send(new eb.PutRuleCommand({ Name: name, EventPattern: JSON.stringify(pattern), EventBusName: bus }));
  await c.send(new eb.PutTargetsCommand({ Rule: name, EventBusName: bus, Targets: targets }));
  return RuleArn!;
}

const entry = (detail: unknown, extra: Partial<eb.PutEventsRequestEntry> = {}): eb.PutEventsRequestEntry => ({
  Source: 'com.example.orders',
  DetailType: 'Order Placed',
  Detail: JSON.stringify(detail),
  ...extra,
});

describe('PutEvents', () => {
  it('accepts valid entries and fails the others per entry, in order', async () => {
    const out = await client.send(
      new eb.PutEventsCommand({
        Entries: [
          entry({ n: 1 }),
          { Source: 'a', DetailType: 'b', Detail: 'not-json' },
          { DetailType: 'b', Detail: '{}' },
          { Source: 'a', DetailType: 'b', Detail: '[1,2]' },
          entry({ n: 2 }, { EventBusName: 'no-such-bus' }),
          entry({ n: 3 }, { Source: 'aws.s3' }),
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(5);
    expect(out.Entries![0].EventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(out.Entries!.slice(1)).toEqual([
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.' },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'ResourceNotFoundException', ErrorMessage: 'Event bus no-such-bus does not exist.' },
      { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' },
    ]);
  });

  it('refuses more than 10 entries and more than the size limit for the whole call', async () => {
    const eleven = await client.send(new eb.PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry({})) })).catch((e: Error) => e);
    expect((eleven as Error).name).toBe('ValidationException');
    const big = await client
      .send(new eb.PutEventsCommand({ Entries: [entry({ s: 'x'.repeat(1024 * 1024) })] }))
      .catch((e: Error) => e);
    expect((big as Error).name).toBe('ValidationException');
    expect((big as Error).message).toBe('Total size of the entries in the request is over the limit.');
  });
});

describe('SQS targets', () => {
  it('deliver the envelope AWS delivers, only for events the enabled rule matches', async () => {
    const url = await createQueue('orders');
    await rule('big-orders', { source: ['com.example.orders'], detail: { total: [{ numeric: ['>', 100] }] } }, [{ Id: 'q', Arn: queueArn('orders') }]);
    const out = await client.send(
      new eb.PutEventsCommand({
        Entries: [entry({ total: 120 }, { Resources: ['arn:aws:s3:::bucket'], Time: new Date('2026-01-02T03:04:05Z') }), entry({ total: 5 })],
      }),
    );
    const messages = await drain(url);
    expect(messages).toHaveLength(1);
    expect(messages[0].Body).toBe(
      JSON.stringify({
        version: '0',
        id: out.Entries![0].EventId,
        'detail-type': 'Order Placed',
        source: 'com.example.orders',
        account: ACCOUNT,
        time: '2026-01-02T03:04:05Z',
        region: 'us-east-1',
        resources: ['arn:aws:s3:::bucket'],
        detail: { total: 120 },
      }),
    );
    await client.send(new eb.DisableRuleCommand({ Name: 'big-orders' }));
    await client.send(new eb.PutEventsCommand({ Entries: [entry({ total: 500 })] }));
    expect(await drain(url)).toHaveLength(0);
  });

  it('deliver to a FIFO queue in the target group, deduplicated by event id', async () => {
    const url = await createQueue('orders.fifo', { FifoQueue: 'true' });
    await rule('r', { source: ['com.example.orders'] }, [{ Id: 'q', Arn: queueArn('orders.fifo'), SqsParameters: { MessageGroupId: 'g1' } }]);
    await client.send(new eb.PutEventsCommand({ Entries: [entry({ n: 1 }), entry({ n: 2 })] }));
    const messages = await drain(url);
    expect(messages.map((m) => JSON.parse(m.Body!).detail.n)).toEqual([1, 2]);
    expect(messages.map((m) => m.Attributes!.MessageGroupId)).toEqual(['g1', 'g1']);
    expect(messages[0].Attributes!.MessageDeduplicationId).toBe(JSON.parse(messages[0].Body!).id);
  });

  it('shape the body with Input, InputPath and InputTransformer', async () => {
    const url = await createQueue('shaped');
    await rule('r', { source: ['com.example.orders'] }, [
      { Id: 'input', Arn: queueArn('shaped'), Input: '{"fixed":1}' },
      { Id: 'path', Arn: queueArn('shaped'), InputPath: '$.detail.customer' },
      {
        Id: 'transformer',
        Arn: queueArn('shaped'),
        InputTransformer: {
          InputPathsMap: { id: '$.detail.id', customer: '$.detail.customer' },
          InputTemplate: '{"order": <id>, "who": <customer>, "rule": "<aws.events.rule-name>"}',
        },
      },
    ]);
    await client.send(new eb.PutEventsCommand({ Entries: [entry({ id: 42, customer: { name: 'Ada "the first"' } })] }));
    const bodies = (await drain(url)).map((m) => m.Body!).sort();
    expect(bodies).toEqual(
      [
        '{"fixed":1}',
        '{"name":"Ada \\"the first\\""}',
        // JSON templates come out minified, as the EventBridge user guide describes.
        '{"order":42,"who":{"name":"Ada \\"the first\\""},"rule":"r"}',
      ].sort(),
    );
    for (const b of bodies) expect(() => JSON.parse(b)).not.toThrow();
  });
});

describe('event bus targets', () => {
  it('route to another bus of the same account, whose rules route again', async () => {
    const url = await createQueue('billing-q');
    await client.send(new eb.CreateEventBusCommand({ Name: 'billing' }));
    await rule('to-billing', { source: ['com.example.orders'] }, [{ Id: 'bus', Arn: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/billing` }]);
    await rule('billing-q', { 'detail-type': ['Order Placed'] }, [{ Id: 'q', Arn: queueArn('billing-q') }], 'billing');
    const out = await client.send(new eb.PutEventsCommand({ Entries: [entry({ n: 1 })] }));
    const [m] = await drain(url);
    expect(JSON.parse(m.Body!).id).toBe(out.Entries![0].EventId);
  });

  it('route to another account\'s bus only when its policy allows the sender', async () => {
    const other = new eb.EventBridgeClient({ endpoint: sy.endpoint, region: 'us-east-1', credentials: { accessKeyId: OTHER, secretAccessKey: 'x' } });
    const otherSqs = new sqs.SQSClient({ endpoint: sy.endpoint, region: 'us-east-1', credentials: { accessKeyId: OTHER, secretAccessKey: 'x' } });
    const url = (await otherSqs.send(new sqs.CreateQueueCommand({ QueueName: 'inbox' }))).QueueUrl!;
    const dlqUrl = await createQueue('cross-dlq');
    await rule('in', { source: ['com.example.orders'] }, [{ Id: 'q', Arn: queueArn('inbox', OTHER) }], undefined, other);
    await rule('out', { source: ['com.example.orders'] }, [
      { Id: 'bus', Arn: `arn:aws:events:us-east-1:${OTHER}:event-bus/default`, DeadLetterConfig: { Arn: queueArn('cross-dlq') } },
    ]);
    await client.send(new eb.PutEventsCommand({ Entries: [entry({ n: 1 })] }));
    expect(await drain(url)).toHaveLength(0);
    const [refused] = await drain(dlqUrl);
    expect(refused.MessageAttributes!.ERROR_CODE.StringValue).toBe('NO_PERMISSIONS');
    await other.send(new eb.PutPermissionCommand({ Action: 'events:PutEvents', Principal: ACCOUNT, StatementId: 'from-main' }));
    await client.send(new eb.PutEventsCommand({ Entries: [entry({ n: 2 })] }));
    const received = await drain(url);
    expect(received.map((m) => JSON.parse(m.Body!).detail.n)).toEqual([2]);
    other.destroy();
    otherSqs.destroy();
  });
});

describe('API destinations', () => {
  it('make a real HTTP request with the connection auth and the target HttpParameters', async () => {
    const { ConnectionArn } = await client.send(
      new eb.CreateConnectionCommand({
        Name: 'c',
        AuthorizationType: 'API_KEY',
        AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'x-api-key', ApiKeyValue: 's3cr3t' } },
      }),
    );
    const { ApiDestinationArn } = await client.send(
      new eb.CreateApiDestinationCommand({ Name: 'hook', ConnectionArn, InvocationEndpoint: `${http.url}/orders/*`, HttpMethod: 'POST' }),
    );
    await rule('r', { source: ['com.example.orders'] }, [
      {
        Id: 'hook',
        Arn: ApiDestinationArn,
        InputPath: '$.detail',
        HttpParameters: { PathParameterValues: ['42'], HeaderParameters: { 'x-tenant': 'acme' }, QueryStringParameters: { v: '2' } },
      },
    ]);
    await client.send(new eb.PutEventsCommand({ Entries: [entry({ id: 42 })] }));
    await http.received(1);
    const [req] = http.requests;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/orders/42?v=2');
    expect(req.headers['x-api-key']).toBe('s3cr3t');
    expect(req.headers['x-tenant']).toBe('acme');
    expect(JSON.parse(req.body)).toEqual({ id: 42 });
  });
});

describe('API destinations with OAuth client credentials', () => {
  it('request a token from the authorization endpoint and send it as a bearer token', async () => {
    const { ConnectionArn } = await client.send(
      new eb.CreateConnectionCommand({
        Name: 'oauth',
        AuthorizationType: 'OAUTH_CLIENT_CREDENTIALS',
        AuthParameters: {
          OAuthParameters: {
            AuthorizationEndpoint: `${http.url}/token`,
            HttpMethod: 'POST',
            ClientParameters: { ClientID: 'client-1', ClientSecret: 'shh' },
            OAuthHttpParameters: { BodyParameters: [{ Key: 'grant_type', Value: 'client_credentials' }] },
          },
        },
      }),
    );
    let state: string | undefined;
    do state = (await client.send(new eb.DescribeConnectionCommand({ Name: 'oauth' }))).ConnectionState;
    while (state === 'AUTHORIZING');
    expect(state).toBe('AUTHORIZED');
    const { ApiDestinationArn } = await client.send(
      new eb.CreateApiDestinationCommand({ Name: 'oauth-hook', ConnectionArn, InvocationEndpoint: `${http.url}/hook`, HttpMethod: 'POST' }),
    );
    await rule('r', { source: ['com.example.orders'] }, [{ Id: 'hook', Arn: ApiDestinationArn }]);
    await client.send(new eb.PutEventsCommand({ Entries: [entry({ n: 1 }), entry({ n: 2 })] }));
    await http.received(2);
    expect(http.tokenRequests).toHaveLength(1);
    expect(http.tokenRequests[0].headers.authorization).toBe(`Basic ${Buffer.from('client-1:shh').toString('base64')}`);
    expect(http.tokenRequests[0].body).toContain('grant_type=client_credentials');
    expect(http.requests.map((r) => r.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-1']);
  });
});

describe('the trace API', () => {
  it('lists events newest first, filtered by bus and source, with what each target got', async () => {
    const url = await createQueue('traced');
    await client.send(new eb.CreateEventBusCommand({ Name: 'app' }));
    await rule('r', { source: ['com.example.orders'] }, [{ Id: 'q', Arn: queueArn('traced'), InputPath: '$.detail' }], 'app');
    const busArn = `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/app`;
    const out = await client.send(
      new eb.PutEventsCommand({ Entries: [entry({ n: 1 }, { EventBusName: busArn }), entry({ n: 2 }, { EventBusName: 'app', Source: 'other' })] }),
    );
    expect(out.FailedEntryCount).toBe(0);
    await drain(url);
    const list = await (await fetch(`${sy.endpoint}/_switchyard/api/events?bus=app`)).json();
    expect(list.events.map((e: { id: string }) => e.id)).toEqual([out.Entries![1].EventId, out.Entries![0].EventId]);
    const bySource = await (await fetch(`${sy.endpoint}/_switchyard/api/events?source=com.example.orders`)).json();
    expect(bySource.events).toHaveLength(1);
    expect(bySource.events[0]).toMatchObject({ busArn, matchedRules: [`arn:aws:events:us-east-1:${ACCOUNT}:rule/app/r`] });
    const one = await (await fetch(`${sy.endpoint}/_switchyard/api/events/${out.Entries![0].EventId}`)).json();
    expect(one.deliveries).toMatchObject([{ targetId: 'q', input: '{"n":1}', state: 'delivered' }]);
    expect((await fetch(`${sy.endpoint}/_switchyard/api/events/nope`)).status).toBe(404);
  });
});

describe('forwarded targets', () => {
  it('invoke a Lambda function at the configured endpoint with the real Lambda client', async () => {
    const fn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:handle-order`;
    await rule('r', { source: ['com.example.orders'] }, [{ Id: 'fn', Arn: fn }]);
    const out = await client.send(new eb.PutEventsCommand({ Entries: [entry({ n: 7 })] }));
    await lambda.received(1);
    const [req] = lambda.requests;
    expect(req.method).toBe('POST');
    expect(decodeURIComponent(req.url)).toBe(`/2015-03-31/functions/${fn}/invocations`);
    expect(req.headers['x-amz-invocation-type']).toBe('Event');
    expect(JSON.parse(req.body)).toMatchObject({ id: out.Entries![0].EventId, detail: { n: 7 } });
  });

  it('record targets of services without an endpoint as captured in the trace', async () => {
    const sfn = `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:flow`;
    await rule('r', { source: ['com.example.orders'] }, [{ Id: 'sfn', Arn: sfn }]);
    const out = await client.send(new eb.PutEventsCommand({ Entries: [entry({ n: 1 })] }));
    await sy.events.deliverer.settled();
    const res = await fetch(`${sy.endpoint}/_switchyard/api/events/${out.Entries![0].EventId}`);
    const trace = await res.json();
    expect(trace.matchedRules).toEqual([`arn:aws:events:us-east-1:${ACCOUNT}:rule/r`]);
    expect(trace.deliveries).toMatchObject([{ targetArn: sfn, state: 'captured', attempts: [{ ok: true, captured: true }] }]);
  });
});

describe('retries and dead-letter queues', () => {
  async function hookTarget(extra: Partial<eb.Target>): Promise<string> {
    const { ConnectionArn } = await client.send(
      new eb.CreateConnectionCommand({ Name: 'c', AuthorizationType: 'BASIC', AuthParameters: { BasicAuthParameters: { Username: 'u', Password: 'p' } } }),
    );
    const { ApiDestinationArn } = await client.send(
      new eb.CreateApiDestinationCommand({ Name: 'hook', ConnectionArn, InvocationEndpoint: `${http.url}/hook`, HttpMethod: 'POST' }),
    );
    return rule('r', { source: ['com.example.orders'] }, [{ Id: 'hook', Arn: ApiDestinationArn, ...extra }]);
  }

  it('retry a failed delivery after the backoff, and succeed', async () => {
    http.statuses = [500, 200];
    await hookTarget({});
    const out = await client.send(new eb.PutEventsCommand({ Entries: [entry({ n: 1 })] }));
    await http.received(1);
    await sy.events.deliverer.settled();
    expect(http.requests).toHaveLength(1);
    await advance(999);
    expect(http.requests).toHaveLength(1);
    await advance(1);
    await http.received(2);
    await sy.events.deliverer.settled();
    const trace = sy.events.trace.get(out.Entries![0].EventId!) as EventTrace;
    expect(trace.deliveries[0].state).toBe('delivered');
    expect(trace.deliveries[0].attempts.map((a) => [a.ok, a.status])).toEqual([
      [false, 500],
      [true, 200],
    ]);
    expect(http.requests[1].headers.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
  });

  it('exhaust MaximumRetryAttempts into the DLQ with the attributes AWS adds', async () => {
    http.statuses = [503];
    const dlqUrl = await createQueue('dlq');
    const ruleArn = await hookTarget({ RetryPolicy: { MaximumRetryAttempts: 2 }, DeadLetterConfig: { Arn: queueArn('dlq') } });
    const out = await client.send(new eb.PutEventsCommand({ Entries: [entry({ n: 1 })] }));
    await http.received(1);
    await sy.events.deliverer.settled();
    await advance(1000);
    await advance(2000);
    expect(http.requests).toHaveLength(3);
    const [m] = await drain(dlqUrl);
    expect(JSON.parse(m.Body!)).toMatchObject({ id: out.Entries![0].EventId, detail: { n: 1 } });
    const attrs = Object.fromEntries(Object.entries(m.MessageAttributes!).map(([k, v]) => [k, v.StringValue]));
    expect(attrs).toMatchObject({
      RULE_ARN: ruleArn,
      TARGET_ARN: expect.stringMatching(/:api-destination\/hook\//),
      RETRY_ATTEMPTS: '2',
      EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts',
    });
    expect(attrs.ERROR_CODE).toBeTruthy();
    expect(attrs.ERROR_MESSAGE).toBeTruthy();
    expect((sy.events.trace.get(out.Entries![0].EventId!) as EventTrace).deliveries[0].state).toBe('dead-lettered');
    await advance(600_000);
    expect(http.requests).toHaveLength(3);
  });

  it('send a failure AWS does not retry (a missing queue) straight to the DLQ', async () => {
    const dlqUrl = await createQueue('dlq2');
    await rule('r', { source: ['com.example.orders'] }, [{ Id: 'gone', Arn: queueArn('no-such-queue'), DeadLetterConfig: { Arn: queueArn('dlq2') } }]);
    await client.send(new eb.PutEventsCommand({ Entries: [entry({ n: 1 })] }));
    const [m] = await drain(dlqUrl);
    expect(m.MessageAttributes!.RETRY_ATTEMPTS.StringValue).toBe('0');
    expect(m.MessageAttributes!.EXHAUSTED_RETRY_CONDITION).toBeUndefined();
  });
});

describe('schedules', () => {
  it('fire a cron rule when the clock passes its time, with the Scheduled Event envelope', async () => {
    const url = await createQueue('ticks');
    const hour = 3600_000;
    const nextHour = Math.floor(sy.clock.now() / hour) * hour + hour;
    const { RuleArn } = await client.send(new eb.PutRuleCommand({ Name: 'hourly', ScheduleExpression: 'cron(0 * * * ? *)' }));
    await client.send(new eb.PutTargetsCommand({ Rule: 'hourly', Targets: [{ Id: 'q', Arn: queueArn('ticks') }] }));
    await advance(nextHour - 1 - sy.clock.now());
    expect(await drain(url)).toHaveLength(0);
    await advance(1);
    await advance(hour);
    const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
    const messages = await drain(url);
    expect(messages.map((m) => JSON.parse(m.Body!))).toEqual([
      expect.objectContaining({ 'detail-type': 'Scheduled Event', source: 'aws.events', time: iso(nextHour), resources: [RuleArn], detail: {} }),
      expect.objectContaining({ time: iso(nextHour + hour) }),
    ]);
  });

  it('fire a rate rule every period from its creation', async () => {
    const url = await createQueue('rate');
    await client.send(new eb.PutRuleCommand({ Name: 'every5', ScheduleExpression: 'rate(5 minutes)' }));
    await client.send(new eb.PutTargetsCommand({ Rule: 'every5', Targets: [{ Id: 'q', Arn: queueArn('rate') }] }));
    await advance(15 * 60_000);
    expect(await drain(url)).toHaveLength(3);
  });
});

describe('archives and replays', () => {
  it('archive matching events and replay a window of them to the rules named', async () => {
    const url = await createQueue('replayed');
    const t0 = sy.clock.now();
    const busArn = `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default`;
    await client.send(new eb.CreateArchiveCommand({ ArchiveName: 'all-orders', EventSourceArn: busArn, EventPattern: '{"source":["com.example.orders"]}' }));
    await client.send(new eb.PutEventsCommand({ Entries: [entry({ n: 1 }), entry({ n: 2 }), { Source: 'other', DetailType: 'x', Detail: '{}' }] }));
    await advance(60_000);
    await client.send(new eb.PutEventsCommand({ Entries: [entry({ n: 3 })] }));
    expect((await client.send(new eb.DescribeArchiveCommand({ ArchiveName: 'all-orders' }))).EventCount).toBe(3);
    const keep = await rule('keep', { source: ['com.example.orders'] }, [{ Id: 'q', Arn: queueArn('replayed') }]);
    await rule('skip', { source: ['com.example.orders'] }, [{ Id: 'q', Arn: queueArn('replayed') }]);
    await advance(60_000);
    await client.send(
      new eb.StartReplayCommand({
        ReplayName: 'first-minute',
        EventSourceArn: `arn:aws:events:us-east-1:${ACCOUNT}:archive/all-orders`,
        EventStartTime: new Date(t0),
        EventEndTime: new Date(t0 + 30_000),
        Destination: { Arn: busArn, FilterArns: [keep] },
      }),
    );
    let state: string | undefined;
    do state = (await client.send(new eb.DescribeReplayCommand({ ReplayName: 'first-minute' }))).State;
    while (state !== 'COMPLETED');
    const bodies = (await drain(url)).map((m) => JSON.parse(m.Body!));
    expect(bodies.map((b) => [b.detail.n, b['replay-name']]).sort()).toEqual([
      [1, 'first-minute'],
      [2, 'first-minute'],
    ]);
    // Replayed events are not archived again.
    expect((await client.send(new eb.DescribeArchiveCommand({ ArchiveName: 'all-orders' }))).EventCount).toBe(3);
  });
});
