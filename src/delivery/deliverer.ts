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
 */
import type { Clock } from '../clock.js';
import type { Delivery, DeliveryAttempt } from '../trace/trace.js';
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
  };
  record: Delivery;
  /**
   * Attempts made before `record.attempts` begins: a delivery resumed after a restart keeps its
   * retry count (its earlier attempts were made by another process).
   */
  priorAttempts?: number;
  /** Told of the delivery's waits and of its end (persistence); absent: nothing is told. */
  journal?: DeliveryJournal;
}

/**
 * What persistence records of one delivery. `attempts` counts the attempts already made and
 * finished (prior ones included).
 */
export interface DeliveryJournal {
  /** An attempt is under way and waits for I/O (an HTTP call): it may not finish in this process. */
  attempting(attempts: number): void;
  /** The last attempt failed; the next one is due at `nextAttemptAt` (epoch ms on the clock). */
  waiting(attempts: number, nextAttemptAt: number, last: DeliveryAttempt): void;
  /** Delivered, dead-lettered or dropped (after the dead-letter write, if any). */
  ended(): void;
}

export class Deliverer {
  /** Deliveries waiting for a retry, so reset() can cancel them. */
  private readonly waiting = new Set<ReturnType<Clock['after']>>();
  private pending = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly clock: Clock,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Start a delivery; the first attempt runs after the current call stack (PutEvents answers first). */
  start(req: DeliveryRequest): void {
    this.pending++;
    queueMicrotask(() => void this.attempt(req));
  }

  /**
   * Take over a delivery that an earlier process started (persistence): its next attempt runs at
   * `at` on the clock, or right away when that is past (an attempt that was under way when the
   * process stopped is made again: at-least-once).
   */
  resume(req: DeliveryRequest, at: number): void {
    this.pending++;
    if (at <= this.clock.now()) {
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

  /** Resolves when no attempt is running or about to run (retries waiting on the clock do not count). */
  settled(): Promise<void> {
    if (this.running === 0 && this.queued() === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private running = 0;
  private queued(): number {
    return this.pending - this.waiting.size - this.running;
  }

  private async attempt(req: DeliveryRequest): Promise<void> {
    this.running++;
    let outcome: DeliveryOutcome;
    try {
      const result = req.send();
      if (req.journal !== undefined && result instanceof Promise) req.journal.attempting(req.record.attempts.length + (req.priorAttempts ?? 0));
      outcome = await result;
    } catch (err) {
      this.onError(err);
      outcome = { ok: false, code: 'INTERNAL_ERROR', message: String((err as Error)?.message ?? err), retryable: true };
    }
    this.running--;
    try {
      this.record(req, outcome);
    } catch (err) {
      this.onError(err);
    }
    this.wakeIdle();
  }

  private record(req: DeliveryRequest, outcome: DeliveryOutcome): void {
    const now = this.clock.now();
    const attempt: DeliveryAttempt = outcome.ok
      ? { at: now, ok: true, captured: outcome.captured, status: outcome.status, detail: outcome.detail }
      : { at: now, ok: false, code: outcome.code, message: outcome.message, status: outcome.status };
    const rec = req.record;
    rec.attempts.push(attempt);
    if (outcome.ok) {
      rec.state = outcome.captured ? 'captured' : 'delivered';
      this.pending--;
      req.journal?.ended();
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
        return;
      }
    }
    rec.exhausted = exhausted ?? 'NotRetryable';
    this.pending--;
    if (!req.deadLetter) {
      rec.state = 'dropped';
      req.journal?.ended();
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
    req.journal?.ended();
  }

  private wakeIdle(): void {
    if (this.running === 0 && this.queued() === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Cancel every retry waiting on the clock (reset). */
  cancelAll(): void {
    for (const t of this.waiting) this.clock.cancel(t);
    this.pending -= this.waiting.size;
    this.waiting.clear();
  }
}
