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
  /** This attempt was failed by an injected fault (src/faults): the target was not called. */
  injected?: { faultId: string; kind: 'failure' };
}

/** A fault that touched a whole delivery (src/faults): it was made `copies` times, or made later. */
export type DeliveryInjection = { faultId: string; kind: 'duplicate'; copies: number } | { faultId: string; kind: 'latency'; delayMs: number };

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
  /**
   * An injected fault made this delivery `copies` times (duplicate), or delayed its attempts by
   * `delayMs` in all (latency). The first fault to touch the delivery; others follow in `alsoInjected`.
   */
  injected?: DeliveryInjection;
  /** Further faults on the same delivery (a latency and a duplicate; two latency faults): rare. */
  alsoInjected?: DeliveryInjection[];
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

/** One SQS SendMessage (or batch entry) through the API; deliveries from SNS and EventBridge are in their own records. */
export interface SendTrace {
  /** The MessageId. */
  id: string;
  kind: 'send';
  at: number;
  account: string;
  region: string;
  queueArn: string;
  via: 'SendMessage' | 'SendMessageBatch';
  message: {
    body: string;
    attributes?: Record<string, { DataType: string; StringValue?: string; BinaryValue?: string }>;
    groupId?: string;
    dedupId?: string;
  };
  /** A FIFO send inside the dedup window: accepted, not queued again. */
  duplicate?: boolean;
  /** A fault fired for this message: it will be delivered `copies` times (src/faults). */
  injected?: { faultId: string; kind: 'duplicate'; copies: number };
}

export type Trace = EventTrace | PublishTrace | SendTrace;

/** Where records find their idempotency key (docs/inspection-api.md). */
export interface IdempotencyConfig {
  /** Dotted JSON path into an event, or into a JSON message body. Default `detail.metadata.idempotency-key`. */
  path: string;
  /** Message attribute holding the key when the body has none. Default `idempotency-key`. */
  attribute: string;
}

export const DEFAULT_IDEMPOTENCY: IdempotencyConfig = { path: 'detail.metadata.idempotency-key', attribute: 'idempotency-key' };

/** The key of a record, if it has one: the path in the event or JSON body, else the message attribute. */
export function idempotencyKeyOf(t: Trace, config: IdempotencyConfig): string | undefined {
  const segments = config.path.split('.');
  const at = (root: unknown): string | undefined => {
    let v: unknown = root;
    for (const seg of segments) {
      if (v === null || typeof v !== 'object' || !Object.hasOwn(v, seg)) return undefined;
      v = (v as Record<string, unknown>)[seg];
    }
    return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
  };
  if (t.kind === 'event') return at(t.event);
  const body = t.message.body;
  if (body.length > 0 && (body[0] === '{' || body[0] === '[')) {
    try {
      const key = at(JSON.parse(body));
      if (key !== undefined) return key;
    } catch {
      // not JSON: the attribute may still hold a key
    }
  }
  const attr = t.message.attributes?.[config.attribute];
  return attr && Object.hasOwn(t.message.attributes!, config.attribute) ? attr.StringValue : undefined;
}

export class TraceLog {
  private readonly ring: (Trace | undefined)[];
  private next = 0;
  private count = 0;
  private readonly byId = new Map<string, Trace>();
  /** Idempotency keys, computed when first asked for (never on the hot path: bodies may be large JSON). */
  private readonly keys = new WeakMap<Trace, string | null>();
  /** Records per key, rebuilt on demand after records were added. */
  private keyIndex: Map<string, Trace[]> | undefined;
  private readonly listeners = new Set<(t: Trace) => void>();

  constructor(
    readonly capacity = 10_000,
    readonly idempotency: IdempotencyConfig = DEFAULT_IDEMPOTENCY,
  ) {
    this.ring = new Array(Math.max(1, capacity));
  }

  add<T extends Trace>(trace: T): T {
    const old = this.ring[this.next];
    if (old && this.byId.get(old.id) === old) this.byId.delete(old.id);
    this.ring[this.next] = trace;
    this.next = (this.next + 1) % this.ring.length;
    if (this.count < this.ring.length) this.count++;
    this.byId.set(trace.id, trace);
    this.keyIndex = undefined;
    if (this.listeners.size > 0) for (const l of this.listeners) l(trace);
    return trace;
  }

  /** Called with every record as it is added (the live stream); returns the unsubscribe. */
  subscribe(listener: (t: Trace) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  keyOf(t: Trace): string | undefined {
    let key = this.keys.get(t);
    if (key === undefined) this.keys.set(t, (key = idempotencyKeyOf(t, this.idempotency) ?? null));
    return key ?? undefined;
  }

  /** Records sharing `t`'s idempotency key (itself included), oldest first. */
  sameKey(t: Trace): readonly Trace[] {
    const key = this.keyOf(t);
    return key === undefined ? [] : (this.index().get(key) ?? []);
  }

  /** Keys more than one record in the trace carries. */
  *repeatedKeys(): IterableIterator<[string, readonly Trace[]]> {
    for (const [key, list] of this.index()) if (list.length > 1) yield [key, list];
  }

  private index(): Map<string, Trace[]> {
    if (this.keyIndex) return this.keyIndex;
    const index = new Map<string, Trace[]>();
    for (let i = this.count; i >= 1; i--) {
      const t = this.ring[(this.next - i + this.ring.length) % this.ring.length];
      if (!t) continue;
      const key = this.keyOf(t);
      if (key === undefined) continue;
      const list = index.get(key);
      if (list) list.push(t);
      else index.set(key, [t]);
    }
    return (this.keyIndex = index);
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
    this.keyIndex = undefined;
    this.next = 0;
    this.count = 0;
  }
}
