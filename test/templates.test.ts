/**
 * CloudFormation templates (src/templates, docs/templates.md): a hand-written YAML template with
 * every resource type Switchyard creates, applied at start and checked by what its resources do
 * through the real SDK clients (an event put on the bus reaches the queue, the topic and the API
 * destination through the rule the template made; the subscription's filter policy filters);
 * every intrinsic function; parameters with defaults and overrides; conditions (Fn::If with
 * AWS::NoValue, resources left out); outputs and exports; physical names; applying again
 * (in-process, and after a restart over a data directory) converges; the inspection API; the
 * config file's `templates:`; and each kind of bad template fails with one line naming the
 * template, the place in it and the problem.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as eb from '@aws-sdk/client-eventbridge';
import * as sns from '@aws-sdk/client-sns';
import * as sqs from '@aws-sdk/client-sqs';
import { TemplateError, applyTemplate, loadTemplate, startSwitchyard, type StackReport, type Switchyard } from '../src/index.js';
import { nameSuffix, physicalName } from '../src/templates/names.js';
import { recorder, type Recorder } from './templates-support.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/templates/', import.meta.url));
const SHOP = join(FIXTURES, 'shop.yaml');
const ACCOUNT = '000000000000';
const creds = { accessKeyId: 'test', secretAccessKey: 'test' };
const dir = mkdtempSync(join(tmpdir(), 'switchyard-templates-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function clients(sy: Switchyard) {
  const config = { endpoint: sy.endpoint, region: 'us-east-1', credentials: creds };
  return { sqs: new sqs.SQSClient(config), sns: new sns.SNSClient(config), eb: new eb.EventBridgeClient(config) };
}

function resource(stack: StackReport, logicalId: string) {
  const r = stack.resources.find((x) => x.logicalId === logicalId);
  if (!r) throw new Error(`no resource ${logicalId} in ${stack.stackName}`);
  return r;
}

async function receive(client: sqs.SQSClient, QueueUrl: string) {
  const out = await client.send(new sqs.ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }));
  return out.Messages ?? [];
}

describe('a hand-written template (shop.yaml), defaults', () => {
  let sy: Switchyard;
  let stack: StackReport;
  let partner: Recorder;
  let c: ReturnType<typeof clients>;

  beforeAll(async () => {
    partner = await recorder();
    sy = await startSwitchyard({ port: 0, templates: [{ file: SHOP, parameters: { PartnerEndpoint: `${partner.url}/orders` } }] });
    stack = sy.stacks.get('shop')!;
    c = clients(sy);
  });
  afterAll(async () => {
    await sy.stop();
    await partner.close();
  });

  it('is the stack `shop` (the file\'s name), with every resource type created and the rest skipped', () => {
    expect(stack.stackName).toBe('shop');
    expect(stack.template).toBe(SHOP);
    expect(stack.stackId).toMatch(/^arn:aws:cloudformation:us-east-1:000000000000:stack\/shop\/[0-9a-f-]{36}$/);
    const types = new Set(stack.resources.filter((r) => r.status === 'created').map((r) => r.type));
    expect([...types].sort()).toEqual([
      'AWS::Events::ApiDestination', 'AWS::Events::Archive', 'AWS::Events::Connection', 'AWS::Events::EventBus', 'AWS::Events::EventBusPolicy', 'AWS::Events::Rule',
      'AWS::SNS::Subscription', 'AWS::SNS::Topic', 'AWS::SNS::TopicPolicy', 'AWS::SQS::Queue', 'AWS::SQS::QueuePolicy',
    ]);
    expect(stack.skipped).toEqual(['NotifyRole (AWS::IAM::Role)', 'NotifyFunction (AWS::Lambda::Function)']);
    expect(resource(stack, 'AuditQueue')).toMatchObject({ status: 'excluded', note: 'its condition IsProd is false' });
    // Dependency order: each after what it refers to (the policy after the rule it names).
    const at = (id: string) => stack.resources.findIndex((r) => r.logicalId === id);
    expect(at('OrdersDlq')).toBeLessThan(at('OrdersQueue'));
    expect(at('OrderPlacedRule')).toBeLessThan(at('OrdersQueuePolicy'));
    expect(at('PartnerConnection')).toBeLessThan(at('PartnerDestination'));
    expect(at('PartnerDestination')).toBeLessThan(at('OrderPlacedRule'));
    expect(at('OrdersQueuePolicy')).toBeLessThan(at('NightlyRule')); // DependsOn
    expect(stack.parameters).toEqual({ Stage: 'dev', VisibilitySeconds: '30', Sources: 'shop,legacy-shop', PartnerEndpoint: `${partner.url}/orders`, PartnerKey: '****' });
    expect(stack.conditions).toEqual({ IsProd: false, IsDev: true, DevInUsEast: true, AnyStage: true });
  });

  it('names resources as CloudFormation does: the given name, or stack-logicalId-SUFFIX (.fifo for FIFO queues)', async () => {
    const orders = resource(stack, 'OrdersQueue');
    const name = `shop-OrdersQueue-${nameSuffix('shop', 'OrdersQueue')}`;
    expect(name).toMatch(/^shop-OrdersQueue-[A-Z0-9]{13}$/);
    expect(orders).toMatchObject({ physicalId: `${sy.endpoint}/${ACCOUNT}/${name}`, ref: `${sy.endpoint}/${ACCOUNT}/${name}`, url: `${sy.endpoint}/${ACCOUNT}/${name}`, arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}` });
    expect(orders.attributes).toEqual({ Arn: orders.arn, QueueName: name, QueueUrl: orders.url });
    expect(resource(stack, 'OrdersDlq').attributes!.QueueName).toBe('shop-orders-dlq');
    expect(resource(stack, 'PaymentsQueue').attributes!.QueueName).toBe(`shop-PaymentsQueue-${nameSuffix('shop', 'PaymentsQueue')}.fifo`);
    expect(resource(stack, 'OrderEvents')).toMatchObject({ ref: `arn:aws:sns:us-east-1:${ACCOUNT}:shop-order-events`, attributes: { TopicName: 'shop-order-events' } });
    expect(resource(stack, 'ShopBus')).toMatchObject({ ref: 'shop-bus', arn: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/shop-bus` });
    // A rule on another bus than the default: Ref is `bus|name`, as CloudFormation's.
    const rule = resource(stack, 'OrderPlacedRule');
    expect(rule.ref).toBe(`shop-bus|shop-OrderPlacedRule-${nameSuffix('shop', 'OrderPlacedRule')}`);
    expect(rule.arn).toBe(`arn:aws:events:us-east-1:${ACCOUNT}:rule/shop-bus/shop-OrderPlacedRule-${nameSuffix('shop', 'OrderPlacedRule')}`);
    expect(resource(stack, 'NightlyRule').ref).toBe(`shop-NightlyRule-${nameSuffix('shop', 'NightlyRule')}`);
    // Skipped types get the name and ARN they would have.
    expect(resource(stack, 'NotifyFunction')).toMatchObject({ status: 'skipped', ref: 'shop-notify', arn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:shop-notify` });
    expect(resource(stack, 'NotifyRole').arn).toBe(`arn:aws:iam::${ACCOUNT}:role/shop-NotifyRole-${nameSuffix('shop', 'NotifyRole')}`);
    // The real service agrees.
    const urls = (await c.sqs.send(new sqs.ListQueuesCommand({}))).QueueUrls!;
    expect(urls.sort()).toEqual([resource(stack, 'BigOrdersQueue').url, resource(stack, 'OrdersDlq').url, orders.url, resource(stack, 'PaymentsQueue').url].sort());
  });

  it('sets the properties: parameters, FindInMap, Fn::If with AWS::NoValue, tags, FIFO', async () => {
    const orders = resource(stack, 'OrdersQueue');
    const attrs = (await c.sqs.send(new sqs.GetQueueAttributesCommand({ QueueUrl: orders.url, AttributeNames: ['All'] }))).Attributes!;
    expect(attrs.VisibilityTimeout).toBe('30');
    expect(attrs.DelaySeconds).toBe('0'); // AWS::NoValue in dev: the property is left out
    expect(JSON.parse(attrs.RedrivePolicy!)).toEqual({ deadLetterTargetArn: resource(stack, 'OrdersDlq').arn, maxReceiveCount: 3 });
    expect(JSON.parse(attrs.Policy!).Statement[0].Condition.ArnEquals['aws:SourceArn']).toBe(resource(stack, 'OrderPlacedRule').arn);
    expect((await c.sqs.send(new sqs.ListQueueTagsCommand({ QueueUrl: orders.url }))).Tags).toEqual({ stage: 'dev' });
    const payments = (await c.sqs.send(new sqs.GetQueueAttributesCommand({ QueueUrl: resource(stack, 'PaymentsQueue').url, AttributeNames: ['All'] }))).Attributes!;
    expect(payments).toMatchObject({ FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    const topic = (await c.sns.send(new sns.GetTopicAttributesCommand({ TopicArn: resource(stack, 'OrderEvents').arn }))).Attributes!;
    expect(topic.DisplayName).toBe('shop');
    expect(JSON.parse(topic.Policy!).Statement[0].Sid).toBe('events');
    const bus = await c.eb.send(new eb.DescribeEventBusCommand({ Name: 'shop-bus' }));
    expect(bus.Description).toBe('The dev shop');
    expect(JSON.parse(bus.Policy!).Statement).toEqual([expect.objectContaining({ Sid: 'partner-account', Principal: { AWS: 'arn:aws:iam::111122223333:root' } })]);
    const rule = await c.eb.send(new eb.DescribeRuleCommand({ Name: resource(stack, 'OrderPlacedRule').attributes!.Arn!.toString().split('/').pop(), EventBusName: 'shop-bus' }));
    expect(rule.Description).toBe('Orders on shop-bus in us-east-1 (${not-a-variable})');
    expect(JSON.parse(rule.EventPattern!)).toEqual({ source: ['shop', 'legacy-shop'], 'detail-type': ['OrderPlaced'] });
    const nightly = await c.eb.send(new eb.DescribeRuleCommand({ Name: resource(stack, 'NightlyRule').ref }));
    expect(nightly).toMatchObject({ ScheduleExpression: 'rate(1 day)', State: 'DISABLED' });
    const nightlyTargets = await c.eb.send(new eb.ListTargetsByRuleCommand({ Rule: resource(stack, 'NightlyRule').ref }));
    expect(nightlyTargets.Targets).toEqual([{ Id: 'notify', Arn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:shop-notify`, Input: '{"job": "nightly"}' }]);
    const archive = await c.eb.send(new eb.DescribeArchiveCommand({ ArchiveName: resource(stack, 'ShopArchive').ref }));
    expect(archive).toMatchObject({ EventSourceArn: resource(stack, 'ShopBus').arn, RetentionDays: 1, EventPattern: '{"source":["shop"]}' });
    const connection = await c.eb.send(new eb.DescribeConnectionCommand({ Name: resource(stack, 'PartnerConnection').ref }));
    expect(connection).toMatchObject({ AuthorizationType: 'API_KEY', ConnectionState: 'AUTHORIZED' });
    expect(resource(stack, 'PartnerConnection').attributes).toMatchObject({ Arn: connection.ConnectionArn, SecretArn: connection.SecretArn });
    const destination = await c.eb.send(new eb.DescribeApiDestinationCommand({ Name: resource(stack, 'PartnerDestination').ref }));
    expect(destination).toMatchObject({ ConnectionArn: connection.ConnectionArn, InvocationEndpoint: `${partner.url}/orders`, HttpMethod: 'POST' });
  });

  it('an event put on the bus reaches the queue, the topic and the API destination through the template\'s rule', async () => {
    const put = await c.eb.send(new eb.PutEventsCommand({ Entries: [{ EventBusName: 'shop-bus', Source: 'legacy-shop', DetailType: 'OrderPlaced', Detail: '{"id": 7, "total": 120}' }] }));
    expect(put.FailedEntryCount).toBe(0);
    // The queue target: through the input transformer.
    const [message] = await receive(c.sqs, resource(stack, 'OrdersQueue').url!);
    expect(JSON.parse(message.Body!)).toEqual({ order: 7, total: 120 });
    // The topic target (InputPath $.detail) fans out to nothing that matches... and the API destination gets the event with its header and API key.
    const call = await partner.next((r) => r.path === '/orders');
    expect(call.method).toBe('POST');
    expect(call.headers['x-stage']).toBe('dev');
    expect(call.headers['x-api-key']).toBe('local-secret');
    expect(call.json()).toMatchObject({ source: 'legacy-shop', detail: { id: 7, total: 120 } });
    const published = sy.publishedTo(resource(stack, 'OrderEvents').arn!);
    expect(published.map((p) => JSON.parse(p.body))).toEqual([{ id: 7, total: 120 }]);
  });

  it('the subscription\'s filter policy from the template filters', async () => {
    const TopicArn = resource(stack, 'OrderEvents').arn!;
    const publish = (total: number) =>
      c.sns.send(new sns.PublishCommand({ TopicArn, Message: JSON.stringify({ total }), MessageAttributes: { total: { DataType: 'Number', StringValue: String(total) } } }));
    await publish(50);
    await publish(150);
    const messages = await receive(c.sqs, resource(stack, 'BigOrdersQueue').url!);
    // Raw delivery (RawMessageDelivery: true): the body as published; the 50 was filtered out.
    expect(messages.map((m) => m.Body)).toEqual(['{"total":150}']);
    const subs = await c.sns.send(new sns.ListSubscriptionsByTopicCommand({ TopicArn }));
    expect(subs.Subscriptions).toEqual([expect.objectContaining({ Protocol: 'sqs', Endpoint: resource(stack, 'BigOrdersQueue').arn, SubscriptionArn: resource(stack, 'BigOrdersSubscription').ref })]);
  });

  it('outputs are resolved, with exports; a condition leaves one out', () => {
    const orders = resource(stack, 'OrdersQueue');
    expect(stack.outputs).toEqual({
      OrdersQueueUrl: { value: orders.url, exportName: 'shop-OrdersQueueUrl' },
      BusArn: { value: resource(stack, 'ShopBus').arn, exportName: 'shop-BusArn' },
      NightlyRule: { value: resource(stack, 'NightlyRule').ref, description: `the rule ${resource(stack, 'NightlyRule').ref}` },
      OrderRule: { value: resource(stack, 'OrderPlacedRule').ref },
      Zones: { value: 'us-east-1a,us-east-1b,us-east-1c' },
      DevInUsEast: { value: 'yes' },
      AnyStage: { value: 'yes' },
      StackId: { value: stack.stackId },
      Partition: { value: `aws amazonaws.com ${ACCOUNT}` },
      NotifyRoleArn: { value: resource(stack, 'NotifyRole').arn },
    });
  });

  it('GET /_switchyard/api/stacks lists the stacks; /stacks/<name> and /stacks/<name>/<logical id> give one', async () => {
    const all = (await (await fetch(`${sy.endpoint}/_switchyard/api/stacks`)).json()) as { stacks: StackReport[] };
    expect(all.stacks.map((s) => s.stackName)).toEqual(['shop']);
    expect(all.stacks[0]).toEqual(JSON.parse(JSON.stringify(stack)));
    const one = await fetch(`${sy.endpoint}/_switchyard/api/stacks/shop`);
    expect(((await one.json()) as StackReport).resources).toHaveLength(stack.resources.length);
    const queue = (await (await fetch(`${sy.endpoint}/_switchyard/api/stacks/shop/OrdersQueue`)).json()) as { url: string };
    expect(queue.url).toBe(resource(stack, 'OrdersQueue').url);
    const none = await fetch(`${sy.endpoint}/_switchyard/api/stacks/nope`);
    expect(none.status).toBe(404);
    expect(await none.json()).toEqual({ error: 'NotFound', message: 'No stack named nope was applied.' });
    expect((await fetch(`${sy.endpoint}/_switchyard/api/stacks/shop/Nope`)).status).toBe(404);
  });

  it('applying again changes nothing and makes nothing twice', async () => {
    const again = applyTemplate(await loadTemplate({ file: SHOP, parameters: { PartnerEndpoint: `${partner.url}/orders` } }), sy, { account: ACCOUNT, region: 'us-east-1', baseUrl: sy.endpoint });
    const statuses = Object.fromEntries(again.resources.map((r) => [r.logicalId, r.status]));
    for (const [id, status] of Object.entries(statuses)) {
      const expected = id === 'PartnerConnection' ? 'updated' : ['NotifyRole', 'NotifyFunction'].includes(id) ? 'skipped' : id === 'AuditQueue' ? 'excluded' : 'unchanged';
      expect(status, id).toBe(expected);
    }
    expect(again.resources.map((r) => r.ref)).toEqual(stack.resources.map((r) => r.ref));
    expect((await c.sqs.send(new sqs.ListQueuesCommand({}))).QueueUrls).toHaveLength(4);
    expect((await c.eb.send(new eb.ListTargetsByRuleCommand({ Rule: resource(stack, 'OrderPlacedRule').ref!.split('|')[1], EventBusName: 'shop-bus' }))).Targets).toHaveLength(3);
    expect((await c.sns.send(new sns.ListSubscriptionsByTopicCommand({ TopicArn: resource(stack, 'OrderEvents').arn }))).Subscriptions).toHaveLength(1);
    expect(sy.stacks.list()).toHaveLength(1);
  });
});

describe('parameters, conditions and applying a changed template', () => {
  let sy: Switchyard;
  beforeAll(async () => {
    sy = await startSwitchyard({ port: 0 });
  });
  afterAll(() => sy.stop());
  const where = () => ({ account: ACCOUNT, region: 'us-east-1', baseUrl: sy.endpoint });

  it('overrides change what is created: Stage=prod makes the conditional queue, sets DelaySeconds, enables the rule', async () => {
    const stack = applyTemplate(await loadTemplate({ file: SHOP, stackName: 'prod', parameters: { Stage: 'prod' } }), sy, where());
    expect(stack.conditions).toMatchObject({ IsProd: true, IsDev: false, DevInUsEast: false, AnyStage: true });
    expect(resource(stack, 'AuditQueue').status).toBe('created');
    expect(stack.outputs.AuditQueueUrl).toEqual({ value: resource(stack, 'AuditQueue').url });
    expect(stack.outputs.DevInUsEast.value).toBe('no');
    const c = clients(sy);
    const attrs = (await c.sqs.send(new sqs.GetQueueAttributesCommand({ QueueUrl: resource(stack, 'OrdersQueue').url, AttributeNames: ['All'] }))).Attributes!;
    expect(attrs.DelaySeconds).toBe('5');
    expect(JSON.parse(attrs.RedrivePolicy!).maxReceiveCount).toBe(5);
    expect((await c.eb.send(new eb.DescribeRuleCommand({ Name: resource(stack, 'NightlyRule').ref }))).State).toBe('ENABLED');
    expect((await c.eb.send(new eb.DescribeArchiveCommand({ ArchiveName: resource(stack, 'ShopArchive').ref }))).RetentionDays).toBe(30);
    // Shared parameters (the command line's --parameter) apply where the template declares them; its own win.
    const shared = applyTemplate(await loadTemplate({ file: SHOP, stackName: 'shared', parameters: { VisibilitySeconds: '40' } }), sy, { ...where(), sharedParameters: { Stage: 'prod', VisibilitySeconds: '99', Unrelated: 'x' } });
    expect(shared.parameters).toMatchObject({ Stage: 'prod', VisibilitySeconds: '40' });
  });

  it('a changed template updates what exists (the queue keeps its URL) and says so', async () => {
    const first = applyTemplate(await loadTemplate({ file: SHOP, stackName: 'change' }), sy, where());
    const second = applyTemplate(await loadTemplate({ file: SHOP, stackName: 'change', parameters: { VisibilitySeconds: '90', Sources: 'shop' } }), sy, where());
    expect(resource(second, 'OrdersQueue')).toMatchObject({ status: 'updated', url: resource(first, 'OrdersQueue').url });
    expect(resource(second, 'OrderPlacedRule').status).toBe('updated');
    expect(resource(second, 'OrdersDlq').status).toBe('unchanged');
    const c = clients(sy);
    const attrs = (await c.sqs.send(new sqs.GetQueueAttributesCommand({ QueueUrl: resource(second, 'OrdersQueue').url, AttributeNames: ['VisibilityTimeout'] }))).Attributes!;
    expect(attrs.VisibilityTimeout).toBe('90');
  });

  it('the JSON long forms: Fn::If picks a name and leaves FifoQueue out (AWS::NoValue); string numbers are numbers', async () => {
    const standard = applyTemplate(await loadTemplate({ file: join(FIXTURES, 'orders.json'), parameters: { Prefix: 'std' } }), sy, where());
    expect(standard.stackName).toBe('orders');
    expect(standard.outputs.JobsName.value).toBe('std-jobs');
    const fifo = applyTemplate(await loadTemplate({ file: join(FIXTURES, 'orders.json'), stackName: 'orders-fifo', parameters: { Prefix: 'f', Fifo: 'true' } }), sy, where());
    expect(fifo.outputs.JobsName.value).toBe('f-jobs.fifo');
    const c = clients(sy);
    const attrs = (await c.sqs.send(new sqs.GetQueueAttributesCommand({ QueueUrl: resource(fifo, 'Jobs').url, AttributeNames: ['All'] }))).Attributes!;
    expect(attrs).toMatchObject({ FifoQueue: 'true', VisibilityTimeout: '45' });
    expect(fifo.outputs.AlertsName.value).toBe(`orders-fifo-Alerts-${nameSuffix('orders-fifo', 'Alerts')}.fifo`);
    // The topic's inline Subscription list: subscribed once, also when applied again.
    const alerts = resource(standard, 'Alerts').arn!;
    expect(standard.outputs.AlertsName.value).toBe(`orders-Alerts-${nameSuffix('orders', 'Alerts')}`);
    applyTemplate(await loadTemplate({ file: join(FIXTURES, 'orders.json'), parameters: { Prefix: 'std' } }), sy, where());
    const subs = await c.sns.send(new sns.ListSubscriptionsByTopicCommand({ TopicArn: alerts }));
    expect(subs.Subscriptions?.map((s) => s.Endpoint)).toEqual([resource(standard, 'Jobs').arn]);
  });

  it('every intrinsic function', async () => {
    const stack = applyTemplate(await loadTemplate({ file: join(FIXTURES, 'intrinsics.yaml') }), sy, where());
    const marker = resource(stack, 'Marker');
    const value = Object.fromEntries(Object.entries(stack.outputs).map(([k, o]) => [k, o.value]));
    expect(value).toEqual({
      Ref: marker.url,
      GetAttShort: 'intrinsics-marker',
      GetAttLong: `arn:aws:sqs:us-east-1:${ACCOUNT}:intrinsics-marker`,
      Sub: 'queue intrinsics-marker in us-east-1, ${Literal}',
      SubVariables: 'hello, b',
      Join: 'a + b + c',
      JoinEmpty: 'xy',
      Select: 'c',
      Split: 'a|b|c',
      IfTrue: 'yes',
      FindInMap: 'use1',
      FindInMapDefault: 'none',
      Base64: Buffer.from('Switchyard').toString('base64'),
      GetAZs: 'us-east-1a,us-east-1b,us-east-1c',
      Cidr: '10.0.0.0/24,10.0.1.0/24,10.0.2.0/24',
      Length: 4,
      ToJsonString: '{"b":[1,2],"a":"x"}',
      Ports: '80:443',
      Bucket: '/config/bucket', // no Parameter Store: an SSM parameter's value is its name, unless given
    });
  });

  it('Fn::ImportValue finds another stack\'s export', async () => {
    applyTemplate(await loadTemplate({ file: SHOP, stackName: 'exporter' }), sy, where());
    const importer = applyTemplate(
      await loadTemplate({ body: 'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      Tags: [{Key: bus, Value: !ImportValue exporter-BusArn}]\nOutputs:\n  Url: {Value: !ImportValue exporter-OrdersQueueUrl}\n', stackName: 'importer' }),
      sy,
      where(),
    );
    expect(importer.outputs.Url.value).toBe(sy.stacks.resource('exporter', 'OrdersQueue')!.url);
    const tags = await clients(sy).sqs.send(new sqs.ListQueueTagsCommand({ QueueUrl: resource(importer, 'Q').url }));
    expect(tags.Tags).toEqual({ bus: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/exporter-bus` });
  });

  it('inline policies, delivery status logging, a bus policy, an event source mapping without a Lambda endpoint', async () => {
    const body = `
Resources:
  Q: {Type: AWS::SQS::Queue, Properties: {QueueName: inline-q}}
  QP:
    Type: AWS::SQS::QueueInlinePolicy
    Properties:
      Queue: !Ref Q
      PolicyDocument: {Version: '2012-10-17', Statement: [{Sid: inline-q, Effect: Allow, Principal: '*', Action: 'sqs:SendMessage', Resource: !GetAtt Q.Arn}]}
  T:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: inline-t
      DeliveryStatusLogging: [{Protocol: sqs, SuccessFeedbackRoleArn: 'arn:aws:iam::000000000000:role/log', SuccessFeedbackSampleRate: 50}]
  TP:
    Type: AWS::SNS::TopicInlinePolicy
    Properties:
      TopicArn: !Ref T
      PolicyDocument: {Version: '2012-10-17', Statement: [{Sid: inline-t, Effect: Allow, Principal: '*', Action: 'sns:Publish', Resource: !Ref T}]}
  B:
    Type: AWS::Events::EventBus
    Properties:
      Name: inline-bus
      Policy: {Version: '2012-10-17', Statement: [{Sid: all, Effect: Allow, Principal: {AWS: 'arn:aws:iam::111122223333:root'}, Action: 'events:PutEvents', Resource: !Sub 'arn:aws:events:\${AWS::Region}:\${AWS::AccountId}:event-bus/inline-bus'}]}
  DefaultBusPolicy:
    Type: AWS::Events::EventBusPolicy
    Properties:
      StatementId: whole
      Statement: {Effect: Allow, Principal: {AWS: 'arn:aws:iam::444455556666:root'}, Action: 'events:PutEvents', Resource: !Sub 'arn:aws:events:\${AWS::Region}:\${AWS::AccountId}:event-bus/default'}
  M:
    Type: AWS::Lambda::EventSourceMapping
    Properties: {EventSourceArn: !GetAtt Q.Arn, FunctionName: fn, BatchSize: 5}
  K:
    Type: AWS::Lambda::EventSourceMapping
    Properties: {EventSourceArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/s', FunctionName: fn, StartingPosition: LATEST}
`;
    const stack = applyTemplate(await loadTemplate({ body, stackName: 'inline' }), sy, where());
    const c = clients(sy);
    const queuePolicy = (await c.sqs.send(new sqs.GetQueueAttributesCommand({ QueueUrl: resource(stack, 'Q').url, AttributeNames: ['Policy'] }))).Attributes!.Policy!;
    expect(JSON.parse(queuePolicy).Statement[0].Sid).toBe('inline-q');
    const topic = (await c.sns.send(new sns.GetTopicAttributesCommand({ TopicArn: resource(stack, 'T').arn }))).Attributes!;
    expect(topic).toMatchObject({ SQSSuccessFeedbackRoleArn: 'arn:aws:iam::000000000000:role/log', SQSSuccessFeedbackSampleRate: '50' });
    expect(JSON.parse(topic.Policy!).Statement[0].Sid).toBe('inline-t');
    expect(JSON.parse((await c.eb.send(new eb.DescribeEventBusCommand({ Name: 'inline-bus' }))).Policy!).Statement.map((x: { Sid: string }) => x.Sid)).toEqual(['all']);
    expect(resource(stack, 'B').attributes!.Policy).toContain('111122223333');
    const defaultBus = JSON.parse((await c.eb.send(new eb.DescribeEventBusCommand({}))).Policy!);
    expect(defaultBus.Statement).toEqual([{ Sid: 'whole', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'events:PutEvents', Resource: `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default` }]);
    expect(resource(stack, 'M')).toMatchObject({ status: 'skipped', ref: expect.stringMatching(/^[0-9a-f-]{36}$/), note: 'no Lambda endpoint to invoke (set forward.lambda); the queue is not polled' });
    expect(resource(stack, 'K')).toMatchObject({ status: 'skipped', note: 'only SQS event sources are polled by Switchyard' });
    const again = applyTemplate(await loadTemplate({ body, stackName: 'inline' }), sy, where());
    expect(again.resources.filter((r) => r.status !== 'skipped').map((r) => `${r.logicalId} ${r.status}`)).toEqual(['Q unchanged', 'QP unchanged', 'T unchanged', 'TP unchanged', 'B unchanged', 'DefaultBusPolicy unchanged']);
  });

  it('reset() empties the stacks with everything else', async () => {
    const other = await startSwitchyard({ port: 0, templates: [{ file: join(FIXTURES, 'orders.json'), parameters: { Prefix: 'r' } }] });
    expect(other.stacks.list()).toHaveLength(1);
    other.reset();
    expect(other.stacks.list()).toEqual([]);
    await other.stop();
  });
});

describe('physical names', () => {
  it('are stable per stack and logical id, and shortened to the type\'s limit, the longer part first', () => {
    expect(nameSuffix('shop', 'OrdersQueue')).toBe(nameSuffix('shop', 'OrdersQueue'));
    expect(nameSuffix('shop', 'OrdersQueue')).not.toBe(nameSuffix('shop2', 'OrdersQueue'));
    expect(physicalName('shop', 'Q', { maxLength: 80 })).toBe(`shop-Q-${nameSuffix('shop', 'Q')}`);
    const long = physicalName('a-rather-long-stack-name', 'AnEvenLongerLogicalIdThanTheStackName1234', { maxLength: 64 });
    expect(long).toHaveLength(64);
    // The 13-character suffix stays whole; the logical id (longer) was cut first, then both evenly.
    expect(long).toBe(`a-rather-long-stack-name-AnEvenLongerLogicalIdThan-${nameSuffix('a-rather-long-stack-name', 'AnEvenLongerLogicalIdThanTheStackName1234')}`);
    const fifo = physicalName('s'.repeat(70), 'Queue', { maxLength: 80, ending: '.fifo' });
    expect(fifo).toHaveLength(80);
    expect(fifo.endsWith('.fifo')).toBe(true);
  });
});

describe('a data directory: restarting applies the template over what was restored', () => {
  it('finds its resources again, keeps their messages, and changes nothing', async () => {
    const data = join(dir, 'data');
    const first = await startSwitchyard({ port: 0, dataDir: data, templates: [{ file: SHOP }] });
    const url = first.stacks.resource('shop', 'OrdersQueue')!.url!;
    await clients(first).sqs.send(new sqs.SendMessageCommand({ QueueUrl: url, MessageBody: 'kept' }));
    await first.stop();
    const second = await startSwitchyard({ port: 0, dataDir: data, templates: [{ file: SHOP }] });
    try {
      const stack = second.stacks.get('shop')!;
      const statuses = new Set(stack.resources.filter((r) => !['skipped', 'excluded'].includes(r.status) && r.logicalId !== 'PartnerConnection').map((r) => r.status));
      expect([...statuses]).toEqual(['unchanged']);
      const again = stack.resources.find((r) => r.logicalId === 'OrdersQueue')!.url!;
      expect(new URL(again).pathname).toBe(new URL(url).pathname);
      const messages = await receive(clients(second).sqs, again);
      expect(messages.map((m) => m.Body)).toEqual(['kept']);
    } finally {
      await second.stop();
    }
  });
});

describe('the config file\'s templates: entry', () => {
  it('applies each template after the file\'s resources, a file named relative to the config file', async () => {
    const configDir = mkdtempSync(join(dir, 'config-'));
    writeFileSync(join(configDir, 'stack.yaml'), 'Parameters:\n  Name: {Type: String}\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Ref Name\n      RedrivePolicy: {deadLetterTargetArn: !Sub "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:from-config", maxReceiveCount: 2}\n');
    const config = join(configDir, 'switchyard.yaml');
    writeFileSync(config, 'queues:\n  - name: from-config\ntemplates:\n  - file: stack.yaml\n    stackName: cfg\n    parameters: { Name: from-template }\n');
    const sy = await startSwitchyard({ port: 0, config });
    try {
      expect(sy.stacks.resource('cfg', 'Q')).toMatchObject({ status: 'created', attributes: { QueueName: 'from-template' } });
      const urls = (await clients(sy).sqs.send(new sqs.ListQueuesCommand({}))).QueueUrls!.map((u) => u.split('/').pop());
      expect(urls.sort()).toEqual(['from-config', 'from-template']);
    } finally {
      await sy.stop();
    }
    writeFileSync(config, 'templates:\n  - file: stack.yaml\n    stackname: cfg\n');
    await expect(startSwitchyard({ port: 0, config })).rejects.toThrow(`${config}: templates[0].stackname: unknown key (did you mean "stackName"?); expected one of: file, stackName, parameters`);
    writeFileSync(config, 'templates:\n  - stack.yaml\n');
    await expect(startSwitchyard({ port: 0, config })).rejects.toThrow('stack.yaml: Parameters.Name: no value: the parameter has no Default');
  });
});

describe('a bad template: one line naming the template, where in it, and what is wrong', () => {
  const q = (props: string) => `Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n${props}`;
  const cases: Array<[string, string, RegExp | string]> = [
    ['YAML syntax', 'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n   Properties: {}\n', 'bad.yaml: line 4, column 1: YAML syntax error: All mapping items must start at the same column'],
    ['an unknown short-form tag', q('      QueueName: !Reff X\n'), /^bad\.yaml: line 5, column 18: YAML syntax error: Unresolved tag: !Reff/],
    ['no Resources', 'Description: nothing\n', 'bad.yaml: Resources: is required: a template declares at least one resource'],
    ['an unknown section', 'Resource: {}\n', 'bad.yaml: Resource: unknown key (did you mean "Resources"?)'],
    ['an unknown property, with a suggestion', q('      VisibilityTimout: 30\n'), 'bad.yaml: Resources.Q.Properties.VisibilityTimout: AWS::SQS::Queue has no property VisibilityTimout (did you mean "VisibilityTimeout"?); its properties are: '],
    ['a property of the wrong type', 'Resources:\n  R:\n    Type: AWS::Events::Rule\n    Properties:\n      ScheduleExpression: rate(1 hour)\n      Targets: [{Id: t, Arn: arn:aws:sqs:us-east-1:000000000000:q, RetryPolicy: {MaximumRetryAttempts: three}}]\n', 'bad.yaml: Resources.R.Properties.Targets[0].RetryPolicy.MaximumRetryAttempts: must be a whole number, got the string "three"'],
    ['what AWS refuses, with AWS\'s error', 'Resources:\n  R:\n    Type: AWS::Events::Rule\n    Properties:\n      EventPattern: {source: shop}\n', /^bad\.yaml: Resources\.R: PutRule failed with InvalidEventPatternException: Event pattern is not valid\. Reason: "source" must be an object or an array/],
    ['an attribute AWS refuses', q('      MessageRetentionPeriod: 5\n'), /^bad\.yaml: Resources\.Q: CreateQueue failed with InvalidAttributeValue: /],
    ['a required property missing', 'Resources:\n  D:\n    Type: AWS::Events::ApiDestination\n    Properties: {HttpMethod: POST, InvocationEndpoint: "http://x"}\n', 'bad.yaml: Resources.D.Properties.ConnectionArn: is required'],
    ['a Ref to nothing', q('      QueueName: !Ref Nope\n'), 'bad.yaml: Resources.Q.Properties.QueueName.Ref: refers to Nope, which is neither a parameter nor a resource of the template'],
    ['an attribute the type does not have', q('      QueueName: x\n') + '  R:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !GetAtt Q.Url\n', 'bad.yaml: Resources.R.Properties.QueueName["Fn::GetAtt"]: AWS::SQS::Queue has no attribute Url for Fn::GetAtt; its attributes are Arn, QueueName, QueueUrl'],
    ['an unknown pseudo parameter', q('      QueueName: !Ref AWS::Regoin\n'), /^bad\.yaml: Resources\.Q\.Properties\.QueueName\.Ref: unknown pseudo parameter AWS::Regoin/],
    ['a circular dependency', 'Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties: {QueueName: !GetAtt B.QueueName}\n  B:\n    Type: AWS::SQS::Queue\n    DependsOn: A\n', 'bad.yaml: Resources: circular dependency: A -> B -> A'],
    ['a DependsOn to nothing', 'Resources:\n  A:\n    Type: AWS::SQS::Queue\n    DependsOn: [B]\n', 'bad.yaml: Resources.A.DependsOn: no resource named B is declared'],
    ['conditions that refer to each other', 'Conditions:\n  A: !Not [!Condition B]\n  B: !Not [!Condition A]\nResources:\n  Q: {Type: AWS::SQS::Queue}\n', 'bad.yaml: Conditions.A: the conditions refer to each other in a circle: A -> B -> A'],
    ['an unknown condition', 'Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Condition: Nope\n', 'bad.yaml: Resources.A.Condition: no condition named Nope is declared in Conditions'],
    ['a reference to a resource left out by its condition', 'Conditions:\n  No: !Equals [a, b]\nResources:\n  A:\n    Type: AWS::SQS::Queue\n    Condition: No\n  B:\n    Type: AWS::SQS::Queue\n    Properties: {QueueName: !GetAtt A.QueueName}\n', 'bad.yaml: Resources.B.Properties.QueueName["Fn::GetAtt"]: refers to A, which is not created because its condition No is false'],
    ['a condition that refers to a resource', 'Conditions:\n  C: !Equals [!Ref A, x]\nResources:\n  A:\n    Type: AWS::SQS::Queue\n', 'bad.yaml: Conditions.C["Fn::Equals"][0].Ref: refers to the resource A; only Resources and Outputs may refer to resources'],
    ['a value not allowed', 'Parameters:\n  Stage: {Type: String, Default: qa, AllowedValues: [dev, prod]}\nResources:\n  A: {Type: AWS::SQS::Queue}\n', 'bad.yaml: Parameters.Stage: "qa" is not one of the AllowedValues: dev, prod'],
    ['a parameter without a value', 'Parameters:\n  Stage: {Type: String}\nResources:\n  A: {Type: AWS::SQS::Queue}\n', /^bad\.yaml: Parameters\.Stage: no value: the parameter has no Default, so give one \(--parameter Stage=VALUE/],
    ['a Number that is not one', 'Parameters:\n  N: {Type: Number, Default: many, ConstraintDescription: must be a count}\nResources:\n  A: {Type: AWS::SQS::Queue}\n', 'bad.yaml: Parameters.N: must be a count ("many" is not a number)'],
    ['a serverless resource without the transform', 'Resources:\n  F:\n    Type: AWS::Serverless::Function\n', 'bad.yaml: Resources.F: AWS::Serverless::Function needs the SAM transform: add "Transform: AWS::Serverless-2016-10-31" to the template'],
    ['a transform Switchyard does not run', 'Transform: MyMacro\nResources:\n  A: {Type: AWS::SQS::Queue}\n', /^bad\.yaml: Transform: the transform MyMacro is not supported by Switchyard/],
    ['an intrinsic only conditions may use', q('      QueueName: !Equals [a, b]\n'), 'bad.yaml: Resources.Q.Properties.QueueName["Fn::Equals"]: Fn::Equals can only be used in Conditions (use Fn::If with a condition name here)'],
    ['Fn::Select out of range', q('      QueueName: !Select [3, [a, b]]\n'), 'bad.yaml: Resources.Q.Properties.QueueName["Fn::Select"][0]: index 3 is out of range: the list has 2 items'],
    ['a FIFO queue name without .fifo', q('      QueueName: jobs\n      FifoQueue: true\n'), /^bad\.yaml: Resources\.Q: CreateQueue failed with InvalidParameterValue: /],
  ];
  it.each(cases)('%s', async (_what, text, message) => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, text);
    let error: unknown;
    try {
      const sy = await startSwitchyard({ port: 0, templates: [{ file }] });
      await sy.stop();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(TemplateError);
    const line = (error as Error).message.replace(file, 'bad.yaml');
    expect(line.includes('\n')).toBe(false);
    if (typeof message === 'string') expect(line.startsWith(message), line).toBe(true);
    else expect(line).toMatch(message);
  });

  it('the file cannot be read; a parameter value for a parameter nobody declares', async () => {
    await expect(startSwitchyard({ port: 0, templates: [{ file: join(dir, 'missing.yaml') }] })).rejects.toThrow(`${join(dir, 'missing.yaml')}: cannot read the template: no such file`);
    await expect(startSwitchyard({ port: 0, templates: [{ file: SHOP, parameters: { Stgae: 'prod' } }] })).rejects.toThrow(
      `${SHOP}: Parameters.Stgae: a value is given, but the template declares no such parameter (it declares: Stage, VisibilitySeconds, Sources, PartnerEndpoint, PartnerKey)`,
    );
    await expect(startSwitchyard({ port: 0, templates: [{ file: SHOP }], templateParameters: { Stgae: 'prod' } })).rejects.toThrow(
      'template parameters: Stgae: no template declares this parameter (they declare: Stage, VisibilitySeconds, Sources, PartnerEndpoint, PartnerKey)',
    );
    await expect(startSwitchyard({ port: 0, templates: [{ file: SHOP, stackName: '1shop' }] })).rejects.toThrow(`${SHOP}: stackName: "1shop" is not a stack name`);
  });

  it('an error after some resources exist stops the server and frees the port', async () => {
    const file = join(dir, 'late.yaml');
    writeFileSync(file, 'Resources:\n  A: {Type: AWS::SQS::Queue, Properties: {QueueName: fine}}\n  B:\n    Type: AWS::Events::Rule\n    DependsOn: A\n    Properties: {ScheduleExpression: "every hour"}\n');
    const port = await (async () => {
      const probe = await startSwitchyard({ port: 0 });
      const p = probe.port;
      await probe.stop();
      return p;
    })();
    await expect(startSwitchyard({ port, templates: [{ file }] })).rejects.toThrow(/late\.yaml: Resources\.B: PutRule failed with ValidationException: Parameter ScheduleExpression is not valid\./);
    const again = await startSwitchyard({ port });
    await again.stop();
  });
});
