/**
 * What the soak's clients know: every message they tried to put in, where it must end up, what
 * they received, released and deleted. Every message carries a token (`SKT.c<cycle>.w<worker>.n<n>`)
 * in its body, and as its idempotency key, so a receipt, a trace record or a delivery can be
 * tied to the call that caused it. The checks (the source of every violation):
 *
 * - on every receipt: the token is known; the queue is one it was routed to; it is not received
 *   twice unless the clients released it in between (or, on the faulty queue only, an injected
 *   duplicate gave it back after a delete); a FIFO message arrives as the next one of its group,
 *   and never while another of its group is held.
 * - at quiet points: the counters (`outstanding`, `held`) against GetQueueAttributes; the trace
 *   records against what each token should have caused.
 * - at a drained point: every acknowledged message was received and deleted exactly once per
 *   destination queue (`pending()` is empty).
 * - after a SIGKILL and a restart: `beginRecovery()` resets what a restart may change, `resumed()`
 *   allows the copies of deliveries the new process took over, `drained()` judges each message the
 *   drain finds and `finishRecovery()` what it did not find.
 */
import { FAULTY, destOf } from './topology.js';

/** attempted: the call is out; acked: answered with success; failed: answered with an error (not stored); unknown: no answer (the server died). */
export type Status = 'attempted' | 'acked' | 'failed' | 'unknown';
type Deleted = 'no' | 'yes' | 'maybe';

export interface Dest {
  readonly queue: string;
  received: number;
  releases: number;
  held: boolean;
  deleted: Deleted;
  /** Injected duplicates received (the faulty queue). */
  extra: number;
  /** After a restart: times the drain received it, and the MessageId it came with. */
  drained: number;
  drainedId?: string;
  /** After a restart: copies a delivery the restarted server resumed (under way at the kill) may add. */
  replays: number;
}

export type Origin =
  | { kind: 'send'; queue: string }
  | { kind: 'publish'; topic: 'standard'; route: string }
  | { kind: 'publish'; topic: 'fifo' }
  | { kind: 'event'; targets: string[]; route: string; n: number };

export interface Item {
  readonly token: string;
  readonly origin: Origin;
  status: Status;
  readonly dests: Dest[];
  readonly fifo?: { group: string; seq: number };
  /** Redrive queue: released twice, so it reaches the DLQ. */
  readonly poison?: boolean;
}

interface Lane {
  tokens: string[];
  /** Tokens whose delete was requested (the group's head is tokens[pos]). */
  pos: number;
  /** Messages of the group held by a client now (the group is blocked meanwhile). */
  held: number;
  /** After a restart: the lane index of the last message the drain received. */
  drainedAt: number;
}

const TOKEN = /SKT\.c\d+\.w\d+\.n\d+/;

export function tokenOf(body: string): string | undefined {
  return TOKEN.exec(body)?.[0];
}

export class Ledger {
  readonly items = new Map<string, Item>();
  readonly violations: string[] = [];
  /** Violations found, by kind (the summary prints these; `violations` keeps the first 50 texts). */
  readonly violationCounts: Record<string, number> = {};
  private readonly lanes = new Map<string, Lane>();
  private readonly outstandingBy = new Map<string, number>();
  private readonly heldBy = new Map<string, number>();
  /** Trace records the acknowledged calls made (sends, publishes, events and their hops). */
  recordsMade = 0;
  receipts = 0;
  injectedDuplicates = 0;
  /** Receipts after a restart of messages that were in flight (received, not deleted) at the kill. */
  redeliveredAfterKill = 0;
  /** Messages not acknowledged at the kill that the restart nevertheless holds (sent, answer lost). */
  unacknowledgedFound = 0;
  /** Second copies made by deliveries the restarted server resumed (at-least-once, documented). */
  replayedAfterKill = 0;
  /** Messages whose delete was unanswered at the kill (maybe done, maybe not) found after the restart. */
  deleteUnansweredFound = 0;
  /** Every message the drain after the restart received. */
  drainedTotal = 0;

  constructor(
    /** Queues where an injected duplicate may deliver a message again after its delete. */
    private readonly duplicatesAllowed: ReadonlySet<string> = new Set([FAULTY]),
  ) {}

  violate(kind: string, text: string): void {
    this.violationCounts[kind] = (this.violationCounts[kind] ?? 0) + 1;
    if (this.violations.length < 50) this.violations.push(`${kind}: ${text}`);
  }

  /** Before the call that puts it in: FIFO messages take their place in their groups. */
  plan(token: string, origin: Origin, destinations: string[], extra: { fifo?: { group: string; seq: number }; poison?: boolean } = {}): Item {
    const item: Item = {
      token,
      origin,
      status: 'attempted',
      dests: destinations.map((queue) => ({ queue, received: 0, releases: 0, held: false, deleted: 'no', extra: 0, drained: 0, replays: 0 })),
      fifo: extra.fifo,
      poison: extra.poison,
    };
    this.items.set(token, item);
    if (item.fifo) for (const d of item.dests) this.lane(d.queue, item.fifo.group).tokens.push(token);
    return item;
  }

  private lane(queue: string, group: string): Lane {
    const key = `${queue}|${group}`;
    let lane = this.lanes.get(key);
    if (!lane) this.lanes.set(key, (lane = { tokens: [], pos: 0, held: 0, drainedAt: -1 }));
    return lane;
  }

  private bump(map: Map<string, number>, queue: string, by: number): void {
    map.set(queue, (map.get(queue) ?? 0) + by);
  }

  acked(item: Item): void {
    if (item.status !== 'attempted') return;
    item.status = 'acked';
    // Counted in even when already deleted: a consumer can receive and delete a message before
    // its producer hears the answer, and deleting() counted that out.
    for (const d of item.dests) this.bump(this.outstandingBy, d.queue, 1);
    this.recordsMade += recordsOf(item.origin);
  }

  /** Answered with an error: never stored. FIFO lanes forget it (its producer sends the next one after). */
  failed(item: Item): void {
    item.status = 'failed';
    if (item.fifo)
      for (const d of item.dests) {
        const lane = this.lane(d.queue, item.fifo.group);
        const i = lane.tokens.lastIndexOf(item.token);
        if (i >= lane.pos) lane.tokens.splice(i, 1);
      }
  }

  /** No answer: the server died with the call in flight. */
  unknown(item: Item): void {
    if (item.status === 'attempted') item.status = 'unknown';
  }

  /** Acknowledged and not yet deleted, per destination queue. */
  outstanding(queue: string): number {
    return this.outstandingBy.get(queue) ?? 0;
  }

  /** Held by a client (received, neither deleted nor released), per destination queue. */
  held(queue: string): number {
    return this.heldBy.get(queue) ?? 0;
  }

  totalOutstanding(): number {
    let n = 0;
    for (const v of this.outstandingBy.values()) n += v;
    return n;
  }

  /**
   * A batch of messages one ReceiveMessage returned from `queue`, in order. Returns, for each, its
   * destination record (undefined for a message the ledger cannot account for: a violation).
   */
  receive(queue: string, bodies: string[]): (Dest | undefined)[] {
    const dest = destOf(queue);
    const out: (Dest | undefined)[] = [];
    // FIFO: the run of each group in this batch must be the group's next messages, in order.
    const runs = new Map<string, number>();
    for (const body of bodies) {
      this.receipts++;
      const token = tokenOf(body);
      const item = token ? this.items.get(token) : undefined;
      if (!item) {
        this.violate('unknown message', `${queue} returned a message no client sent: ${body.slice(0, 200)}`);
        out.push(undefined);
        continue;
      }
      const d = item.dests.find((x) => x.queue === dest);
      if (!d) {
        this.violate('misrouted', `${token} reached ${queue}; it was routed to ${item.dests.map((x) => x.queue).join(', ') || 'nowhere'}`);
        out.push(undefined);
        continue;
      }
      if (item.status === 'failed') this.violate('refused message delivered', `${token} was refused (an error answered its call) yet ${queue} returned it`);
      if (d.held) {
        this.violate('duplicate', `${token} received from ${queue} while a client still held it`);
      } else if (d.deleted !== 'no') {
        if (this.duplicatesAllowed.has(dest)) {
          d.extra++;
          this.injectedDuplicates++;
          d.deleted = 'no';
          this.bump(this.outstandingBy, dest, 1);
        } else this.violate('duplicate', `${token} received from ${queue} after it was deleted`);
      } else if (d.received >= 1 + d.releases + d.extra) {
        this.violate('duplicate', `${token} received from ${queue} ${d.received + 1} times, released ${d.releases} times`);
      }
      if (item.fifo) {
        const lane = this.lane(dest, item.fifo.group);
        const k = runs.get(item.fifo.group) ?? 0;
        if (k === 0 && lane.held > 0) this.violate('FIFO group not held', `${token} received from ${queue} while ${lane.held} earlier messages of group ${item.fifo.group} were in flight`);
        const expected = lane.tokens[lane.pos + k];
        if (expected !== token) {
          const at = lane.tokens.indexOf(item.token);
          this.violate('FIFO order', `${queue} group ${item.fifo.group}: got ${token} (#${at}) where #${lane.pos + k} ${expected ?? '(none)'} was due`);
        }
        runs.set(item.fifo.group, k + 1);
        lane.held++;
      }
      d.received++;
      d.held = true;
      this.bump(this.heldBy, dest, 1);
      out.push(d);
    }
    return out;
  }

  /** About to delete (counted when asked: the next receive may overtake the answer). */
  deleting(item: Item, d: Dest): void {
    if (!d.held) return;
    d.held = false;
    d.deleted = 'yes';
    this.bump(this.heldBy, d.queue, -1);
    this.bump(this.outstandingBy, d.queue, -1);
    if (item.fifo) {
      const lane = this.lane(d.queue, item.fifo.group);
      lane.pos++;
      lane.held--;
    }
  }

  /** The delete's answer was lost (the server died): it may or may not have happened. */
  deleteUnknown(d: Dest): void {
    if (d.deleted === 'yes') d.deleted = 'maybe';
  }

  /** About to release (ChangeMessageVisibility 0): it may come back, once. */
  releasing(item: Item, d: Dest): void {
    if (!d.held) return;
    d.held = false;
    d.releases++;
    this.bump(this.heldBy, d.queue, -1);
    if (item.fifo) this.lane(d.queue, item.fifo.group).held--;
  }

  /** Receive, and remember which item each destination belongs to (for deleting / releasing). */
  receiveItems(queue: string, bodies: string[]): ({ item: Item; dest: Dest } | undefined)[] {
    return this.receive(queue, bodies).map((d, i) => {
      if (!d) return undefined;
      const item = this.items.get(tokenOf(bodies[i])!)!;
      return { item, dest: d };
    });
  }

  /** (Destination, token) pairs acknowledged and not deleted: what the queues must still hold. */
  pending(limit = 20): string[] {
    const out: string[] = [];
    for (const item of this.items.values()) {
      if (item.status !== 'acked') continue;
      for (const d of item.dests) if (d.deleted === 'no' && out.length < limit) out.push(`${item.token} in ${d.queue}${d.held ? ' (held)' : ''}`);
    }
    return out;
  }

  /**
   * After a SIGKILL and a restart: every message not known to be deleted may be in any queue state
   * (received ones come back once the clock passes their visibility timeout), so the live state is
   * reset and the drain counts what it finds.
   */
  beginRecovery(): void {
    for (const item of this.items.values())
      for (const d of item.dests) {
        d.drained = 0;
        d.replays = 0;
        d.held = false;
      }
    for (const lane of this.lanes.values()) {
      lane.drainedAt = -1;
      lane.held = 0;
    }
  }

  /** A message the drain after a restart received from `queue`; it is deleted right after. */
  drained(queue: string, body: string, messageId = ''): void {
    this.receipts++;
    this.drainedTotal++;
    const dest = destOf(queue);
    const token = tokenOf(body);
    const item = token ? this.items.get(token) : undefined;
    if (!item) return this.violate('unknown message', `after the restart ${queue} returned a message no client sent: ${body.slice(0, 200)}`);
    const d = item.dests.find((x) => x.queue === dest);
    if (!d) return this.violate('misrouted', `after the restart ${token} reached ${queue}; it was routed to ${item.dests.map((x) => x.queue).join(', ')}`);
    d.drained++;
    if (d.drained > 1 + d.replays) this.violate('duplicate after restart', `${token} received ${d.drained} times from ${queue} after the restart (MessageIds ${d.drainedId}, ${messageId})`);
    else if (d.drained > 1) {
      this.replayedAfterKill++;
      if (messageId === d.drainedId) this.violate('duplicate after restart', `${token}: the same message (${messageId}) twice in ${queue} after the restart`);
    }
    d.drainedId = messageId;
    if (item.status === 'failed') this.violate('refused message delivered', `${token} was refused yet ${queue} holds it after the restart`);
    if (d.deleted === 'yes') this.violate('deleted message back after restart', `${token} was deleted (DeleteMessage answered) before the kill, yet ${queue} returned it after the restart`);
    if (d.received > 0 && d.deleted === 'no') this.redeliveredAfterKill++;
    if (d.deleted === 'maybe') this.deleteUnansweredFound++;
    if (item.status !== 'acked') this.unacknowledgedFound++;
    if (item.fifo) {
      const lane = this.lane(dest, item.fifo.group);
      const at = lane.tokens.indexOf(token!);
      if (at <= lane.drainedAt) this.violate('FIFO order after restart', `${queue} group ${item.fifo.group}: ${token} (#${at}) came after #${lane.drainedAt}`);
      else {
        // Everything the group must still hold between the last one and this one was skipped.
        for (let i = lane.drainedAt + 1; i < at; i++) {
          const skipped = this.items.get(lane.tokens[i])!;
          const sd = skipped.dests.find((x) => x.queue === dest)!;
          if (skipped.status === 'acked' && sd.deleted === 'no')
            this.violate('FIFO order after restart', `${queue} group ${item.fifo.group}: ${token} (#${at}) came before acknowledged ${lane.tokens[i]} (#${i})`);
        }
        lane.drainedAt = at;
      }
    }
  }

  /**
   * The restarted server resumed a delivery of this token's event (its journal had it under way at
   * the kill): made again, it may put one more copy in each of these queues.
   */
  resumed(token: string, queues: string[]): void {
    const item = this.items.get(token);
    if (!item) return this.violate('unknown record', `the restarted server resumed a delivery of ${token}, which no client sent`);
    for (const d of item.dests) if (queues.includes(d.queue)) d.replays++;
  }

  /** Acknowledged messages, not deleted before the kill, that the drain has not found yet. */
  missingAfterRecovery(limit = 20): string[] {
    const out: string[] = [];
    for (const item of this.items.values()) {
      if (item.status !== 'acked') continue;
      for (const d of item.dests) if (d.deleted === 'no' && d.drained === 0 && out.length < limit) out.push(`${item.token} in ${d.queue}`);
    }
    return out;
  }

  /** The drain after the restart is over: everything is deleted now. */
  finishRecovery(): void {
    for (const m of this.missingAfterRecovery(1_000_000)) this.violate('lost after restart', `${m}: acknowledged, never deleted, not there after the restart`);
    for (const item of this.items.values())
      for (const d of item.dests)
        if (d.drained > 0 || d.deleted !== 'yes') {
          d.deleted = 'yes';
          d.held = false;
        }
    this.outstandingBy.clear();
    this.heldBy.clear();
    for (const lane of this.lanes.values()) {
      lane.pos = lane.tokens.length;
      lane.held = 0;
    }
  }
}

/** Trace records an acknowledged call makes: one per send and publish; an event one, plus one on soak-bus and one publish when it goes there. */
function recordsOf(o: Origin): number {
  if (o.kind !== 'event') return 1;
  return 1 + (o.targets.includes('bus') ? 1 : 0) + (o.targets.includes('topic') ? 1 : 0);
}
