// A benchmark's server: its own child process in its own process group, optionally pinned to one
// CPU with taskset, on a free 127.0.0.1 port, output to a log file; stopped by the harness by its
// pid (SIGTERM, then SIGKILL). Shared by bench/events and bench/sns (bench/sqs/lib/targets.mjs
// keeps its own, which starts the peer emulators too).
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO } from '../sqs/lib/targets.mjs';
import { freePort, sleep, waitForPort } from '../sqs/lib/proc.mjs';

const LOG_DIR = path.join(os.tmpdir(), 'switchyard-bench-logs');
const live = new Set();

/** Kill every child started by spawnServer (process groups, by pid). */
export function killAll(signal = 'SIGKILL') {
  for (const child of live) {
    try {
      process.kill(-child.pid, signal);
    } catch {
      /* gone */
    }
  }
}

/** `prefix` names the benchmark in the log file's name (`events-switchyard-PORT.log`). */
export async function spawnServer({ prefix, name, args, env = {}, pinCpu, readyTimeoutMs = 20_000 }) {
  const port = await freePort();
  mkdirSync(LOG_DIR, { recursive: true });
  const logFile = path.join(LOG_DIR, `${prefix}-${name}-${port}.log`);
  const fd = openSync(logFile, 'w');
  const argv = [...args, '--port', String(port)];
  const [file, fileArgs] = pinCpu != null ? ['taskset', ['-c', String(pinCpu), process.execPath, ...argv]] : [process.execPath, argv];
  const child = spawn(file, fileArgs, { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  live.add(child);
  let exited = null;
  child.on('exit', (code, sig) => {
    exited = { code, sig };
    live.delete(child);
  });
  const handle = {
    name,
    pid: child.pid, // taskset execs, so this is the server's own pid
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

// SWITCHYARD_DIST points the harness at another build (default: ./dist), as in bench/sqs.
export const SWITCHYARD_BIN = path.join(path.resolve(REPO, process.env.SWITCHYARD_DIST ?? 'dist'), 'bin', 'switchyard.js');

export function switchyardAvailable() {
  return existsSync(SWITCHYARD_BIN)
    ? { ok: true }
    : { ok: false, reason: `${path.relative(REPO, SWITCHYARD_BIN)} missing (run \`npm run build\`)` };
}
