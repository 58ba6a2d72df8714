// Small /proc readers and process helpers (Linux only).
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import net from 'node:net';

let clkTck = 100;
try {
  clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  /* keep 100 */
}

/** CPU seconds (user+system, all threads) consumed so far by a process. */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // comm may contain spaces: fields after the closing paren are space separated
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); utime is field 14, stime field 15
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  return (utime + stime) / clkTck;
}

/** VmRSS / VmHWM of a process in bytes (null when unreadable). */
export function memory(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => {
      const m = status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'));
      return m ? Number(m[1]) * 1024 : null;
    };
    return { rss: kb('VmRSS'), hwm: kb('VmHWM'), threads: Number(status.match(/^Threads:\s+(\d+)/m)?.[1] ?? 0) };
  } catch {
    return { rss: null, hwm: null, threads: null };
  }
}

/** Soft limit on open files for this process. */
export function openFileLimit() {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const m = limits.match(/^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m);
    if (!m) return { soft: 1024, hard: 1024 };
    const n = (s) => (s === 'unlimited' ? Infinity : Number(s));
    return { soft: n(m[1]), hard: n(m[2]) };
  } catch {
    return { soft: 1024, hard: 1024 };
  }
}

/** Measure a process's CPU use over `ms` milliseconds, as a fraction of one core. */
export async function sampleCpu(pid, ms) {
  const c0 = cpuSeconds(pid);
  const t0 = performance.now();
  await sleep(ms);
  const c1 = cpuSeconds(pid);
  const wall = (performance.now() - t0) / 1000;
  return { cpuSeconds: c1 - c0, wallSeconds: wall, cores: (c1 - c0) / wall };
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/** A free TCP port on 127.0.0.1 (the OS picks; tiny race accepted). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Resolve once something accepts TCP connections on host:port, or throw after timeoutMs. */
export async function waitForPort(port, host, timeoutMs, isAlive = () => true) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error('process exited before listening');
    const ok = await new Promise((resolve) => {
      const s = net.connect({ port, host });
      s.setTimeout(500);
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('timeout', () => {
        s.destroy();
        resolve(false);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`nothing listening on ${host}:${port} after ${timeoutMs} ms`);
}

/** Try to pin the current process to one CPU (used for the load generator). */
export function pinSelf(cpu) {
  try {
    execFileSync('taskset', ['-pc', String(cpu), String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function hasTaskset() {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Whole-machine CPU counters from /proc/stat, in seconds: busy and total, summed over CPUs. */
export function machineCpu() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait = 0, irq = 0, softirq = 0, steal = 0] = v;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy: busy / clkTck, total: (busy + idle + iowait) / clkTck };
}

/**
 * Start a CPU accounting window: server process, this (load generator)
 * process and the rest of the machine. end() returns cores used by each over
 * the window; "otherCores" is CPU used by anything else on the machine (another
 * session's build or tests), i.e. noise that makes the numbers less reliable.
 */
export function cpuWindow(pid) {
  const s0 = cpuSeconds(pid);
  const c0 = process.cpuUsage();
  const m0 = machineCpu();
  const t0 = performance.now();
  return {
    end() {
      const wall = (performance.now() - t0) / 1000;
      const server = cpuSeconds(pid) - s0;
      const c = process.cpuUsage(c0);
      const client = (c.user + c.system) / 1e6;
      const m1 = machineCpu();
      const machine = m1.busy - m0.busy;
      const r2 = (x) => Math.round(x * 100) / 100;
      return {
        wall,
        serverCores: r2(server / wall),
        clientCores: r2(client / wall),
        otherCores: r2(Math.max(0, (machine - server - client) / wall)),
      };
    },
  };
}

/** Number of open file descriptors of a process (null when unreadable). */
export function openFds(pid) {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return null;
  }
}
