/**
 * Injected faults on deliveries (issue 7): what the Deliverer asks of the fault registry
 * (src/faults) before and after an attempt, and the names a fault can give a delivery.
 *
 * A delivery is named at every level it belongs to, so one fault can name a whole bus or topic,
 * a rule, a single target (`ruleArn#targetId`), a subscription or an endpoint. The most precise
 * name comes first: it is the `where` the faults API lists for a fault that fired.
 *
 * Duplicates are left out where they would break a promise or happen twice:
 * - FIFO (an SNS FIFO topic's subscriptions, a FIFO queue or FIFO topic target): exactly once;
 *   the queue or topic would deduplicate the copy anyway, and the trace would then claim a
 *   duplicate that never arrived.
 * - A standard queue's own ARN: a duplicate fault naming a queue is the queue's (src/sqs/queue.ts:
 *   a DeleteMessage "misses a copy"), whichever way the message came in. Asking it here too would
 *   duplicate a delivered message twice over (the queue's copies are marked on the delivery
 *   all the same, see DeliveryOutcome.injected). A fault naming the rule, target, topic or
 *   subscription puts the copies in the queue as separate messages. A fault on `*` (or a glob
 *   matching both) acts in both places: copies in the queue, each received again.
 */
import type { Fault, Faults } from '../faults/faults.js';
import type { Delivery, DeliveryInjection, SubscriptionDelivery, TargetDelivery } from '../trace/trace.js';
import type { DeliveryOutcome } from './outcome.js';

/** The names of one delivery, for `Faults.pick`. */
export interface FaultSite {
  /** For `failure` and `latency`. */
  keys: readonly string[];
  /** For `duplicate`; undefined: never duplicated (FIFO). */
  duplicateKeys: readonly string[] | undefined;
}

/** What a Deliverer needs to inject faults: the registry, and how its deliveries are named. */
export interface DeliveryFaults {
  registry: Faults;
  /** `scope` is the request's `faultScope` (the bus or topic the delivery came through). */
  siteOf(scope: string, record: Delivery): FaultSite;
}

const isQueue = (arn: string): boolean => arn.split(':', 3)[2] === 'sqs';

/** An EventBridge target's delivery: `ruleArn#targetId`, the target's ARN, the rule, the bus. */
export function targetFaultSite(busArn: string, record: Delivery): FaultSite {
  const r = record as TargetDelivery;
  const target = `${r.ruleArn}#${r.targetId}`;
  const keys = [target, r.targetArn, r.ruleArn, busArn];
  if (r.targetArn.endsWith('.fifo')) return { keys, duplicateKeys: undefined };
  return { keys, duplicateKeys: isQueue(r.targetArn) ? [target, r.ruleArn, busArn] : keys };
}

/** An SNS subscription's delivery: the subscription, its endpoint (queue ARN, URL, function ARN), the topic. */
export function subscriptionFaultSite(topicArn: string, record: Delivery): FaultSite {
  const r = record as SubscriptionDelivery;
  const keys = [r.subscriptionArn, r.targetArn, topicArn];
  if (topicArn.endsWith('.fifo')) return { keys, duplicateKeys: undefined };
  return { keys, duplicateKeys: r.protocol === 'sqs' ? [r.subscriptionArn, topicArn] : keys };
}

/** A failed attempt, as a `failure` fault makes it: retryable, so the retry policy and the DLQ run. */
export function injectedFailure(fault: Fault): DeliveryOutcome {
  return {
    ok: false,
    code: fault.error ?? 'InjectedFailure',
    message: fault.message ?? `The delivery failed: injected by ${fault.id}.`,
    retryable: true,
  };
}

/**
 * Mark a delivery with a fault that touched it. A latency fault that delays several attempts of
 * one delivery adds up in one mark.
 */
export function markDelivery(record: Delivery, mark: DeliveryInjection): void {
  if (mark.kind === 'latency')
    for (const m of [record.injected, ...(record.alsoInjected ?? [])])
      if (m?.kind === 'latency' && m.faultId === mark.faultId) {
        m.delayMs += mark.delayMs;
        return;
      }
  if (record.injected === undefined) record.injected = mark;
  else (record.alsoInjected ??= []).push(mark);
}
