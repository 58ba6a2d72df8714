/**
 * The config file (src/config-file, docs/configuration.md): a good file, YAML and JSON, creates
 * every kind of resource, checked through the real SDK clients and by what the resources then
 * do (a DLQ redrive, a filtered subscription delivering to a queue, a rule routing an event to a
 * queue and to an API destination served by a real HTTP server); applying again changes nothing;
 * the file's settings lie beneath explicit options; and each kind of bad file fails the start
 * with one line naming the file, the path in it and what is wrong.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as eb from '@aws-sdk/client-eventbridge';
import * as sns from '@aws-sdk/client-sns';
import * as sqs from '@aws-sdk/client-sqs';
import { ConfigFileError, applyConfig, loadConfig, startSwitchyard, type Switchyard } from '../src/index.js';

const creds = { accessKeyId: 'test', secretAccessKey: 'test' };
const ACCOUNT = '000000000000';
const dir = mkdtempSync(join(tmpdir(), 'switchyard-config-'));

/** A real HTTP server for the API destination, recording each request. */
let hook: Server;
let hookUrl = '';
const hookRequests: Array<{ url: string; headers: IncomingHttpHeaders; body: string }> = [];

beforeAll(async () => {
  hook = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hookRequests.push({ url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((r) => hook.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The example config: every section, as YAML. */
function goodYaml(): string {
  return `
# settings (explicit options win)
region: us-east-1
traceCapacity: 500
forward:
  lambda: http://127.0.0.1:9

queues:
  - name: orders
    attributes:
      VisibilityTimeout: 30
      ReceiveMessageWaitTimeSeconds: 0
    deadLetterQueue: { name: orders-dlq, maxReceiveCount: 2 }
    tags: { team: shop }
  - name: jobs.fifo
    attributes:
      ContentBasedDeduplication: true
  - name: big-orders
  - name: eu-audit
    region: eu-west-1

topics:
  - name: order-events
    attributes: { DisplayName: Orders }
    subscriptions:
      - queue: big-orders
        rawMessageDelivery: true
        filterPolicy:
          total: [{ numeric: [">", 100] }]
        deadLetterQueue: big-orders-dlq

buses:
  - name: shop
    description: the shop's events

connections:
  - name: hook-auth
    authorizationType: API_KEY
    authParameters:
      apiKeyAuthParameters: { apiKeyName: x-api-key, apiKeyValue: s3cret }

apiDestinations:
  - name: hook
    connection: hook-auth
    endpoint: ${hookUrl}/orders
    httpMethod: POST

rules:
  - name: placed
    bus: shop
    eventPattern:
      source: [shop]
      detail-type: [OrderPlaced]
    targets:
      - queue: orders
      - id: notify
        apiDestination: hook
        inputPath: $.detail
  - name: hourly
    scheduleExpression: rate(1 hour)
    state: DISABLED
    targets:
      - id: jobs
        queue: jobs.fifo
        sqsParameters: { messageGroupId: hourly }
`;
}

describe('a good config file', () => {
  let sy: Switchyard;
  let q: sqs.SQSClient;
  let t: sns.SNSClient;
  let e: eb.EventBridgeClient;
  const url = (name: string, region = 'us-east-1') => `${sy.endpoint}/${ACCOUNT}/${name}`.replace('us-east-1', region);

  beforeAll(async () => {
    sy = await startSwitchyard({ port: 0, config: file('switchyard.yaml', goodYaml()) });
    q = new sqs.SQSClient({ endpoint: sy.endpoint, region: 'us-east-1', credentials: creds });
    t = new sns.SNSClient({ endpoint: sy.endpoint, region: 'us-east-1', credentials: creds });
    e = new eb.EventBridgeClient({ endpoint: sy.endpoint, region: 'us-east-1', credentials: creds });
  });
  afterAll(async () => {
    q.destroy();
    t.destroy();
    e.destroy();
    await sy.stop();
  });

  it('creates the queues: attributes, tags, the DLQ and its redrive policy, FIFO', async () => {
    const { QueueUrls } = await q.send(new sqs.ListQueuesCommand({}));
    expect(QueueUrls?.map((u) => u.split('/').pop()).sort()).toEqual(['big-orders', 'big-orders-dlq', 'jobs.fifo', 'orders', 'orders-dlq']);
    const { Attributes: a } = await q.send(new sqs.GetQueueAttributesCommand({ QueueUrl: url('orders'), AttributeNames: ['All'] }));
    expect(a?.VisibilityTimeout).toBe('30');
    expect(JSON.parse(a!.RedrivePolicy!)).toEqual({ deadLetterTargetArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:orders-dlq`, maxReceiveCount: 2 });
    expect((await q.send(new sqs.ListQueueTagsCommand({ QueueUrl: url('orders') }))).Tags).toEqual({ team: 'shop' });
    const { Attributes: f } = await q.send(new sqs.GetQueueAttributesCommand({ QueueUrl: url('jobs.fifo'), AttributeNames: ['All'] }));
    expect(f).toMatchObject({ FifoQueue: 'true', ContentBasedDeduplication: 'true' });

    // The redrive works: after two receives the message is in the DLQ.
    await q.send(new sqs.SendMessageCommand({ QueueUrl: url('orders'), MessageBody: 'poison' }));
    for (let i = 0; i < 2; i++) {
      const r = await q.send(new sqs.ReceiveMessageCommand({ QueueUrl: url('orders'), VisibilityTimeout: 0 }));
      expect(r.Messages?.[0]?.Body).toBe('poison');
    }
    expect((await q.send(new sqs.ReceiveMessageCommand({ QueueUrl: url('orders') }))).Messages).toBeUndefined();
    const dead = await q.send(new sqs.ReceiveMessageCommand({ QueueUrl: url('orders-dlq') }));
    expect(dead.Messages?.[0]?.Body).toBe('poison');

    // A queue in another region is there, and only there.
    const eu = new sqs.SQSClient({ endpoint: sy.endpoint, region: 'eu-west-1', credentials: creds });
    expect((await eu.send(new sqs.ListQueuesCommand({}))).QueueUrls?.map((u) => u.split('/').pop())).toEqual(['eu-audit']);
    eu.destroy();
  });

  it('creates the topic and its filtered subscription, which delivers only matching messages to the queue', async () => {
    const { Topics } = await t.send(new sns.ListTopicsCommand({}));
    const TopicArn = `arn:aws:sns:us-east-1:${ACCOUNT}:order-events`;
    expect(Topics).toEqual([{ TopicArn }]);
    expect((await t.send(new sns.GetTopicAttributesCommand({ TopicArn }))).Attributes?.DisplayName).toBe('Orders');
    const { Subscriptions } = await t.send(new sns.ListSubscriptionsByTopicCommand({ TopicArn }));
    expect(Subscriptions).toHaveLength(1);
    const { Attributes: s } = await t.send(new sns.GetSubscriptionAttributesCommand({ SubscriptionArn: Subscriptions![0].SubscriptionArn }));
    expect(s).toMatchObject({ Protocol: 'sqs', Endpoint: `arn:aws:sqs:us-east-1:${ACCOUNT}:big-orders`, RawMessageDelivery: 'true' });
    expect(JSON.parse(s!.FilterPolicy!)).toEqual({ total: [{ numeric: ['>', 100] }] });
    expect(JSON.parse(s!.RedrivePolicy!)).toEqual({ deadLetterTargetArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:big-orders-dlq` });

    for (const total of ['50', '120'])
      await t.send(new sns.PublishCommand({ TopicArn, Message: `order of ${total}`, MessageAttributes: { total: { DataType: 'Number', StringValue: total } } }));
    await sy.sns.deliverer.settled();
    const r = await q.send(new sqs.ReceiveMessageCommand({ QueueUrl: url('big-orders'), MaxNumberOfMessages: 10 }));
    expect(r.Messages?.map((m) => m.Body)).toEqual(['order of 120']);
  });

  it('creates the bus, the connection, the API destination and the rules, which route events to the queue and the HTTP endpoint', async () => {
    const bus = await e.send(new eb.DescribeEventBusCommand({ Name: 'shop' }));
    expect(bus.Description).toBe("the shop's events");
    const conn = await e.send(new eb.DescribeConnectionCommand({ Name: 'hook-auth' }));
    expect(conn).toMatchObject({ AuthorizationType: 'API_KEY', ConnectionState: 'AUTHORIZED' });
    const dest = await e.send(new eb.DescribeApiDestinationCommand({ Name: 'hook' }));
    expect(dest).toMatchObject({ ConnectionArn: conn.ConnectionArn, InvocationEndpoint: `${hookUrl}/orders`, HttpMethod: 'POST' });
    const hourly = await e.send(new eb.DescribeRuleCommand({ Name: 'hourly' }));
    expect(hourly).toMatchObject({ ScheduleExpression: 'rate(1 hour)', State: 'DISABLED' });
    const { Targets } = await e.send(new eb.ListTargetsByRuleCommand({ Rule: 'placed', EventBusName: 'shop' }));
    expect(Targets?.map((x) => x.Id).sort()).toEqual(['notify', 'orders']);

    const put = await e.send(
      new eb.PutEventsCommand({ Entries: [{ EventBusName: 'shop', Source: 'shop', DetailType: 'OrderPlaced', Detail: '{"id":7}' }] }),
    );
    expect(put.FailedEntryCount).toBe(0);
    await sy.events.deliverer.settled();
    const r = await q.send(new sqs.ReceiveMessageCommand({ QueueUrl: url('orders') }));
    expect(JSON.parse(r.Messages![0].Body!)).toMatchObject({ source: 'shop', 'detail-type': 'OrderPlaced', detail: { id: 7 } });
    const calls = hookRequests.filter((x) => x.url === '/orders');
    expect(calls).toHaveLength(1);
    expect(calls[0].body).toBe('{"id":7}');
    expect(calls[0].headers['x-api-key']).toBe('s3cret');
  });

  it('applies the file again without changing anything', async () => {
    const model = await loadConfig(join(dir, 'switchyard.yaml'));
    const report = applyConfig(model, sy, { account: ACCOUNT, region: 'us-east-1', baseUrl: sy.endpoint });
    expect(report.created).toEqual([]);
    // Connections are always updated (their secrets cannot be read back to compare); the rest is unchanged.
    expect(report.updated).toEqual(['connection hook-auth']);
    // (the DLQs the file names without declaring were created once and now simply exist)
    expect(report.unchanged).toEqual([
      'queue orders',
      'queue jobs.fifo',
      'queue big-orders',
      'queue eu-audit',
      'topic order-events',
      'subscription order-events -> sqs:big-orders',
      'bus shop',
      'API destination hook',
      'rule placed',
      'rule hourly',
      'target orders of rule placed',
      'target notify of rule placed',
      'target jobs of rule hourly',
    ]);
    const TopicArn = `arn:aws:sns:us-east-1:${ACCOUNT}:order-events`;
    expect((await t.send(new sns.ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions).toHaveLength(1);
    expect((await e.send(new eb.ListTargetsByRuleCommand({ Rule: 'placed', EventBusName: 'shop' }))).Targets).toHaveLength(2);
    expect((await q.send(new sqs.ListQueuesCommand({}))).QueueUrls).toHaveLength(5);
  });

  it('puts back what the file declares when a resource has drifted (the file wins)', async () => {
    await q.send(new sqs.SetQueueAttributesCommand({ QueueUrl: url('orders'), Attributes: { VisibilityTimeout: '5' } }));
    await e.send(new eb.PutRuleCommand({ Name: 'placed', EventBusName: 'shop', EventPattern: '{"source":["elsewhere"]}' }));
    const report = applyConfig(await loadConfig(join(dir, 'switchyard.yaml')), sy, { account: ACCOUNT, region: 'us-east-1', baseUrl: sy.endpoint });
    expect(report.updated).toEqual(['queue orders', 'connection hook-auth', 'rule placed']);
    const { Attributes } = await q.send(new sqs.GetQueueAttributesCommand({ QueueUrl: url('orders'), AttributeNames: ['VisibilityTimeout'] }));
    expect(Attributes?.VisibilityTimeout).toBe('30');
    expect(JSON.parse((await e.send(new eb.DescribeRuleCommand({ Name: 'placed', EventBusName: 'shop' }))).EventPattern!)).toEqual({
      source: ['shop'],
      'detail-type': ['OrderPlaced'],
    });
  });

  it('refuses to change an existing queue into a FIFO queue', async () => {
    const model = await loadConfig({ queues: [{ name: 'orders', fifo: true }] });
    expect(() => applyConfig(model, sy, { account: ACCOUNT, region: 'us-east-1', baseUrl: sy.endpoint })).toThrow(
      'config: queues[0]: queue "orders" already exists as a standard queue; the file declares a FIFO queue, and a queue\'s type cannot change',
    );
  });

  it('takes the settings from the file', () => {
    expect(sy.events.trace.capacity).toBe(500);
    expect(sy.events.forwarder.forwards('arn:aws:lambda:us-east-1:000000000000:function:f')).toBe(true);
    expect(sy.events.forwarder.forwards('arn:aws:states:us-east-1:000000000000:stateMachine:m')).toBe(false);
  });
});

describe('the same config as JSON', () => {
  it('creates the same resources', async () => {
    const yaml = await loadConfig(file('again.yaml', goodYaml()));
    const { parse } = await import('yaml');
    const path = file('switchyard.json', JSON.stringify(parse(goodYaml()), null, 2));
    const sy = await startSwitchyard({ port: 0, config: path });
    try {
      const json = await loadConfig(path);
      expect({ ...json, label: '' }).toEqual({ ...yaml, label: '' });
      const q = new sqs.SQSClient({ endpoint: sy.endpoint, region: 'us-east-1', credentials: creds });
      const { QueueUrls } = await q.send(new sqs.ListQueuesCommand({}));
      expect(QueueUrls?.map((u) => u.split('/').pop()).sort()).toEqual(['big-orders', 'big-orders-dlq', 'jobs.fifo', 'orders', 'orders-dlq']);
      const e = new eb.EventBridgeClient({ endpoint: sy.endpoint, region: 'us-east-1', credentials: creds });
      expect((await e.send(new eb.ListRulesCommand({ EventBusName: 'shop' }))).Rules?.map((r) => r.Name)).toEqual(['placed']);
      q.destroy();
      e.destroy();
    } finally {
      await sy.stop();
    }
  });
});

describe("the documentation's complete example", () => {
  it('starts, creates every resource, routes an event, and applies again without creating anything', async () => {
    const doc = readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8');
    const example = /## A complete example[\s\S]*?```yaml\n([\s\S]*?)```/.exec(doc)![1];
    const path = file('example.yaml', example);
    // The example says port 4566; the option wins.
    const sy = await startSwitchyard({ port: 0, config: path });
    try {
      const q = new sqs.SQSClient({ endpoint: sy.endpoint, region: 'us-east-1', credentials: creds });
      const { QueueUrls } = await q.send(new sqs.ListQueuesCommand({}));
      expect(QueueUrls?.map((u) => u.split('/').pop()).sort()).toEqual([
        'big-orders',
        'big-orders-dlq',
        'orders',
        'orders-dlq',
        'orders-events-dlq',
        'payments-dlq.fifo',
        'payments.fifo',
        'shipped',
        'shop-dlq',
      ]);
      expect(sy.sqs.findByArn(`arn:aws:sqs:eu-west-1:${ACCOUNT}:audit`)?.attributes.get('Policy')).toContain('events.amazonaws.com');
      const e = new eb.EventBridgeClient({ endpoint: sy.endpoint, region: 'us-east-1', credentials: creds });
      expect((await e.send(new eb.ListRulesCommand({ EventBusName: 'shop' }))).Rules?.map((r) => r.Name)).toEqual(['big-orders', 'payments']);
      expect((await e.send(new eb.ListTargetsByRuleCommand({ Rule: 'big-orders', EventBusName: 'shop' }))).Targets).toHaveLength(4);
      await e.send(new eb.PutEventsCommand({ Entries: [{ EventBusName: 'shop', Source: 'shop', DetailType: 'OrderPlaced', Detail: '{"id":"o-1","total":120}' }] }));
      await sy.events.deliverer.settled();
      const r = await q.send(new sqs.ReceiveMessageCommand({ QueueUrl: `${sy.endpoint}/${ACCOUNT}/orders` }));
      expect(JSON.parse(r.Messages![0].Body!).detail).toEqual({ id: 'o-1', total: 120 });
      const again = applyConfig(await loadConfig(path), sy, { account: ACCOUNT, region: 'us-east-1', baseUrl: sy.endpoint });
      expect(again.created).toEqual([]);
      expect(again.updated).toEqual(['connection partner-key', 'connection partner-basic']);
      q.destroy();
      e.destroy();
    } finally {
      await sy.stop();
    }
  });
});

describe('settings', () => {
  it('an explicit option wins over the file; the file wins over the defaults', async () => {
    const path = file('settings.yaml', 'account: 111122223333\nregion: eu-central-1\nport: 1\nqueues:\n  - name: q\n');
    const sy = await startSwitchyard({ port: 0, config: path, region: 'ap-south-1' });
    try {
      expect(sy.port).not.toBe(1);
      // account from the file, region from the option: the queue lives there.
      expect(sy.sqs.findByArn('arn:aws:sqs:ap-south-1:111122223333:q')).toBeDefined();
      const q = new sqs.SQSClient({ endpoint: sy.endpoint, region: 'ap-south-1', credentials: creds });
      const { QueueUrl } = await q.send(new sqs.GetQueueUrlCommand({ QueueName: 'q' }));
      expect(QueueUrl).toBe(`${sy.endpoint}/111122223333/q`);
      q.destroy();
    } finally {
      await sy.stop();
    }
  });

  it('an unquoted account id in YAML (a number to YAML) is read as its 12 digits', async () => {
    const sy = await startSwitchyard({ port: 0, config: file('account.yaml', 'queues:\n  - name: zero\n    account: 000000000000\n  - name: other\n    account: 012345678901\n') });
    try {
      expect(sy.sqs.findByArn('arn:aws:sqs:us-east-1:000000000000:zero')).toBeDefined();
      expect(sy.sqs.findByArn('arn:aws:sqs:us-east-1:012345678901:other')).toBeDefined();
    } finally {
      await sy.stop();
    }
  });

  it("an HTTP subscription's confirmation carries the real endpoint, also with port 0", async () => {
    const sy = await startSwitchyard({ port: 0, config: { topics: [{ name: 'alerts', subscriptions: [{ protocol: 'http', endpoint: `${hookUrl}/sns` }] }] } });
    try {
      await sy.sns.deliverer.settled();
      const confirmation = hookRequests.find((x) => x.url === '/sns' && x.headers['x-amz-sns-message-type'] === 'SubscriptionConfirmation');
      const { SubscribeURL } = JSON.parse(confirmation!.body) as { SubscribeURL: string };
      expect(SubscribeURL.startsWith(`${sy.endpoint}/?Action=ConfirmSubscription`)).toBe(true);
      expect((await fetch(SubscribeURL)).status).toBe(200);
      const t = new sns.SNSClient({ endpoint: sy.endpoint, region: 'us-east-1', credentials: creds });
      const { Subscriptions } = await t.send(new sns.ListSubscriptionsByTopicCommand({ TopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:alerts` }));
      expect(Subscriptions?.[0].SubscriptionArn).toMatch(/^arn:aws:sns:us-east-1:000000000000:alerts:/);
      t.destroy();
    } finally {
      await sy.stop();
    }
  });

  it('YAML anchors and merge keys, shared from an x- key', async () => {
    const text = 'x-standard: &standard\n  attributes: { VisibilityTimeout: 60 }\n  tags: { team: shop }\nqueues:\n  - name: a\n    <<: *standard\n  - <<: *standard\n    name: b\n    tags: { team: other }\n';
    const sy = await startSwitchyard({ port: 0, config: file('anchors.yaml', text) });
    try {
      const a = sy.sqs.findByArn(`arn:aws:sqs:us-east-1:${ACCOUNT}:a`)!;
      const b = sy.sqs.findByArn(`arn:aws:sqs:us-east-1:${ACCOUNT}:b`)!;
      expect([a.attributes.get('VisibilityTimeout'), b.attributes.get('VisibilityTimeout')]).toEqual(['60', '60']);
      expect([a.tags.get('team'), b.tags.get('team')]).toEqual(['shop', 'other']);
    } finally {
      await sy.stop();
    }
  });

  it('faults: a seed and rules, set from the start and again after reset()', async () => {
    const path = file('faults.yaml', `faults:\n  seed: 42\n  rules:\n    - kind: api-error\n      service: sqs\n      operation: ListQueues\n      error: ServiceUnavailable\n      count: 1\n`);
    const sy = await startSwitchyard({ port: 0, config: path });
    try {
      expect(sy.faults.seed).toBe(42);
      expect(sy.faults.list().map((f) => [f.kind, f.operation, f.error])).toEqual([['api-error', 'ListQueues', 'ServiceUnavailable']]);
      const call = () => fetch(sy.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ListQueues' }, body: '{}' }).then((r) => r.status);
      expect(await call()).toBe(503);
      expect(await call()).toBe(200);
      sy.reset();
      expect(await call()).toBe(503);
    } finally {
      await sy.stop();
    }
  });

  it('a config given as an object works the same', async () => {
    const sy = await startSwitchyard({ port: 0, config: { queues: [{ name: 'from-object', attributes: { DelaySeconds: 5 } }] } });
    try {
      expect(sy.sqs.findByArn(`arn:aws:sqs:us-east-1:${ACCOUNT}:from-object`)?.attributes.get('DelaySeconds')).toBe('5');
    } finally {
      await sy.stop();
    }
  });
});

describe('a bad config file', () => {
  const started: Switchyard[] = [];
  afterEach(async () => {
    for (const sy of started.splice(0)) await sy.stop();
  });

  /** The message startSwitchyard rejects with, for a file of this name and text. */
  async function failure(name: string, text: string): Promise<string> {
    const path = file(name, text);
    try {
      started.push(await startSwitchyard({ port: 0, config: path }));
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigFileError);
      return (err as Error).message.replace(`${dir}/`, '');
    }
    throw new Error('the start did not fail');
  }

  it('a bad fault: the path of the rule and what is wrong', async () => {
    expect(await failure('f1.yaml', 'faults:\n  rules:\n    - kind: duplicate\n')).toBe('f1.yaml: faults.rules[0].resource: a duplicate fault needs the resource it applies to (an ARN, a glob, or "*")');
    expect(await failure('f2.yaml', 'faults:\n  rules:\n    - kind: api-error\n      service: sqs\n      probability: 2\n')).toBe('f2.yaml: faults.rules[0].probability: must be a number from 0 to 1, got 2');
  });

  it('a YAML syntax error: line and column', async () => {
    expect(await failure('syntax.yaml', 'queues:\n  - name: a\n  - name: b\n name: c\n')).toBe(
      'syntax.yaml: line 4, column 1: YAML syntax error: All mapping items must start at the same column',
    );
    expect(await failure('dup.yaml', 'queues: []\nqueues: []\n')).toBe('dup.yaml: line 2, column 1: YAML syntax error: Map keys must be unique');
  });

  it('a JSON syntax error: line and column', async () => {
    expect(await failure('syntax.json', '{\n  "queues": [\n    {"name": "a",}\n  ]\n}\n')).toMatch(/^syntax\.json: line 3, column 18: JSON syntax error: /);
  });

  it('a file that is not there', async () => {
    await expect(startSwitchyard({ port: 0, config: join(dir, 'missing.yaml') })).rejects.toThrow(`${dir}/missing.yaml: cannot read the config file: no such file`);
  });

  it('an unknown key, with a suggestion', async () => {
    expect(await failure('unknown.yaml', 'queues:\n  - name: a\n    atributes: {}\n')).toBe(
      'unknown.yaml: queues[0].atributes: unknown key (did you mean "attributes"?); expected one of: name, account, region, fifo, attributes, deadLetterQueue, tags',
    );
    expect(await failure('top.yaml', 'queue:\n  - name: a\n')).toMatch(/^top\.yaml: queue: unknown key \(did you mean "queues"\?\); expected one of: port, /);
    expect(await failure('nested.yaml', 'connections:\n  - name: c\n    authorizationType: API_KEY\n    authParameters:\n      apiKeyAuthParameters: { apiKeyName: k, apiKeyVal: v }\n')).toBe(
      'nested.yaml: connections[0].authParameters.apiKeyAuthParameters.apiKeyVal: unknown key (did you mean "apiKeyValue"?); expected one of: apiKeyName, apiKeyValue',
    );
  });

  it('a wrong type, a missing name', async () => {
    expect(await failure('list.yaml', '- name: a\n')).toBe(
      'list.yaml: the file must hold a mapping of settings and resources (port, host, region, account, forward, traceCapacity, rulesPerBus, idempotencyKeyPath, idempotencyKeyAttribute, faults, credentials, strictAuth, queues, topics, buses, rules, connections, apiDestinations, templates), not a list',
    );
    expect(await failure('type.yaml', 'rules:\n  - name: r\n    eventPattern: {source: [a]}\n    targets: {queue: a}\n')).toBe(
      'type.yaml: rules[0].targets: must be a list, got a mapping',
    );
    expect(await failure('port.yaml', 'port: high\n')).toBe('port.yaml: port: must be a whole number, got the string "high"');
    expect(await failure('name.yaml', 'topics:\n  - attributes: {DisplayName: x}\n')).toBe('name.yaml: topics[0].name: is required');
    expect(await failure('retry.yaml', 'rules:\n  - name: r\n    eventPattern: {source: [a]}\n    targets:\n      - arn: arn:aws:sqs:us-east-1:000000000000:a\n        id: a\n        retryPolicy: {maximumRetryAttempts: "3"}\n')).toBe(
      'retry.yaml: rules[0].targets[0].retryPolicy.maximumRetryAttempts: must be a whole number, got the string "3"',
    );
  });

  it('a reference to a resource neither declared nor existing', async () => {
    const text = `
queues:
  - name: invoices
rules:
  - name: a
    eventPattern: {source: [a]}
  - name: b
    eventPattern: {source: [b]}
  - name: c
    eventPattern: {source: [c]}
    targets:
      - queue: orders
`;
    expect(await failure('switchyard.yaml', text)).toBe('switchyard.yaml: rules[2].targets[0].queue: no queue named "orders" is declared');
    expect(await failure('bus.yaml', 'rules:\n  - name: r\n    bus: nope\n    eventPattern: {source: [a]}\n')).toBe('bus.yaml: rules[0].bus: no bus named "nope" is declared');
    expect(await failure('conn.yaml', `apiDestinations:\n  - name: d\n    connection: nope\n    endpoint: http://127.0.0.1:1/\n    httpMethod: POST\n`)).toBe(
      'conn.yaml: apiDestinations[0].connection: no connection named "nope" is declared',
    );
    // A queue of the same name in another region does not count.
    expect(await failure('region.yaml', 'queues:\n  - name: orders\n    region: eu-west-1\ntopics:\n  - name: t\n    subscriptions:\n      - queue: orders\n')).toBe(
      'region.yaml: topics[0].subscriptions[0].queue: no queue named "orders" is declared',
    );
  });

  it('duplicates and dead-letter cycles', async () => {
    expect(await failure('twice.yaml', 'queues:\n  - name: a\n  - name: a\n')).toBe('twice.yaml: queues[1].name: queue "a" is declared twice (also at queues[0])');
    expect(
      await failure('cycle.yaml', 'queues:\n  - name: a\n    deadLetterQueue: {name: b, maxReceiveCount: 3}\n  - name: b\n    deadLetterQueue: {name: a, maxReceiveCount: 3}\n'),
    ).toBe('cycle.yaml: queues[1].deadLetterQueue: dead-letter queues form a cycle: a -> b -> a');
  });

  it("an AWS validation error: AWS's own message, at the resource's path", async () => {
    expect(await failure('pattern.yaml', 'queues:\n  - name: a\nrules:\n  - name: r\n    eventPattern: {source: shop}\n    targets:\n      - queue: a\n')).toBe(
      'pattern.yaml: rules[0]: PutRule failed with InvalidEventPatternException: Event pattern is not valid. Reason: "source" must be an object or an array',
    );
    expect(await failure('attr.yaml', 'queues:\n  - name: a\n    attributes: {VisibilityTimeout: 50000}\n')).toBe(
      'attr.yaml: queues[0]: CreateQueue failed with InvalidAttributeValue: Invalid value for the parameter VisibilityTimeout.',
    );
    expect(await failure('filter.yaml', 'queues:\n  - name: a\ntopics:\n  - name: t\n    subscriptions:\n      - queue: a\n        filterPolicy: {total: [{numeric: [">"]}]}\n')).toBe(
      'filter.yaml: topics[0].subscriptions[0]: Subscribe failed with InvalidParameter: Invalid parameter: Attributes Reason: FilterPolicy: Value of > must be numeric',
    );
    expect(await failure('fifo-target.yaml', 'queues:\n  - name: j.fifo\nrules:\n  - name: r\n    eventPattern: {source: [a]}\n    targets:\n      - queue: j.fifo\n')).toBe(
      'fifo-target.yaml: rules[0].targets[0]: PutTargets failed with ValidationException: Parameter(s) SqsParameters must be specified for target: j.fifo.',
    );
  });

  it('a failed start leaves the port free', async () => {
    const probe = await startSwitchyard({ port: 0 });
    const port = probe.port;
    await probe.stop();
    await expect(startSwitchyard({ port, config: { rules: [{ name: 'r', eventPattern: '{' }] } })).rejects.toThrow(/^config: rules\[0\]: PutRule failed with InvalidEventPatternException/);
    const again = await startSwitchyard({ port });
    expect(again.port).toBe(port);
    await again.stop();
  });
});
