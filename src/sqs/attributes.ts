/**
 * Queue attributes: which exist, which can be set, their ranges and defaults, and the errors
 * AWS gives for each. Values are kept as AWS keeps them: strings, validated on the way in.
 */
import { sqsError } from './errors.js';

export const SQS_LIMITS = {
  /** Default and maximum MaximumMessageSize since AWS raised it in 2025 (1 MiB). */
  maxMessageSize: 1_048_576,
  minMessageSize: 1_024,
  maxVisibilityTimeout: 43_200,
  maxDelaySeconds: 900,
  maxWaitTimeSeconds: 20,
  minRetention: 60,
  maxRetention: 1_209_600,
  defaultRetention: 345_600,
  maxBatchEntries: 10,
  maxAttributes: 10,
  maxTags: 50,
  maxInflightStandard: 120_000,
  maxInflightFifo: 120_000,
  dedupWindowMs: 5 * 60_000,
  purgeCooldownMs: 60_000,
  recreateCooldownMs: 60_000,
  maxReceiveCount: 1_000,
  queueNameLength: 80,
} as const;

/** Attributes a caller may set, with their validators. */
const settable = new Set([
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'Policy',
  'ReceiveMessageWaitTimeSeconds',
  'VisibilityTimeout',
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
]);

const fifoOnly = new Set(['ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit']);

export const readOnlyAttributes = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
] as const;

export const allAttributeNames = new Set<string>([...settable, ...readOnlyAttributes]);

function invalidValue(name: string, reason?: string) {
  return sqsError('InvalidAttributeValue', `Invalid value for the parameter ${name}.${reason ? ` Reason: ${reason}` : ''}`);
}

function intInRange(name: string, value: string, min: number, max: number): void {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw invalidValue(name);
}

function bool(name: string, value: string): void {
  if (value !== 'true' && value !== 'false') throw invalidValue(name);
}

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

export function parseRedrivePolicy(value: string): RedrivePolicy | undefined {
  if (value === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw invalidValue('RedrivePolicy', 'Redrive policy is not a valid JSON map.');
  }
  const p = parsed as Record<string, unknown>;
  if (typeof p !== 'object' || p === null || Array.isArray(p))
    throw invalidValue('RedrivePolicy', 'Redrive policy is not a valid JSON map.');
  const arn = p.deadLetterTargetArn;
  const count = typeof p.maxReceiveCount === 'string' ? Number(p.maxReceiveCount) : p.maxReceiveCount;
  if (typeof arn !== 'string' || arn === '')
    throw invalidValue('RedrivePolicy', 'Redrive policy does not contain mandatory attribute: deadLetterTargetArn.');
  if (count === undefined)
    throw invalidValue('RedrivePolicy', 'Redrive policy does not contain mandatory attribute: maxReceiveCount.');
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > SQS_LIMITS.maxReceiveCount)
    throw invalidValue('RedrivePolicy', `Invalid value for maxReceiveCount: ${String(p.maxReceiveCount)}, valid values are from 1 to 1000 both inclusive.`);
  return { deadLetterTargetArn: arn, maxReceiveCount: count };
}

export interface RedriveAllowPolicy {
  redrivePermission: 'allowAll' | 'denyAll' | 'byQueue';
  sourceQueueArns?: string[];
}

export function parseRedriveAllowPolicy(value: string): RedriveAllowPolicy | undefined {
  if (value === '') return undefined;
  let p: Record<string, unknown>;
  try {
    p = JSON.parse(value);
  } catch {
    throw invalidValue('RedriveAllowPolicy', 'Redrive allow policy is not a valid JSON map.');
  }
  if (typeof p !== 'object' || p === null || Array.isArray(p))
    throw invalidValue('RedriveAllowPolicy', 'Redrive allow policy is not a valid JSON map.');
  const perm = p.redrivePermission;
  if (perm !== 'allowAll' && perm !== 'denyAll' && perm !== 'byQueue')
    throw invalidValue('RedriveAllowPolicy', 'Redrive permission must be one of allowAll, denyAll, byQueue.');
  const arns = p.sourceQueueArns;
  if (perm === 'byQueue') {
    if (!Array.isArray(arns) || arns.length === 0 || arns.length > 10 || arns.some((a) => typeof a !== 'string'))
      throw invalidValue('RedriveAllowPolicy', 'sourceQueueArns must list 1 to 10 queue ARNs when redrivePermission is byQueue.');
    return { redrivePermission: perm, sourceQueueArns: arns as string[] };
  }
  if (arns !== undefined)
    throw invalidValue('RedriveAllowPolicy', 'sourceQueueArns may only be given when redrivePermission is byQueue.');
  return { redrivePermission: perm };
}

/**
 * Check one attribute a caller wants to set. `creating` allows FifoQueue; `fifo` says whether the
 * queue is (or will be) FIFO.
 */
export function validateAttribute(name: string, value: string, fifo: boolean, creating: boolean): void {
  if (!settable.has(name)) {
    if (allAttributeNames.has(name)) throw sqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    throw sqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
  }
  if (fifoOnly.has(name) && !fifo) throw sqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
  switch (name) {
    case 'DelaySeconds':
      return intInRange(name, value, 0, SQS_LIMITS.maxDelaySeconds);
    case 'MaximumMessageSize':
      return intInRange(name, value, SQS_LIMITS.minMessageSize, SQS_LIMITS.maxMessageSize);
    case 'MessageRetentionPeriod':
      return intInRange(name, value, SQS_LIMITS.minRetention, SQS_LIMITS.maxRetention);
    case 'ReceiveMessageWaitTimeSeconds':
      return intInRange(name, value, 0, SQS_LIMITS.maxWaitTimeSeconds);
    case 'VisibilityTimeout':
      return intInRange(name, value, 0, SQS_LIMITS.maxVisibilityTimeout);
    case 'KmsDataKeyReusePeriodSeconds':
      return intInRange(name, value, 60, 86_400);
    case 'SqsManagedSseEnabled':
    case 'ContentBasedDeduplication':
      return bool(name, value);
    case 'FifoQueue':
      // As AWS: unknown on a standard queue after creation; on a FIFO queue only "true" is accepted.
      if (!creating && !fifo) throw sqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
      if (!creating && value !== 'true') throw invalidValue(name, 'Modifying queue type is not supported.');
      return bool(name, value);
    case 'DeduplicationScope':
      if (value !== 'queue' && value !== 'messageGroup') throw invalidValue(name);
      return;
    case 'FifoThroughputLimit':
      if (value !== 'perQueue' && value !== 'perMessageGroupId') throw invalidValue(name);
      return;
    case 'Policy':
      if (value === '') return;
      try {
        const p = JSON.parse(value);
        if (typeof p !== 'object' || p === null) throw new Error();
      } catch {
        throw invalidValue(name, 'The policy is not valid JSON.');
      }
      return;
    case 'RedrivePolicy':
      parseRedrivePolicy(value);
      return;
    case 'RedriveAllowPolicy':
      parseRedriveAllowPolicy(value);
      return;
  }
}

export function defaultAttributes(fifo: boolean): Map<string, string> {
  const m = new Map<string, string>([
    ['VisibilityTimeout', '30'],
    ['MaximumMessageSize', String(SQS_LIMITS.maxMessageSize)],
    ['MessageRetentionPeriod', String(SQS_LIMITS.defaultRetention)],
    ['DelaySeconds', '0'],
    ['ReceiveMessageWaitTimeSeconds', '0'],
    ['SqsManagedSseEnabled', 'true'],
  ]);
  if (fifo) {
    m.set('FifoQueue', 'true');
    m.set('ContentBasedDeduplication', 'false');
    m.set('DeduplicationScope', 'queue');
    m.set('FifoThroughputLimit', 'perQueue');
  }
  return m;
}

/** Queue names: 1-80 of [A-Za-z0-9_-], FIFO names end in `.fifo` (counted in the 80). */
export function validateQueueName(name: string, fifo: boolean): void {
  if (fifo) {
    if (!/^[A-Za-z0-9_-]{1,75}\.fifo$/.test(name))
      throw sqsError(
        'InvalidParameterValue',
        'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.',
      );
  } else if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) {
    throw sqsError('InvalidParameterValue', 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length');
  }
}
