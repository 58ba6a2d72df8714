/**
 * Accounts and regions through the real SDKs: a 12-digit access key id selects the account, the
 * region comes from the credential scope, and what one account or region creates is invisible
 * from another; ARNs and queue URLs carry both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as eb from '@aws-sdk/client-eventbridge';
import * as sns from '@aws-sdk/client-sns';
import * as sqs from '@aws-sdk/client-sqs';
import { startSwitchyard, type Switchyard } from '../src/index.js';

let sy: Switchyard;
beforeAll(async () => {
  sy = await startSwitchyard({ port: 0 });
});
afterAll(async () => {
  await sy?.stop();
});

const creds = (accessKeyId: string) => ({ accessKeyId, secretAccessKey: 'test' });
function clients(accessKeyId: string, region: string) {
  const config = { endpoint: sy.endpoint, region, credentials: creds(accessKeyId) };
  return { sqs: new sqs.SQSClient(config), sns: new sns.SNSClient(config), eb: new eb.EventBridgeClient(config) };
}

describe('accounts and regions', () => {
  it('a 12-digit access key selects the account; other keys use the default one', async () => {
    const a = clients('111111111111', 'us-east-1');
    const other = clients('test', 'us-east-1');
    const { QueueUrl } = await a.sqs.send(new sqs.CreateQueueCommand({ QueueName: 'mine' }));
    expect(QueueUrl).toBe(`${sy.endpoint}/111111111111/mine`);
    const attrs = await a.sqs.send(new sqs.GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    expect(attrs.Attributes?.QueueArn).toBe('arn:aws:sqs:us-east-1:111111111111:mine');
    const { TopicArn } = await a.sns.send(new sns.CreateTopicCommand({ Name: 'mine' }));
    expect(TopicArn).toBe('arn:aws:sns:us-east-1:111111111111:mine');
    const bus = await a.eb.send(new eb.CreateEventBusCommand({ Name: 'mine' }));
    expect(bus.EventBusArn).toBe('arn:aws:events:us-east-1:111111111111:event-bus/mine');
    // The default account sees none of it.
    expect((await other.sqs.send(new sqs.ListQueuesCommand({}))).QueueUrls ?? []).not.toContain(QueueUrl);
    expect((await other.sns.send(new sns.ListTopicsCommand({}))).Topics ?? []).toEqual([]);
    expect(((await other.eb.send(new eb.ListEventBusesCommand({}))).EventBuses ?? []).map((b) => b.Name)).toEqual(['default']);
    const miss = await other.sqs.send(new sqs.GetQueueUrlCommand({ QueueName: 'mine' })).catch((e: Error) => e);
    expect(miss).toMatchObject({ name: 'QueueDoesNotExist' });
  });

  it('regions are separate: same names, different resources, ARNs with the region', async () => {
    const east = clients('222222222222', 'us-east-1');
    const west = clients('222222222222', 'eu-west-1');
    await east.sqs.send(new sqs.CreateQueueCommand({ QueueName: 'jobs', Attributes: { VisibilityTimeout: '5' } }));
    const w = await west.sqs.send(new sqs.CreateQueueCommand({ QueueName: 'jobs', Attributes: { VisibilityTimeout: '50' } }));
    const wa = await west.sqs.send(new sqs.GetQueueAttributesCommand({ QueueUrl: w.QueueUrl, AttributeNames: ['All'] }));
    expect(wa.Attributes).toMatchObject({ QueueArn: 'arn:aws:sqs:eu-west-1:222222222222:jobs', VisibilityTimeout: '50' });
    const { TopicArn } = await west.sns.send(new sns.CreateTopicCommand({ Name: 'news' }));
    expect(TopicArn).toBe('arn:aws:sns:eu-west-1:222222222222:news');
    expect((await east.sns.send(new sns.ListTopicsCommand({}))).Topics ?? []).toEqual([]);
    // A topic ARN of another region is not this region's topic.
    const cross = await east.sns.send(new sns.PublishCommand({ TopicArn, Message: 'x' })).catch((e: Error) => e);
    expect(cross).toMatchObject({ name: 'InvalidParameterException' });
    await west.eb.send(new eb.PutRuleCommand({ Name: 'r', EventPattern: '{"source":["a"]}' }));
    expect((await east.eb.send(new eb.ListRulesCommand({}))).Rules).toEqual([]);
    expect(((await west.eb.send(new eb.ListRulesCommand({}))).Rules ?? []).map((r) => r.Arn)).toEqual(['arn:aws:events:eu-west-1:222222222222:rule/r']);
  });
});
