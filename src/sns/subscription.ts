/** An SNS subscription: where a topic's messages go, and how (raw or enveloped, filtered, retried). */
import type { Queue } from '../sqs/queue.js';
import type { FilterPolicy } from './filter-policy.js';

export const PROTOCOLS: ReadonlySet<string> = new Set([
  'http',
  'https',
  'email',
  'email-json',
  'sms',
  'sqs',
  'application',
  'lambda',
  'firehose',
]);

/** The attributes Subscribe and SetSubscriptionAttributes accept. */
export const SUBSCRIPTION_ATTRIBUTES: ReadonlySet<string> = new Set([
  'DeliveryPolicy',
  'FilterPolicy',
  'FilterPolicyScope',
  'RawMessageDelivery',
  'RedrivePolicy',
  'SubscriptionRoleArn',
  'ReplayPolicy',
]);

/** Protocols AWS lets deliver the raw message (`RawMessageDelivery`). */
export const RAW_PROTOCOLS: ReadonlySet<string> = new Set(['sqs', 'http', 'https', 'firehose']);

export class Subscription {
  /** User-set attributes (DeliveryPolicy, FilterPolicy, RawMessageDelivery, RedrivePolicy, ...). */
  readonly attributes = new Map<string, string>();
  filter: FilterPolicy | null = null;
  /** An SQS subscription's queue, once found (fanout.ts drops it when the queue is deleted). */
  queue: Queue | undefined = undefined;
  pendingConfirmation: boolean;
  confirmationWasAuthenticated = false;
  /** The token a SubscriptionConfirmation carries; ConfirmSubscription trades it for the subscription. */
  readonly token: string;

  constructor(
    readonly arn: string,
    readonly topicArn: string,
    readonly protocol: string,
    readonly endpoint: string,
    readonly owner: string,
    needsConfirmation: boolean,
    token: string,
  ) {
    this.pendingConfirmation = needsConfirmation;
    this.token = token;
  }

  get raw(): boolean {
    return this.attributes.get('RawMessageDelivery') === 'true';
  }

  get filterPolicyScope(): 'MessageAttributes' | 'MessageBody' {
    return this.attributes.get('FilterPolicyScope') === 'MessageBody' ? 'MessageBody' : 'MessageAttributes';
  }

  /** The DLQ of the subscription's RedrivePolicy, if any. */
  get deadLetterArn(): string | undefined {
    const policy = this.attributes.get('RedrivePolicy');
    if (!policy) return undefined;
    try {
      const arn = (JSON.parse(policy) as { deadLetterTargetArn?: unknown }).deadLetterTargetArn;
      return typeof arn === 'string' ? arn : undefined;
    } catch {
      return undefined;
    }
  }
}
