/**
 * Messages as the inspection API and `sy.messagesIn()` show them, peeked: nothing about a message
 * changes by looking at it (no receive, no visibility change, no receive count). No express here,
 * so the public API can use it without loading the web stack.
 */
import { MessageState, type SqsMessage } from '../sqs/message.js';
import type { Queue } from '../sqs/queue.js';
import { md5Hex } from '../sqs/md5.js';

export const iso = (ms: number | undefined) => (ms === undefined || ms === 0 ? undefined : new Date(ms).toISOString());

/** A message as the API shows it; binary attribute values base64. */
export function peeked(q: Queue, m: SqsMessage) {
  const messageAttributes: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }> = Object.create(null);
  for (const [k, a] of Object.entries(m.attributes ?? {}))
    messageAttributes[k] = a.BinaryValue ? { DataType: a.DataType!, BinaryValue: Buffer.from(a.BinaryValue).toString('base64') } : { DataType: a.DataType!, StringValue: a.StringValue };
  const attributes: Record<string, string> = {
    SenderId: m.senderId,
    SentTimestamp: String(m.sentAt),
    ApproximateReceiveCount: String(m.receiveCount),
  };
  if (m.firstReceiveAt) attributes.ApproximateFirstReceiveTimestamp = String(m.firstReceiveAt);
  if (m.groupId !== undefined) attributes.MessageGroupId = m.groupId;
  if (m.dedupId !== undefined) attributes.MessageDeduplicationId = m.dedupId;
  if (m.sequenceNumber !== undefined) attributes.SequenceNumber = m.sequenceNumber;
  if (m.deadLetterSourceArn !== undefined) attributes.DeadLetterQueueSourceArn = m.deadLetterSourceArn;
  return {
    messageId: m.id,
    body: m.body,
    md5OfBody: md5Hex(m.body),
    attributes,
    messageAttributes,
    receiveCount: m.receiveCount,
    sentAt: iso(m.sentAt),
    visibleAt: iso(q.visibleAt(m)),
    groupId: m.groupId,
    dedupId: m.dedupId,
    sequenceNumber: m.sequenceNumber,
    deadLetterSourceArn: m.deadLetterSourceArn,
  };
}

export function messagesByState(q: Queue, limit: number) {
  const out = { visible: [] as ReturnType<typeof peeked>[], inFlight: [] as ReturnType<typeof peeked>[], delayed: [] as ReturnType<typeof peeked>[] };
  for (const m of q.peek()) {
    const list = m.state === MessageState.Visible ? out.visible : m.state === MessageState.InFlight ? out.inFlight : m.state === MessageState.Delayed ? out.delayed : undefined;
    if (list && list.length < limit) list.push(peeked(q, m));
  }
  return out;
}

