/**
 * Fuzzing CloudFormation / SAM templates (src/templates): generated templates whose resources
 * refer to each other through every intrinsic function (cycles included), with hostile values,
 * intrinsics nested 10,000 deep, hostile keys, and hostile template texts; read, then applied to a
 * live Switchyard. Every problem must be a TemplateError (a ConfigFileError: one line naming the
 * template), never another error, never an internal error, never pollution, in bounded time.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ConfigFileError, applyTemplate, loadTemplate, startSwitchyard, type Switchyard } from '../../src/index.js';
import { HOSTILE_KEYS, HUGE_NUMBERS, POLLUTING_JSON, anyJson, anyString, deepJson, render } from './arbitraries.js';
import { assertNoPollution, count, params, printCounts } from './support.js';

let sy: Switchyard;
const internal: unknown[] = [];
beforeAll(async () => {
  sy = await startSwitchyard({ port: 0, onError: (err) => internal.push(err) });
});
afterAll(async () => {
  await sy?.stop();
  printCounts();
});

const LOGICAL = ['Queue', 'Dlq', 'Topic', 'Sub', 'Bus', 'Rule', 'Fn', '__proto__', 'constructor'];
const TYPES = [
  'AWS::SQS::Queue', 'AWS::SQS::Queue', 'AWS::SNS::Topic', 'AWS::SNS::Subscription', 'AWS::Events::EventBus', 'AWS::Events::Rule', 'AWS::SQS::QueuePolicy',
  'AWS::SNS::TopicPolicy', 'AWS::Events::Archive', 'AWS::Lambda::Function', 'AWS::Serverless::Function', 'AWS::IAM::Role', 'AWS::DynamoDB::Table', 'Custom::Thing', 'AWS::Nope::Nope', '',
];
const PROPERTY_NAMES = [
  'QueueName', 'FifoQueue', 'VisibilityTimeout', 'DelaySeconds', 'RedrivePolicy', 'TopicName', 'TopicArn', 'Protocol', 'Endpoint', 'FilterPolicy', 'RawMessageDelivery',
  'Name', 'EventBusName', 'EventPattern', 'ScheduleExpression', 'State', 'Targets', 'Queues', 'Topics', 'PolicyDocument', 'Tags', 'Events', 'Handler', 'Runtime', 'CodeUri',
  ...HOSTILE_KEYS,
];
const PSEUDO = ['AWS::Region', 'AWS::AccountId', 'AWS::StackName', 'AWS::NoValue', 'AWS::Partition', 'AWS::URLSuffix', 'AWS::NotificationARNs', 'AWS::Nope'];

const logical = fc.oneof({ arbitrary: fc.constantFrom(...LOGICAL), weight: 4 }, { arbitrary: fc.constantFrom('Param', 'Missing', 'Cond'), weight: 1 });

/** Values built from intrinsics that name the template's own resources, parameters and conditions. */
const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    fc.oneof(anyString, fc.integer(), fc.boolean(), fc.constant(null), fc.constantFrom(...HUGE_NUMBERS).map(Number), fc.constantFrom('orders', 'orders.fifo', 'sqs', 'rate(5 minutes)', '{"source":["a"]}', ...POLLUTING_JSON)),
    fc.oneof(logical, fc.constantFrom(...PSEUDO)).map((n) => ({ Ref: n })),
    fc.tuple(logical, fc.constantFrom('Arn', 'QueueName', 'QueueUrl', 'TopicName', 'TopicArn', 'Name', 'Nope', '__proto__')).map(([n, a]) => ({ 'Fn::GetAtt': fc.sample(fc.boolean(), 1)[0] ? [n, a] : `${n}.${a}` })),
    fc.oneof(fc.constantFrom('${Queue}', '${Queue.Arn}', '${AWS::Region}-${AWS::StackName}', '${!Literal}', '${Missing}', '${', '${}', '$${Queue}', '${Queue.Arn.Extra}', '${__proto__}'), anyString).map((s) => ({ 'Fn::Sub': s })),
    fc.tuple(fc.constantFrom('${A}-${B}'), fc.dictionary(fc.constantFrom('A', 'B', '__proto__'), tie('v'), { maxKeys: 2 })).map(([s, vars]) => ({ 'Fn::Sub': [s, vars] })),
    fc.tuple(fc.constantFrom(',', '', '::'), fc.array(tie('v'), { maxLength: 3 })).map(([d, l]) => ({ 'Fn::Join': [d, l] })),
    fc.tuple(fc.oneof(fc.nat(4), fc.constantFrom(-1, 1.5, 1e400, '0', 'x')), fc.array(tie('v'), { maxLength: 3 })).map(([i, l]) => ({ 'Fn::Select': [i, l] })),
    fc.tuple(fc.constantFrom(',', '', 'a'), tie('v')).map(([d, s]) => ({ 'Fn::Split': [d, s] })),
    fc.tuple(fc.constantFrom('Cond', 'Missing', '__proto__'), tie('v'), tie('v')).map(([c, a, b]) => ({ 'Fn::If': [c, a, b] })),
    fc.tuple(fc.constantFrom('Map', 'Missing', '__proto__'), fc.constantFrom('us-east-1', 'k', '__proto__'), fc.constantFrom('Value', 'constructor')).map((k) => ({ 'Fn::FindInMap': k })),
    tie('v').map((v) => ({ 'Fn::Base64': v })),
    tie('v').map((v) => ({ 'Fn::ToJsonString': v })),
    tie('v').map((v) => ({ 'Fn::Length': v })),
    fc.constantFrom({ 'Fn::GetAZs': '' }, { 'Fn::ImportValue': 'Missing' }, { 'Fn::Cidr': ['10.0.0.0/16', 256, 8] }, { 'Fn::Cidr': ['10.0.0.0/8', 1e9, 8] }, { 'Fn::Cidr': ['::/0', 2, 64] }, { 'Fn::Transform': {} }, { 'Fn::Equals': [1, 1] }, { Ref: 'Queue', Extra: 1 }, {}),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...PROPERTY_NAMES), tie('v'), { maxKeys: 3 }),
  ),
})).v;

const resource = fc.record(
  {
    Type: fc.constantFrom(...TYPES),
    Properties: fc.dictionary(fc.constantFrom(...PROPERTY_NAMES), value, { maxKeys: 4 }),
    DependsOn: fc.oneof(logical, fc.array(logical, { maxLength: 2 })),
    Condition: fc.constantFrom('Cond', 'Missing'),
    DeletionPolicy: fc.constantFrom('Retain', 'Delete', 'Nope'),
  },
  { requiredKeys: ['Type'] },
);

function record<T>(entries: Array<[string, T]>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

const template = fc.record(
  {
    AWSTemplateFormatVersion: fc.constantFrom('2010-09-09', '2099-01-01', 1),
    Transform: fc.constantFrom('AWS::Serverless-2016-10-31', ['AWS::Serverless-2016-10-31', 'AWS::LanguageExtensions'], 'Nope', { Name: 'AWS::Include' }),
    Parameters: fc.array(fc.tuple(fc.constantFrom('Param', 'Stage', '__proto__'), fc.record({ Type: fc.constantFrom('String', 'Number', 'CommaDelimitedList', 'List<Number>', 'AWS::SSM::Parameter::Value<String>', 'Nope'), Default: value, AllowedValues: fc.array(anyString, { maxLength: 2 }), AllowedPattern: fc.constantFrom('^[a-z]+$', '(a+)+$', '['), MinLength: fc.integer(), MaxValue: fc.integer() }, { requiredKeys: ['Type'] })), { maxLength: 2 }).map(record),
    Mappings: fc.constant({ Map: { 'us-east-1': { Value: 'v' }, k: { Value: ['a'] } } }),
    Conditions: fc.array(fc.tuple(fc.constantFrom('Cond', 'Other', '__proto__'), fc.oneof(fc.constant({ 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] }), fc.constant({ Condition: 'Cond' }), fc.constant({ 'Fn::Not': [{ Condition: 'Other' }] }), value)), { maxLength: 2 }).map(record),
    Resources: fc.array(fc.tuple(logical, resource), { maxLength: 5 }).map(record),
    Outputs: fc.array(fc.tuple(fc.constantFrom('Out', '__proto__'), fc.record({ Value: value, Export: fc.record({ Name: value }) }, { requiredKeys: ['Value'] })), { maxLength: 2 }).map(record),
  },
  { requiredKeys: ['Resources'] },
);

/** Mostly `valid`, sometimes a hostile value. */
const mostly = (valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> => fc.oneof({ arbitrary: valid, weight: 10 }, { arbitrary: value, weight: 1 });
const optional = (a: fc.Arbitrary<unknown>) => fc.option(a, { nil: undefined, freq: 3 });

/** Templates as users write them (queues, a topic subscribed to a queue, a bus and a rule), with a hostile value here and there. */
const nearlyValid = fc
  .record({
    name: optional(mostly(fc.constantFrom('orders', { 'Fn::Sub': '${AWS::StackName}-orders' }, { 'Fn::Join': ['-', [{ Ref: 'AWS::StackName' }, 'q']] }))),
    visibility: optional(mostly(fc.integer({ min: 0, max: 43_200 }))),
    redrive: optional(mostly(fc.constant({ deadLetterTargetArn: { 'Fn::GetAtt': ['Dlq', 'Arn'] }, maxReceiveCount: 3 }))),
    filter: optional(mostly(fc.constantFrom({ kind: ['a'] }, { n: [{ numeric: ['>', 1] }] }))),
    raw: optional(mostly(fc.boolean())),
    pattern: mostly(fc.constantFrom({ source: ['shop'] }, { 'detail-type': [{ prefix: 'Order' }] }, { source: [{ wildcard: 'a*b*c' }] })),
    schedule: optional(mostly(fc.constantFrom('rate(5 minutes)', 'cron(0 12 * * ? *)'))),
    targetArn: mostly(fc.constantFrom({ 'Fn::GetAtt': ['Queue', 'Arn'] }, { Ref: 'Topic' }, { 'Fn::GetAtt': ['Bus', 'Arn'] })),
    input: optional(mostly(fc.constantFrom('{"a":1}', { 'Fn::ToJsonString': { a: { Ref: 'AWS::Region' } } }))),
    busName: mostly(fc.constantFrom('fuzz-bus', { 'Fn::Sub': '${AWS::StackName}-bus' })),
    condition: optional(fc.constantFrom('Cond')),
    stage: optional(fc.constantFrom('dev', 'prod')),
  })
  .map((v) => {
    const props = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined));
    return {
      AWSTemplateFormatVersion: '2010-09-09',
      Parameters: { Stage: { Type: 'String', Default: v.stage ?? 'dev', AllowedValues: ['dev', 'prod'] } },
      Conditions: { Cond: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] } },
      Resources: {
        Dlq: { Type: 'AWS::SQS::Queue' },
        Queue: { Type: 'AWS::SQS::Queue', Properties: props({ QueueName: v.name, VisibilityTimeout: v.visibility, RedrivePolicy: v.redrive }) },
        Topic: { Type: 'AWS::SNS::Topic', ...(v.condition ? { Condition: v.condition } : {}) },
        Sub: { Type: 'AWS::SNS::Subscription', ...(v.condition ? { Condition: v.condition } : {}), Properties: props({ TopicArn: { Ref: 'Topic' }, Protocol: 'sqs', Endpoint: { 'Fn::GetAtt': ['Queue', 'Arn'] }, FilterPolicy: v.filter, RawMessageDelivery: v.raw }) },
        Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: v.busName } },
        Rule: { Type: 'AWS::Events::Rule', Properties: props({ EventBusName: { Ref: 'Bus' }, EventPattern: v.pattern, ScheduleExpression: v.schedule, Targets: [props({ Id: 't1', Arn: v.targetArn, Input: v.input })] }) },
      },
      Outputs: { QueueUrl: { Value: { Ref: 'Queue' } } },
    };
  });

/** Intrinsics nested past any stack: the resolver must refuse, not overflow. */
function deepIntrinsic(depth: number, fn: string): string {
  return `{"Resources":{"Queue":{"Type":"AWS::SQS::Queue","Properties":{"QueueName":${`{"${fn}":`.repeat(depth)}"x"${'}'.repeat(depth)}}}}}`;
}

const body = fc.oneof(
  { arbitrary: nearlyValid.map((t) => JSON.stringify(t)), weight: 4 },
  { arbitrary: nearlyValid.map((t) => stringify(t)), weight: 2 },
  { arbitrary: template.map((t) => JSON.stringify(t)), weight: 5 },
  { arbitrary: template.map((t) => stringify(t)), weight: 3 },
  // Deep intrinsics (refused past 100 levels) and Fn::Base64 nested deep enough to outgrow a
  // string (refused at 1 MiB): both were found here (regressions.test.ts).
  { arbitrary: fc.constantFrom(3_000, 200, 100).chain((d) => fc.constantFrom('Fn::ToJsonString', 'Fn::Length', 'Fn::Base64').map((fn) => deepIntrinsic(d, fn))), weight: 1 },
  { arbitrary: fc.integer({ min: 1, max: 90 }).map((d) => deepIntrinsic(d, 'Fn::Base64')), weight: 1 },
  { arbitrary: fc.constantFrom(deepJson(10_000, 'object'), deepJson(10_000, 'mixed'), '{"Resources":' + deepJson(10_000, 'array') + '}', 'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Sub [' + '!Sub ['.repeat(100) + '"x"' + ']'.repeat(101) + '\n'), weight: 1 },
  { arbitrary: fc.constantFrom('Resources: !Ref X\n', 'Resources:\n  Q: !GetAtt\n', 'Resources:\n  Q:\n    Type: !Nope x\n', '!!js/function x', 'Resources: &a {Q: *a}\n', 'Resources:\n  A: {Type: AWS::SQS::Queue, Properties: {QueueName: !Ref B}}\n  B: {Type: AWS::SQS::Queue, Properties: {QueueName: !Ref A}}\n'), weight: 1 },
  { arbitrary: anyJson.map(render), weight: 1 },
);

/** Loads and applies; anything thrown must be a TemplateError (a ConfigFileError). */
async function loadAndApply(text: string, parameters: Record<string, string>): Promise<'applied' | 'refused'> {
  try {
    const t = await loadTemplate({ body: text, stackName: 'fuzz', parameters }, 'fuzz.template');
    applyTemplate(t, sy, { account: '000000000000', region: 'us-east-1', baseUrl: sy.endpoint });
    return 'applied';
  } catch (err) {
    if (!(err instanceof ConfigFileError)) throw err;
    expect(err.message).not.toContain('\n');
    return 'refused';
  }
}

describe('templates', () => {
  it('generated and hostile templates: a stack or one TemplateError line, no internal error, in bounded time', async () => {
    const parameters = fc.oneof({ arbitrary: fc.constant({}), weight: 3 }, { arbitrary: fc.constantFrom({ Stage: 'prod' }, { Stage: 'dev' }), weight: 1 }, { arbitrary: fc.dictionary(fc.constantFrom('Param', 'Stage', '__proto__', 'Unknown'), anyString, { maxKeys: 2 }), weight: 1 });
    await fc.assert(
      fc.asyncProperty(body, parameters, async (text, params_) => {
        count('templates: generated and hostile templates');
        const start = performance.now();
        if ((await loadAndApply(text, params_)) === 'applied') count('templates: of which applied');
        const took = performance.now() - start;
        if (took > 2000) throw new Error(`took ${took.toFixed(0)} ms`);
        expect(internal).toEqual([]);
        await sy.reset();
        assertNoPollution();
      }),
      params(400),
    );
  });
});
