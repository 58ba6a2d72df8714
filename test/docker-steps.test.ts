/**
 * The Dockerfile's steps without a Docker engine: the file is read, and what each stage does is
 * done in a clean temporary directory, with the Dockerfile's own commands.
 *
 *  build stage: copy what it copies from the repository, run its RUN line as written
 *               (npm ci, which compiles through the prepare script, then npm prune --omit=dev);
 *  final stage: copy what it copies from the build stage and from the repository, and start its
 *               ENTRYPOINT with its ENV, as a non-root user when this runs as root (USER), with
 *               the VOLUME as the data directory; then run its HEALTHCHECK command.
 *
 * npm ci reuses the npm cache (npm_config_prefer_offline) and reaches the registry only for what
 * the cache lacks. SWITCHYARD_SKIP_DOCKER_STEPS=1 skips this file (CI never sets it).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

// ---------------------------------------------------------------------------------------
// Reading the Dockerfile

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  from: string;
  name?: string;
  steps: Instruction[];
}

function parseDockerfile(text: string): Stage[] {
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  const stages: Stage[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\w+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`cannot read Dockerfile line: ${line}`);
    const op = m[1].toUpperCase();
    const args = m[2].trim();
    if (op === 'FROM') {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args)!;
      stages.push({ from: f[1], name: f[2], steps: [] });
    } else stages[stages.length - 1].steps.push({ op, args });
  }
  return stages;
}

const DOCKERFILE = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const STAGES = parseDockerfile(DOCKERFILE);
const BUILD = STAGES[0];
const FINAL = STAGES[STAGES.length - 1];
const all = (stage: Stage, op: string) => stage.steps.filter((s) => s.op === op).map((s) => s.args);
const one = (stage: Stage, op: string) => {
  const found = all(stage, op);
  expect(found, `one ${op} in the stage from ${stage.from}`).toHaveLength(1);
  return found[0];
};

/** COPY [--from=x] src... dest, as [from, sources, dest]. */
function copies(stage: Stage): { from?: string; sources: string[]; dest: string }[] {
  return all(stage, 'COPY').map((args) => {
    const words = args.split(/\s+/);
    const from = words[0].startsWith('--from=') ? words.shift()!.slice('--from='.length) : undefined;
    const dest = words.pop()!;
    return { from, sources: words, dest };
  });
}

/** HEALTHCHECK ... CMD ["a", "b"] (exec form). */
function healthcheckCommand(): string[] {
  const args = one(FINAL, 'HEALTHCHECK');
  const cmd = /\bCMD\s+(\[.*\])\s*$/.exec(args);
  expect(cmd, 'HEALTHCHECK in exec form').not.toBeNull();
  return JSON.parse(cmd![1]) as string[];
}

// ---------------------------------------------------------------------------------------

const skip = process.env.SWITCHYARD_SKIP_DOCKER_STEPS === '1';
const work = mkdtempSync(join(tmpdir(), 'switchyard-docker-'));
const buildDir = join(work, 'build', 'app');
const imageDir = join(work, 'image', 'app');
const volume = join(work, 'volume', 'data');
const children = new Set<ChildProcess>();

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

/** A clean environment, as a docker build has: no npm_* or vitest variables from this run. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', HOME: process.env.HOME ?? '/root', ...extra };
}

/** As root, the final stage's processes run as nobody (the image's USER is unprivileged). */
const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe.skipIf(skip)('the Dockerfile, step by step', () => {
  it('says what the issue asks: node 20 slim, two stages, production only, non-root, port, health, volume', () => {
    expect(STAGES).toHaveLength(2);
    expect(BUILD.from).toBe('node:20-slim');
    expect(FINAL.from).toBe('node:20-slim');
    expect(one(BUILD, 'RUN')).toMatch(/npm prune --omit=dev/);
    expect(one(FINAL, 'USER')).toBe('node');
    expect(one(FINAL, 'EXPOSE')).toBe('4566');
    expect(one(FINAL, 'VOLUME')).toBe('/data');
    expect(one(FINAL, 'ENV')).toBe('NODE_ENV=production');
    const entry = JSON.parse(one(FINAL, 'ENTRYPOINT')) as string[];
    expect(entry).toEqual(['node', 'dist/bin/switchyard.js', '--host', '0.0.0.0', '--data-dir', '/data']);
    expect(healthcheckCommand().join(' ')).toContain('/_switchyard/health');
    expect(copies(FINAL).some((c) => c.from === undefined && c.sources.includes('ui'))).toBe(true);
    // Nothing copied is excluded by .dockerignore.
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
    for (const c of copies(BUILD)) for (const s of c.sources) expect(ignored).not.toContain(s);
  });

  describe('built and started in a clean directory', () => {
    beforeAll(() => {
      // Build stage: the repository's files the Dockerfile copies, then its RUN line as written.
      mkdirSync(buildDir, { recursive: true });
      for (const c of copies(BUILD)) {
        expect(c.from).toBeUndefined();
        const dest = join(buildDir, c.dest);
        for (const s of c.sources) cpSync(join(ROOT, s), c.sources.length > 1 || c.dest.endsWith('/') ? join(dest, s) : dest, { recursive: true });
      }
      for (const run of all(BUILD, 'RUN'))
        execFileSync('sh', ['-c', run], { cwd: buildDir, env: cleanEnv({ npm_config_prefer_offline: 'true', npm_config_update_notifier: 'false' }), stdio: 'pipe', timeout: 150_000 });
      // Final stage: from the build stage and from the repository.
      mkdirSync(imageDir, { recursive: true });
      for (const c of copies(FINAL)) {
        const base = c.from ? buildDir : ROOT;
        const dest = join(imageDir, c.dest);
        for (const s of c.sources) {
          const src = join(base, s.replace(/^\/app\/?/, ''));
          cpSync(src, c.sources.length > 1 || (c.dest.endsWith('/') && !s.endsWith('/')) ? join(dest, s.split('/').pop()!) : dest, { recursive: true });
        }
      }
      mkdirSync(volume, { recursive: true });
      if (asUser) {
        // What USER node needs: read the app, own the volume.
        for (const d of [work, join(work, 'image'), imageDir, join(work, 'volume')]) chmodSync(d, 0o755);
        chownSync(volume, asUser.uid, asUser.gid);
      }
    }, 180_000);

    it('the image holds production dependencies only, the compiled CLI and the UI', () => {
      expect(readdirSync(imageDir).sort()).toEqual(['dist', 'node_modules', 'package.json', 'ui']);
      expect(existsSync(join(imageDir, 'dist', 'bin', 'switchyard.js'))).toBe(true);
      expect(existsSync(join(imageDir, 'ui', 'index.html'))).toBe(true);
      const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
      for (const dep of Object.keys(pkg.dependencies)) expect(existsSync(join(imageDir, 'node_modules', dep)), dep).toBe(true);
      // A package only the tests need is absent; one the tests name that production code also
      // needs through a dependency (@smithy/core, under the SDK clients) is rightly there.
      const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
      const devOnly = Object.keys(pkg.devDependencies).filter((dep) => lock.packages[`node_modules/${dep}`]?.dev === true);
      expect(devOnly.length).toBeGreaterThan(10);
      for (const dep of devOnly) expect(existsSync(join(imageDir, 'node_modules', dep)), dep).toBe(false);
    });

    it('the ENTRYPOINT serves on every interface, the HEALTHCHECK passes, the volume keeps the data, SIGTERM exits 0', async () => {
      const port = await freePort();
      const env: Record<string, string> = { SWITCHYARD_PORT: String(port) };
      for (const e of all(FINAL, 'ENV')) {
        const [k, ...v] = e.split('=');
        env[k] = v.join('=');
      }
      const volumePath = one(FINAL, 'VOLUME');
      const [cmd, ...args] = (JSON.parse(one(FINAL, 'ENTRYPOINT')) as string[]).map((a) => (a === volumePath ? volume : a));
      expect(cmd).toBe('node');
      const health = healthcheckCommand();
      expect(health[0]).toBe('node');
      const healthcheck = () =>
        new Promise<number | null>((resolve) => {
          const c = spawn(process.execPath, health.slice(1), { cwd: imageDir, env: cleanEnv(env), stdio: 'ignore', ...asUser });
          c.once('exit', (code) => resolve(code));
        });
      // Before the server runs, the check fails: it really asks.
      expect(await healthcheck()).toBe(1);

      const startServer = () => {
        const child = spawn(process.execPath, args, { cwd: imageDir, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'], ...asUser });
        children.add(child);
        let out = '';
        let err = '';
        child.stdout!.on('data', (d) => (out += d));
        child.stderr!.on('data', (d) => (err += d));
        const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
        const ready = new Promise<string>((resolve, reject) => {
          child.stdout!.on('data', () => {
            const m = /listening on (http:\/\/\S+?:\d+) /.exec(out);
            if (m) resolve(m[1]);
          });
          void exit.then((code) => reject(new Error(`exited with ${code}: ${err}`)));
        });
        return { child, ready, exit, stdout: () => out, stderr: () => err };
      };

      const first = startServer();
      const endpoint = await first.ready;
      expect(endpoint).toBe(`http://localhost:${port}`);
      expect(first.stdout()).toContain(`; data: ${volume}, fsync periodic)`);
      // 0.0.0.0: reachable on an address other than 127.0.0.1 (as through docker's -p).
      expect(await canConnect('127.0.0.2', port)).toBe(true);
      expect(await healthcheck()).toBe(0);
      const res = await fetch(`http://127.0.0.1:${port}/_switchyard/health`);
      expect(((await res.json()) as { status: string }).status).toBe('ok');
      expect((await fetch(`http://127.0.0.1:${port}/_switchyard/`)).status).toBe(200);

      const call = async (op: string, input: object) => {
        const r = await fetch(`http://127.0.0.1:${port}/`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${op}` },
          body: JSON.stringify(input),
        });
        return (await r.json()) as Record<string, any>;
      };
      const { QueueUrl } = await call('CreateQueue', { QueueName: 'in-the-volume' });
      await call('SendMessage', { QueueUrl, MessageBody: 'kept' });
      first.child.kill('SIGTERM'); // docker stop
      expect(await first.exit).toBe(0);
      const kept = readdirSync(volume);
      expect(kept.length).toBeGreaterThan(0);
      // Written by the unprivileged user the image runs as.
      if (asUser) for (const f of kept) expect(statSync(join(volume, f)).uid).toBe(asUser.uid);

      // docker start again: the volume brings the message back.
      const second = startServer();
      await second.ready;
      const got = await call('ReceiveMessage', { QueueUrl: `http://127.0.0.1:${port}/000000000000/in-the-volume` });
      expect(got.Messages?.map((m: { Body: string }) => m.Body)).toEqual(['kept']);
      second.child.kill('SIGTERM');
      expect(await second.exit).toBe(0);
    });
  });
});
