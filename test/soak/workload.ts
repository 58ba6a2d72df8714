/**
 * The soak's 50 clients: each is one async loop with its own SQS, SNS and EventBridge SDK clients
 * and a role. Producers put messages in (and tell the ledger first), consumers take them out and
 * check each receipt, churners create, tag and delete throwaway resources, the inspector reads.
 *
 * The gate stops the clients between operations: all of them (a quiet point, where counters
 * can be compared with what the clients hold) or the producers only (a drain). Producers also
 * wait at the gate while more than `outstandingCap` messages are in the queues, so the queues
 * stay bounded whatever the machine's speed: the soak asserts invariants, never throughput.
 */
import {
  AddPermissionCommand,
  CancelMessageMoveTaskCommand,
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListMessageMoveTasksCommand,
  ListQueueTagsCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  RemovePermissionCommand,
  SQSClient,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  StartMessageMoveTaskCommand,
  TagQueueCommand,
  UntagQueueCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import {
  CreateTopicCommand,
  DeleteTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListSubscriptionsCommand,
  ListTagsForResourceCommand as SnsListTags,
  ListTopicsCommand,
  PublishBatchCommand,
  PublishCommand,
  SNSClient,
  SetSubscriptionAttributesCommand,
  SetTopicAttributesCommand,
  SubscribeCommand,
  TagResourceCommand as SnsTag,
  UnsubscribeCommand,
  UntagResourceCommand as SnsUntag,
} from '@aws-sdk/client-sns';
import {
  CreateArchiveCommand,
  CreateEventBusCommand,
  DeleteArchiveCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  DescribeArchiveCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  EnableRuleCommand,
  EventBridgeClient,
  ListEventBusesCommand,
  ListRuleNamesByTargetCommand,
  ListRulesCommand,
  ListTagsForResourceCommand as EbListTags,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  TagResourceCommand as EbTag,
  TestEventPatternCommand,
  UntagResourceCommand as EbUntag,
} from '@aws-sdk/client-eventbridge';
import { seededRandom, type Random } from '../../src/faults/random.js';
import type { Dest, Item, Ledger } from './ledger.js';
import {
  BUS,
  EB_FIFO_GROUP,
  FAULTY,
  FIFO_DESTINATIONS,
  FIFO_QUEUES,
  FIFO_TOPIC,
  REDRIVE,
  REDRIVE_DLQ,
  REGION,
  ROUTES,
  STD_DESTINATIONS,
  STD_QUEUES,
  TOPIC,
  VISIBILITY_TIMEOUT,
  eventDestinations,
  fifoTopicDestinations,
  queueArn,
  queueUrl,
  topicArn,
  topicDestinations,
  type Clients,
  type EventTarget,
  type SoakEventDetail,
} from './topology.js';

export type Role =
  | 'std-producer'
  | 'std-consumer'
  | 'fifo-producer'
  | 'fifo-consumer'
  | 'sns-publisher'
  | 'sns-fifo-publisher'
  | 'eb-putter'
  | 'eb-fifo-putter'
  | 'redrive-producer'
  | 'redrive-consumer'
  | 'dlq-tender'
  | 'sqs-churn'
  | 'sns-churn'
  | 'eb-churn'
  | 'inspector';

/** 50 clients. Consumers outnumber producers: each producer call may put up to 10 messages in, each fanned out. */
export const ROLES: Record<Role, number> = {
  'std-producer': 7,
  'std-consumer': 14,
  'fifo-producer': 4,
  'fifo-consumer': 4,
  'sns-publisher': 5,
  'sns-fifo-publisher': 2,
  'eb-putter': 5,
  'eb-fifo-putter': 1,
  'redrive-producer': 1,
  'redrive-consumer': 2,
  'dlq-tender': 1,
  'sqs-churn': 1,
  'sns-churn': 1,
  'eb-churn': 1,
  'inspector': 1,
};

const PRODUCERS = new Set<Role>(['std-producer', 'fifo-producer', 'sns-publisher', 'sns-fifo-publisher', 'eb-putter', 'eb-fifo-putter', 'redrive-producer', 'sqs-churn', 'sns-churn', 'eb-churn', 'inspector']);
type Side = 'producer' | 'consumer';

export function sdkClients(endpoint: string, maxAttempts: number): Clients {
  const config = { endpoint, region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts };
  return { sqs: new SQSClient(config), sns: new SNSClient(config), eb: new EventBridgeClient(config) };
}

export interface Stats {
  /** Successful calls per operation (`sqs.SendMessage`). */
  ops: Record<string, number>;
  /** Failed calls per operation and error (`sqs.SendMessage InternalError`). */
  errors: Record<string, number>;
  /** Calls the SDK had to retry (a transient failure absorbed). */
  retried: number;
  /** Messages put in (entries acknowledged) and taken out. */
  sent: number;
  deleted: number;
}

export interface WorkloadOptions {
  endpoint: string;
  ledger: Ledger;
  /** Tokens and throwaway names carry it, so each kill cycle's messages are its own. */
  cycle: number;
  seed: number;
  /** Whether soak-faulty exists (faults are injected there) and producers use it. */
  faultyQueue: boolean;
  /** SDK attempts per call: 3 (the SDK's default) in the soak; 1 when the server will be killed. */
  maxAttempts: number;
  outstandingCap: number;
  stats?: Stats;
}

/** Stops clients between operations (see the file's comment). */
class Gate {
  private paused = new Set<Side>();
  readonly parked = { producer: 0, consumer: 0 };
  readonly total = { producer: 0, consumer: 0 };
  /** Parked clients, and pause() calls waiting for them. */
  private parkedClients: (() => void)[] = [];
  private watchers: (() => void)[] = [];
  stopped = false;

  constructor(private readonly mayProduce: () => boolean) {}

  /** Something changed (resume, stop, messages deleted): every parked client looks again. */
  wake(): void {
    const w = this.parkedClients;
    this.parkedClients = [];
    for (const f of w) f();
  }

  private blocked(side: Side): boolean {
    return !this.stopped && (this.paused.has(side) || (side === 'producer' && !this.mayProduce()));
  }

  async pass(side: Side): Promise<void> {
    while (this.blocked(side)) {
      this.parked[side]++;
      const w = this.watchers;
      this.watchers = [];
      for (const f of w) f();
      await new Promise<void>((r) => this.parkedClients.push(r));
      this.parked[side]--;
    }
  }

  /** Pause these sides (and only these: the others go on); resolves once every client of them is parked (or gone). */
  async pause(sides: Side[]): Promise<void> {
    this.paused = new Set(sides);
    this.wake();
    while (!sides.every((s) => this.parked[s] >= this.total[s])) await new Promise<void>((r) => this.watchers.push(r));
  }

  /** A client ended: pause() no longer waits for it. */
  gone(side: Side): void {
    this.total[side]--;
    const w = this.watchers;
    this.watchers = [];
    for (const f of w) f();
  }

  resume(): void {
    this.paused.clear();
    this.wake();
  }
}

type Held = { message: Message; item: Item; dest: Dest; queue: string };

export class Workload {
  readonly stats: Stats;
  /** Set when the server was killed: failures from then on are expected, and end the client. */
  dead = false;
  /** Consumers delete everything, hold nothing, release nothing (a drain). */
  draining = false;
  private readonly gate: Gate;
  private readonly loops: Promise<void>[] = [];
  readonly ledger: Ledger;
  readonly cycle: number;

  constructor(private readonly o: WorkloadOptions) {
    this.cycle = o.cycle;
    this.ledger = o.ledger;
    this.stats = o.stats ?? { ops: {}, errors: {}, retried: 0, sent: 0, deleted: 0 };
    this.gate = new Gate(() => this.ledger.totalOutstanding() < o.outstandingCap);
  }

  start(): void {
    let w = 0;
    for (const [role, count] of Object.entries(ROLES) as [Role, number][])
      for (let i = 0; i < count; i++) {
        const side: Side = PRODUCERS.has(role) ? 'producer' : 'consumer';
        this.gate.total[side]++;
        this.loops.push(this.client(role, w++, side));
      }
  }

  pause(sides: Side[] = ['producer', 'consumer']): Promise<void> {
    return this.gate.pause(sides);
  }

  resume(): void {
    this.gate.resume();
  }

  /** End every client after its current operation. */
  async stop(): Promise<void> {
    this.gate.stopped = true;
    this.gate.wake();
    await Promise.all(this.loops);
  }

  private async client(role: Role, w: number, side: Side): Promise<void> {
    const c = sdkClients(this.o.endpoint, this.o.maxAttempts);
    const ctx: Ctx = { w, role, c, rng: seededRandom((this.o.seed * 1009 + w * 7919) >>> 0), n: 0, held: [], groups: new Map(), next: w };
    const run = OPS[role];
    try {
      while (!this.gate.stopped && !this.dead) {
        await this.gate.pass(side);
        if (this.gate.stopped) break;
        await run(this, ctx);
      }
    } finally {
      this.gate.gone(side);
      c.sqs.destroy();
      c.sns.destroy();
      c.eb.destroy();
    }
  }

  // ---- helpers used by the roles

  token(ctx: Ctx): string {
    return `SKT.c${this.o.cycle}.w${ctx.w}.n${ctx.n++}`;
  }

  url(name: string): string {
    return queueUrl(this.o.endpoint, name);
  }

  /** Run one SDK call; counts it; undefined when it failed (recorded, unless the server is known dead). */
  async call<T>(name: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      const out = await fn();
      this.stats.ops[name] = (this.stats.ops[name] ?? 0) + 1;
      const attempts = (out as { $metadata?: { attempts?: number } } | undefined)?.$metadata?.attempts;
      if (attempts !== undefined && attempts > 1) this.stats.retried++;
      return out;
    } catch (err) {
      if (this.dead) return undefined;
      const e = err as { name?: string; message?: string };
      const key = `${name} ${e.name ?? 'Error'}`;
      this.stats.errors[key] = (this.stats.errors[key] ?? 0) + 1;
      this.ledger.violate('call failed', `${name}: ${e.name}: ${e.message}`);
      return undefined;
    }
  }

  /** One successful call made outside `call`. */
  count(name: string): void {
    this.stats.ops[name] = (this.stats.ops[name] ?? 0) + 1;
  }

  /** A producer call's outcome for the items it carried. */
  settle(items: Item[], ok: boolean | undefined): void {
    for (const item of items) {
      if (ok) {
        this.ledger.acked(item);
        this.stats.sent++;
      } else if (this.dead) this.ledger.unknown(item);
      else this.ledger.failed(item);
    }
  }

  async receive(ctx: Ctx, queue: string, max: number, wait: number): Promise<{ message: Message; item: Item; dest: Dest }[]> {
    const fifo = queue.endsWith('.fifo');
    const out = await this.call('sqs.ReceiveMessage', () =>
      ctx.c.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: this.url(queue),
          MaxNumberOfMessages: max,
          WaitTimeSeconds: wait,
          VisibilityTimeout: VISIBILITY_TIMEOUT,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
          ReceiveRequestAttemptId: fifo ? `${ctx.w}-${ctx.n++}` : undefined,
        }),
      ),
    );
    const messages = out?.Messages ?? [];
    if (messages.length === 0) return [];
    const got = this.ledger.receiveItems(queue, messages.map((m) => m.Body ?? ''));
    const result: { message: Message; item: Item; dest: Dest }[] = [];
    const strays: Message[] = [];
    messages.forEach((m, i) => {
      const g = got[i];
      if (g) result.push({ message: m, ...g });
      else strays.push(m);
    });
    // Messages the ledger cannot place (already a violation): out of the way.
    for (const m of strays) await this.call('sqs.DeleteMessage', () => ctx.c.sqs.send(new DeleteMessageCommand({ QueueUrl: this.url(queue), ReceiptHandle: m.ReceiptHandle })));
    return result;
  }

  async deleteAll(ctx: Ctx, queue: string, list: { message: Message; item: Item; dest: Dest }[]): Promise<void> {
    if (list.length === 0) return;
    for (const x of list) this.ledger.deleting(x.item, x.dest);
    this.gate.wake();
    if (list.length > 1 && ctx.rng() < 0.6) {
      const out = await this.call('sqs.DeleteMessageBatch', () =>
        ctx.c.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: this.url(queue), Entries: list.map((x, i) => ({ Id: `d${i}`, ReceiptHandle: x.message.ReceiptHandle })) })),
      );
      if (!out) {
        for (const x of list) this.ledger.deleteUnknown(x.dest);
        return;
      }
      for (const f of out.Failed ?? []) this.ledger.violate('delete failed', `${queue} ${list[Number(f.Id!.slice(1))].item.token}: ${f.Code} ${f.Message}`);
      this.stats.deleted += out.Successful?.length ?? 0;
      return;
    }
    for (const x of list) {
      const ok = await this.call('sqs.DeleteMessage', () => ctx.c.sqs.send(new DeleteMessageCommand({ QueueUrl: this.url(queue), ReceiptHandle: x.message.ReceiptHandle })));
      if (ok) this.stats.deleted++;
      else this.ledger.deleteUnknown(x.dest);
    }
  }

  async releaseAll(ctx: Ctx, queue: string, list: { message: Message; item: Item; dest: Dest }[]): Promise<void> {
    if (list.length === 0) return;
    for (const x of list) this.ledger.releasing(x.item, x.dest);
    if (list.length > 1 && ctx.rng() < 0.5) {
      const out = await this.call('sqs.ChangeMessageVisibilityBatch', () =>
        ctx.c.sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: this.url(queue),
            Entries: list.map((x, i) => ({ Id: `v${i}`, ReceiptHandle: x.message.ReceiptHandle, VisibilityTimeout: 0 })),
          }),
        ),
      );
      for (const f of out?.Failed ?? []) this.ledger.violate('release failed', `${queue}: ${f.Code} ${f.Message}`);
      return;
    }
    for (const x of list)
      await this.call('sqs.ChangeMessageVisibility', () =>
        ctx.c.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: this.url(queue), ReceiptHandle: x.message.ReceiptHandle, VisibilityTimeout: 0 })),
      );
  }

  /** Delete what this client held from an earlier operation. */
  async deleteHeld(ctx: Ctx): Promise<void> {
    const byQueue = new Map<string, Held[]>();
    for (const h of ctx.held) {
      const list = byQueue.get(h.queue) ?? [];
      list.push(h);
      byQueue.set(h.queue, list);
    }
    ctx.held = [];
    for (const [queue, list] of byQueue) await this.deleteAll(ctx, queue, list);
  }

  /** Round robin; in a drain, the queue with the most messages left (by the ledger), so it ends quickly. */
  nextQueue(ctx: Ctx, queues: readonly string[]): string {
    if (this.draining) {
      let best = queues[ctx.next++ % queues.length];
      for (const q of queues) if (this.ledger.outstanding(q) > this.ledger.outstanding(best)) best = q;
      return best;
    }
    return queues[ctx.next++ % queues.length];
  }

  /** A long poll (1 s) now and then; in a drain, only where nothing is known to be left. */
  waitSeconds(ctx: Ctx, queue: string): number {
    if (this.draining) return this.ledger.outstanding(queue) > 0 ? 0 : 1;
    return ctx.rng() < 0.3 ? 1 : 0;
  }

  get faultyQueue(): boolean {
    return this.o.faultyQueue;
  }
}

interface Ctx {
  w: number;
  role: Role;
  c: Clients;
  rng: Random;
  n: number;
  /** Messages received in an earlier operation, deleted in the next. */
  held: Held[];
  /** FIFO producers: next sequence number per group. */
  groups: Map<string, number>;
  /** Round-robin position over the queues a consumer reads. */
  next: number;
}

const pick = <T>(rng: Random, list: readonly T[]): T => list[Math.floor(rng() * list.length)];
const int = (rng: Random, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));
const str = (v: string) => ({ DataType: 'String', StringValue: v });

// ---- the roles: one operation each time round

async function stdProducer(wl: Workload, ctx: Ctx): Promise<void> {
  const queues = wl.faultyQueue ? [...STD_QUEUES, FAULTY] : STD_QUEUES;
  const queue = pick(ctx.rng, queues);
  const message = () => {
    const token = wl.token(ctx);
    const item = wl.ledger.plan(token, { kind: 'send', queue }, [queue]);
    return {
      item,
      body: JSON.stringify({ sk: token, pad: 'x'.repeat(int(ctx.rng, 0, 300)) }),
      attrs: { 'idempotency-key': str(token), n: { DataType: 'Number', StringValue: String(int(ctx.rng, -5, 100)) } },
      delay: ctx.rng() < 0.1 ? 1 : undefined,
    };
  };
  if (ctx.rng() < 0.6) {
    const m = message();
    const out = await wl.call('sqs.SendMessage', () =>
      ctx.c.sqs.send(new SendMessageCommand({ QueueUrl: wl.url(queue), MessageBody: m.body, MessageAttributes: m.attrs, DelaySeconds: m.delay })),
    );
    wl.settle([m.item], !!out);
    return;
  }
  const batch = Array.from({ length: int(ctx.rng, 2, 10) }, message);
  const out = await wl.call('sqs.SendMessageBatch', () =>
    ctx.c.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: wl.url(queue),
        Entries: batch.map((m, i) => ({ Id: `e${i}`, MessageBody: m.body, MessageAttributes: m.attrs, DelaySeconds: m.delay })),
      }),
    ),
  );
  settleBatch(wl, batch.map((m) => m.item), out, 'sqs.SendMessageBatch');
}

function settleBatch(wl: Workload, items: Item[], out: { Successful?: { Id?: string }[]; Failed?: { Id?: string; Code?: string; Message?: string }[] } | undefined, name: string): void {
  if (!out) return wl.settle(items, undefined);
  const ok = new Set((out.Successful ?? []).map((s) => Number(s.Id!.slice(1))));
  for (const f of out.Failed ?? []) wl.ledger.violate('batch entry failed', `${name} ${items[Number(f.Id!.slice(1))].token}: ${f.Code} ${f.Message}`);
  items.forEach((item, i) => wl.settle([item], ok.has(i)));
}

async function stdConsumer(wl: Workload, ctx: Ctx): Promise<void> {
  await wl.deleteHeld(ctx);
  const queues = wl.faultyQueue ? [...STD_DESTINATIONS, FAULTY] : STD_DESTINATIONS;
  const queue = wl.nextQueue(ctx, queues);
  const got = await wl.receive(ctx, queue, int(ctx.rng, 1, 10), wl.waitSeconds(ctx, queue));
  const del: typeof got = [];
  const rel: typeof got = [];
  for (const x of got) {
    const r = ctx.rng();
    if (wl.draining || r < 0.65) del.push(x);
    else if (r < 0.75) rel.push(x);
    else if (r < 0.85) {
      // Extend, then delete: the message must stay ours.
      await wl.call('sqs.ChangeMessageVisibility', () =>
        ctx.c.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: wl.url(queue), ReceiptHandle: x.message.ReceiptHandle, VisibilityTimeout: VISIBILITY_TIMEOUT })),
      );
      del.push(x);
    } else ctx.held.push({ ...x, queue });
  }
  await wl.deleteAll(ctx, queue, del);
  await wl.releaseAll(ctx, queue, rel);
}

async function fifoProducer(wl: Workload, ctx: Ctx): Promise<void> {
  const queue = FIFO_QUEUES[ctx.w % FIFO_QUEUES.length];
  const groupOf = (i: number) => `w${ctx.w}-g${i}`;
  const message = (group: string) => {
    const seq = ctx.groups.get(group) ?? 0;
    ctx.groups.set(group, seq + 1);
    const token = wl.token(ctx);
    const item = wl.ledger.plan(token, { kind: 'send', queue }, [queue], { fifo: { group, seq } });
    return { item, group, token, body: JSON.stringify({ sk: token, g: group, s: seq }) };
  };
  if (ctx.rng() < 0.6) {
    const m = message(groupOf(int(ctx.rng, 0, 2)));
    const out = await wl.call('sqs.SendMessage', () =>
      ctx.c.sqs.send(
        new SendMessageCommand({ QueueUrl: wl.url(queue), MessageBody: m.body, MessageGroupId: m.group, MessageDeduplicationId: m.token, MessageAttributes: { 'idempotency-key': str(m.token) } }),
      ),
    );
    wl.settle([m.item], !!out);
    return;
  }
  // A batch mixing groups: each group's entries in its order.
  const batch = Array.from({ length: int(ctx.rng, 2, 8) }, () => message(groupOf(int(ctx.rng, 0, 2))));
  const out = await wl.call('sqs.SendMessageBatch', () =>
    ctx.c.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: wl.url(queue),
        Entries: batch.map((m, i) => ({ Id: `e${i}`, MessageBody: m.body, MessageGroupId: m.group, MessageDeduplicationId: m.token, MessageAttributes: { 'idempotency-key': str(m.token) } })),
      }),
    ),
  );
  settleBatch(wl, batch.map((m) => m.item), out, 'sqs.SendMessageBatch');
}

async function fifoConsumer(wl: Workload, ctx: Ctx): Promise<void> {
  await wl.deleteHeld(ctx);
  const queue = wl.nextQueue(ctx, FIFO_DESTINATIONS);
  const got = await wl.receive(ctx, queue, int(ctx.rng, 1, 10), wl.waitSeconds(ctx, queue));
  const runs = new Map<string, typeof got>();
  for (const x of got) {
    const g = x.item.fifo!.group;
    runs.set(g, [...(runs.get(g) ?? []), x]);
  }
  const del: typeof got = [];
  const rel: typeof got = [];
  for (const run of runs.values()) {
    const r = ctx.rng();
    if (wl.draining || r < 0.75) del.push(...run);
    else if (r < 0.9) {
      // Take the first j, give the rest back: they come again, in order, from the j-th.
      const j = int(ctx.rng, 0, run.length - 1);
      del.push(...run.slice(0, j));
      rel.push(...run.slice(j));
    } else for (const x of run) ctx.held.push({ ...x, queue });
  }
  await wl.deleteAll(ctx, queue, del);
  await wl.releaseAll(ctx, queue, rel);
}

async function snsPublisher(wl: Workload, ctx: Ctx): Promise<void> {
  const message = () => {
    const token = wl.token(ctx);
    const route = pick(ctx.rng, ROUTES);
    const item = wl.ledger.plan(token, { kind: 'publish', topic: 'standard', route }, topicDestinations(route));
    return {
      item,
      body: JSON.stringify({ sk: token, detail: { route } }),
      attrs: { route: str(route), 'idempotency-key': str(token), n: { DataType: 'Number', StringValue: String(int(ctx.rng, 0, 9)) } },
    };
  };
  if (ctx.rng() < 0.7) {
    const m = message();
    const out = await wl.call('sns.Publish', () => ctx.c.sns.send(new PublishCommand({ TopicArn: topicArn(TOPIC), Message: m.body, MessageAttributes: m.attrs })));
    wl.settle([m.item], !!out);
    return;
  }
  const batch = Array.from({ length: int(ctx.rng, 2, 10) }, message);
  const out = await wl.call('sns.PublishBatch', () =>
    ctx.c.sns.send(new PublishBatchCommand({ TopicArn: topicArn(TOPIC), PublishBatchRequestEntries: batch.map((m, i) => ({ Id: `e${i}`, Message: m.body, MessageAttributes: m.attrs })) })),
  );
  settleBatch(wl, batch.map((m) => m.item), out, 'sns.PublishBatch');
}

async function snsFifoPublisher(wl: Workload, ctx: Ctx): Promise<void> {
  const message = (group: string) => {
    const seq = ctx.groups.get(group) ?? 0;
    ctx.groups.set(group, seq + 1);
    const token = wl.token(ctx);
    const item = wl.ledger.plan(token, { kind: 'publish', topic: 'fifo' }, fifoTopicDestinations(seq), { fifo: { group, seq } });
    return { item, group, token, body: JSON.stringify({ sk: token, g: group, s: seq }), attrs: { parity: str(seq % 2 === 1 ? 'odd' : 'even'), 'idempotency-key': str(token) } };
  };
  const group = `w${ctx.w}-t${int(ctx.rng, 0, 1)}`;
  if (ctx.rng() < 0.7) {
    const m = message(group);
    const out = await wl.call('sns.Publish', () =>
      ctx.c.sns.send(new PublishCommand({ TopicArn: topicArn(FIFO_TOPIC), Message: m.body, MessageGroupId: m.group, MessageDeduplicationId: m.token, MessageAttributes: m.attrs })),
    );
    wl.settle([m.item], !!out);
    return;
  }
  const batch = Array.from({ length: int(ctx.rng, 2, 5) }, () => message(group));
  const out = await wl.call('sns.PublishBatch', () =>
    ctx.c.sns.send(
      new PublishBatchCommand({
        TopicArn: topicArn(FIFO_TOPIC),
        PublishBatchRequestEntries: batch.map((m, i) => ({ Id: `e${i}`, Message: m.body, MessageGroupId: m.group, MessageDeduplicationId: m.token, MessageAttributes: m.attrs })),
      }),
    ),
  );
  settleBatch(wl, batch.map((m) => m.item), out, 'sns.PublishBatch');
}

async function putEvents(wl: Workload, ctx: Ctx, entries: { item: Item; detail: SoakEventDetail }[]): Promise<void> {
  const out = await wl.call('events.PutEvents', () =>
    ctx.c.eb.send(new PutEventsCommand({ Entries: entries.map((e) => ({ Source: 'soak', DetailType: 'tick', Detail: JSON.stringify(e.detail) })) })),
  );
  if (!out) return wl.settle(entries.map((e) => e.item), undefined);
  (out.Entries ?? []).forEach((r, i) => {
    if (r.ErrorCode) wl.ledger.violate('batch entry failed', `events.PutEvents ${entries[i].item.token}: ${r.ErrorCode} ${r.ErrorMessage}`);
    wl.settle([entries[i].item], !r.ErrorCode && !!r.EventId);
  });
}

async function ebPutter(wl: Workload, ctx: Ctx): Promise<void> {
  const entries = Array.from({ length: int(ctx.rng, 1, 10) }, () => {
    const token = wl.token(ctx);
    const targets = (['q', 'topic', 'bus'] as EventTarget[]).filter(() => ctx.rng() < 0.5);
    const detail: SoakEventDetail = { sk: token, targets, route: pick(ctx.rng, ROUTES), n: int(ctx.rng, -3, 20), metadata: { 'idempotency-key': token } };
    const item = wl.ledger.plan(token, { kind: 'event', targets, route: detail.route, n: detail.n }, eventDestinations(detail));
    return { item, detail };
  });
  await putEvents(wl, ctx, entries);
}

async function ebFifoPutter(wl: Workload, ctx: Ctx): Promise<void> {
  const entries = Array.from({ length: int(ctx.rng, 1, 5) }, () => {
    const token = wl.token(ctx);
    const seq = ctx.groups.get(EB_FIFO_GROUP) ?? 0;
    ctx.groups.set(EB_FIFO_GROUP, seq + 1);
    const detail: SoakEventDetail = { sk: token, targets: ['fifo'], route: 'none', n: -1, g: EB_FIFO_GROUP, s: seq, metadata: { 'idempotency-key': token } };
    const item = wl.ledger.plan(token, { kind: 'event', targets: ['fifo'], route: 'none', n: -1 }, eventDestinations(detail), { fifo: { group: EB_FIFO_GROUP, seq } });
    return { item, detail };
  });
  await putEvents(wl, ctx, entries);
}

async function redriveProducer(wl: Workload, ctx: Ctx): Promise<void> {
  const message = () => {
    const token = wl.token(ctx);
    const poison = ctx.rng() < 0.3;
    const item = wl.ledger.plan(token, { kind: 'send', queue: REDRIVE }, [REDRIVE], { poison });
    return { item, body: JSON.stringify({ sk: token, poison }), attrs: { 'idempotency-key': str(token) } };
  };
  if (ctx.rng() < 0.5) {
    const m = message();
    const out = await wl.call('sqs.SendMessage', () => ctx.c.sqs.send(new SendMessageCommand({ QueueUrl: wl.url(REDRIVE), MessageBody: m.body, MessageAttributes: m.attrs })));
    wl.settle([m.item], !!out);
    return;
  }
  const batch = Array.from({ length: int(ctx.rng, 2, 10) }, message);
  const out = await wl.call('sqs.SendMessageBatch', () =>
    ctx.c.sqs.send(new SendMessageBatchCommand({ QueueUrl: wl.url(REDRIVE), Entries: batch.map((m, i) => ({ Id: `e${i}`, MessageBody: m.body, MessageAttributes: m.attrs })) })),
  );
  settleBatch(wl, batch.map((m) => m.item), out, 'sqs.SendMessageBatch');
}

async function redriveConsumer(wl: Workload, ctx: Ctx): Promise<void> {
  const got = await wl.receive(ctx, REDRIVE, 10, wl.waitSeconds(ctx, REDRIVE));
  // Poison: given back twice, so that the next receive moves it to the DLQ (maxReceiveCount 2).
  const rel = got.filter((x) => !wl.draining && x.item.poison && x.dest.releases < 2);
  await wl.deleteAll(ctx, REDRIVE, got.filter((x) => !rel.includes(x)));
  await wl.releaseAll(ctx, REDRIVE, rel);
}

async function dlqTender(wl: Workload, ctx: Ctx): Promise<void> {
  const got = await wl.receive(ctx, REDRIVE_DLQ, 10, wl.waitSeconds(ctx, REDRIVE));
  const rel = got.filter(() => !wl.draining && ctx.rng() < 0.4);
  await wl.deleteAll(ctx, REDRIVE_DLQ, got.filter((x) => !rel.includes(x)));
  await wl.releaseAll(ctx, REDRIVE_DLQ, rel);
  if (wl.draining || ctx.n++ % 4 !== 0) return;
  // What was given back in the DLQ goes home to soak-redrive: a move task, when none is running.
  const tasks = await wl.call('sqs.ListMessageMoveTasks', () => ctx.c.sqs.send(new ListMessageMoveTasksCommand({ SourceArn: queueArn(REDRIVE_DLQ), MaxResults: 10 })));
  if (tasks && !(tasks.Results ?? []).some((t) => t.Status === 'RUNNING')) {
    // Now and then a slow task (1 message a second), cancelled at once; it may have moved all
    // there was in its first second already (COMPLETED: nothing to cancel).
    const slow = ctx.rng() < 0.3;
    const started = await wl.call('sqs.StartMessageMoveTask', () =>
      ctx.c.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: queueArn(REDRIVE_DLQ), MaxNumberOfMessagesPerSecond: slow ? 1 : undefined })),
    );
    if (slow && started) {
      try {
        await ctx.c.sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: started.TaskHandle }));
        wl.count('sqs.CancelMessageMoveTask');
      } catch (err) {
        const e = err as { name?: string; message?: string };
        if (e.name === 'UnsupportedOperation' && /COMPLETED/.test(e.message ?? '')) wl.count('sqs.CancelMessageMoveTask (already completed)');
        else await wl.call('sqs.CancelMessageMoveTask', () => Promise.reject(err));
      }
    }
  }
  const sources = await wl.call('sqs.ListDeadLetterSourceQueues', () => ctx.c.sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: wl.url(REDRIVE_DLQ) })));
  if (sources && !(sources.queueUrls ?? []).some((u) => u.endsWith(`/${REDRIVE}`)))
    wl.ledger.violate('control plane', `ListDeadLetterSourceQueues(${REDRIVE_DLQ}) lacks ${REDRIVE}: ${JSON.stringify(sources.queueUrls)}`);
}

/** JSON with object keys in order: attribute maps compare whatever order they came in. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x));
}

function expectSame(wl: Workload, what: string, got: unknown, want: unknown): void {
  if (canonical(got) !== canonical(want)) wl.ledger.violate('control plane', `${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}

async function sqsChurn(wl: Workload, ctx: Ctx): Promise<void> {
  const s = ctx.c.sqs;
  const name = `soak-tmp-c${wl.cycle}-w${ctx.w}-${ctx.n++}${ctx.rng() < 0.3 ? '.fifo' : ''}`;
  const fifo = name.endsWith('.fifo');
  const created = await wl.call('sqs.CreateQueue', () =>
    s.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '45', ...(fifo ? { FifoQueue: 'true' } : {}) }, tags: { team: 'soak' } })),
  );
  if (!created) return;
  const url = created.QueueUrl!;
  const got = await wl.call('sqs.GetQueueUrl', () => s.send(new GetQueueUrlCommand({ QueueName: name })));
  if (got) expectSame(wl, `GetQueueUrl(${name})`, got.QueueUrl, url);
  await wl.call('sqs.TagQueue', () => s.send(new TagQueueCommand({ QueueUrl: url, Tags: { run: String(ctx.n), gone: 'soon' } })));
  await wl.call('sqs.UntagQueue', () => s.send(new UntagQueueCommand({ QueueUrl: url, TagKeys: ['gone'] })));
  const tags = await wl.call('sqs.ListQueueTags', () => s.send(new ListQueueTagsCommand({ QueueUrl: url })));
  if (tags) expectSame(wl, `ListQueueTags(${name})`, tags.Tags, { team: 'soak', run: String(ctx.n) });
  await wl.call('sqs.SetQueueAttributes', () => s.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: '90', DelaySeconds: '2' } })));
  const attrs = await wl.call('sqs.GetQueueAttributes', () => s.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['VisibilityTimeout', 'DelaySeconds', 'ApproximateNumberOfMessages'] })));
  if (attrs) expectSame(wl, `GetQueueAttributes(${name})`, attrs.Attributes, { VisibilityTimeout: '90', DelaySeconds: '2', ApproximateNumberOfMessages: '0' });
  await wl.call('sqs.AddPermission', () => s.send(new AddPermissionCommand({ QueueUrl: url, Label: 'soak', AWSAccountIds: ['111122223333'], Actions: ['SendMessage'] })));
  await wl.call('sqs.RemovePermission', () => s.send(new RemovePermissionCommand({ QueueUrl: url, Label: 'soak' })));
  await wl.call('sqs.PurgeQueue', () => s.send(new PurgeQueueCommand({ QueueUrl: url })));
  const list = await wl.call('sqs.ListQueues', () => s.send(new ListQueuesCommand({ QueueNamePrefix: name })));
  if (list) expectSame(wl, `ListQueues(${name})`, list.QueueUrls, [url]);
  await wl.call('sqs.DeleteQueue', () => s.send(new DeleteQueueCommand({ QueueUrl: url })));
}

async function snsChurn(wl: Workload, ctx: Ctx): Promise<void> {
  const s = ctx.c.sns;
  const name = `soak-tmp-c${wl.cycle}-w${ctx.w}-${ctx.n++}`;
  const created = await wl.call('sns.CreateTopic', () => s.send(new CreateTopicCommand({ Name: name, Tags: [{ Key: 'team', Value: 'soak' }] })));
  if (!created) return;
  const arn = created.TopicArn!;
  await wl.call('sns.SetTopicAttributes', () => s.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'DisplayName', AttributeValue: 'Soak' })));
  const attrs = await wl.call('sns.GetTopicAttributes', () => s.send(new GetTopicAttributesCommand({ TopicArn: arn })));
  if (attrs) expectSame(wl, `GetTopicAttributes(${name}).DisplayName`, attrs.Attributes?.DisplayName, 'Soak');
  // Subscribed to a real queue with a filter nothing passes (and nothing is published here anyway).
  const sub = await wl.call('sns.Subscribe', () =>
    s.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: queueArn(STD_QUEUES[0]), Attributes: { FilterPolicy: '{"never":["x"]}' }, ReturnSubscriptionArn: true })),
  );
  if (sub) {
    await wl.call('sns.SetSubscriptionAttributes', () => s.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: sub.SubscriptionArn, AttributeName: 'RawMessageDelivery', AttributeValue: 'true' })));
    const sa = await wl.call('sns.GetSubscriptionAttributes', () => s.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: sub.SubscriptionArn })));
    if (sa) expectSame(wl, `GetSubscriptionAttributes(${name}).RawMessageDelivery`, sa.Attributes?.RawMessageDelivery, 'true');
    const subs = await wl.call('sns.ListSubscriptionsByTopic', () => s.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn })));
    if (subs) expectSame(wl, `ListSubscriptionsByTopic(${name})`, subs.Subscriptions?.map((x) => x.SubscriptionArn), [sub.SubscriptionArn]);
    await wl.call('sns.Unsubscribe', () => s.send(new UnsubscribeCommand({ SubscriptionArn: sub.SubscriptionArn })));
  }
  await wl.call('sns.TagResource', () => s.send(new SnsTag({ ResourceArn: arn, Tags: [{ Key: 'gone', Value: 'soon' }] })));
  await wl.call('sns.UntagResource', () => s.send(new SnsUntag({ ResourceArn: arn, TagKeys: ['gone'] })));
  const tags = await wl.call('sns.ListTagsForResource', () => s.send(new SnsListTags({ ResourceArn: arn })));
  if (tags) expectSame(wl, `ListTagsForResource(${name})`, tags.Tags, [{ Key: 'team', Value: 'soak' }]);
  await wl.call('sns.ListTopics', () => s.send(new ListTopicsCommand({})));
  await wl.call('sns.ListSubscriptions', () => s.send(new ListSubscriptionsCommand({})));
  await wl.call('sns.DeleteTopic', () => s.send(new DeleteTopicCommand({ TopicArn: arn })));
}

async function ebChurn(wl: Workload, ctx: Ctx): Promise<void> {
  const e = ctx.c.eb;
  const name = `soak-tmp-c${wl.cycle}-w${ctx.w}-${ctx.n++}`;
  const bus = await wl.call('events.CreateEventBus', () => e.send(new CreateEventBusCommand({ Name: name })));
  if (!bus) return;
  const pattern = JSON.stringify({ source: ['soak-never'], detail: { n: [{ numeric: ['>', 5] }] } });
  const rule = await wl.call('events.PutRule', () => e.send(new PutRuleCommand({ Name: name, EventBusName: name, EventPattern: pattern })));
  await wl.call('events.PutTargets', () => e.send(new PutTargetsCommand({ Rule: name, EventBusName: name, Targets: [{ Id: 't', Arn: queueArn(STD_QUEUES[1]) }] })));
  const targets = await wl.call('events.ListTargetsByRule', () => e.send(new ListTargetsByRuleCommand({ Rule: name, EventBusName: name })));
  if (targets) expectSame(wl, `ListTargetsByRule(${name})`, targets.Targets?.map((t) => t.Arn), [queueArn(STD_QUEUES[1])]);
  const described = await wl.call('events.DescribeRule', () => e.send(new DescribeRuleCommand({ Name: name, EventBusName: name })));
  if (described) expectSame(wl, `DescribeRule(${name}).EventPattern`, described.EventPattern, pattern);
  const test = await wl.call('events.TestEventPattern', () =>
    e.send(
      new TestEventPatternCommand({
        EventPattern: pattern,
        Event: JSON.stringify({ id: '1', 'detail-type': 'x', source: 'soak-never', account: '000000000000', time: '2020-01-01T00:00:00Z', region: REGION, resources: [], detail: { n: ctx.n % 10 } }),
      }),
    ),
  );
  if (test) expectSame(wl, 'TestEventPattern', test.Result, ctx.n % 10 > 5);
  if (rule) await wl.call('events.TagResource', () => e.send(new EbTag({ ResourceARN: rule.RuleArn, Tags: [{ Key: 'team', Value: 'soak' }, { Key: 'gone', Value: 'soon' }] })));
  if (rule) await wl.call('events.UntagResource', () => e.send(new EbUntag({ ResourceARN: rule.RuleArn, TagKeys: ['gone'] })));
  const byTarget = await wl.call('events.ListRuleNamesByTarget', () => e.send(new ListRuleNamesByTargetCommand({ TargetArn: queueArn(STD_QUEUES[1]), EventBusName: name })));
  if (byTarget) expectSame(wl, `ListRuleNamesByTarget(${name})`, byTarget.RuleNames, [name]);
  const archive = await wl.call('events.CreateArchive', () => e.send(new CreateArchiveCommand({ ArchiveName: name, EventSourceArn: bus.EventBusArn, RetentionDays: 1 })));
  if (archive) {
    const described = await wl.call('events.DescribeArchive', () => e.send(new DescribeArchiveCommand({ ArchiveName: name })));
    if (described) expectSame(wl, `DescribeArchive(${name}).EventSourceArn`, described.EventSourceArn, bus.EventBusArn);
    await wl.call('events.DeleteArchive', () => e.send(new DeleteArchiveCommand({ ArchiveName: name })));
  }
  if (rule) {
    const tags = await wl.call('events.ListTagsForResource', () => e.send(new EbListTags({ ResourceARN: rule.RuleArn })));
    if (tags) expectSame(wl, `ListTagsForResource(${name})`, tags.Tags, [{ Key: 'team', Value: 'soak' }]);
  }
  await wl.call('events.ListRules', () => e.send(new ListRulesCommand({ EventBusName: name })));
  await wl.call('events.RemoveTargets', () => e.send(new RemoveTargetsCommand({ Rule: name, EventBusName: name, Ids: ['t'] })));
  await wl.call('events.DeleteRule', () => e.send(new DeleteRuleCommand({ Name: name, EventBusName: name })));
  await wl.call('events.DeleteEventBus', () => e.send(new DeleteEventBusCommand({ Name: name })));
  // A rule on the default bus that matches nothing, switched off and on, then gone.
  await wl.call('events.PutRule', () => e.send(new PutRuleCommand({ Name: name, EventPattern: pattern })));
  await wl.call('events.DisableRule', () => e.send(new DisableRuleCommand({ Name: name })));
  await wl.call('events.EnableRule', () => e.send(new EnableRuleCommand({ Name: name })));
  await wl.call('events.DeleteRule', () => e.send(new DeleteRuleCommand({ Name: name })));
}

async function inspector(wl: Workload, ctx: Ctx): Promise<void> {
  const { sqs, sns, eb } = ctx.c;
  const queue = pick(ctx.rng, [...STD_DESTINATIONS, ...FIFO_DESTINATIONS, REDRIVE, REDRIVE_DLQ]);
  const attrs = await wl.call('sqs.GetQueueAttributes', () => sqs.send(new GetQueueAttributesCommand({ QueueUrl: wl.url(queue), AttributeNames: ['All'] })));
  if (attrs) expectSame(wl, `GetQueueAttributes(${queue}).QueueArn`, attrs.Attributes?.QueueArn, queueArn(queue));
  const list = await wl.call('sqs.ListQueues', () => sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'soak-std-' })));
  if (list) expectSame(wl, 'ListQueues(soak-std-)', list.QueueUrls?.length, STD_QUEUES.length);
  const subs = await wl.call('sns.ListSubscriptionsByTopic', () => sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn(TOPIC) })));
  if (subs) expectSame(wl, `ListSubscriptionsByTopic(${TOPIC}).length`, subs.Subscriptions?.length, 2);
  await wl.call('sns.ListTopics', () => sns.send(new ListTopicsCommand({})));
  const rules = await wl.call('events.ListRules', () => eb.send(new ListRulesCommand({ NamePrefix: 'soak-to-' })));
  if (rules) expectSame(wl, 'ListRules(soak-to-)', rules.Rules?.map((r) => r.Name).sort(), ['soak-to-bus', 'soak-to-fifo', 'soak-to-queue', 'soak-to-topic']);
  await wl.call('events.DescribeEventBus', () => eb.send(new DescribeEventBusCommand({ Name: BUS })));
  await wl.call('events.ListEventBuses', () => eb.send(new ListEventBusesCommand({ NamePrefix: 'soak-bus' })));
}

const OPS: Record<Role, (wl: Workload, ctx: Ctx) => Promise<void>> = {
  'std-producer': stdProducer,
  'std-consumer': stdConsumer,
  'fifo-producer': fifoProducer,
  'fifo-consumer': fifoConsumer,
  'sns-publisher': snsPublisher,
  'sns-fifo-publisher': snsFifoPublisher,
  'eb-putter': ebPutter,
  'eb-fifo-putter': ebFifoPutter,
  'redrive-producer': redriveProducer,
  'redrive-consumer': redriveConsumer,
  'dlq-tender': dlqTender,
  'sqs-churn': sqsChurn,
  'sns-churn': snsChurn,
  'eb-churn': ebChurn,
  inspector,
};

