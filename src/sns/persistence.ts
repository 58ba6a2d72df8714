/**
 * What SNS tells persistence (src/persist/sns-store.ts) when Switchyard runs with a data
 * directory, and the wrapper that tells it about deliveries. With no data directory the service
 * holds no SnsPersistence and none of this runs: Publish pays nothing for it.
 *
 * Deliveries. Those that leave the process and may be retried (http, https, lambda, firehose) are
 * recorded as pending when they start (through the Deliverer's DeliveryJournal), with everything needed to make them again after a restart
 * (the message as published for that subscription, not the rendered body: the signature has to
 * be made again with the new process's key); each failed attempt that will be retried records
 * the attempt count and when the next attempt is due; the end (delivered, dropped, written to the
 * DLQ) is recorded too. In-process deliveries (sqs) are not recorded: they end in their first
 * attempt, which Publish waits for before it answers (the queue's own journal then holds the
 * message).
 */
import type { DeliveryJournal } from '../delivery/deliverer.js';
import type { DeliveryAttempt, PublishTrace } from '../trace/trace.js';
import { ownRecord, type PublishedAttributes } from './message.js';
import type { Topic } from './topic.js';

/** Protocols whose deliveries leave the process and are retried: recorded until they end. */
export const RECORDED_PROTOCOLS: ReadonlySet<string> = new Set(['http', 'https', 'lambda', 'firehose']);

/** A published message as one subscription receives it (attributes' binary values in base64). */
export interface StoredMessage {
  id: string;
  /** The text for the subscription's protocol (MessageStructure=json already resolved). */
  text: string;
  subject?: string;
  attributes?: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>;
  groupId?: string;
  dedupId?: string;
  sequenceNumber?: string;
}

/**
 * A SubscriptionConfirmation or UnsubscribeConfirmation. The subscription itself may be gone by
 * the time it is retried (an UnsubscribeConfirmation is sent after the subscription is deleted),
 * so what the message needs is kept here.
 */
export interface StoredConfirmation {
  type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';
  messageId: string;
  token: string;
  endpoint: string;
  protocol: string;
  owner: string;
  /** The subscription's DeliveryPolicy attribute, if it had one. */
  deliveryPolicy?: string;
}

/** A delivery that has not ended: what the journal records, and what a restart resumes. */
export interface PendingDelivery {
  id: string;
  subscriptionArn: string;
  topicArn: string;
  /** Where the message's own URLs point (UnsubscribeURL, SubscribeURL, SigningCertURL). */
  baseUrl: string;
  /** Epoch ms the message was published: the delivery's age counts from here. */
  eventTime: number;
  /** Attempts made so far. */
  attempts: number;
  /** Epoch ms of the next attempt (for one running when the process stopped: when it began). */
  nextAt: number;
  /** The last failed attempt, for the trace. */
  last?: DeliveryAttempt;
  via: PublishTrace['via'];
  /** A Notification... */
  message?: StoredMessage;
  /** ...or a confirmation. */
  confirmation?: StoredConfirmation;
}

export interface SnsPersistence {
  /** A FIFO topic accepted a message: its dedup entry (and the sequence counter, in the number). */
  deduplicated(topic: Topic, key: string, messageId: string, sequenceNumber: string, expiresAt: number): void;
  /** A FIFO topic was deleted: a new topic of the same name starts with an empty window. */
  topicDeleted(topic: Topic): void;
  deliveryStarted(delivery: PendingDelivery): void;
  /** Attempt `attempts` failed (or an injected fault delays the next); the next one is due at `nextAt`. */
  deliveryRetrying(id: string, attempts: number, nextAt: number, last: DeliveryAttempt | undefined): void;
  deliveryEnded(id: string): void;
  /** reset(): every delivery was cancelled. */
  cleared(): void;
  /** The resources changed: resolves once the catalog on disk has the change. */
  catalogChanged(): Promise<void>;
  /** Everything appended to every journal so far is on disk. */
  durableAll(): Promise<void>;
}

export function encodeAttributes(attributes: PublishedAttributes | undefined): StoredMessage['attributes'] {
  if (!attributes) return undefined;
  const out: NonNullable<StoredMessage['attributes']> = ownRecord();
  for (const [k, a] of Object.entries(attributes))
    out[k] = a.BinaryValue ? { DataType: a.DataType, BinaryValue: Buffer.from(a.BinaryValue).toString('base64') } : { DataType: a.DataType, StringValue: a.StringValue };
  return out;
}

export function decodeAttributes(attributes: StoredMessage['attributes']): PublishedAttributes | undefined {
  if (!attributes) return undefined;
  const out: PublishedAttributes = ownRecord();
  for (const [k, a] of Object.entries(attributes))
    out[k] = a.BinaryValue !== undefined ? { DataType: a.DataType, BinaryValue: Buffer.from(a.BinaryValue, 'base64') } : { DataType: a.DataType, StringValue: a.StringValue };
  return out;
}

/**
 * The journal (deliverer.ts) of a delivery recorded from start to end under `id`. Persistence is
 * read at every step, so nothing is recorded once it is closed.
 */
export function recordedJournal(id: string, persistence: () => SnsPersistence | undefined): DeliveryJournal {
  return {
    // Nothing to add: the record's next attempt time is when this attempt began, so a restart
    // while it waits for its answer makes it again (at-least-once).
    attempting: () => {},
    waiting: (attempts, nextAttemptAt, last) => persistence()?.deliveryRetrying(id, attempts, nextAttemptAt, last),
    ended: () => persistence()?.deliveryEnded(id),
  };
}

/**
 * The journal of an in-process delivery (sqs) that a Publish waits for: `work` gets a promise
 * that resolves once its first attempt ran (and the DLQ write it led to, if any), when the
 * message is in the queue's journal.
 */
export function firstAttemptJournal(work: Promise<void>[]): DeliveryJournal {
  let done!: () => void;
  work.push(new Promise<void>((resolve) => (done = resolve)));
  return { attempting: () => {}, waiting: () => done(), ended: () => done() };
}

/** A resumed delivery's trace starts with the last attempt made before the restart. */
export function restoredAttempts(d: PendingDelivery): { attempts: DeliveryAttempt[]; prior: number } {
  const attempts = d.last && d.attempts > 0 ? [d.last] : [];
  return { attempts, prior: d.attempts - attempts.length };
}
