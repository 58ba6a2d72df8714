/**
 * SQS messages on disk: the journal's records, replaying them, and the snapshot that compaction
 * writes. Implements the `QueueJournal` hooks a queue calls on every change to its messages.
 *
 * Records (one JSON object per journal line, `t` is the type, `q` the queue ARN, times epoch ms):
 *   S  a message entered a queue: id, body `b`, attributes `a`/`sa`, sent `st`, sender `sd`,
 *      group `g`, dedup id `d`, sequence number `n`, entered `e`, visible from `v` (delay; absent =
 *      `e`), moved from queue `f`, new FIFO dedup entry `k` expiring `x`; in a snapshot also
 *      receive count `rc`, nonce `r`, first/last receive `fr`/`ra`, in flight until `i`, DLQ
 *      source `dl`
 *   R  received: `rc`, `r`, `fr`, `ra`, in flight until `u`
 *   C  visibility changed: in flight until `u` (now for 0)
 *   D  deleted (or expired)
 *   P  purged (also: the queue was deleted)
 *   K  (snapshot) a FIFO dedup entry: key `k`, message `id`, sequence `n`, expires `x`
 *   N  (snapshot) a queue's counters: last sequence `n`, last receipt nonce `r`
 */
import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import { MessageState, SqsMessage, type AttributeMap } from '../sqs/message.js';
import type { Queue, QueueJournal } from '../sqs/queue.js';
import { encodeRecord, type Journal } from './journal.js';

interface AttrRecord {
  T: string;
  S?: string;
  B?: string;
  SL?: string[];
  BL?: string[];
}

export interface SRecord {
  t: 'S';
  q: string;
  id: string;
  b: string;
  a?: Record<string, AttrRecord>;
  sa?: Record<string, AttrRecord>;
  st: number;
  sd: string;
  g?: string;
  d?: string;
  n?: string;
  e: number;
  v?: number;
  f?: string;
  k?: string;
  x?: number;
  rc?: number;
  r?: number;
  fr?: number;
  ra?: number;
  i?: number;
  dl?: string;
}

type Rec =
  | SRecord
  | { t: 'R'; q: string; id: string; rc: number; r: number; fr: number; ra: number; u: number }
  | { t: 'C'; q: string; id: string; u: number }
  | { t: 'D'; q: string; id: string }
  | { t: 'P'; q: string }
  | { t: 'K'; q: string; k: string; id: string; n?: string; x: number }
  | { t: 'N'; q: string; n: number; r: number };

function encodeAttrs(map: AttributeMap | undefined): Record<string, AttrRecord> | undefined {
  if (!map) return undefined;
  // A null-prototype object: an attribute named __proto__ stays an ordinary key.
  const out = Object.create(null) as Record<string, AttrRecord>;
  for (const k of Object.keys(map)) {
    const v = map[k];
    const r: AttrRecord = { T: v.DataType! };
    if (v.StringValue !== undefined) r.S = v.StringValue;
    if (v.BinaryValue !== undefined) r.B = Buffer.from(v.BinaryValue.buffer, v.BinaryValue.byteOffset, v.BinaryValue.byteLength).toString('base64');
    if (v.StringListValues?.length) r.SL = v.StringListValues;
    if (v.BinaryListValues?.length) r.BL = v.BinaryListValues.map((b) => Buffer.from(b).toString('base64'));
    out[k] = r;
  }
  return out;
}

function decodeAttrs(rec: Record<string, AttrRecord> | undefined): AttributeMap | undefined {
  if (!rec) return undefined;
  const out: AttributeMap = {};
  for (const k of Object.keys(rec)) {
    const r = rec[k];
    const v: MessageAttributeValue = { DataType: r.T };
    if (r.S !== undefined) v.StringValue = r.S;
    if (r.B !== undefined) v.BinaryValue = Buffer.from(r.B, 'base64');
    if (r.SL) v.StringListValues = r.SL;
    if (r.BL) v.BinaryListValues = r.BL.map((b) => Buffer.from(b, 'base64'));
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function seqNumber(n: string | undefined): number {
  return n ? Number(n.slice(1)) : 0;
}

/** The state of one queue's messages as the records describe it. */
export interface ReplayedQueue {
  arn: string;
  messages: Map<string, SRecord>;
  dedup: Map<string, { id: string; n?: string; x: number }>;
  sequence: number;
  nonce: number;
}

/** Apply records in order. Records naming a message that is gone are ignored (it was deleted). */
export function replay(records: unknown[]): { queues: Map<string, ReplayedQueue>; unknown: number } {
  const queues = new Map<string, ReplayedQueue>();
  let unknown = 0;
  const queue = (arn: string): ReplayedQueue => {
    let q = queues.get(arn);
    if (!q) queues.set(arn, (q = { arn, messages: new Map(), dedup: new Map(), sequence: 0, nonce: 0 }));
    return q;
  };
  for (const raw of records) {
    const r = raw as Rec;
    if (!r || typeof r !== 'object' || typeof r.q !== 'string') {
      unknown++;
      continue;
    }
    switch (r.t) {
      case 'S': {
        if (r.f !== undefined) queues.get(r.f)?.messages.delete(r.id);
        const q = queue(r.q);
        q.messages.delete(r.id);
        q.messages.set(r.id, r);
        q.sequence = Math.max(q.sequence, seqNumber(r.n));
        if (r.r !== undefined) q.nonce = Math.max(q.nonce, r.r);
        if (r.k !== undefined) {
          q.dedup.delete(r.k);
          q.dedup.set(r.k, { id: r.id, n: r.n, x: r.x! });
        }
        break;
      }
      case 'R': {
        const q = queue(r.q);
        q.nonce = Math.max(q.nonce, r.r);
        const m = q.messages.get(r.id);
        if (m) {
          m.rc = r.rc;
          m.r = r.r;
          m.fr = r.fr;
          m.ra = r.ra;
          m.i = r.u;
        }
        break;
      }
      case 'C': {
        const m = queue(r.q).messages.get(r.id);
        if (m) m.i = r.u;
        break;
      }
      case 'D':
        queue(r.q).messages.delete(r.id);
        break;
      case 'P': {
        const q = queue(r.q);
        q.messages.clear();
        q.dedup.clear();
        break;
      }
      case 'K': {
        const q = queue(r.q);
        q.dedup.delete(r.k);
        q.dedup.set(r.k, { id: r.id, n: r.n, x: r.x });
        break;
      }
      case 'N': {
        const q = queue(r.q);
        q.sequence = Math.max(q.sequence, r.n);
        q.nonce = Math.max(q.nonce, r.r);
        break;
      }
      default:
        unknown++;
    }
  }
  return { queues, unknown };
}

/** Put a replayed queue's messages and dedup window into `queue`. Returns the number of messages. */
export function restoreInto(queue: Queue, state: ReplayedQueue): number {
  const live = new Map<string, SqsMessage>();
  for (const r of state.messages.values()) {
    if (queue.fifo && r.g === undefined) continue;
    const m = new SqsMessage(r.id, r.b, decodeAttrs(r.a), decodeAttrs(r.sa), r.st, r.sd, r.g, r.d);
    m.enqueuedAt = r.e;
    m.sequenceNumber = r.n;
    m.receiveCount = r.rc ?? 0;
    m.receipt = r.r ?? 0;
    if (r.fr) m.firstReceiveAt = r.fr;
    if (r.ra) m.receivedAt = r.ra;
    m.deadLetterSourceArn = r.dl;
    queue.restoreMessage(m, r.v ?? r.e, r.i);
    live.set(m.id, m);
  }
  for (const [k, e] of state.dedup) {
    let m = live.get(e.id);
    if (!m) {
      // The message is gone but its id still answers duplicates within the window.
      m = new SqsMessage(e.id, '', undefined, undefined, 0, '', undefined, undefined);
      m.sequenceNumber = e.n;
      m.state = MessageState.Gone;
    }
    queue.restoreDedup(k, m, e.x);
  }
  queue.finishRestore(state.sequence, state.nonce);
  return live.size;
}

/** The records that describe `queues` as they are now (compaction). */
export function snapshotRecords(queues: Iterable<Queue>): string[] {
  const lines: string[] = [];
  for (const q of queues) {
    const st = q.persistentState();
    lines.push(encodeRecord({ t: 'N', q: q.arn, n: st.sequence, r: st.nonce }));
    for (const m of q.peek()) {
      const r = messageRecord(q, m, m.state === MessageState.Delayed ? (q.visibleAt(m) ?? m.enqueuedAt) : m.enqueuedAt, undefined);
      if (m.receiveCount) r.rc = m.receiveCount;
      if (m.receipt) r.r = m.receipt;
      if (m.firstReceiveAt) r.fr = m.firstReceiveAt;
      if (m.receivedAt) r.ra = m.receivedAt;
      if (m.state === MessageState.InFlight) r.i = q.visibleAt(m);
      if (m.deadLetterSourceArn) r.dl = m.deadLetterSourceArn;
      lines.push(encodeRecord(r));
    }
    for (const [k, e] of st.dedup) lines.push(encodeRecord({ t: 'K', q: q.arn, k, id: e.message.id, n: e.message.sequenceNumber, x: e.expiresAt }));
  }
  return lines;
}

function messageRecord(q: Queue, m: SqsMessage, visibleAt: number, from: Queue | undefined): SRecord {
  const e = m.enqueuedAt;
  const r: SRecord = { t: 'S', q: q.arn, id: m.id, b: m.body, st: m.sentAt, sd: m.senderId, e };
  if (m.attributes) r.a = encodeAttrs(m.attributes);
  if (m.systemAttributes) r.sa = encodeAttrs(m.systemAttributes);
  if (m.groupId !== undefined) r.g = m.groupId;
  if (m.dedupId !== undefined) r.d = m.dedupId;
  if (m.sequenceNumber !== undefined) r.n = m.sequenceNumber;
  if (visibleAt !== e) r.v = visibleAt;
  if (from) r.f = from.arn;
  return r;
}

/** The hooks every queue calls (see QueueJournal): each change becomes one journal record. */
export class SqsJournalHooks implements QueueJournal {
  /** False while stopping or resetting: changes then are not recorded. */
  enabled = true;

  constructor(private readonly journal: Journal) {}

  accepted(q: Queue, m: SqsMessage, visibleAt: number, from: Queue | undefined, dedupKey: string | undefined, dedupExpiresAt: number): void {
    if (!this.enabled) return;
    const r = messageRecord(q, m, visibleAt, from);
    if (from) {
      // A moved message keeps its receive count and history.
      if (m.receiveCount) r.rc = m.receiveCount;
      if (m.firstReceiveAt) r.fr = m.firstReceiveAt;
      if (m.deadLetterSourceArn) r.dl = m.deadLetterSourceArn;
    }
    if (dedupKey !== undefined) {
      r.k = dedupKey;
      r.x = dedupExpiresAt;
    }
    this.journal.append(encodeRecord(r));
  }

  received(q: Queue, m: SqsMessage, until: number): void {
    if (!this.enabled) return;
    this.journal.append(encodeRecord({ t: 'R', q: q.arn, id: m.id, rc: m.receiveCount, r: m.receipt, fr: m.firstReceiveAt, ra: m.receivedAt, u: until }));
  }

  visibility(q: Queue, m: SqsMessage, until: number): void {
    if (!this.enabled) return;
    this.journal.append(encodeRecord({ t: 'C', q: q.arn, id: m.id, u: until }));
  }

  removed(q: Queue, m: SqsMessage): void {
    if (!this.enabled) return;
    this.journal.append(encodeRecord({ t: 'D', q: q.arn, id: m.id }));
  }

  purged(q: Queue): void {
    if (!this.enabled) return;
    this.journal.append(encodeRecord({ t: 'P', q: q.arn }));
  }
}
