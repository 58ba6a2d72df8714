/**
 * AWS::SQS::Queue, AWS::SQS::QueuePolicy and AWS::SQS::QueueInlinePolicy, through CreateQueue,
 * SetQueueAttributes and TagQueue. Applying again brings an existing queue to the template's
 * attributes and tags and leaves what the template does not mention, as the config file does.
 *
 * Ref gives the queue's URL (on the address Switchyard serves), GetAtt Arn, QueueName, QueueUrl.
 */
import { changedAfter, sameValue } from '../config-file/apply.js';
import type { Props } from './properties.js';
import type { Outcome, Provider, ResourceContext } from './resource.js';

const ATTRIBUTES = [
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'DelaySeconds',
  'FifoThroughputLimit',
  'KmsDataKeyReusePeriodSeconds',
  'KmsMasterKeyId',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds',
  'RedriveAllowPolicy',
  'RedrivePolicy',
  'SqsManagedSseEnabled',
  'VisibilityTimeout',
];

export const queue: Provider = {
  properties: ['QueueName', 'FifoQueue', 'Tags', ...ATTRIBUTES],
  attributes: ['Arn', 'QueueName', 'QueueUrl'],
  apply(r) {
    const p: Props = r.props;
    const sqs = r.services.sqs;
    const fifo = p.boolean('FifoQueue') ?? false;
    // CloudFormation ends a FIFO queue's generated name in .fifo, as SQS requires.
    const name = p.string('QueueName') ?? r.name({ maxLength: 80, ending: fifo ? '.fifo' : '' });
    const attributes: Record<string, string> = {};
    for (const key of ATTRIBUTES) {
      const v = p.attribute(key);
      if (v !== undefined) attributes[key] = v;
    }
    if (fifo) attributes.FifoQueue = 'true';
    const tags = p.tags();
    const found = r.tryCall(sqs, 'GetQueueUrl', { QueueName: name }, 'QueueDoesNotExist');
    let status: Outcome['status'];
    let url: string;
    if (!found) {
      url = r.call(sqs, 'CreateQueue', { QueueName: name, Attributes: attributes, ...(Object.keys(tags).length ? { tags } : {}) }).QueueUrl as string;
      status = 'created';
    } else {
      url = found.QueueUrl as string;
      const read = () => (r.call(sqs, 'GetQueueAttributes', { QueueUrl: url, AttributeNames: ['All'] }).Attributes ?? {}) as Record<string, string>;
      const current = read();
      if ((current.FifoQueue === 'true') !== fifo)
        p.fail(undefined, `queue ${name} already exists as a ${fifo ? 'standard' : 'FIFO'} queue; the template declares a ${fifo ? 'FIFO' : 'standard'} queue, and a queue's type cannot change`);
      const changed: Record<string, string> = {};
      for (const [k, v] of Object.entries(attributes)) if (k !== 'FifoQueue' && !sameValue(current[k], v)) changed[k] = v;
      if (Object.keys(changed).length) r.call(sqs, 'SetQueueAttributes', { QueueUrl: url, Attributes: changed });
      let updated = changedAfter(current, Object.keys(changed), read);
      const currentTags = (r.call(sqs, 'ListQueueTags', { QueueUrl: url }).Tags ?? {}) as Record<string, string>;
      const newTags = Object.fromEntries(Object.entries(tags).filter(([k, v]) => currentTags[k] !== v));
      if (Object.keys(newTags).length) {
        r.call(sqs, 'TagQueue', { QueueUrl: url, Tags: newTags });
        updated = true;
      }
      status = updated ? 'updated' : 'unchanged';
    }
    const arn = (r.call(sqs, 'GetQueueAttributes', { QueueUrl: url, AttributeNames: ['QueueArn'] }).Attributes as Record<string, string>).QueueArn;
    return { status, physicalId: url, ref: url, arn, url, attributes: { Arn: arn, QueueName: name, QueueUrl: url } };
  },
};

/** Sets the `Policy` attribute of each queue (by URL) where it differs: created (none before), updated or unchanged. */
function setPolicy(r: ResourceContext, urls: string[], policy: string): Outcome['status'] {
  let status: Outcome['status'] = 'unchanged';
  for (const QueueUrl of urls) {
    const current = (r.call(r.services.sqs, 'GetQueueAttributes', { QueueUrl, AttributeNames: ['Policy'] }).Attributes ?? {}) as Record<string, string>;
    if (sameValue(current.Policy, policy)) continue;
    r.call(r.services.sqs, 'SetQueueAttributes', { QueueUrl, Attributes: { Policy: policy } });
    status = current.Policy ? 'updated' : status === 'unchanged' ? 'created' : status;
  }
  return status;
}

export const queuePolicy: Provider = {
  properties: ['Queues', 'PolicyDocument'],
  attributes: ['Id'],
  apply(r) {
    const p: Props = r.props;
    p.required('Queues');
    const policy = p.json('PolicyDocument') ?? p.fail('PolicyDocument', 'is required');
    const status = setPolicy(r, p.strings('Queues'), policy);
    const id = r.name({ maxLength: 128 });
    return { status, physicalId: id, ref: id, attributes: { Id: id } };
  },
};

export const queueInlinePolicy: Provider = {
  properties: ['Queue', 'PolicyDocument'],
  attributes: [],
  apply(r) {
    const p: Props = r.props;
    const url = p.requiredString('Queue');
    const policy = p.json('PolicyDocument') ?? p.fail('PolicyDocument', 'is required');
    return { status: setPolicy(r, [url], policy), physicalId: url, ref: url, attributes: {} };
  },
};
