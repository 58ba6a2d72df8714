#!/usr/bin/env node
// PutEvents throughput against the number of rules on the bus: entries per second, batches of
// 10, on Switchyard with 1, 1,000 and 10,000 rules, and on a do-nothing PutEvents server (the
// HTTP ceiling of this machine), all in the same run. Every measured run is checked: each
// answer is 200 with FailedEntryCount 0, and afterwards the target queue holds exactly
// (2xx answers x 10 x matching rules) messages while the canary queue that every other rule
// targets holds none.
//
//   npm run build && npm run bench:events
//   node bench/events/run.mjs --quick                 # 3 s runs, 1 round
//   node bench/events/run.mjs --rules=1,10000 --duration=10
//
// Options (flag or env):
//   --duration=S          BENCH_DURATION           seconds per measured run, about (6)
//   --warmup=S            BENCH_WARMUP             unmeasured load before each measured run (1)
//   --rounds=N            BENCH_ROUNDS             measured runs per target, interleaved; median kept (3)
//   --connections=N       BENCH_CONNECTIONS        autocannon connections (8)
//   --rules=a,b,c         BENCH_RULES              rule counts, one Switchyard each (1,1000,10000)
//   --no-null             BENCH_NULL=0             skip the do-nothing server
//   --near-misses=N       BENCH_NEAR_MISSES        at most N rules no look-up of the event's values
//                                                  rules out (anything-but, exists:false, *x* wildcard);
//                                                  100; 100000 = all (see lib/workload.mjs)
//   --setup-concurrency=N BENCH_SETUP_CONCURRENCY  concurrent SDK calls creating rules (8)
//   --no-pin              BENCH_PIN=0              don't pin servers to the last CPU / harness to CPU 0
//   --hard-limit=S        BENCH_HARD_LIMIT         the whole run stops itself after this (1200)
//   --out=FILE            BENCH_OUT                results JSON (bench/results/events-latest.json)
//   --require-target                              exit 2 when the most rules give < 50% of 1 rule's entries/s
//   --quick                                       duration 3, warmup 0.5, 1 round
// Env only: SWITCHYARD_DIST (build dir, default dist); SWITCHYARD_NODE_ARGS (node flags for the
// Switchyard children, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
//
// How a run is measured: an unmeasured autocannon run of --warmup seconds estimates the rate
// (over its second half); the measured run then sends a fixed number of requests (rate x
// --duration) with autocannon's `amount`, so that every request sent is answered and counted (a
// duration-bound run cuts off requests the server has already accepted, and the delivery count
// could not be exact). Entries/s = 2xx answers x 10 / (last answer - start). Server CPU per entry
// comes from /proc/PID/stat over the same window; "NOISY" marks runs during which other
// processes on the machine used more than 0.2 of a core.
import { writeFileSync, mkdirSync, renameSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SQSClient, CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import http from 'node:http';
import { REPO, BENCH } from '../sqs/lib/targets.mjs';
import { cpuSeconds, cpuWindow, hasTaskset, memory, pinSelf, sleep } from '../sqs/lib/proc.mjs';
import { pool } from '../sqs/lib/wire.mjs';
import { killAll, startNull, startSwitchyard, switchyardAvailable, SWITCHYARD_BIN } from './lib/servers.mjs';
import { ENTRIES_PER_REQUEST, MATCHING_RULES, NEAR_MISSES, RULE_KINDS, benchEntries, benchEvents, benchRules } from './lib/workload.mjs';

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
const quick = argv.quick === 'true';
const cfg = {
  duration: num('duration', 'BENCH_DURATION', quick ? 3 : 6),
  warmup: num('warmup', 'BENCH_WARMUP', quick ? 0.5 : 1),
  rounds: num('rounds', 'BENCH_ROUNDS', quick ? 1 : 3),
  connections: num('connections', 'BENCH_CONNECTIONS', 8),
  rules: String(opt('rules', 'BENCH_RULES', '1,1000,10000')).split(',').map((s) => Number(s.trim())),
  withNull: !(argv['no-null'] === 'true' || process.env.BENCH_NULL === '0'),
  nearMisses: num('near-misses', 'BENCH_NEAR_MISSES', NEAR_MISSES),
  setupConcurrency: num('setup-concurrency', 'BENCH_SETUP_CONCURRENCY', 8),
  pin: !(argv['no-pin'] === 'true' || process.env.BENCH_PIN === '0'),
  out: path.resolve(opt('out', 'BENCH_OUT', path.join(BENCH, 'results', 'events-latest.json'))),
  requireTarget: argv['require-target'] === 'true',
};
for (const n of cfg.rules) if (!Number.isInteger(n) || n < 1) throw new Error(`--rules: ${n} is not a positive integer`);
const nodeArgs = (process.env.SWITCHYARD_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const CREDENTIALS = { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' };

// -------------------------------------------------------------- lifecycle

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    console.error(`\n${sig}: stopping servers`);
    killAll('SIGKILL');
    process.exit(130);
  });
}
process.on('exit', () => killAll('SIGKILL'));
const HARD_LIMIT_MS = num('hard-limit', 'BENCH_HARD_LIMIT', 20 * 60) * 1000;
setTimeout(() => {
  console.error(`\nharness exceeded its hard limit of ${HARD_LIMIT_MS / 1000}s; stopping`);
  killAll('SIGKILL');
  process.exit(3);
}, HARD_LIMIT_MS).unref();

const canPin = cfg.pin && os.cpus().length >= 2 && hasTaskset();
const SERVER_CPU = canPin ? os.cpus().length - 1 : null;
if (canPin) pinSelf(0);

const log = (...a) => console.log(...a);
const t0All = Date.now();
let commit = null;
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
} catch {
  /* no commits yet */
}
const r2 = (x, d = 2) => (x == null || Number.isNaN(x) ? null : Math.round(x * 10 ** d) / 10 ** d);
const fmt = (n) => (n == null ? '-' : Math.round(n).toLocaleString('en-US'));

class CheckFailed extends Error {}

// ------------------------------------------------------------------ request

const ENTRIES = benchEntries(ACCOUNT, REGION);
const REQUEST = {
  method: 'POST',
  path: '/',
  headers: {
    // a SigV4-looking header, as an SDK sends; nothing verifies it
    authorization:
      `AWS4-HMAC-SHA256 Credential=${CREDENTIALS.accessKeyId}/20250101/${REGION}/events/aws4_request, ` +
      'SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=' + '0'.repeat(64),
    'x-amz-date': '20250101T000000Z',
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': 'AWSEvents.PutEvents',
  },
  body: JSON.stringify({ Entries: ENTRIES }),
};
// Checked on every answer: cheap enough for the load generator's one core.
const verifyBody = (body) => typeof body === 'string' && body.includes('"FailedEntryCount":0') && !body.includes('"ErrorCode"');

// ------------------------------------------------------------------ workload check

/** The generator's promise (which rules match), checked with Switchyard's own matcher in-process. */
async function checkWorkload(maxRules) {
  const mod = pathToFileURL(path.join(path.dirname(path.dirname(SWITCHYARD_BIN)), 'src', 'patterns', 'index.js')).href;
  const { compilePatternText, matchesEvent } = await import(mod);
  const events = benchEvents(ACCOUNT, REGION);
  const wrong = [];
  for (const rule of benchRules(maxRules, cfg.nearMisses)) {
    const compiled = compilePatternText(JSON.stringify(rule.pattern));
    for (const e of events) if (matchesEvent(compiled, e) !== rule.matches) wrong.push(`${rule.name}: ${JSON.stringify(rule.pattern)}`);
  }
  if (wrong.length) throw new CheckFailed(`rule generator: ${wrong.length} (rule, event) pairs disagree with matchesEvent, e.g. ${wrong[0]}`);
}

// ------------------------------------------------------------------ Switchyard setup

function clients(endpoint) {
  const requestHandler = new NodeHttpHandler({ httpAgent: new http.Agent({ keepAlive: true, maxSockets: 32 }) });
  const common = { endpoint, region: REGION, credentials: CREDENTIALS, maxAttempts: 1, requestHandler };
  return { eb: new EventBridgeClient(common), sqs: new SQSClient(common) };
}

async function createQueue(sqs, name) {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  return { name, url: QueueUrl, arn: Attributes.QueueArn };
}

async function queueDepth(sqs, q) {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: q.url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }),
  );
  return Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible) + Number(Attributes.ApproximateNumberOfMessagesDelayed);
}

/**
 * Wait until the queue holds `expected` messages and stays there (deliveries run as microtasks
 * after each answer, so they settle within milliseconds); throws on any other settled count.
 * With expected = null, waits until the count stops moving and returns it.
 */
async function settle(sqs, q, expected, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  let stable = 0;
  for (;;) {
    const n = await queueDepth(sqs, q);
    stable = n === last ? stable + 1 : 0;
    last = n;
    if (expected != null && n === expected && stable >= 2) return n;
    if (expected == null && stable >= 3) return n;
    if (expected != null && n > expected && stable >= 2) break;
    if (Date.now() > deadline) break;
    await sleep(n === expected ? 100 : 50);
  }
  if (expected == null) return last;
  throw new CheckFailed(`queue ${q.name}: ${last} messages, expected exactly ${expected}`);
}

/** A Switchyard with `n` rules on the default bus: the matching ones target `bench-*` queues, the rest a canary. */
async function setupSwitchyard(n) {
  const t0 = performance.now();
  const handle = await startSwitchyard({ pinCpu: SERVER_CPU, rulesPerBus: Math.max(300, n + 10), name: `switchyard-${n}`, nodeArgs });
  const startMs = Math.round(performance.now() - t0);
  const { eb, sqs } = clients(handle.endpoint);
  const canary = await createQueue(sqs, 'bench-canary');
  const rules = benchRules(n, cfg.nearMisses);
  const t1 = performance.now();
  const r = await pool(rules.length, cfg.setupConcurrency, async (i) => {
    const rule = rules[i];
    await eb.send(new PutRuleCommand({ Name: rule.name, EventPattern: JSON.stringify(rule.pattern), State: 'ENABLED' }));
    if (!rule.matches) {
      const out = await eb.send(new PutTargetsCommand({ Rule: rule.name, Targets: [{ Id: 'canary', Arn: canary.arn }] }));
      if (out.FailedEntryCount) throw new Error(`PutTargets ${rule.name}: ${JSON.stringify(out.FailedEntries)}`);
    }
  });
  if (r.errors.length) throw new Error(`creating ${n} rules: ${r.errors.length} errors, first: ${r.errors[0].message}`);
  const setupSec = (performance.now() - t1) / 1000;
  const target = {
    name: `switchyard-${n}`,
    kind: 'switchyard',
    rules: n,
    handle,
    eb,
    sqs,
    canary,
    matching: rules.filter((x) => x.matches).map((x) => x.name),
    queueSeq: 0,
    info: { nearMisses: rules.filter((x) => x.nearMiss).length, startMs, setupSec: r2(setupSec, 1), rulesPerSec: Math.round(n / setupSec), rssAfterSetupMiB: r2(memory(handle.pid).rss / 2 ** 20, 1) },
  };
  await smokeCheck(target);
  return target;
}

/** Point every matching rule at a fresh queue; returns it. */
async function freshQueue(t, tag) {
  const q = await createQueue(t.sqs, `bench-${tag}-${++t.queueSeq}`);
  for (const rule of t.matching) {
    const out = await t.eb.send(new PutTargetsCommand({ Rule: rule, Targets: [{ Id: 'bench', Arn: q.arn }] }));
    if (out.FailedEntryCount) throw new Error(`PutTargets ${rule}: ${JSON.stringify(out.FailedEntries)}`);
  }
  return q;
}

async function dropQueue(t, q) {
  await t.sqs.send(new DeleteQueueCommand({ QueueUrl: q.url }));
}

/** One PutEvents through the SDK: 10 accepted, 10 x matching deliveries of the right events, none to the canary. */
async function smokeCheck(t) {
  const q = await freshQueue(t, 'smoke');
  const out = await t.eb.send(new PutEventsCommand({ Entries: ENTRIES }));
  if (out.FailedEntryCount !== 0 || out.Entries?.length !== ENTRIES_PER_REQUEST || out.Entries.some((e) => !e.EventId))
    throw new CheckFailed(`${t.name}: PutEvents through the SDK answered ${JSON.stringify(out).slice(0, 300)}`);
  await settle(t.sqs, q, ENTRIES_PER_REQUEST * t.matching.length);
  const { Messages } = await t.sqs.send(new ReceiveMessageCommand({ QueueUrl: q.url, MaxNumberOfMessages: 1 }));
  const event = JSON.parse(Messages?.[0]?.Body ?? '{}');
  if (event.source !== ENTRIES[0].Source || event['detail-type'] !== ENTRIES[0].DetailType || !out.Entries.some((e) => e.EventId === event.id))
    throw new CheckFailed(`${t.name}: the delivered message is not one of the events put: ${Messages?.[0]?.Body?.slice(0, 300)}`);
  const canary = await queueDepth(t.sqs, t.canary);
  if (canary !== 0) throw new CheckFailed(`${t.name}: ${canary} deliveries to the canary queue: a non-matching rule matched`);
  await dropQueue(t, q);
}

// ------------------------------------------------------------------ load

function cannon(t, extra) {
  return new Promise((resolve, reject) => {
    const inst = autocannon(
      {
        url: `${t.handle.endpoint}${REQUEST.path}`,
        method: REQUEST.method,
        headers: REQUEST.headers,
        body: REQUEST.body,
        connections: cfg.connections,
        pipelining: 1,
        timeout: 10,
        verifyBody,
        ...extra.opts,
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    extra.onStart?.(inst);
  });
}

/** One warmup plus one measured run against target t; checks and returns the row. */
async function measure(t, round) {
  const isSy = t.kind === 'switchyard';
  // warmup: duration-bound, into a queue of its own, never counted; its second half gives the rate
  const warmQ = isSy ? await freshQueue(t, 'warm') : null;
  const times = [];
  let warmStart = 0;
  const warm = await cannon(t, {
    opts: { duration: cfg.warmup },
    onStart(inst) {
      warmStart = performance.now();
      inst.on('response', () => times.push(performance.now()));
    },
  });
  if (warm.non2xx || warm.mismatches || warm.errors) throw new CheckFailed(`${t.name} warmup: ${warm.non2xx} non-2xx, ${warm.mismatches} bad bodies, ${warm.errors} errors`);
  const warmEnd = times.at(-1) ?? performance.now();
  const half = warmStart + (warmEnd - warmStart) / 2;
  const secondHalf = times.filter((x) => x >= half).length;
  const warmRate = secondHalf > 0 ? secondHalf / ((warmEnd - half) / 1000) : times.length / Math.max((warmEnd - warmStart) / 1000, 0.1);
  if (isSy) {
    await settle(t.sqs, warmQ, null);
    await dropQueue(t, warmQ);
  }
  const q = isSy ? await freshQueue(t, `r${round}`) : null;

  const amount = Math.max(cfg.connections * 10, Math.round(warmRate * cfg.duration));
  // CPU taken by the other (idle) servers of this run: they share the server core
  const others = targets.filter((x) => x !== t && x.handle.alive());
  const othersCpu0 = others.reduce((sum, x) => sum + cpuSeconds(x.handle.pid), 0);
  let answered = 0;
  let startedAt = 0;
  let lastAt = 0;
  let cpu = null;
  let win = null;
  const res = await cannon(t, {
    opts: { amount },
    onStart(inst) {
      win = cpuWindow(t.handle.pid);
      startedAt = performance.now();
      inst.on('response', () => {
        answered++;
        if (answered === amount) {
          lastAt = performance.now();
          cpu = win.end();
        }
      });
    },
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
  if (res.mismatches) problems.push(`${res.mismatches} answers without FailedEntryCount 0`);
  if (res.errors || res.timeouts) problems.push(`${res.errors} errors, ${res.timeouts} timeouts`);
  const entries = ok * ENTRIES_PER_REQUEST;
  const row = {
    target: t.name,
    kind: t.kind,
    rules: t.rules ?? null,
    round,
    requests: amount,
    responses2xx: ok,
    seconds: r2(seconds),
    entriesPerSec: Math.round(entries / seconds),
    reqPerSec: Math.round(ok / seconds),
    latencyMs: { p50: res.latency.p50, p90: res.latency.p90, p99: res.latency.p99, max: res.latency.max },
    serverCores: cpu.serverCores,
    clientCores: cpu.clientCores,
    otherCores: cpu.otherCores,
    idleServersCores,
    cpuMicrosPerEntry: cpu.serverCores ? r2((cpu.serverCores * 1e6 * seconds) / entries, 1) : null,
    warmupReqPerSec: Math.round(warmRate),
  };
  if (isSy) {
    const expected = entries * t.matching.length;
    try {
      row.deliveries = await settle(t.sqs, q, expected);
    } catch (e) {
      problems.push(e.message);
    }
    row.expectedDeliveries = expected;
    const canary = await queueDepth(t.sqs, t.canary);
    row.canaryDeliveries = canary;
    if (canary !== 0) problems.push(`${canary} deliveries to the canary queue: a non-matching rule matched`);
    await dropQueue(t, q);
    row.rssMiB = r2(memory(t.handle.pid).rss / 2 ** 20, 1);
  }
  if (!t.handle.alive()) problems.push(`server died:\n${t.handle.logTail()}`);
  if (problems.length) throw new CheckFailed(`${t.name} round ${round}: ${problems.join('; ')}`);
  return row;
}

// ------------------------------------------------------------------ run

const avail = switchyardAvailable();
if (!avail.ok) {
  console.error(`cannot run: ${avail.reason}`);
  process.exit(1);
}

log(`Switchyard PutEvents bench - ${new Date().toISOString()}`);
log(
  `node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}); ` +
    `${cfg.rounds} round(s) of ~${cfg.duration}s (+${cfg.warmup}s warmup), ${cfg.connections} connections, ${ENTRIES_PER_REQUEST} entries/request (${Buffer.byteLength(REQUEST.body)} B body); ` +
    (canPin ? `servers pinned to CPU ${SERVER_CPU}, load generator to CPU 0` : 'no CPU pinning'),
);
log(`rules: ${cfg.rules.join(', ')} (${MATCHING_RULES} matching, the rest from ${RULE_KINDS} non-matching kinds, at most ${cfg.nearMisses} near misses)${nodeArgs.length ? `; switchyard node args: ${nodeArgs.join(' ')}` : ''}\n`);

const results = [];
const targets = [];
const targetInfo = {};
let failure = null;

function writeReport(complete) {
  const report = {
    bench: 'events-putevents',
    generatedAt: new Date().toISOString(),
    complete,
    failure,
    commit,
    wallSeconds: Math.round((Date.now() - t0All) / 1000),
    machine: { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? null, memGiB: Math.round(os.totalmem() / 2 ** 30), kernel: os.release() },
    config: { ...cfg, out: path.relative(REPO, cfg.out), pinned: canPin, serverCpu: SERVER_CPU, entriesPerRequest: ENTRIES_PER_REQUEST, matchingRules: MATCHING_RULES, switchyardNodeArgs: nodeArgs },
    targets: targetInfo,
    summary: summary(),
    results,
  };
  mkdirSync(path.dirname(cfg.out), { recursive: true });
  writeFileSync(`${cfg.out}.tmp`, JSON.stringify(report, null, 2) + '\n');
  renameSync(`${cfg.out}.tmp`, cfg.out);
  return report;
}

/** Per target, the median round (by entries/s), with every round's value. */
function medians() {
  const out = [];
  for (const t of targets) {
    const rows = results.filter((r) => r.target === t.name);
    if (!rows.length) continue;
    const sorted = [...rows].sort((a, b) => a.entriesPerSec - b.entriesPerSec);
    const cpuSorted = rows.map((r) => r.cpuMicrosPerEntry).filter((x) => x != null).sort((a, b) => a - b);
    out.push({
      ...sorted[Math.floor((sorted.length - 1) / 2)],
      rounds: rows.map((r) => r.entriesPerSec),
      medianCpuMicrosPerEntry: cpuSorted.length ? cpuSorted[Math.floor((cpuSorted.length - 1) / 2)] : null,
    });
  }
  return out;
}

function summary() {
  const m = medians();
  const byRules = (n) => m.find((r) => r.kind === 'switchyard' && r.rules === n);
  const nul = m.find((r) => r.kind === 'null');
  const one = byRules(1);
  const most = byRules(Math.max(...cfg.rules));
  const ratio = one && most && most !== one ? r2(most.entriesPerSec / one.entriesPerSec, 3) : null;
  const cpuRatio = one?.medianCpuMicrosPerEntry && most?.medianCpuMicrosPerEntry && most !== one ? r2(one.medianCpuMicrosPerEntry / most.medianCpuMicrosPerEntry, 3) : null;
  return {
    medians: m.map((r) => ({ target: r.target, rules: r.rules, entriesPerSec: r.entriesPerSec, rounds: r.rounds, cpuMicrosPerEntry: r.medianCpuMicrosPerEntry, vsNull: nul ? r2(r.entriesPerSec / nul.entriesPerSec, 3) : null, vs1Rule: one && r.kind === 'switchyard' ? r2(r.entriesPerSec / one.entriesPerSec, 3) : null })),
    mostRules: most?.rules ?? null,
    ratioMostTo1Rule: ratio,
    cpuRatioMostTo1Rule: cpuRatio,
    target: 0.5,
    meetsTarget: ratio == null ? null : ratio >= 0.5,
  };
}

try {
  process.stdout.write('checking the rule generator against matchesEvent ... ');
  await checkWorkload(Math.max(...cfg.rules));
  log('ok');
  if (cfg.withNull) {
    const handle = await startNull({ pinCpu: SERVER_CPU });
    targets.push({ name: 'null', kind: 'null', rules: null, handle });
    targetInfo.null = { description: 'bench/events/null-server.mjs: node:http, JSON.parse, a UUID per entry, matches and delivers nothing', pid: handle.pid };
    log(`[null] pid ${handle.pid} ${handle.endpoint}`);
  }
  for (const n of cfg.rules) {
    process.stdout.write(`[switchyard-${n}] starting and creating ${n} rules ... `);
    const t = await setupSwitchyard(n);
    targets.push(t);
    targetInfo[t.name] = { description: `node ${path.relative(REPO, SWITCHYARD_BIN)}, ${n} rules on the default bus`, pid: t.handle.pid, ...t.info };
    log(`pid ${t.handle.pid}, ${t.info.nearMisses} near misses, started in ${t.info.startMs} ms, rules in ${t.info.setupSec}s (${t.info.rulesPerSec}/s), RSS ${t.info.rssAfterSetupMiB} MiB; SDK smoke check ok`);
  }
  for (let round = 1; round <= cfg.rounds; round++) {
    if (cfg.rounds > 1) log(`\n--- round ${round} of ${cfg.rounds} ---`);
    for (const t of targets) {
      process.stdout.write(`  ${t.name.padEnd(18)} `);
      const row = await measure(t, round);
      results.push(row);
      writeReport(false);
      log(
        `${fmt(row.entriesPerSec).padStart(9)} entries/s (${fmt(row.reqPerSec)} req/s over ${row.seconds}s)  p50 ${row.latencyMs.p50} ms  p99 ${row.latencyMs.p99} ms  ` +
          `srv ${row.serverCores} cores, ${row.cpuMicrosPerEntry} us/entry  client ${row.clientCores}` +
          (row.idleServersCores > 0.05 ? `  idle servers ${row.idleServersCores}` : '') +
          (row.otherCores - row.idleServersCores > 0.2 ? `  NOISY: other processes ${r2(row.otherCores - row.idleServersCores)} cores` : '') +
          (row.expectedDeliveries != null ? `  deliveries ${fmt(row.deliveries)} = expected, canary 0` : ''),
      );
    }
  }
} catch (e) {
  failure = e.message;
  console.error(`\n${e instanceof CheckFailed ? 'CHECK FAILED' : 'FAILED'}: ${e.message}`);
  if (!(e instanceof CheckFailed)) console.error(e.stack);
}

for (const t of targets) await t.handle.stop();

// ------------------------------------------------------------------ report

const report = writeReport(failure == null);
const s = report.summary;
const nullRow = s.medians.find((r) => r.rules == null);
log('\n| server | rules | entries/s | × 1 rule | × null | server CPU µs/entry | p50 / p99 ms | rounds (entries/s) |');
log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
for (const r of s.medians) {
  const row = medians().find((x) => x.target === r.target);
  log(
    `| ${r.rules == null ? 'null handler' : 'switchyard'} | ${r.rules == null ? '-' : fmt(r.rules)} | ${fmt(r.entriesPerSec)} | ${r.vs1Rule ?? '-'} | ${nullRow ? r.vsNull : '-'} | ${r.cpuMicrosPerEntry ?? '-'} | ${row.latencyMs.p50} / ${row.latencyMs.p99} | ${r.rounds.map(fmt).join(' / ')} |`,
  );
}
if (s.ratioMostTo1Rule != null)
  log(
    `\n${fmt(s.mostRules)} rules / 1 rule: ${s.ratioMostTo1Rule} of the entries/s (target >= ${s.target}: ${s.meetsTarget ? 'met' : 'NOT MET'}); ` +
      `by server CPU per entry: ${s.cpuRatioMostTo1Rule}`,
  );
log(`\nwrote ${path.relative(process.cwd(), cfg.out)} (${report.wallSeconds}s total)`);
if (failure) process.exit(1);
if (cfg.requireTarget && s.meetsTarget === false) process.exit(2);
process.exit(0);
