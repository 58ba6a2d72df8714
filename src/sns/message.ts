/**
 * A published message: validated as SNS validates it (attributes, size, MessageStructure), and
 * rendered for a subscriber: the JSON notification envelope AWS delivers, or the raw message.
 */
import type * as sns from '@aws-sdk/client-sns';
import { invalidParameter, invalidParameterValue } from './errors.js';
import { SNS_LIMITS } from './topic.js';

export interface PublishedAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: Uint8Array;
}

export type PublishedAttributes = Record<string, PublishedAttribute>;

/** One accepted message, shared by every subscription's delivery. */
export interface Published {
  messageId: string;
  topicArn: string;
  /** The Message parameter as published. */
  message: string;
  /** With MessageStructure=json: the message per protocol (`default` always there). */
  perProtocol?: Record<string, string>;
  subject?: string;
  attributes?: PublishedAttributes;
  groupId?: string;
  dedupId?: string;
  sequenceNumber?: string;
  /** Epoch ms. */
  timestamp: number;
  /** The attributes as SQS message attributes, made on the first raw delivery (fanout.ts). */
  sqsAttributes?: Record<string, { DataType: string; StringValue?: string; BinaryValue?: Uint8Array }>;
}

const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * A record keyed by user-chosen names: `__proto__` is a legal attribute name, and must be an own
 * property like any other rather than replace the object's prototype.
 */
export function ownRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
const DATA_TYPE = /^(String|Number|Binary)(\..+)?$/;

/** AWS's checks on MessageAttributes (ParameterValueInvalid), first failure wins. */
export function checkAttributes(attributes: Record<string, sns.MessageAttributeValue> | undefined): PublishedAttributes | undefined {
  if (!attributes) return undefined;
  const out: PublishedAttributes = ownRecord();
  for (const [name, attr] of Object.entries(attributes)) {
    if (Buffer.byteLength(name) > 256) throw invalidParameterValue('Length of message attribute name must be less than 256 bytes.');
    if (!ATTRIBUTE_NAME.test(name)) {
      const bad = [...name].find((c) => !/[A-Za-z0-9_.-]/.test(c)) ?? name[0];
      throw invalidParameterValue(
        `Invalid non-alphanumeric character '#x${bad.codePointAt(0)!.toString(16).toUpperCase()}' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.`,
      );
    }
    if (name.startsWith('.')) throw invalidParameterValue("Invalid message attribute name starting with character '.' was found.");
    if (name.endsWith('.')) throw invalidParameterValue("Invalid message attribute name ending with character '.' was found.");
    if (name.includes('..')) throw invalidParameterValue("Message attribute name can not have successive '.' character.");
    const type = attr.DataType;
    if (!type || !DATA_TYPE.test(type))
      throw invalidParameterValue(
        `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
      );
    const binary = type.startsWith('Binary');
    const value = binary ? attr.BinaryValue : attr.StringValue;
    if (value === undefined) {
      if ((binary ? attr.StringValue : attr.BinaryValue) !== undefined)
        throw invalidParameterValue(`The message attribute '${name}' with type '${type}' must use field '${binary ? 'Binary' : 'String'}'.`);
      throw invalidParameterValue(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`);
    }
    if (value.length === 0)
      throw invalidParameterValue(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`);
    if (type.startsWith('Number') && !isSnsNumber(attr.StringValue!))
      throw invalidParameterValue(`Could not cast message attribute '${name}' value to number.`);
    if (type === 'String.Array' && !isJsonArray(attr.StringValue!))
      throw invalidParameterValue(
        `The message attribute '${name}' with type 'String.Array' has an invalid value ${attr.StringValue}: the value must be a JSON array.`,
      );
    out[name] = binary ? { DataType: type, BinaryValue: attr.BinaryValue } : { DataType: type, StringValue: attr.StringValue };
  }
  return out;
}

function isSnsNumber(s: string): boolean {
  return /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(s);
}

function isJsonArray(s: string): boolean {
  try {
    return Array.isArray(JSON.parse(s));
  } catch {
    return false;
  }
}

/** Message plus every attribute's name, type and value: what counts toward the 256 KiB limit. */
export function publishSize(message: string, attributes: PublishedAttributes | undefined): number {
  let size = Buffer.byteLength(message);
  if (attributes)
    for (const [name, a] of Object.entries(attributes))
      size += Buffer.byteLength(name) + Buffer.byteLength(a.DataType) + (a.BinaryValue ? a.BinaryValue.length : Buffer.byteLength(a.StringValue ?? ''));
  return size;
}

/** MessageStructure=json: a JSON object with a `default` string; non-string values are ignored, as AWS does. */
export function parseMessageStructure(message: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    throw invalidParameter('Invalid parameter: Message Structure - JSON message body failed to parse');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw invalidParameter('Invalid parameter: Message Structure - JSON message body failed to parse');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') out[k] = v;
  if (!Object.hasOwn(out, 'default')) throw invalidParameter('Invalid parameter: Message Structure - No default entry in JSON message body');
  return out;
}

/** Checks shared by Publish and every PublishBatch entry. */
export function checkMessage(message: string | undefined, subject: string | undefined, maxBytes: number): void {
  if (message === undefined || message.length === 0) throw invalidParameter('Invalid parameter: Empty message');
  if (subject !== undefined) {
    // AWS: ASCII, no line breaks, fewer than 100 characters, not empty.
    if (subject.length === 0 || subject.length > SNS_LIMITS.maxSubjectLength || !/^[\x20-\x7e]*$/.test(subject))
      throw invalidParameter('Invalid parameter: Subject');
  }
  if (Buffer.byteLength(message) > maxBytes) throw invalidParameter('Invalid parameter: Message too long');
}

/** The message text a subscriber of this protocol gets. */
export function messageFor(p: Published, protocol: string): string {
  if (!p.perProtocol) return p.message;
  return p.perProtocol[protocol] ?? p.perProtocol.default;
}

export function isoMillis(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * AWS's envelope text: the fields in AWS's order, one per line, `"Key" : value`, as SNS writes
 * it (consumers only parse it, but byte-identical output is cheap and makes diffs against AWS
 * captures clean).
 */
export function renderEnvelope(fields: Array<[string, unknown]>): string {
  const lines: string[] = [];
  for (const [k, v] of fields) if (v !== undefined) lines.push(`  ${JSON.stringify(k)} : ${JSON.stringify(v)}`);
  return `{\n${lines.join(',\n')}\n}`;
}

/** MessageAttributes as the envelope carries them: `{Type, Value}`, Binary base64. */
export function envelopeAttributes(attributes: PublishedAttributes | undefined): Record<string, { Type: string; Value: string }> | undefined {
  if (!attributes) return undefined;
  const names = Object.keys(attributes);
  if (names.length === 0) return undefined;
  const out = ownRecord<{ Type: string; Value: string }>();
  for (const name of names) {
    const a = attributes[name];
    out[name] = { Type: a.DataType, Value: a.BinaryValue ? Buffer.from(a.BinaryValue).toString('base64') : a.StringValue! };
  }
  return out;
}
