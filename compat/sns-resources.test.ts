/**
 * SNS's resource operations through the real JS SDK v3 (query protocol): topics, attributes,
 * subscriptions, tags, permissions, data-protection policies, pagination, and the errors AWS
 * answers with (code, status and the SDK's exception class).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as sns from '@aws-sdk/client-sns';
import * as sqs from '@aws-sdk/client-sqs';
import { startSwitchyard, type Switchyard } from '../src/index.js';

const creds = { accessKeyId: 'test', secretAccessKey: 'test' };
let sy: Switchyard;
let client: sns.SNSClient;
let queues: sqs.SQSClient;

beforeAll(async () => {
  sy = await startSwitchyard({ port: 0 });
  client = new sns.SNSClient({ endpoint: sy.endpoint, region: 'us-east-1', credentials: creds, maxAttempts: 1 });
  queues = new sqs.SQSClient({ endpoint: sy.endpoint, region: 'us-east-1', credentials: creds });
});
beforeEach(() => sy.reset());
afterAll(async () => {
  client?.destroy();
  queues?.destroy();
  await sy?.stop();
});

/** The error a call fails with: name (the SDK's class), code and HTTP status. */
async function failure(p: Promise<unknown>): Promise<{ name: string; message: string; status?: number; code?: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as sns.SNSServiceException & { Code?: string };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode, code: e.Code };
  }
  throw new Error('the call succeeded');
}

const topic = async (Name: string, Attributes?: Record<string, string>, Tags?: sns.Tag[]) =>
  (await client.send(new sns.CreateTopicCommand({ Name, Attributes, Tags }))).TopicArn!;

describe('topics', () => {
  it('CreateTopic makes an ARN, is idempotent, and refuses a different attribute for the same name', async () => {
    const arn = await topic('orders');
    expect(arn).toBe('arn:aws:sns:us-east-1:000000000000:orders');
    expect(await topic('orders')).toBe(arn);
    await client.send(new sns.SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'DisplayName', AttributeValue: 'Orders' }));
    expect(await topic('orders', { DisplayName: 'Orders' })).toBe(arn);
    const err = await failure(topic('orders', { DisplayName: 'Other' }));
    expect(err).toMatchObject({ name: 'InvalidParameterException', status: 400 });
    expect(err.message).toBe('Invalid parameter: Attributes Reason: Topic already exists with different attributes');
  });

  it('refuses bad names, and FIFO names without .fifo', async () => {
    expect(await failure(topic('bad name'))).toMatchObject({ name: 'InvalidParameterException', message: 'Invalid parameter: Topic Name' });
    expect(await failure(topic('x'.repeat(257)))).toMatchObject({ name: 'InvalidParameterException' });
    const err = await failure(topic('plain', { FifoTopic: 'true' }));
    expect(err.name).toBe('InvalidParameterException');
    expect(err.message).toMatch(/^Fifo Topic names must end with \.fifo/);
    expect(await failure(topic('plain.fifo'))).toMatchObject({ message: 'Invalid parameter: Topic Name' });
  });

  it('GetTopicAttributes shows the counters, defaults and FIFO flags; SetTopicAttributes changes one', async () => {
    const arn = await topic('events.fifo', { FifoTopic: 'true', ContentBasedDeduplication: 'true' });
    const q = (await queues.send(new sqs.CreateQueueCommand({ QueueName: 'q.fifo', Attributes: { FifoQueue: 'true' } }))).QueueUrl!;
    void q;
    await client.send(new sns.SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:000000000000:q.fifo' }));
    const a = (await client.send(new sns.GetTopicAttributesCommand({ TopicArn: arn }))).Attributes!;
    expect(a).toMatchObject({
      TopicArn: arn,
      Owner: '000000000000',
      FifoTopic: 'true',
      ContentBasedDeduplication: 'true',
      SubscriptionsConfirmed: '1',
      SubscriptionsPending: '0',
      SubscriptionsDeleted: '0',
      DisplayName: '',
    });
    expect(JSON.parse(a.Policy!).Statement[0].Resource).toBe(arn);
    expect(JSON.parse(a.EffectiveDeliveryPolicy!).http.defaultHealthyRetryPolicy.numRetries).toBe(3);
    await client.send(new sns.SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'ContentBasedDeduplication', AttributeValue: 'false' }));
    const b = (await client.send(new sns.GetTopicAttributesCommand({ TopicArn: arn }))).Attributes!;
    expect(b.ContentBasedDeduplication).toBe('false');
    expect(await failure(client.send(new sns.SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'FifoTopic', AttributeValue: 'false' })))).toMatchObject({
      name: 'InvalidParameterException',
      message: 'Invalid parameter: AttributeName',
    });
  });

  it('a missing topic is NotFound (404)', async () => {
    const err = await failure(client.send(new sns.GetTopicAttributesCommand({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:nope' })));
    expect(err).toMatchObject({ name: 'NotFoundException', status: 404, message: 'Topic does not exist' });
    expect(await failure(client.send(new sns.PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:nope', Message: 'x' })))).toMatchObject({
      name: 'NotFoundException',
    });
  });

  it('ListTopics pages by 100 with NextToken; DeleteTopic removes the topic and its subscriptions', async () => {
    for (let i = 0; i < 130; i++) await topic(`t-${String(i).padStart(3, '0')}`);
    const first = await client.send(new sns.ListTopicsCommand({}));
    expect(first.Topics).toHaveLength(100);
    expect(first.NextToken).toBeDefined();
    const second = await client.send(new sns.ListTopicsCommand({ NextToken: first.NextToken }));
    expect(second.Topics).toHaveLength(30);
    expect(second.NextToken).toBeUndefined();
    const all = new Set([...first.Topics!, ...second.Topics!].map((t) => t.TopicArn));
    expect(all.size).toBe(130);
    const arn = 'arn:aws:sns:us-east-1:000000000000:t-000';
    await client.send(new sns.SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:000000000000:q' }));
    await client.send(new sns.DeleteTopicCommand({ TopicArn: arn }));
    await client.send(new sns.DeleteTopicCommand({ TopicArn: arn })); // idempotent
    const subs = await client.send(new sns.ListSubscriptionsCommand({}));
    expect(subs.Subscriptions).toEqual([]);
    expect(await failure(client.send(new sns.ListTopicsCommand({ NextToken: 'garbage' })))).toMatchObject({ name: 'InvalidParameterException' });
  });

  it('tags: Tag, List, Untag, duplicate keys refused, and the 50-tag quota', async () => {
    const arn = await topic('tagged', undefined, [{ Key: 'team', Value: 'a' }]);
    await client.send(new sns.TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: 'env', Value: 'dev' }] }));
    const tags = (await client.send(new sns.ListTagsForResourceCommand({ ResourceArn: arn }))).Tags!;
    expect(tags).toEqual(expect.arrayContaining([{ Key: 'team', Value: 'a' }, { Key: 'env', Value: 'dev' }]));
    await client.send(new sns.UntagResourceCommand({ ResourceArn: arn, TagKeys: ['team'] }));
    expect((await client.send(new sns.ListTagsForResourceCommand({ ResourceArn: arn }))).Tags).toEqual([{ Key: 'env', Value: 'dev' }]);
    expect(
      await failure(client.send(new sns.TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: 'k', Value: '1' }, { Key: 'k', Value: '2' }] }))),
    ).toMatchObject({ name: 'InvalidParameterException', message: 'Invalid parameter: Duplicated keys are not allowed.' });
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    expect(await failure(client.send(new sns.TagResourceCommand({ ResourceArn: arn, Tags: many })))).toMatchObject({ name: 'TagLimitExceededException' });
    expect(
      await failure(client.send(new sns.ListTagsForResourceCommand({ ResourceArn: 'arn:aws:sns:us-east-1:000000000000:missing' }))),
    ).toMatchObject({ name: 'ResourceNotFoundException', status: 404 });
    expect(await failure(topic('tagged', undefined, [{ Key: 'env', Value: 'prod' }]))).toMatchObject({
      message: 'Invalid parameter: Tags Reason: Topic already exists with different tags',
    });
  });

  it('AddPermission / RemovePermission edit the topic policy by label', async () => {
    const arn = await topic('shared');
    await client.send(new sns.AddPermissionCommand({ TopicArn: arn, Label: 'let-b', AWSAccountId: ['111122223333'], ActionName: ['Publish'] }));
    let policy = JSON.parse((await client.send(new sns.GetTopicAttributesCommand({ TopicArn: arn }))).Attributes!.Policy!);
    expect(policy.Statement.find((s: { Sid: string }) => s.Sid === 'let-b')).toMatchObject({
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::111122223333:root' },
      Action: 'SNS:Publish',
      Resource: arn,
    });
    expect(
      await failure(client.send(new sns.AddPermissionCommand({ TopicArn: arn, Label: 'let-b', AWSAccountId: ['111122223333'], ActionName: ['Publish'] }))),
    ).toMatchObject({ message: 'Invalid parameter: Statement already exists' });
    await client.send(new sns.RemovePermissionCommand({ TopicArn: arn, Label: 'let-b' }));
    policy = JSON.parse((await client.send(new sns.GetTopicAttributesCommand({ TopicArn: arn }))).Attributes!.Policy!);
    expect(policy.Statement.map((s: { Sid: string }) => s.Sid)).toEqual(['__default_statement_ID']);
  });

  it('data protection policies are stored and returned', async () => {
    const arn = await topic('guarded');
    const doc = JSON.stringify({ Name: 'p', Version: '2021-06-01', Statement: [] });
    await client.send(new sns.PutDataProtectionPolicyCommand({ ResourceArn: arn, DataProtectionPolicy: doc }));
    expect((await client.send(new sns.GetDataProtectionPolicyCommand({ ResourceArn: arn }))).DataProtectionPolicy).toBe(doc);
  });

  it('operations Switchyard does not serve answer with an error naming them', async () => {
    const err = await failure(client.send(new sns.ListPlatformApplicationsCommand({})));
    expect(err.status).toBe(400);
    expect(err.message).toContain('ListPlatformApplications');
  });
});

describe('subscriptions', () => {
  const queueArn = 'arn:aws:sqs:us-east-1:000000000000:inbox';

  it('Subscribe confirms SQS at once, is idempotent, and lists with its attributes', async () => {
    const arn = await topic('orders');
    const { SubscriptionArn } = await client.send(new sns.SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: queueArn, Attributes: { RawMessageDelivery: 'true' } }));
    expect(SubscriptionArn).toMatch(new RegExp(`^${arn}:[0-9a-f-]{36}$`));
    const again = await client.send(new sns.SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: queueArn }));
    expect(again.SubscriptionArn).toBe(SubscriptionArn);
    expect(
      await failure(client.send(new sns.SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: queueArn, Attributes: { RawMessageDelivery: 'false' } }))),
    ).toMatchObject({ message: 'Invalid parameter: Attributes Reason: Subscription already exists with different attributes' });
    const attrs = (await client.send(new sns.GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes!;
    expect(attrs).toMatchObject({
      SubscriptionArn,
      TopicArn: arn,
      Protocol: 'sqs',
      Endpoint: queueArn,
      Owner: '000000000000',
      PendingConfirmation: 'false',
      ConfirmationWasAuthenticated: 'true',
      RawMessageDelivery: 'true',
    });
    const listed = await client.send(new sns.ListSubscriptionsByTopicCommand({ TopicArn: arn }));
    expect(listed.Subscriptions).toEqual([{ SubscriptionArn, Owner: '000000000000', Protocol: 'sqs', Endpoint: queueArn, TopicArn: arn }]);
  });

  it('HTTP and email subscriptions wait for confirmation: "pending confirmation" unless ReturnSubscriptionArn', async () => {
    const arn = await topic('mail');
    const r = await client.send(new sns.SubscribeCommand({ TopicArn: arn, Protocol: 'email', Endpoint: 'dev@example.com' }));
    expect(r.SubscriptionArn).toBe('pending confirmation');
    const r2 = await client.send(new sns.SubscribeCommand({ TopicArn: arn, Protocol: 'email-json', Endpoint: 'ops@example.com', ReturnSubscriptionArn: true }));
    expect(r2.SubscriptionArn).toMatch(/^arn:aws:sns:us-east-1:000000000000:mail:/);
    const listed = (await client.send(new sns.ListSubscriptionsByTopicCommand({ TopicArn: arn }))).Subscriptions!;
    expect(listed.map((s) => s.SubscriptionArn)).toEqual(['PendingConfirmation', 'PendingConfirmation']);
    const a = (await client.send(new sns.GetTopicAttributesCommand({ TopicArn: arn }))).Attributes!;
    expect(a.SubscriptionsPending).toBe('2');
    expect(
      (await client.send(new sns.GetSubscriptionAttributesCommand({ SubscriptionArn: r2.SubscriptionArn }))).Attributes!.PendingConfirmation,
    ).toBe('true');
  });

  it('refuses unknown protocols, mismatched endpoints, FIFO mixes and bad attributes', async () => {
    const arn = await topic('orders');
    const fifo = await topic('orders.fifo', { FifoTopic: 'true' });
    const sub = (Protocol: string, Endpoint: string, Attributes?: Record<string, string>, TopicArn = arn) =>
      failure(client.send(new sns.SubscribeCommand({ TopicArn, Protocol, Endpoint, Attributes })));
    expect(await sub('carrier-pigeon', 'x')).toMatchObject({ name: 'InvalidParameterException', message: 'Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon' });
    expect(await sub('http', 'https://example.com/hook')).toMatchObject({ message: 'Invalid parameter: Endpoint must match the specified protocol' });
    expect(await sub('sqs', 'not-an-arn')).toMatchObject({ message: 'Invalid parameter: SQS endpoint ARN' });
    expect(await sub('sqs', 'arn:aws:sqs:us-east-1:000000000000:q.fifo')).toMatchObject({
      message: 'Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics',
    });
    expect((await sub('http', 'http://localhost:1/x', undefined, fifo)).name).toBe('InvalidParameterException');
    expect((await sub('sqs', queueArn, { Colour: 'blue' })).message).toBe('Invalid parameter: AttributeName');
    expect((await sub('sqs', queueArn, { RawMessageDelivery: 'maybe' })).name).toBe('InvalidParameterException');
    expect((await sub('email', 'a@b.c', { RawMessageDelivery: 'true' })).name).toBe('InvalidParameterException');
    expect((await sub('sqs', queueArn, { FilterPolicy: '{"a": "not-an-array"}' })).name).toBe('InvalidParameterException');
    expect((await sub('sqs', queueArn, { FilterPolicy: '{not json' })).name).toBe('InvalidParameterException');
    expect((await sub('sqs', queueArn, { RedrivePolicy: '{"deadLetterTargetArn":"nope"}' })).name).toBe('InvalidParameterException');
    expect((await sub('sqs', queueArn, { FilterPolicyScope: 'Everything' })).name).toBe('InvalidParameterException');
  });

  it('Set/GetSubscriptionAttributes: filter policy and scope, raw delivery, redrive policy', async () => {
    const arn = await topic('orders');
    const { SubscriptionArn } = await client.send(new sns.SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: queueArn }));
    const set = (AttributeName: string, AttributeValue: string) =>
      client.send(new sns.SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName, AttributeValue }));
    await set('FilterPolicy', JSON.stringify({ colour: ['red'] }));
    let a = (await client.send(new sns.GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes!;
    expect(JSON.parse(a.FilterPolicy!)).toEqual({ colour: ['red'] });
    expect(a.FilterPolicyScope).toBe('MessageAttributes');
    await set('FilterPolicyScope', 'MessageBody');
    await set('RawMessageDelivery', 'TRUE');
    await set('RedrivePolicy', JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:dlq' }));
    a = (await client.send(new sns.GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes!;
    expect(a).toMatchObject({ FilterPolicyScope: 'MessageBody', RawMessageDelivery: 'true' });
    expect(JSON.parse(a.RedrivePolicy!).deadLetterTargetArn).toBe('arn:aws:sqs:us-east-1:000000000000:dlq');
    await set('FilterPolicy', '');
    a = (await client.send(new sns.GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes!;
    expect(a.FilterPolicy).toBeUndefined();
    expect((await failure(set('Colour', 'x'))).message).toBe('Invalid parameter: AttributeName');
    const missing = `${arn}:00000000-0000-0000-0000-000000000000`;
    expect(
      await failure(client.send(new sns.GetSubscriptionAttributesCommand({ SubscriptionArn: missing }))),
    ).toMatchObject({ name: 'NotFoundException', status: 404, message: 'Subscription does not exist' });
  });

  it('Unsubscribe removes it and counts it as deleted; ListSubscriptions pages by 100', async () => {
    const arn = await topic('orders');
    const arns: string[] = [];
    for (let i = 0; i < 105; i++)
      arns.push((await client.send(new sns.SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: `${queueArn}-${i}` }))).SubscriptionArn!);
    const first = await client.send(new sns.ListSubscriptionsCommand({}));
    expect(first.Subscriptions).toHaveLength(100);
    const second = await client.send(new sns.ListSubscriptionsCommand({ NextToken: first.NextToken }));
    expect(second.Subscriptions).toHaveLength(5);
    await client.send(new sns.UnsubscribeCommand({ SubscriptionArn: arns[0] }));
    const a = (await client.send(new sns.GetTopicAttributesCommand({ TopicArn: arn }))).Attributes!;
    expect(a).toMatchObject({ SubscriptionsConfirmed: '104', SubscriptionsDeleted: '1' });
    expect(await failure(client.send(new sns.UnsubscribeCommand({ SubscriptionArn: 'nonsense' })))).toMatchObject({ name: 'InvalidParameterException' });
  });

  it('a missing required parameter is a ValidationError naming it', async () => {
    const err = await failure(client.send(new sns.CreateTopicCommand({} as sns.CreateTopicInput)));
    expect(err.status).toBe(400);
    expect(err.message).toBe("1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null");
  });
});
