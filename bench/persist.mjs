#!/usr/bin/env node
// SendMessage throughput with persistence off vs on (issue 6: "on" must keep >= 50% of "off").
//
//   npm run build && node bench/persist.mjs
//   node bench/persist.mjs --duration=5 --rounds=3 --connections=8
//
// Three modes, interleaved in every round: off (in memory), periodic (the default `--fsync`: each
// answered send was written to the journal file first; fdatasync in the background every second)
// and always (`--fsync always`: each answered send waited for its group's fdatasync).
//
// Each round starts a fresh Switchyard child process per mode (dist/src/index.js, the server
// pinned to CPU 1 and this harness to CPU 0 when taskset exists), creates a queue, and drives
// JSON-protocol SendMessage (200 B body, fake SigV4 header) from autocannon for the duration;
// modes alternate within a round, and the median of the rounds is reported. "on" runs with a
// data directory on the same filesystem as the repository (override: --data-root=DIR), so every
// answered send waited for its group's write + fdatasync.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { hasTaskset, pinSelf } from './sqs/lib/proc.mjs';
import { AUTH_HEADERS, JSON_CT, messageBody } from './sqs/lib/wire.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const duration = Number(argv.duration ?? 5);
const rounds = Number(argv.rounds ?? 3);
const connections = Number(argv.connections ?? 8);
const dataRoot = argv['data-root'] ?? path.join(REPO, 'node_modules', '.cache');
const entry = path.join(REPO, 'dist', 'src', 'index.js');
if (!fs.existsSync(path.join(REPO, 'dist', 'src', 'persist', 'index.js'))) {
  console.error('dist/ is missing or predates src/persist: run `npm run build` first');
  process.exit(2);
}
const pin = hasTaskset();
if (pin) pinSelf(0);

const CHILD = `
const { startSwitchyard } = await import(process.argv[1]);
const dataDir = process.argv[2] || undefined;
const sy = await startSwitchyard({ port: 0, dataDir, fsync: process.argv[3] || undefined });
console.log(sy.endpoint);
process.on('SIGTERM', () => sy.stop().then(() => process.exit(0)));
`;

async function server(dataDir, fsync) {
  const args = ['--input-type=module', '-e', CHILD, entry, dataDir ?? '', fsync ?? ''];
  const child = pin ? spawn('taskset', ['-c', '1', process.execPath, ...args], { stdio: ['ignore', 'pipe', 'inherit'] }) : spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const endpoint = await new Promise((resolve) => readline.createInterface({ input: child.stdout }).once('line', resolve));
  return {
    endpoint,
    stop: () => new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    }),
  };
}

async function call(endpoint, action, body) {
  const res = await fetch(endpoint, { method: 'POST', headers: { ...AUTH_HEADERS, 'content-type': JSON_CT, 'x-amz-target': `AmazonSQS.${action}` }, body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`${action}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function measure(mode) {
  const dir = mode !== 'off' ? fs.mkdtempSync(path.join(dataRoot, 'sy-bench-persist-')) : undefined;
  const s = await server(dir, mode === 'off' ? undefined : mode);
  try {
    const { QueueUrl } = await call(s.endpoint, 'CreateQueue', { QueueName: 'bench' });
    const body = JSON.stringify({ QueueUrl, MessageBody: messageBody(200, 1) });
    const opts = {
      url: `${s.endpoint}/`,
      connections,
      method: 'POST',
      headers: { ...AUTH_HEADERS, 'content-type': JSON_CT, 'x-amz-target': 'AmazonSQS.SendMessage' },
      body,
    };
    await autocannon({ ...opts, duration: 1 }); // warm-up
    const r = await autocannon({ ...opts, duration });
    if (r.non2xx || r.errors) throw new Error(`${mode}: ${r.non2xx} non-2xx, ${r.errors} errors`);
    return { reqPerSec: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99 };
  } finally {
    await s.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}

const MODES = ['off', 'periodic', 'always'];
const results = Object.fromEntries(MODES.map((m) => [m, []]));
// Per round, each mode's ratio to that round's "off": the modes of one round ran back to back,
// so a ratio is less exposed to this shared machine's swings than the medians of each column.
const roundRatios = { periodic: [], always: [] };
for (let i = 0; i < rounds; i++) {
  const round = {};
  for (const mode of MODES) {
    const r = await measure(mode);
    results[mode].push(r);
    round[mode] = r.reqPerSec;
    console.log(`round ${i + 1} ${mode.padEnd(8)} ${String(r.reqPerSec).padStart(6)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms`);
  }
  for (const m of ['periodic', 'always']) roundRatios[m].push(round[m] / round.off);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const med = Object.fromEntries(MODES.map((m) => [m, median(results[m].map((r) => r.reqPerSec))]));
const ratios = { periodic: median(roundRatios.periodic), always: median(roundRatios.always) };
console.log(`\nSendMessage, ${connections} connections, ${duration} s x ${rounds} rounds (medians): off ${med.off}, periodic ${med.periodic}, always ${med.always} req/s`);
for (const m of ['periodic', 'always'])
  console.log(`  ${m}/off: per-round ${roundRatios[m].map((r) => r.toFixed(2)).join(' / ')}, median ${ratios[m].toFixed(2)} (target >= 0.50: ${ratios[m] >= 0.5 ? 'met' : 'NOT met'})`);
console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? '?'} x${os.cpus().length}, data on ${dataRoot}, pinned: ${pin}`);
fs.writeFileSync(path.join(REPO, 'bench', 'results', 'persist-latest.json'), JSON.stringify({ date: new Date().toISOString(), connections, duration, rounds, results, roundRatios, ratios }, null, 2) + '\n');
