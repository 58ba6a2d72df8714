/**
 * The two soak runs (docs/reliability.md):
 *
 * - `runSoak`: one in-memory Switchyard in a child process, 50 clients for `seconds`, with a
 *   quiet point every `checkEverySeconds` (counters, trace) and a drain point after the warm-up
 *   (the memory baseline) and at the end (every message accounted for, memory compared).
 * - `runKills`: a Switchyard with a data directory, killed with SIGKILL at a seeded random moment
 *   of the load, `kills` times; after each restart, everything acknowledged and not deleted must
 *   be there exactly once, FIFO groups in order, nothing deleted back.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ListTopicsCommand, PublishCommand } from '@aws-sdk/client-sns';
import { DeleteMessageBatchCommand, ListQueuesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { ListArchivesCommand, ListEventBusesCommand, ListRulesCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { seededRandom } from '../../src/faults/random.js';
import { Ledger } from './ledger.js';
import { SoakServer, type Memory } from './server.js';
import { addFaults, advanceClock, checkCounters, checkTrace, faultStates, queueCounts, totalOf, traceRecords, type FaultState, type TraceCheck } from './invariants.js';
import {
  ALL_QUEUES,
  BUS,
  EB_BUS_Q,
  SNS_A,
  SNS_B,
  TOPIC,
  busArn,
  EB_FIFO,
  EB_FIFO_GROUP,
  FAULTY,
  FIFO_QUEUES,
  FIFO_TOPIC,
  SNS_FIFO_ALL,
  createTopology,
  eventDestinations,
  fifoTopicDestinations,
  queueArn,
  queueUrl,
  topicArn,
  type SoakEventDetail,
} from './topology.js';
import { Workload, sdkClients, type Stats } from './workload.js';

/**
 * Records in the trace (a ring). The warm-up lasts until the soak's own records have filled it, so
 * that both memory points hold a trace full of the same kind of records.
 */
export const TRACE_CAPACITY = 2000;
/** Past every time window Switchyard keeps (FIFO deduplication and receive attempts: 5 minutes; a deleted queue's name: 60 s). */
const WINDOWS_MS = 10 * 60_000;

export interface SoakOptions {
  seconds: number;
  warmupSeconds: number;
  checkEverySeconds: number;
  seed: number;
  outstandingCap?: number;
  log?: (line: string) => void;
}

export interface QuietPoint {
  at: number;
  outstanding: number;
  held: number;
  trace: TraceCheck;
  memory: Memory;
}

export interface SoakReport {
  seconds: number;
  stats: Stats;
  receipts: number;
  injectedDuplicates: number;
  faults: FaultState[];
  quietPoints: QuietPoint[];
  baseline: Memory;
  final: Memory;
  /** Right after the load, before the time windows ran out (not asserted; shown for scale). */
  beforeWindows: Memory;
  violations: string[];
  violationCounts: Record<string, number>;
  internalErrors: string[];
  leftovers: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runSoak(o: SoakOptions): Promise<SoakReport> {
  const log = o.log ?? (() => {});
  const server = await SoakServer.start({ traceCapacity: TRACE_CAPACITY, faults: { seed: o.seed } });
  const ledger = new Ledger();
  const admin = sdkClients(server.endpoint, 3);
  try {
    await createTopology(admin, server.endpoint, true);
    // At-least-once on purpose, where the invariants allow it: duplicates and reordering on
    // soak-faulty; and duplicates asked of FIFO queues and FIFO deliveries, which must refuse them.
    await addFaults(server.endpoint, [
      { kind: 'duplicate', resource: queueArn(FAULTY), probability: 0.05 },
      { kind: 'reorder', resource: queueArn(FAULTY), probability: 0.3 },
      { kind: 'duplicate', resource: queueArn(FIFO_QUEUES[0]), probability: 0.5 },
      { kind: 'duplicate', resource: queueArn(SNS_FIFO_ALL), probability: 0.5 },
      { kind: 'duplicate', resource: queueArn(EB_FIFO), probability: 0.5 },
    ]);

    const workload = new Workload({ endpoint: server.endpoint, ledger, cycle: 0, seed: o.seed, faultyQueue: true, maxAttempts: 3, outstandingCap: o.outstandingCap ?? 2000 });
    const quietPoints: QuietPoint[] = [];
    const started = Date.now();
    /** Time the clients spent stopped at quiet points: not load. */
    let quietMs = 0;
    const quiet = async (drain: boolean): Promise<{ point: QuietPoint; beforeWindows?: Memory }> => {
      const quietStarted = Date.now();
      let beforeWindows: Memory | undefined;
      if (drain) {
        await drainAll(workload, ledger, admin, server.endpoint);
        beforeWindows = await server.memory();
        // Let every time window run out, then touch each FIFO queue and topic, where expired
        // entries are swept on the next use (so both memory points hold the same state).
        await advanceClock(server.endpoint, WINDOWS_MS);
        await touchFifo(admin, server.endpoint, ledger);
        await drainAll(workload, ledger, admin, server.endpoint);
      } else await workload.pause();
      await checkCounters(admin.sqs, server.endpoint, ledger, true);
      const trace = await checkTrace(server.endpoint, ledger, TRACE_CAPACITY, 0);
      const memory = await server.memory();
      const point: QuietPoint = { at: Math.round((Date.now() - started) / 1000), outstanding: ledger.totalOutstanding(), held: [...ALL_QUEUES].reduce((n, q) => n + ledger.held(q), 0), trace, memory };
      quietPoints.push(point);
      log(`soak ${point.at}s: ${drain ? 'drained' : 'quiet'}; outstanding ${point.outstanding}, held ${point.held}; trace ${trace.size} records, ${trace.checked} checked; heap ${mb(memory.heapUsed)}, rss ${mb(memory.rss)}; violations ${ledger.violations.length}`);
      workload.draining = false;
      workload.resume();
      quietMs += Date.now() - quietStarted;
      return { point, beforeWindows };
    };

    workload.start();
    await sleep(o.warmupSeconds * 1000);
    while (ledger.recordsMade < TRACE_CAPACITY) await sleep(100);
    const baseline = (await quiet(true)).point.memory;
    // `seconds` of load, the quiet points not counted.
    const loadStarted = Date.now();
    quietMs = 0;
    const loaded = (): number => Date.now() - loadStarted - quietMs;
    for (;;) {
      const left = o.seconds * 1000 - loaded();
      if (left <= 0) break;
      await sleep(Math.min(left, o.checkEverySeconds * 1000));
      if (loaded() < o.seconds * 1000) await quiet(false);
    }
    const end = await quiet(true);
    await workload.stop();

    // Injected duplicates: each fired fault gives its message copies - 1 extra receipts.
    const faults = await faultStates(server.endpoint);
    const dup = faults.find((f) => f.kind === 'duplicate' && f.resource === queueArn(FAULTY))!;
    if (ledger.injectedDuplicates !== dup.fired * ((dup.copies ?? 2) - 1))
      ledger.violate('faults', `soak-faulty: ${ledger.injectedDuplicates} duplicates received; the fault fired ${dup.fired} times`);
    const leftovers = await throwawaysLeft(admin);
    for (const l of leftovers) ledger.violate('leftover', `${l} still exists after its churn iteration deleted it`);
    for (const e of server.internalErrors) ledger.violate('internal error', e.slice(0, 500));
    return {
      seconds: o.seconds,
      stats: workload.stats,
      receipts: ledger.receipts,
      injectedDuplicates: ledger.injectedDuplicates,
      faults,
      quietPoints,
      baseline,
      final: end.point.memory,
      beforeWindows: end.beforeWindows!,
      violations: ledger.violations,
      violationCounts: ledger.violationCounts,
      internalErrors: server.internalErrors,
      leftovers,
    };
  } finally {
    admin.sqs.destroy();
    admin.sns.destroy();
    admin.eb.destroy();
    await server.stop();
  }
}

/** Producers stop, consumers take everything out; then everyone stops. */
async function drainAll(workload: Workload, ledger: Ledger, admin: ReturnType<typeof sdkClients>, endpoint: string, deadlineMs = 60_000): Promise<void> {
  workload.draining = true;
  await workload.pause(['producer']);
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    if (ledger.totalOutstanding() === 0 && totalOf(await queueCounts(admin.sqs, endpoint, true)) === 0) break;
    if (Date.now() > deadline) {
      ledger.violate('not drained', `after ${deadlineMs / 1000} s of draining: ${ledger.totalOutstanding()} acknowledged messages not deleted, e.g. ${ledger.pending(5).join('; ')}; queues ${JSON.stringify([...(await queueCounts(admin.sqs, endpoint, true))])}`);
      break;
    }
    await sleep(100);
  }
  await workload.pause();
}

/** One message into each FIFO queue, the FIFO topic and the EventBridge FIFO target (accounted for like any other). */
async function touchFifo(c: ReturnType<typeof sdkClients>, endpoint: string, ledger: Ledger): Promise<void> {
  const attr = (v: string) => ({ DataType: 'String', StringValue: v });
  for (const q of FIFO_QUEUES) {
    const token = `SKT.c0.w900.n${touches++}`;
    const item = ledger.plan(token, { kind: 'send', queue: q }, [q], { fifo: { group: 'sweep', seq: 0 } });
    await c.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl(endpoint, q), MessageBody: JSON.stringify({ sk: token }), MessageGroupId: 'sweep', MessageDeduplicationId: token, MessageAttributes: { 'idempotency-key': attr(token) } }));
    ledger.acked(item);
  }
  // Odd: it reaches both FIFO subscriptions.
  const pub = `SKT.c0.w900.n${touches++}`;
  const published = ledger.plan(pub, { kind: 'publish', topic: 'fifo' }, fifoTopicDestinations(1), { fifo: { group: 'sweep', seq: 1 } });
  await c.sns.send(new PublishCommand({ TopicArn: topicArn(FIFO_TOPIC), Message: JSON.stringify({ sk: pub }), MessageGroupId: 'sweep', MessageDeduplicationId: pub, MessageAttributes: { parity: attr('odd'), 'idempotency-key': attr(pub) } }));
  ledger.acked(published);
  const ev = `SKT.c0.w900.n${touches++}`;
  const detail: SoakEventDetail = { sk: ev, targets: ['fifo'], route: 'none', n: -1, metadata: { 'idempotency-key': ev } };
  const event = ledger.plan(ev, { kind: 'event', targets: ['fifo'], route: 'none', n: -1 }, eventDestinations(detail), { fifo: { group: EB_FIFO_GROUP, seq: 0 } });
  const out = await c.eb.send(new PutEventsCommand({ Entries: [{ Source: 'soak', DetailType: 'tick', Detail: JSON.stringify(detail) }] }));
  if (out.FailedEntryCount) ledger.violate('batch entry failed', `PutEvents ${ev}: ${JSON.stringify(out.Entries)}`);
  else ledger.acked(event);
}
let touches = 0;

/** Throwaway resources (soak-tmp-*) still there: each churn iteration deletes what it made. */
async function throwawaysLeft(c: ReturnType<typeof sdkClients>): Promise<string[]> {
  const out: string[] = [];
  const queues = await c.sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'soak-tmp' }));
  out.push(...(queues.QueueUrls ?? []));
  const topics = await c.sns.send(new ListTopicsCommand({}));
  out.push(...(topics.Topics ?? []).map((t) => t.TopicArn!).filter((a) => a.includes(':soak-tmp')));
  const rules = await c.eb.send(new ListRulesCommand({ NamePrefix: 'soak-tmp' }));
  out.push(...(rules.Rules ?? []).map((r) => r.Arn!));
  const buses = await c.eb.send(new ListEventBusesCommand({ NamePrefix: 'soak-tmp' }));
  out.push(...(buses.EventBuses ?? []).map((b) => b.Arn!));
  const archives = await c.eb.send(new ListArchivesCommand({ NamePrefix: 'soak-tmp' }));
  out.push(...(archives.Archives ?? []).map((a) => `archive ${a.ArchiveName}`));
  return out;
}

export function mb(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MB`;
}

// ---------------------------------------------------------------------------------------------
// kill -9 during the load

export interface KillOptions {
  kills: number;
  seed: number;
  /** The load before each kill lasts between these (ms), drawn from the seed. */
  minLoadMs: number;
  maxLoadMs: number;
  log?: (line: string) => void;
}

export interface KillCycle {
  loadMs: number;
  /** Messages acknowledged before the kill, and in the queues (not deleted) at the kill. */
  acked: number;
  outstanding: number;
  /** Calls whose answer the kill cut off (their outcome unknown). */
  unknown: number;
  recovered: number;
  redelivered: number;
  unacknowledgedFound: number;
  /** Deliveries the restarted server took over (under way at the kill), and the second copies they made. */
  resumed: number;
  replayed: number;
  /** Messages whose DeleteMessage was unanswered at the kill, found again (it had not happened). */
  deleteUnansweredFound: number;
  restartMs: number;
  warnings: string[];
}

export interface KillReport {
  cycles: KillCycle[];
  stats: Stats;
  receipts: number;
  violations: string[];
  violationCounts: Record<string, number>;
  internalErrors: string[];
}

export async function runKills(o: KillOptions): Promise<KillReport> {
  const log = o.log ?? (() => {});
  const rng = seededRandom(o.seed);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-soak-kill-'));
  const stats: Stats = { ops: {}, errors: {}, retried: 0, sent: 0, deleted: 0 };
  const cycles: KillCycle[] = [];
  const violations: string[] = [];
  const violationCounts: Record<string, number> = {};
  const internalErrors: string[] = [];
  let receipts = 0;
  let server = await SoakServer.start({ dataDir: dir });
  try {
    {
      const admin = sdkClients(server.endpoint, 3);
      await createTopology(admin, server.endpoint, false);
      admin.sqs.destroy();
      admin.sns.destroy();
      admin.eb.destroy();
    }
    // Each process's clock is moved past the last one's deadlines (visibility, delays) at start.
    let advanced = 0;
    for (let cycle = 0; cycle < o.kills; cycle++) {
      const ledger = new Ledger(new Set());
      const workload = new Workload({ endpoint: server.endpoint, ledger, cycle, seed: o.seed + cycle, faultyQueue: false, maxAttempts: 1, outstandingCap: 2000, stats });
      const loadMs = Math.round(o.minLoadMs + rng() * (o.maxLoadMs - o.minLoadMs));
      workload.start();
      await sleep(loadMs);
      workload.dead = true;
      await server.kill();
      await workload.stop();
      for (const e of server.internalErrors) internalErrors.push(e);
      let unknown = 0;
      let acked = 0;
      for (const item of ledger.items.values()) {
        if (item.status === 'attempted') ledger.unknown(item);
        if (item.status === 'unknown') unknown++;
        if (item.status === 'acked') acked++;
      }
      const outstanding = ledger.totalOutstanding();

      const restartAt = Date.now();
      server = await SoakServer.start({ dataDir: dir });
      const restartMs = Date.now() - restartAt;
      for (const w of server.warnings) if (!/is incomplete, cut off when the process stopped/.test(w)) ledger.violate('recovery warning', w);
      advanced += 3_600_000;
      await advanceClock(server.endpoint, advanced);
      ledger.beginRecovery();
      const resumed = await resumedDeliveries(server.endpoint, ledger);
      await drainAfterRestart(server.endpoint, ledger);
      ledger.finishRecovery();
      // Counters equal to reality after the restart: the drain received exactly what start-up
      // recovered plus what the resumed deliveries put in queues since (the new trace's deliveries).
      const created = (await traceRecords(server.endpoint)).records.reduce((n, r) => n + r.deliveries.filter((d) => d.targetArn.startsWith('arn:aws:sqs:')).length, 0);
      if (ledger.drainedTotal !== server.recovered + created)
        ledger.violate('counter after restart', `the drain received ${ledger.drainedTotal} messages; start-up recovered ${server.recovered} and resumed deliveries made ${created}`);
      const c: KillCycle = { loadMs, acked, outstanding, unknown, recovered: server.recovered, redelivered: ledger.redeliveredAfterKill, unacknowledgedFound: ledger.unacknowledgedFound, resumed, replayed: ledger.replayedAfterKill, deleteUnansweredFound: ledger.deleteUnansweredFound, restartMs, warnings: server.warnings };
      cycles.push(c);
      receipts += ledger.receipts;
      for (const [k, n] of Object.entries(ledger.violationCounts)) violationCounts[k] = (violationCounts[k] ?? 0) + n;
      for (const v of ledger.violations) if (violations.length < 50) violations.push(`cycle ${cycle}: ${v}`);
      log(
        `kill ${cycle + 1}/${o.kills} after ${loadMs} ms: ${acked} acknowledged, ${outstanding} in the queues, ${unknown} in unanswered calls; restart ${restartMs} ms recovered ${c.recovered} messages, ${c.redelivered} received again (in flight at the kill), ${c.unacknowledgedFound} unanswered sends and ${c.deleteUnansweredFound} unanswered deletes found, ${resumed} deliveries resumed (${c.replayed} second copies); violations ${ledger.violations.length}`,
      );
    }
    for (const e of server.internalErrors) internalErrors.push(e);
    return { cycles, stats, receipts, violations, violationCounts, internalErrors };
  } finally {
    await server.stop();
    if (process.env.SOAK_KEEP_DIR) log(`data directory kept: ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Deliveries the restarted server took over from its journal (EventBridge targets whose delivery
 * outlived its first turn and had not been recorded as ended: here, a topic whose subscription
 * signs its envelopes). Each is made again (docs: at-least-once), so each may add one copy of the
 * event to the queues behind its target. They are the event records in the new process's trace
 * before any new load.
 */
async function resumedDeliveries(endpoint: string, ledger: Ledger, deadlineMs = 30_000): Promise<number> {
  // Once they have all ended: a copy made after the drain would land in the next cycle.
  const deadline = Date.now() + deadlineMs;
  let { records } = await traceRecords(endpoint);
  while (records.some((r) => r.deliveries.some((d) => d.state === 'pending' || d.state === 'retrying'))) {
    if (Date.now() > deadline) {
      ledger.violate('resumed delivery', `deliveries resumed after the restart still under way after ${deadlineMs / 1000} s`);
      break;
    }
    await sleep(50);
    ({ records } = await traceRecords(endpoint));
  }
  let n = 0;
  for (const r of records) {
    if (r.kind !== 'event' || !r.idempotencyKey) continue;
    for (const d of r.deliveries) {
      n++;
      const queues = d.targetArn === topicArn(TOPIC) ? [SNS_A, SNS_B] : d.targetArn === busArn(BUS) ? [EB_BUS_Q] : [d.targetArn.split(':').pop()!];
      ledger.resumed(r.idempotencyKey, queues);
    }
  }
  return n;
}

/**
 * Everything out of every queue after a restart, each message received once and deleted at once.
 * Ends when every queue's counters read zero and the ledger misses nothing, or at the deadline.
 */
async function drainAfterRestart(endpoint: string, ledger: Ledger, deadlineMs = 60_000): Promise<void> {
  const c = sdkClients(endpoint, 3);
  const deadline = Date.now() + deadlineMs;
  try {
    let done = false;
    const drainQueue = async (q: string): Promise<void> => {
      while (!done) {
        const out = await c.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl(endpoint, q), MaxNumberOfMessages: 10, VisibilityTimeout: 600, WaitTimeSeconds: 1 }));
        const messages = out.Messages ?? [];
        if (messages.length === 0) continue;
        for (const m of messages) ledger.drained(q, m.Body ?? '', m.MessageId);
        const del = await c.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl(endpoint, q), Entries: messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle })) }));
        for (const f of del.Failed ?? []) ledger.violate('delete failed', `after the restart, ${q}: ${f.Code} ${f.Message}`);
      }
    };
    const loops = ALL_QUEUES.filter((q) => q !== FAULTY).map(drainQueue);
    for (;;) {
      const counts = await queueCounts(c.sqs, endpoint, false);
      if (totalOf(counts) === 0 && ledger.missingAfterRecovery(1).length === 0) break;
      if (Date.now() > deadline) {
        ledger.violate('not drained', `after the restart: queues ${JSON.stringify([...counts])}; missing ${ledger.missingAfterRecovery(5).join('; ')}`);
        break;
      }
      await sleep(100);
    }
    done = true;
    await Promise.all(loops);
  } finally {
    c.sqs.destroy();
    c.sns.destroy();
    c.eb.destroy();
  }
}
