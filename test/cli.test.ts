/**
 * The command line as users run it: `node dist/bin/switchyard.js ...` in a child process, every
 * flag and environment variable, --help and --version, the exit codes, the start line, the
 * request log, the port-in-use error, and a graceful stop with requests in flight.
 *
 * dist/ is rebuilt (tsc) in beforeAll only when a source file is newer than the built CLI.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest, type Server } from 'node:http';
import { createServer as createNetServer, connect } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Logger } from '../src/cli/log.js';
import { UsageError, parseCommandLine } from '../src/cli/options.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'bin', 'switchyard.js');
const VERSION = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;

/** Newest modification time of the .ts files under `dir`. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

beforeAll(() => {
  const built = existsSync(CLI) ? statSync(CLI).mtimeMs : 0;
  if (Math.max(newestSource(join(ROOT, 'src')), newestSource(join(ROOT, 'bin'))) > built) {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
  }
}, 120_000);

// ---------------------------------------------------------------------------------------
// Running the CLI

interface Running {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** The endpoint from the start line; rejects if the process exits first. */
  ready: Promise<string>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

// Tests run concurrently (each spawns its own processes); whatever a failed test left running dies here.
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  children.clear();
});

/** The test runner's environment without any SWITCHYARD_* variable, plus `env`. */
function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('SWITCHYARD_')) out[k] = v;
  return { ...out, ...env };
}

function start(args: string[], env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, [CLI, ...args], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      // Let the last output arrive.
      setImmediate(() => resolve({ code, signal }));
    }),
  );
  const ready = new Promise<string>((resolve, reject) => {
    const check = () => {
      const m = /listening on (http:\/\/\S+?:\d+) /.exec(out);
      if (m) resolve(m[1]);
    };
    child.stdout!.on('data', check);
    void exit.then(({ code }) => reject(new Error(`exited with ${code} before listening; stderr: ${err}`)));
  });
  return { child, stdout: () => out, stderr: () => err, ready, exit };
}

/** Runs the CLI to its end (for flags that exit at once). */
async function run(args: string[], env: Record<string, string> = {}) {
  const r = start(args, env);
  r.ready.catch(() => {});
  const { code } = await r.exit;
  return { code, stdout: r.stdout(), stderr: r.stderr() };
}

async function stop(r: Running, signal: NodeJS.Signals = 'SIGTERM') {
  r.child.kill(signal);
  return r.exit;
}

/** An SQS JSON-protocol call, unsigned (so the default account and region apply). */
async function sqs(endpoint: string, operation: string, input: Record<string, unknown>) {
  const res = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${operation}` },
    body: JSON.stringify(input),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function events(endpoint: string, operation: string, input: Record<string, unknown>) {
  const res = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSEvents.${operation}` },
    body: JSON.stringify(input),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function queueArn(endpoint: string, name: string): Promise<{ url: string; arn: string }> {
  const created = await sqs(endpoint, 'CreateQueue', { QueueName: name });
  expect(created.status).toBe(200);
  const attrs = await sqs(endpoint, 'GetQueueAttributes', { QueueUrl: created.body.QueueUrl, AttributeNames: ['QueueArn'] });
  return { url: created.body.QueueUrl, arn: attrs.body.Attributes.QueueArn };
}

async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Can a TCP connection be opened to host:port? */
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

const tmpDirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'switchyard-cli-'));
  tmpDirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

const REQUEST_LINE = /^switchyard: (\S+) (\S+) (\d{3}) (\d+\.\d) ms$/gm;
function requestLines(stderr: string): string[][] {
  return [...stderr.matchAll(REQUEST_LINE)].map((m) => [m[1], m[2], m[3]]);
}

// ---------------------------------------------------------------------------------------

describe.concurrent('--help and --version', () => {
  it('--help lists every flag and environment variable, one line each, and exits 0', async () => {
    const { code, stdout, stderr } = await run(['--help']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const lines = stdout.split('\n');
    const lineOf = (word: string) => {
      const found = lines.filter((l) => new RegExp(`(^|\\s)${word.replace(/[<>]/g, '\\$&')}(\\s|=|$)`).test(l));
      expect(found, `one line for ${word}`).toHaveLength(1);
      return found[0];
    };
    const flags: [string, string][] = [
      ['--port', 'SWITCHYARD_PORT'],
      ['--host', 'SWITCHYARD_HOST'],
      ['--region', 'SWITCHYARD_REGION'],
      ['--account', 'SWITCHYARD_ACCOUNT'],
      ['--config', 'SWITCHYARD_CONFIG'],
      ['--data-dir', 'SWITCHYARD_DATA_DIR'],
      ['--fsync', 'SWITCHYARD_FSYNC'],
      ['--log-level', 'SWITCHYARD_LOG_LEVEL'],
      ['--template', 'SWITCHYARD_TEMPLATE'],
      ['--parameter', 'SWITCHYARD_PARAMETERS'],
    ];
    // A flag and its variable share their line.
    for (const [flag, env] of flags) expect(lineOf(flag)).toContain(env);
    expect(lineOf('--help')).toContain('-h');
    lineOf('--version');
    // Every variable config.ts reads, and the forward family.
    const configSource = readFileSync(join(ROOT, 'src', 'config.ts'), 'utf8');
    const read = new Set([...configSource.matchAll(/env\.(SWITCHYARD_[A-Z0-9_]+)/g)].map((m) => m[1]));
    expect(read.size).toBeGreaterThanOrEqual(8);
    for (const env of read) lineOf(env);
    lineOf('SWITCHYARD_FORWARD_<SERVICE>');
    // The defaults are stated.
    expect(lineOf('--port')).toContain('4566');
    expect(lineOf('--host')).toContain('127.0.0.1');
    expect(lineOf('--log-level')).toMatch(/error.*warn.*info.*debug/);
    // -h is the same text.
    expect((await run(['-h'])).stdout).toBe(stdout);
  });

  it('--version prints the package version and exits 0', async () => {
    const { code, stdout, stderr } = await run(['--version']);
    expect(code).toBe(0);
    expect(stdout).toBe(`${VERSION}\n`);
    expect(stderr).toBe('');
  });
});

describe.concurrent('mistakes: one line on stderr, exit code 2', () => {
  const cases: [string, string[], Record<string, string>, RegExp][] = [
    ['an unknown flag', ['--prot', '5000'], {}, /^switchyard: unknown option --prot \(see switchyard --help\)$/],
    ['an unknown short flag', ['-p', '5000'], {}, /^switchyard: unknown option -p /],
    ['a positional argument', ['serve'], {}, /^switchyard: unexpected argument "serve"/],
    ['a flag without its value', ['--port'], {}, /^switchyard: --port needs a value/],
    ['a flag followed by another flag', ['--host', '--port', '1'], {}, /^switchyard: --host needs a value/],
    ['a port that is no number', ['--port', 'abc'], {}, /^switchyard: --port must be an integer from 0 to 65535, got "abc"$/],
    ['a port out of range', ['--port=70000'], {}, /^switchyard: --port must be an integer from 0 to 65535, got "70000"$/],
    ['a bad host', ['--host', 'a b'], {}, /^switchyard: --host must be a host name or IP address/],
    ['a bad region', ['--region', 'US_EAST_1'], {}, /^switchyard: --region must be a region name such as us-east-1, got "US_EAST_1"$/],
    ['a short account', ['--account', '1234'], {}, /^switchyard: --account must be a 12-digit account id, got "1234"$/],
    ['an unknown log level', ['--log-level', 'loud'], {}, /^switchyard: --log-level must be one of error, warn, info, debug, got "loud"$/],
    ['an unknown fsync mode', ['--fsync', 'sometimes'], {}, /^switchyard: --fsync must be periodic or always, got "sometimes"$/],
    ['a bad SWITCHYARD_FSYNC', [], { SWITCHYARD_FSYNC: 'never' }, /^switchyard: SWITCHYARD_FSYNC must be periodic or always, got "never"$/],
    ['an empty config name', ['--config='], {}, /^switchyard: --config must be a file name/],
    ['a bad SWITCHYARD_PORT', [], { SWITCHYARD_PORT: 'http' }, /^switchyard: SWITCHYARD_PORT must be an integer from 0 to 65535, got "http"$/],
    ['a bad SWITCHYARD_ACCOUNT', [], { SWITCHYARD_ACCOUNT: 'abc' }, /^switchyard: SWITCHYARD_ACCOUNT must be a 12-digit account id/],
    ['a bad SWITCHYARD_REGION', [], { SWITCHYARD_REGION: 'Mars 1' }, /^switchyard: SWITCHYARD_REGION must be a region name/],
    ['a bad SWITCHYARD_LOG_LEVEL', [], { SWITCHYARD_LOG_LEVEL: 'verbose' }, /^switchyard: SWITCHYARD_LOG_LEVEL must be one of/],
    ['a bad SWITCHYARD_TRACE_CAPACITY', [], { SWITCHYARD_TRACE_CAPACITY: '0' }, /^switchyard: SWITCHYARD_TRACE_CAPACITY must be an integer from 1 /],
    ['a bad SWITCHYARD_RULES_PER_BUS', [], { SWITCHYARD_RULES_PER_BUS: 'many' }, /^switchyard: SWITCHYARD_RULES_PER_BUS must be an integer/],
    ['a forward endpoint that is no URL', [], { SWITCHYARD_FORWARD_LAMBDA: 'localhost:3001' }, /^switchyard: SWITCHYARD_FORWARD_LAMBDA must be an http:\/\/ or https:\/\/ URL/],
    ['an empty template name', ['--template='], {}, /^switchyard: --template must be a file name, got an empty value$/],
    ['a parameter without =', ['--parameter', 'Stage'], {}, /^switchyard: --parameter must be KEY=VALUE with an alphanumeric KEY \(a template parameter\), got "Stage"$/],
    ['a parameter whose key is no name', ['--parameter=my-key=1'], {}, /^switchyard: --parameter must be KEY=VALUE with an alphanumeric KEY/],
    ['a bad SWITCHYARD_PARAMETERS', [], { SWITCHYARD_PARAMETERS: 'Stage=prod =x' }, /^switchyard: SWITCHYARD_PARAMETERS must be KEY=VALUE with an alphanumeric KEY \(a template parameter\), got "=x"$/],
  ];
  it.each(cases)('%s', async (_what, args, env, message) => {
    const { code, stdout, stderr } = await run(args, env);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.endsWith('\n')).toBe(true);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr.trimEnd()).toMatch(message);
  });

  it('a flag wins over a bad variable for the same setting', async () => {
    const r = start(['--port', '0'], { SWITCHYARD_PORT: 'not-a-port' });
    await r.ready;
    expect((await stop(r)).code).toBe(0);
  });

  it('parses in-process the same way (flags over environment, --flag=value)', () => {
    const c = parseCommandLine(['--region=eu-west-1', '--log-level', 'DEBUG'], { SWITCHYARD_REGION: 'us-west-2', SWITCHYARD_ACCOUNT: '123456789012' });
    expect(c).toMatchObject({ kind: 'run', logLevel: 'debug', options: { region: 'eu-west-1', account: '123456789012' } });
    expect(() => parseCommandLine(['--nope'], {})).toThrow(UsageError);
    expect(parseCommandLine(['--port', 'x', '--help'], {})).toEqual({ kind: 'help' });
  });

  it('--template and --parameter repeat (each counts, in order); their variables take several; flags win', () => {
    const flags = parseCommandLine(['--template', 'a.yaml', '--parameter', 'Stage=prod', '--template=cdk.out/B.template.json', '--parameter=Url=http://x/?a=b'], {
      SWITCHYARD_TEMPLATE: 'ignored.yaml',
      SWITCHYARD_PARAMETERS: 'Ignored=1',
    });
    expect(flags).toMatchObject({ options: { templates: [{ file: 'a.yaml' }, { file: 'cdk.out/B.template.json' }], templateParameters: { Stage: 'prod', Url: 'http://x/?a=b' } } });
    const env = parseCommandLine([], { SWITCHYARD_TEMPLATE: 'a.yaml, b.yaml', SWITCHYARD_PARAMETERS: 'Stage=prod  Names=a,b' });
    expect(env).toMatchObject({ options: { templates: [{ file: 'a.yaml' }, { file: 'b.yaml' }], templateParameters: { Stage: 'prod', Names: 'a,b' } } });
    // A flag that does not repeat: the last one wins, as before.
    expect(parseCommandLine(['--region', 'eu-west-1', '--region', 'eu-west-2'], {})).toMatchObject({ options: { region: 'eu-west-2' } });
  });
});

describe.concurrent('starting', () => {
  it('prints one line: the endpoint, the UI address and the services; binds 127.0.0.1 by default', async () => {
    const r = start(['--port', '0']);
    const endpoint = await r.ready;
    const port = Number(new URL(endpoint).port);
    expect(r.stdout()).toBe(
      `switchyard ${VERSION} listening on http://127.0.0.1:${port} (UI: http://127.0.0.1:${port}/_switchyard/; services: sqs, events, sns)\n`,
    );
    // What the line names is there.
    const health = await fetch(`${endpoint}/_switchyard/health`);
    expect(await health.json()).toEqual({ status: 'ok', version: VERSION, services: ['sqs', 'events', 'sns'] });
    const ui = await fetch(`${endpoint}/_switchyard/`);
    expect(ui.status).toBe(200);
    expect(ui.headers.get('content-type')).toMatch(/^text\/html/);
    // Loopback only: 127.0.0.2 is this machine too, but not the address it bound.
    expect(await canConnect('127.0.0.1', port)).toBe(true);
    expect(await canConnect('127.0.0.2', port)).toBe(false);
    await sqs(endpoint, 'ListQueues', {});
    // Still the one line, and nothing on stderr at the default level.
    expect(r.stdout().split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr()).toBe('');
    expect((await stop(r)).code).toBe(0);
  });

  it.each([
    ['--host', (h: string) => [['--port', '0', '--host', h], {}]],
    ['SWITCHYARD_HOST', (h: string) => [['--port', '0'], { SWITCHYARD_HOST: h }]],
  ] as const)('%s 0.0.0.0 listens beyond loopback', async (_name, make) => {
    const [args, env] = make('0.0.0.0') as [string[], Record<string, string>];
    const r = start(args, env);
    const endpoint = await r.ready;
    // The endpoint names a host clients can use.
    expect(endpoint).toMatch(/^http:\/\/localhost:\d+$/);
    const port = Number(new URL(endpoint).port);
    expect(await canConnect('127.0.0.2', port)).toBe(true);
    expect((await stop(r)).code).toBe(0);
  });

  it.each([
    ['--port', (p: number) => [['--port', String(p)], {}]],
    ['SWITCHYARD_PORT', (p: number) => [[], { SWITCHYARD_PORT: String(p) }]],
    ['--port over SWITCHYARD_PORT', (p: number) => [['--port', String(p)], { SWITCHYARD_PORT: '1' }]],
  ] as const)('%s picks the port', async (_name, make) => {
    const port = await freePort();
    const [args, env] = make(port) as [string[], Record<string, string>];
    const r = start(args, env);
    expect(await r.ready).toBe(`http://127.0.0.1:${port}`);
    expect((await fetch(`http://127.0.0.1:${port}/_switchyard/health`)).status).toBe(200);
    expect((await stop(r)).code).toBe(0);
  });

  it.each([
    ['--region', ['--region', 'eu-west-3'], {}, 'eu-west-3'],
    ['SWITCHYARD_REGION', [], { SWITCHYARD_REGION: 'ap-south-1' }, 'ap-south-1'],
    ['--region over SWITCHYARD_REGION', ['--region', 'eu-west-3'], { SWITCHYARD_REGION: 'ap-south-1' }, 'eu-west-3'],
  ] as const)('%s is the region of unsigned requests (a queue ARN shows it)', async (_name, args, env, region) => {
    const r = start(['--port', '0', ...args], env);
    const endpoint = await r.ready;
    const { arn } = await queueArn(endpoint, 'regional');
    expect(arn).toBe(`arn:aws:sqs:${region}:000000000000:regional`);
    expect((await stop(r)).code).toBe(0);
  });

  it.each([
    ['--account', ['--account', '111122223333'], {}, '111122223333'],
    ['SWITCHYARD_ACCOUNT', [], { SWITCHYARD_ACCOUNT: '444455556666' }, '444455556666'],
    ['--account over SWITCHYARD_ACCOUNT', ['--account', '111122223333'], { SWITCHYARD_ACCOUNT: '444455556666' }, '111122223333'],
  ] as const)('%s is the default account (queue ARN and URL show it)', async (_name, args, env, account) => {
    const r = start(['--port', '0', ...args], env);
    const endpoint = await r.ready;
    const { arn, url } = await queueArn(endpoint, 'mine');
    expect(arn).toBe(`arn:aws:sqs:us-east-1:${account}:mine`);
    expect(url).toBe(`${endpoint}/${account}/mine`);
    // The default bus lives in that account too.
    const bus = await events(endpoint, 'DescribeEventBus', {});
    expect(bus.body.Arn).toBe(`arn:aws:events:us-east-1:${account}:event-bus/default`);
    expect((await stop(r)).code).toBe(0);
  });

  it('port in use: exactly one line and exit code 1', async () => {
    const blocker = createNetServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const { code, stdout, stderr } = await run(['--port', String(port)]);
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toBe(`switchyard: port ${port} is already in use on 127.0.0.1 (try --port)\n`);
      // The port given only by a config file is the one named.
      const file = join(tmp(), 'port.yaml');
      writeFileSync(file, `port: ${port}\n`);
      const viaConfig = await run(['--config', file]);
      expect(viaConfig.code).toBe(1);
      expect(viaConfig.stderr).toBe(`switchyard: port ${port} is already in use on 127.0.0.1 (try --port)\n`);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});

describe.concurrent('environment-only settings', () => {
  it('SWITCHYARD_TRACE_CAPACITY, SWITCHYARD_RULES_PER_BUS and the idempotency settings take effect', async () => {
    const r = start(['--port', '0'], {
      SWITCHYARD_TRACE_CAPACITY: '2',
      SWITCHYARD_RULES_PER_BUS: '1',
      SWITCHYARD_IDEMPOTENCY_KEY_PATH: 'detail.requestId',
      SWITCHYARD_IDEMPOTENCY_KEY_ATTRIBUTE: 'dedupe-key',
    });
    const endpoint = await r.ready;
    const { url } = await queueArn(endpoint, 'traced');
    for (let i = 0; i < 3; i++) expect((await sqs(endpoint, 'SendMessage', { QueueUrl: url, MessageBody: `m${i}` })).status).toBe(200);
    const trace = (await (await fetch(`${endpoint}/_switchyard/api/events`)).json()) as { total: number };
    expect(trace.total).toBe(2);
    expect((await events(endpoint, 'PutRule', { Name: 'one', EventPattern: '{"source":["a"]}' })).status).toBe(200);
    const second = await events(endpoint, 'PutRule', { Name: 'two', EventPattern: '{"source":["b"]}' });
    expect(second.status).toBe(400);
    expect(second.body.__type).toBe('LimitExceededException');
    const idem = (await (await fetch(`${endpoint}/_switchyard/api/idempotency`)).json()) as { path: string; attribute: string };
    expect(idem).toMatchObject({ path: 'detail.requestId', attribute: 'dedupe-key' });
    expect((await stop(r)).code).toBe(0);
  });

  it('SWITCHYARD_FORWARD_<SERVICE> sends that service\'s targets to the endpoint', async () => {
    const got: { path: string; body: string }[] = [];
    const lambda: Server = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        got.push({ path: req.url ?? '', body });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((r) => lambda.listen(0, '127.0.0.1', r));
    try {
      const r = start(['--port', '0'], { SWITCHYARD_FORWARD_LAMBDA: `http://127.0.0.1:${(lambda.address() as { port: number }).port}` });
      const endpoint = await r.ready;
      await events(endpoint, 'PutRule', { Name: 'to-fn', EventPattern: '{"source":["shop"]}' });
      await events(endpoint, 'PutTargets', { Rule: 'to-fn', Targets: [{ Id: 'fn', Arn: 'arn:aws:lambda:us-east-1:000000000000:function:orders' }] });
      const put = await events(endpoint, 'PutEvents', { Entries: [{ Source: 'shop', DetailType: 'x', Detail: '{"n":1}' }] });
      expect(put.body.FailedEntryCount).toBe(0);
      const deadline = Date.now() + 10_000;
      while (got.length === 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 25));
      expect(got).toHaveLength(1);
      expect(decodeURIComponent(got[0].path)).toBe('/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:orders/invocations');
      expect(JSON.parse(got[0].body)).toMatchObject({ source: 'shop', detail: { n: 1 } });
      expect((await stop(r)).code).toBe(0);
    } finally {
      await new Promise((r) => lambda.close(r));
    }
  });
});

describe.concurrent('--config and --data-dir', () => {
  it.each([
    ['--config', (f: string) => [['--config', f], {}]],
    ['SWITCHYARD_CONFIG', (f: string) => [[], { SWITCHYARD_CONFIG: f }]],
  ] as const)('%s creates the file\'s resources at start', async (_name, make) => {
    const file = join(tmp(), 'switchyard.json');
    writeFileSync(file, JSON.stringify({ queues: [{ name: 'from-config' }] }));
    const [args, env] = make(file) as [string[], Record<string, string>];
    const r = start(['--port', '0', ...args], env);
    const endpoint = await r.ready;
    const listed = await sqs(endpoint, 'ListQueues', {});
    expect(listed.body.QueueUrls).toEqual([`${endpoint}/000000000000/from-config`]);
    expect((await stop(r)).code).toBe(0);
  });

  it('a bad config file: one line naming the file, exit code 1', async () => {
    const file = join(tmp(), 'broken.json');
    writeFileSync(file, '{"queues": [');
    const { code, stdout, stderr } = await run(['--port', '0', '--config', file]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(new RegExp(`^switchyard: .*${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
    const missing = await run(['--port', '0', '--config', join(tmp(), 'nope.yaml')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^switchyard: .*nope\.yaml.*no such file\n$/);
  });

  it.each([
    ['--data-dir', (d: string) => [['--data-dir', d], {}]],
    ['SWITCHYARD_DATA_DIR', (d: string) => [[], { SWITCHYARD_DATA_DIR: d }]],
    ['--data-dir with --fsync always', (d: string) => [['--data-dir', d, '--fsync', 'always'], {}]],
    ['SWITCHYARD_DATA_DIR with SWITCHYARD_FSYNC=always', (d: string) => [[], { SWITCHYARD_DATA_DIR: d, SWITCHYARD_FSYNC: 'always' }]],
  ] as const)('%s: what was acknowledged before SIGTERM is there after a restart', async (_name, make) => {
    const dir = tmp();
    const [args, env] = make(dir) as [string[], Record<string, string>];
    const first = start(['--port', '0', ...args], env);
    const endpoint = await first.ready;
    expect(first.stdout()).toContain(`; data: ${dir}, fsync ${env.SWITCHYARD_FSYNC ?? (args.includes('always') ? 'always' : 'periodic')})`);
    const { url } = await queueArn(endpoint, 'kept');
    expect((await sqs(endpoint, 'SendMessage', { QueueUrl: url, MessageBody: 'survives' })).status).toBe(200);
    expect((await stop(first)).code).toBe(0);
    expect(readdirSync(dir).length).toBeGreaterThan(0);

    const second = start(['--port', '0', ...args], env);
    const again = await second.ready;
    const received = await sqs(again, 'ReceiveMessage', { QueueUrl: `${again}/000000000000/kept` });
    expect(received.body.Messages?.map((m: { Body: string }) => m.Body)).toEqual(['survives']);
    expect((await stop(second)).code).toBe(0);
  });
});

describe.concurrent('--template and --parameter', () => {
  const SHOP = join(ROOT, 'test', 'fixtures', 'templates', 'shop.yaml');
  const CDK = join(ROOT, 'test', 'fixtures', 'cdk-app', 'cdk.out', 'ShopStack.template.json');

  it('creates the templates\' resources and prints each one\'s URL and ARN by logical id after the start line', async () => {
    const r = start(['--port', '0', '--template', SHOP, '--parameter', 'Stage=prod', '--template', CDK]);
    const endpoint = await r.ready;
    const port = new URL(endpoint).port;
    await new Promise<void>((resolve) => (r.stdout().includes('  skipped: Invoice') ? resolve() : r.child.stdout!.on('data', () => r.stdout().includes('  skipped: Invoice') && resolve())));
    const lines = r.stdout().split('\n');
    // The start line is unchanged, and first.
    expect(lines[0]).toBe(`switchyard ${VERSION} listening on http://127.0.0.1:${port} (UI: http://127.0.0.1:${port}/_switchyard/; services: sqs, events, sns)`);
    expect(lines[1]).toBe(`stack shop (${SHOP}): 16 created, 2 skipped`);
    const orders = lines.find((l) => /^ {2}OrdersQueue /.test(l))!;
    expect(orders).toMatch(new RegExp(`^  OrdersQueue +http://127\\.0\\.0\\.1:${port}/000000000000/shop-OrdersQueue-[A-Z0-9]{13}  arn:aws:sqs:us-east-1:000000000000:shop-OrdersQueue-[A-Z0-9]{13}$`));
    expect(lines).toContain('  skipped: NotifyRole (AWS::IAM::Role), NotifyFunction (AWS::Lambda::Function)');
    expect(lines.find((l) => /^ {2}ShopBus /.test(l))).toMatch(/ arn:aws:events:us-east-1:000000000000:event-bus\/shop-bus$/);
    expect(lines).toContain(`stack ShopStack (${CDK}): 18 created, 5 skipped`);
    // What the lines name is there: the queue answers at its URL.
    const url = orders.trim().split(/\s+/)[1];
    const attrs = await sqs(endpoint, 'GetQueueAttributes', { QueueUrl: url, AttributeNames: ['DelaySeconds'] });
    expect(attrs.body.Attributes).toEqual({ DelaySeconds: '5' }); // Stage=prod
    const stacks = (await (await fetch(`${endpoint}/_switchyard/api/stacks`)).json()) as { stacks: Array<{ stackName: string }> };
    expect(stacks.stacks.map((s) => s.stackName)).toEqual(['shop', 'ShopStack']);
    expect(r.stderr()).toBe('');
    expect((await stop(r)).code).toBe(0);
  });

  it('SWITCHYARD_TEMPLATE and SWITCHYARD_PARAMETERS do the same', async () => {
    const r = start(['--port', '0'], { SWITCHYARD_TEMPLATE: SHOP, SWITCHYARD_PARAMETERS: 'VisibilitySeconds=77 Stage=dev' });
    const endpoint = await r.ready;
    const stack = (await (await fetch(`${endpoint}/_switchyard/api/stacks/shop`)).json()) as { parameters: Record<string, string> };
    expect(stack.parameters).toMatchObject({ Stage: 'dev', VisibilitySeconds: '77' });
    expect((await stop(r)).code).toBe(0);
  });

  it('a bad template, or a parameter no template declares: one line naming it, exit code 1', async () => {
    const file = join(tmp(), 'bad.yaml');
    writeFileSync(file, 'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimout: 30\n');
    const bad = await run(['--port', '0', '--template', file]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(new RegExp(`^switchyard: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: Resources\\.Q\\.Properties\\.VisibilityTimout: AWS::SQS::Queue has no property VisibilityTimout \\(did you mean "VisibilityTimeout"\\?\\); its properties are: .*\n$`));
    const unknown = await run(['--port', '0', '--template', SHOP, '--parameter', 'Stgae=prod']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('switchyard: template parameters: Stgae: no template declares this parameter (they declare: Stage, VisibilitySeconds, Sources, PartnerEndpoint, PartnerKey)\n');
  });
});

describe.concurrent('--log-level', () => {
  it('debug: one line per AWS request with service, operation, status and milliseconds', async () => {
    const r = start(['--port', '0', '--log-level', 'debug']);
    const endpoint = await r.ready;
    await sqs(endpoint, 'CreateQueue', { QueueName: 'logged' });
    await sqs(endpoint, 'GetQueueUrl', { QueueName: 'absent' });
    // Query protocol (SNS), and an EventBridge call.
    await fetch(`${endpoint}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=ListTopics&Version=2010-03-31' });
    await events(endpoint, 'ListEventBuses', {});
    await fetch(`${endpoint}/_switchyard/health`); // not an AWS request: not logged
    await new Promise((res) => setTimeout(res, 50));
    expect(requestLines(r.stderr())).toEqual([
      ['sqs', 'CreateQueue', '200'],
      ['sqs', 'GetQueueUrl', '400'],
      ['sns', 'ListTopics', '200'],
      ['events', 'ListEventBuses', '200'],
    ]);
    expect((await stop(r)).code).toBe(0);
  });

  it('SWITCHYARD_LOG_LEVEL=debug does the same; a flag overrides it', async () => {
    const viaEnv = start(['--port', '0'], { SWITCHYARD_LOG_LEVEL: 'debug' });
    const e1 = await viaEnv.ready;
    await sqs(e1, 'ListQueues', {});
    await new Promise((res) => setTimeout(res, 50));
    expect(requestLines(viaEnv.stderr())).toEqual([['sqs', 'ListQueues', '200']]);
    await stop(viaEnv);

    const overridden = start(['--port', '0', '--log-level', 'info'], { SWITCHYARD_LOG_LEVEL: 'debug' });
    const e2 = await overridden.ready;
    await sqs(e2, 'ListQueues', {});
    await stop(overridden);
    expect(requestLines(overridden.stderr())).toEqual([]);
  });

  it('info (the default) logs the stop but no requests; warn and error log neither', async () => {
    for (const [args, expectStopLine] of [[[], true], [['--log-level', 'warn'], false], [['--log-level', 'error'], false]] as const) {
      const r = start(['--port', '0', ...args]);
      const endpoint = await r.ready;
      await sqs(endpoint, 'ListQueues', {});
      expect((await stop(r)).code).toBe(0);
      expect(requestLines(r.stderr())).toEqual([]);
      if (expectStopLine) expect(r.stderr()).toBe('switchyard: SIGTERM: stopping (finishing requests in flight)\n');
      else expect(r.stderr()).toBe('');
    }
  });

  it('levels filter in order: internal errors (warn) show at warn, info and debug, not at error', () => {
    const lines = (level: 'error' | 'warn' | 'info' | 'debug') => {
      const out: string[] = [];
      const log = new Logger(level, (l) => out.push(l));
      log.error('e');
      log.warn('w');
      log.info('i');
      log.debug('d');
      return out.join('');
    };
    expect(lines('error')).toBe('switchyard: e\n');
    expect(lines('warn')).toBe('switchyard: e\nswitchyard: w\n');
    expect(lines('info')).toBe('switchyard: e\nswitchyard: w\nswitchyard: i\n');
    expect(lines('debug')).toBe('switchyard: e\nswitchyard: w\nswitchyard: i\nswitchyard: d\n');
  });
});

describe.concurrent('stopping', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('%s with a long poll in flight: the poll is answered (empty) and the process exits 0', async (signal) => {
    const r = start(['--port', '0']);
    const endpoint = await r.ready;
    const { url } = await queueArn(endpoint, 'waiting');
    const began = Date.now();
    const poll = sqs(endpoint, 'ReceiveMessage', { QueueUrl: url, WaitTimeSeconds: 20 });
    await new Promise((res) => setTimeout(res, 300));
    r.child.kill(signal);
    const answer = await poll;
    expect(answer.status).toBe(200);
    expect(answer.body.Messages).toBeUndefined();
    const exit = await r.exit;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - began).toBeLessThan(5_000);
    expect(r.stderr()).toBe(`switchyard: ${signal}: stopping (finishing requests in flight)\n`);
  });

  it('an open event stream (the debug UI\'s) is ended, so it does not hold the stop', async () => {
    const r = start(['--port', '0']);
    const endpoint = await r.ready;
    const stream = await fetch(`${endpoint}/_switchyard/api/stream`);
    expect(stream.headers.get('content-type')).toBe('text/event-stream');
    const began = Date.now();
    r.child.kill('SIGTERM');
    // The body ends (rather than the connection being cut) once the server stops.
    const text = await stream.text();
    expect(text).toContain(': switchyard trace stream');
    expect((await r.exit).code).toBe(0);
    expect(Date.now() - began).toBeLessThan(3_000);
  });

  it('a request in flight finishes; new connections are refused meanwhile', async () => {
    const r = start(['--port', '0']);
    const endpoint = await r.ready;
    const { url } = await queueArn(endpoint, 'slow');
    const body = JSON.stringify({ QueueUrl: url, MessageBody: 'sent across the stop' });
    const { port } = new URL(endpoint);
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/',
          headers: {
            'content-type': 'application/x-amz-json-1.0',
            'x-amz-target': 'AmazonSQS.SendMessage',
            'content-length': Buffer.byteLength(body),
            // The server answers "100 Continue" once it has parsed the headers: from then on the
            // request is in flight on the server, with no body yet. No sleep decides that.
            expect: '100-continue',
          },
        },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      req.flushHeaders();
      req.once('continue', async () => {
        try {
          r.child.kill('SIGTERM');
          // Stopped accepting (the signal is handled), yet still running: the request is unfinished.
          const deadline = Date.now() + 5_000;
          while ((await canConnect('127.0.0.1', Number(port))) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
          expect(await canConnect('127.0.0.1', Number(port))).toBe(false);
          expect(r.child.exitCode).toBeNull();
          req.end(body);
        } catch (err) {
          reject(err);
        }
      });
    });
    const res = await response;
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await r.exit).code).toBe(0);
  });
});

describe.concurrent('reset over HTTP', () => {
  it('POST /_switchyard/api/reset with {} empties all state; without a JSON body it is refused', async () => {
    const r = start(['--port', '0']);
    const endpoint = await r.ready;
    const { url } = await queueArn(endpoint, 'doomed');
    await sqs(endpoint, 'SendMessage', { QueueUrl: url, MessageBody: 'x' });
    await events(endpoint, 'PutRule', { Name: 'gone', EventPattern: '{"source":["a"]}' });
    const refused = await fetch(`${endpoint}/_switchyard/api/reset`, { method: 'POST' });
    expect(refused.status).toBe(400);
    const form = await fetch(`${endpoint}/_switchyard/api/reset`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
    expect(form.status).toBe(400);
    expect((await sqs(endpoint, 'ListQueues', {})).body.QueueUrls).toHaveLength(1);
    const reset = await fetch(`${endpoint}/_switchyard/api/reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(reset.status).toBe(200);
    expect(await reset.json()).toEqual({ reset: true });
    expect((await sqs(endpoint, 'ListQueues', {})).body.QueueUrls ?? []).toEqual([]);
    expect((await events(endpoint, 'ListRules', {})).body.Rules).toEqual([]);
    const trace = (await (await fetch(`${endpoint}/_switchyard/api/events`)).json()) as { total: number };
    expect(trace.total).toBe(0);
    expect((await stop(r)).code).toBe(0);
  });
});
