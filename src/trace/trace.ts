/**
 * What happened to each accepted event (and each SNS publish): the rules it matched (the
 * subscriptions it passed), what each target received, every delivery attempt with its outcome,
 * the DLQ hop. Kept in a ring of the most recent N events so
 * memory stays bounded however long Switchyard runs; the debug UI and `/_switchyard/api/` read it.
 */

export interface DeliveryAttempt {
  /** Epoch ms on Switchyard's clock. */
  at: number;
  ok: boolean;
  /** Delivered nowhere: no endpoint configured for the target's service. */
  captured?: boolean;
  code?: string;
  message?: string;
  status?: number;
  detail?: string;
}

export type DeliveryState = 'pending' | 'retrying' | 'delivered' | 'captured' | 'dead-lettered' | 'dropped';

/** One delivery to one target or subscription, from first attempt to its end. */
export interface Delivery {
  targetArn: string;
  /** The body the target was sent (after Input / InputPath / InputTransformer; the SNS envelope). */
  input: string;
  state: DeliveryState;
  attempts: DeliveryAttempt[];
  /** Set when the delivery ended in a dead-letter queue. */
  deadLetterArn?: string;
  /** Why the delivery was given up (MaximumRetryAttempts, MaximumEventAgeInSeconds, not retryable). */
  exhausted?: string;
}

/** An EventBridge rule's target. */
export interface TargetDelivery extends Delivery {
  ruleArn: string;
  ruleName: string;
  targetId: string;
}

/** An SNS subscription (targetArn: the subscription's endpoint: a queue ARN, a URL, a function ARN). */
export interface SubscriptionDelivery extends Delivery {
  subscriptionArn: string;
  protocol: string;
}

export interface EventTrace {
  /** The event id (PutEvents' EventId). */
  id: string;
  kind: 'event';
  /** Ingestion time, epoch ms. */
  at: number;
  account: string;
  region: string;
  busArn: string;
  /** How it arrived: PutEvents, a schedule, a replay, another bus. */
  via: 'PutEvents' | 'schedule' | 'replay' | 'bus';
  event: Record<string, unknown>;
  matchedRules: string[];
  deliveries: TargetDelivery[];
  /** Archives the event was stored in. */
  archivedIn: string[];
}

/** One SNS publish: the message as accepted and what each subscription got. */
export interface PublishTrace {
  /** The MessageId Publish answered with. */
  id: string;
  kind: 'publish';
  at: number;
  account: string;
  region: string;
  topicArn: string;
  via: 'Publish' | 'PublishBatch' | 'events';
  message: {
    body: string;
    subject?: string;
    /** As published; Binary values base64. */
    attributes?: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>;
    groupId?: string;
    dedupId?: string;
    sequenceNumber?: string;
  };
  deliveries: SubscriptionDelivery[];
  /** Subscriptions whose filter policy the message did not pass. */
  filteredOut: string[];
}

export type Trace = EventTrace | PublishTrace;

export class TraceLog {
  private readonly ring: (Trace | undefined)[];
  private next = 0;
  private count = 0;
  private readonly byId = new Map<string, Trace>();

  constructor(readonly capacity = 10_000) {
    this.ring = new Array(Math.max(1, capacity));
  }

  add<T extends Trace>(trace: T): T {
    const old = this.ring[this.next];
    if (old && this.byId.get(old.id) === old) this.byId.delete(old.id);
    this.ring[this.next] = trace;
    this.next = (this.next + 1) % this.ring.length;
    if (this.count < this.ring.length) this.count++;
    this.byId.set(trace.id, trace);
    return trace;
  }

  get(id: string): Trace | undefined {
    return this.byId.get(id);
  }

  get size(): number {
    return this.count;
  }

  /** Newest first. */
  *newest(): IterableIterator<Trace> {
    for (let i = 1; i <= this.count; i++) {
      const t = this.ring[(this.next - i + this.ring.length) % this.ring.length];
      if (t) yield t;
    }
  }

  clear(): void {
    this.ring.fill(undefined);
    this.byId.clear();
    this.next = 0;
    this.count = 0;
  }
}
