/**
 * The Switchyard under soak runs in a child process, so that its memory is its own (the 50 SDK
 * clients and the ledger live in the test process) and so that it can be killed with SIGKILL.
 * The child is src/ transpiled by test/persist-build.ts, started with `--expose-gc`; it answers
 * over the IPC channel with its memory after a full collection, and reports internal errors
 * (Switchyard's `onError`: a bug, never a client mistake) the same way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO, transpileSources } from '../persist-build.js';

const CHILD = `import { startSwitchyard } from './src/index.js';
const options = JSON.parse(process.argv[2]);
const sy = await startSwitchyard({
  ...options,
  port: 0,
  onError: (err) => process.send?.({ type: 'internal-error', message: String(err && err.stack || err) }),
});
process.on('message', (m) => {
  if (m.type === 'memory') {
    // Twice: the first collection can leave weak references for the second one.
    globalThis.gc?.();
    globalThis.gc?.();
    const u = process.memoryUsage();
    process.send({ type: 'memory', id: m.id, heapUsed: u.heapUsed, rss: u.rss, external: u.external, arrayBuffers: u.arrayBuffers, gc: typeof globalThis.gc === 'function' });
  }
});
process.on('SIGTERM', () => sy.stop().then(() => process.exit(0)));
// The test process is gone (a crash, a timeout): so is this one.
process.on('disconnect', () => process.exit(1));
process.send({ type: 'ready', endpoint: sy.endpoint, recovered: sy.persistence?.report.messages ?? 0, warnings: sy.persistence?.report.warnings ?? [] });
`;

let built: string | undefined;

/**
 * src/ transpiled once per test process (a second or so), into a folder of its own (`npm test`
 * and `npm run soak` may run at once), removed when the process exits.
 */
export function soakBuild(): string {
  if (built) return built;
  // Folders of test processes that are gone (one killed before its cleanup) go first.
  const cache = path.join(REPO, 'node_modules', '.cache');
  for (const name of fs.existsSync(cache) ? fs.readdirSync(cache) : []) {
    const pid = /^switchyard-soak-build-(\d+)$/.exec(name)?.[1];
    if (pid && !alive(Number(pid))) fs.rmSync(path.join(cache, name), { recursive: true, force: true });
  }
  const out = transpileSources(`switchyard-soak-build-${process.pid}`);
  fs.writeFileSync(path.join(out, 'soak-child.mjs'), CHILD);
  return (built = out);
}

/** After the last server has stopped. */
export function removeSoakBuild(): void {
  if (built) fs.rmSync(built, { recursive: true, force: true });
  built = undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface ChildOptions {
  dataDir?: string;
  traceCapacity?: number;
  faults?: { seed?: number };
}

export interface Memory {
  heapUsed: number;
  rss: number;
  external: number;
  arrayBuffers: number;
  /** Whether a full collection ran before the measurement. */
  gc: boolean;
}

export class SoakServer {
  readonly internalErrors: string[] = [];
  private stderr = '';
  private nextId = 0;
  private readonly waiting = new Map<number, (m: Memory) => void>();
  private exited: Promise<void>;

  private constructor(
    readonly child: ChildProcess,
    readonly endpoint: string,
    /** With a data directory: the messages start-up recovered, and its warnings. */
    readonly recovered: number,
    readonly warnings: string[],
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.stderr!.on('data', (d) => (this.stderr += d));
    child.on('message', (m: { type: string; id?: number; message?: string } & Memory) => {
      if (m.type === 'internal-error') this.internalErrors.push(m.message!);
      if (m.type === 'memory') {
        const done = this.waiting.get(m.id!);
        this.waiting.delete(m.id!);
        done?.(m);
      }
    });
  }

  static async start(options: ChildOptions): Promise<SoakServer> {
    const build = soakBuild();
    const child = spawn(process.execPath, ['--expose-gc', path.join(build, 'soak-child.mjs'), JSON.stringify(options)], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    const onErr = (d: Buffer): void => void (stderr += d);
    child.stderr!.on('data', onErr);
    const ready = await new Promise<{ endpoint: string; recovered: number; warnings: string[] }>((resolve, reject) => {
      const onExit = (code: number | null): void => reject(new Error(`Switchyard child exited ${code} before it was ready: ${stderr}`));
      child.once('exit', onExit);
      child.once('message', (m: { type: string; endpoint: string; recovered: number; warnings: string[] }) => {
        child.off('exit', onExit);
        if (m.type === 'ready') resolve(m);
        else reject(new Error(`unexpected first message from the child: ${JSON.stringify(m)}`));
      });
    });
    child.stderr!.off('data', onErr);
    const server = new SoakServer(child, ready.endpoint, ready.recovered, ready.warnings);
    server.stderr = stderr;
    return server;
  }

  /** Heap and RSS after two full collections. */
  memory(): Promise<Memory> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, resolve);
      if (!this.child.send({ type: 'memory', id })) reject(new Error('the child is gone'));
    });
  }

  get stderrText(): string {
    return this.stderr;
  }

  /** SIGKILL: no flush, no goodbye. Resolves once the process is gone. */
  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** A graceful stop (SIGTERM: answer what is in flight, flush, exit 0). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    await this.exited;
  }
}
