/**
 * A real CDK app's template (test/fixtures/cdk-app: app.mjs, synthesized by aws-cdk-lib into
 * cdk.out/ShopStack.template.json by scripts/synth-cdk-fixture.sh): what CDK writes (hashed
 * logical ids, generated names, queue and topic policies, Fn::Join with AWS::Partition, the
 * BootstrapVersion SSM parameter and its Rules, Lambda functions and IAM roles) applies, and the
 * app then works: an event on the bus reaches the queue, the topic and the function; the
 * subscription's filter policy filters; the archive archives; the hourly schedule fires on the
 * clock; the DLQ takes what the queue cannot deliver.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as eb from '@aws-sdk/client-eventbridge';
import * as sns from '@aws-sdk/client-sns';
import * as sqs from '@aws-sdk/client-sqs';
import { startSwitchyard, type StackReport, type Switchyard } from '../src/index.js';
import { nameSuffix } from '../src/templates/names.js';
import { recorder, type Recorder } from './templates-support.js';

const CDK_OUT = fileURLToPath(new URL('./fixtures/cdk-app/cdk.out/', import.meta.url));
const TEMPLATE = `${CDK_OUT}ShopStack.template.json`;
const ACCOUNT = '000000000000';
const creds = { accessKeyId: 'test', secretAccessKey: 'test' };

let lambda: Recorder;
let sy: Switchyard;
let stack: StackReport;
let c: { sqs: sqs.SQSClient; sns: sns.SNSClient; eb: eb.EventBridgeClient };
const of = (id: string) => stack.resources.find((r) => r.logicalId === id)!;

beforeAll(async () => {
  lambda = await recorder(() => ({ status: 202 }));
  // A frozen clock: the hourly schedule fires when the test says an hour has passed.
  sy = await startSwitchyard({ port: 0, frozenClockAt: Date.parse('2026-01-01T00:00:00Z'), forward: { lambda: lambda.url }, templates: [{ file: TEMPLATE }] });
  stack = sy.stacks.get('ShopStack')!;
  const config = { endpoint: sy.endpoint, region: 'us-east-1', credentials: creds };
  c = { sqs: new sqs.SQSClient(config), sns: new sns.SNSClient(config), eb: new eb.EventBridgeClient(config) };
});
afterAll(async () => {
  await sy.stop();
  await lambda.close();
});

async function receive(QueueUrl: string) {
  return (await c.sqs.send(new sqs.ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5, MaxNumberOfMessages: 10 }))).Messages ?? [];
}

describe('a CDK app\'s synthesized template', () => {
  it('is what aws-cdk-lib wrote, kept with the version that wrote it', () => {
    expect(readFileSync(`${CDK_OUT}CDK_VERSION`, 'utf8').trim()).toMatch(/^2\.\d+\.\d+$/);
    const template = JSON.parse(readFileSync(TEMPLATE, 'utf8'));
    expect(template.Parameters.BootstrapVersion.Type).toBe('AWS::SSM::Parameter::Value<String>');
    expect(Object.keys(template.Rules)).toEqual(['CheckBootstrapVersion']);
  });

  it('applies: the stack ShopStack, every emulated resource created, the function, roles and policies skipped', () => {
    expect(stack.stackName).toBe('ShopStack');
    const counts: Record<string, number> = {};
    for (const r of stack.resources) counts[r.status] = (counts[r.status] ?? 0) + 1;
    expect(counts).toEqual({ created: 18, skipped: 5 });
    expect(stack.skipped).toEqual([
      'InvoiceFunctionServiceRoleBCE791C8 (AWS::IAM::Role)',
      'InvoiceFunction0302DF74 (AWS::Lambda::Function)',
      'OrderPlacedRuleAllowEventRuleShopStackInvoiceFunction62FFFE3C41F81A84 (AWS::Lambda::Permission)',
      'PartnerDestinationEventsRoleF6CE23DB (AWS::IAM::Role)',
      'PartnerDestinationEventsRoleDefaultPolicy6CFE2529 (AWS::IAM::Policy)',
    ]);
    expect(stack.parameters.BootstrapVersion).toBe('/cdk-bootstrap/hnb659fds/version');
    // CDK leaves most names to CloudFormation.
    expect(of('OrdersQueue3DFA1D51').attributes!.QueueName).toBe(`ShopStack-OrdersQueue3DFA1D51-${nameSuffix('ShopStack', 'OrdersQueue3DFA1D51')}`);
    expect(of('HourlyQueueF42EB471').attributes!.QueueName).toBe('shop-hourly');
    expect(of('InvoiceFunction0302DF74').arn).toBe(`arn:aws:lambda:us-east-1:${ACCOUNT}:function:ShopStack-InvoiceFunction0302DF74-${nameSuffix('ShopStack', 'InvoiceFunction0302DF74')}`);
    expect(stack.outputs).toEqual({ OrdersQueueUrl: { value: of('OrdersQueue3DFA1D51').url }, BusArn: { value: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/shop` } });
  });

  it('an OrderPlaced event on the bus reaches the queue, the topic (its detail) and the function', async () => {
    await c.eb.send(new eb.PutEventsCommand({ Entries: [{ EventBusName: 'shop', Source: 'shop', DetailType: 'OrderPlaced', Detail: '{"id": "o-1", "total": 250}' }] }));
    const [message] = await receive(of('OrdersQueue3DFA1D51').url!);
    expect(JSON.parse(message.Body!)).toMatchObject({ source: 'shop', 'detail-type': 'OrderPlaced', detail: { id: 'o-1', total: 250 } });
    await c.sqs.send(new sqs.DeleteMessageCommand({ QueueUrl: of('OrdersQueue3DFA1D51').url, ReceiptHandle: message.ReceiptHandle }));
    const call = await lambda.next((r) => r.functionName === of('InvoiceFunction0302DF74').arn);
    expect(call.json()).toMatchObject({ detail: { id: 'o-1' } });
    expect(sy.publishedTo(of('OrderEvents91E7078A').arn!).map((p) => JSON.parse(p.body))).toEqual([{ id: 'o-1', total: 250 }]);
    // The archive CDK declared on the bus keeps it.
    const archive = await c.eb.send(new eb.DescribeArchiveCommand({ ArchiveName: of('ShopBusShopArchive17010B4C').ref }));
    expect(archive).toMatchObject({ EventCount: 1, RetentionDays: 7, Description: 'Event Archive for shop Event Bus' });
  });

  it('the subscription CDK made (raw, filtered on total > 100) filters', async () => {
    const TopicArn = of('OrderEvents91E7078A').arn!;
    for (const total of [99, 101])
      await c.sns.send(new sns.PublishCommand({ TopicArn, Message: `total ${total}`, MessageAttributes: { total: { DataType: 'Number', StringValue: String(total) } } }));
    const messages = await receive(of('BigOrdersQueueCDFAE715').url!);
    expect(messages.map((m) => m.Body)).toEqual(['total 101']);
  });

  it('the hourly schedule fires into its queue when an hour passes on the clock', async () => {
    sy.clock.advance(3_600_000);
    const [message] = await receive(of('HourlyQueueF42EB471').url!);
    expect(JSON.parse(message.Body!)).toMatchObject({ source: 'aws.events', 'detail-type': 'Scheduled Event' });
  });

  it('the queue\'s DLQ takes a message received three times (maxReceiveCount 3), after the 45 s visibility timeout', async () => {
    const QueueUrl = of('OrdersQueue3DFA1D51').url!;
    await c.sqs.send(new sqs.SendMessageCommand({ QueueUrl, MessageBody: 'poison' }));
    for (let i = 0; i < 3; i++) {
      const got = await c.sqs.send(new sqs.ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
      expect(got.Messages?.[0]?.Body).toBe('poison');
      sy.clock.advance(45_000);
    }
    expect((await c.sqs.send(new sqs.ReceiveMessageCommand({ QueueUrl }))).Messages).toBeUndefined();
    const [dead] = await receive(of('OrdersDlq16CD0DA3').url!);
    expect(dead.Body).toBe('poison');
  });

  it('the API destination behind its connection, targeted by a rule with the role CDK made', async () => {
    const destination = await c.eb.send(new eb.DescribeApiDestinationCommand({ Name: of('PartnerDestinationApiDestination710C8142').ref }));
    expect(destination).toMatchObject({ HttpMethod: 'POST', InvocationEndpoint: 'http://127.0.0.1:9/orders', ConnectionArn: of('PartnerConnectionE04F894A').arn });
    const rule = of('PartnerRule85CA02CE').ref!.split('|');
    const targets = await c.eb.send(new eb.ListTargetsByRuleCommand({ EventBusName: rule[0], Rule: rule[1] }));
    expect(targets.Targets).toEqual([{ Id: 'Target0', Arn: destination.ApiDestinationArn, RoleArn: of('PartnerDestinationEventsRoleF6CE23DB').arn }]);
  });
});
