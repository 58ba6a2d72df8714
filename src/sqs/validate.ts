/**
 * What SQS checks about a message before it accepts it, with AWS's error codes and messages.
 */
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import { missingParameter } from '../gateway/errors.js';
import { SQS_LIMITS } from './attributes.js';
import { invalidParameterValue, sqsError } from './errors.js';
import type { AttributeMap } from './message.js';
import type { Queue } from './queue.js';

// Valid XML characters: #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
// With the u flag a lone surrogate is a code point in D800-DFFF, which this rejects too.
const INVALID_CHARS = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const PRINTABLE_ASCII = /^[\t\n\r\x20-\x7E]*$/;

export function validateBody(body: string | undefined): string {
  if (body === undefined || body.length === 0) throw missingParameter('MessageBody');
  // Most bodies are printable ASCII: a plain character class settles them without the u-flag scan.
  if (!PRINTABLE_ASCII.test(body) && INVALID_CHARS.test(body))
    throw sqsError(
      'InvalidMessageContents',
      'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
    );
  return body;
}

// Letters and digits of any script (AWS accepts e.g. `attr.1øßä`), `_`, `-` and `.`.
const NAME = /^[\p{L}\p{N}_.-]{1,256}$/u;
const TYPE = /^(String|Number|Binary)(\.[^\s]{1,255})?$/;
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** Validate message attributes; returns their size in bytes (names, types and values count). */
export function validateMessageAttributes(attrs: AttributeMap | undefined, kind: 'user' | 'system' = 'user'): number {
  if (!attrs) return 0;
  const names = Object.keys(attrs);
  if (kind === 'user' && names.length > SQS_LIMITS.maxAttributes)
    throw invalidParameterValue(`Number of message attributes [${names.length}] exceeds the allowed maximum [${SQS_LIMITS.maxAttributes}].`);
  let size = 0;
  for (const name of names) {
    const v: MessageAttributeValue = attrs[name];
    if (kind === 'system') {
      if (name !== 'AWSTraceHeader')
        throw invalidParameterValue(`Message system attribute name '${name}' is invalid.`);
      if (v.DataType !== 'String')
        throw invalidParameterValue(`The message system attribute '${name}' must have DataType String.`);
    } else {
      const lower = name.toLowerCase();
      if (
        !NAME.test(name) ||
        name.startsWith('.') ||
        name.endsWith('.') ||
        name.includes('..') ||
        lower.startsWith('aws.') ||
        lower.startsWith('amazon.')
      )
        throw invalidParameterValue(`Message (user) attribute name '${name}' is invalid. Names can contain alphanumeric characters, hyphens, underscores and periods; can't start or end with a period, contain consecutive periods or start with AWS. or Amazon.`);
    }
    const label = kind === 'user' ? 'message (user) attribute' : 'message system attribute';
    const type = v.DataType;
    if (!type) throw invalidParameterValue(`The message attribute '${name}' must contain a non-empty message attribute type.`);
    if (!TYPE.test(type))
      throw invalidParameterValue(`The type of ${label} '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`);
    if (v.StringListValues?.length || v.BinaryListValues?.length)
      throw invalidParameterValue(`Message attribute list values in SendMessage operation are not supported.`);
    const base = type.split('.')[0];
    if (base === 'Binary') {
      if (v.BinaryValue === undefined || v.BinaryValue.length === 0)
        throw invalidParameterValue(`The ${label} '${name}' with type 'Binary' must use field 'Binary'.`);
      if (v.StringValue !== undefined)
        throw invalidParameterValue(`The ${label} '${name}' with type 'Binary' must use field 'Binary'.`);
      size += v.BinaryValue.length;
    } else {
      if (v.StringValue === undefined || v.StringValue.length === 0)
        throw invalidParameterValue(`The ${label} '${name}' must contain a non-empty message attribute value for message attribute type '${base}'.`);
      if (v.BinaryValue !== undefined)
        throw invalidParameterValue(`The ${label} '${name}' with type '${base}' must use field 'String'.`);
      if (INVALID_CHARS.test(v.StringValue))
        throw invalidParameterValue(`Invalid characters found in the value of ${label} '${name}'.`); // AWS: InvalidParameterValue here
      if (base === 'Number' && !NUMBER.test(v.StringValue))
        throw invalidParameterValue(`Can't cast the value of ${label} '${name}' to a number.`);
      size += Buffer.byteLength(v.StringValue, 'utf8');
    }
    size += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(type, 'utf8');
  }
  return size;
}

export interface SendEntry {
  MessageBody?: string;
  DelaySeconds?: number;
  MessageAttributes?: AttributeMap;
  MessageSystemAttributes?: AttributeMap;
  MessageDeduplicationId?: string;
  MessageGroupId?: string;
}

const DEDUP_ID = /^[\x21-\x7E]{1,128}$/;

/** Everything SendMessage and each SendMessageBatch entry check, against the target queue. */
export function validateSend(queue: Queue, e: SendEntry): number {
  const body = validateBody(e.MessageBody);
  const size = Buffer.byteLength(body, 'utf8') + validateMessageAttributes(e.MessageAttributes);
  validateMessageAttributes(e.MessageSystemAttributes, 'system');
  if (size > queue.maximumMessageSize)
    throw invalidParameterValue(
      `One or more parameters are invalid. Reason: Message must be shorter than ${queue.maximumMessageSize} bytes.`,
    );
  if (e.DelaySeconds !== undefined && (e.DelaySeconds < 0 || e.DelaySeconds > SQS_LIMITS.maxDelaySeconds))
    throw invalidParameterValue(
      `Value ${e.DelaySeconds} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= ${SQS_LIMITS.maxDelaySeconds}.`,
    );
  if (e.MessageGroupId !== undefined && !DEDUP_ID.test(e.MessageGroupId))
    throw invalidParameterValue(
      `Value ${e.MessageGroupId} for parameter MessageGroupId is invalid. Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.`,
    );
  if (queue.fifo) {
    if (e.MessageGroupId === undefined) throw missingParameter('MessageGroupId');
    if (e.DelaySeconds !== undefined && e.DelaySeconds !== 0)
      throw invalidParameterValue(
        `Value ${e.DelaySeconds} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.`,
      );
    if (e.MessageDeduplicationId !== undefined && !DEDUP_ID.test(e.MessageDeduplicationId))
      throw invalidParameterValue(
        `Value ${e.MessageDeduplicationId} for parameter MessageDeduplicationId is invalid. Reason: MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.`,
      );
    if (e.MessageDeduplicationId === undefined && !queue.contentBasedDedup)
      throw invalidParameterValue(
        'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
      );
  } else if (e.MessageDeduplicationId !== undefined) {
    throw invalidParameterValue(
      `Value ${e.MessageDeduplicationId} for parameter MessageDeduplicationId is invalid. Reason: The request include parameter that is not valid for this queue type.`,
    );
  }
  return size;
}

const BATCH_ID = /^[A-Za-z0-9_-]{1,80}$/;

/** Batch-level checks every SQS batch call makes, with AWS's batch error codes. */
export function validateBatch(entries: { Id?: string }[] | undefined, entryName: string): void {
  if (!entries || entries.length === 0)
    throw sqsError('EmptyBatchRequest', `There should be at least one ${entryName} in the request.`);
  if (entries.length > SQS_LIMITS.maxBatchEntries)
    throw sqsError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are ${SQS_LIMITS.maxBatchEntries}. You have sent ${entries.length}.`);
  const seen = new Set<string>();
  for (const e of entries) {
    const id = e.Id ?? '';
    if (!BATCH_ID.test(id))
      throw sqsError('InvalidBatchEntryId', 'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.');
    if (seen.has(id)) throw sqsError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    seen.add(id);
  }
}
