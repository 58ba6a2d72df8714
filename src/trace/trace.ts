/**
 * What happened to each accepted event: the rules it matched, what each target received, every
 * delivery attempt with its outcome, the DLQ hop. Kept in a ring of the most recent N events so
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

export interface TargetDelivery {
  ruleArn: string;
  ruleName: string;
  targetId: string;
  targetArn: string;
  /** The body the target was sent, after Input / InputPath / InputTransformer. */
  input: string;
  state: DeliveryState;
  attempts: DeliveryAttempt[];
  /** Set when the delivery ended in a dead-letter queue. */
  deadLetterArn?: string;
  /** Why the delivery was given up (MaximumRetryAttempts, MaximumEventAgeInSeconds, not retryable). */
  exhausted?: string;
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

export class TraceLog {
  private readonly ring: (EventTrace | undefined)[];
  private next = 0;
  private count = 0;
  private readonly byId = new Map<string, EventTrace>();

  constructor(readonly capacity = 10_000) {
    this.ring = new Array(Math.max(1, capacity));
  }

  add(trace: EventTrace): EventTrace {
    const old = this.ring[this.next];
    if (old && this.byId.get(old.id) === old) this.byId.delete(old.id);
    this.ring[this.next] = trace;
    this.next = (this.next + 1) % this.ring.length;
    if (this.count < this.ring.length) this.count++;
    this.byId.set(trace.id, trace);
    return trace;
  }

  get(id: string): EventTrace | undefined {
    return this.byId.get(id);
  }

  get size(): number {
    return this.count;
  }

  /** Newest first. */
  *newest(): IterableIterator<EventTrace> {
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
