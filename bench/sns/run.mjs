#!/usr/bin/env node
// SNS Publish against the number of SQS subscriptions: publish rate, Publish latency and the time
// until every delivery is visible, on a topic with 1, 10 and 100 raw SQS subscriptions of which
// half (floor(N/2)) carry a filter policy that the messages do not pass, on Switchyard, goaws and
// fauxqs (when installed: bash bench/peers/install.sh goaws fauxqs) and a do-nothing Publish
// server (null-server.mjs, the HTTP ceiling), all in the same run. Every phase is checked: each
// subscribed queue must hold exactly one message per accepted Publish (the filtered ones none).
//
//   npm run build && npm run bench:sns
//   node bench/sns/run.mjs --quick                        # 3 s runs, 1 round, fewer samples
//   node bench/sns/run.mjs --targets=switchyard --subs=1,100 --rounds=5
//
// Options (flag or env):
//   --duration=S           BENCH_DURATION            seconds per measured throughput run, about (6)
//   --warmup=S             BENCH_WARMUP              unmeasured load before each throughput run (1)
//   --rounds=N             BENCH_ROUNDS              rounds; each builds fresh topics; median kept (3)
//   --connections=N        BENCH_CONNECTIONS         autocannon connections (8)
//   --subs=a,b,c           BENCH_SUBS                subscription counts (1,10,100)
//   --targets=a,b          BENCH_TARGETS             null,switchyard,goaws,fauxqs (all)
//   --latency-publishes=N  BENCH_LATENCY_PUBLISHES   sequential publishes per round, timed (2000)
//   --latency-warmup=N     BENCH_LATENCY_WARMUP      sequential publishes before those, untimed (200)
//   --paced-publishes=N    BENCH_PACED_PUBLISHES     publishes timed one at a time with --paced-gap ms
//                                                    of quiet before each, per round (300)
//   --paced-gap=MS         BENCH_PACED_GAP           (3)
//   --visibility-samples=N BENCH_VISIBILITY_SAMPLES  single publishes timed to visibility, in all,
//                                                    split over the rounds (60)
//   --visibility-timeout=MS BENCH_VISIBILITY_TIMEOUT give up on one sample after (5000)
//   --poll-connections=N   BENCH_POLL_CONNECTIONS    raw sockets that poll queue depths (8)
//   --max-deliveries=N     BENCH_MAX_DELIVERIES      at most this many deliveries per throughput run
//                                                    (caps the publish count; 2000000)
//   --setup-concurrency=N  BENCH_SETUP_CONCURRENCY   concurrent SDK calls building a topic (8)
//   --server-warmup=S      BENCH_SERVER_WARMUP       unmeasured load on each server after its start, on
//                                                    a throwaway topic of 10 subscriptions (3)
//   --no-pin               BENCH_PIN=0               don't pin servers to the last CPU / harness to CPU 0
//   --hard-limit=S         BENCH_HARD_LIMIT          the whole run stops itself after this (1800)
//   --out=FILE             BENCH_OUT                 results JSON (bench/results/sns-latest.json)
//   --require-target                                 exit 2 when Switchyard's sequential Publish p50
//                                                    with the most subscriptions is > 2x that with 1
//   --quick                                          duration 3, warmup 0.5, 1 round, 500 sequential
//                                                    publishes, 20 visibility samples, server warmup 1
// Env only: SWITCHYARD_DIST (build dir, default dist); SWITCHYARD_NODE_ARGS (node flags for the
// Switchyard child, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
//
// Setup (AWS SDK, not timed): per round, per target and per N, a fresh topic, N fresh queues and N
// subscriptions (Protocol sqs, RawMessageDelivery=true). Subscription i has FilterPolicy
// {"kind":["refund"]} when i is odd and {"kind":["order"]} otherwise; every message published
// carries the String attribute kind=order and a 200-byte body, so a Publish is owed
// N - floor(N/2) deliveries (1 for N=1). Fresh queues each round because SQS (and Switchyard)
// allows one PurgeQueue per queue per minute and no re-creation of a name within a minute; the
// round's topic and queues are deleted after it. One Publish through the SDK first checks which
// queues receive it (a peer that ignores filter policies is reported, and counted as it
// delivers; for Switchyard any difference fails the run), and at the end one message is received
// (SDK) to check the body and the kind attribute.
//
// Measured, in this order on each topic (all Publish requests are the query protocol's
// Action=Publish&Version=2010-03-31 form POST with a fake SigV4 header scoped to sns, the same
// bytes every time; the SDK is never on a timed path):
// 1. Visibility: a single Publish is sent on its own raw socket and, without waiting for its
//    answer, every queue owed a delivery is polled with GetQueueAttributes
//    (ApproximateNumberOfMessages; no long polling) over --poll-connections raw keep-alive
//    sockets, sweep after sweep, each queue until it shows one more message than before. Reported:
//    time from sending the Publish until the last of those queues showed it, median and p99 over
//    the samples of all rounds. Its resolution is one sweep: the time to poll every owed queue
//    once with nothing to find ("sweep floor", measured before the samples) is reported beside it.
// 2. Publish latency: --latency-publishes Publishes one after the other on one raw keep-alive
//    socket (no other load), each timed from write to complete answer; p50/p99 per round, the
//    median over rounds kept. This is the figure of the target "Publish latency with 100
//    subscriptions within 2x of the latency with 1": ratio = p50(most subs) / p50(1 sub).
//    Back to back, a Publish also waits for whatever the server still does for the previous one
//    (Switchyard answers first and fans out right after, in the same turn of its event loop), so
//    --paced-publishes more are sent each after --paced-gap ms of quiet: "paced" p50/p99, the
//    answer time of a Publish that finds the server idle.
// 3. Publish rate: autocannon, --connections connections; an unmeasured run of --warmup seconds
//    estimates the rate (over its second half), then the measured run sends a fixed number of
//    requests (rate x --duration, capped at --max-deliveries / deliveries per publish) with
//    autocannon's `amount`, so that every request sent is answered and counted. Publishes/s = 2xx
//    answers / (last answer - start); p50/p99 from each answer's own time (autocannon's
//    'response' event, sub-millisecond). Server CPU per publish from /proc/PID/stat over the same
//    window; "NOISY" marks runs during which other processes on the machine used more than 0.2 of
//    a core. Afterwards every queue is counted until the counts stop moving: each owed queue must
//    have grown by exactly the 2xx answers, each filtered one by nothing.
// Counts are also checked after phases 1 and 2 (every Publish of the topic accounted for).
import { closeSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { REPO, BENCH } from '../sqs/lib/targets.mjs';
import { cpuSeconds, cpuWindow, hasTaskset, memory, pinSelf, sleep } from '../sqs/lib/proc.mjs';
import { RawConn } from '../sqs/lib/wire.mjs';
import { TARGETS, killAll } from './lib/servers.mjs';
import {
  FILTERED_POLICY,
  MESSAGE,
  MESSAGE_ATTRIBUTE,
  MESSAGE_BYTES,
  PASSING_POLICY,
  clientsFor,
  countAll,
  countOne,
  createSet,
  deleteSet,
  expectedPerPublish,
  publishAnswerOk,
  publishRequest,
  receiveOne,
  requestBytes,
  sdkPublish,
} from './lib/topics.mjs';

// ------------------------------------------------------------------ config

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const argv = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const m = a.match(/^--([^=]+)(?:=(.*))?$/);
    if (!m) throw new Error(`unknown argument ${a}`);
    return [m[1], m[2] ?? 'true'];
  }),
);
if (argv.help) {
  const lines = readFileSync(new URL(import.meta.url), 'utf8').split('\n').slice(1);
  console.log(lines.slice(0, lines.findIndex((l) => !l.startsWith('//'))).map((l) => l.slice(3)).join('\n'));
  process.exit(0);
}
const opt = (flag, env, dflt) => argv[flag] ?? process.env[env] ?? dflt;
const num = (flag, env, dflt) => Number(opt(flag, env, dflt));
const list = (flag, env, dflt) => String(opt(flag, env, dflt)).split(',').map((s) => s.trim()).filter(Boolean);
const quick = argv.quick === 'true';
const cfg = {
  duration: num('duration', 'BENCH_DURATION', quick ? 3 : 6),
  warmup: num('warmup', 'BENCH_WARMUP', quick ? 0.5 : 1),
  rounds: num('rounds', 'BENCH_ROUNDS', quick ? 1 : 3),
  connections: num('connections', 'BENCH_CONNECTIONS', 8),
  subs: list('subs', 'BENCH_SUBS', '1,10,100').map(Number),
  targets: list('targets', 'BENCH_TARGETS', Object.keys(TARGETS).join(',')),
  latencyPublishes: num('latency-publishes', 'BENCH_LATENCY_PUBLISHES', quick ? 500 : 2000),
  latencyWarmup: num('latency-warmup', 'BENCH_LATENCY_WARMUP', 200),
  pacedPublishes: num('paced-publishes', 'BENCH_PACED_PUBLISHES', quick ? 100 : 300),
  pacedGapMs: num('paced-gap', 'BENCH_PACED_GAP', 3),
  visibilitySamples: num('visibility-samples', 'BENCH_VISIBILITY_SAMPLES', quick ? 20 : 60),
  visibilityTimeoutMs: num('visibility-timeout', 'BENCH_VISIBILITY_TIMEOUT', 5000),
  pollConnections: num('poll-connections', 'BENCH_POLL_CONNECTIONS', 8),
  maxDeliveries: num('max-deliveries', 'BENCH_MAX_DELIVERIES', 2_000_000),
  setupConcurrency: num('setup-concurrency', 'BENCH_SETUP_CONCURRENCY', 8),
  serverWarmup: num('server-warmup', 'BENCH_SERVER_WARMUP', quick ? 1 : 3),
  pin: !(argv['no-pin'] === 'true' || process.env.BENCH_PIN === '0'),
  out: path.resolve(opt('out', 'BENCH_OUT', path.join(BENCH, 'results', 'sns-latest.json'))),
  requireTarget: argv['require-target'] === 'true',
};
for (const n of cfg.subs) if (!Number.isInteger(n) || n < 1) throw new Error(`--subs: ${n} is not a positive integer`);
for (const t of cfg.targets) if (!TARGETS[t]) throw new Error(`unknown target ${t}; known: ${Object.keys(TARGETS).join(', ')}`);
cfg.subs.sort((a, b) => a - b);
const nodeArgs = (process.env.SWITCHYARD_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);

// -------------------------------------------------------------- lifecycle

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    console.error(`\n${sig}: stopping servers`);
    killAll('SIGKILL');
    process.exit(130);
  });
}
process.on('exit', () => killAll('SIGKILL'));
const HARD_LIMIT_MS = num('hard-limit', 'BENCH_HARD_LIMIT', 30 * 60) * 1000;
setTimeout(() => {
  console.error(`\nharness exceeded its hard limit of ${HARD_LIMIT_MS / 1000}s; stopping`);
  killAll('SIGKILL');
  process.exit(3);
}, HARD_LIMIT_MS).unref();

const canPin = cfg.pin && os.cpus().length >= 2 && hasTaskset();
const SERVER_CPU = canPin ? os.cpus().length - 1 : null;
if (canPin) pinSelf(0);

const log = (...a) => console.log(...a);
const out = (s) => process.stdout.write(s);
const t0All = Date.now();
let commit = null;
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
} catch {
  /* no commits yet */
}
const r2 = (x, d = 2) => (x == null || Number.isNaN(x) ? null : Math.round(x * 10 ** d) / 10 ** d);
const fmt = (n) => (n == null ? '-' : Math.round(n).toLocaleString('en-US'));
const ms = (x) => (x == null ? '-' : x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : Math.round(x).toLocaleString('en-US'));
const pct = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : null);
const median = (xs) => {
  const s = xs.filter((x) => x != null).sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : null;
};
const stats = (values) => {
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, p50: r2(pct(s, 50), 3), p90: r2(pct(s, 90), 3), p99: r2(pct(s, 99), 3), max: r2(s.at(-1), 3), mean: r2(s.reduce((a, b) => a + b, 0) / (s.length || 1), 3) };
};

class CheckFailed extends Error {}

// ------------------------------------------------------------------ counting

/**
 * Count `queues` until the counts equal `expected` (array) and stay there for two more reads, or
 * (expected = null) until they stop moving. Returns { counts, ok, ms }.
 */
async function settle(c, queues, expected, timeoutMs = 30_000) {
  const t0 = performance.now();
  const deadline = t0 + timeoutMs;
  let last = null;
  let stable = 0;
  for (;;) {
    const counts = await countAll(c, queues);
    stable = last && counts.every((x, i) => x === last[i]) ? stable + 1 : 0;
    last = counts;
    const equal = expected && counts.every((x, i) => x === expected[i]);
    if (equal && stable >= 2) return { counts, ok: true, ms: r2(performance.now() - t0, 1) };
    if (!expected && stable >= 2) return { counts, ok: true, ms: r2(performance.now() - t0, 1) };
    if (expected && !equal && stable >= 4) break; // settled elsewhere
    if (performance.now() > deadline) break;
    await sleep(equal ? 50 : 20);
  }
  return { counts: last, ok: false, ms: r2(performance.now() - t0, 1) };
}

/** What differs between counts and expected, per queue, in words (first few). */
function countDiff(set, counts, expected) {
  const wrong = [];
  for (const q of set.queues) if (counts[q.i] !== expected[q.i]) wrong.push(`${q.filtered ? 'filtered ' : ''}q${q.i}: ${counts[q.i]} (expected ${expected[q.i]})`);
  return wrong;
}

// ------------------------------------------------------------------ phases

/** 1. Single publishes timed until every owed queue shows them. */
async function visibility(t, set, st, samples) {
  const owed = set.queues.filter((q) => st.receives[q.i]);
  // the measurement's resolution: one sweep over the owed queues with nothing to find
  const floors = [];
  for (let k = 0; k < 7; k++) {
    const a = performance.now();
    await countAll(t.c, owed);
    floors.push(performance.now() - a);
  }
  const rows = [];
  for (let s = 0; s < samples; s++) {
    const pending = new Map(owed.map((q) => [q.i, st.counts[q.i] + 1]));
    let answer = null;
    let lastSeen = 0;
    let sweeps = 0;
    const t0 = performance.now();
    const pub = t.pubConn.request(t.publishBytes, 10_000).then((r) => (answer = { ...r, at: performance.now() }));
    const deadline = t0 + cfg.visibilityTimeoutMs;
    while (pending.size && performance.now() < deadline) {
      sweeps++;
      await Promise.all(
        [...pending].map(([i, want]) =>
          t.c.conns.run(async (conn) => {
            const n = await countOne(t.c, conn, set.queues[i]);
            if (n >= want && pending.delete(i)) lastSeen = Math.max(lastSeen, performance.now());
          }),
        ),
      );
    }
    await pub;
    if (answer.status !== 200 || !publishAnswerOk(answer.body)) throw new CheckFailed(`${t.name} visibility: Publish answered ${answer.status} ${answer.body.slice(0, 200)}`);
    st.accepted++;
    for (const q of owed) st.counts[q.i]++;
    if (pending.size) {
      rows.push({ publishMs: answer.at - t0, visibleMs: null, sweeps, missing: pending.size });
      continue;
    }
    rows.push({ publishMs: answer.at - t0, visibleMs: lastSeen - t0, sweeps });
  }
  return { samples: rows, sweepFloorMs: r2(median(floors), 3), owedQueues: owed.length };
}

/** 2b. Publishes each after `gapMs` of quiet: the answer time of a Publish to an idle server. */
async function paced(t, n, gapMs) {
  const lat = new Array(n);
  for (let i = 0; i < n; i++) {
    await sleep(gapMs);
    const a = performance.now();
    const r = await t.pubConn.request(t.publishBytes, 10_000);
    lat[i] = performance.now() - a;
    if (r.status !== 200 || !publishAnswerOk(r.body)) throw new CheckFailed(`${t.name} paced: Publish answered ${r.status} ${r.body.slice(0, 200)}`);
  }
  return { publishes: n, gapMs, latencyMs: stats(lat) };
}

/** 2. Sequential publishes on one socket. */
async function sequential(t, n, warm) {
  for (let i = 0; i < warm; i++) {
    const r = await t.pubConn.request(t.publishBytes, 10_000);
    if (r.status !== 200 || !publishAnswerOk(r.body)) throw new CheckFailed(`${t.name} sequential warmup: Publish answered ${r.status} ${r.body.slice(0, 200)}`);
  }
  const lat = new Array(n);
  let bad = 0;
  const win = cpuWindow(t.handle.pid);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const a = performance.now();
    const r = await t.pubConn.request(t.publishBytes, 10_000);
    lat[i] = performance.now() - a;
    if (r.status !== 200 || !publishAnswerOk(r.body)) bad++;
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = win.end();
  if (bad) throw new CheckFailed(`${t.name} sequential: ${bad} of ${n} Publish answers not 200 with a MessageId`);
  return {
    publishes: n,
    warmup: warm,
    latencyMs: stats(lat),
    publishesPerSec: Math.round(n / seconds),
    serverCores: cpu.serverCores,
    cpuMicrosPerPublish: r2((cpu.serverCores * 1e6 * seconds) / n, 1),
    otherCores: cpu.otherCores,
  };
}

function cannon(t, opts, onStart) {
  return new Promise((resolve, reject) => {
    const inst = autocannon(
      {
        url: `${t.handle.endpoint}/`,
        method: 'POST',
        headers: t.publish.headers,
        body: t.publish.body,
        connections: cfg.connections,
        pipelining: 1,
        timeout: 10,
        verifyBody: publishAnswerOk,
        ...opts,
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    onStart?.(inst);
  });
}

/** 3. Publish rate: warmup, then a fixed number of publishes; returns the row (unchecked counts). */
async function throughput(t, perPublish) {
  const times = [];
  let warmStart = 0;
  const warm = await cannon(t, { duration: cfg.warmup }, (inst) => {
    warmStart = performance.now();
    inst.on('response', () => times.push(performance.now()));
  });
  if (warm.non2xx || warm.mismatches || warm.errors) throw new CheckFailed(`${t.name} warmup: ${warm.non2xx} non-2xx, ${warm.mismatches} bad bodies, ${warm.errors} errors`);
  const warmEnd = times.at(-1) ?? performance.now();
  const half = warmStart + (warmEnd - warmStart) / 2;
  const secondHalf = times.filter((x) => x >= half).length;
  const warmRate = secondHalf > 0 ? secondHalf / ((warmEnd - half) / 1000) : times.length / Math.max((warmEnd - warmStart) / 1000, 0.1);
  const warmAnswered = times.length;

  // the warmup's accepted publishes (autocannon may not count the last few): settle, then count
  let before = null;
  if (t.set) {
    const s = await settle(t.c, t.set.queues, null);
    before = s.counts;
  }
  const wanted = Math.round(warmRate * cfg.duration);
  const cap = perPublish > 0 ? Math.floor(cfg.maxDeliveries / perPublish) : Infinity;
  const amount = Math.max(cfg.connections * 10, Math.min(wanted, cap));
  const others = servers.filter((x) => x !== t && x.handle.alive());
  const othersCpu0 = others.reduce((sum, x) => sum + cpuSeconds(x.handle.pid), 0);
  const lat = [];
  let answered = 0;
  let startedAt = 0;
  let lastAt = 0;
  let cpu = null;
  let win = null;
  const res = await cannon(t, { amount }, (inst) => {
    win = cpuWindow(t.handle.pid);
    startedAt = performance.now();
    inst.on('response', (_client, _status, _bytes, responseTime) => {
      lat.push(responseTime);
      answered++;
      if (answered === amount) {
        lastAt = performance.now();
        cpu = win.end();
      }
    });
  });
  if (!cpu) {
    lastAt = performance.now();
    cpu = win.end();
  }
  const seconds = (lastAt - startedAt) / 1000;
  const idleServersCores = r2((others.reduce((sum, x) => sum + cpuSeconds(x.handle.pid), 0) - othersCpu0) / seconds);
  const ok = res['2xx'];
  const problems = [];
  if (ok !== amount) problems.push(`${ok} of ${amount} requests answered 2xx`);
  if (res.non2xx) problems.push(`${res.non2xx} non-2xx (${JSON.stringify(res.statusCodeStats)})`);
  if (res.mismatches) problems.push(`${res.mismatches} answers without a MessageId`);
  if (res.errors || res.timeouts) problems.push(`${res.errors} errors, ${res.timeouts} timeouts`);
  if (problems.length) throw new CheckFailed(`${t.name} throughput: ${problems.join('; ')}`);
  return {
    row: {
      requests: amount,
      cappedByMaxDeliveries: wanted > cap,
      responses2xx: ok,
      seconds: r2(seconds),
      publishesPerSec: Math.round(ok / seconds),
      deliveriesPerSec: perPublish > 0 ? Math.round((ok * perPublish) / seconds) : null,
      latencyMs: stats(lat),
      autocannonLatencyMs: { p50: res.latency.p50, p99: res.latency.p99, max: res.latency.max },
      serverCores: cpu.serverCores,
      clientCores: cpu.clientCores,
      otherCores: cpu.otherCores,
      idleServersCores,
      cpuMicrosPerPublish: cpu.serverCores ? r2((cpu.serverCores * 1e6 * seconds) / ok, 1) : null,
      warmupPublishesPerSec: Math.round(warmRate),
      warmupAnswered: warmAnswered,
    },
    before,
  };
}

// ------------------------------------------------------------------ one topic

/** Build the topic of `n` subscriptions on target t, run the three phases, check, tear down. */
async function measureTopic(t, n, round, visibilitySamples) {
  const row = { target: t.name, subs: n, round, expectedPerPublish: expectedPerPublish(n) };
  const c = t.c;
  const t1 = performance.now();
  const set = await createSet(c, `sns-bench-r${round}-n${n}`, n, cfg.setupConcurrency);
  row.setupSec = r2((performance.now() - t1) / 1000, 2);
  t.set = set;
  t.publish = publishRequest(set.topicArn);
  t.publishBytes = requestBytes(t.handle.endpoint, t.publish);
  const notes = [];
  const strict = t.name === 'switchyard';
  const problem = (msg) => {
    if (strict) throw new CheckFailed(`${t.name} ${n} subs: ${msg}`);
    notes.push(msg);
  };
  try {
    // smoke: one Publish through the SDK; which queues receive it?
    const messageId = await sdkPublish(c, set.topicArn);
    if (!messageId) problem('Publish through the SDK gave no MessageId');
    const owed = set.queues.map((q) => (q.filtered ? 0 : 1));
    const smoke = await settle(c, set.queues, owed, 10_000);
    const receives = smoke.counts.map((x) => x > 0);
    const leaks = set.queues.filter((q) => q.filtered && receives[q.i]).length;
    const misses = set.queues.filter((q) => !q.filtered && !receives[q.i]).length;
    if (smoke.counts.some((x) => x > 1)) problem(`one Publish put more than one message into a queue: ${smoke.counts.join(',')}`);
    if (leaks) problem(`delivers to ${leaks} of ${set.queues.filter((q) => q.filtered).length} subscriptions whose filter policy the message fails (ignores filter policies?)`);
    if (misses) problem(`does not deliver to ${misses} of ${set.queues.filter((q) => !q.filtered).length} subscriptions whose filter policy the message passes`);
    // per queue, from here on: does it receive (as observed), and how many messages it holds
    const st = { receives, counts: smoke.counts.slice(), accepted: 1 };
    row.observedPerPublish = receives.filter(Boolean).length;

    // 1. visibility
    if (visibilitySamples > 0 && row.observedPerPublish > 0) {
      row.visibility = await visibility(t, set, st, visibilitySamples);
      const v = await settle(c, set.queues, st.counts);
      if (!v.ok) problem(`after the visibility samples: ${countDiff(set, v.counts, st.counts).slice(0, 5).join('; ')}`);
      st.counts = v.counts;
    }

    // 2. sequential latency
    row.sequential = await sequential(t, cfg.latencyPublishes, cfg.latencyWarmup);
    if (cfg.pacedPublishes > 0) row.paced = await paced(t, cfg.pacedPublishes, cfg.pacedGapMs);
    const k = cfg.latencyPublishes + cfg.latencyWarmup + cfg.pacedPublishes;
    st.accepted += k;
    const expSeq = st.counts.map((x, i) => x + (receives[i] ? k : 0));
    const s2 = await settle(c, set.queues, expSeq);
    if (!s2.ok) problem(`after the sequential publishes: ${countDiff(set, s2.counts, expSeq).slice(0, 5).join('; ')}`);
    st.counts = s2.counts;

    // 3. throughput, then exact counts: every owed queue grew by the 2xx answers, the others not at all
    const { row: tp, before } = await throughput(t, row.observedPerPublish);
    row.throughput = tp;
    const expected = before.map((x, i) => x + (receives[i] ? tp.responses2xx : 0));
    const s3 = await settle(c, set.queues, expected);
    const delivered = s3.counts.reduce((a, x, i) => a + x - before[i], 0);
    row.counts = {
      responses2xx: tp.responses2xx,
      expectedDeliveries: tp.responses2xx * row.expectedPerPublish,
      observedDeliveries: delivered,
      filteredQueuesHolding: set.queues.filter((q) => q.filtered && s3.counts[q.i] > 0).length,
      exact: s3.ok && delivered === tp.responses2xx * row.expectedPerPublish,
      settleMs: s3.ms,
    };
    if (!s3.ok) problem(`after the throughput run: ${countDiff(set, s3.counts, expected).slice(0, 5).join('; ')}`);
    else if (!row.counts.exact) problem(`throughput run: ${delivered} deliveries for ${tp.responses2xx} publishes (expected ${tp.responses2xx * row.expectedPerPublish})`);

    // what a subscriber gets: the body and the attribute, raw
    const first = set.queues.find((q) => receives[q.i]);
    if (first) {
      const m = await receiveOne(c, first);
      const attr = m?.MessageAttributes?.[MESSAGE_ATTRIBUTE.name]?.StringValue;
      if (m?.Body !== MESSAGE) problem(`the delivered body is not the raw message: ${String(m?.Body).slice(0, 120)}`);
      else if (attr !== MESSAGE_ATTRIBUTE.value) problem(`the raw delivery lacks the message attribute ${MESSAGE_ATTRIBUTE.name}=${MESSAGE_ATTRIBUTE.value} (got ${JSON.stringify(m?.MessageAttributes ?? null)})`);
    }
    if (t.name === 'switchyard') row.rssMiB = r2(memory(t.handle.pid).rss / 2 ** 20, 1);
  } finally {
    row.notes = notes;
    t.set = null;
    await deleteSet(c, set, cfg.setupConcurrency);
  }
  if (!t.handle.alive()) throw new CheckFailed(`${t.name} died:\n${t.handle.logTail()}`);
  return row;
}

/**
 * Unmeasured: a throwaway topic of 10 subscriptions, autocannon for --server-warmup seconds and
 * some sequential publishes, so that round 1 does not measure a cold JIT.
 */
async function warmServer(t) {
  if (cfg.serverWarmup <= 0) return null;
  const set = t.target.isNull ? null : await createSet(t.c, 'sns-bench-warm', 10, cfg.setupConcurrency);
  t.publish = publishRequest(set?.topicArn ?? 'arn:aws:sns:us-east-1:000000000000:null');
  t.publishBytes = requestBytes(t.handle.endpoint, t.publish);
  try {
    const r = await cannon(t, { duration: cfg.serverWarmup });
    for (let i = 0; i < 500; i++) await t.pubConn.request(t.publishBytes, 10_000);
    if (r.non2xx || r.mismatches || r.errors) throw new CheckFailed(`${t.name} server warmup: ${r.non2xx} non-2xx, ${r.mismatches} bad bodies, ${r.errors} errors`);
    return Math.round(r.requests.average);
  } finally {
    if (set) await deleteSet(t.c, set, cfg.setupConcurrency);
  }
}

/** The null handler: no topic; sequential latency and throughput only. */
async function measureNull(t, round) {
  t.publish = publishRequest('arn:aws:sns:us-east-1:000000000000:null');
  t.publishBytes = requestBytes(t.handle.endpoint, t.publish);
  const row = { target: 'null', subs: null, round, expectedPerPublish: 0 };
  row.sequential = await sequential(t, cfg.latencyPublishes, cfg.latencyWarmup);
  if (cfg.pacedPublishes > 0) row.paced = await paced(t, cfg.pacedPublishes, cfg.pacedGapMs);
  row.throughput = (await throughput(t, 0)).row;
  row.notes = [];
  return row;
}

// ------------------------------------------------------------------ run

const results = [];
const servers = [];
const targetInfo = {};
const notes = [];
let failure = null;

function writeReport(complete) {
  const report = {
    bench: 'sns-publish',
    generatedAt: new Date().toISOString(),
    complete,
    failure,
    commit,
    wallSeconds: Math.round((Date.now() - t0All) / 1000),
    machine: { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? null, memGiB: Math.round(os.totalmem() / 2 ** 30), kernel: os.release() },
    config: {
      ...cfg,
      out: path.relative(REPO, cfg.out),
      pinned: canPin,
      serverCpu: SERVER_CPU,
      messageBytes: MESSAGE_BYTES,
      messageAttribute: MESSAGE_ATTRIBUTE,
      passingPolicy: PASSING_POLICY,
      filteredPolicy: FILTERED_POLICY,
      switchyardNodeArgs: nodeArgs,
    },
    targets: targetInfo,
    notes,
    summary: summary(),
    results,
  };
  mkdirSync(path.dirname(cfg.out), { recursive: true });
  writeFileSync(`${cfg.out}.tmp`, JSON.stringify(report, null, 2) + '\n');
  renameSync(`${cfg.out}.tmp`, cfg.out);
  return report;
}

/** Per (target, subs): the median round by publishes/s, medians of the latency figures, all visibility samples pooled. */
function summary() {
  const groups = [];
  for (const name of cfg.targets) {
    for (const n of TARGETS[name].isNull ? [null] : cfg.subs) {
      const rows = results.filter((r) => r.target === name && r.subs === n);
      if (!rows.length) continue;
      const tp = rows.filter((r) => r.throughput).sort((a, b) => a.throughput.publishesPerSec - b.throughput.publishesPerSec);
      const mid = tp[Math.floor((tp.length - 1) / 2)];
      const vis = rows.flatMap((r) => r.visibility?.samples ?? []);
      const visOk = vis.filter((s) => s.visibleMs != null).map((s) => s.visibleMs);
      groups.push({
        target: name,
        subs: n,
        expectedPerPublish: n == null ? 0 : expectedPerPublish(n),
        observedPerPublish: rows.find((r) => r.observedPerPublish != null)?.observedPerPublish ?? null,
        errors: rows.filter((r) => r.error).length,
        publishesPerSec: mid?.throughput.publishesPerSec ?? null,
        deliveriesPerSec: mid?.throughput.deliveriesPerSec ?? null,
        roundsPublishesPerSec: tp.map((r) => r.throughput.publishesPerSec),
        loadLatencyMs: mid ? { p50: mid.throughput.latencyMs.p50, p99: mid.throughput.latencyMs.p99 } : null,
        cpuMicrosPerPublish: r2(median(rows.map((r) => r.throughput?.cpuMicrosPerPublish)), 1),
        sequentialMs: {
          p50: r2(median(rows.map((r) => r.sequential?.latencyMs.p50)), 3),
          p99: r2(median(rows.map((r) => r.sequential?.latencyMs.p99)), 3),
          roundsP50: rows.map((r) => r.sequential?.latencyMs.p50 ?? null),
        },
        pacedMs: rows.some((r) => r.paced)
          ? { p50: r2(median(rows.map((r) => r.paced?.latencyMs.p50)), 3), p99: r2(median(rows.map((r) => r.paced?.latencyMs.p99)), 3) }
          : null,
        sequentialCpuMicrosPerPublish: r2(median(rows.map((r) => r.sequential?.cpuMicrosPerPublish)), 1),
        visibleMs: vis.length
          ? { n: vis.length, timedOut: vis.length - visOk.length, ...stats(visOk), publishAnswerP50: r2(median(vis.map((s) => s.publishMs)), 3), sweepFloorP50: r2(median(rows.map((r) => r.visibility?.sweepFloorMs)), 3) }
          : null,
        countsExact: rows.every((r) => !r.counts || r.counts.exact) && rows.some((r) => r.counts) ? true : rows.some((r) => r.counts) ? false : null,
        noisyRounds: rows.filter((r) => r.throughput && r.throughput.otherCores - r.throughput.idleServersCores > 0.2).length,
        notes: [...new Set(rows.flatMap((r) => r.notes ?? []))],
      });
    }
  }
  const ratios = {};
  for (const name of cfg.targets) {
    const one = groups.find((g) => g.target === name && g.subs === cfg.subs[0]);
    const most = groups.find((g) => g.target === name && g.subs === cfg.subs.at(-1));
    if (!one || !most || one === most) continue;
    ratios[name] = {
      from: one.subs,
      to: most.subs,
      sequentialP50: r2(most.sequentialMs.p50 / one.sequentialMs.p50, 3),
      sequentialP99: r2(most.sequentialMs.p99 / one.sequentialMs.p99, 3),
      // the same ratio within each round (both measured minutes apart at most)
      roundsSequentialP50: most.sequentialMs.roundsP50.map((x, i) => (x != null && one.sequentialMs.roundsP50[i] ? r2(x / one.sequentialMs.roundsP50[i], 3) : null)),
      pacedP50: one.pacedMs && most.pacedMs ? r2(most.pacedMs.p50 / one.pacedMs.p50, 3) : null,
      pacedP99: one.pacedMs && most.pacedMs ? r2(most.pacedMs.p99 / one.pacedMs.p99, 3) : null,
      loadP50: one.loadLatencyMs?.p50 ? r2(most.loadLatencyMs.p50 / one.loadLatencyMs.p50, 3) : null,
      publishesPerSec: one.publishesPerSec ? r2(most.publishesPerSec / one.publishesPerSec, 3) : null,
      cpuPerPublish: one.cpuMicrosPerPublish ? r2(most.cpuMicrosPerPublish / one.cpuMicrosPerPublish, 3) : null,
    };
  }
  const sy = ratios.switchyard;
  return { groups, ratios, target: { metric: 'sequential Publish p50, most subscriptions / 1', max: 2, switchyard: sy?.sequentialP50 ?? null, met: sy ? sy.sequentialP50 <= 2 : null } };
}

log(`Switchyard SNS Publish bench - ${new Date().toISOString()}`);
log(
  `node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}); ${cfg.rounds} round(s); throughput ~${cfg.duration}s (+${cfg.warmup}s warmup), ` +
    `${cfg.connections} connections; ${cfg.latencyPublishes} sequential publishes (+${cfg.latencyWarmup}); ${cfg.visibilitySamples} visibility samples; ` +
    (canPin ? `servers pinned to CPU ${SERVER_CPU}, load generator to CPU 0` : 'no CPU pinning'),
);
log(
  `subscriptions: ${cfg.subs.join(', ')} (RawMessageDelivery; odd ones filter ${FILTERED_POLICY}, even ones ${PASSING_POLICY}; messages ${MESSAGE_BYTES} B with kind=order)` +
    `${nodeArgs.length ? `; switchyard node args: ${nodeArgs.join(' ')}` : ''}\n`,
);

try {
  for (const name of cfg.targets) {
    const target = TARGETS[name];
    const avail = target.available();
    targetInfo[name] = { description: target.description, available: avail.ok, reason: avail.reason ?? null };
    if (!avail.ok) {
      log(`[${name}] skipped: ${avail.reason}`);
      notes.push(`${name} skipped: ${avail.reason}`);
      continue;
    }
    const t0 = performance.now();
    let handle;
    try {
      handle = await target.start({ pinCpu: SERVER_CPU, nodeArgs });
    } catch (e) {
      log(`[${name}] skipped: ${e.message.split('\n')[0]}`);
      notes.push(`${name} did not start: ${e.message.split('\n')[0]}`);
      targetInfo[name].available = false;
      continue;
    }
    const s = { name, target, handle, c: target.isNull ? null : clientsFor(target, handle.endpoint, cfg.pollConnections), pubConn: new RawConn('127.0.0.1', handle.port), failed: null };
    servers.push(s);
    Object.assign(targetInfo[name], { pid: handle.pid, startMs: Math.round(performance.now() - t0), logFile: handle.logFile });
    out(`[${name}] pid ${handle.pid} ${handle.endpoint}, started in ${targetInfo[name].startMs} ms; warming up ... `);
    try {
      const rate = await warmServer(s);
      targetInfo[name].serverWarmupPublishesPerSec = rate;
      log(rate == null ? 'skipped' : `${fmt(rate)} publishes/s (10 subs, not measured)`);
    } catch (e) {
      if (name === 'switchyard') throw e;
      log(`failed: ${e.message.split('\n')[0]}`);
      notes.push(`${name} server warmup failed: ${e.message.split('\n')[0]}`);
      s.failed = e.message;
    }
  }
  if (!servers.some((s) => s.name === 'switchyard')) notes.push('switchyard did not run');

  // visibility samples per round: the total split over the rounds
  const perRound = (round) => Math.floor(cfg.visibilitySamples / cfg.rounds) + (round <= cfg.visibilitySamples % cfg.rounds ? 1 : 0);
  for (let round = 1; round <= cfg.rounds; round++) {
    if (cfg.rounds > 1) log(`\n--- round ${round} of ${cfg.rounds} ---`);
    for (const t of servers) {
      if (t.failed) continue;
      for (const n of t.target.isNull ? [null] : cfg.subs) {
        out(`  ${t.name.padEnd(10)} ${n == null ? '' : `${n} subs`.padEnd(9)} `.padEnd(22));
        let row;
        try {
          row = t.target.isNull ? await measureNull(t, round) : await measureTopic(t, n, round, perRound(round));
        } catch (e) {
          if (t.name === 'switchyard' || !(e instanceof CheckFailed || e instanceof Error)) throw e;
          // a peer that cannot do this: reported, not fatal
          log(`failed: ${e.message.split('\n')[0]}`);
          results.push({ target: t.name, subs: n, round, error: e.message });
          notes.push(`${t.name} ${n} subs round ${round}: ${e.message.split('\n')[0]}`);
          if (!t.handle.alive()) t.failed = e.message;
          writeReport(false);
          continue;
        }
        results.push(row);
        writeReport(false);
        const tp = row.throughput;
        const v = row.visibility;
        const vs = v ? v.samples.filter((x) => x.visibleMs != null).map((x) => x.visibleMs) : [];
        const noisy = tp.otherCores - tp.idleServersCores > 0.2;
        log(
          `${fmt(tp.publishesPerSec).padStart(7)} pub/s${tp.deliveriesPerSec != null ? ` (${fmt(tp.deliveriesPerSec)} deliveries/s)` : ''}  load p50/p99 ${ms(tp.latencyMs.p50)}/${ms(tp.latencyMs.p99)} ms  ` +
            `srv ${tp.serverCores} cores ${tp.cpuMicrosPerPublish} us/pub  | seq p50/p99 ${ms(row.sequential.latencyMs.p50)}/${ms(row.sequential.latencyMs.p99)} ms` +
            (row.sequential.otherCores > 0.2 ? ` (NOISY: ${row.sequential.otherCores} cores)` : '') +
            (row.paced ? `  paced ${ms(row.paced.latencyMs.p50)}/${ms(row.paced.latencyMs.p99)} ms` : '') +
            (v ? `  | visible p50 ${ms(median(vs))} ms (floor ${ms(v.sweepFloorMs)}, n=${v.samples.length}${vs.length < v.samples.length ? `, ${v.samples.length - vs.length} TIMED OUT` : ''})` : '') +
            (row.counts ? `  | ${row.counts.exact ? `counts exact (${fmt(row.counts.observedDeliveries)})` : `COUNTS ${fmt(row.counts.observedDeliveries)} vs ${fmt(row.counts.expectedDeliveries)}`}` : '') +
            (tp.cappedByMaxDeliveries ? '  capped' : '') +
            (noisy ? `  NOISY: other processes ${r2(tp.otherCores - tp.idleServersCores)} cores` : '') +
            (row.notes?.length ? `\n      note: ${row.notes.join('\n      note: ')}` : ''),
        );
      }
    }
  }
} catch (e) {
  failure = e.message;
  console.error(`\n${e instanceof CheckFailed ? 'CHECK FAILED' : 'FAILED'}: ${e.message}`);
  if (!(e instanceof CheckFailed)) console.error(e.stack);
}

// goaws logs every SQS delivery (info level, no switch to turn it off): ~0.5 KB per delivery, so
// its log reaches gigabytes; keep the last 64 KiB of any log above 64 MiB.
const LOG_KEEP = 64 * 1024;
for (const s of servers) {
  s.pubConn.close();
  s.c?.close();
  await s.handle.stop();
  try {
    const size = statSync(s.handle.logFile).size;
    if (size > 1024 * LOG_KEEP) {
      const fd = openSync(s.handle.logFile, 'r');
      const tail = Buffer.alloc(LOG_KEEP);
      readSync(fd, tail, 0, LOG_KEEP, size - LOG_KEEP);
      closeSync(fd);
      writeFileSync(s.handle.logFile, `[bench/sns: ${size} bytes of log cut to their last ${LOG_KEEP}]\n` + tail.toString('utf8'));
      targetInfo[s.name].logBytes = size;
    }
  } catch {
    /* no log */
  }
}

// ------------------------------------------------------------------ report

const report = writeReport(failure == null);
const S = report.summary;
const one = (name) => S.groups.find((g) => g.target === name && g.subs === cfg.subs[0]);
log('\n| server | subs | deliveries / publish | publishes/s | deliveries/s | p50 / p99 ms, 8 conns | server CPU µs/publish | sequential p50 / p99 ms | × 1 sub (seq p50) | paced p50 / p99 ms | all visible: median / p99 ms | counts |');
log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
for (const g of S.groups) {
  const base = one(g.target);
  const per = g.subs == null ? '-' : g.observedPerPublish != null && g.observedPerPublish !== g.expectedPerPublish ? `${g.observedPerPublish} (owed ${g.expectedPerPublish})` : String(g.expectedPerPublish);
  const counts = g.subs == null ? '-' : g.countsExact ? 'exact' : g.countsExact === false ? 'MISMATCH' : '-';
  log(
    `| ${g.subs == null ? 'null handler' : g.target} | ${g.subs ?? '-'} | ${per} | ${fmt(g.publishesPerSec)} | ${fmt(g.deliveriesPerSec)} | ` +
      `${ms(g.loadLatencyMs?.p50)} / ${ms(g.loadLatencyMs?.p99)} | ${g.cpuMicrosPerPublish ?? '-'} | ${ms(g.sequentialMs.p50)} / ${ms(g.sequentialMs.p99)} | ` +
      `${g.subs != null && base && base !== g ? r2(g.sequentialMs.p50 / base.sequentialMs.p50) : g.subs != null && base === g ? '1' : '-'} | ${ms(g.pacedMs?.p50)} / ${ms(g.pacedMs?.p99)} | ` +
      `${g.visibleMs ? `${ms(g.visibleMs.p50)} / ${ms(g.visibleMs.p99)}${g.visibleMs.timedOut ? ` (${g.visibleMs.timedOut} timed out)` : ''}` : '-'} | ${counts} |`,
  );
}
log('');
for (const [name, r] of Object.entries(S.ratios))
  log(
    `${name}: ${r.to} subs / ${r.from}: sequential Publish p50 x${r.sequentialP50} (rounds: ${r.roundsSequentialP50.join(', ')}), p99 x${r.sequentialP99}; paced p50 x${r.pacedP50}, p99 x${r.pacedP99}; under load p50 x${r.loadP50}; ` +
      `publishes/s x${r.publishesPerSec}; server CPU per publish x${r.cpuPerPublish}`,
  );
if (S.target.switchyard != null) log(`target (Switchyard's sequential Publish p50 with ${cfg.subs.at(-1)} subs <= 2x that with ${cfg.subs[0]}): ${S.target.met ? 'met' : 'NOT MET'}, x${S.target.switchyard}`);
for (const g of S.groups) for (const n of g.notes) log(`note: ${g.target} ${g.subs} subs: ${n}`);
for (const n of notes) log(`note: ${n}`);
log(`\nvisibility: median of ${S.groups.find((g) => g.visibleMs)?.visibleMs.n ?? 0} samples per row; "floor" = one sweep of GetQueueAttributes over the owed queues with nothing to find:`);
for (const g of S.groups) if (g.visibleMs) log(`  ${g.target} ${g.subs} subs: Publish answered after ${ms(g.visibleMs.publishAnswerP50)} ms (p50), all visible ${ms(g.visibleMs.p50)} ms, sweep floor ${ms(g.visibleMs.sweepFloorP50)} ms`);
log(`\nwrote ${path.relative(process.cwd(), cfg.out)} (${report.wallSeconds}s total)`);
if (failure) process.exit(1);
if (cfg.requireTarget && S.target.met === false) process.exit(2);
process.exit(0);
