/**
 * One target delivery from first attempt to its end: delivered, or retried with backoff on the
 * clock per the target's RetryPolicy, then written to its dead-letter queue or dropped.
 *
 * Backoff: AWS documents "exponential back off and jitter" without the constants. Switchyard
 * waits 1 s before the first retry and doubles up to 5 minutes, without jitter so tests replay
 * exactly (ARCHITECTURE.md). An attempt stops being made once the event is older than
 * MaximumEventAgeInSeconds (default 24 h) or after MaximumRetryAttempts retries (default 185).
 * Failures AWS does not retry (a missing resource, no permission) go to the DLQ at once.
 *
 * Persistence (`dataDir`): a request may carry a `journal`, told whenever the delivery comes to
 * depend on something outside this turn of the event loop (an attempt waiting for I/O, a retry
 * waiting on the clock) and when it ends, so that a restart can pick it up (`resume`). Requests
 * without one (persistence off, the default) cost nothing more.
 *
 * Injected faults (`faults`, issue 7; see faults.ts): while a fault is set, each attempt asks,
 * at the moment it is due, whether it is made later (`latency`, on the clock), whether it fails
 * (`failure`: the target is not called, the attempt fails retryably, so the retry policy and
 * the DLQ run) and, at the first attempt, whether the delivery is made `copies` times
 * (`duplicate`: the copies follow the attempt that succeeds). Every decision is taken
 * synchronously when the attempt is due, so under a seed the same deliveries meet the same
 * faults whatever the network's timing. While no fault is set, nothing is asked.
 *
 * FIFO order under faults: deliveries that carry an `orderKey` (a FIFO subscription's group, a
 * FIFO queue target) are made one at a time while faults are in play, so a message whose attempt
 * failed or was delayed is not overtaken by the next one of its group (the order FIFO
 * promises). Without faults they never wait on one another (in-process, they end in their first
 * attempt, in order), and the gate is not used; a gate still open when the last fault goes
 * keeps being used until it empties.
 */
import type { Clock } from '../clock.js';
import type { Fault } from '../faults/faults.js';
import { Deque } from '../sqs/deque.js';
import type { Delivery, DeliveryAttempt } from '../trace/trace.js';
import { injectedFailure, markDelivery, type DeliveryFaults } from './faults.js';
import type { DeliveryOutcome } from './outcome.js';

export const RETRY_DEFAULTS = { maximumRetryAttempts: 185, maximumEventAgeInSeconds: 86_400 } as const;
const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 300_000;

export function backoffMs(retry: number): number {
  return Math.min(FIRST_BACKOFF_MS * 2 ** (retry - 1), MAX_BACKOFF_MS);
}

export interface DeliveryRequest {
  /** One attempt. */
  send(): DeliveryOutcome | Promise<DeliveryOutcome>;
  /** Epoch ms the event was accepted: its age counts from here. */
  eventTime: number;
  maximumRetryAttempts?: number;
  maximumEventAgeInSeconds?: number;
  /** Milliseconds before retry n (1-based); EventBridge's doubling backoff when absent. */
  backoff?(retry: number): number;
  /**
   * Where a delivery that failed for good goes. `write` builds the service's own DLQ message (an
   * EventBridge event with RULE_ARN..., an SNS message with its attributes) only when it is needed.
   */
  deadLetter?: {
    arn: string;
    write(failure: { code: string; message: string }, retries: number, exhausted: string | undefined): DeliveryOutcome;
    /**
     * Make the body `write` needs when no attempt made it: an attempt failed by an injected
     * fault never calls `send`, and an SNS notification is rendered (and signed) there.
     */
    prepare?(): void | Promise<void>;
  };
  record: Delivery;
  /**
   * Attempts made before `record.attempts` begins: a delivery resumed after a restart keeps its
   * retry count (its earlier attempts were made by another process).
   */
  priorAttempts?: number;
  /** Told of the delivery's waits and of its end (persistence); absent: nothing is told. */
  journal?: DeliveryJournal;
  /**
   * Injected faults: the bus or topic the delivery came through; with the record it names the
   * delivery for faults (faults.ts). Absent: no fault applies (subscription confirmations).
   */
  faultScope?: string;
  /**
   * FIFO: while faults are in play, deliveries with the same key are made one after another, in
   * the order they started; one waits until the one before it has ended.
   */
  orderKey?: string;
}

/**
 * What persistence records of one delivery. `attempts` counts the attempts already made and
 * finished (prior ones included).
 */
export interface DeliveryJournal {
  /** An attempt is under way and waits for I/O (an HTTP call): it may not finish in this process. */
  attempting(attempts: number): void;
  /**
   * The next attempt is due at `nextAttemptAt` (epoch ms on the clock): the last one (`last`)
   * failed, or an injected fault delays the attempt or holds it behind an earlier one of its
   * FIFO group (then `last` is the latest attempt, if any).
   */
  waiting(attempts: number, nextAttemptAt: number, last: DeliveryAttempt | undefined): void;
  /** Delivered, dead-lettered or dropped (after the dead-letter write, if any). */
  ended(): void;
}

/** The deliveries of one FIFO order key while faults are in play: the one being made, those waiting. */
interface Gate {
  owner: DeliveryRequest;
  next: Deque<{ req: DeliveryRequest; at: number | undefined }>;
  /** The owner waits on the clock (a retry, a delay): those behind it have been told to their journals. */
  stuck: boolean;
}

export class Deliverer {
  /** Deliveries waiting for a retry or an injected delay, so reset() can cancel them. */
  private readonly waiting = new Set<ReturnType<Clock['after']>>();
  private pending = 0;
  private idleWaiters: Array<() => void> = [];
  /** FIFO order keys with a delivery under way while faults are in play. */
  private readonly gates = new Map<string, Gate>();
  /** Deliveries waiting at a gate. */
  private held = 0;
  /** Deliveries a duplicate fault will make again once delivered. */
  private readonly copiesOf = new Map<DeliveryRequest, Fault>();

  constructor(
    private readonly clock: Clock,
    private readonly onError: (err: unknown) => void,
    /** Injected faults (src/faults); absent or with no fault set, deliveries are made as they are. */
    private readonly faults?: DeliveryFaults,
  ) {}

  /** Start a delivery; the first attempt runs after the current call stack (PutEvents answers first). */
  start(req: DeliveryRequest): void {
    this.pending++;
    if (req.orderKey !== undefined && this.gated() && this.hold(req, undefined)) return;
    queueMicrotask(() => void this.attempt(req));
  }

  /**
   * Take over a delivery that an earlier process started (persistence): its next attempt runs at
   * `at` on the clock, or right away when that is past (an attempt that was under way when the
   * process stopped is made again: at-least-once).
   */
  resume(req: DeliveryRequest, at: number): void {
    this.pending++;
    if (req.orderKey !== undefined && this.gated() && this.hold(req, at)) return;
    this.begin(req, at);
  }

  /** The first attempt: now (after the current call stack) or at `at` on the clock. */
  private begin(req: DeliveryRequest, at: number | undefined): void {
    if (at === undefined || at <= this.clock.now()) {
      queueMicrotask(() => void this.attempt(req));
      return;
    }
    const timer = this.clock.at(at, () => {
      this.waiting.delete(timer);
      void this.attempt(req);
    });
    this.waiting.add(timer);
  }

  /** Deliveries started and not yet ended (including those waiting for a retry). */
  get inFlight(): number {
    return this.pending;
  }

  /**
   * Resolves when no attempt is running or about to run (retries and injected delays waiting on
   * the clock do not count, nor deliveries held behind them).
   */
  settled(): Promise<void> {
    if (this.running === 0 && this.queued() === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private running = 0;
  private queued(): number {
    return this.pending - this.waiting.size - this.running - this.held;
  }

  // ------------------------------------------------------------------ FIFO order under faults

  /** Whether FIFO deliveries go through their gate: faults are set, or a gate is still open. */
  private gated(): boolean {
    return this.gates.size > 0 || (this.faults !== undefined && this.faults.registry.active);
  }

  /** Enter the gate of `req.orderKey`: true when another delivery holds it (`req` then waits). */
  private hold(req: DeliveryRequest, at: number | undefined): boolean {
    const key = req.orderKey!;
    const gate = this.gates.get(key);
    if (gate === undefined) {
      this.gates.set(key, { owner: req, next: new Deque(4), stuck: false });
      return false;
    }
    gate.next.pushBack({ req, at });
    this.held++;
    if (gate.stuck) this.tellHeld(req, at);
    return true;
  }

  /**
   * The delivery holding a gate waits on the clock: those behind it wait too, and their journals
   * hear so (a Publish that waits for its first attempt answers; a restart makes them at once).
   */
  private stuck(req: DeliveryRequest): void {
    if (req.orderKey === undefined || this.gates.size === 0) return;
    const gate = this.gates.get(req.orderKey);
    if (gate === undefined || gate.owner !== req || gate.stuck) return;
    gate.stuck = true;
    for (let i = 0; i < gate.next.length; i++) {
      const e = gate.next.at(i)!;
      this.tellHeld(e.req, e.at);
    }
  }

  private tellHeld(req: DeliveryRequest, at: number | undefined): void {
    req.journal?.waiting(made(req), Math.max(at ?? 0, this.clock.now()), req.record.attempts.at(-1));
  }

  /** A delivery ended: the next one of its order key goes. */
  private release(req: DeliveryRequest): void {
    if (req.orderKey === undefined || this.gates.size === 0) return;
    const gate = this.gates.get(req.orderKey);
    // Not the owner: the delivery went ungated, or reset() emptied the gates while it ran.
    if (gate === undefined || gate.owner !== req) return;
    const next = gate.next.popFront();
    if (next === undefined) {
      this.gates.delete(req.orderKey);
      return;
    }
    this.held--;
    gate.owner = next.req;
    gate.stuck = false;
    this.begin(next.req, next.at);
  }

  // ------------------------------------------------------------------ attempts

  private async attempt(req: DeliveryRequest, delayed = false): Promise<void> {
    let failure: Fault | undefined;
    const faults = this.faults;
    if (faults !== undefined && req.faultScope !== undefined && faults.registry.active && this.mayInject(req)) {
      const registry = faults.registry;
      const site = faults.siteOf(req.faultScope, req.record);
      if (!delayed) {
        const late = registry.pick('latency', site.keys);
        if (late) {
          this.delay(req, late);
          this.wakeIdle();
          return;
        }
      }
      // Once per delivery, at its first attempt: the copies follow whichever attempt succeeds.
      if (site.duplicateKeys !== undefined && req.record.attempts.length === 0 && !req.priorAttempts) {
        const dup = registry.pick('duplicate', site.duplicateKeys);
        if (dup) this.copiesOf.set(req, dup);
      }
      failure = registry.pick('failure', site.keys);
    }
    this.running++;
    let outcome: DeliveryOutcome;
    if (failure !== undefined) {
      outcome = injectedFailure(failure);
      if (req.deadLetter?.prepare !== undefined)
        try {
          await req.deadLetter.prepare();
        } catch (err) {
          this.onError(err);
        }
    } else {
      try {
        const result = req.send();
        if (req.journal !== undefined && result instanceof Promise) req.journal.attempting(made(req));
        outcome = await result;
      } catch (err) {
        this.onError(err);
        outcome = { ok: false, code: 'INTERNAL_ERROR', message: String((err as Error)?.message ?? err), retryable: true };
      }
      if (outcome.ok && this.copiesOf.size > 0) {
        const dup = this.copiesOf.get(req);
        if (dup !== undefined) await this.sendCopies(req, dup);
      }
    }
    this.running--;
    try {
      this.record(req, outcome, failure);
    } catch (err) {
      this.onError(err);
    }
    this.wakeIdle();
  }

  /** A FIFO delivery is touched by faults only as its gate's owner (else it could be overtaken). */
  private mayInject(req: DeliveryRequest): boolean {
    return req.orderKey === undefined || this.gates.get(req.orderKey)?.owner === req;
  }

  /** A latency fault: the attempt is made `delayMs` later on the clock. */
  private delay(req: DeliveryRequest, fault: Fault): void {
    const delayMs = fault.delayMs ?? 0;
    const at = this.clock.now() + delayMs;
    markDelivery(req.record, { faultId: fault.id, kind: 'latency', delayMs });
    const timer = this.clock.at(at, () => {
      this.waiting.delete(timer);
      void this.attempt(req, true);
    });
    this.waiting.add(timer);
    req.journal?.waiting(made(req), at, req.record.attempts.at(-1));
    this.stuck(req);
  }

  /**
   * A duplicate fault: the delivery that just succeeded is made again, `copies` in all, as
   * at-least-once delivery may do. A copy that fails is not retried (the target has the message).
   */
  private async sendCopies(req: DeliveryRequest, fault: Fault): Promise<void> {
    const copies = fault.copies ?? 2;
    for (let i = 1; i < copies; i++) {
      try {
        const result = req.send();
        if (result instanceof Promise) await result;
      } catch (err) {
        this.onError(err);
      }
    }
    markDelivery(req.record, { faultId: fault.id, kind: 'duplicate', copies });
  }

  /** The delivery ended (delivered, dead-lettered, dropped). */
  private ended(req: DeliveryRequest): void {
    if (this.copiesOf.size > 0) this.copiesOf.delete(req);
    req.journal?.ended();
    this.release(req);
  }

  private record(req: DeliveryRequest, outcome: DeliveryOutcome, failure: Fault | undefined): void {
    const now = this.clock.now();
    const attempt: DeliveryAttempt = outcome.ok
      ? { at: now, ok: true, captured: outcome.captured, status: outcome.status, detail: outcome.detail }
      : { at: now, ok: false, code: outcome.code, message: outcome.message, status: outcome.status };
    if (failure !== undefined) attempt.injected = { faultId: failure.id, kind: 'failure' };
    const rec = req.record;
    rec.attempts.push(attempt);
    if (outcome.ok) {
      rec.state = outcome.captured ? 'captured' : 'delivered';
      if (outcome.injected !== undefined) markDelivery(rec, outcome.injected);
      this.pending--;
      this.ended(req);
      return;
    }
    const retries = rec.attempts.length - 1 + (req.priorAttempts ?? 0);
    const maxRetries = req.maximumRetryAttempts ?? RETRY_DEFAULTS.maximumRetryAttempts;
    const maxAgeMs = (req.maximumEventAgeInSeconds ?? RETRY_DEFAULTS.maximumEventAgeInSeconds) * 1000;
    let exhausted: string | undefined;
    if (outcome.retryable) {
      const delay = Math.max((req.backoff ?? backoffMs)(retries + 1), outcome.retryAfterMs ?? 0);
      if (retries >= maxRetries) exhausted = 'MaximumRetryAttempts';
      else if (now + delay - req.eventTime > maxAgeMs) exhausted = 'MaximumEventAgeInSeconds';
      else {
        rec.state = 'retrying';
        const timer = this.clock.after(delay, () => {
          this.waiting.delete(timer);
          void this.attempt(req);
        });
        this.waiting.add(timer);
        req.journal?.waiting(retries + 1, now + delay, attempt);
        this.stuck(req);
        return;
      }
    }
    rec.exhausted = exhausted ?? 'NotRetryable';
    this.pending--;
    if (!req.deadLetter) {
      rec.state = 'dropped';
      this.ended(req);
      return;
    }
    let dlq: DeliveryOutcome;
    try {
      dlq = req.deadLetter.write(outcome, retries, exhausted);
    } catch (err) {
      this.onError(err);
      dlq = { ok: false, code: 'INTERNAL_ERROR', message: String((err as Error)?.message ?? err), retryable: false };
    }
    if (dlq.ok) {
      rec.state = 'dead-lettered';
      rec.deadLetterArn = req.deadLetter.arn;
    } else {
      // AWS counts these as InvocationsFailedToBeSentToDlq: the event is gone.
      rec.state = 'dropped';
      rec.attempts.push({ at: now, ok: false, code: dlq.code, message: `Dead-letter queue: ${dlq.message}` });
    }
    this.ended(req);
  }

  private wakeIdle(): void {
    if (this.running === 0 && this.queued() === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Cancel every retry and delay waiting on the clock, and every delivery held behind one (reset). */
  cancelAll(): void {
    for (const t of this.waiting) this.clock.cancel(t);
    this.pending -= this.waiting.size + this.held;
    this.waiting.clear();
    this.gates.clear();
    this.held = 0;
    this.copiesOf.clear();
  }
}

/** Attempts made so far (before a restart included). */
function made(req: DeliveryRequest): number {
  return req.record.attempts.length + (req.priorAttempts ?? 0);
}
