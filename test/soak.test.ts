/**
 * Load and faults (issue 9, docs/reliability.md): 50 real SDK clients against one Switchyard in a
 * child process, every kind of operation on SQS, SNS and EventBridge, checked throughout by a
 * ledger of what the clients know (test/soak/). In `npm test`: 10 s of load and 3 kills;
 * `npm run soak` (test/soak.config.ts): 60 s and 20 kills, with a printed summary.
 *
 *   SOAK_SECONDS, SOAK_KILLS, SOAK_SEED override the sizes and the seed.
 */
import { afterAll, expect, it } from 'vitest';
import { runKills, runSoak, mb, type KillReport, type SoakReport } from './soak/soak.js';
import { removeSoakBuild } from './soak/server.js';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 10);
const KILLS = Number(process.env.SOAK_KILLS ?? 3);
const SEED = Number(process.env.SOAK_SEED ?? 9);
const LONG = SECONDS >= 30;
const log = (line: string): void => void process.stdout.write(`${line}\n`);

afterAll(removeSoakBuild);

/**
 * Heap growth allowed between the two drained points (both: queues empty, every time window run
 * out, a full trace, the same resources). What differs is noise: the trace's 5,000 records are
 * other records of other sizes (a few hundred bytes to a few KB each), and V8's own caches
 * (compiled code, inline caches, the string table). A leak of one small object per operation
 * (100 bytes) over the 10 s run's tens of thousands of operations would cross it.
 */
const HEAP_TOLERANCE = 4 * 1024 * 1024;

function printSoak(r: SoakReport): void {
  const total = Object.values(r.stats.ops).reduce((a, b) => a + b, 0);
  log(`\n== soak: ${r.seconds} s of load, 50 clients ==`);
  log(`operations: ${total} (${Object.entries(r.stats.ops).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ')})`);
  log(`messages: ${r.stats.sent} acknowledged in, ${r.receipts} received, ${r.stats.deleted} deleted; injected duplicates received ${r.injectedDuplicates}; SDK retries ${r.stats.retried}`);
  log(`errors: ${JSON.stringify(r.stats.errors)}`);
  log(`faults: ${r.faults.map((f) => `${f.kind}@${f.resource?.split(':').pop()} fired ${f.fired}/${f.asked}`).join(', ')}`);
  log(`quiet points: ${r.quietPoints.length}; trace records checked ${r.quietPoints.reduce((n, p) => n + p.trace.checked, 0)}`);
  log(`memory (after gc): heap ${mb(r.baseline.heapUsed)} -> ${mb(r.final.heapUsed)} (${mb(r.final.heapUsed - r.baseline.heapUsed)}; before the time windows ran out ${mb(r.beforeWindows.heapUsed)}), rss ${mb(r.baseline.rss)} -> ${mb(r.final.rss)}`);
  log(`invariants: ${r.violations.length === 0 ? 'all held' : `${JSON.stringify(r.violationCounts)}\n  ${r.violations.join('\n  ')}`}`);
}

function printKills(r: KillReport): void {
  const total = Object.values(r.stats.ops).reduce((a, b) => a + b, 0);
  log(`\n== kill -9 during the load: ${r.cycles.length} kills ==`);
  log(`operations: ${total}; messages ${r.stats.sent} acknowledged in, ${r.receipts} received (load and drains)`);
  log(`at the kills: ${r.cycles.reduce((n, c) => n + c.outstanding, 0)} acknowledged messages in the queues, ${r.cycles.reduce((n, c) => n + c.unknown, 0)} messages in calls left unanswered`);
  log(`after the restarts: ${r.cycles.reduce((n, c) => n + c.recovered, 0)} messages recovered, ${r.cycles.reduce((n, c) => n + c.redelivered, 0)} in flight at the kill received again, ${r.cycles.reduce((n, c) => n + c.unacknowledgedFound, 0)} unanswered sends and ${r.cycles.reduce((n, c) => n + c.deleteUnansweredFound, 0)} unanswered deletes found, ${r.cycles.reduce((n, c) => n + c.resumed, 0)} deliveries resumed making ${r.cycles.reduce((n, c) => n + c.replayed, 0)} second copies; restart ${Math.min(...r.cycles.map((c) => c.restartMs))}-${Math.max(...r.cycles.map((c) => c.restartMs))} ms`);
  log(`invariants: ${r.violations.length === 0 ? 'all held' : `${JSON.stringify(r.violationCounts)}\n  ${r.violations.join('\n  ')}`}`);
}

it(`soak: 50 clients for ${SECONDS} s lose nothing, duplicate and reorder nothing unasked, keep counters exact and memory flat`, async () => {
  const checkEverySeconds = LONG ? 10 : 4;
  const report = await runSoak({ seconds: SECONDS, warmupSeconds: LONG ? 10 : 2, checkEverySeconds, seed: SEED, log });
  printSoak(report);
  expect(report.violations).toEqual([]);
  expect(report.stats.errors).toEqual({});
  expect(report.internalErrors).toEqual([]);
  // The two drained points, and a quiet point every checkEverySeconds of load in between.
  expect(report.quietPoints.length).toBeGreaterThanOrEqual(2 + Math.ceil(SECONDS / checkEverySeconds) - 1);
  expect(report.baseline.gc && report.final.gc).toBe(true);
  expect(report.final.heapUsed - report.baseline.heapUsed).toBeLessThan(HEAP_TOLERANCE);
}, (SECONDS + 120) * 1000);

it(`kill -9 at ${KILLS} random moments of the load: after each restart every acknowledged message is there once, FIFO in order`, async () => {
  const report = await runKills({ kills: KILLS, seed: SEED, minLoadMs: 300, maxLoadMs: LONG ? 4000 : 1500, log });
  printKills(report);
  expect(report.violations).toEqual([]);
  expect(report.internalErrors).toEqual([]);
  expect(report.cycles.length).toBe(KILLS);
  // The kills landed under load: messages were in the queues, and in flight, when they did.
  expect(report.cycles.reduce((n, c) => n + c.outstanding, 0)).toBeGreaterThan(0);
}, (KILLS * 30 + 60) * 1000);
