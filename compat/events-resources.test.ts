/**
 * EventBridge resources through the current `@aws-sdk/client-eventbridge`: buses, rules,
 * targets, tags, permissions, archives, connections and API destinations: every operation's
 * happy path and the errors AWS answers misuse with.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as eb from '@aws-sdk/client-eventbridge';
import { startSwitchyard, type Switchyard } from '../src/index.js';

let sy: Switchyard;
let client: eb.EventBridgeClient;
const ACCOUNT = '000000000000';

type AwsErr = Error & { name: string; $metadata: { httpStatusCode?: number } };

async function errorOf(p: Promise<unknown>): Promise<AwsErr> {
  try {
    await p;
  } catch (err) {
    return err as AwsErr;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  sy = await startSwitchyard({ port: 0 });
  client = new eb.EventBridgeClient({
    endpoint: sy.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});

beforeEach(() => sy.reset());

afterAll(async () => {
  client?.destroy();
  await sy?.stop();
});

describe('event buses', () => {
  it('has a default bus in every account and region', async () => {
    const d = await client.send(new eb.DescribeEventBusCommand({}));
    expect(d.Name).toBe('default');
    expect(d.Arn).toBe(`arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default`);
    const other = new eb.EventBridgeClient({
      endpoint: sy.endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: '111122223333', secretAccessKey: 'x' },
    });
    const d2 = await other.send(new eb.DescribeEventBusCommand({ Name: 'default' }));
    expect(d2.Arn).toBe('arn:aws:events:eu-west-1:111122223333:event-bus/default');
    other.destroy();
  });

  it('creates, describes, updates, lists and deletes a custom bus', async () => {
    const created = await client.send(new eb.CreateEventBusCommand({ Name: 'orders', Description: 'all orders', Tags: [{ Key: 'team', Value: 'a' }] }));
    expect(created.EventBusArn).toBe(`arn:aws:events:us-east-1:${ACCOUNT}:event-bus/orders`);
    expect(created.Description).toBe('all orders');
    const d = await client.send(new eb.DescribeEventBusCommand({ Name: created.EventBusArn }));
    expect(d.Name).toBe('orders');
    expect(d.CreationTime).toBeInstanceOf(Date);
    const u = await client.send(new eb.UpdateEventBusCommand({ Name: 'orders', Description: 'changed' }));
    expect(u.Description).toBe('changed');
    await client.send(new eb.CreateEventBusCommand({ Name: 'billing' }));
    const all = await client.send(new eb.ListEventBusesCommand({}));
    expect(all.EventBuses!.map((b) => b.Name)).toEqual(['billing', 'default', 'orders']);
    const prefixed = await client.send(new eb.ListEventBusesCommand({ NamePrefix: 'or' }));
    expect(prefixed.EventBuses!.map((b) => b.Name)).toEqual(['orders']);
    const page1 = await client.send(new eb.ListEventBusesCommand({ Limit: 2 }));
    expect(page1.EventBuses).toHaveLength(2);
    const page2 = await client.send(new eb.ListEventBusesCommand({ Limit: 2, NextToken: page1.NextToken }));
    expect(page2.EventBuses!.map((b) => b.Name)).toEqual(['orders']);
    expect(page2.NextToken).toBeUndefined();
    const tags = await client.send(new eb.ListTagsForResourceCommand({ ResourceARN: created.EventBusArn }));
    expect(tags.Tags).toEqual([{ Key: 'team', Value: 'a' }]);
    await client.send(new eb.DeleteEventBusCommand({ Name: 'orders' }));
    const err = await errorOf(client.send(new eb.DescribeEventBusCommand({ Name: 'orders' })));
    expect(err).toBeInstanceOf(eb.ResourceNotFoundException);
    expect(err.message).toBe('Event bus orders does not exist.');
  });

  it('refuses a second bus of the same name, the default bus, deleting default, and bad names', async () => {
    await client.send(new eb.CreateEventBusCommand({ Name: 'dup' }));
    const dup = await errorOf(client.send(new eb.CreateEventBusCommand({ Name: 'dup' })));
    expect(dup).toBeInstanceOf(eb.ResourceAlreadyExistsException);
    expect(dup.message).toBe('Event bus dup already exists.');
    expect(await errorOf(client.send(new eb.CreateEventBusCommand({ Name: 'default' })))).toBeInstanceOf(eb.ResourceAlreadyExistsException);
    const del = await errorOf(client.send(new eb.DeleteEventBusCommand({ Name: 'default' })));
    expect(del.name).toBe('ValidationException');
    expect(del.message).toBe('Cannot delete event bus default.');
    await client.send(new eb.PutRuleCommand({ Name: 'r', EventBusName: 'dup', EventPattern: '{"source":["a"]}' }));
    const busy = await errorOf(client.send(new eb.DeleteEventBusCommand({ Name: 'dup' })));
    expect(busy.message).toBe("EventBus can't be deleted since it has rules.");
    const bad = await errorOf(client.send(new eb.CreateEventBusCommand({ Name: 'has space' })));
    expect(bad.name).toBe('ValidationException');
    expect(bad.$metadata.httpStatusCode).toBe(400);
  });

  it('stores a resource policy with PutPermission and removes it with RemovePermission', async () => {
    await client.send(new eb.PutPermissionCommand({ Action: 'events:PutEvents', Principal: '111122223333', StatementId: 'allow-a' }));
    const d = await client.send(new eb.DescribeEventBusCommand({}));
    const policy = JSON.parse(d.Policy!);
    expect(policy.Statement).toEqual([
      {
        Sid: 'allow-a',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::111122223333:root' },
        Action: 'events:PutEvents',
        Resource: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default`,
      },
    ]);
    const missing = await errorOf(client.send(new eb.RemovePermissionCommand({ StatementId: 'nope' })));
    expect(missing).toBeInstanceOf(eb.ResourceNotFoundException);
    await client.send(new eb.RemovePermissionCommand({ StatementId: 'allow-a' }));
    expect((await client.send(new eb.DescribeEventBusCommand({}))).Policy).toBeUndefined();
  });
});

describe('rules', () => {
  const pattern = JSON.stringify({ source: ['com.example.orders'] });

  it('puts, describes, lists, disables, enables and deletes a rule', async () => {
    const put = await client.send(new eb.PutRuleCommand({ Name: 'r1', EventPattern: pattern, Description: 'orders' }));
    expect(put.RuleArn).toBe(`arn:aws:events:us-east-1:${ACCOUNT}:rule/r1`);
    const d = await client.send(new eb.DescribeRuleCommand({ Name: 'r1' }));
    expect(d).toMatchObject({ Name: 'r1', Arn: put.RuleArn, EventPattern: pattern, State: 'ENABLED', EventBusName: 'default', CreatedBy: ACCOUNT });
    await client.send(new eb.DisableRuleCommand({ Name: 'r1' }));
    expect((await client.send(new eb.DescribeRuleCommand({ Name: 'r1' }))).State).toBe('DISABLED');
    await client.send(new eb.EnableRuleCommand({ Name: 'r1' }));
    expect((await client.send(new eb.DescribeRuleCommand({ Name: 'r1' }))).State).toBe('ENABLED');
    await client.send(new eb.DeleteRuleCommand({ Name: 'r1' }));
    expect(await errorOf(client.send(new eb.DescribeRuleCommand({ Name: 'r1' })))).toBeInstanceOf(eb.ResourceNotFoundException);
  });

  it('names rules on a custom bus with the bus in the ARN', async () => {
    await client.send(new eb.CreateEventBusCommand({ Name: 'orders' }));
    const put = await client.send(new eb.PutRuleCommand({ Name: 'r1', EventPattern: pattern, EventBusName: 'orders' }));
    expect(put.RuleArn).toBe(`arn:aws:events:us-east-1:${ACCOUNT}:rule/orders/r1`);
    const err = await errorOf(client.send(new eb.DescribeRuleCommand({ Name: 'r1' })));
    expect(err.message).toBe('Rule r1 does not exist on EventBus default.');
  });

  it('lists rules by prefix, page by page', async () => {
    for (const n of ['a1', 'a2', 'a3', 'b1']) await client.send(new eb.PutRuleCommand({ Name: n, EventPattern: pattern }));
    const names: string[] = [];
    let token: string | undefined;
    do {
      const out = await client.send(new eb.ListRulesCommand({ NamePrefix: 'a', Limit: 2, NextToken: token }));
      names.push(...out.Rules!.map((r) => r.Name!));
      token = out.NextToken;
    } while (token);
    expect(names).toEqual(['a1', 'a2', 'a3']);
    const bad = await errorOf(client.send(new eb.ListRulesCommand({ Limit: 0 })));
    expect(bad.name).toBe('ValidationException');
  });

  it('refuses an invalid pattern, neither pattern nor schedule, a schedule on a custom bus and a bad schedule', async () => {
    const inv = await errorOf(client.send(new eb.PutRuleCommand({ Name: 'x', EventPattern: '{"source": "x"}' })));
    expect(inv).toBeInstanceOf(eb.InvalidEventPatternException);
    expect(inv.message).toMatch(/^Event pattern is not valid\. Reason: /);
    const none = await errorOf(client.send(new eb.PutRuleCommand({ Name: 'x' })));
    expect(none.name).toBe('ValidationException');
    expect(none.message).toBe('Parameter(s) EventPattern or ScheduleExpression must be specified.');
    await client.send(new eb.CreateEventBusCommand({ Name: 'custom' }));
    const custom = await errorOf(client.send(new eb.PutRuleCommand({ Name: 'x', ScheduleExpression: 'rate(5 minutes)', EventBusName: 'custom' })));
    expect(custom.message).toBe('ScheduleExpression is supported only on the default event bus.');
    const sched = await errorOf(client.send(new eb.PutRuleCommand({ Name: 'x', ScheduleExpression: 'rate(5 minute)' })));
    expect(sched.name).toBe('ValidationException');
    expect(sched.message).toBe('Parameter ScheduleExpression is not valid.');
    const name = await errorOf(client.send(new eb.PutRuleCommand({ Name: 'bad name', EventPattern: pattern })));
    expect(name.name).toBe('ValidationException');
  });

  it('refuses to delete a rule while targets remain, as AWS does', async () => {
    await client.send(new eb.PutRuleCommand({ Name: 'r', EventPattern: pattern }));
    await client.send(new eb.PutTargetsCommand({ Rule: 'r', Targets: [{ Id: 't', Arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:q` }] }));
    const err = await errorOf(client.send(new eb.DeleteRuleCommand({ Name: 'r' })));
    expect(err.name).toBe('ValidationException');
    expect(err.message).toBe("Rule can't be deleted since it has targets.");
    await client.send(new eb.RemoveTargetsCommand({ Rule: 'r', Ids: ['t'] }));
    await client.send(new eb.DeleteRuleCommand({ Name: 'r' }));
    expect((await client.send(new eb.ListRulesCommand({}))).Rules).toEqual([]);
  });

  it('enforces the rules-per-bus quota with LimitExceededException', async () => {
    const small = await startSwitchyard({ port: 0, rulesPerBus: 2 });
    // The SDK classes LimitExceededException as throttling and retries it (on AWS too): one attempt here.
    const c = new eb.EventBridgeClient({ endpoint: small.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    await c.send(new eb.PutRuleCommand({ Name: 'a', EventPattern: pattern }));
    await c.send(new eb.PutRuleCommand({ Name: 'b', EventPattern: pattern }));
    await c.send(new eb.PutRuleCommand({ Name: 'a', EventPattern: pattern, Description: 'update is fine' }));
    const err = await errorOf(c.send(new eb.PutRuleCommand({ Name: 'c', EventPattern: pattern })));
    expect(err).toBeInstanceOf(eb.LimitExceededException);
    c.destroy();
    await small.stop();
  });
});

describe('targets', () => {
  beforeEach(async () => {
    await client.send(new eb.PutRuleCommand({ Name: 'r', EventPattern: '{"source":["a"]}' }));
  });
  const q = (n: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${n}`;

  it('puts, lists and removes targets, and finds rules by target', async () => {
    const out = await client.send(
      new eb.PutTargetsCommand({
        Rule: 'r',
        Targets: [
          { Id: 't1', Arn: q('q1'), Input: '{"fixed":true}' },
          { Id: 't2', Arn: q('q2'), InputTransformer: { InputPathsMap: { s: '$.source' }, InputTemplate: '"<s>"' }, RetryPolicy: { MaximumRetryAttempts: 3 } },
        ],
      }),
    );
    expect(out).toMatchObject({ FailedEntryCount: 0, FailedEntries: [] });
    const listed = await client.send(new eb.ListTargetsByRuleCommand({ Rule: 'r' }));
    expect(listed.Targets!.map((t) => t.Id)).toEqual(['t1', 't2']);
    expect(listed.Targets![1].RetryPolicy).toEqual({ MaximumRetryAttempts: 3 });
    expect((await client.send(new eb.ListRuleNamesByTargetCommand({ TargetArn: q('q2') }))).RuleNames).toEqual(['r']);
    const removed = await client.send(new eb.RemoveTargetsCommand({ Rule: 'r', Ids: ['t1', 'missing'] }));
    expect(removed.FailedEntryCount).toBe(1);
    expect(removed.FailedEntries![0]).toMatchObject({ TargetId: 'missing', ErrorCode: 'ResourceNotFoundException' });
    expect((await client.send(new eb.ListTargetsByRuleCommand({ Rule: 'r' }))).Targets!.map((t) => t.Id)).toEqual(['t2']);
  });

  it('allows five targets per rule (LimitExceededException past that) and ten per call', async () => {
    const client = new eb.EventBridgeClient({ endpoint: sy.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    const targets = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ Id: `t${i + from}`, Arn: q(`q${i}`) }));
    await client.send(new eb.PutTargetsCommand({ Rule: 'r', Targets: targets(5) }));
    const six = await errorOf(client.send(new eb.PutTargetsCommand({ Rule: 'r', Targets: targets(1, 5) })));
    expect(six).toBeInstanceOf(eb.LimitExceededException);
    expect(six.message).toBe('The requested resource exceeds the maximum number allowed.');
    const eleven = await errorOf(client.send(new eb.PutTargetsCommand({ Rule: 'r', Targets: targets(11) })));
    expect(eleven.name).toBe('ValidationException');
  });

  it('refuses a malformed ARN, a FIFO queue without a group id, and conflicting inputs', async () => {
    const arn = await errorOf(client.send(new eb.PutTargetsCommand({ Rule: 'r', Targets: [{ Id: 't', Arn: 'not-an-arn' }] })));
    expect(arn.name).toBe('ValidationException');
    expect(arn.message).toBe('Parameter not-an-arn is not valid. Reason: Provided Arn is not in correct format.');
    const fifo = await errorOf(client.send(new eb.PutTargetsCommand({ Rule: 'r', Targets: [{ Id: 't', Arn: q('f.fifo') }] })));
    expect(fifo.message).toBe('Parameter(s) SqsParameters must be specified for target: t.');
    const both = await errorOf(client.send(new eb.PutTargetsCommand({ Rule: 'r', Targets: [{ Id: 't', Arn: q('x'), Input: '{}', InputPath: '$.detail' }] })));
    expect(both.name).toBe('ValidationException');
    expect((await client.send(new eb.ListTargetsByRuleCommand({ Rule: 'r' }))).Targets).toEqual([]);
    const missingRule = await errorOf(client.send(new eb.PutTargetsCommand({ Rule: 'nope', Targets: [{ Id: 't', Arn: q('x') }] })));
    expect(missingRule).toBeInstanceOf(eb.ResourceNotFoundException);
  });
});

describe('tags', () => {
  it('tags, lists and untags rules and buses; a missing resource is ResourceNotFoundException', async () => {
    const { RuleArn } = await client.send(new eb.PutRuleCommand({ Name: 'r', EventPattern: '{"source":["a"]}', Tags: [{ Key: 'a', Value: '1' }] }));
    await client.send(new eb.TagResourceCommand({ ResourceARN: RuleArn, Tags: [{ Key: 'b', Value: '2' }] }));
    expect((await client.send(new eb.ListTagsForResourceCommand({ ResourceARN: RuleArn }))).Tags).toEqual([
      { Key: 'a', Value: '1' },
      { Key: 'b', Value: '2' },
    ]);
    await client.send(new eb.UntagResourceCommand({ ResourceARN: RuleArn, TagKeys: ['a'] }));
    expect((await client.send(new eb.ListTagsForResourceCommand({ ResourceARN: RuleArn }))).Tags).toEqual([{ Key: 'b', Value: '2' }]);
    const missing = await errorOf(client.send(new eb.ListTagsForResourceCommand({ ResourceARN: `arn:aws:events:us-east-1:${ACCOUNT}:rule/nope` })));
    expect(missing).toBeInstanceOf(eb.ResourceNotFoundException);
  });
});

describe('archives and replays (resources)', () => {
  const busArn = `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default`;

  it('creates, describes, updates, lists and deletes an archive', async () => {
    const c = await client.send(new eb.CreateArchiveCommand({ ArchiveName: 'arc', EventSourceArn: busArn, RetentionDays: 7, EventPattern: '{"source":["a"]}' }));
    expect(c).toMatchObject({ ArchiveArn: `arn:aws:events:us-east-1:${ACCOUNT}:archive/arc`, State: 'ENABLED' });
    const d = await client.send(new eb.DescribeArchiveCommand({ ArchiveName: 'arc' }));
    expect(d).toMatchObject({ ArchiveName: 'arc', EventSourceArn: busArn, RetentionDays: 7, EventCount: 0, SizeBytes: 0 });
    await client.send(new eb.UpdateArchiveCommand({ ArchiveName: 'arc', RetentionDays: 1, Description: 'd' }));
    expect((await client.send(new eb.DescribeArchiveCommand({ ArchiveName: 'arc' }))).RetentionDays).toBe(1);
    expect((await client.send(new eb.ListArchivesCommand({}))).Archives!.map((a) => a.ArchiveName)).toEqual(['arc']);
    const dup = await errorOf(client.send(new eb.CreateArchiveCommand({ ArchiveName: 'arc', EventSourceArn: busArn })));
    expect(dup).toBeInstanceOf(eb.ResourceAlreadyExistsException);
    const badPattern = await errorOf(client.send(new eb.CreateArchiveCommand({ ArchiveName: 'arc2', EventSourceArn: busArn, EventPattern: '[1]' })));
    expect(badPattern).toBeInstanceOf(eb.InvalidEventPatternException);
    await client.send(new eb.DeleteArchiveCommand({ ArchiveName: 'arc' }));
    expect(await errorOf(client.send(new eb.DescribeArchiveCommand({ ArchiveName: 'arc' })))).toBeInstanceOf(eb.ResourceNotFoundException);
  });

  it('refuses a replay of a missing archive, a backwards window, and cancelling a finished replay', async () => {
    await client.send(new eb.CreateArchiveCommand({ ArchiveName: 'arc', EventSourceArn: busArn }));
    const archiveArn = `arn:aws:events:us-east-1:${ACCOUNT}:archive/arc`;
    const now = Date.now();
    const missing = await errorOf(
      client.send(new eb.StartReplayCommand({ ReplayName: 'r', EventSourceArn: `${archiveArn}x`, EventStartTime: new Date(now - 60_000), EventEndTime: new Date(now - 1000), Destination: { Arn: busArn } })),
    );
    expect(missing).toBeInstanceOf(eb.ResourceNotFoundException);
    const backwards = await errorOf(
      client.send(new eb.StartReplayCommand({ ReplayName: 'r', EventSourceArn: archiveArn, EventStartTime: new Date(now - 1000), EventEndTime: new Date(now - 60_000), Destination: { Arn: busArn } })),
    );
    expect(backwards.name).toBe('ValidationException');
    await client.send(new eb.StartReplayCommand({ ReplayName: 'r', EventSourceArn: archiveArn, EventStartTime: new Date(now - 60_000), EventEndTime: new Date(now - 1000), Destination: { Arn: busArn } }));
    let state: string | undefined;
    do state = (await client.send(new eb.DescribeReplayCommand({ ReplayName: 'r' }))).State;
    while (state !== 'COMPLETED');
    const listed = await client.send(new eb.ListReplaysCommand({}));
    expect(listed.Replays!.map((r) => [r.ReplayName, r.State])).toEqual([['r', 'COMPLETED']]);
    const cancel = await errorOf(client.send(new eb.CancelReplayCommand({ ReplayName: 'r' })));
    expect(cancel).toBeInstanceOf(eb.IllegalStatusException);
  });
});

describe('connections and API destinations (resources)', () => {
  it('creates, describes (without secrets), updates, lists, deauthorizes and deletes', async () => {
    const conn = await client.send(
      new eb.CreateConnectionCommand({
        Name: 'c1',
        AuthorizationType: 'API_KEY',
        AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'x-api-key', ApiKeyValue: 'secret-value' } },
      }),
    );
    expect(conn.ConnectionArn).toMatch(new RegExp(`^arn:aws:events:us-east-1:${ACCOUNT}:connection/c1/[0-9a-f-]{36}$`));
    const d = await client.send(new eb.DescribeConnectionCommand({ Name: 'c1' }));
    expect(d.AuthorizationType).toBe('API_KEY');
    expect(JSON.stringify(d)).not.toContain('secret-value');
    const dest = await client.send(
      new eb.CreateApiDestinationCommand({ Name: 'd1', ConnectionArn: conn.ConnectionArn, InvocationEndpoint: 'http://127.0.0.1:9/x', HttpMethod: 'POST' }),
    );
    expect(dest.ApiDestinationArn).toMatch(new RegExp(`^arn:aws:events:us-east-1:${ACCOUNT}:api-destination/d1/`));
    const dd = await client.send(new eb.DescribeApiDestinationCommand({ Name: 'd1' }));
    expect(dd).toMatchObject({ Name: 'd1', ConnectionArn: conn.ConnectionArn, InvocationEndpoint: 'http://127.0.0.1:9/x', HttpMethod: 'POST' });
    await client.send(new eb.UpdateApiDestinationCommand({ Name: 'd1', HttpMethod: 'PUT' }));
    expect((await client.send(new eb.DescribeApiDestinationCommand({ Name: 'd1' }))).HttpMethod).toBe('PUT');
    expect((await client.send(new eb.ListApiDestinationsCommand({}))).ApiDestinations!.map((a) => a.Name)).toEqual(['d1']);
    await client.send(new eb.UpdateConnectionCommand({ Name: 'c1', Description: 'new' }));
    expect((await client.send(new eb.ListConnectionsCommand({}))).Connections!.map((c) => c.Name)).toEqual(['c1']);
    const de = await client.send(new eb.DeauthorizeConnectionCommand({ Name: 'c1' }));
    expect(de.ConnectionState).toMatch(/^DEAUTHORIZ/);
    await client.send(new eb.DeleteApiDestinationCommand({ Name: 'd1' }));
    await client.send(new eb.DeleteConnectionCommand({ Name: 'c1' }));
    const gone = await errorOf(client.send(new eb.DescribeConnectionCommand({ Name: 'c1' })));
    expect(gone).toBeInstanceOf(eb.ResourceNotFoundException);
  });
});
