/**
 * Assertions for tests (issue 7), read from the trace and the queues, the same facts the debug
 * UI shows. In-process they are methods of the object `startSwitchyard()` returns; over HTTP
 * they are routes under /_switchyard/api/ (src/inspect/assertions-api.ts) for tests in other
 * languages.
 *
 *   await sy.waitForEvent({ source: ['shop'], 'detail-type': ['OrderPlaced'] }, { timeout: 2000 })
 *   sy.deliveriesTo(queueArn)       every delivery to a target or subscription endpoint
 *   sy.messagesIn(queueUrl)         the queue's messages, peeked (nothing changes)
 *   sy.publishedTo(topicArn)        every message published to a topic
 *   sy.repeatedIdempotencyKeys()    keys carried by more than one record, and deliveries of one key twice
 */
import { compilePatternText } from '../patterns/index.js';
import { matchesEvent } from '../patterns/match.js';
import type { SqsService } from '../sqs/service.js';
import type { Queue } from '../sqs/queue.js';
import { parseQueueUrl } from '../sqs/region.js';
import type { DeliveryAttempt, DeliveryState, EventTrace, PublishTrace, Trace, TraceLog } from '../trace/trace.js';
import { iso, messagesByState } from './peek.js';

export interface WaitOptions {
  /** Real milliseconds to wait for an event that has not happened yet. Default 5000. */
  timeout?: number;
  /** Only events on this bus (name or ARN). */
  bus?: string;
}

/** One delivery as a test sees it: what the target received, and how it went. */
export interface DeliveryRecord {
  /** The event id or MessageId the delivery belongs to. */
  recordId: string;
  kind: 'event' | 'publish';
  /** When the event or message was accepted (ISO-8601 on Switchyard's clock). */
  at: string;
  targetArn: string;
  /** What the target received (after input transformation; the SNS envelope unless raw). */
  input: string;
  state: DeliveryState;
  attempts: DeliveryAttempt[];
  ruleArn?: string;
  targetId?: string;
  subscriptionArn?: string;
  deadLetterArn?: string;
  /** Set when an injected fault touched this delivery (src/faults). */
  injected?: unknown;
}

export interface PublishedMessage {
  messageId: string;
  at: string;
  topicArn: string;
  body: string;
  subject?: string;
  attributes?: PublishTrace['message']['attributes'];
  groupId?: string;
  dedupId?: string;
  sequenceNumber?: string;
  via: PublishTrace['via'];
  /** Subscriptions it was delivered to, and those whose filter policy it did not pass. */
  deliveredTo: string[];
  filteredOut: string[];
}

export class WaitTimeout extends Error {
  override name = 'WaitTimeout';
}

/** Oldest first (the trace itself lists newest first). */
function oldestFirst(trace: TraceLog): Trace[] {
  return [...trace.newest()].reverse();
}

function isConfirmation(t: PublishTrace): boolean {
  return t.message.subject === 'SubscriptionConfirmation' || t.message.subject === 'UnsubscribeConfirmation';
}

export class Assertions {
  constructor(
    private readonly trace: TraceLog,
    private readonly sqs: SqsService,
  ) {}

  /**
   * The first event in the trace that matches `pattern` (EventBridge's pattern language), or the
   * next one to arrive within `timeout` real milliseconds. Rejects with WaitTimeout, naming the
   * pattern and how many events were seen, when none comes; with the pattern's own error when the
   * pattern is invalid.
   */
  waitForEvent(pattern: object | string, options: WaitOptions = {}): Promise<EventTrace> {
    const text = typeof pattern === 'string' ? pattern : JSON.stringify(pattern);
    let compiled: ReturnType<typeof compilePatternText>;
    try {
      compiled = compilePatternText(text);
    } catch (err) {
      return Promise.reject(err);
    }
    const bus = options.bus;
    const onBus = (t: EventTrace): boolean => bus === undefined || t.busArn === bus || t.busArn.endsWith(`:event-bus/${bus}`);
    const fits = (t: Trace): t is EventTrace => t.kind === 'event' && onBus(t) && matchesEvent(compiled, t.event);
    const already = oldestFirst(this.trace).find(fits);
    if (already) return Promise.resolve(already);
    const timeout = options.timeout ?? 5000;
    return new Promise((resolve, reject) => {
      let seen = 0;
      const stop = this.trace.subscribe((t) => {
        if (t.kind === 'event') seen++;
        if (!fits(t)) return;
        clearTimeout(timer);
        stop();
        resolve(t);
      });
      const timer = setTimeout(() => {
        stop();
        const total = oldestFirst(this.trace).filter((t) => t.kind === 'event').length;
        reject(new WaitTimeout(`No event matching ${text}${bus ? ` on bus ${bus}` : ''} within ${timeout} ms (${seen} events arrived meanwhile, ${total} in the trace).`));
      }, timeout);
    });
  }

  /**
   * Every delivery whose target is `arn`, oldest first: a queue, topic, function or API
   * destination ARN, an HTTP endpoint URL, a subscription ARN, a rule ARN (all its targets) or
   * `<rule ARN>#<target id>`.
   */
  deliveriesTo(arn: string): DeliveryRecord[] {
    const out: DeliveryRecord[] = [];
    for (const t of oldestFirst(this.trace)) {
      if (t.kind === 'event') {
        for (const d of t.deliveries)
          if (d.targetArn === arn || d.ruleArn === arn || `${d.ruleArn}#${d.targetId}` === arn)
            out.push({ recordId: t.id, kind: 'event', at: iso(t.at)!, targetArn: d.targetArn, input: d.input, state: d.state, attempts: d.attempts, ruleArn: d.ruleArn, targetId: d.targetId, deadLetterArn: d.deadLetterArn, injected: (d as { injected?: unknown }).injected });
      } else if (t.kind === 'publish') {
        for (const d of t.deliveries)
          if (d.targetArn === arn || d.subscriptionArn === arn)
            out.push({ recordId: t.id, kind: 'publish', at: iso(t.at)!, targetArn: d.targetArn, input: d.input, state: d.state, attempts: d.attempts, subscriptionArn: d.subscriptionArn, deadLetterArn: d.deadLetterArn, injected: (d as { injected?: unknown }).injected });
      }
    }
    return out;
  }

  /** The messages of a queue (URL or ARN), peeked: `{visible, inFlight, delayed}`; undefined when there is no such queue. */
  messagesIn(queue: string, limit = 1000): ReturnType<typeof messagesByState> | undefined {
    const q = this.queue(queue);
    return q && messagesByState(q, limit);
  }

  /** Every message published to a topic (ARN), oldest first; confirmations left out. */
  publishedTo(topicArn: string): PublishedMessage[] {
    const out: PublishedMessage[] = [];
    for (const t of oldestFirst(this.trace)) {
      if (t.kind !== 'publish' || t.topicArn !== topicArn || isConfirmation(t)) continue;
      out.push({
        messageId: t.id,
        at: iso(t.at)!,
        topicArn: t.topicArn,
        body: t.message.body,
        subject: t.message.subject,
        attributes: t.message.attributes,
        groupId: t.message.groupId,
        dedupId: t.message.dedupId,
        sequenceNumber: t.message.sequenceNumber,
        via: t.via,
        deliveredTo: t.deliveries.map((d) => d.subscriptionArn),
        filteredOut: t.filteredOut,
      });
    }
    return out;
  }

  /**
   * Idempotency keys (docs/inspection-api.md, Idempotency) carried by more than one record, and
   * targets that received the same key (or the same event) more than once: what an idempotent
   * consumer must absorb.
   */
  repeatedIdempotencyKeys(): IdempotencyReport {
    return idempotencyReport(this.trace);
  }

  private queue(ref: string): Queue | undefined {
    if (ref.startsWith('arn:')) return this.sqs.findByArn(ref);
    const parsed = parseQueueUrl(ref);
    if (!parsed) return undefined;
    // A URL names account and queue; the region only in AWS-style hosts (sqs.<region>.amazonaws.com).
    const region = /sqs\.([a-z0-9-]+)\./.exec(ref)?.[1];
    return [...this.sqs.allQueues()].find((q) => q.id.account === parsed.account && q.name === parsed.name && (!region || q.id.region === region));
  }
}

export interface IdempotencyReport {
  path: string;
  attribute: string;
  /** Keys carried by more than one record (event, publish, send). */
  repeatedKeys: { key: string; ids: string[] }[];
  /** Targets that received the same key (or the same event or message id) more than once. */
  duplicateDeliveries: { targetArn: string; key: string; count: number; ids: string[] }[];
}

/** What `GET /_switchyard/api/idempotency` and `sy.repeatedIdempotencyKeys()` answer. */
export function idempotencyReport(log: TraceLog): IdempotencyReport {
  const repeatedKeys = [...log.repeatedKeys()].map(([key, list]) => ({ key, ids: list.map((t) => t.id) }));
  const seen = new Map<string, { targetArn: string; key: string; count: number; ids: string[] }>();
  for (const t of log.newest()) {
    if (t.kind === 'send') continue;
    const key = log.keyOf(t) ?? t.id;
    for (const d of t.deliveries) {
      if (d.state !== 'delivered' && d.state !== 'captured') continue;
      const k = `${d.targetArn}\u0000${key}`;
      const entry = seen.get(k) ?? { targetArn: d.targetArn, key, count: 0, ids: [] };
      entry.count++;
      entry.ids.push(t.id);
      seen.set(k, entry);
    }
  }
  return { path: log.idempotency.path, attribute: log.idempotency.attribute, repeatedKeys, duplicateDeliveries: [...seen.values()].filter((e) => e.count > 1) };
}
