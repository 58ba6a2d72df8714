/** An SNS topic: its attributes, tags, subscriptions, and for FIFO topics the dedup window and sequence. */
import type { Subscription } from './subscription.js';

/** SNS's limits, with the date they were checked (docs/compatibility.md). */
export const SNS_LIMITS = {
  /** Message plus attribute names, types and values, in bytes (256 KiB; AWS docs, 2026-11). */
  maxMessageBytes: 262_144,
  /** Subject: fewer than 100 characters. */
  maxSubjectLength: 99,
  batchEntries: 10,
  /** Filter policies per topic (AWS's default quota). */
  filterPoliciesPerTopic: 200,
  tagsPerTopic: 50,
  /** FIFO deduplication window. */
  dedupWindowMs: 5 * 60_000,
  /** Attributes a raw delivery can carry to SQS (SQS's own limit). */
  rawDeliveryAttributes: 10,
} as const;

/** The attributes SetTopicAttributes / CreateTopic accept (FifoTopic only at create). */
export const TOPIC_ATTRIBUTES: ReadonlySet<string> = new Set([
  'DisplayName',
  'Policy',
  'DeliveryPolicy',
  'KmsMasterKeyId',
  'SignatureVersion',
  'TracingConfig',
  'ContentBasedDeduplication',
  'ArchivePolicy',
  'FifoThroughputScope',
  'FifoTopic',
  'DataProtectionPolicy',
  // Delivery-status logging attributes are stored as given.
  'ApplicationSuccessFeedbackRoleArn',
  'ApplicationSuccessFeedbackSampleRate',
  'ApplicationFailureFeedbackRoleArn',
  'HTTPSuccessFeedbackRoleArn',
  'HTTPSuccessFeedbackSampleRate',
  'HTTPFailureFeedbackRoleArn',
  'LambdaSuccessFeedbackRoleArn',
  'LambdaSuccessFeedbackSampleRate',
  'LambdaFailureFeedbackRoleArn',
  'SQSSuccessFeedbackRoleArn',
  'SQSSuccessFeedbackSampleRate',
  'SQSFailureFeedbackRoleArn',
  'FirehoseSuccessFeedbackRoleArn',
  'FirehoseSuccessFeedbackSampleRate',
  'FirehoseFailureFeedbackRoleArn',
]);

export interface Deduplicated {
  messageId: string;
  sequenceNumber: string;
  expiresAt: number;
}

/** Sequence numbers are this base plus a per-topic counter: 20 digits from the first one. */
const SEQUENCE_BASE = 10_000_000_000_000_000_000n;

/** The counter a sequence number was made from (persistence keeps counters, not numbers). */
export function sequenceCounterOf(sequenceNumber: string): bigint {
  return BigInt(sequenceNumber) - SEQUENCE_BASE;
}

export class Topic {
  readonly attributes = new Map<string, string>();
  readonly tags = new Map<string, string>();
  /** By ARN, in the order they were made (fan-out order). */
  readonly subscriptions = new Map<string, Subscription>();
  dataProtectionPolicy?: string;
  subscriptionsDeleted = 0;
  private readonly dedup = new Map<string, Deduplicated>();
  private sequence = 0n;

  constructor(
    readonly name: string,
    readonly arn: string,
    readonly account: string,
    readonly fifo: boolean,
    readonly createdAt: number,
  ) {
    this.attributes.set('Policy', defaultPolicy(arn, account));
    this.attributes.set('DisplayName', '');
    if (fifo) {
      this.attributes.set('FifoTopic', 'true');
      this.attributes.set('ContentBasedDeduplication', 'false');
    }
  }

  get contentBasedDeduplication(): boolean {
    return this.attributes.get('ContentBasedDeduplication') === 'true';
  }

  get signatureVersion(): '1' | '2' {
    return this.attributes.get('SignatureVersion') === '2' ? '2' : '1';
  }

  /** Counting filter policies for the per-topic quota. */
  get filterPolicyCount(): number {
    let n = 0;
    for (const s of this.subscriptions.values()) if (s.filter) n++;
    return n;
  }

  /** A message seen in the dedup window: its id and sequence number (the publish answers with them). */
  duplicateOf(dedupKey: string, now: number): Deduplicated | undefined {
    const seen = this.dedup.get(dedupKey);
    if (seen && seen.expiresAt > now) return seen;
    return undefined;
  }

  /** The next sequence number (20 digits, increasing per topic) and the dedup entry for it. */
  accept(dedupKey: string, messageId: string, now: number): string {
    this.prune(now);
    this.sequence++;
    const sequenceNumber = (SEQUENCE_BASE + this.sequence).toString();
    this.dedup.set(dedupKey, { messageId, sequenceNumber, expiresAt: now + SNS_LIMITS.dedupWindowMs });
    return sequenceNumber;
  }

  /** The last sequence counter and the dedup entries still live at `now`, oldest first (persistence). */
  persistentState(now: number): { sequence: bigint; dedup: Array<[string, Deduplicated]> } {
    const dedup: Array<[string, Deduplicated]> = [];
    for (const entry of this.dedup) if (entry[1].expiresAt > now) dedup.push(entry);
    return { sequence: this.sequence, dedup };
  }

  /**
   * Put back what persistence recorded. Entries must come oldest first, as they were accepted:
   * prune() relies on insertion order being expiry order.
   */
  restoreDedup(dedupKey: string, entry: Deduplicated): void {
    this.dedup.delete(dedupKey);
    this.dedup.set(dedupKey, entry);
  }

  /** The counter never goes back: a restored topic numbers on from its last message. */
  restoreSequence(sequence: bigint): void {
    if (sequence > this.sequence) this.sequence = sequence;
  }

  private prune(now: number): void {
    // Entries are in insertion order, so expiry order: stop at the first live one.
    for (const [key, entry] of this.dedup) {
      if (entry.expiresAt > now) break;
      this.dedup.delete(key);
    }
  }
}

/** The policy AWS gives every new topic. */
function defaultPolicy(arn: string, account: string): string {
  return JSON.stringify({
    Version: '2008-10-17',
    Id: '__default_policy_ID',
    Statement: [
      {
        Effect: 'Allow',
        Sid: '__default_statement_ID',
        Principal: { AWS: '*' },
        Action: [
          'SNS:GetTopicAttributes',
          'SNS:SetTopicAttributes',
          'SNS:AddPermission',
          'SNS:RemovePermission',
          'SNS:DeleteTopic',
          'SNS:Subscribe',
          'SNS:ListSubscriptionsByTopic',
          'SNS:Publish',
        ],
        Resource: arn,
        Condition: { StringEquals: { 'AWS:SourceOwner': account } },
      },
    ],
  });
}
