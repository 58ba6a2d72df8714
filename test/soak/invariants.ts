/**
 * The checks made at quiet points (every client parked between operations, nothing in flight):
 * the queues' counters against the ledger, and the trace (the debug UI's record of every send,
 * publish and event, read through /_switchyard/api/events and /_switchyard/api/deliveries, the
 * HTTP face of `sy.deliveriesTo`) against what each acknowledged call should have caused.
 */
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Ledger } from './ledger.js';
import {
  ALL_QUEUES,
  BUS,
  EB_BUS_Q,
  FAULTY,
  SNS_B,
  TOPIC,
  busArn,
  destOf,
  eventTargetArns,
  fifoTopicDestinations,
  queueArn,
  queueUrl,
  topicArn,
  topicDestinations,
  type Route,
  type SoakEventDetail,
} from './topology.js';

export interface Counts {
  visible: number;
  inFlight: number;
  delayed: number;
}

/** ApproximateNumberOfMessages{,NotVisible,Delayed} of every soak queue, summed per ledger destination. */
export async function queueCounts(sqs: SQSClient, endpoint: string, faultyQueue: boolean): Promise<Map<string, Counts>> {
  const names = ALL_QUEUES.filter((q) => faultyQueue || q !== FAULTY);
  const out = new Map<string, Counts>();
  const all = await Promise.all(
    names.map((q) =>
      sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl(endpoint, q),
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
        }),
      ),
    ),
  );
  names.forEach((q, i) => {
    const a = all[i].Attributes ?? {};
    const c = out.get(destOf(q)) ?? { visible: 0, inFlight: 0, delayed: 0 };
    c.visible += Number(a.ApproximateNumberOfMessages);
    c.inFlight += Number(a.ApproximateNumberOfMessagesNotVisible);
    c.delayed += Number(a.ApproximateNumberOfMessagesDelayed);
    out.set(destOf(q), c);
  });
  return out;
}

export function totalOf(counts: Map<string, Counts>): number {
  let n = 0;
  for (const c of counts.values()) n += c.visible + c.inFlight + c.delayed;
  return n;
}

/**
 * Counters equal to reality: per queue, in flight = what the clients hold, and visible + delayed
 * + in flight = what was acknowledged into it and not deleted. Deliveries between queues (a DLQ
 * move task) may still be under way, so the comparison is repeated until it holds or `deadlineMs`
 * passes; then each difference is a violation. soak-faulty's total is left out: an injected
 * duplicate puts a deleted message back, unseen by the clients until it is received again.
 */
export async function checkCounters(sqs: SQSClient, endpoint: string, ledger: Ledger, faultyQueue: boolean, deadlineMs = 15_000): Promise<Map<string, Counts>> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const counts = await queueCounts(sqs, endpoint, faultyQueue);
    const wrong: string[] = [];
    for (const [dest, c] of counts) {
      if (c.inFlight !== ledger.held(dest)) wrong.push(`${dest}: ${c.inFlight} in flight, clients hold ${ledger.held(dest)}`);
      const total = c.visible + c.inFlight + c.delayed;
      if (dest !== FAULTY && total !== ledger.outstanding(dest))
        wrong.push(`${dest}: ${c.visible} visible + ${c.delayed} delayed + ${c.inFlight} in flight = ${total}, acknowledged and not deleted ${ledger.outstanding(dest)}`);
    }
    if (wrong.length === 0) return counts;
    if (Date.now() > deadline) {
      for (const w of wrong) ledger.violate('counter', w);
      return counts;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Summary {
  id: string;
  kind: 'send' | 'publish' | 'event';
  via: string;
  idempotencyKey?: string;
  queueArn?: string;
  topicArn?: string;
  busArn?: string;
  source?: string;
  filteredOut?: string[];
  deliveries: { targetArn: string; state: string }[];
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Every record in the trace, newest first. */
export async function traceRecords(endpoint: string): Promise<{ total: number; records: Summary[] }> {
  const records: Summary[] = [];
  let total = 0;
  for (let offset = 0; ; offset += 1000) {
    const page = await getJson<{ events: Summary[]; total: number }>(`${endpoint}/_switchyard/api/events?limit=1000&offset=${offset}`);
    total = page.total;
    records.push(...page.events);
    if (page.events.length < 1000) break;
  }
  return { total, records };
}

export interface TraceCheck {
  /** Records in the trace, and how many it should hold: min(capacity, records made). */
  size: number;
  expected: number;
  /** Records checked against their token. */
  checked: number;
  deliveries: number;
}

const sorted = (a: string[]): string => JSON.stringify([...a].sort());

/**
 * The trace against the ledger. Each record of a soak token must be one the token's call caused
 * (a send to its queue; a publish delivered to exactly the subscriptions its route passes and
 * filtered out of the others; an event delivered to exactly the targets of the rules it matches,
 * and on soak-bus to the queue when detail.n >= 0), each delivery `delivered`; the trace holds
 * min(capacity, records made) records; and `deliveriesTo` (the assertion API) lists, per queue,
 * the same number of deliveries the records show.
 */
export async function checkTrace(endpoint: string, ledger: Ledger, capacity: number, otherRecords: number): Promise<TraceCheck> {
  const { total, records } = await traceRecords(endpoint);
  const expected = Math.min(capacity, otherRecords + ledger.recordsMade);
  if (total !== expected || records.length !== total) ledger.violate('trace', `the trace holds ${total} records (listed ${records.length}); ${expected} expected (capacity ${capacity}, ${otherRecords + ledger.recordsMade} made)`);
  let checked = 0;
  let deliveries = 0;
  const perQueue = new Map<string, number>();
  const seen = new Map<string, number>();
  for (const r of records) {
    for (const d of r.deliveries) {
      deliveries++;
      perQueue.set(d.targetArn, (perQueue.get(d.targetArn) ?? 0) + 1);
    }
    const item = r.idempotencyKey ? ledger.items.get(r.idempotencyKey) : undefined;
    if (!item) {
      ledger.violate('trace', `record ${r.id} (${r.kind} via ${r.via}) carries no known token (${r.idempotencyKey})`);
      continue;
    }
    if (item.status !== 'acked') ledger.violate('trace', `record ${r.id} of ${item.token}, whose call was ${item.status}`);
    const where = `${r.kind}@${r.queueArn ?? r.topicArn ?? r.busArn}`;
    const key = `${item.token} ${where}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
    if (seen.get(key) === 2) ledger.violate('trace', `${item.token} has more than one ${where} record`);
    checked++;
    const targets = r.deliveries.map((d) => d.targetArn);
    const bad = r.deliveries.filter((d) => d.state !== 'delivered');
    if (bad.length > 0) ledger.violate('trace', `record ${r.id} of ${item.token}: deliveries not delivered: ${JSON.stringify(bad)}`);
    const want = (arns: string[], filteredOut?: number): void => {
      if (sorted(targets) !== sorted(arns)) ledger.violate('trace', `record ${r.id} (${where}) of ${item.token}: delivered to ${sorted(targets)}, should be ${sorted(arns)}`);
      if (filteredOut !== undefined && r.filteredOut?.length !== filteredOut)
        ledger.violate('trace', `record ${r.id} (${where}) of ${item.token}: filtered out of ${r.filteredOut?.length} subscriptions, should be ${filteredOut}`);
    };
    const o = item.origin;
    if (r.kind === 'send') {
      if (o.kind !== 'send' || r.queueArn !== queueArn(o.queue)) ledger.violate('trace', `send record ${r.id} of ${item.token} in ${r.queueArn}; the token is a ${o.kind}`);
    } else if (r.kind === 'publish' && r.via === 'events') {
      if (o.kind !== 'event' || r.topicArn !== topicArn(TOPIC)) ledger.violate('trace', `publish record ${r.id} from events of ${item.token} (a ${o.kind}) on ${r.topicArn}`);
      else want((o.route === 'b' || o.route === 'ab') && o.targets.includes('topic') ? [queueArn(SNS_B)] : [], 2 - ((o.route === 'b' || o.route === 'ab') ? 1 : 0));
    } else if (r.kind === 'publish') {
      if (o.kind !== 'publish') ledger.violate('trace', `publish record ${r.id} of ${item.token}, a ${o.kind}`);
      else if (o.topic === 'standard') want(topicDestinations(o.route as Route).map(queueArn), 2 - topicDestinations(o.route as Route).length);
      else want(fifoTopicDestinations(item.fifo!.seq).map(queueArn), 2 - fifoTopicDestinations(item.fifo!.seq).length);
    } else if (r.kind === 'event') {
      if (o.kind !== 'event') ledger.violate('trace', `event record ${r.id} of ${item.token}, a ${o.kind}`);
      else if (r.busArn === busArn(BUS)) want(o.n >= 0 ? [queueArn(EB_BUS_Q)] : []);
      else want(eventTargetArns({ targets: o.targets, route: o.route, n: o.n } as SoakEventDetail));
    }
  }
  // The assertion API, per queue that SNS and EventBridge deliver to.
  for (const [arn, n] of perQueue) {
    if (!arn.startsWith('arn:aws:sqs:')) continue;
    const { deliveries: list } = await getJson<{ deliveries: { recordId: string }[] }>(`${endpoint}/_switchyard/api/deliveries?target=${encodeURIComponent(arn)}`);
    if (list.length !== n) ledger.violate('trace', `deliveriesTo(${arn}) lists ${list.length} deliveries; the trace's records show ${n}`);
  }
  return { size: total, expected, checked, deliveries };
}

export async function advanceClock(endpoint: string, ms: number): Promise<void> {
  const res = await fetch(`${endpoint}/_switchyard/api/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ms }) });
  if (!res.ok) throw new Error(`clock/advance: ${res.status} ${await res.text()}`);
}

export async function addFaults(endpoint: string, faults: object[]): Promise<void> {
  const res = await fetch(`${endpoint}/_switchyard/api/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ faults }) });
  if (!res.ok) throw new Error(`faults: ${res.status} ${await res.text()}`);
}

export interface FaultState {
  id: string;
  kind: string;
  resource?: string;
  fired: number;
  asked: number;
  copies?: number;
}

export async function faultStates(endpoint: string): Promise<FaultState[]> {
  return (await getJson<{ faults: FaultState[] }>(`${endpoint}/_switchyard/api/faults`)).faults;
}
