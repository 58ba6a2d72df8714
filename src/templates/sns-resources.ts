/**
 * AWS::SNS::Topic (with its inline `Subscription` list), AWS::SNS::Subscription,
 * AWS::SNS::TopicPolicy and AWS::SNS::TopicInlinePolicy, through CreateTopic,
 * SetTopicAttributes, Subscribe and SetSubscriptionAttributes. Applying again brings what exists
 * to the template's attributes; a subscription is found again by its protocol and endpoint.
 *
 * Ref gives a topic's ARN (GetAtt TopicArn, TopicName) and a subscription's ARN.
 */
import { changedAfter, sameValue, tagList } from '../config-file/apply.js';
import { topicArn } from '../sns/arn.js';
import type { Props } from './properties.js';
import type { Out, Outcome, Provider, ResourceContext, Where } from './resource.js';
import { whereOf } from './resource.js';

const TOPIC_ATTRIBUTES = ['DisplayName', 'ContentBasedDeduplication', 'KmsMasterKeyId', 'SignatureVersion', 'TracingConfig', 'ArchivePolicy', 'FifoThroughputScope'];
/** DeliveryStatusLogging's protocols, as the topic attributes name them (`SQSSuccessFeedbackRoleArn`). */
const LOGGING_PREFIX: Record<string, string> = { http: 'HTTP', sqs: 'SQS', lambda: 'Lambda', firehose: 'Firehose', application: 'Application' };

export const topic: Provider = {
  properties: ['TopicName', 'FifoTopic', 'Subscription', 'Tags', 'DataProtectionPolicy', 'DeliveryStatusLogging', ...TOPIC_ATTRIBUTES],
  attributes: ['TopicArn', 'TopicName'],
  apply(r) {
    const p: Props = r.props;
    const sns = r.services.sns;
    const fifo = p.boolean('FifoTopic') ?? false;
    const name = p.string('TopicName') ?? r.name({ maxLength: 256, ending: fifo ? '.fifo' : '' });
    const attributes: Record<string, string> = {};
    for (const key of TOPIC_ATTRIBUTES) {
      const v = p.attribute(key);
      if (v !== undefined) attributes[key] = v;
    }
    if (fifo) attributes.FifoTopic = 'true';
    p.list('DeliveryStatusLogging').forEach((entry, i) => {
      const e = (entry ?? {}) as Record<string, unknown>;
      const prefix = LOGGING_PREFIX[String(e.Protocol)];
      if (!prefix) p.fail(`DeliveryStatusLogging[${i}].Protocol`, `must be one of ${Object.keys(LOGGING_PREFIX).join(', ')}`);
      for (const k of ['SuccessFeedbackRoleArn', 'SuccessFeedbackSampleRate', 'FailureFeedbackRoleArn'])
        if (e[k] !== undefined) attributes[`${prefix}${k}`] = String(e[k]);
    });
    const tags = p.tags();
    const TopicArn = topicArn(r.where.region, r.where.account, name);
    const found = r.tryCall(sns, 'GetTopicAttributes', { TopicArn }, 'NotFound');
    let status: Outcome['status'];
    if (!found) {
      r.call(sns, 'CreateTopic', { Name: name, Attributes: attributes, ...(Object.keys(tags).length ? { Tags: tagList(tags) } : {}) });
      status = 'created';
    } else {
      const current = (found.Attributes ?? {}) as Record<string, string>;
      if ((current.FifoTopic === 'true') !== fifo)
        p.fail(undefined, `topic ${name} already exists as a ${fifo ? 'standard' : 'FIFO'} topic; the template declares a ${fifo ? 'FIFO' : 'standard'} topic, and a topic's type cannot change`);
      const set: string[] = [];
      for (const [k, v] of Object.entries(attributes)) {
        if (k === 'FifoTopic' || sameValue(current[k], v)) continue;
        r.call(sns, 'SetTopicAttributes', { TopicArn, AttributeName: k, AttributeValue: v });
        set.push(k);
      }
      let updated = changedAfter(current, set, () => (r.call(sns, 'GetTopicAttributes', { TopicArn }).Attributes ?? {}) as Record<string, string>);
      const currentTags = Object.fromEntries(((r.call(sns, 'ListTagsForResource', { ResourceArn: TopicArn }).Tags ?? []) as Array<{ Key: string; Value: string }>).map((t) => [t.Key, t.Value]));
      const newTags = Object.entries(tags).filter(([k, v]) => currentTags[k] !== v);
      if (newTags.length) {
        r.call(sns, 'TagResource', { ResourceArn: TopicArn, Tags: tagList(Object.fromEntries(newTags)) });
        updated = true;
      }
      status = updated ? 'updated' : 'unchanged';
    }
    const dataProtection = p.json('DataProtectionPolicy');
    if (dataProtection !== undefined) {
      const current = r.call(sns, 'GetDataProtectionPolicy', { ResourceArn: TopicArn }).DataProtectionPolicy;
      if (!sameValue(current, dataProtection)) {
        r.call(sns, 'PutDataProtectionPolicy', { ResourceArn: TopicArn, DataProtectionPolicy: dataProtection });
        if (status === 'unchanged') status = 'updated';
      }
    }
    // The inline form: each {Protocol, Endpoint} subscribed once.
    p.list('Subscription').forEach((entry, i) => {
      const e = (entry ?? {}) as Record<string, unknown>;
      if (typeof e.Protocol !== 'string' || typeof e.Endpoint !== 'string') p.fail(`Subscription[${i}]`, 'must be a mapping with Protocol and Endpoint (strings)');
      const sub = subscribe(r, TopicArn, e.Protocol, e.Endpoint, {}, r.where);
      if (sub.status !== 'unchanged' && status === 'unchanged') status = 'updated';
    });
    return { status, physicalId: TopicArn, ref: TopicArn, arn: TopicArn, attributes: { TopicArn, TopicName: name } };
  },
};

/**
 * Subscribes `endpoint` to the topic unless it already is, then sets the attributes that differ.
 * A subscription pending confirmation is listed without its ARN; Subscribe again (without
 * attributes, which changes nothing) answers with it.
 */
function subscribe(r: ResourceContext, TopicArn: string, protocol: string, endpoint: string, attributes: Record<string, string>, where: Where): { status: Outcome['status']; arn: string } {
  const sns = r.services.sns;
  let existing: string | undefined;
  let NextToken: string | undefined;
  do {
    const page = r.call(sns, 'ListSubscriptionsByTopic', NextToken ? { TopicArn, NextToken } : { TopicArn }, where);
    const subs = (page.Subscriptions ?? []) as Array<{ Protocol: string; Endpoint: string; SubscriptionArn: string }>;
    existing = subs.find((x) => x.Protocol === protocol && x.Endpoint === endpoint)?.SubscriptionArn;
    NextToken = page.NextToken as string | undefined;
  } while (!existing && NextToken);
  if (existing === undefined) {
    const input: Out = { TopicArn, Protocol: protocol, Endpoint: endpoint, ReturnSubscriptionArn: true };
    if (Object.keys(attributes).length) input.Attributes = attributes;
    return { status: 'created', arn: r.call(sns, 'Subscribe', input, where).SubscriptionArn as string };
  }
  const arn = existing.startsWith('arn:') ? existing : (r.call(sns, 'Subscribe', { TopicArn, Protocol: protocol, Endpoint: endpoint, ReturnSubscriptionArn: true }, where).SubscriptionArn as string);
  const read = () => (r.call(sns, 'GetSubscriptionAttributes', { SubscriptionArn: arn }, where).Attributes ?? {}) as Record<string, string>;
  const current = read();
  const set: string[] = [];
  for (const [k, v] of Object.entries(attributes)) {
    if (sameValue(current[k], v, k === 'RawMessageDelivery')) continue;
    r.call(sns, 'SetSubscriptionAttributes', { SubscriptionArn: arn, AttributeName: k, AttributeValue: v }, where);
    set.push(k);
  }
  return { status: changedAfter(current, set, read) ? 'updated' : 'unchanged', arn };
}

const SUBSCRIPTION_ATTRIBUTES = ['FilterPolicy', 'FilterPolicyScope', 'RawMessageDelivery', 'RedrivePolicy', 'DeliveryPolicy', 'SubscriptionRoleArn', 'ReplayPolicy'];

export const subscription: Provider = {
  properties: ['TopicArn', 'Protocol', 'Endpoint', 'Region', ...SUBSCRIPTION_ATTRIBUTES],
  attributes: [],
  apply(r) {
    const p: Props = r.props;
    const TopicArn = p.requiredString('TopicArn');
    const protocol = p.requiredString('Protocol');
    const endpoint = p.string('Endpoint') ?? p.fail('Endpoint', 'is required');
    const attributes: Record<string, string> = {};
    for (const key of SUBSCRIPTION_ATTRIBUTES) {
      const v = p.attribute(key);
      if (v !== undefined) attributes[key] = v;
    }
    // The topic's region and account, which Region (for a topic in another region) agrees with.
    const where = whereOf(TopicArn, { account: r.where.account, region: p.string('Region') ?? r.where.region });
    const sub = subscribe(r, TopicArn, protocol, endpoint, attributes, where);
    return { status: sub.status, physicalId: sub.arn, ref: sub.arn, arn: sub.arn, attributes: {} };
  },
};

/** Sets a topic's `Policy` where it differs: created (none set by a template before), updated or unchanged. */
function setTopicPolicy(r: ResourceContext, arns: string[], policy: string): Outcome['status'] {
  let status: Outcome['status'] = 'unchanged';
  for (const TopicArn of arns) {
    const where = whereOf(TopicArn, r.where);
    const current = ((r.call(r.services.sns, 'GetTopicAttributes', { TopicArn }, where).Attributes ?? {}) as Record<string, string>).Policy;
    if (sameValue(current, policy)) continue;
    r.call(r.services.sns, 'SetTopicAttributes', { TopicArn, AttributeName: 'Policy', AttributeValue: policy }, where);
    status = status === 'unchanged' ? 'created' : status;
  }
  return status;
}

export const topicPolicy: Provider = {
  properties: ['Topics', 'PolicyDocument'],
  attributes: ['Id'],
  apply(r) {
    const p: Props = r.props;
    p.required('Topics');
    const policy = p.json('PolicyDocument') ?? p.fail('PolicyDocument', 'is required');
    const status = setTopicPolicy(r, p.strings('Topics'), policy);
    const id = r.name({ maxLength: 128 });
    return { status, physicalId: id, ref: id, attributes: { Id: id } };
  },
};

export const topicInlinePolicy: Provider = {
  properties: ['TopicArn', 'PolicyDocument'],
  attributes: [],
  apply(r) {
    const p: Props = r.props;
    const arn = p.requiredString('TopicArn');
    const policy = p.json('PolicyDocument') ?? p.fail('PolicyDocument', 'is required');
    return { status: setTopicPolicy(r, [arn], policy), physicalId: arn, ref: arn, attributes: {} };
  },
};
