#!/usr/bin/env node
// SQS benchmark harness: Switchyard vs. a null handler vs. peer emulators
// (goaws, fauxqs, ElasticMQ, moto), all measured in the same run.
//
//   npm run bench                                   # everything (~5 min)
//   node bench/sqs/run.mjs --quick                  # throughput only, 3 s runs
//   node bench/sqs/run.mjs --targets=null,switchyard --scenarios=send-json
//   BENCH_DURATION=10 npm run bench
//
// Options (flag or env):
//   --duration=S        BENCH_DURATION        seconds per measured run (6)
//   --warmup=S          BENCH_WARMUP          unmeasured warmup before each autocannon run (1)
//   --connections=N     BENCH_CONNECTIONS     autocannon connections / receive workers (16)
//   --targets=a,b       BENCH_TARGETS         null,switchyard,goaws,fauxqs,elasticmq,moto
//   --scenarios=a,b     BENCH_SCENARIOS       send-json,send-query,send-batch,receive-delete,
//                                             e2e-sdk-json,e2e-sdk-query,memory,longpoll
//                                             ("throughput" = the first four, "heavy" = memory,longpoll)
//   --heavy-targets=a   BENCH_HEAVY_TARGETS   targets that run memory/longpoll (switchyard)
//   --prefill=N         BENCH_PREFILL         messages pre-filled for receive-delete (100000)
//   --prefill-timeout=S BENCH_PREFILL_TIMEOUT cap on prefill time; slow servers get fewer (30)
//   --memory-messages=N BENCH_MEMORY_MESSAGES messages for the memory scenario (1000000)
//   --long-polls=N      BENCH_LONG_POLLS      idle long polls for the longpoll scenario (10000)
//   --e2e-samples=N     BENCH_E2E_SAMPLES     send->receive samples (200)
//   --jit-warmup=S      BENCH_JIT_WARMUP      unmeasured mixed load for JIT servers (ElasticMQ) (20)
//   --loadgen=raw       BENCH_LOADGEN         raw-socket closed loop instead of autocannon (auto:
//                                             raw only for servers that close every connection)
//   --no-pin            BENCH_PIN=0           don't pin servers to CPU 1 / harness to CPU 0
//   --hard-limit=S      BENCH_HARD_LIMIT      the whole run stops itself after this (1200)
//   --out=FILE          BENCH_OUT             results JSON (bench/results/latest.json)
//   --rounds=N          BENCH_ROUNDS          throughput runs per round target, median kept (3)
//   --round-targets=L   BENCH_ROUND_TARGETS   targets measured in every round (null,switchyard)
//   --quick                                   duration 3, warmup 0.5, throughput scenarios only, 1 round
// Env only: SWITCHYARD_DIST (build dir, default dist), SWITCHYARD_MODE=lib (use startSwitchyard()),
// SWITCHYARD_BENCH_ARGS (extra CLI args), ELASTICMQ_JAVA_OPTS, MOTO_SERVER (path).
import { writeFileSync, mkdirSync, renameSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { ALL_TARGETS, BENCH, REPO, killAll } from './lib/targets.mjs';
import { SCENARIOS, probeProtocols, warmTarget } from './lib/scenarios.mjs';
import { hasTaskset, pinSelf, openFileLimit } from './lib/proc.mjs';

// ------------------------------------------------------------------ config

// the SDK warns once per process on Node < 22; keep it out of the table
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const argv = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const m = a.match(/^--([^=]+)(?:=(.*))?$/);
    if (!m) throw new Error(`unknown argument ${a}`);
    return [m[1], m[2] ?? 'true'];
  }),
);
if (argv.help) {
  const src = (await import('node:fs')).readFileSync(new URL(import.meta.url), 'utf8');
  const lines = src.split('\n').slice(1);
  const head = lines.slice(0, lines.findIndex((l) => !l.startsWith('//')));
  console.log(head.map((l) => l.slice(3)).join('\n'));
  process.exit(0);
}
const opt = (flag, env, dflt) => argv[flag] ?? process.env[env] ?? dflt;
const num = (flag, env, dflt) => Number(opt(flag, env, dflt));
const quick = argv.quick === 'true';
const THROUGHPUT = ['send-json', 'send-query', 'send-batch', 'receive-delete'];
const HEAVY = ['memory', 'longpoll'];

const cfg = {
  duration: num('duration', 'BENCH_DURATION', quick ? 3 : 6),
  // Throughput on this shared machine drifts by +-20% from one 6 s run to the next; the
  // targets named in roundTargets are measured `rounds` times, interleaved, and the median kept.
  rounds: num('rounds', 'BENCH_ROUNDS', quick ? 1 : 3),
  roundTargets: opt('round-targets', 'BENCH_ROUND_TARGETS', 'null,switchyard').split(','),
  warmup: num('warmup', 'BENCH_WARMUP', quick ? 0.5 : 1),
  connections: num('connections', 'BENCH_CONNECTIONS', 16),
  prefill: num('prefill', 'BENCH_PREFILL', 100_000),
  prefillConcurrency: num('prefill-concurrency', 'BENCH_PREFILL_CONCURRENCY', 32),
  prefillTimeout: num('prefill-timeout', 'BENCH_PREFILL_TIMEOUT', 30),
  memoryMessages: num('memory-messages', 'BENCH_MEMORY_MESSAGES', 1_000_000),
  memoryTimeout: num('memory-timeout', 'BENCH_MEMORY_TIMEOUT', 180),
  longPolls: num('long-polls', 'BENCH_LONG_POLLS', 10_000),
  cpuWindow: num('cpu-window', 'BENCH_CPU_WINDOW', 5),
  jitWarmup: num('jit-warmup', 'BENCH_JIT_WARMUP', quick ? 5 : 20),
  loadgen: opt('loadgen', 'BENCH_LOADGEN', 'auto'),
  e2eSamples: num('e2e-samples', 'BENCH_E2E_SAMPLES', 200),
  e2eWarmup: num('e2e-warmup', 'BENCH_E2E_WARMUP', 10),
  e2eWait: num('e2e-wait', 'BENCH_E2E_WAIT', 5),
  e2eTimeout: num('e2e-timeout', 'BENCH_E2E_TIMEOUT', 60),
  pin: !(argv['no-pin'] === 'true' || process.env.BENCH_PIN === '0'),
  out: path.resolve(opt('out', 'BENCH_OUT', path.join(BENCH, 'results', 'latest.json'))),
};
const expand = (list) => list.flatMap((s) => (s === 'throughput' ? THROUGHPUT : s === 'heavy' ? HEAVY : s === 'all' ? Object.keys(SCENARIOS) : [s]));
const scenarioIds = expand(opt('scenarios', 'BENCH_SCENARIOS', quick ? 'throughput' : 'all').split(',').map((s) => s.trim()).filter(Boolean));
for (const id of scenarioIds) if (!SCENARIOS[id]) throw new Error(`unknown scenario ${id}; known: ${Object.keys(SCENARIOS).join(', ')}`);
const targetNames = opt('targets', 'BENCH_TARGETS', ALL_TARGETS.map((t) => t.name).join(',')).split(',').map((s) => s.trim()).filter(Boolean);
for (const n of targetNames) if (!ALL_TARGETS.some((t) => t.name === n)) throw new Error(`unknown target ${n}`);
const heavyTargets = opt('heavy-targets', 'BENCH_HEAVY_TARGETS', 'switchyard').split(',').map((s) => s.trim());
// the null baseline always runs first when any other target runs
const targets = ALL_TARGETS.filter((t) => targetNames.includes(t.name));

// -------------------------------------------------------------- lifecycle

let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    interrupted = true;
    console.error(`\n${sig}: stopping servers`);
    killAll('SIGKILL');
    process.exit(130);
  });
}
process.on('exit', () => killAll('SIGKILL'));

// overall bound: nothing here may run away
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

const results = [];
const targetInfo = {};
const notes = [];

log(`Switchyard SQS bench - ${new Date().toISOString()}`);
log(
  `node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; ` +
    `duration ${cfg.duration}s (+${cfg.warmup}s warmup), ${cfg.connections} connections; ` +
    (canPin ? `servers pinned to CPU ${SERVER_CPU}, load generator to CPU 0` : 'no CPU pinning') +
    `; fd limit ${openFileLimit().soft}`,
);
log(`scenarios: ${scenarioIds.join(', ')}`);
log(`targets:   ${targets.map((t) => t.name).join(', ')} (heavy scenarios on: ${heavyTargets.join(', ')})\n`);

function writeReport(complete) {
  const nullSendJson = results.find((r) => r.target === 'null' && r.scenario === 'send-json' && r.reqPerSec)?.reqPerSec ?? null;
  const report = {
    generatedAt: new Date().toISOString(),
    complete,
    commit,
    wallSeconds: Math.round((Date.now() - t0All) / 1000),
    machine: { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? null, memGiB: Math.round(os.totalmem() / 2 ** 30), kernel: os.release() },
    config: { ...cfg, out: path.relative(REPO, cfg.out), scenarios: scenarioIds, targets: targets.map((t) => t.name), heavyTargets, pinned: canPin, serverCpu: SERVER_CPU, loadGeneratorCpu: canPin ? 0 : null },
    baseline: { nullSendJsonReqPerSec: nullSendJson },
    targets: targetInfo,
    results,
    notes,
  };
  mkdirSync(path.dirname(cfg.out), { recursive: true });
  const tmp = `${cfg.out}.tmp`;
  writeFileSync(tmp, JSON.stringify(report, null, 2) + '\n');
  renameSync(tmp, cfg.out);
  return report;
}

const loadgenFor = (probe) => (cfg.loadgen === 'raw' || (cfg.loadgen === 'auto' && probe.closesConnections) ? 'raw' : 'autocannon');

async function withServer(target, fn) {
  const t0 = performance.now();
  const handle = await target.start({ pinCpu: SERVER_CPU });
  const startMs = Math.round(performance.now() - t0);
  try {
    const probe = await probeProtocols(handle);
    return await fn(handle, probe, startMs);
  } finally {
    await handle.stop();
  }
}

let round = 1;
function record(target, scenario, data) {
  const row = { scenario: scenario.id, title: scenario.title, kind: scenario.kind, target: target.name, round, ...data };
  results.push(row);
  writeReport(false); // keep partial results if the run is cut short
  return row;
}

function fmtRow(r) {
  if (r.error) return `error: ${r.error.split('\n')[0].slice(0, 160)}`;
  if (r.kind === 'throughput') {
    const extra = r.scenario === 'receive-delete' ? `  (${r.messagesPerSec} msg/s${r.drained ? ', drained' : ''})` : r.scenario === 'send-batch' ? `  (${r.messagesPerSec} msg/s)` : '';
    return `${r.reqPerSec} req/s  p50 ${r.latencyMs.p50} ms  p99 ${r.latencyMs.p99} ms  srv ${r.serverCores} cores  client ${r.clientCores}${r.otherCores > 0.2 ? `  OTHER ${r.otherCores}` : ''}${r.non2xx ? `  non2xx ${r.non2xx}` : ''}${r.errors && typeof r.errors === 'number' ? `  errors ${r.errors}` : ''}${extra}`;
  }
  if (r.kind === 'latency') return `p50 ${r.latencyMs.p50} ms  p99 ${r.latencyMs.p99} ms  (n=${r.samples})`;
  if (r.kind === 'memory') return `${r.messages} msgs: RSS ${r.rssMiB} MiB (idle ${r.idleRssMiB}), ~${r.bytesPerMessage} B/msg, fill ${r.fill.messagesPerSec} msg/s`;
  if (r.kind === 'longpoll')
    return `${r.opened} polls (opened in ${r.openSeconds}s, server fds ${r.serverOpenFds}${r.connectTimeouts ? `, ${r.connectTimeouts} connect timeouts` : ''}): CPU ${r.pollCpuPct}% vs idle ${r.idleCpuPct}%, RSS ${r.pollRssMiB} MiB (idle ${r.idleRssMiB}), answered in window ${r.answeredDuringWindow}, wake ${r.wakeLatencyMs ?? 'NONE'} ms${r.socketErrors ? `, ${r.socketErrors} socket errors` : ''}`;
  return JSON.stringify(r);
}

async function runScenario(target, handle, t, scenario) {
  const started = Date.now();
  process.stdout.write(`  ${scenario.id.padEnd(15)} `);
  try {
    const data = await scenario.run(handle, t, cfg);
    const row = record(target, scenario, { ...data, wallSec: Math.round((Date.now() - started) / 100) / 10 });
    log(fmtRow(row));
  } catch (e) {
    const row = record(target, scenario, { error: e.message, logTail: handle.logTail(8) });
    log(fmtRow(row));
    if (!handle.alive()) throw new Error(`${target.name} died during ${scenario.id}\n${handle.logTail()}`);
  }
}

async function runTarget(target, withHeavy) {
  const avail = target.available();
  targetInfo[target.name] = { description: target.description, available: avail.ok, detail: avail.detail ?? null, reason: avail.reason ?? null };
  if (!avail.ok) {
    log(`[${target.name}] skipped: ${avail.reason}`);
    notes.push(`${target.name} skipped: ${avail.reason}`);
    return;
  }
  const light = scenarioIds.map((id) => SCENARIOS[id]).filter((s) => !s.fresh);
  const heavy = withHeavy && heavyTargets.includes(target.name) ? scenarioIds.map((id) => SCENARIOS[id]).filter((s) => s.fresh) : [];
  try {
    if (light.length) {
      await withServer(target, async (handle, probe, startMs) => {
        const t = { name: target.name, isNull: !!target.isNull, spoken: probe.spoken, loadgen: loadgenFor(probe) };
        Object.assign(targetInfo[target.name], { protocols: probe.spoken, protocolErrors: probe.errors, closesConnections: probe.closesConnections, loadgen: t.loadgen, startMs });
        log(
          `[${target.name}] pid ${handle.pid}, ${handle.endpoint}, started in ${startMs} ms, speaks: ${probe.spoken.join(', ') || 'nothing?'}` +
            (probe.closesConnections ? ' (closes the connection after every answer: raw-loop load generator)' : ''),
        );
        if (target.jit && cfg.jitWarmup > 0 && probe.spoken.length) {
          process.stdout.write(`  ${'jit warmup'.padEnd(15)} `);
          const w = await warmTarget(handle, t, cfg.jitWarmup, cfg.connections);
          targetInfo[target.name].jitWarmup = w;
          log(`${w.seconds}s of mixed load, ${w.reqPerSec} req/s (not measured)`);
        }
        for (const s of light) {
          if (interrupted) break;
          if (!s.supports(t)) {
            record(target, s, { skipped: t.isNull ? 'n/a: the null handler stores nothing' : `not supported (speaks ${probe.spoken.join('/') || 'nothing'})` });
            continue;
          }
          await runScenario(target, handle, t, s);
        }
      });
    }
    for (const s of heavy) {
      if (interrupted) break;
      // memory and long polls get a freshly started server each
      await withServer(target, async (handle, probe) => {
        const t = { name: target.name, isNull: !!target.isNull, spoken: probe.spoken, loadgen: loadgenFor(probe) };
        targetInfo[target.name].protocols ??= probe.spoken;
        if (!s.supports(t)) {
          record(target, s, { skipped: 'not supported' });
          return;
        }
        log(`[${target.name}] fresh pid ${handle.pid} for ${s.id}`);
        await runScenario(target, handle, t, s);
      });
    }
  } catch (e) {
    log(`[${target.name}] failed: ${e.message}`);
    notes.push(`${target.name} failed: ${e.message.split('\n')[0]}`);
    targetInfo[target.name].error = e.message;
  }
}

for (const target of targets) {
  if (interrupted) break;
  await runTarget(target, true);
}
for (round = 2; round <= cfg.rounds && !interrupted; round++) {
  log(`\n--- round ${round} of ${cfg.rounds} (${cfg.roundTargets.join(', ')}) ---`);
  for (const target of targets.filter((t) => cfg.roundTargets.includes(t.name))) {
    if (interrupted) break;
    await runTarget(target, false);
  }
}

// Keep, per (target, throughput scenario), the round with the median req/s; list all rounds.
{
  const groups = new Map();
  for (const r of results) {
    if (r.kind !== 'throughput' || !r.reqPerSec) continue;
    const k = `${r.target} ${r.scenario}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(r);
  }
  for (const rows of groups.values()) {
    if (rows.length < 2) continue;
    const sorted = [...rows].sort((a, b) => a.reqPerSec - b.reqPerSec);
    const median = sorted[Math.floor((sorted.length - 1) / 2)];
    median.rounds = rows.map((r) => r.reqPerSec);
    for (const r of rows) if (r !== median) results.splice(results.indexOf(r), 1);
  }
  // Rows that only exist in later rounds (skips, errors) are duplicates of round 1's.
  for (let i = results.length - 1; i >= 0; i--) if (results[i].round > 1 && !results[i].rounds) results.splice(i, 1);
}

// ------------------------------------------------------------------ report

const nullOf = (scenario) => results.find((r) => r.target === 'null' && r.scenario === scenario && r.reqPerSec);
const nullSendJson = nullOf('send-json')?.reqPerSec ?? null;
for (const r of results) {
  if (r.kind !== 'throughput' || !r.reqPerSec) continue;
  const base = nullOf(r.scenario);
  r.vsNull = base ? Math.round((r.reqPerSec / base.reqPerSec) * 1000) / 1000 : null;
  r.vsNullSendJson = nullSendJson ? Math.round((r.reqPerSec / nullSendJson) * 1000) / 1000 : null;
  // Server CPU per request: steal time and other tenants slow the wall clock, not this, so it
  // is the steadier cost comparison on a shared machine. x null (cpu) = null's cost / ours.
  if (r.serverCores) r.cpuMicrosPerReq = Math.round((r.serverCores * 1e6) / r.reqPerSec * 10) / 10;
  if (base?.serverCores && r.cpuMicrosPerReq) r.vsNullCpu = Math.round((base.serverCores * 1e6 / base.reqPerSec / r.cpuMicrosPerReq) * 1000) / 1000;
}

const pad = (s, n) => String(s ?? '').padEnd(n);
const lpad = (s, n) => String(s ?? '').padStart(n);
log('\n=== throughput (req/s; x null = same scenario on the null handler, this run) ===');
log(`${pad('scenario', 16)}${pad('target', 12)}${pad('proto', 7)}${lpad('req/s', 9)}${lpad('x null', 8)}${lpad('msg/s', 9)}${lpad('p50 ms', 8)}${lpad('p99 ms', 8)}${lpad('srv cpu', 9)}${lpad('cpu us/req', 11)}${lpad('x null(cpu)', 12)}  note`);
for (const id of scenarioIds.filter((id) => SCENARIOS[id].kind === 'throughput')) {
  for (const r of results.filter((x) => x.scenario === id)) {
    if (r.skipped) {
      log(`${pad(id, 16)}${pad(r.target, 12)}${pad('-', 7)}${lpad('-', 9)}  ${r.skipped}`);
      continue;
    }
    if (r.error) {
      log(`${pad(id, 16)}${pad(r.target, 12)}${pad('-', 7)}${lpad('-', 9)}  ERROR ${r.error.split('\n')[0].slice(0, 90)}`);
      continue;
    }
    const note = [
      r.rounds ? `median of ${r.rounds.join('/')}` : '',
      r.loadgen === 'raw-loop' ? 'raw loop' : '',
      r.non2xx ? `${r.non2xx} non-2xx` : '',
      typeof r.errors === 'number' && r.errors ? `${r.errors} errors` : '',
      Array.isArray(r.errors) && r.errors.length ? `${r.errors.length}+ errors` : '',
      r.drained ? 'queue drained' : '',
      r.prefill && r.prefill.sent < cfg.prefill ? `prefill ${r.prefill.sent}` : '',
      r.clientCores > 0.95 ? 'client-bound?' : '',
      r.otherCores > 0.2 ? `NOISY: ${r.otherCores} cores used by other processes` : '',
    ].filter(Boolean).join(', ');
    log(
      `${pad(id, 16)}${pad(r.target, 12)}${pad(r.protocol, 7)}${lpad(r.reqPerSec, 9)}${lpad(r.vsNull != null ? r.vsNull.toFixed(2) : '-', 8)}${lpad(r.messagesPerSec ?? '', 9)}${lpad(r.latencyMs.p50, 8)}${lpad(r.latencyMs.p99, 8)}${lpad(r.serverCores, 9)}${lpad(r.cpuMicrosPerReq ?? '-', 11)}${lpad(r.vsNullCpu != null ? r.vsNullCpu.toFixed(2) : '-', 12)}  ${note}`,
    );
  }
}
const lat = results.filter((r) => r.kind === 'latency');
if (lat.length) {
  log('\n=== send -> receive latency through the AWS SDK (ms) ===');
  for (const r of lat) log(`${pad(r.scenario, 16)}${pad(r.target, 12)}${r.skipped ? r.skipped : r.error ? `ERROR ${r.error.slice(0, 100)}` : `p50 ${r.latencyMs.p50}  p90 ${r.latencyMs.p90}  p99 ${r.latencyMs.p99}  max ${r.latencyMs.max}  (n=${r.samples})`}`);
}
const heavyRows = results.filter((r) => r.kind === 'memory' || r.kind === 'longpoll');
if (heavyRows.length) {
  log('\n=== memory / long polls ===');
  for (const r of heavyRows) log(`${pad(r.scenario, 16)}${pad(r.target, 12)}${r.skipped ? r.skipped : fmtRow(r)}`);
}
for (const n of notes) log(`note: ${n}`);

const report = writeReport(true);
log(`\nwrote ${path.relative(process.cwd(), cfg.out)} (${report.wallSeconds}s total)`);
process.exit(0);
