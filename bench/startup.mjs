#!/usr/bin/env node
// Start-up and footprint: the time from spawning `node dist/bin/switchyard.js --port 0` to the
// first successful request (GET /_switchyard/health), and the idle RSS once it has settled.
//
//   npm run build && node bench/startup.mjs            # 10 runs, table on stdout
//   node bench/startup.mjs --runs 20 --settle 3000 --json
//
// Each run spawns a fresh process, reads the endpoint from its start line, and polls the health
// URL over plain node:http (a new connection per try, as a container's HEALTHCHECK does) until it
// answers 200. "ready" is spawn -> that 200 received; "line" is spawn -> the start line. Then the
// process is left alone for --settle ms (background work at start: the SNS signing key) and its
// VmRSS and VmHWM are read from /proc/<pid>/status. A bare node:http server is measured the same
// way first, as the floor this machine's node sets. Targets (issue 6): ready < 300 ms, idle RSS < 60 MB.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: process.env.BENCH_RUNS ?? '10' },
    settle: { type: 'string', default: process.env.BENCH_SETTLE ?? '2000' },
    dist: { type: 'string', default: process.env.SWITCHYARD_DIST ?? 'dist' },
    'no-baseline': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  process.stdout.write('node bench/startup.mjs [--runs 10] [--settle 2000] [--dist dist] [--no-baseline] [--json]\n');
  process.exit(0);
}
const runs = Number(args.runs);
const settleMs = Number(args.settle);
const root = fileURLToPath(new URL('..', import.meta.url));
const cli = `${root}${args.dist}/bin/switchyard.js`;
if (!existsSync(cli)) {
  process.stderr.write(`bench/startup: ${cli} is missing; run npm run build first\n`);
  process.exit(1);
}

const BARE = `const s = require('node:http').createServer((q, r) => { r.setHeader('content-type', 'application/json'); r.end('{"status":"ok"}'); });
s.listen(0, '127.0.0.1', () => process.stdout.write('listening on http://127.0.0.1:' + s.address().port + '\\n'));`;

function healthOnce(url) {
  return new Promise((resolve) => {
    const req = get(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('error', () => resolve(false));
  });
}

function procStatus(pid) {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { rssMB: kb('VmRSS') / 1024, hwmMB: kb('VmHWM') / 1024 };
}

async function once(argv) {
  const t0 = performance.now();
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: root });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  try {
    const endpoint = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = /(http:\/\/\S+?:\d+)/.exec(out);
        if (m) resolve(m[1]);
      });
      exited.then(({ code }) => reject(new Error(`exited with ${code} before its start line: ${stderr.trim()}`)));
    });
    const line = performance.now() - t0;
    const url = `${endpoint}/_switchyard/health`;
    while (!(await healthOnce(url))) {
      if (performance.now() - t0 > 10_000) throw new Error(`${url} did not answer 200 within 10 s`);
    }
    const ready = performance.now() - t0;
    await new Promise((r) => setTimeout(r, settleMs));
    const mem = procStatus(child.pid);
    return { line, ready, ...mem };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

function stats(values) {
  const s = [...values].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return { median: at(0.5), min: s[0], max: s[s.length - 1], p90: at(0.9) };
}

async function measure(name, argv) {
  await once(argv); // warm the file-system cache; not counted
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(await once(argv));
  return {
    name,
    runs,
    line: stats(samples.map((s) => s.line)),
    ready: stats(samples.map((s) => s.ready)),
    rssMB: stats(samples.map((s) => s.rssMB)),
    hwmMB: stats(samples.map((s) => s.hwmMB)),
  };
}

const results = [];
if (!args['no-baseline']) results.push(await measure('bare node:http server', ['-e', BARE]));
results.push(await measure('switchyard (CLI)', [cli, '--port', '0']));

if (args.json) {
  process.stdout.write(`${JSON.stringify({ node: process.version, runs, settleMs, results }, null, 2)}\n`);
} else {
  const f = (n) => n.toFixed(0);
  const m = (n) => n.toFixed(1);
  process.stdout.write(`node ${process.version}, ${runs} runs each, RSS read ${settleMs} ms after ready\n\n`);
  process.stdout.write('| process | ready ms: median (min-max, p90) | start line ms (median) | idle RSS MB: median (min-max) | peak RSS MB (median) |\n');
  process.stdout.write('|---|---|---|---|---|\n');
  for (const r of results)
    process.stdout.write(
      `| ${r.name} | ${f(r.ready.median)} (${f(r.ready.min)}-${f(r.ready.max)}, ${f(r.ready.p90)}) | ${f(r.line.median)} | ${m(r.rssMB.median)} (${m(r.rssMB.min)}-${m(r.rssMB.max)}) | ${m(r.hwmMB.median)} |\n`,
    );
  const sy = results[results.length - 1];
  const okReady = sy.ready.median < 300;
  const okRss = sy.rssMB.median < 60;
  process.stdout.write(`\ntargets: ready < 300 ms ${okReady ? 'met' : 'MISSED'}, idle RSS < 60 MB ${okRss ? 'met' : 'MISSED'}\n`);
}
