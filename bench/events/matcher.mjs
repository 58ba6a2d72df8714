#!/usr/bin/env node
// In-process benchmark of the event-pattern matcher: PatternIndex.matchEvent (src/patterns/rule-index.ts)
// over an event-ruler-style mixed rule set of 1, 1,000 and 10,000 rules.
//
//   npm run build && node bench/events/matcher.mjs
//   node bench/events/matcher.mjs --sizes=1,1000,10000 --rounds=7 --events=2000 --round-ms=300
//
// Options (flag or env):
//   --sizes=a,b,c    BENCH_SIZES     rule counts (1,1000,10000); size N uses the first N generated rules
//   --rounds=N       BENCH_ROUNDS    measured rounds per size; the median is reported (7)
//   --events=N       BENCH_EVENTS    distinct events, half envelope (EC2 state change-like), half citylots-like (2000)
//   --round-ms=MS    BENCH_ROUND_MS  each round repeats the events until this much time has passed (300)
//   --seed=N         BENCH_SEED      generator seed (1)
//   --set=S          BENCH_SET       mixed: rule i is of kind i % 22, with random values (default);
//                                    decoys: the first 22 rules (one of each kind) as in mixed, every later one
//                                    altered so that no event matches it: the same paths read and the same
//                                    matches at every size, only the number of rules grows (sizes 22,1000,10000)
//   --mode=M         BENCH_MODE      matchEvent: index.matchEvent(event), reading only the paths rules name (default);
//                                    flatten: index.match(flattenEvent(event)), the whole event flattened first
// Env only: SWITCHYARD_DIST (build dir, default dist).
//
// The events are parsed JSON objects already: what is measured is reading the event plus matching, the
// work PutEvents does per entry once the request body is parsed. Before timing, every event's answer is
// checked against matchesFlat run on every rule (in a worker thread), and every pass over the events
// checks the total number of matches against that expected total. The last line printed is a JSON summary.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { machineCpu } from '../sqs/lib/proc.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const argv = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const m = a.match(/^--([^=]+)(?:=(.*))?$/);
    if (!m) throw new Error(`unknown argument: ${a}`);
    return [m[1], m[2] ?? 'true'];
  }),
);
const opt = (name, env, dflt) => argv[name] ?? process.env[env] ?? dflt;
const SIZES = String(opt('sizes', 'BENCH_SIZES', argv.set === 'decoys' || process.env.BENCH_SET === 'decoys' ? '22,1000,10000' : '1,1000,10000'))
  .split(',')
  .map(Number);
const ROUNDS = Number(opt('rounds', 'BENCH_ROUNDS', 7));
const EVENTS = Number(opt('events', 'BENCH_EVENTS', 2000));
const ROUND_MS = Number(opt('round-ms', 'BENCH_ROUND_MS', 300));
const SEED = Number(opt('seed', 'BENCH_SEED', 1));
const SET = String(opt('set', 'BENCH_SET', 'mixed'));
if (SET !== 'mixed' && SET !== 'decoys') throw new Error(`unknown set: ${SET}`);
const MODE = String(opt('mode', 'BENCH_MODE', 'matchEvent'));
if (MODE !== 'matchEvent' && MODE !== 'flatten') throw new Error(`unknown mode: ${MODE}`);
const DIST = path.resolve(REPO, process.env.SWITCHYARD_DIST ?? 'dist');

const { PatternIndex, validatePattern, compilePattern, matchesFlat, flattenEvent } = await import(
  pathToFileURL(path.join(DIST, 'src/patterns/index.js')).href
);

// ------------------------------------------------------------------ data

/** mulberry32, as test/support.ts. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(SEED);
const int = (n) => Math.floor(rand() * n);
const pick = (list) => list[int(list.length)];
const hex = (n) => Array.from({ length: n }, () => '0123456789abcdef'[int(16)]).join('');
const pad = (n, w) => String(n).padStart(w, '0');

const SERVICES = ['ec2', 's3', 'rds', 'autoscaling', 'cloudwatch', 'ecs', 'lambda', 'codebuild', 'sns', 'dynamodb', 'glue', 'batch'];
const SOURCES = [...SERVICES.map((s) => `aws.${s}`), 'com.shop.orders', 'com.shop.payments', 'com.shop.shipping', 'com.shop.users'];
const DETAIL_TYPES = ['State-change Notification', 'API Call via CloudTrail', 'Scheduled Event', 'Status Change'];
const REGIONS = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-south-1', 'ap-northeast-1'];
const ACCOUNTS = Array.from({ length: 200 }, (_, i) => String(100000000000 + i * 7919));
const STATES = ['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated'];
const INSTANCES = Array.from({ length: 4000 }, () => `i-${hex(17)}`);
const USERS = Array.from({ length: 400 }, (_, i) => `user${i}`);
const STREETS = Array.from({ length: 300 }, () => {
  const syllable = () => pick([...'BCDFGHKLMNPRSTVW']) + pick(['A', 'E', 'I', 'O', 'U', 'AR', 'ON', 'EL']);
  return syllable() + syllable() + syllable();
});
const ST_TYPES = ['ST', 'AVE', 'BLVD', 'WAY', 'TER', 'PL', null];
const BLKLOTS = Array.from({ length: 5000 }, (_, i) => pad(1000000 + i * 131, 7));

function envelopeEvent() {
  const source = pick(SOURCES);
  const account = pick(ACCOUNTS);
  const region = pick(REGIONS);
  const instance = pick(INSTANCES);
  const detail = { 'instance-id': instance, state: pick(STATES) };
  if (rand() < 0.6) detail.cpu = Math.round(rand() * 10000) / 100;
  if (rand() < 0.5) detail.object = { key: `photos/${pick(USERS)}/${hex(6)}-${int(2000)}.${pick(['jpg', 'png', 'JPG', 'txt'])}`, size: int(1e6) };
  if (rand() < 0.3) detail.tags = [{ key: 'team', value: pick(USERS) }, { key: 'env', value: pick(['prod', 'dev', 'test']) }];
  return {
    version: '0',
    id: `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`,
    'detail-type': pick(DETAIL_TYPES),
    source,
    account,
    time: '2024-11-26T12:00:00Z',
    region,
    resources: [`arn:aws:ec2:${region}:${account}:instance/${instance}`],
    detail,
  };
}

function citylotsEvent() {
  const x = -122.5 + rand() * 0.15;
  const y = 37.7 + rand() * 0.1;
  const lot = pick(BLKLOTS);
  return {
    type: 'Feature',
    properties: {
      MAPBLKLOT: lot,
      BLKLOT: lot,
      BLOCK_NUM: lot.slice(0, 4),
      LOT_NUM: lot.slice(4),
      FROM_ST: String(int(3000)),
      TO_ST: String(int(3000)),
      STREET: pick(STREETS),
      ST_TYPE: pick(ST_TYPES),
      ODD_EVEN: pick(['E', 'O']),
    },
    geometry: {
      type: rand() < 0.9 ? 'Polygon' : 'MultiPolygon',
      firstCoordinates: { x, y, z: 0 },
      coordinates: [Array.from({ length: 5 + int(10) }, () => [x + rand() * 0.001, y + rand() * 0.001, 0])],
    },
  };
}

/**
 * Rule kinds after event-ruler's benchmarks (exact, prefix, suffix, equals-ignore-case, numeric,
 * anything-but, exists, wildcard, $or), over both event shapes.
 */
const RULES = [
  () => ({ properties: { MAPBLKLOT: [pick(BLKLOTS)] } }),
  () => ({ source: [pick(SOURCES)], 'detail-type': [pick(DETAIL_TYPES)], account: [pick(ACCOUNTS)] }),
  () => ({ detail: { 'instance-id': [pick(INSTANCES)], state: [pick(STATES), pick(STATES)] } }),
  () => ({ resources: [`arn:aws:ec2:${pick(REGIONS)}:${pick(ACCOUNTS)}:instance/${pick(INSTANCES)}`] }),
  () => ({ properties: { STREET: [{ prefix: pick(STREETS).slice(0, 4) }] } }),
  () => ({ resources: [{ prefix: { 'equals-ignore-case': `ARN:AWS:EC2:${pick(REGIONS).toUpperCase()}:${pick(ACCOUNTS)}:` } }] }),
  () => ({ detail: { object: { key: [{ suffix: `-${int(2000)}.jpg` }] } } }),
  () => ({ detail: { object: { key: [{ suffix: { 'equals-ignore-case': `-${int(2000)}.JPG` } }] } } }),
  () => ({ properties: { STREET: [{ 'equals-ignore-case': pick(STREETS).toLowerCase() }], ODD_EVEN: ['E'] } }),
  () => {
    const lo = -122.5 + rand() * 0.15;
    return { geometry: { firstCoordinates: { x: [{ numeric: ['>', lo, '<=', lo + 0.0004] }] } } };
  },
  () => ({ source: ['aws.cloudwatch'], account: [pick(ACCOUNTS)], detail: { cpu: [{ numeric: ['>=', 50 + int(50)] }] } }),
  () => ({ source: [pick(SOURCES)], account: [pick(ACCOUNTS)], detail: { state: [{ 'anything-but': ['running', 'pending'] }] } }),
  () => ({ detail: { 'instance-id': [pick(INSTANCES)], state: [{ 'anything-but': { prefix: 'stop' } }] } }),
  () => ({ properties: { MAPBLKLOT: [pick(BLKLOTS)], ST_TYPE: [{ 'anything-but': { suffix: 'ST' } }] } }),
  () => ({ detail: { 'instance-id': [pick(INSTANCES)], object: { key: [{ exists: false }] } } }),
  () => ({ source: [pick(SOURCES)], account: [pick(ACCOUNTS)], detail: { cpu: [{ exists: true }] } }),
  () => ({ resources: [{ wildcard: `arn:aws:ec2:${pick(REGIONS)}:${pick(ACCOUNTS)}:instance/*` }] }),
  () => ({ detail: { object: { key: [{ wildcard: `photos/${pick(USERS)}/*.png` }] } } }),
  () => ({
    source: [pick(SOURCES)],
    account: [pick(ACCOUNTS)],
    $or: [{ detail: { state: ['stopped'] } }, { detail: { cpu: [{ numeric: ['>', 90] }] } }],
  }),
  () => ({ $or: [{ properties: { MAPBLKLOT: [pick(BLKLOTS)] } }, { properties: { STREET: [pick(STREETS)], FROM_ST: [String(int(3000))] } }] }),
  () => ({ detail: { tags: { key: ['team'], value: [pick(USERS)] } } }),
  () => ({ properties: { STREET: [pick(STREETS)], ST_TYPE: [pick(ST_TYPES)] }, geometry: { type: ['MultiPolygon'] } }),
];

/**
 * A rule of the same kind and shape that no event here matches: every value it looks for is one
 * no event holds (strings get a "~" no event has, numbers move out of every event's range). For the
 * "decoys" set, which keeps the per-event work fixed while the rule count grows.
 */
function decoy(pattern) {
  const condition = (c) => {
    if (typeof c === 'string') return `~${c}`;
    if (typeof c === 'number') return c + 1e6;
    if (c === null || typeof c !== 'object') return c;
    const [op, v] = Object.entries(c)[0];
    switch (op) {
      case 'prefix':
      case 'equals-ignore-case':
      case 'wildcard':
        return { [op]: typeof v === 'string' ? `~${v}` : { 'equals-ignore-case': `~${v['equals-ignore-case']}` } };
      case 'suffix':
        return { suffix: typeof v === 'string' ? `${v}~` : { 'equals-ignore-case': `${v['equals-ignore-case']}~` } };
      case 'numeric':
        return { numeric: v.map((x) => (typeof x === 'number' ? x + 1e6 : x)) };
      default:
        return c; // anything-but, exists: every rule that has one also has a field made unmatchable
    }
  };
  const walk = (p) =>
    Object.fromEntries(
      Object.entries(p).map(([k, v]) => [k, k === '$or' ? v.map(walk) : Array.isArray(v) ? v.map(condition) : walk(v)]),
    );
  return walk(pattern);
}

const maxRules = Math.max(...SIZES);
const rules = Array.from({ length: maxRules }, (_, i) => {
  const rule = RULES[i % RULES.length]();
  return SET === 'decoys' && i >= RULES.length ? decoy(rule) : rule;
});
const events = Array.from({ length: EVENTS }, (_, i) => (i % 2 === 0 ? envelopeEvent() : citylotsEvent()));

// ------------------------------------------------------------------ the judge

// Every rule against every event the slow way (compilePattern + matchesFlat per rule), in a worker
// thread: its own JIT, so the millions of matchesFlat calls on FlatEvent maps do not shape how the
// measured code is compiled. The worker makes the same rules and events from the same seed.
if (!isMainThread) {
  const flat = events.map((e) => flattenEvent(e));
  const compiled = rules.map((json) => compilePattern(validatePattern(json)));
  const answers = {};
  for (const size of workerData.sizes) {
    answers[size] = flat.map((f) => {
      const keys = [];
      for (let i = 0; i < size; i++) if (matchesFlat(compiled[i], f)) keys.push(i);
      return keys;
    });
  }
  parentPort.postMessage(answers);
  process.exit(0);
}

const judged = await new Promise((resolve, reject) => {
  const worker = new Worker(new URL(import.meta.url), { argv: process.argv.slice(2), workerData: { sizes: SIZES } });
  worker.once('message', resolve);
  worker.once('error', reject);
});

// ------------------------------------------------------------------ measure

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const matchOne = MODE === 'flatten' ? (index, e) => index.match(flattenEvent(e)) : (index, e) => index.matchEvent(e);

function measure(size) {
  const index = new PatternIndex();
  const builtAt = performance.now();
  for (let i = 0; i < size; i++) index.add(i, validatePattern(rules[i]));
  const buildMs = performance.now() - builtAt;

  // Every event's answer, checked against the judge's.
  let expected = 0;
  for (let e = 0; e < events.length; e++) {
    const want = judged[size][e];
    const got = matchOne(index, events[e]).sort((a, b) => a - b);
    if (got.length !== want.length || got.some((k, j) => k !== want[j]))
      throw new Error(`size ${size}, event ${e}: index says [${got}], every rule says [${want}]`);
    expected += want.length;
  }

  const rates = [];
  const cpuRates = [];
  let noisyRounds = 0;
  for (let round = 0; round < ROUNDS; round++) {
    let passes = 0;
    const cpu0 = process.cpuUsage();
    const machine0 = machineCpu().busy;
    const started = performance.now();
    let elapsed = 0;
    do {
      let matched = 0;
      for (let e = 0; e < events.length; e++) matched += matchOne(index, events[e]).length;
      if (matched !== expected) throw new Error(`size ${size}, round ${round}: ${matched} matches, expected ${expected}`);
      passes++;
      elapsed = performance.now() - started;
    } while (elapsed < ROUND_MS);
    const cpu = process.cpuUsage(cpu0);
    const ownSeconds = (cpu.user + cpu.system) / 1e6;
    // Another process (a build, another session's tests) busy on the machine during the round.
    if ((machineCpu().busy - machine0 - ownSeconds) / (elapsed / 1000) > 0.25) noisyRounds++;
    rates.push((passes * events.length * 1000) / elapsed);
    cpuRates.push((passes * events.length) / ownSeconds);
  }
  return {
    rules: size,
    eventsPerSecond: Math.round(median(rates)),
    minEventsPerSecond: Math.round(Math.min(...rates)),
    maxEventsPerSecond: Math.round(Math.max(...rates)),
    eventsPerCpuSecond: Math.round(median(cpuRates)),
    noisyRounds,
    matchesPerEvent: Number((expected / events.length).toFixed(3)),
    expectedMatches: expected,
    buildMs: Math.round(buildMs),
  };
}

console.log(
  `matcher benchmark, ${SET} rules, ${MODE === 'flatten' ? 'match(flattenEvent(event))' : 'matchEvent(event)'}: ${events.length} events ` +
    `(half envelope, half citylots-like), ${RULES.length} rule kinds, ${ROUNDS} rounds of >= ${ROUND_MS} ms, median; node ${process.version}`,
);
const results = [];
for (const size of SIZES) {
  const r = measure(size);
  results.push(r);
  console.log(
    `${String(size).padStart(6)} rules: ${r.eventsPerSecond.toLocaleString('en-US').padStart(9)} events/s ` +
      `(min ${r.minEventsPerSecond.toLocaleString('en-US')}, max ${r.maxEventsPerSecond.toLocaleString('en-US')}), ` +
      `${r.eventsPerCpuSecond.toLocaleString('en-US')} per CPU-second, ` +
      `${r.matchesPerEvent} matches/event (${r.expectedMatches} verified each round), built in ${r.buildMs} ms` +
      (r.noisyRounds > 0 ? `  NOISY: another process was busy in ${r.noisyRounds} of ${ROUNDS} rounds` : ''),
  );
}
console.log(
  JSON.stringify({
    bench: 'events-matcher',
    set: SET,
    mode: MODE,
    node: process.version,
    events: events.length,
    rounds: ROUNDS,
    roundMs: ROUND_MS,
    seed: SEED,
    results,
  }),
);
