/**
 * The SAM transform (`Transform: AWS::Serverless-2016-10-31`), for what Switchyard emulates: an
 * AWS::Serverless::Function's events of type EventBridgeRule (and CloudWatchEvent), Schedule,
 * SNS and SQS become the resources SAM makes of them, with SAM's logical ids, so a template's
 * Refs to them (and its outputs) work as after `sam deploy`:
 *
 * - EventBridgeRule `E` of function `F`: an AWS::Events::Rule `FE` whose target (`FELambdaTarget`)
 *   is the function's ARN; with `DeadLetterConfig: {Type: SQS}` also the queue `FEQueue`.
 * - Schedule: the same rule with the schedule expression.
 * - SNS: an AWS::SNS::Subscription `FE` (protocol lambda); with `SqsSubscription`, a queue
 *   `FEQueue` (or the one given), its policy, an sqs subscription and an event source mapping
 *   `FEEventSourceMapping`.
 * - SQS: an AWS::Lambda::EventSourceMapping `FE` from the queue to the function.
 *
 * The function itself becomes an AWS::Lambda::Function (skipped: Switchyard runs no code; its
 * ARN is what rules and subscriptions invoke, reaching `forward.lambda` when set), with the
 * execution role `FRole` SAM makes when the template gives none, and the Lambda permissions
 * (skipped). Events of other types (Api, S3, Kinesis, ...) are listed as skipped. Other
 * AWS::Serverless::* resources become the resource type they stand for, skipped, so references
 * to them resolve to plausible names and ARNs.
 */
import type { Mapping } from '../config-file/check.js';
import { joinPath } from '../config-file/errors.js';
import { isMapping } from './intrinsics.js';
import type { Template, TemplateChecker, TemplateResource } from './template.js';

/** Serverless resource types, as the CloudFormation type each stands for and its name property. */
const STANDS_FOR: Record<string, { type: string; rename?: [string, string] }> = {
  'AWS::Serverless::SimpleTable': { type: 'AWS::DynamoDB::Table' },
  'AWS::Serverless::StateMachine': { type: 'AWS::StepFunctions::StateMachine', rename: ['Name', 'StateMachineName'] },
  'AWS::Serverless::Api': { type: 'AWS::ApiGateway::RestApi' },
  'AWS::Serverless::HttpApi': { type: 'AWS::ApiGatewayV2::Api' },
  'AWS::Serverless::LayerVersion': { type: 'AWS::Lambda::LayerVersion', rename: ['LayerName', 'LayerName'] },
  'AWS::Serverless::Application': { type: 'AWS::CloudFormation::Stack' },
  'AWS::Serverless::GraphQLApi': { type: 'AWS::AppSync::GraphQLApi' },
  'AWS::Serverless::Connector': { type: 'AWS::Serverless::Connector' },
};

const EVENT_RULE_PROPERTIES = ['EventBusName', 'Pattern', 'DeadLetterConfig', 'RetryPolicy', 'Input', 'InputPath', 'InputTransformer', 'Target', 'Enabled', 'State', 'RuleName', 'Description'];
const SCHEDULE_PROPERTIES = ['Schedule', 'Input', 'Enabled', 'State', 'Name', 'Description', 'DeadLetterConfig', 'RetryPolicy'];
const SNS_PROPERTIES = ['Topic', 'Region', 'FilterPolicy', 'FilterPolicyScope', 'SqsSubscription', 'RedrivePolicy'];
const SQS_PROPERTIES = ['Queue', 'BatchSize', 'Enabled', 'FilterCriteria', 'MaximumBatchingWindowInSeconds', 'FunctionResponseTypes', 'ScalingConfig', 'KmsKeyArn', 'MetricsConfig', 'ProvisionedPollerConfig'];

export function transformServerless(t: Template, c: TemplateChecker): void {
  const out = new Map<string, TemplateResource>();
  const add = (r: TemplateResource) => {
    if (out.has(r.logicalId) || (t.resources.has(r.logicalId) && t.resources.get(r.logicalId)!.path !== r.path))
      c.fail(r.path, `SAM makes a resource with the logical id ${r.logicalId}, which the template already uses`);
    out.set(r.logicalId, r);
  };
  let restApi = false;
  let httpApi = false;
  for (const r of t.resources.values()) {
    if (r.type === 'AWS::Serverless::Function') {
      const made = new ServerlessFunction(r, c, t.skippedEvents);
      for (const x of made.resources()) add(x);
      restApi ||= made.implicitRestApi;
      httpApi ||= made.implicitHttpApi;
      continue;
    }
    const stands = STANDS_FOR[r.type];
    if (!stands) {
      add(r);
      continue;
    }
    const properties: Mapping = {};
    if (stands.rename && r.properties[stands.rename[0]] !== undefined) properties[stands.rename[1]] = r.properties[stands.rename[0]];
    if (r.type === 'AWS::Serverless::SimpleTable' && r.properties.TableName !== undefined) properties.TableName = r.properties.TableName;
    add({ ...r, type: stands.type, properties });
  }
  // The APIs SAM makes for Api and HttpApi events that name none (outputs often refer to them).
  if (restApi && !out.has('ServerlessRestApi')) add({ logicalId: 'ServerlessRestApi', type: 'AWS::ApiGateway::RestApi', properties: {}, dependsOn: [], path: 'Resources' });
  if (httpApi && !out.has('ServerlessHttpApi')) add({ logicalId: 'ServerlessHttpApi', type: 'AWS::ApiGatewayV2::Api', properties: {}, dependsOn: [], path: 'Resources' });
  t.resources = out;
}

/** One AWS::Serverless::Function and what its events make. */
class ServerlessFunction {
  private readonly made: TemplateResource[] = [];
  implicitRestApi = false;
  implicitHttpApi = false;

  constructor(
    private readonly fn: TemplateResource,
    private readonly c: TemplateChecker,
    private readonly skippedEvents: string[],
  ) {}

  resources(): TemplateResource[] {
    const { fn, c } = this;
    const p = fn.properties;
    const properties: Mapping = {};
    if (p.FunctionName !== undefined) properties.FunctionName = p.FunctionName;
    if (p.Role !== undefined) properties.Role = p.Role;
    this.push(fn.logicalId, 'AWS::Lambda::Function', properties, fn.path, fn.dependsOn);
    if (p.Role === undefined) this.push(`${fn.logicalId}Role`, 'AWS::IAM::Role', {}, fn.path);
    if (p.Events === undefined || p.Events === null) return this.made;
    const eventsPath = joinPath(joinPath(fn.path, 'Properties'), 'Events');
    const events = c.mapping(p.Events, eventsPath, Object.keys(isMapping(p.Events) ? p.Events : {}));
    for (const [name, decl] of Object.entries(events)) {
      const path = joinPath(eventsPath, name);
      const ev = c.mapping(decl, path, ['Type', 'Properties']);
      const type = c.name(ev.Type, joinPath(path, 'Type'));
      const props = ev.Properties === undefined ? {} : ev.Properties;
      const base = `${fn.logicalId}${name}`;
      switch (type) {
        case 'EventBridgeRule':
        case 'CloudWatchEvent':
          this.rule(base, c.mapping(props, joinPath(path, 'Properties'), EVENT_RULE_PROPERTIES), path, false);
          break;
        case 'Schedule':
          this.rule(base, c.mapping(props, joinPath(path, 'Properties'), SCHEDULE_PROPERTIES), path, true);
          break;
        case 'SNS':
          this.sns(base, c.mapping(props, joinPath(path, 'Properties'), SNS_PROPERTIES), path);
          break;
        case 'SQS':
          this.sqs(base, c.mapping(props, joinPath(path, 'Properties'), SQS_PROPERTIES), path);
          break;
        default:
          if (type === 'Api' && !(isMapping(props) && props.RestApiId !== undefined)) this.implicitRestApi = true;
          if (type === 'HttpApi' && !(isMapping(props) && props.ApiId !== undefined)) this.implicitHttpApi = true;
          this.skippedEvents.push(`${fn.logicalId}.Events.${name} (${type})`);
      }
    }
    return this.made;
  }

  private push(logicalId: string, type: string, properties: Mapping, path: string, dependsOn: string[] = []): void {
    // SAM passes the function's Condition on to everything it makes for it.
    const r: TemplateResource = { logicalId, type, properties: stripUndefined(properties), dependsOn, path };
    if (this.fn.condition) r.condition = this.fn.condition;
    this.made.push(r);
  }

  private get arn(): unknown {
    return { 'Fn::GetAtt': [this.fn.logicalId, 'Arn'] };
  }

  private permission(base: string, path: string, principal: string, sourceArn: unknown): void {
    this.push(`${base}Permission`, 'AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', FunctionName: { Ref: this.fn.logicalId }, Principal: principal, SourceArn: sourceArn }, path);
  }

  /** EventBridgeRule / CloudWatchEvent / Schedule: a rule targeting the function. */
  private rule(base: string, p: Mapping, path: string, schedule: boolean): void {
    if (p.State !== undefined && p.Enabled !== undefined) this.c.fail(joinPath(path, 'Properties'), 'State and Enabled cannot both be given');
    const state = p.State ?? (p.Enabled === undefined ? undefined : p.Enabled === true || p.Enabled === 'true' ? 'ENABLED' : 'DISABLED');
    const target: Mapping = {
      Arn: this.arn,
      Id: isMapping(p.Target) && p.Target.Id !== undefined ? p.Target.Id : `${base}LambdaTarget`,
      Input: p.Input,
      InputPath: p.InputPath,
      InputTransformer: p.InputTransformer,
      RetryPolicy: p.RetryPolicy,
      DeadLetterConfig: p.DeadLetterConfig === undefined ? undefined : { Arn: this.deadLetterQueue(base, p.DeadLetterConfig, joinPath(joinPath(path, 'Properties'), 'DeadLetterConfig'), path) },
    };
    const properties: Mapping = schedule
      ? { ScheduleExpression: p.Schedule, State: state, Name: p.Name, Description: p.Description, Targets: [stripUndefined(target)] }
      : { EventBusName: p.EventBusName, EventPattern: p.Pattern, State: state, Name: p.RuleName, Description: p.Description, Targets: [stripUndefined(target)] };
    this.push(base, 'AWS::Events::Rule', properties, path);
    this.permission(base, path, 'events.amazonaws.com', { 'Fn::GetAtt': [base, 'Arn'] });
  }

  /** A rule's DeadLetterConfig: `{Arn}`, or `{Type: SQS, QueueLogicalId?}` for a queue SAM makes. */
  private deadLetterQueue(base: string, v: unknown, at: string, path: string): unknown {
    const d = this.c.mapping(v, at, ['Arn', 'Type', 'QueueLogicalId']);
    if (d.Arn !== undefined) {
      if (d.Type !== undefined) this.c.fail(at, 'give Arn or Type, not both');
      return d.Arn;
    }
    if (d.Type !== 'SQS') this.c.fail(joinPath(at, 'Type'), 'must be SQS (or give Arn)');
    const queueId = typeof d.QueueLogicalId === 'string' ? d.QueueLogicalId : `${base}Queue`;
    this.push(queueId, 'AWS::SQS::Queue', {}, path);
    this.push(`${base}QueuePolicy`, 'AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: sendMessagePolicy('events.amazonaws.com', { 'Fn::GetAtt': [queueId, 'Arn'] }, { 'Fn::GetAtt': [base, 'Arn'] }),
    }, path);
    return { 'Fn::GetAtt': [queueId, 'Arn'] };
  }

  /** SNS: a lambda subscription, or through a queue (SqsSubscription). */
  private sns(base: string, p: Mapping, path: string): void {
    if (p.Topic === undefined) this.c.fail(joinPath(joinPath(path, 'Properties'), 'Topic'), 'is required');
    const attributes = { FilterPolicy: p.FilterPolicy, FilterPolicyScope: p.FilterPolicyScope, RedrivePolicy: p.RedrivePolicy };
    if (p.SqsSubscription === undefined || p.SqsSubscription === false || p.SqsSubscription === 'false') {
      this.push(base, 'AWS::SNS::Subscription', { Protocol: 'lambda', Endpoint: this.arn, TopicArn: p.Topic, Region: p.Region, ...attributes }, path);
      this.permission(base, path, 'sns.amazonaws.com', p.Topic);
      return;
    }
    let queueArn: unknown;
    let queueUrl: unknown;
    let policyId = `${base}QueuePolicy`;
    let batchSize: unknown = 10;
    let enabled: unknown = true;
    if (p.SqsSubscription === true || p.SqsSubscription === 'true') {
      this.push(`${base}Queue`, 'AWS::SQS::Queue', {}, path);
      queueArn = { 'Fn::GetAtt': [`${base}Queue`, 'Arn'] };
      queueUrl = { Ref: `${base}Queue` };
    } else {
      const at = joinPath(joinPath(path, 'Properties'), 'SqsSubscription');
      const s = this.c.mapping(p.SqsSubscription, at, ['QueueArn', 'QueueUrl', 'QueuePolicyLogicalId', 'BatchSize', 'Enabled']);
      if (s.QueueArn === undefined || s.QueueUrl === undefined) this.c.fail(at, 'give QueueArn and QueueUrl (or true, for a queue SAM makes)');
      queueArn = s.QueueArn;
      queueUrl = s.QueueUrl;
      if (typeof s.QueuePolicyLogicalId === 'string') policyId = s.QueuePolicyLogicalId;
      batchSize = s.BatchSize ?? batchSize;
      enabled = s.Enabled ?? enabled;
    }
    this.push(policyId, 'AWS::SQS::QueuePolicy', { Queues: [queueUrl], PolicyDocument: sendMessagePolicy('sns.amazonaws.com', queueArn, p.Topic) }, path);
    this.push(base, 'AWS::SNS::Subscription', { Protocol: 'sqs', Endpoint: queueArn, TopicArn: p.Topic, Region: p.Region, ...attributes }, path);
    this.push(`${base}EventSourceMapping`, 'AWS::Lambda::EventSourceMapping', { EventSourceArn: queueArn, FunctionName: { Ref: this.fn.logicalId }, BatchSize: batchSize, Enabled: enabled }, path);
  }

  /** SQS: the queue polled for the function. */
  private sqs(base: string, p: Mapping, path: string): void {
    if (p.Queue === undefined) this.c.fail(joinPath(joinPath(path, 'Properties'), 'Queue'), 'is required');
    const { Queue, ...rest } = p;
    this.push(base, 'AWS::Lambda::EventSourceMapping', { EventSourceArn: Queue, FunctionName: { Ref: this.fn.logicalId }, ...rest }, path);
  }
}

/** The queue policy SAM writes: `principal` may SendMessage to the queue from `source`. */
function sendMessagePolicy(principal: string, queueArn: unknown, source: unknown): Mapping {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: principal }, Action: 'sqs:SendMessage', Resource: queueArn, Condition: { ArnEquals: { 'aws:SourceArn': source } } }],
  };
}

function stripUndefined(m: Mapping): Mapping {
  return Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined));
}
