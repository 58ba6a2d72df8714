/**
 * EventBridge persistence (`dataDir`): buses, rules, targets, tags, policies, archives, replays,
 * connections and API destinations survive a restart; so do archived events and deliveries
 * waiting for a retry. Each test stops one Switchyard and starts another on the same directory,
 * on frozen clocks, so deadlines across the restart are exact.
 */
import * as fs from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CreateApiDestinationCommand,
  CreateArchiveCommand,
  CreateConnectionCommand,
  CreateEventBusCommand,
  DeleteArchiveCommand,
  DescribeApiDestinationCommand,
  DescribeArchiveCommand,
  DescribeConnectionCommand,
  DescribeEventBusCommand,
  DescribeReplayCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  ListApiDestinationsCommand,
  ListConnectionsCommand,
  ListEventBusesCommand,
  ListReplaysCommand,
  ListRulesCommand,
  ListTagsForResourceCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutPermissionCommand,
  PutRuleCommand,
  PutTargetsCommand,
  StartReplayCommand,
} from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { startSwitchyard, type Switchyard } from '../src/index.js';
import { CATALOG_FILE } from '../src/persist/index.js';
import { encodeRecord, parseJournal } from '../src/persist/journal.js';
import type { EventTrace } from '../src/trace/trace.js';

const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);
const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const JOURNAL = 'events-journal.log';
const queueArn = (name: string): string => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;

const running: Switchyard[] = [];
const dirs: string[] = [];
const servers: Server[] = [];

function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-persist-events-'));
  dirs.push(d);
  return d;
}

interface Started {
  sy: Switchyard;
  eb: EventBridgeClient;
  sqs: SQSClient;
}

async function start(dataDir: string, at = T0, warnings?: string[]): Promise<Started> {
  const sy = await startSwitchyard({ port: 0, dataDir, frozenClockAt: at });
  running.push(sy);
  if (warnings) warnings.push(...sy.persistence!.report.warnings);
  const config = { endpoint: sy.endpoint, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  return { sy, eb: new EventBridgeClient(config), sqs: new SQSClient(config) };
}

async function stop(sy: Switchyard): Promise<void> {
  running.splice(running.indexOf(sy), 1);
  await sy.stop();
}

afterEach(async () => {
  for (const sy of running.splice(0)) await sy.stop();
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** An SDK response without its request metadata, for comparing answers across a restart. */
function plain<T extends object>(out: T): Omit<T, '$metadata'> {
  const { $metadata: _m, ...rest } = out as T & { $metadata?: unknown };
  return rest;
}

async function receiveAll(sqs: SQSClient, name: string): Promise<Message[]> {
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
  const all: Message[] = [];
  for (;;) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 600, MessageAttributeNames: ['All'] }));
    if (!out.Messages?.length) return all;
    all.push(...out.Messages);
  }
}

/** A local HTTP endpoint answering each path with the statuses queued for it (then 200). */
async function stubServer(): Promise<{ url: string; calls: { path: string; headers: IncomingHttpHeaders; body: string }[]; statuses: Map<string, number[]> }> {
  const calls: { path: string; headers: IncomingHttpHeaders; body: string }[] = [];
  const statuses = new Map<string, number[]>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const p = req.url ?? '/';
      calls.push({ path: p, headers: req.headers, body });
      res.statusCode = statuses.get(p)?.shift() ?? 200;
      res.setHeader('content-type', 'application/json');
      res.end(p === '/token' && res.statusCode === 200 ? JSON.stringify({ access_token: 'tok', token_type: 'Bearer', expires_in: 3600 }) : '{}');
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls, statuses };
}

/** Wait for something done over real I/O (an HTTP call Switchyard makes), a bounded number of turns. */
async function until(cond: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

function journalRecords(dir: string): Record<string, unknown>[] {
  return parseJournal(fs.readFileSync(path.join(dir, JOURNAL))).records as Record<string, unknown>[];
}

describe('EventBridge resources across a restart', () => {
  it('buses, rules, targets, tags, policies, connections and API destinations answer the same', async () => {
    const dir = tmpDir();
    const first = await start(dir);
    const { eb } = first;
    await first.sqs.send(new CreateQueueCommand({ QueueName: 'orders' }));
    await first.sqs.send(new CreateQueueCommand({ QueueName: 'dlq' }));
    const busArn = (
      await eb.send(
        new CreateEventBusCommand({
          Name: 'shop',
          Description: 'the shop',
          KmsKeyIdentifier: 'alias/shop',
          DeadLetterConfig: { Arn: queueArn('dlq') },
          Tags: [{ Key: 'team', Value: 'shop' }],
        }),
      )
    ).EventBusArn!;
    await eb.send(new PutPermissionCommand({ EventBusName: 'shop', Action: 'events:PutEvents', Principal: '111122223333', StatementId: 'partner' }));
    const ruleArn = (
      await eb.send(
        new PutRuleCommand({
          Name: 'big-orders',
          EventBusName: 'shop',
          EventPattern: JSON.stringify({ source: ['shop'], detail: { total: [{ numeric: ['>', 100] }] } }),
          Description: 'orders over 100',
          RoleArn: 'arn:aws:iam::000000000000:role/events',
          Tags: [{ Key: 'tier', Value: 'gold' }],
        }),
      )
    ).RuleArn!;
    await eb.send(new PutRuleCommand({ Name: 'disabled', EventBusName: 'shop', EventPattern: JSON.stringify({ source: ['x'] }), State: 'DISABLED' }));
    await eb.send(new PutRuleCommand({ Name: 'tick', ScheduleExpression: 'rate(5 minutes)' }));
    const keyConn = await eb.send(
      new CreateConnectionCommand({
        Name: 'key',
        AuthorizationType: 'API_KEY',
        AuthParameters: {
          ApiKeyAuthParameters: { ApiKeyName: 'x-api-key', ApiKeyValue: 'k-123' },
          InvocationHttpParameters: { HeaderParameters: [{ Key: 'x-signing', Value: 's3cr3t', IsValueSecret: true }] },
        },
      }),
    );
    await eb.send(new CreateConnectionCommand({ Name: 'basic', AuthorizationType: 'BASIC', AuthParameters: { BasicAuthParameters: { Username: 'u', Password: 'p' } }, Description: 'b' }));
    const dest = await eb.send(
      new CreateApiDestinationCommand({ Name: 'hook', ConnectionArn: keyConn.ConnectionArn, InvocationEndpoint: 'http://127.0.0.1:1/hook/*', HttpMethod: 'POST', InvocationRateLimitPerSecond: 20 }),
    );
    await eb.send(
      new PutTargetsCommand({
        Rule: 'big-orders',
        EventBusName: 'shop',
        Targets: [
          {
            Id: 'queue',
            Arn: queueArn('orders'),
            InputTransformer: { InputPathsMap: { total: '$.detail.total' }, InputTemplate: '{"total": <total>}' },
            RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 600 },
            DeadLetterConfig: { Arn: queueArn('dlq') },
          },
          { Id: 'hook', Arn: dest.ApiDestinationArn, HttpParameters: { PathParameterValues: ['a'], HeaderParameters: { 'x-h': 'v' } }, InputPath: '$.detail' },
          { Id: 'const', Arn: queueArn('orders'), Input: '{"fixed":true}' },
        ],
      }),
    );
    await eb.send(new PutTargetsCommand({ Rule: 'tick', Targets: [{ Id: 'q', Arn: queueArn('orders') }] }));
    // Another region's state is its own, and kept as such.
    const eu = (s: Started): EventBridgeClient => new EventBridgeClient({ endpoint: s.sy.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    await eu(first).send(new CreateEventBusCommand({ Name: 'eu-bus' }));
    await eu(first).send(new PutRuleCommand({ Name: 'eu-rule', EventBusName: 'eu-bus', EventPattern: JSON.stringify({ source: ['eu'] }) }));

    first.sy.clock.advance(30_000);
    const answers = async (e: EventBridgeClient): Promise<unknown[]> => [
      plain(await e.send(new ListEventBusesCommand({}))),
      plain(await e.send(new DescribeEventBusCommand({ Name: 'shop' }))),
      plain(await e.send(new DescribeEventBusCommand({}))),
      plain(await e.send(new ListRulesCommand({ EventBusName: 'shop' }))),
      plain(await e.send(new ListRulesCommand({}))),
      plain(await e.send(new DescribeRuleCommand({ Name: 'big-orders', EventBusName: 'shop' }))),
      plain(await e.send(new DescribeRuleCommand({ Name: 'tick' }))),
      plain(await e.send(new ListTargetsByRuleCommand({ Rule: 'big-orders', EventBusName: 'shop' }))),
      plain(await e.send(new ListTargetsByRuleCommand({ Rule: 'tick' }))),
      plain(await e.send(new ListTagsForResourceCommand({ ResourceARN: busArn }))),
      plain(await e.send(new ListTagsForResourceCommand({ ResourceARN: ruleArn }))),
      plain(await e.send(new DescribeConnectionCommand({ Name: 'key' }))),
      plain(await e.send(new DescribeConnectionCommand({ Name: 'basic' }))),
      plain(await e.send(new ListConnectionsCommand({}))),
      plain(await e.send(new DescribeApiDestinationCommand({ Name: 'hook' }))),
      plain(await e.send(new ListApiDestinationsCommand({}))),
    ];
    const euAnswers = async (e: EventBridgeClient): Promise<unknown[]> => [
      plain(await e.send(new ListEventBusesCommand({}))),
      plain(await e.send(new ListRulesCommand({ EventBusName: 'eu-bus' }))),
      plain(await e.send(new ListConnectionsCommand({}))),
    ];
    const before = await answers(eb);
    const euBefore = await euAnswers(eu(first));
    expect((euBefore[0] as { EventBuses: unknown[] }).EventBuses).toHaveLength(2);
    const secretsBefore = first.sy.events.region(ACCOUNT, REGION).connections.connectionByArn(keyConn.ConnectionArn!)!.credentials;
    expect(secretsBefore?.apiKey?.value).toBe('k-123');
    await stop(first.sy);

    const warnings: string[] = [];
    const second = await start(dir, T0 + 60_000, warnings);
    expect(warnings).toEqual([]);
    expect(await answers(second.eb)).toEqual(before);
    expect(await euAnswers(eu(second))).toEqual(euBefore);
    // The secrets Describe does not show are kept too (what AWS keeps in Secrets Manager).
    expect(second.sy.events.region(ACCOUNT, REGION).connections.connectionByArn(keyConn.ConnectionArn!)!.credentials).toEqual(secretsBefore);

    // The rules work: the pattern, the input transformer, and the schedule, whose rate runs
    // from when the rule was put (T0), not from the restart: it fires at T0 + 5 min.
    await second.eb.send(new PutEventsCommand({ Entries: [{ EventBusName: 'shop', Source: 'shop', DetailType: 'order', Detail: '{"total":150}' }] }));
    second.sy.clock.advance(T0 + 5 * 60_000 - 1 - second.sy.clock.now());
    expect((await receiveAll(second.sqs, 'orders')).map((m) => m.Body).sort()).toEqual(['{"fixed":true}', '{"total":150}']);
    second.sy.clock.advance(1);
    const [tick] = await receiveAll(second.sqs, 'orders');
    expect(JSON.parse(tick.Body!)).toMatchObject({ 'detail-type': 'Scheduled Event', time: new Date(T0 + 5 * 60_000).toISOString().replace('.000Z', 'Z') });
  });

  it('an OAuth connection still AUTHORIZING when the process stopped asks for its token again', async () => {
    const dir = tmpDir();
    const tokens = await stubServer();
    tokens.statuses.set('/token', [500]); // the first token request fails...
    const first = await start(dir);
    await first.eb.send(
      new CreateConnectionCommand({
        Name: 'oauth',
        AuthorizationType: 'OAUTH_CLIENT_CREDENTIALS',
        AuthParameters: { OAuthParameters: { ClientParameters: { ClientID: 'id', ClientSecret: 'secret' }, AuthorizationEndpoint: `${tokens.url}/token`, HttpMethod: 'POST' } },
      }),
    );
    await until(async () => (await first.eb.send(new DescribeConnectionCommand({ Name: 'oauth' }))).ConnectionState === 'DEAUTHORIZED');
    // ...and is recorded as such (DEAUTHORIZED with the reason) in the catalog, in the background.
    await until(() => JSON.parse(fs.readFileSync(path.join(dir, CATALOG_FILE), 'utf8')).events.connections[0].state === 'DEAUTHORIZED');
    const catalog = JSON.parse(fs.readFileSync(path.join(dir, CATALOG_FILE), 'utf8'));
    await stop(first.sy);
    // Make it look as if the process had stopped while the token request was under way.
    catalog.events.connections[0].state = 'AUTHORIZING';
    fs.writeFileSync(path.join(dir, CATALOG_FILE), JSON.stringify(catalog));
    const second = await start(dir, T0 + 1000);
    await until(async () => (await second.eb.send(new DescribeConnectionCommand({ Name: 'oauth' }))).ConnectionState === 'AUTHORIZED');
    expect(tokens.calls.filter((c) => c.path === '/token')).toHaveLength(2);
  });
});

describe('acknowledgment', () => {
  it('PutEvents answers once the messages its deliveries put in SQS queues are on disk', async () => {
    const dir = tmpDir();
    const { sy, eb, sqs } = await start(dir);
    await sqs.send(new CreateQueueCommand({ QueueName: 'q' }));
    await eb.send(new PutRuleCommand({ Name: 'r', EventPattern: JSON.stringify({ source: ['shop'] }) }));
    await eb.send(new PutTargetsCommand({ Rule: 'r', Targets: [{ Id: 'q', Arn: queueArn('q') }] }));
    // The order of the SQS journal's appends and of the waits for it to be on disk.
    const sqsJournal = sy.persistence!.journal;
    const log: string[] = [];
    const append = sqsJournal.append.bind(sqsJournal);
    const durable = sqsJournal.durable.bind(sqsJournal);
    sqsJournal.append = (line: string) => {
      log.push('append');
      append(line);
    };
    sqsJournal.durable = () => {
      log.push('wait');
      return durable().then(() => void log.push('on disk'));
    };
    await eb.send(new PutEventsCommand({ Entries: [{ Source: 'shop', DetailType: 'order', Detail: '{}' }] }));
    log.push('answered');
    expect(log).toEqual(['append', 'wait', 'on disk', 'answered']);
  });
});

describe('archives and replays across a restart', () => {
  it('archived events survive, a replay after the restart delivers them, retention still expires them', async () => {
    const dir = tmpDir();
    const first = await start(dir);
    await first.sqs.send(new CreateQueueCommand({ QueueName: 'q' }));
    await first.eb.send(new PutRuleCommand({ Name: 'shop', EventPattern: JSON.stringify({ source: ['shop'] }) }));
    await first.eb.send(new PutTargetsCommand({ Rule: 'shop', Targets: [{ Id: 'q', Arn: queueArn('q') }] }));
    const defaultBus = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/default`;
    await first.eb.send(new CreateArchiveCommand({ ArchiveName: 'all', EventSourceArn: defaultBus, RetentionDays: 1, EventPattern: JSON.stringify({ source: ['shop'] }) }));
    // An archive deleted and created again under its name starts empty, after a restart too.
    await first.eb.send(new CreateArchiveCommand({ ArchiveName: 'again', EventSourceArn: defaultBus }));
    const put = await first.eb.send(
      new PutEventsCommand({ Entries: [1, 2, 3].map((n) => ({ Source: 'shop', DetailType: 'order', Detail: JSON.stringify({ n }) })) }),
    );
    const ids = put.Entries!.map((e) => e.EventId!);
    await first.eb.send(new PutEventsCommand({ Entries: [{ Source: 'other', DetailType: 'x', Detail: '{}' }] }));
    await first.eb.send(new DeleteArchiveCommand({ ArchiveName: 'again' }));
    await first.eb.send(new CreateArchiveCommand({ ArchiveName: 'again', EventSourceArn: defaultBus }));
    expect(await receiveAll(first.sqs, 'q')).toHaveLength(3);
    const described = plain(await first.eb.send(new DescribeArchiveCommand({ ArchiveName: 'all' })));
    expect(described.EventCount).toBe(3);
    await stop(first.sy);

    const second = await start(dir, T0 + 60_000);
    expect(plain(await second.eb.send(new DescribeArchiveCommand({ ArchiveName: 'all' })))).toEqual(described);
    expect((await second.eb.send(new DescribeArchiveCommand({ ArchiveName: 'again' }))).EventCount).toBe(0);
    await second.eb.send(
      new StartReplayCommand({ ReplayName: 'r1', EventSourceArn: described.ArchiveArn, EventStartTime: new Date(T0 - 1000), EventEndTime: new Date(T0 + 1000), Destination: { Arn: defaultBus } }),
    );
    const replayed = await receiveAll(second.sqs, 'q');
    expect(replayed.map((m) => JSON.parse(m.Body!).id).sort()).toEqual([...ids].sort());
    expect(replayed.every((m) => JSON.parse(m.Body!)['replay-name'] === 'r1')).toBe(true);
    const replay = plain(await second.eb.send(new DescribeReplayCommand({ ReplayName: 'r1' })));
    expect(replay.State).toBe('COMPLETED');
    await stop(second.sy);

    const third = await start(dir, T0 + 120_000);
    expect(plain(await third.eb.send(new DescribeReplayCommand({ ReplayName: 'r1' })))).toEqual(replay);
    expect((await third.eb.send(new ListReplaysCommand({}))).Replays).toHaveLength(1);
    // Replayed events are not archived again.
    expect((await third.eb.send(new DescribeArchiveCommand({ ArchiveName: 'all' }))).EventCount).toBe(3);
    // One day of retention, counted from when they were archived (before the restarts).
    third.sy.clock.advance(T0 + 86_400_000 - third.sy.clock.now());
    expect((await third.eb.send(new DescribeArchiveCommand({ ArchiveName: 'all' }))).EventCount).toBe(3);
    third.sy.clock.advance(1);
    expect((await third.eb.send(new DescribeArchiveCommand({ ArchiveName: 'all' }))).EventCount).toBe(0);
  });

  it('a replay the process had not finished runs again after the restart (at-least-once)', async () => {
    const dir = tmpDir();
    const first = await start(dir);
    await first.sqs.send(new CreateQueueCommand({ QueueName: 'q' }));
    await first.eb.send(new PutRuleCommand({ Name: 'shop', EventPattern: JSON.stringify({ source: ['shop'] }) }));
    await first.eb.send(new PutTargetsCommand({ Rule: 'shop', Targets: [{ Id: 'q', Arn: queueArn('q') }] }));
    const defaultBus = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/default`;
    const { ArchiveArn } = await first.eb.send(new CreateArchiveCommand({ ArchiveName: 'all', EventSourceArn: defaultBus }));
    await first.eb.send(new PutEventsCommand({ Entries: [{ Source: 'shop', DetailType: 'order', Detail: '{"n":1}' }] }));
    first.sy.clock.advance(10_000);
    await first.eb.send(new StartReplayCommand({ ReplayName: 'r', EventSourceArn: ArchiveArn, EventStartTime: new Date(T0 - 1000), EventEndTime: new Date(T0 + 1000), Destination: { Arn: defaultBus } }));
    expect(await receiveAll(first.sqs, 'q')).toHaveLength(2);
    await stop(first.sy);
    // As if the process had died with the replay RUNNING.
    const file = path.join(dir, CATALOG_FILE);
    const catalog = JSON.parse(fs.readFileSync(file, 'utf8'));
    Object.assign(catalog.events.replays[0], { state: 'RUNNING', replayEndTime: undefined });
    fs.writeFileSync(file, JSON.stringify(catalog));

    const second = await start(dir, T0 + 20_000);
    const [again] = await receiveAll(second.sqs, 'q');
    expect(JSON.parse(again.Body!)['replay-name']).toBe('r');
    expect((await second.eb.send(new DescribeReplayCommand({ ReplayName: 'r' }))).State).toBe('COMPLETED');
  });
});

describe('deliveries waiting for a retry across a restart', () => {
  async function apiDestinations(s: Started, stub: string): Promise<void> {
    await s.sqs.send(new CreateQueueCommand({ QueueName: 'dlq' }));
    const conn = await s.eb.send(
      new CreateConnectionCommand({ Name: 'key', AuthorizationType: 'API_KEY', AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'x-api-key', ApiKeyValue: 'k-123' } } }),
    );
    const later = await s.eb.send(new CreateApiDestinationCommand({ Name: 'later', ConnectionArn: conn.ConnectionArn, InvocationEndpoint: `${stub}/later`, HttpMethod: 'POST' }));
    const never = await s.eb.send(new CreateApiDestinationCommand({ Name: 'never', ConnectionArn: conn.ConnectionArn, InvocationEndpoint: `${stub}/never`, HttpMethod: 'POST' }));
    await s.eb.send(new PutRuleCommand({ Name: 'hooks', EventPattern: JSON.stringify({ source: ['shop'] }) }));
    await s.eb.send(
      new PutTargetsCommand({
        Rule: 'hooks',
        Targets: [
          { Id: 'later', Arn: later.ApiDestinationArn, RetryPolicy: { MaximumRetryAttempts: 5 } },
          { Id: 'never', Arn: never.ApiDestinationArn, RetryPolicy: { MaximumRetryAttempts: 2 }, DeadLetterConfig: { Arn: queueArn('dlq') } },
        ],
      }),
    );
  }

  it('resumes on the clock with its attempt count; delivered or dead-lettered as if nothing happened', async () => {
    const dir = tmpDir();
    const stub = await stubServer();
    stub.statuses.set('/later', [500, 503]);
    stub.statuses.set('/never', Array(10).fill(500));
    const first = await start(dir);
    await apiDestinations(first, stub.url);
    const { Entries } = await first.eb.send(new PutEventsCommand({ Entries: [{ Source: 'shop', DetailType: 'order', Detail: '{"n":1}' }] }));
    const eventId = Entries![0].EventId!;
    // Acknowledged: both deliveries, under way, are in the journal.
    const pending = journalRecords(dir).filter((r) => r.t === 'P');
    expect(pending.map((r) => (r.o as { spec: { Id: string } }).spec.Id).sort()).toEqual(['later', 'never']);
    await first.sy.events.deliverer.settled();
    first.sy.clock.advance(1000); // the first retry: both fail again
    await first.sy.events.deliverer.settled();
    expect(stub.calls.map((c) => c.path).sort()).toEqual(['/later', '/later', '/never', '/never']);
    await stop(first.sy);

    // Both wait for their second retry, due 2 s after the first retry (T0 + 3 s).
    const second = await start(dir, T0 + 2500);
    second.sy.clock.advance(499);
    await second.sy.events.deliverer.settled();
    expect(stub.calls).toHaveLength(4);
    second.sy.clock.advance(1);
    await second.sy.events.deliverer.settled();
    expect(stub.calls).toHaveLength(6);
    const last = stub.calls.slice(4);
    const later = last.find((c) => c.path === '/later')!;
    expect(JSON.parse(later.body).id).toBe(eventId);
    expect(later.headers['x-api-key']).toBe('k-123');
    // The other one had used its two retries: to the DLQ, with the count from before the restart.
    const [dead] = await receiveAll(second.sqs, 'dlq');
    expect(JSON.parse(dead.Body!).id).toBe(eventId);
    expect(dead.MessageAttributes!.RETRY_ATTEMPTS.StringValue).toBe('2');
    expect(dead.MessageAttributes!.EXHAUSTED_RETRY_CONDITION.StringValue).toBe('MaximumRetryAttempts');
    // The trace shows the resumed deliveries, with the last attempt from before the restart.
    const trace = second.sy.events.trace.get(eventId) as EventTrace;
    const byTarget = Object.fromEntries(trace.deliveries.map((d) => [d.targetId, d]));
    expect(byTarget.later.state).toBe('delivered');
    expect(byTarget.later.attempts.map((a) => a.status)).toEqual([503, 200]);
    expect(byTarget.never.state).toBe('dead-lettered');
    // Both ended: recorded as such once the DLQ message was on disk.
    await second.sy.persistence!.flush();
    await stop(second.sy);
    const third = await start(dir, T0 + 10_000);
    third.sy.clock.advance(3_600_000);
    await third.sy.events.deliverer.settled();
    expect(stub.calls).toHaveLength(6);
    expect(third.sy.events.deliverer.inFlight).toBe(0);
    expect(journalRecords(dir).filter((r) => r.t === 'P')).toEqual([]);
  });

  it('an attempt under way when the process stopped is made again; MaximumEventAgeInSeconds still counts from the event', async () => {
    const dir = tmpDir();
    const stub = await stubServer();
    const first = await start(dir);
    await first.sqs.send(new CreateQueueCommand({ QueueName: 'dlq' }));
    const conn = await first.eb.send(
      new CreateConnectionCommand({ Name: 'key', AuthorizationType: 'API_KEY', AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'k', ApiKeyValue: 'v' } } }),
    );
    const dest = await first.eb.send(new CreateApiDestinationCommand({ Name: 'd', ConnectionArn: conn.ConnectionArn, InvocationEndpoint: `${stub.url}/aged`, HttpMethod: 'POST' }));
    await first.eb.send(new PutRuleCommand({ Name: 'r', EventPattern: JSON.stringify({ source: ['shop'] }) }));
    await first.eb.send(
      new PutTargetsCommand({
        Rule: 'r',
        Targets: [{ Id: 'd', Arn: dest.ApiDestinationArn, RetryPolicy: { MaximumEventAgeInSeconds: 60 }, DeadLetterConfig: { Arn: queueArn('dlq') } }],
      }),
    );
    // The attempt is recorded as under way before PutEvents answers; stop before it ends by
    // making the stub unreachable: the process is stopped with the record still pending.
    stub.statuses.set('/aged', Array(20).fill(500));
    await first.eb.send(new PutEventsCommand({ Entries: [{ Source: 'shop', DetailType: 'order', Detail: '{}' }] }));
    const records = journalRecords(dir);
    expect(records.filter((r) => r.t === 'P').map((r) => [r.n, r.x])).toEqual([[0, T0]]);
    // Drop what came after (the failed attempt and its retry): as if killed mid-attempt.
    await first.sy.events.deliverer.settled();
    await stop(first.sy);
    const lines = fs.readFileSync(path.join(dir, JOURNAL), 'utf8').split('\n').filter(Boolean);
    fs.writeFileSync(path.join(dir, JOURNAL), lines.filter((l) => JSON.parse(l.slice(9)).t !== 'W').map((l) => l + '\n').join(''));

    const second = await start(dir, T0 + 30_000);
    await second.sy.events.deliverer.settled(); // made again at once
    expect(stub.calls).toHaveLength(2);
    // Retries after 1, 2, 4, 8 s...: until the next would come after the event is 60 s old.
    // Time moves a second at a time, each attempt's answer awaited before the next second.
    for (let i = 0; i < 60 && second.sy.events.deliverer.inFlight > 0; i++) {
      second.sy.clock.advance(1000);
      await second.sy.events.deliverer.settled();
    }
    const [dead] = await receiveAll(second.sqs, 'dlq');
    expect(dead.MessageAttributes!.EXHAUSTED_RETRY_CONDITION.StringValue).toBe('MaximumEventAgeInSeconds');
    // 30 s + 1 + 2 + 4 + 8 = 45 s; the next (16 s) would be past 60 s.
    expect(stub.calls).toHaveLength(6);
  });
});

describe('damaged files', () => {
  it('a malformed catalog entry and a damaged journal record are reported; the rest is recovered', async () => {
    const dir = tmpDir();
    const first = await start(dir);
    await first.sqs.send(new CreateQueueCommand({ QueueName: 'q' }));
    for (const name of ['r0', 'r1', 'r2']) {
      await first.eb.send(new PutRuleCommand({ Name: name, EventPattern: JSON.stringify({ source: ['shop'] }) }));
      await first.eb.send(new PutTargetsCommand({ Rule: name, Targets: [{ Id: 'a', Arn: queueArn('q') }, { Id: 'b', Arn: queueArn('q'), Input: '{}' }] }));
    }
    const defaultBus = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/default`;
    await first.eb.send(new CreateArchiveCommand({ ArchiveName: 'all', EventSourceArn: defaultBus }));
    for (const n of [1, 2, 3]) await first.eb.send(new PutEventsCommand({ Entries: [{ Source: 'shop', DetailType: 'order', Detail: JSON.stringify({ n: `event-${n}` }) }] }));
    await stop(first.sy);

    const catalogFile = path.join(dir, CATALOG_FILE);
    const catalog = JSON.parse(fs.readFileSync(catalogFile, 'utf8'));
    const rules = catalog.events.rules as { name: string; state: string; targets: { Id?: string }[] }[];
    const r0 = rules.findIndex((r) => r.name === 'r0');
    const r1 = rules.findIndex((r) => r.name === 'r1');
    rules[r0].state = 'SOMETIMES';
    delete rules[r1].targets[0].Id;
    fs.writeFileSync(catalogFile, JSON.stringify(catalog));
    const file = path.join(dir, JOURNAL);
    const buf = fs.readFileSync(file);
    const at = buf.indexOf('event-2');
    buf[at] ^= 0x20;
    fs.writeFileSync(file, Buffer.concat([buf, Buffer.from(encodeRecord({ t: 'Q', what: 'unknown' }))]));

    const warnings: string[] = [];
    const second = await start(dir, T0 + 1000, warnings);
    const text = warnings.join('\n');
    // The journal: the archive's creation (Z), then one record per archived event.
    expect(text).toContain(`events.rules[${r0}] is malformed (unknown state SOMETIMES`);
    expect(text).toContain(`events.rules[${r1}].targets[0] is malformed (missing Id or Arn`);
    expect(text).toMatch(/events-journal\.log: record 3 at byte offset \d+ .*damaged \(checksum mismatch\)/);
    expect(text).toMatch(/events journal: intact record 4 of 4 is not a record Switchyard knows \(\{"t":"Q"/);
    const names = (await second.eb.send(new ListRulesCommand({}))).Rules!.map((r) => r.Name);
    expect(names).toEqual(['r1', 'r2']);
    expect((await second.eb.send(new ListTargetsByRuleCommand({ Rule: 'r1' }))).Targets!.map((t) => t.Id)).toEqual(['b']);
    expect((await second.eb.send(new ListTargetsByRuleCommand({ Rule: 'r2' }))).Targets!.map((t) => t.Id)).toEqual(['a', 'b']);
    const archive = second.sy.events.region(ACCOUNT, REGION).archives.get('all')!;
    expect(archive.events.map((e) => (e.event.detail as { n: string }).n)).toEqual(['event-1', 'event-3']);
  });
});

describe('reset', () => {
  it('reset() empties the journal and the catalog section', async () => {
    const dir = tmpDir();
    const stub = await stubServer();
    stub.statuses.set('/x', Array(5).fill(500));
    const first = await start(dir);
    await first.eb.send(new CreateEventBusCommand({ Name: 'b' }));
    const conn = await first.eb.send(
      new CreateConnectionCommand({ Name: 'key', AuthorizationType: 'API_KEY', AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'k', ApiKeyValue: 'v' } } }),
    );
    const dest = await first.eb.send(new CreateApiDestinationCommand({ Name: 'd', ConnectionArn: conn.ConnectionArn, InvocationEndpoint: `${stub.url}/x`, HttpMethod: 'POST' }));
    await first.eb.send(new PutRuleCommand({ Name: 'r', EventPattern: JSON.stringify({ source: ['shop'] }) }));
    await first.eb.send(new PutTargetsCommand({ Rule: 'r', Targets: [{ Id: 'd', Arn: dest.ApiDestinationArn }] }));
    await first.eb.send(new CreateArchiveCommand({ ArchiveName: 'a', EventSourceArn: `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/default` }));
    await first.eb.send(new PutEventsCommand({ Entries: [{ Source: 'shop', DetailType: 'order', Detail: '{}' }] }));
    await first.sy.events.deliverer.settled();
    await first.sy.persistence!.flush();
    expect(journalRecords(dir).map((r) => r.t).sort()).toEqual(['A', 'P', 'W', 'Z']);
    first.sy.reset();
    await first.sy.persistence!.flush();
    expect(fs.statSync(path.join(dir, JOURNAL)).size).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(dir, CATALOG_FILE), 'utf8')).events).toEqual({
      version: 1,
      buses: [],
      rules: [],
      archives: [],
      replays: [],
      connections: [],
      apiDestinations: [],
    });
    await stop(first.sy);
    const second = await start(dir, T0 + 60_000);
    expect((await second.eb.send(new ListEventBusesCommand({}))).EventBuses!.map((b) => b.Name)).toEqual(['default']);
    second.sy.clock.advance(3_600_000);
    await second.sy.events.deliverer.settled();
    expect(stub.calls).toHaveLength(1);
  });
});
