/**
 * A SAM template (test/fixtures/templates/sam.yaml): the transform turns each function event
 * into what it means, and each then reaches the function through `forward.lambda`, here a
 * recording HTTP server standing in for a local Lambda runtime (`sam local start-lambda`):
 * an EventBridgeRule event's rule targets the function and invokes it; an SNS event's
 * subscription (with its filter policy) invokes it; an SQS event's queue is polled and each
 * batch handed to the function, deleted once it succeeds, kept when it fails, partly kept with
 * ReportBatchItemFailures; SqsSubscription goes through a queue SAM makes; FilterCriteria drop
 * what they do not match. Api events are listed as skipped, and the function's own resources
 * (function, role, permissions) are skipped with plausible names and ARNs.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as eb from '@aws-sdk/client-eventbridge';
import * as sns from '@aws-sdk/client-sns';
import * as sqs from '@aws-sdk/client-sqs';
import { startSwitchyard, type StackReport, type Switchyard } from '../src/index.js';
import { nameSuffix } from '../src/templates/names.js';
import { recorder, type Recorded, type Recorder } from './templates-support.js';

const SAM = fileURLToPath(new URL('./fixtures/templates/sam.yaml', import.meta.url));
const ACCOUNT = '000000000000';
const creds = { accessKeyId: 'test', secretAccessKey: 'test' };
const PROCESS_ORDER = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:process-order`;
const AUDIT = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:sam-AuditFunction-${nameSuffix('sam', 'AuditFunction')}`;

let lambda: Recorder;
let sy: Switchyard;
let stack: StackReport;
let c: { sqs: sqs.SQSClient; sns: sns.SNSClient; eb: eb.EventBridgeClient };

const of = (id: string) => {
  const r = stack.resources.find((x) => x.logicalId === id);
  if (!r) throw new Error(`no ${id}`);
  return r;
};

beforeAll(async () => {
  // The function fails a batch holding a message "fail", and reports "partial" as a batch item failure.
  lambda = await recorder((r) => {
    if (r.invocationType !== 'RequestResponse') return { status: 202 };
    const records = (r.json().Records ?? []) as Array<{ messageId: string; body: string }>;
    if (records.some((m) => m.body === 'fail')) return { headers: { 'x-amz-function-error': 'Unhandled' }, body: '{"errorMessage":"boom"}' };
    const partial = records.filter((m) => m.body === 'partial').map((m) => ({ itemIdentifier: m.messageId }));
    return { body: JSON.stringify({ batchItemFailures: partial }) };
  });
  sy = await startSwitchyard({ port: 0, forward: { lambda: lambda.url }, templates: [{ file: SAM }] });
  stack = sy.stacks.get('sam')!;
  const config = { endpoint: sy.endpoint, region: 'us-east-1', credentials: creds };
  c = { sqs: new sqs.SQSClient(config), sns: new sns.SNSClient(config), eb: new eb.EventBridgeClient(config) };
});
afterAll(async () => {
  await sy.stop();
  await lambda.close();
});

/** The SQS event source's invocation whose records hold `body`. */
const invocationWith = (fn: string, body: string) => (r: Recorded) =>
  r.functionName === fn && r.invocationType === 'RequestResponse' && (r.json().Records as Array<{ body: string }>).some((m) => m.body === body);

describe('the SAM transform', () => {
  it('makes SAM\'s resources with SAM\'s logical ids; the rest of SAM\'s output is skipped', () => {
    expect(stack.resources.map((r) => `${r.logicalId} ${r.type} ${r.status}`)).toEqual([
      'OrdersBus AWS::Events::EventBus created',
      'OrdersTopic AWS::SNS::Topic created',
      'WorkDlq AWS::SQS::Queue created',
      'WorkQueue AWS::SQS::Queue created',
      'FilteredQueue AWS::SQS::Queue created',
      'OrdersTable AWS::DynamoDB::Table skipped',
      'ProcessOrder AWS::Lambda::Function skipped',
      'ProcessOrderRole AWS::IAM::Role skipped',
      'ProcessOrderOrderPlacedQueue AWS::SQS::Queue created',
      'ProcessOrderOrderPlaced AWS::Events::Rule created',
      'ProcessOrderOrderPlacedQueuePolicy AWS::SQS::QueuePolicy created',
      'ProcessOrderOrderPlacedPermission AWS::Lambda::Permission skipped',
      'ProcessOrderBigOrder AWS::SNS::Subscription created',
      'ProcessOrderBigOrderPermission AWS::Lambda::Permission skipped',
      'ProcessOrderWork AWS::Lambda::EventSourceMapping created',
      'ProcessOrderNightly AWS::Events::Rule created',
      'ProcessOrderNightlyPermission AWS::Lambda::Permission skipped',
      'AuditFunction AWS::Lambda::Function skipped',
      'AuditFunctionRole AWS::IAM::Role skipped',
      'AuditFunctionEverythingQueue AWS::SQS::Queue created',
      'AuditFunctionEverythingQueuePolicy AWS::SQS::QueuePolicy created',
      'AuditFunctionEverything AWS::SNS::Subscription created',
      'AuditFunctionEverythingEventSourceMapping AWS::Lambda::EventSourceMapping created',
      'AuditFunctionFiltered AWS::Lambda::EventSourceMapping created',
      'ServerlessRestApi AWS::ApiGateway::RestApi skipped',
    ]);
    expect(stack.skipped).toContain('ProcessOrder.Events.Hello (Api)');
    expect(of('ProcessOrder')).toMatchObject({ ref: 'process-order', arn: PROCESS_ORDER });
    expect(of('AuditFunction').arn).toBe(AUDIT);
    expect(stack.outputs.ProcessOrderArn.value).toBe(PROCESS_ORDER);
    expect(stack.outputs.AuditFunctionName.value).toBe(AUDIT.split(':').pop());
    expect(stack.outputs.HelloApi.value).toMatch(/^https:\/\/[0-9a-f]{10}\.execute-api\.us-east-1\.amazonaws\.com\/Prod\/hello\/$/);
    expect(stack.outputs.RuleDlqUrl.value).toBe(of('ProcessOrderOrderPlacedQueue').url);
    expect(stack.outputs.Table.value).toBe(`sam-OrdersTable-${nameSuffix('sam', 'OrdersTable')}`);
  });

  it('an EventBridgeRule event: a rule on the bus targeting the function (id FnEventLambdaTarget, InputPath, retry policy, a DLQ SAM made)', async () => {
    const name = of('ProcessOrderOrderPlaced').ref!.split('|')[1];
    expect(of('ProcessOrderOrderPlaced').ref).toBe(`sam-orders|${name}`);
    const targets = await c.eb.send(new eb.ListTargetsByRuleCommand({ Rule: name, EventBusName: 'sam-orders' }));
    expect(targets.Targets).toEqual([
      {
        Id: 'ProcessOrderOrderPlacedLambdaTarget',
        Arn: PROCESS_ORDER,
        InputPath: '$.detail',
        RetryPolicy: { MaximumRetryAttempts: 1 },
        DeadLetterConfig: { Arn: of('ProcessOrderOrderPlacedQueue').arn },
      },
    ]);
    // ... and with forward.lambda, an event on the bus invokes the function (asynchronously, as EventBridge does).
    await c.eb.send(new eb.PutEventsCommand({ Entries: [{ EventBusName: 'sam-orders', Source: 'shop', DetailType: 'OrderPlaced', Detail: '{"id": 42}' }] }));
    const call = await lambda.next((r) => r.functionName === PROCESS_ORDER && r.invocationType === 'Event');
    expect(call.json()).toEqual({ id: 42 });
  });

  it('an SNS event: a lambda subscription with the filter policy; a message that passes invokes the function', async () => {
    const TopicArn = of('OrdersTopic').arn!;
    const subs = (await c.sns.send(new sns.ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions!;
    expect(subs.map((s) => `${s.Protocol} ${s.Endpoint}`).sort()).toEqual([`lambda ${PROCESS_ORDER}`, `sqs ${of('AuditFunctionEverythingQueue').arn}`]);
    const attrs = await c.sns.send(new sns.GetSubscriptionAttributesCommand({ SubscriptionArn: of('ProcessOrderBigOrder').ref }));
    expect(JSON.parse(attrs.Attributes!.FilterPolicy!)).toEqual({ total: [{ numeric: ['>', 100] }] });
    for (const total of [5, 500])
      await c.sns.send(new sns.PublishCommand({ TopicArn, Message: `order of ${total}`, MessageAttributes: { total: { DataType: 'Number', StringValue: String(total) } } }));
    const call = await lambda.next((r) => r.functionName === PROCESS_ORDER && r.invocationType === 'Event' && r.body.includes('aws:sns'));
    expect(call.json().Records[0].Sns).toMatchObject({ TopicArn, Message: 'order of 500' });
    const published = sy.publishedTo(TopicArn);
    expect(published.find((p) => p.body === 'order of 5')!.filteredOut).toContain(of('ProcessOrderBigOrder').ref);
    const invoked = lambda.requests.filter((r) => r.functionName === PROCESS_ORDER && r.body.includes('aws:sns')).map((r) => r.json().Records[0].Sns.Message);
    expect(invoked).toEqual(['order of 500']);
  });

  it('SqsSubscription: the topic delivers into a queue SAM made, which is polled for the function', async () => {
    await c.sns.send(new sns.PublishCommand({ TopicArn: of('OrdersTopic').arn, Message: 'for the audit' }));
    const call = await lambda.next((r) => r.functionName === AUDIT && r.body.includes('for the audit'));
    const record = call.json().Records[0];
    expect(record).toMatchObject({ eventSource: 'aws:sqs', eventSourceARN: of('AuditFunctionEverythingQueue').arn, awsRegion: 'us-east-1' });
    expect(JSON.parse(record.body)).toMatchObject({ Type: 'Notification', Message: 'for the audit' });
  });

  it('an SQS event: the queue is polled, the batch goes to the function as Lambda\'s SQS event, and is deleted once it succeeds', async () => {
    const QueueUrl = of('WorkQueue').url!;
    await c.sqs.send(new sqs.SendMessageCommand({ QueueUrl, MessageBody: 'work 1', MessageAttributes: { kind: { DataType: 'String', StringValue: 'job' } } }));
    const call = await lambda.next(invocationWith(PROCESS_ORDER, 'work 1'));
    expect(call.path).toBe(`/2015-03-31/functions/${encodeURIComponent(PROCESS_ORDER)}/invocations`);
    const [record] = call.json().Records;
    expect(record).toMatchObject({
      body: 'work 1',
      eventSource: 'aws:sqs',
      eventSourceARN: of('WorkQueue').arn,
      messageAttributes: { kind: { dataType: 'String', stringValue: 'job' } },
      attributes: { ApproximateReceiveCount: '1' },
    });
    expect(record.md5OfBody).toMatch(/^[0-9a-f]{32}$/);
    // Deleted: a message sent after it is the next thing invoked, and the queue is then empty.
    await c.sqs.send(new sqs.SendMessageCommand({ QueueUrl, MessageBody: 'work 2' }));
    await lambda.next(invocationWith(PROCESS_ORDER, 'work 2'));
    await settle(QueueUrl, (m) => m.visible.length + m.inFlight.length === 0);
  });

  it('a failing invocation leaves the batch in flight, to come back after the visibility timeout; ReportBatchItemFailures keeps only those', async () => {
    const QueueUrl = of('WorkQueue').url!;
    await c.sqs.send(new sqs.SendMessageCommand({ QueueUrl, MessageBody: 'fail' }));
    await lambda.next(invocationWith(PROCESS_ORDER, 'fail'));
    await settle(QueueUrl, (m) => m.inFlight.some((x) => x.body === 'fail'));
    await c.sqs.send(new sqs.SendMessageCommand({ QueueUrl, MessageBody: 'partial' }));
    await lambda.next(invocationWith(PROCESS_ORDER, 'partial'));
    await settle(QueueUrl, (m) => m.inFlight.some((x) => x.body === 'partial'));
    const poller = sy.stacks.pollerOf(`${ACCOUNT}/us-east-1/sam/ProcessOrderWork`)!;
    expect(poller.failures).toBeGreaterThanOrEqual(1);
    expect(poller.lastError).toMatch(/^Unhandled: /);
  });

  it('FilterCriteria: a message that matches no filter is deleted without an invocation', async () => {
    const QueueUrl = of('FilteredQueue').url!;
    await c.sqs.send(new sqs.SendMessageCommand({ QueueUrl, MessageBody: '{"kind": "other"}' }));
    await c.sqs.send(new sqs.SendMessageCommand({ QueueUrl, MessageBody: '{"kind": "audit"}' }));
    await lambda.next(invocationWith(AUDIT, '{"kind": "audit"}'));
    await settle(QueueUrl, (m) => m.visible.length + m.inFlight.length === 0);
    expect(lambda.requests.some((r) => r.body.includes('other'))).toBe(false);
  });

  it('a Schedule event: a rule with the schedule, disabled as Enabled: false says', async () => {
    const rule = await c.eb.send(new eb.DescribeRuleCommand({ Name: of('ProcessOrderNightly').ref }));
    expect(rule).toMatchObject({ ScheduleExpression: 'rate(1 day)', State: 'DISABLED' });
    const targets = await c.eb.send(new eb.ListTargetsByRuleCommand({ Rule: of('ProcessOrderNightly').ref }));
    expect(targets.Targets).toEqual([{ Id: 'ProcessOrderNightlyLambdaTarget', Arn: PROCESS_ORDER }]);
  });

  it('without forward.lambda the SQS mappings are listed as skipped and the queues are left alone', async () => {
    const other = await startSwitchyard({ port: 0, templates: [{ file: SAM }] });
    try {
      const s = other.stacks.get('sam')!;
      expect(s.skipped).toContain('ProcessOrderWork (AWS::Lambda::EventSourceMapping: no Lambda endpoint to invoke (set forward.lambda); the queue is not polled)');
    } finally {
      await other.stop();
    }
  });
});

/**
 * Waits until the queue's messages (peeked) satisfy `done`: the poller deletes after the
 * function's answer arrives, which the test sees only through the queue. Each look waits for
 * the next turn of the event loop (no sleep); five seconds bound it.
 */
async function settle(queueUrl: string, done: (m: NonNullable<ReturnType<Switchyard['messagesIn']>>) => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    if (done(sy.messagesIn(queueUrl)!)) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`the queue did not settle: ${JSON.stringify(sy.messagesIn(queueUrl))}`);
}
