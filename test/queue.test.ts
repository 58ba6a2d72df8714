/**
 * The Queue model on its own, on a frozen clock: every deadline is moved by `clock.advance`, never
 * by waiting.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Clock } from '../src/clock.js';
import { AwsError } from '../src/gateway/errors.js';
import { Deque } from '../src/sqs/deque.js';
import { MessageState, type SqsMessage } from '../src/sqs/message.js';
import { Queue, decodeReceipt, type Received, type SendParams } from '../src/sqs/queue.js';
import { errorOf, rng } from './support.js';

const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);
const ACCOUNT = '000000000000';

interface Setup {
  clock: Clock;
  q: Queue;
}

const queues = new Map<string, Queue>();

function setup(opts: { fifo?: boolean; name?: string; attributes?: Record<string, string>; clock?: Clock } = {}): Setup {
  const clock = opts.clock ?? new Clock({ frozen: true, start: T0 });
  const fifo = opts.fifo ?? false;
  const name = opts.name ?? (fifo ? 'q.fifo' : 'q');
  const q = new Queue({ account: ACCOUNT, region: 'us-east-1', name }, { clock, resolveArn: (arn) => queues.get(arn) }, fifo);
  if (opts.attributes) q.setAttributes(opts.attributes);
  queues.set(q.arn, q);
  return { clock, q };
}

afterEach(() => queues.clear());

function send(q: Queue, body: string, extra: Partial<SendParams> = {}): SqsMessage {
  return q.send({ body, senderId: 'AIDAEXAMPLE', ...extra }).message;
}

let dedupCounter = 0;
function sendFifo(q: Queue, body: string, groupId: string, extra: Partial<SendParams> = {}): SqsMessage {
  return send(q, body, { groupId, dedupId: `d${++dedupCounter}`, ...extra });
}

function receive(q: Queue, max = 10, visibilityTimeout = 30): Received[] {
  return q.receive({ max, visibilityTimeout });
}

const bodies = (r: Received[]): string[] => r.map((x) => x.message.body);

/** Counts by state, straight from the stored messages: what `counts` must always agree with. */
function countedByState(q: Queue): { visible: number; inFlight: number; delayed: number } {
  const c = { visible: 0, inFlight: 0, delayed: 0 };
  for (const m of q.peek()) {
    if (m.state === MessageState.Visible) c.visible++;
    else if (m.state === MessageState.InFlight) c.inFlight++;
    else if (m.state === MessageState.Delayed) c.delayed++;
    else throw new Error(`a Gone message ${m.id} is still stored`);
  }
  return c;
}

function expectCounts(q: Queue, visible: number, inFlight: number, delayed: number): void {
  expect(q.counts).toEqual({ visible, inFlight, delayed });
  expect(countedByState(q)).toEqual({ visible, inFlight, delayed });
}



/** Let queued microtasks and one macrotask turn run (long-poll wake-ups are microtasks). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

// ---------------------------------------------------------------------------------------

describe('standard queue', () => {
  it('receives in send order, at most max per call', () => {
    const { q } = setup();
    for (const b of ['a', 'b', 'c', 'd', 'e']) send(q, b);
    expectCounts(q, 5, 0, 0);
    expect(bodies(receive(q, 2))).toEqual(['a', 'b']);
    expect(bodies(receive(q, 10))).toEqual(['c', 'd', 'e']);
    expect(receive(q, 10)).toEqual([]);
    expectCounts(q, 0, 5, 0);
  });

  it('returns a message when its visibility timeout expires, with a new receipt handle', () => {
    const { clock, q } = setup();
    const m = send(q, 'a');
    const [first] = receive(q, 1, 30);
    expect(first.message).toBe(m);
    expect(m.receiveCount).toBe(1);
    expect(m.firstReceiveAt).toBe(T0);

    clock.advance(29_999);
    expect(receive(q)).toEqual([]);
    expectCounts(q, 0, 1, 0);
    clock.advance(1);
    expectCounts(q, 1, 0, 0);

    const [second] = receive(q, 1, 30);
    expect(second.message).toBe(m);
    expect(second.receiptHandle).not.toBe(first.receiptHandle);
    expect(m.receiveCount).toBe(2);
    expect(m.firstReceiveAt).toBe(T0);
    expect(m.receivedAt).toBe(T0 + 30_000);
    expect(decodeReceipt(second.receiptHandle)?.messageId).toBe(m.id);

    // The stale handle deletes nothing (and is not an error); the current one deletes.
    expect(q.deleteMessage(first.receiptHandle)).toBe(false);
    expectCounts(q, 0, 1, 0);
    expect(q.deleteMessage(second.receiptHandle)).toBe(true);
    expectCounts(q, 0, 0, 0);
    // Deleting again is a no-op.
    expect(q.deleteMessage(second.receiptHandle)).toBe(false);
    // The visibility timer went with the message; only the retention timer is left.
    expect(m.timer).toBeUndefined();
    expect(clock.pending).toBe(1);
  });

  it('puts a returned message ahead of newer ones', () => {
    const { clock, q } = setup();
    for (const b of ['a', 'b', 'c']) send(q, b);
    expect(bodies(receive(q, 1, 10))).toEqual(['a']);
    clock.advance(10_000);
    expect(bodies(receive(q, 10))).toEqual(['a', 'b', 'c']);
  });

  it('rejects receipt handles that are not ours', () => {
    const { q } = setup();
    send(q, 'a');
    for (const bad of ['', 'garbage', 'SY1', 'SY1' + Buffer.from('not-a-uuid:1').toString('base64url')]) {
      expect(errorOf(() => q.deleteMessage(bad)).type).toBe('ReceiptHandleIsInvalid');
    }
    expectCounts(q, 1, 0, 0);
  });

  it('changes visibility: 0 returns at once, longer extends, a visible message is not in flight', () => {
    const { clock, q } = setup();
    send(q, 'a');
    const [r] = receive(q, 1, 30);
    q.changeVisibility(r.receiptHandle, 100);
    clock.advance(99_000);
    expectCounts(q, 0, 1, 0);
    clock.advance(1_000);
    expectCounts(q, 1, 0, 0);
    const [r2] = receive(q, 1, 30);
    q.changeVisibility(r2.receiptHandle, 0);
    expectCounts(q, 1, 0, 0);
    expect(errorOf(() => q.changeVisibility(r2.receiptHandle, 10)).type).toBe('MessageNotInflight');
    expect(errorOf(() => q.changeVisibility(r.receiptHandle, 10)).type).toBe('InvalidParameterValue');
    // The 12-hour ceiling counts from the receive.
    const [r3] = receive(q, 1, 30);
    clock.advance(10_000);
    expect(errorOf(() => q.changeVisibility(r3.receiptHandle, 43_200)).type).toBe('InvalidParameterValue');
    q.changeVisibility(r3.receiptHandle, 43_190);
    expectCounts(q, 0, 1, 0);
  });

  it('keeps visible / inFlight / delayed exact through send, delay, receive, delete, expiry and purge', () => {
    const { clock, q } = setup();
    send(q, 'now-1');
    send(q, 'later', { delaySeconds: 10 });
    send(q, 'now-2');
    expectCounts(q, 2, 0, 1);

    const got = receive(q, 10, 20);
    expect(bodies(got)).toEqual(['now-1', 'now-2']);
    expectCounts(q, 0, 2, 1);

    expect(q.deleteMessage(got[0].receiptHandle)).toBe(true);
    expectCounts(q, 0, 1, 1);

    clock.advance(10_000); // the delayed message arrives
    expectCounts(q, 1, 1, 0);
    clock.advance(10_000); // now-2's visibility expires
    expectCounts(q, 2, 0, 0);

    // Deleting a visible message by its latest handle works and counts.
    expect(q.deleteMessage(got[1].receiptHandle)).toBe(true);
    expectCounts(q, 1, 0, 0);

    send(q, 'delayed-again', { delaySeconds: 5 });
    const [inFlight] = receive(q, 1, 60);
    expect(inFlight.message.body).toBe('later');
    send(q, 'visible');
    expectCounts(q, 1, 1, 1);

    q.purge();
    expectCounts(q, 0, 0, 0);
    expect(clock.pending).toBe(0); // delay, visibility and retention timers all cancelled
    clock.advance(120_000);
    expectCounts(q, 0, 0, 0);
    expect(receive(q)).toEqual([]);
    // The purged handle neither deletes nor throws.
    expect(q.deleteMessage(inFlight.receiptHandle)).toBe(false);

    // The queue works after a purge.
    send(q, 'after');
    expect(bodies(receive(q))).toEqual(['after']);
    expectCounts(q, 0, 1, 0);
  });

  it('uses the queue DelaySeconds and VisibilityTimeout defaults', () => {
    const { clock, q } = setup({ attributes: { DelaySeconds: '5', VisibilityTimeout: '7' } });
    expect(q.visibilityTimeout).toBe(7);
    send(q, 'a');
    send(q, 'b', { delaySeconds: 0 }); // an explicit 0 overrides the queue default
    expectCounts(q, 1, 0, 1);
    clock.advance(5_000);
    expectCounts(q, 2, 0, 0);
  });

  it('expires messages after the retention period, whatever their state', () => {
    const { clock, q } = setup({ attributes: { MessageRetentionPeriod: '60' } });
    send(q, 'old');
    clock.advance(20_000);
    send(q, 'in-flight');
    clock.advance(10_000);
    send(q, 'delayed', { delaySeconds: 900 });
    const [r] = receive(q, 1, 600);
    expect(r.message.body).toBe('old');
    const [r2] = receive(q, 1, 600);
    expect(r2.message.body).toBe('in-flight');
    expectCounts(q, 0, 2, 1);

    clock.advance(29_999); // T0+59.999 s
    expectCounts(q, 0, 2, 1);
    clock.advance(1); // 'old' is 60 s old
    expectCounts(q, 0, 1, 1);
    expect(q.deleteMessage(r.receiptHandle)).toBe(false);
    clock.advance(20_000);
    expectCounts(q, 0, 0, 1);
    clock.advance(10_000);
    expectCounts(q, 0, 0, 0);
    expect([...q.peek()]).toEqual([]);
    expect(clock.pending).toBe(0);

    // Retention restarts with the next message.
    send(q, 'fresh');
    clock.advance(59_000);
    expectCounts(q, 1, 0, 0);
    clock.advance(1_000);
    expectCounts(q, 0, 0, 0);
  });

  it('moves a message to the dead-letter queue past maxReceiveCount, on the receive that would hand it out', () => {
    const { clock } = setup({ name: 'dlq' });
    const dlq = queues.get(`arn:aws:sqs:us-east-1:${ACCOUNT}:dlq`)!;
    const { q } = setup({ clock, name: 'src', attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }) } });
    const m = send(q, 'poison');
    send(q, 'fine');
    for (let i = 1; i <= 2; i++) {
      const got = receive(q, 1, 10);
      expect(bodies(got)).toEqual(['poison']);
      clock.advance(10_000);
    }
    expectCounts(q, 2, 0, 0);
    // The third receive skips it into the DLQ and hands out the next message.
    expect(bodies(receive(q, 10, 10))).toEqual(['fine']);
    expectCounts(q, 0, 1, 0);
    expectCounts(dlq, 1, 0, 0);
    const [moved] = receive(dlq);
    expect(moved.message.id).toBe(m.id);
    expect(moved.message.body).toBe('poison');
    expect(moved.message.deadLetterSourceArn).toBe(q.arn);
    expect(moved.message.receiveCount).toBe(3);
  });
});

describe('FIFO queue', () => {
  it('holds a group while any of its messages is in flight; other groups flow', () => {
    const { q } = setup({ fifo: true });
    sendFifo(q, 'g1-a', 'g1');
    sendFifo(q, 'g1-b', 'g1');
    sendFifo(q, 'g2-a', 'g2');
    const [first] = receive(q, 1);
    expect(first.message.body).toBe('g1-a');
    expect(bodies(receive(q, 10))).toEqual(['g2-a']);
    expect(receive(q, 10)).toEqual([]);
    expectCounts(q, 1, 2, 0);
    expect(q.deleteMessage(first.receiptHandle)).toBe(true);
    expect(bodies(receive(q, 10))).toEqual(['g1-b']);
    expectCounts(q, 0, 2, 0);
  });

  it('returns the messages of a group together and in order', () => {
    const { q } = setup({ fifo: true });
    for (let i = 1; i <= 3; i++) sendFifo(q, `g1-${i}`, 'g1');
    sendFifo(q, 'g2-1', 'g2');
    for (let i = 4; i <= 5; i++) sendFifo(q, `g1-${i}`, 'g1');
    const got = bodies(receive(q, 10));
    expect(got.filter((b) => b.startsWith('g1'))).toEqual(['g1-1', 'g1-2', 'g1-3', 'g1-4', 'g1-5']);
    expect(got).toContain('g2-1');
    expect(receive(q)).toEqual([]); // both groups are now held
  });

  it('keeps group order when in-flight messages of a group return at different times', () => {
    const { clock, q } = setup({ fifo: true });
    for (const b of ['m1', 'm2', 'm3', 'm4']) sendFifo(q, b, 'g');
    const got = receive(q, 3, 30);
    expect(bodies(got)).toEqual(['m1', 'm2', 'm3']);
    const [, h2, h3] = got.map((r) => r.receiptHandle);
    q.changeVisibility(h2, 10);
    q.changeVisibility(h3, 20);
    // m1 stays in flight until T0+30 s.
    clock.advance(10_000);
    expectCounts(q, 2, 2, 0); // m2 back, m4 never left; m1, m3 in flight
    expect(receive(q, 10)).toEqual([]); // group held
    clock.advance(10_000);
    expectCounts(q, 3, 1, 0);
    expect(receive(q, 10)).toEqual([]);
    // m1 returns; the group is in sequence order again.
    clock.advance(10_000);
    expectCounts(q, 4, 0, 0);
    const again = receive(q, 10, 30);
    expect(bodies(again)).toEqual(['m1', 'm2', 'm3', 'm4']);
    const seqs = again.map((r) => r.message.sequenceNumber!);
    expect([...seqs].sort()).toEqual(seqs);
  });

  it('releases the group when the in-flight message is deleted, changed to 0, or expires', () => {
    const { clock, q } = setup({ fifo: true });
    for (const b of ['a', 'b', 'c', 'd']) sendFifo(q, b, 'g');
    const [a] = receive(q, 1);
    q.deleteMessage(a.receiptHandle);
    const [b] = receive(q, 1);
    expect(b.message.body).toBe('b');
    q.changeVisibility(b.receiptHandle, 0);
    const [b2] = receive(q, 1, 5);
    expect(b2.message.body).toBe('b');
    clock.advance(5_000);
    expect(bodies(receive(q, 10))).toEqual(['b', 'c', 'd']);
  });

  it('deduplicates within the 5-minute window, even after the first copy was deleted', () => {
    const { clock, q } = setup({ fifo: true });
    const first = q.send({ body: 'x', senderId: 's', groupId: 'g', dedupId: 'same' });
    expect(first.duplicate).toBe(false);
    const dup = q.send({ body: 'different body', senderId: 's', groupId: 'g2', dedupId: 'same' });
    expect(dup.duplicate).toBe(true);
    expect(dup.message.id).toBe(first.message.id);
    expectCounts(q, 1, 0, 0);

    const [r] = receive(q);
    q.deleteMessage(r.receiptHandle);
    clock.advance(5 * 60_000 - 1);
    expect(q.send({ body: 'x', senderId: 's', groupId: 'g', dedupId: 'same' }).duplicate).toBe(true);
    expectCounts(q, 0, 0, 0);
    clock.advance(1);
    const fresh = q.send({ body: 'x', senderId: 's', groupId: 'g', dedupId: 'same' });
    expect(fresh.duplicate).toBe(false);
    expect(fresh.message.id).not.toBe(first.message.id);
    expectCounts(q, 1, 0, 0);
  });

  it('deduplicates by body hash with ContentBasedDeduplication, and per group with DeduplicationScope=messageGroup', () => {
    const { q } = setup({ fifo: true, attributes: { ContentBasedDeduplication: 'true' } });
    const a = q.send({ body: 'hello world', senderId: 's', groupId: 'g' });
    expect(a.message.dedupId).toBe('b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9');
    expect(q.send({ body: 'hello world', senderId: 's', groupId: 'g' }).duplicate).toBe(true);
    expect(q.send({ body: 'hello world!', senderId: 's', groupId: 'g' }).duplicate).toBe(false);
    // An explicit id overrides the hash.
    expect(q.send({ body: 'hello world', senderId: 's', groupId: 'g', dedupId: 'explicit' }).duplicate).toBe(false);
    expectCounts(q, 3, 0, 0);

    const { q: perGroup } = setup({ fifo: true, name: 'pg.fifo', attributes: { DeduplicationScope: 'messageGroup' } });
    expect(perGroup.send({ body: 'x', senderId: 's', groupId: 'g1', dedupId: 'd' }).duplicate).toBe(false);
    expect(perGroup.send({ body: 'x', senderId: 's', groupId: 'g2', dedupId: 'd' }).duplicate).toBe(false);
    expect(perGroup.send({ body: 'x', senderId: 's', groupId: 'g1', dedupId: 'd' }).duplicate).toBe(true);
    expectCounts(perGroup, 2, 0, 0);
  });

  it('numbers messages with increasing 20-digit sequence numbers', () => {
    const { q } = setup({ fifo: true });
    const seqs = [sendFifo(q, 'a', 'g1'), sendFifo(q, 'b', 'g2'), sendFifo(q, 'c', 'g1')].map((m) => m.sequenceNumber!);
    for (const s of seqs) expect(s).toMatch(/^\d{20}$/);
    expect([...seqs].sort()).toEqual(seqs);
    expect(new Set(seqs).size).toBe(3);
  });

  it('returns the same messages for a retried ReceiveRequestAttemptId', () => {
    const { q } = setup({ fifo: true });
    sendFifo(q, 'a', 'g1');
    sendFifo(q, 'b', 'g2');
    const first = q.receive({ max: 1, visibilityTimeout: 30, attemptId: 'attempt-1' });
    const retry = q.receive({ max: 1, visibilityTimeout: 30, attemptId: 'attempt-1' });
    expect(retry.map((r) => r.receiptHandle)).toEqual(first.map((r) => r.receiptHandle));
    expectCounts(q, 1, 1, 0);
    const other = q.receive({ max: 1, visibilityTimeout: 30, attemptId: 'attempt-2' });
    expect(bodies(other)).toEqual(['b']);
  });
});

describe('randomized operations keep the counters and FIFO rules exact', () => {
  for (const fifo of [false, true]) {
    it(fifo ? 'FIFO' : 'standard', () => {
      const random = rng(fifo ? 7 : 3);
      const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];
      const { clock, q } = setup({ fifo, attributes: { MessageRetentionPeriod: '600' } });
      const handles: string[] = [];
      for (let step = 0; step < 3000; step++) {
        const op = random();
        if (op < 0.35) {
          const group = `g${Math.floor(random() * 4)}`;
          if (fifo) sendFifo(q, `m${step}`, group);
          else send(q, `m${step}`, { delaySeconds: random() < 0.3 ? Math.floor(random() * 20) : 0 });
        } else if (op < 0.6) {
          const before = new Map<string, number>();
          if (fifo) for (const m of q.peek()) if (m.state === MessageState.InFlight) before.set(m.groupId!, (before.get(m.groupId!) ?? 0) + 1);
          const got = q.receive({ max: 1 + Math.floor(random() * 10), visibilityTimeout: Math.floor(random() * 40) });
          for (const r of got) handles.push(r.receiptHandle);
          if (fifo) {
            const byGroup = new Map<string, SqsMessage[]>();
            for (const r of got) byGroup.set(r.message.groupId!, [...(byGroup.get(r.message.groupId!) ?? []), r.message]);
            for (const [g, msgs] of byGroup) {
              // Never a message of a group that already had one in flight.
              expect(before.get(g) ?? 0).toBe(0);
              // The group's oldest live messages, in sequence order.
              const live = [...q.peek()].filter((m) => m.groupId === g).sort((a, b) => (a.sequenceNumber! < b.sequenceNumber! ? -1 : 1));
              expect(msgs.map((m) => m.id)).toEqual(live.slice(0, msgs.length).map((m) => m.id));
            }
          }
        } else if (op < 0.75 && handles.length) {
          try {
            q.deleteMessage(pick(handles));
          } catch (err) {
            // FIFO queues refuse a handle whose receive is over.
            expect(fifo).toBe(true);
            expect((err as AwsError).type).toBe('InvalidParameterValue');
          }
        } else if (op < 0.85 && handles.length) {
          try {
            q.changeVisibility(pick(handles), Math.floor(random() * 30));
          } catch (err) {
            expect(err).toBeInstanceOf(AwsError);
            expect(['MessageNotInflight', 'InvalidParameterValue']).toContain((err as AwsError).type);
          }
        } else if (op < 0.999) {
          clock.advance(Math.floor(random() * 15_000));
        } else {
          q.purge();
        }
        expect(q.counts).toEqual(countedByState(q));
      }
      // Everything drains once time moves far enough.
      clock.advance(3_600_000);
      expectCounts(q, 0, 0, 0);
    });
  }
});

describe('long poll (wait)', () => {
  it('resolves as soon as a message is sent, and cancels its timeout', async () => {
    const { clock, q } = setup();
    const poll = q.wait({ max: 10, visibilityTimeout: 30 }, 20_000);
    expect(clock.pending).toBe(1);
    send(q, 'hello');
    const got = await poll.promise;
    expect(bodies(got)).toEqual(['hello']);
    expectCounts(q, 0, 1, 0);
    // Only the visibility timer (and retention) remain: the wait timer is gone.
    expect(clock.pending).toBe(2);
  });

  it('resolves empty at the deadline, not before', async () => {
    const { clock, q } = setup();
    const poll = q.wait({ max: 10, visibilityTimeout: 30 }, 20_000);
    let result: Received[] | undefined;
    void poll.promise.then((r) => (result = r));
    clock.advance(19_999);
    await settle();
    expect(result).toBeUndefined();
    clock.advance(1);
    await settle();
    expect(result).toEqual([]);
    // A message sent after the deadline stays in the queue.
    send(q, 'late');
    await settle();
    expectCounts(q, 1, 0, 0);
  });

  it('wakes on a delayed message becoming visible and on a visibility expiry', async () => {
    const { clock, q } = setup();
    send(q, 'delayed', { delaySeconds: 5 });
    const poll = q.wait({ max: 10, visibilityTimeout: 30 }, 20_000);
    clock.advance(5_000);
    expect(bodies(await poll.promise)).toEqual(['delayed']);
    const poll2 = q.wait({ max: 10, visibilityTimeout: 30 }, 20_000);
    clock.advance(20_000); // the wait times out at T0+25 s, before the visibility expiry at T0+35 s
    expect(await poll2.promise).toEqual([]);
    const poll3 = q.wait({ max: 10, visibilityTimeout: 30 }, 20_000);
    clock.advance(10_000);
    expect(bodies(await poll3.promise)).toEqual(['delayed']);
  });

  it('serves several waiters in turn, one message each', async () => {
    const { clock, q } = setup();
    const w1 = q.wait({ max: 1, visibilityTimeout: 30 }, 20_000);
    const w2 = q.wait({ max: 1, visibilityTimeout: 30 }, 20_000);
    let second: Received[] | undefined;
    void w2.promise.then((r) => (second = r));
    send(q, 'one');
    expect(bodies(await w1.promise)).toEqual(['one']);
    await settle();
    expect(second).toBeUndefined();
    send(q, 'two');
    await settle();
    expect(bodies(second!)).toEqual(['two']);
    expect(clock.pending).toBe(3); // two visibility timers and retention
  });

  it('cancel() answers empty and removes the timer; destroy() answers every waiter', async () => {
    const { clock, q } = setup();
    const poll = q.wait({ max: 10, visibilityTimeout: 30 }, 20_000);
    poll.cancel();
    expect(await poll.promise).toEqual([]);
    expect(clock.pending).toBe(0);
    send(q, 'kept');
    await settle();
    expectCounts(q, 1, 0, 0);

    const { q: other } = setup({ name: 'other', clock });
    const w = other.wait({ max: 10, visibilityTimeout: 30 }, 20_000);
    other.destroy();
    expect(await w.promise).toEqual([]);
  });
});

describe('cost at depth', () => {
  it('receive(10) + delete costs the same with 100,000 messages queued as with 10', () => {
    const { clock, q } = setup();
    const N = 100_000;
    for (let i = 0; i < N; i++) send(q, `m${i}`);
    expectCounts(q, N, 0, 0);

    // Count the primitive steps the queue takes: deque operations, timer-heap comparisons and
    // schedule/cancel calls. Patched by hand (a vi.spyOn would keep every call's arguments).
    let steps = 0;
    const patched: [object, string, unknown][] = [];
    const count = (proto: object, name: string) => {
      const original = (proto as Record<string, (...args: unknown[]) => unknown>)[name];
      patched.push([proto, name, original]);
      (proto as Record<string, unknown>)[name] = function (this: unknown, ...args: unknown[]) {
        steps++;
        return original.apply(this, args);
      };
    };
    for (const name of ['pushBack', 'pushFront', 'popFront', 'peekFront', 'at', 'insertWhere']) count(Deque.prototype, name);
    for (const name of ['at', 'cancel', 'less']) count(Clock.prototype, name);

    const perBatch: number[] = [];
    let received = 0;
    try {
      for (;;) {
        const before = steps;
        const got = receive(q, 10, 30);
        if (got.length === 0) break;
        for (const r of got) expect(q.deleteMessage(r.receiptHandle)).toBe(true);
        received += got.length;
        perBatch.push(steps - before);
        if (perBatch.length % 1000 === 0) expect(clock.pending).toBeLessThanOrEqual(1);
      }
    } finally {
      for (const [proto, name, original] of patched) (proto as Record<string, unknown>)[name] = original;
    }

    expect(received).toBe(N);
    expect(perBatch).toHaveLength(N / 10);
    expectCounts(q, 0, 0, 0);
    expect(steps).toBeGreaterThan(0);
    // Every batch takes the same number of steps, from 100,000 deep down to the last 10.
    const deep = perBatch.slice(0, 100);
    const shallow = perBatch.slice(-100);
    expect(Math.max(...perBatch)).toBe(Math.min(...perBatch));
    expect(deep).toEqual(shallow);
    // And that number is small: a few steps per message, not a scan.
    expect(perBatch[0]).toBeLessThan(200);
  });
});
