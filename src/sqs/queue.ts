/**
 * One SQS queue: its attributes, its messages and everything that happens to them over time.
 *
 * Layout (each operation O(1) or O(log n) in the number of messages, never a scan):
 * - `messages`: every live message by id, in the order it entered (retention sweeps the front);
 * - standard queues: `visible`, a deque of messages ready to receive (returned ones go to the
 *   front); entries that stopped being visible while queued are skipped lazily;
 * - FIFO queues: one deque per message group in sequence order, and `readyGroups`, the groups
 *   whose head is visible and which have nothing in flight (a group is held while any of its
 *   messages is in flight);
 * - every deadline (delay, visibility, retention, long-poll timeout) is a timer on the clock.
 */
import type { Faults } from '../faults/faults.js';
import { shuffle } from '../faults/random.js';
import { createHash } from 'node:crypto';
import { uuid } from '../ids.js';
import type { Clock, Timer } from '../clock.js';
import { Deque } from './deque.js';
import { MessageState, SqsMessage, type AttributeMap } from './message.js';
import {
  SQS_LIMITS,
  defaultAttributes,
  parseRedriveAllowPolicy,
  parseRedrivePolicy,
  type RedriveAllowPolicy,
  type RedrivePolicy,
} from './attributes.js';
import { invalidParameterValue, sqsError } from './errors.js';

export interface QueueIdentity {
  account: string;
  region: string;
  name: string;
}

export interface QueueEnvironment {
  clock: Clock;
  /** Finds a queue by ARN (dead-letter targets, move tasks). */
  resolveArn(arn: string): Queue | undefined;
  /** Persistence (`dataDir`): told of every change to the messages. Absent: nothing is recorded. */
  journal?: QueueJournal;
  /** Injected faults (duplicates, reordering on standard queues); asked only while one is set. */
  faults?: Faults;
}

/**
 * What persistence is told (src/persist). Times are epoch ms on the clock. Visibility expiries and
 * delays ending are not events: they follow from the deadlines recorded here.
 */
export interface QueueJournal {
  /** A message entered `q` (sent, or moved from `from`); visible at `visibleAt` (its delay). */
  accepted(q: Queue, m: SqsMessage, visibleAt: number, from: Queue | undefined, dedupKey: string | undefined, dedupExpiresAt: number): void;
  /** Received: receive count, nonce and first/last receive times are on `m`; visible again at `until`. */
  received(q: Queue, m: SqsMessage, until: number): void;
  /** Visibility changed: visible again at `until` (now for 0). */
  visibility(q: Queue, m: SqsMessage, until: number): void;
  removed(q: Queue, m: SqsMessage): void;
  purged(q: Queue): void;
}

export interface SendParams {
  body: string;
  attributes?: AttributeMap;
  systemAttributes?: AttributeMap;
  delaySeconds?: number;
  groupId?: string;
  dedupId?: string;
  senderId: string;
}

export interface SendOutcome {
  message: SqsMessage;
  duplicate: boolean;
  /** A duplicate-delivery fault fired for it: it will be delivered this many times in all. */
  injectedCopies?: { faultId: string; copies: number };
}

export interface ReceiveParams {
  max: number;
  visibilityTimeout: number;
  attemptId?: string;
}

export interface Received {
  message: SqsMessage;
  receiptHandle: string;
}

interface Waiter {
  params: ReceiveParams;
  resolve(received: Received[]): void;
  timer: Timer;
}

class MessageGroup {
  readonly messages = new Deque<SqsMessage>(4);
  inFlight = 0;
  constructor(readonly id: string) {}
}

export interface DedupEntry {
  message: SqsMessage;
  expiresAt: number;
}

const RECEIPT_PREFIX = 'SY1';

export function encodeReceipt(messageId: string, nonce: number): string {
  return RECEIPT_PREFIX + Buffer.from(`${messageId}:${nonce}`).toString('base64url');
}

/** Returns undefined for a handle that is not one of ours at all (ReceiptHandleIsInvalid). */
export function decodeReceipt(handle: string): { messageId: string; nonce: number } | undefined {
  if (!handle.startsWith(RECEIPT_PREFIX)) return undefined;
  const text = Buffer.from(handle.slice(RECEIPT_PREFIX.length), 'base64url').toString('utf8');
  const m = /^([0-9a-f-]{36}):(\d+)$/.exec(text);
  if (!m) return undefined;
  return { messageId: m[1], nonce: Number(m[2]) };
}

export class Queue {
  readonly fifo: boolean;
  readonly arn: string;
  readonly createdAt: number;
  lastModifiedAt: number;
  readonly attributes: Map<string, string>;
  readonly tags = new Map<string, string>();
  redrivePolicy: RedrivePolicy | undefined;
  redriveAllowPolicy: RedriveAllowPolicy | undefined;
  lastPurgeAt = -Infinity;
  deleted = false;

  private readonly messages = new Map<string, SqsMessage>();
  private readonly visible = new Deque<SqsMessage>(); // standard queues
  private readonly groups = new Map<string, MessageGroup>(); // FIFO queues
  private readonly readyGroups = new Set<MessageGroup>();
  private readonly dedup = new Map<string, DedupEntry>();
  private readonly attempts = new Map<string, { received: Received[]; expiresAt: number }>();
  private readonly waiters = new Set<Waiter>();
  private visibleCount = 0;
  private inFlightCount = 0;
  private delayedCount = 0;
  private nonce = 0;
  private sequence = 0;
  private retentionTimer: Timer | undefined;
  private drainScheduled = false;

  // Cached numeric attributes (read on every send and receive).
  visibilityTimeout = 30;
  delaySeconds = 0;
  maximumMessageSize: number = SQS_LIMITS.maxMessageSize;
  retentionSeconds: number = SQS_LIMITS.defaultRetention;
  waitTimeSeconds = 0;
  contentBasedDedup = false;
  dedupByGroup = false;

  constructor(
    readonly id: QueueIdentity,
    private readonly env: QueueEnvironment,
    fifo: boolean,
    /** Persistence restores a queue with its original creation time. */
    createdAt?: number,
  ) {
    this.fifo = fifo;
    this.arn = `arn:aws:sqs:${id.region}:${id.account}:${id.name}`;
    this.createdAt = this.lastModifiedAt = createdAt ?? env.clock.now();
    this.attributes = defaultAttributes(fifo);
  }

  get name(): string {
    return this.id.name;
  }

  /** Apply validated attributes (see attributes.ts) and refresh the cached values. */
  setAttributes(attrs: Record<string, string>): void {
    for (const [k, v] of Object.entries(attrs)) {
      if (k === 'RedrivePolicy') {
        this.redrivePolicy = parseRedrivePolicy(v);
      } else if (k === 'RedriveAllowPolicy') {
        this.redriveAllowPolicy = parseRedriveAllowPolicy(v);
      }
      if (v === '' && (k === 'RedrivePolicy' || k === 'RedriveAllowPolicy' || k === 'Policy')) this.attributes.delete(k);
      else this.attributes.set(k, k === 'RedrivePolicy' && this.redrivePolicy ? JSON.stringify(this.redrivePolicy) : v);
    }
    const num = (k: string, d: number) => Number(this.attributes.get(k) ?? d);
    this.visibilityTimeout = num('VisibilityTimeout', 30);
    this.delaySeconds = num('DelaySeconds', 0);
    this.maximumMessageSize = num('MaximumMessageSize', SQS_LIMITS.maxMessageSize);
    this.waitTimeSeconds = num('ReceiveMessageWaitTimeSeconds', 0);
    const retention = num('MessageRetentionPeriod', SQS_LIMITS.defaultRetention);
    if (retention !== this.retentionSeconds) {
      this.retentionSeconds = retention;
      this.armRetention();
    }
    this.contentBasedDedup = this.attributes.get('ContentBasedDeduplication') === 'true';
    this.dedupByGroup = this.attributes.get('DeduplicationScope') === 'messageGroup';
    this.lastModifiedAt = this.env.clock.now();
  }

  get counts(): { visible: number; inFlight: number; delayed: number } {
    return { visible: this.visibleCount, inFlight: this.inFlightCount, delayed: this.delayedCount };
  }

  // -------------------------------------------------------------------------------------
  // Sending

  send(p: SendParams): SendOutcome {
    const now = this.env.clock.now();
    let dedupKey: string | undefined;
    let dedupId = p.dedupId;
    if (this.fifo) {
      if (!dedupId && this.contentBasedDedup) dedupId = createHash('sha256').update(p.body, 'utf8').digest('hex');
      dedupKey = this.dedupByGroup ? `${p.groupId}\u0000${dedupId}` : dedupId!;
      this.pruneDedup(now);
      const seen = this.dedup.get(dedupKey);
      if (seen && seen.expiresAt > now) return { message: seen.message, duplicate: true };
    }
    const message = new SqsMessage(
      uuid(),
      p.body,
      p.attributes,
      p.systemAttributes,
      now,
      p.senderId,
      p.groupId,
      dedupId,
    );
    if (this.fifo) {
      message.sequenceNumber = this.nextSequenceNumber();
      this.dedup.set(dedupKey!, { message, expiresAt: now + SQS_LIMITS.dedupWindowMs });
    }
    this.accept(message, (p.delaySeconds ?? this.delaySeconds) * 1000, undefined, dedupKey);
    const faults = this.env.faults;
    if (faults !== undefined && faults.active && !this.fifo) {
      // At-least-once, made to happen: SQS keeps copies of a message on several servers, and a
      // copy whose server missed the DeleteMessage is received again later. FIFO queues never.
      const fault = faults.pick('duplicate', [this.arn]);
      if (fault) {
        const copies = fault.copies ?? 2;
        (this.redeliveries ??= new Map()).set(message.id, copies - 1);
        return { message, duplicate: false, injectedCopies: { faultId: fault.id, copies } };
      }
    }
    return { message, duplicate: false };
  }

  /** Messages a duplicate fault will deliver again after their DeleteMessage (id -> times left). */
  private redeliveries: Map<string, number> | undefined;

  /** Take in a message (new, moved from a source queue, or redriven back), delayed or not. */
  private accept(message: SqsMessage, delayMs: number, from?: Queue, dedupKey?: string): void {
    const wasEmpty = this.messages.size === 0;
    message.enqueuedAt = this.env.clock.now();
    this.messages.set(message.id, message);
    const journal = this.env.journal;
    if (journal) journal.accepted(this, message, message.enqueuedAt + delayMs, from, dedupKey, message.enqueuedAt + SQS_LIMITS.dedupWindowMs);
    if (this.fifo) this.groupOf(message.groupId!).messages.pushBack(message);
    if (delayMs > 0) {
      message.state = MessageState.Delayed;
      this.delayedCount++;
      message.timer = this.env.clock.after(delayMs, () => {
        message.timer = undefined;
        this.delayedCount--;
        this.makeVisible(message, false);
      });
    } else {
      this.makeVisible(message, false);
    }
    if (wasEmpty) this.armRetention();
  }

  private nextSequenceNumber(): string {
    this.sequence++;
    return '1' + String(this.sequence).padStart(19, '0');
  }

  private groupOf(id: string): MessageGroup {
    let g = this.groups.get(id);
    if (!g) this.groups.set(id, (g = new MessageGroup(id)));
    return g;
  }

  /** A message becomes receivable: from a delay, a visibility expiry, or a send. */
  private makeVisible(message: SqsMessage, returned: boolean): void {
    message.state = MessageState.Visible;
    this.visibleCount++;
    if (this.fifo) {
      const g = this.groupOf(message.groupId!);
      if (returned) g.messages.insertWhere(message, (m) => m.sequenceNumber! > message.sequenceNumber!);
      this.refreshGroup(g);
    } else if (returned) {
      this.visible.pushFront(message);
    } else {
      this.visible.pushBack(message);
    }
    this.signal();
  }

  private refreshGroup(g: MessageGroup): void {
    const head = this.groupHead(g);
    if (g.inFlight === 0 && head && head.state === MessageState.Visible) this.readyGroups.add(g);
    else this.readyGroups.delete(g);
    if (!head && g.inFlight === 0) this.groups.delete(g.id);
  }

  /** The first live message of a group, dropping messages deleted while queued. */
  private groupHead(g: MessageGroup): SqsMessage | undefined {
    let head = g.messages.peekFront();
    while (head && head.state === MessageState.Gone) {
      g.messages.popFront();
      head = g.messages.peekFront();
    }
    return head;
  }

  private pruneDedup(now: number): void {
    // Entries go in in time order, so expired ones are at the front.
    for (const [k, e] of this.dedup) {
      if (e.expiresAt > now) break;
      this.dedup.delete(k);
    }
  }

  // -------------------------------------------------------------------------------------
  // Receiving

  receive(params: ReceiveParams): Received[] {
    const now = this.env.clock.now();
    if (this.fifo && params.attemptId) {
      const previous = this.attempts.get(params.attemptId);
      if (previous && previous.expiresAt > now) {
        const still = previous.received.filter(
          (r) => r.message.state === MessageState.InFlight && encodeReceipt(r.message.id, r.message.receipt) === r.receiptHandle,
        );
        if (still.length === previous.received.length) return previous.received;
      }
    }
    if (!this.fifo && this.inFlightCount >= SQS_LIMITS.maxInflightStandard)
      throw sqsError('OverLimit', `Too many messages in flight. The queue ${this.name} has reached the limit of ${SQS_LIMITS.maxInflightStandard} in-flight messages.`);
    const out: Received[] = [];
    if (this.fifo) this.receiveFifo(params, out);
    else this.receiveStandard(params, out);
    // VisibilityTimeout 0: visible again at once, not on a 0 ms timer (which a frozen clock never
    // fires and a quick next request can beat). In reverse, so the front keeps their order.
    if (params.visibilityTimeout === 0) {
      for (let i = out.length - 1; i >= 0; i--) {
        this.env.clock.cancel(out[i].message.timer);
        out[i].message.timer = undefined;
        this.returnToQueue(out[i].message);
      }
    }
    if (this.fifo && params.attemptId) {
      for (const [k, e] of this.attempts) {
        if (e.expiresAt > now) break;
        this.attempts.delete(k);
      }
      this.attempts.set(params.attemptId, { received: out, expiresAt: now + SQS_LIMITS.dedupWindowMs });
    }
    return out;
  }

  private receiveStandard(params: ReceiveParams, out: Received[]): void {
    const faults = this.env.faults;
    if (faults !== undefined && faults.active) {
      const fault = faults.pick('reorder', [this.arn]);
      if (fault) {
        this.receiveReordered(params, out, faults.randomOf(fault));
        return;
      }
    }
    while (out.length < params.max) {
      const m = this.visible.popFront();
      if (!m) break;
      if (m.state !== MessageState.Visible) continue; // deleted or moved while queued
      if (this.redriveIfExhausted(m)) continue;
      out.push(this.takeInFlight(m, params.visibilityTimeout));
    }
  }

  /**
   * A reorder fault: the receive draws from the first `max + 10` visible messages in a shuffled
   * order (AWS: "standard queues provide best-effort ordering"); those not taken go back to the
   * front in that shuffled order, so later receives see the disorder too.
   */
  private receiveReordered(params: ReceiveParams, out: Received[], random: () => number): void {
    const window: SqsMessage[] = [];
    while (window.length < params.max + 10) {
      const m = this.visible.popFront();
      if (!m) break;
      if (m.state !== MessageState.Visible) continue;
      window.push(m);
    }
    shuffle(window, random);
    let i = 0;
    for (; i < window.length && out.length < params.max; i++) {
      const m = window[i];
      if (this.redriveIfExhausted(m)) continue;
      out.push(this.takeInFlight(m, params.visibilityTimeout));
    }
    for (let j = window.length - 1; j >= i; j--) this.visible.pushFront(window[j]);
  }

  private receiveFifo(params: ReceiveParams, out: Received[]): void {
    if (this.inFlightCount >= SQS_LIMITS.maxInflightFifo) return;
    for (const g of this.readyGroups) {
      if (out.length >= params.max) break;
      let taken = 0;
      while (out.length < params.max) {
        const head = this.groupHead(g);
        if (!head || head.state !== MessageState.Visible) break;
        g.messages.popFront();
        if (this.redriveIfExhausted(head)) continue;
        out.push(this.takeInFlight(head, params.visibilityTimeout));
        g.inFlight++;
        taken++;
      }
      this.refreshGroup(g);
      // AWS returns messages of one group together; stop once a group gave us some.
      if (taken > 0 && out.length >= params.max) break;
    }
  }

  private takeInFlight(m: SqsMessage, visibilityTimeout: number): Received {
    const now = this.env.clock.now();
    m.state = MessageState.InFlight;
    this.visibleCount--;
    this.inFlightCount++;
    m.receiveCount++;
    if (m.firstReceiveAt === 0) m.firstReceiveAt = now;
    m.receivedAt = now;
    m.receipt = ++this.nonce;
    this.armVisibility(m, visibilityTimeout);
    const journal = this.env.journal;
    if (journal) journal.received(this, m, now + visibilityTimeout * 1000);
    return { message: m, receiptHandle: encodeReceipt(m.id, m.receipt) };
  }

  private armVisibility(m: SqsMessage, seconds: number): void {
    this.env.clock.cancel(m.timer);
    m.timer = this.env.clock.after(seconds * 1000, () => {
      m.timer = undefined;
      this.returnToQueue(m);
    });
  }

  private returnToQueue(m: SqsMessage): void {
    if (m.state !== MessageState.InFlight) return;
    this.inFlightCount--;
    if (this.fifo) this.groupOf(m.groupId!).inFlight--;
    this.makeVisible(m, true);
  }

  /**
   * Past maxReceiveCount a message goes to the dead-letter queue instead of being delivered
   * (checked when a receive would hand it out, as SQS does).
   */
  private redriveIfExhausted(m: SqsMessage): boolean {
    const policy = this.redrivePolicy;
    if (!policy || m.receiveCount < policy.maxReceiveCount) return false;
    const dlq = this.env.resolveArn(policy.deadLetterTargetArn);
    if (!dlq || dlq.deleted || dlq === this) return false;
    // Not journaled as a delete: the DLQ's record of the move removes it here (one record, so a
    // crash cannot lose it between the two queues).
    this.remove(m, false);
    dlq.acceptMoved(m, this.arn, this);
    return true;
  }

  /** Take a message moved from another queue (DLQ redrive or a move task). */
  acceptMoved(from: SqsMessage, sourceArn: string | undefined, source?: Queue): void {
    const m = new SqsMessage(from.id, from.body, from.attributes, from.systemAttributes, from.sentAt, from.senderId, from.groupId, from.dedupId);
    m.receiveCount = from.receiveCount;
    m.firstReceiveAt = from.firstReceiveAt;
    m.deadLetterSourceArn = sourceArn;
    if (this.fifo) {
      if (m.groupId === undefined) {
        // a standard message cannot enter a FIFO queue
        if (source && this.env.journal) this.env.journal.removed(source, from);
        return;
      }
      m.sequenceNumber = this.nextSequenceNumber();
    }
    this.accept(m, 0, source);
  }

  /** Long poll: resolve with messages as soon as any arrive, or with none at the deadline. */
  wait(params: ReceiveParams, waitMs: number): { promise: Promise<Received[]>; cancel(): void } {
    let waiter!: Waiter;
    const promise = new Promise<Received[]>((resolve) => {
      waiter = {
        params,
        resolve,
        timer: this.env.clock.after(waitMs, () => {
          this.waiters.delete(waiter);
          resolve([]);
        }),
      };
    });
    this.waiters.add(waiter);
    return {
      promise,
      cancel: () => {
        if (this.waiters.delete(waiter)) {
          this.env.clock.cancel(waiter.timer);
          waiter.resolve([]);
        }
      },
    };
  }

  /** Something became visible: wake waiting receivers once the current turn is over. */
  private signal(): void {
    if (this.waiters.size === 0 || this.drainScheduled) return;
    this.drainScheduled = true;
    queueMicrotask(() => {
      this.drainScheduled = false;
      for (const w of this.waiters) {
        if (this.visibleCount === 0) break;
        let received: Received[];
        try {
          received = this.receive(w.params);
        } catch {
          received = [];
        }
        if (received.length === 0) continue;
        this.waiters.delete(w);
        this.env.clock.cancel(w.timer);
        w.resolve(received);
      }
    });
  }

  // -------------------------------------------------------------------------------------
  // Deleting and changing visibility

  /** Look a receipt handle up: the message it names, if it is still here and the handle is its latest. */
  private byReceipt(handle: string): { message?: SqsMessage; current: boolean } {
    const decoded = decodeReceipt(handle);
    if (!decoded) throw sqsError('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`);
    const message = this.messages.get(decoded.messageId);
    return { message, current: !!message && message.receipt === decoded.nonce };
  }

  /**
   * Delete by receipt handle. As on AWS, a well-formed handle for a message that is gone, or an
   * older handle of a message received again since, succeeds without deleting anything.
   */
  deleteMessage(handle: string): boolean {
    const { message, current } = this.byReceipt(handle);
    // FIFO queues (unlike standard ones) refuse a handle whose receive is no longer in flight.
    if (this.fifo && message && (!current || message.state !== MessageState.InFlight))
      throw invalidParameterValue(`Value ${handle} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`);
    if (!message || !current) return false;
    const left = this.redeliveries?.get(message.id);
    if (left !== undefined && message.state === MessageState.InFlight) {
      // An injected duplicate: this delete "misses a copy", which is received again.
      if (left <= 1) this.redeliveries!.delete(message.id);
      else this.redeliveries!.set(message.id, left - 1);
      this.env.clock.cancel(message.timer);
      message.timer = undefined;
      this.returnToQueue(message);
      const journal = this.env.journal;
      if (journal) journal.visibility(this, message, this.env.clock.now());
      return true;
    }
    this.remove(message);
    return true;
  }

  changeVisibility(handle: string, seconds: number): void {
    const { message, current } = this.byReceipt(handle);
    if (!message || !current)
      throw invalidParameterValue(
        `Value ${handle} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.`,
      );
    if (message.state !== MessageState.InFlight)
      throw sqsError('MessageNotInflight', 'The message referred to is not in flight.');
    const elapsed = (this.env.clock.now() - message.receivedAt) / 1000;
    if (elapsed + seconds > SQS_LIMITS.maxVisibilityTimeout)
      throw invalidParameterValue(
        `Value ${seconds} for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [${SQS_LIMITS.maxVisibilityTimeout} seconds]`,
      );
    if (seconds === 0) {
      this.env.clock.cancel(message.timer);
      message.timer = undefined;
      this.returnToQueue(message);
    } else {
      this.armVisibility(message, seconds);
    }
    const journal = this.env.journal;
    if (journal) journal.visibility(this, message, this.env.clock.now() + seconds * 1000);
  }

  /** Remove a message whatever its state; deques drop it lazily. */
  private remove(m: SqsMessage, journaled = true): void {
    switch (m.state) {
      case MessageState.Visible:
        this.visibleCount--;
        break;
      case MessageState.InFlight:
        this.inFlightCount--;
        if (this.fifo) {
          const g = this.groupOf(m.groupId!);
          g.inFlight--;
          m.state = MessageState.Gone;
          this.refreshGroup(g);
        }
        break;
      case MessageState.Delayed:
        this.delayedCount--;
        break;
      case MessageState.Gone:
        return;
    }
    const wasVisibleFifo = this.fifo && m.state === MessageState.Visible;
    m.state = MessageState.Gone;
    this.env.clock.cancel(m.timer);
    m.timer = undefined;
    this.messages.delete(m.id);
    this.redeliveries?.delete(m.id);
    if (journaled && this.env.journal) this.env.journal.removed(this, m);
    if (wasVisibleFifo) this.refreshGroup(this.groupOf(m.groupId!));
  }

  purge(): void {
    if (this.env.journal) this.env.journal.purged(this);
    for (const m of this.messages.values()) {
      this.env.clock.cancel(m.timer);
      m.timer = undefined;
      m.state = MessageState.Gone;
    }
    this.messages.clear();
    this.redeliveries = undefined;
    this.visible.clear();
    this.groups.clear();
    this.dedup.clear(); // AWS: a purge also forgets FIFO deduplication ids
    this.readyGroups.clear();
    this.visibleCount = this.inFlightCount = this.delayedCount = 0;
    this.env.clock.cancel(this.retentionTimer);
    this.retentionTimer = undefined;
  }

  /** The queue is deleted: drop its messages and answer its long polls. */
  destroy(): void {
    this.deleted = true;
    this.purge();
    for (const w of this.waiters) {
      this.env.clock.cancel(w.timer);
      w.resolve([]);
    }
    this.waiters.clear();
  }

  // -------------------------------------------------------------------------------------
  // Retention

  private armRetention(): void {
    this.env.clock.cancel(this.retentionTimer);
    this.retentionTimer = undefined;
    const oldest = this.messages.values().next().value as SqsMessage | undefined;
    if (!oldest) return;
    this.retentionTimer = this.env.clock.at(oldest.enqueuedAt + this.retentionSeconds * 1000, () => {
      this.retentionTimer = undefined;
      this.expireOld();
    });
  }

  private expireOld(): void {
    const cutoff = this.env.clock.now() - this.retentionSeconds * 1000;
    for (const m of this.messages.values()) {
      if (m.enqueuedAt > cutoff) break;
      this.remove(m);
    }
    this.armRetention();
  }

  // -------------------------------------------------------------------------------------
  // Inspection and move tasks

  /** Visible messages, oldest first, without changing anything (move tasks, inspection). */
  *visibleMessages(): IterableIterator<SqsMessage> {
    for (const m of this.messages.values()) if (m.state === MessageState.Visible) yield m;
  }

  /** All live messages in entry order, for inspection; does not change visibility or counts. */
  peek(): IterableIterator<SqsMessage> {
    return this.messages.values();
  }

  /** Delete one message by id whatever its state (the inspection API's delete); false if gone. */
  deleteById(id: string): boolean {
    const m = this.messages.get(id);
    if (!m) return false;
    this.remove(m);
    return true;
  }

  /** When a delayed or in-flight message becomes visible (epoch ms), for inspection. */
  visibleAt(m: SqsMessage): number | undefined {
    return m.state === MessageState.Visible ? undefined : m.timer?.at;
  }

  /** Move one visible message out of this queue into `target` (a move task's step). */
  moveTo(m: SqsMessage, target: Queue): boolean {
    if (m.state !== MessageState.Visible) return false;
    const moved = new SqsMessage(m.id, m.body, m.attributes, m.systemAttributes, m.sentAt, m.senderId, m.groupId, m.dedupId);
    if (target.fifo && moved.groupId === undefined) {
      this.remove(m);
      return false;
    }
    this.remove(m, false); // the target's record of the move removes it here
    if (target.fifo) moved.sequenceNumber = target.nextSequenceNumber();
    target.accept(moved, 0, this);
    return true;
  }

  // -------------------------------------------------------------------------------------
  // Persistence (src/persist): state read back from disk, and the state a snapshot writes

  /**
   * Put back a message read from disk, in entry order. `inFlightUntil` set and in the future: in
   * flight until then; otherwise delayed until `visibleAt` if that is in the future, else visible.
   */
  restoreMessage(m: SqsMessage, visibleAt: number, inFlightUntil: number | undefined): void {
    const now = this.env.clock.now();
    this.messages.set(m.id, m);
    if (m.receipt > this.nonce) this.nonce = m.receipt;
    if (inFlightUntil !== undefined && inFlightUntil > now) {
      m.state = MessageState.InFlight;
      this.inFlightCount++;
      if (this.fifo) this.groupOf(m.groupId!).inFlight++;
      m.timer = this.env.clock.at(inFlightUntil, () => {
        m.timer = undefined;
        this.returnToQueue(m);
      });
      return;
    }
    if (this.fifo) this.groupOf(m.groupId!).messages.pushBack(m);
    if (visibleAt > now) {
      m.state = MessageState.Delayed;
      this.delayedCount++;
      m.timer = this.env.clock.at(visibleAt, () => {
        m.timer = undefined;
        this.delayedCount--;
        this.makeVisible(m, false);
      });
    } else {
      m.state = MessageState.Visible;
      this.visibleCount++;
      if (!this.fifo) this.visible.pushBack(m);
    }
  }

  /** A FIFO deduplication entry read back from disk (in the order they were made). */
  restoreDedup(key: string, m: SqsMessage, expiresAt: number): void {
    if (expiresAt > this.env.clock.now()) this.dedup.set(key, { message: m, expiresAt });
  }

  /** After the messages: counters, FIFO groups, retention. */
  finishRestore(sequence: number, nonce: number): void {
    if (sequence > this.sequence) this.sequence = sequence;
    if (nonce > this.nonce) this.nonce = nonce;
    for (const g of [...this.groups.values()]) this.refreshGroup(g);
    this.armRetention();
  }

  /** What a snapshot keeps besides the messages. */
  persistentState(): { sequence: number; nonce: number; dedup: IterableIterator<[string, DedupEntry]> } {
    return { sequence: this.sequence, nonce: this.nonce, dedup: this.dedup.entries() };
  }
}
