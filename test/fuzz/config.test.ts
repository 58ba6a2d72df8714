/**
 * Fuzzing the config file (src/config-file): hostile YAML and JSON texts (aliases that multiply,
 * merge keys, unknown tags, nesting 10,000 deep, `__proto__` everywhere, huge numbers, duplicate
 * keys, invalid UTF-8) and generated configs with hostile values, read and then applied to a live
 * Switchyard. Every problem must be a ConfigFileError (one line naming the file), never another
 * error, never pollution, in bounded time; applying must report no internal error.
 */
import fc from 'fast-check';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ConfigFileError, applyConfig, loadConfig, startSwitchyard, type Switchyard } from '../../src/index.js';
import { HOSTILE_KEYS, HUGE_NUMBERS, INVALID_UTF8, POLLUTING_JSON, anyJson, anyString, deepJson, render, splice } from './arbitraries.js';
import { assertNoPollution, count, params, printCounts } from './support.js';

let dir: string;
let sy: Switchyard;
const internal: unknown[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchyard-fuzz-config-'));
  sy = await startSwitchyard({ port: 0, onError: (err) => internal.push(err) });
});

afterAll(async () => {
  await sy?.stop();
  await rm(dir, { recursive: true, force: true });
  printCounts();
});

/** The keys the schema reads, so generated configs get past the first unknown key. */
const SCHEMA_KEYS = [
  'queues', 'topics', 'buses', 'rules', 'connections', 'apiDestinations', 'templates', 'port', 'host', 'region', 'account', 'forward',
  'traceCapacity', 'rulesPerBus', 'idempotencyKeyPath', 'idempotencyKeyAttribute', 'faults', 'credentials', 'strictAuth', 'name', 'fifo',
  'attributes', 'tags', 'deadLetterQueue', 'maxReceiveCount', 'arn', 'subscriptions', 'protocol', 'endpoint', 'queue', 'rawMessageDelivery',
  'filterPolicy', 'filterPolicyScope', 'deliveryPolicy', 'redrivePolicy', 'subscriptionRoleArn', 'replayPolicy', 'bus', 'eventPattern',
  'schedule', 'state', 'description', 'targets', 'id', 'topic', 'apiDestination', 'input', 'inputPath', 'inputTransformer', 'retryPolicy',
  'connection', 'authorizationType', 'authParameters', 'invocationEndpoint', 'httpMethod', 'seed', 'kind', 'resource', 'probability',
  'file', 'stackName', 'parameters', 'x-defaults', 'DelaySeconds', 'VisibilityTimeout', 'FifoQueue', 'FifoTopic', 'DisplayName',
];

const key = fc.oneof({ arbitrary: fc.constantFrom(...SCHEMA_KEYS), weight: 6 }, { arbitrary: fc.constantFrom(...HOSTILE_KEYS), weight: 2 }, { arbitrary: fc.string({ maxLength: 8 }), weight: 1 });
const leaf = fc.oneof(
  anyString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('orders', 'orders.fifo', 'alerts', 'default', 'sqs', 'http', 'lambda', '{"source":["a"]}', 'rate(5 minutes)', 'cron(0 12 * * ? *)', 'arn:aws:sqs:us-east-1:000000000000:orders', '012345678901', 'eu-west-1', 'ENABLED', ...POLLUTING_JSON),
);
/** A config-shaped object: schema keys at every level, lists where sections are. */
const configObject: fc.Arbitrary<unknown> = fc.letrec<{ node: unknown }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    leaf,
    fc.array(tie('node'), { maxLength: 3 }),
    fc.array(fc.tuple(key, tie('node')), { maxLength: 4 }).map((entries) => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
      return out;
    }),
  ),
})).node;

/** Mostly `valid`, sometimes `hostile`. */
const mostly = <T>(valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<T>): fc.Arbitrary<T> => fc.oneof({ arbitrary: valid, weight: 8 }, { arbitrary: hostile, weight: 1 });
const anything = fc.oneof(anyString, fc.integer(), fc.constant(null), anyJson.map(render)) as fc.Arbitrary<unknown>;

/** Nearly valid configs: the sections as documented, with a hostile value here and there. */
const nearlyValid = fc.record(
  {
    queues: fc.array(
      fc.record(
        {
          name: mostly(fc.constantFrom('orders', 'orders.fifo', 'dlq', 'dlq.fifo'), anyString),
          fifo: mostly(fc.boolean(), anything as fc.Arbitrary<boolean>),
          attributes: fc.dictionary(mostly(fc.constantFrom('DelaySeconds', 'VisibilityTimeout', 'MessageRetentionPeriod'), fc.constantFrom(...HOSTILE_KEYS, 'RedrivePolicy', 'Policy')), mostly(fc.integer({ min: 0, max: 900 }).map(String), anyString)),
          deadLetterQueue: fc.record({ name: mostly(fc.constantFrom('dlq', 'dlq.fifo'), anyString), maxReceiveCount: mostly(fc.integer({ min: 1, max: 10 }), fc.constantFrom(...HUGE_NUMBERS).map(Number)) }),
          tags: fc.dictionary(fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.constant('team')), fc.string({ maxLength: 5 })),
        },
        { requiredKeys: ['name'] },
      ),
      { maxLength: 3 },
    ),
    topics: fc.array(
      fc.record(
        {
          name: mostly(fc.constantFrom('alerts', 'alerts.fifo'), anyString),
          subscriptions: fc.array(
            fc.record(
              {
                protocol: mostly(fc.constant('sqs'), fc.constantFrom('lambda', 'email', 'sms', '__proto__', 'http')),
                queue: mostly(fc.constantFrom('orders', 'dlq'), fc.constantFrom('missing', '__proto__')),
                filterPolicy: mostly(fc.constantFrom<unknown>({ a: ['b'] }, { n: [{ numeric: ['>', 1] }] }, '{"a":[{"prefix":"x"}]}'), anyJson.map(render)),
                rawMessageDelivery: fc.boolean(),
              },
              { requiredKeys: ['protocol'] },
            ),
            { maxLength: 2 },
          ),
        },
        { requiredKeys: ['name'] },
      ),
      { maxLength: 2 },
    ),
    buses: fc.array(fc.record({ name: mostly(fc.constantFrom('shop', 'ops'), anyString), tags: fc.dictionary(fc.constantFrom(...HOSTILE_KEYS, 'team'), fc.string({ maxLength: 5 })) }, { requiredKeys: ['name'] }), { maxLength: 2 }),
    rules: fc.array(
      fc.record(
        {
          name: mostly(fc.constantFrom('r1', 'r2'), anyString),
          bus: mostly(fc.constantFrom('default', 'shop'), fc.constantFrom('missing', '__proto__')),
          eventPattern: mostly(fc.constantFrom<unknown>({ source: ['a'] }, { detail: { n: [{ numeric: ['>', 1] }] } }, '{"source":[{"prefix":""}]}'), fc.oneof(anyJson.map(render), fc.constant(deepJson(100, 'object', '["x"]')))),
          targets: fc.array(
            fc.record(
              {
                id: mostly(fc.constantFrom('t1', 't2'), fc.constantFrom('__proto__', '')),
                queue: mostly(fc.constantFrom('orders', 'dlq'), fc.constant('missing')),
                input: fc.oneof(fc.constantFrom<unknown>({ a: 1 }, '{"b":2}'), anyString),
              },
              { requiredKeys: ['id', 'queue'] },
            ),
            { maxLength: 2 },
          ),
        },
        { requiredKeys: ['name', 'eventPattern'] },
      ),
      { maxLength: 2 },
    ),
  },
  { requiredKeys: [] },
);

/** YAML the `yaml` package has had trouble with, and YAML that multiplies or pollutes. */
const HOSTILE_YAML = [
  'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\nqueues: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n',
  'x-base: &base {__proto__: {polluted: yes}}\nqueues:\n  - <<: *base\n    name: q\n',
  '__proto__:\n  polluted: yes\nqueues: []\n',
  'constructor:\n  prototype:\n    polluted: yes\n',
  'queues:\n  - name: q\n    attributes:\n      __proto__: {polluted: yes}\n',
  'queues: !!js/function "function(){}"\n',
  'queues: !Ref Queue\n',
  'queues: &a [*a]\n',
  'queues: *missing\n',
  '? [complex, key]\n: value\n',
  'queues:\n  - name: a\n  - name: a\nqueues: []\n',
  'port: 1e400\n',
  'port: 0x10\n',
  'port: .inf\n',
  'region: !!binary aGVsbG8=\n',
  '%YAML 1.1\n---\nqueues: []\n',
  '---\nqueues: []\n---\ntopics: []\n',
  '\t- a\n',
  'queues: [' + '['.repeat(10_000) + ']'.repeat(10_000) + ']\n',
  'a:' + ' {b:'.repeat(2_000) + ' 1' + '}'.repeat(2_000) + '\n',
  '- '.repeat(2_000) + 'x\n',
  'x: "' + '\\u0000'.repeat(100) + '"\n',
  'templates:\n  - file: /dev/null\n',
  'templates:\n  - file: ../../../../../../etc/passwd\n',
];

const configText = fc.oneof(
  { arbitrary: configObject.map((o) => stringify(o)), weight: 4 },
  { arbitrary: configObject.map((o) => JSON.stringify(o) ?? 'null'), weight: 2 },
  { arbitrary: nearlyValid.map((o) => stringify(o)), weight: 4 },
  { arbitrary: fc.constantFrom(...HOSTILE_YAML), weight: 3 },
  { arbitrary: fc.tuple(configObject.map((o) => stringify(o)), fc.nat()).map(([t, n]) => t.slice(0, n % (t.length + 1))), weight: 1 },
  { arbitrary: anyJson.map(render), weight: 1 },
  { arbitrary: fc.constantFrom(deepJson(10_000, 'array'), deepJson(10_000, 'object'), deepJson(10_000, 'mixed')), weight: 1 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 60 }), weight: 1 },
);
const extension = fc.constantFrom('.yaml', '.yml', '.json', '', '.conf');

let fileNo = 0;

/** Loads the config; it must be a model or a ConfigFileError. */
async function loadOrRefuse(config: string | object): Promise<Awaited<ReturnType<typeof loadConfig>> | undefined> {
  try {
    return await loadConfig(config);
  } catch (err) {
    if (!(err instanceof ConfigFileError)) throw err;
    expect(err.message).not.toContain('\n');
    return undefined;
  }
}

/** Applies the model to the live server: a report or a ConfigFileError, and no internal error. */
function applyOrRefuse(model: Awaited<ReturnType<typeof loadConfig>>): void {
  try {
    applyConfig(model, sy, { account: '000000000000', region: 'us-east-1', baseUrl: sy.endpoint });
  } catch (err) {
    if (!(err instanceof ConfigFileError)) throw err;
  }
  expect(internal).toEqual([]);
}

describe('config file', () => {
  it('hostile YAML and JSON files: a config or one ConfigFileError line, in bounded time', async () => {
    await fc.assert(
      fc.asyncProperty(configText, extension, fc.option(fc.tuple(fc.nat(), fc.constantFrom(...INVALID_UTF8)), { nil: undefined }), async (text, ext, bad) => {
        count('config: hostile files');
        const file = join(dir, `c${fileNo++}${ext}`);
        const bytes = bad ? splice(Buffer.from(text), bad[0], bad[1]) : Buffer.from(text);
        await writeFile(file, bytes);
        const start = performance.now();
        const model = await loadOrRefuse(file);
        const took = performance.now() - start;
        if (took > 2000) throw new Error(`loading took ${took.toFixed(0)} ms`);
        if (model) {
          applyOrRefuse(model);
          await sy.reset();
        }
        assertNoPollution();
        await rm(file, { force: true });
      }),
      params(200),
    );
  });

  it('generated configs with hostile values: checked, then applied to a live server, errors only as ConfigFileError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(nearlyValid, configObject), async (config) => {
        count('config: generated configs applied');
        if (typeof config !== 'object' || config === null) return;
        const model = await loadOrRefuse(config);
        if (model) applyOrRefuse(model);
        await sy.reset();
        assertNoPollution();
      }),
      params(200),
    );
  });
});
