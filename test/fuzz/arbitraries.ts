/**
 * fast-check arbitraries for hostile input: JSON texts that JSON.stringify cannot write
 * (duplicate keys, number tokens past a double, nesting 10,000 deep, invalid UTF-8), form bodies
 * with broken escapes and indexes, and inputs shaped by an operation's model (src/gateway/shapes)
 * with wrong types mixed in. Also valid inputs, typed as the codecs return them, for round trips.
 */
import fc from 'fast-check';
import type { Shape, StructureShape } from '../../src/gateway/shapes.js';

// ---------------------------------------------------------------------------------------------
// Building blocks

/** Keys read somewhere as a property name: each is tried wherever a key is read. */
export const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', ''];

/** Payloads that pollute a prototype if a key is assigned naively. */
export const POLLUTING_JSON = [
  '{"__proto__":{"polluted":"yes"}}',
  '{"constructor":{"prototype":{"polluted":"yes"}}}',
  '{"__proto__":{"__proto__":{"polluted":"yes"}}}',
  '{"prototype":{"polluted":"yes"},"__proto__":{"isAdmin":true}}',
];

/** Number tokens a double cannot hold exactly, or at all, and their neighbours. */
export const HUGE_NUMBERS = [
  '1e400', '-1e400', '1E309', '-0', '-0.0', '0e0', '9007199254740993', '-9007199254740993', '9007199254740992',
  '1' + '0'.repeat(400), '-' + '9'.repeat(400), '0.' + '0'.repeat(400) + '1', '1e-400', '4.9e-324', '2.5e-324',
  '1.7976931348623157e308', '1.7976931348623159e308', '2147483647', '2147483648', '-2147483648', '-2147483649',
  '4294967296', '1.5', '1e2', '123456789012345678901234567890', '0.1', '1E+2', '-1E-2',
];

/** Strings that have broken parsers: control characters, escapes, separators, very long text. */
export const HOSTILE_STRINGS = [
  '', ' ', '\u0000', '\r\n', '\ud800', '\udfff', '\ufffe', '\uffff', '\u2028\u2029', '%', '%zz', '&', '=', '.', '..',
  '1e400', 'NaN', 'Infinity', '-0', 'null', 'true', '[]', '{}', '__proto__', 'constructor', '<![CDATA[', ']]>', '</x>', '&amp;',
  'a'.repeat(300), 'é'.repeat(100), '😀'.repeat(50), '${aws.events.event}', '<aws.events.event.json>', '$.detail', '*', '?',
  'arn:aws:sqs:us-east-1:000000000000:q', 'http://127.0.0.1:1/', 'cron(0 12 * * ? *)', 'rate(1 minute)',
];

/**
 * Names of resources the gateway suite creates before it starts (and after each reset), so that
 * hostile values reach the handlers' deeper checks instead of stopping at "does not exist".
 */
export const RESOURCES = [
  'fuzz', 'fuzz.fifo', 'http://localhost:4566/000000000000/fuzz', 'http://localhost:4566/000000000000/fuzz.fifo',
  'arn:aws:sqs:us-east-1:000000000000:fuzz', 'arn:aws:sns:us-east-1:000000000000:fuzz', 'arn:aws:sns:us-east-1:000000000000:fuzz.fifo',
  'arn:aws:events:us-east-1:000000000000:event-bus/fuzz', 'arn:aws:events:us-east-1:000000000000:rule/fuzz', 'default', 'sqs', 'String', 'Number', 'Binary', 'String.Array',
];

/** Attribute names the services read from maps: each is tried as a key. */
export const ATTRIBUTE_NAMES = [
  'DelaySeconds', 'VisibilityTimeout', 'MessageRetentionPeriod', 'MaximumMessageSize', 'ReceiveMessageWaitTimeSeconds', 'RedrivePolicy',
  'RedriveAllowPolicy', 'Policy', 'FifoQueue', 'ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit', 'KmsMasterKeyId',
  'SqsManagedSseEnabled', 'All', 'FilterPolicy', 'FilterPolicyScope', 'RawMessageDelivery', 'DeliveryPolicy', 'DisplayName', 'SignatureVersion',
  'TracingConfig', 'ArchivePolicy', 'RedrivePolicy', 'SubscriptionRoleArn', 'AWSTraceHeader', 'MessageGroupId', 'MessageDeduplicationId',
];

/** JSON held in a string member (Detail, EventPattern, Policy, FilterPolicy, InputTemplate...). */
const jsonInString = fc.oneof(
  fc.constantFrom(
    '{}', '[]', '{"source":["a"]}', '{"a":[{"numeric":[">",1e400]}]}', '{"a":[{"prefix":""}]}', '{"a":[{"wildcard":"*"}]}',
    '{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:fuzz","maxReceiveCount":1e400}', '{"Version":"2012-10-17","Statement":[]}',
    '{"healthyRetryPolicy":{"numRetries":-0}}', '{"a":"<aws.events.event.json>"}', ...POLLUTING_JSON,
  ),
  fc.constantFrom(10_000, 1_000, 100).map((d) => deepJson(d, 'mixed', '["x"]')),
);

export const anyString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ maxLength: 40 }), weight: 4 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 20 }), weight: 2 },
  { arbitrary: fc.constantFrom(...HOSTILE_STRINGS), weight: 2 },
  { arbitrary: fc.constantFrom(...RESOURCES), weight: 2 },
  { arbitrary: jsonInString, weight: 2 },
);

export const anyKey = fc.oneof(
  { arbitrary: fc.string({ maxLength: 12 }), weight: 3 },
  { arbitrary: fc.constantFrom(...HOSTILE_KEYS), weight: 2 },
  { arbitrary: fc.constantFrom(...ATTRIBUTE_NAMES), weight: 2 },
);

/** A JSON text deeply nested: arrays, objects, or both, with any leaf. */
export function deepJson(depth: number, kind: 'array' | 'object' | 'mixed', leaf = '1'): string {
  if (kind === 'array') return '['.repeat(depth) + leaf + ']'.repeat(depth);
  if (kind === 'object') return '{"a":'.repeat(depth) + leaf + '}'.repeat(depth);
  let open = '';
  let close = '';
  for (let i = 0; i < depth; i++) {
    if (i % 2 === 0) {
      open += '{"__proto__":';
      close = '}' + close;
    } else {
      open += '[';
      close = ']' + close;
    }
  }
  return open + leaf + close;
}

export const deepJsonArb = fc.tuple(fc.constantFrom(10_000, 5_000, 1_000, 65, 64), fc.constantFrom('array', 'object', 'mixed') as fc.Arbitrary<'array' | 'object' | 'mixed'>).map(([d, k]) => deepJson(d, k));

// ---------------------------------------------------------------------------------------------
// A JSON syntax tree: lets a generator write what JSON.stringify cannot (duplicate keys, raw
// number tokens), and render it as text.

export type JNode = { k: 'raw'; t: string } | { k: 'arr'; items: JNode[] } | { k: 'obj'; entries: Array<[string, JNode]> };

export const raw = (t: string): JNode => ({ k: 'raw', t });
export const str = (s: string): JNode => raw(JSON.stringify(s));

export function render(n: JNode): string {
  switch (n.k) {
    case 'raw':
      return n.t;
    case 'arr':
      return `[${n.items.map(render).join(',')}]`;
    case 'obj':
      return `{${n.entries.map(([k, v]) => `${JSON.stringify(k)}:${render(v)}`).join(',')}}`;
  }
}

const scalarNode: fc.Arbitrary<JNode> = fc.oneof(
  anyString.map(str),
  fc.constantFrom(...HUGE_NUMBERS).map(raw),
  fc.double().map((d) => raw(Number.isFinite(d) ? JSON.stringify(d) : '1e999')),
  fc.integer().map((i) => raw(String(i))),
  fc.constantFrom('true', 'false', 'null').map(raw),
  fc.constantFrom(...POLLUTING_JSON).map(raw),
);

/** Any JSON value, with hostile keys, duplicate keys and raw number tokens. */
export const anyJson: fc.Arbitrary<JNode> = fc.letrec<{ node: JNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalarNode,
    fc.array(tie('node'), { maxLength: 4 }).map((items): JNode => ({ k: 'arr', items })),
    fc.array(fc.tuple(anyKey, tie('node')), { maxLength: 4 }).map((entries): JNode => ({ k: 'obj', entries })),
  ),
})).node;

/** The node, or a hostile stand-in for it: a wrong type, a deep nest, a polluting object. */
function orHostile(valid: fc.Arbitrary<JNode>, rate: number): fc.Arbitrary<JNode> {
  return fc.oneof(
    { arbitrary: valid, weight: rate },
    { arbitrary: anyJson, weight: 1 },
    { arbitrary: fc.constantFrom(...HUGE_NUMBERS).map(raw), weight: 1 },
    { arbitrary: fc.constantFrom(...POLLUTING_JSON, ...HUGE_NUMBERS).map(raw), weight: 1 },
  );
}

// ---------------------------------------------------------------------------------------------
// JSON inputs shaped by an operation's model

const jsonCache = new Map<string, fc.Arbitrary<JNode>>();
let shapeIds = new WeakMap<Shape, number>();
let nextShapeId = 0;
function idOf(shape: Shape): number {
  let id = shapeIds.get(shape);
  if (id === undefined) shapeIds.set(shape, (id = nextShapeId++));
  return id;
}

const MAX_SHAPE_DEPTH = 5;

/** A JSON value for `shape`, mostly of the right type, with hostile values mixed in at every level. */
export function shapedJson(shape: Shape, depth = 0): fc.Arbitrary<JNode> {
  const key = `${idOf(shape)}:${depth}`;
  let arb = jsonCache.get(key);
  if (arb) return arb;
  arb = orHostile(shapedJsonValid(shape, depth), depth === 0 ? 12 : 8);
  jsonCache.set(key, arb);
  return arb;
}

function shapedJsonValid(shape: Shape, depth: number): fc.Arbitrary<JNode> {
  if (depth > MAX_SHAPE_DEPTH) return fc.constant({ k: 'obj', entries: [] } as JNode);
  switch (shape.kind) {
    case 'string':
      return anyString.map(str);
    case 'integer':
    case 'long':
      return fc.oneof(fc.integer({ min: -5, max: 100 }), fc.integer()).map((i) => raw(String(i)));
    // (numbers past a double come in through orHostile at every level, and here for timestamps)
    case 'double':
      return fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => raw(JSON.stringify(d)));
    case 'boolean':
      return fc.boolean().map((b) => raw(String(b)));
    case 'blob':
      return fc.oneof(fc.uint8Array({ maxLength: 20 }).map((b) => str(Buffer.from(b).toString('base64'))), anyString.map(str));
    case 'timestamp':
      return fc.oneof(
        fc.integer({ min: 0, max: 4_000_000_000 }).map((s) => raw(String(s))),
        fc.double({ min: -1e17, max: 1e17, noNaN: true }).map((s) => raw(String(s))),
        fc.constantFrom(...HUGE_NUMBERS).map(raw),
        fc.date({ noInvalidDate: true }).map((d) => str(d.toISOString())),
        fc.constantFrom('2024-02-30T00:00:00Z', '+275760-09-13T00:00:00.001Z', '-271821-04-20T00:00:00Z', '9999-12-31T23:59:59Z', '0', '1e400').map(str),
        anyString.map(str),
      );
    case 'list':
      return fc.array(shapedJson(shape.member, depth + 1), { maxLength: 4 }).map((items): JNode => ({ k: 'arr', items }));
    case 'map':
      return fc.array(fc.tuple(anyKey, shapedJson(shape.value, depth + 1)), { maxLength: 4 }).map((entries): JNode => ({ k: 'obj', entries }));
    case 'structure':
      return structureJson(shape, depth);
  }
}

function structureJson(shape: StructureShape, depth: number): fc.Arbitrary<JNode> {
  const members = shape.members.map((m) =>
    fc.option(shapedJson(m.shape, depth + 1).map((v): [string, JNode] => [m.name, v]), { nil: undefined, freq: m.required ? 10 : 2 }),
  );
  const extras = fc.array(fc.tuple(anyKey, anyJson), { maxLength: 2 });
  return fc.tuple(fc.tuple(...members), extras, fc.nat({ max: 9 })).map(([present, extra, dup]): JNode => {
    const entries = present.filter((e): e is [string, JNode] => e !== undefined);
    // A duplicate key (the last wins in JSON.parse): sometimes the first member again, with null.
    if (dup === 0 && entries.length > 0) entries.push([entries[0][0], raw('null')]);
    if (dup === 1 && entries.length > 0) entries.unshift([entries[0][0], raw('"dup"')]);
    return { k: 'obj', entries: [...entries, ...extra] };
  });
}

/** A whole JSON request body for an operation, hostile in one of many ways. */
export function hostileJsonBody(input: StructureShape): fc.Arbitrary<Buffer> {
  const text = shapedJson(input).map(render);
  return fc.oneof(
    { arbitrary: text.map((t) => Buffer.from(t)), weight: 10 },
    // Random bytes, and valid-looking text with invalid UTF-8 spliced in.
    { arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)), weight: 2 },
    { arbitrary: fc.tuple(text, fc.nat(), fc.constantFrom(...INVALID_UTF8)).map(([t, at, bad]) => splice(Buffer.from(t), at, bad)), weight: 2 },
    // Truncated.
    { arbitrary: fc.tuple(text, fc.nat()).map(([t, n]) => Buffer.from(t.slice(0, n % Math.max(1, t.length)))), weight: 2 },
    // Deeply nested, at the top or as a member's value.
    { arbitrary: deepJsonArb.map((t) => Buffer.from(t)), weight: 1 },
    { arbitrary: fc.tuple(fc.constantFrom(...input.members.map((m) => m.name), 'x'), deepJsonArb).map(([k, d]) => Buffer.from(`{${JSON.stringify(k)}:${d}}`)), weight: 1 },
    // Not an object at the top.
    { arbitrary: anyJson.map((n) => Buffer.from(render(n))), weight: 1 },
  );
}

export const INVALID_UTF8: Buffer[] = [
  Buffer.from([0xff]), Buffer.from([0xc0, 0x80]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xe2, 0x82]),
  Buffer.from([0xf4, 0x90, 0x80, 0x80]), Buffer.from([0x80]), Buffer.from([0xf0, 0x9f, 0x98]), Buffer.from([0xfe, 0xfe]),
];

export function splice(buf: Buffer, at: number, bad: Buffer): Buffer {
  const i = buf.length === 0 ? 0 : at % buf.length;
  return Buffer.concat([buf.subarray(0, i), bad, buf.subarray(i)]);
}

// ---------------------------------------------------------------------------------------------
// Query (form) inputs shaped by an operation's model

export type Pair = [string, string];

const formCache = new Map<string, fc.Arbitrary<Pair[]>>();

/** A list index as written, mostly right, sometimes not (`0`, `01`, `-1`, huge, a word). */
const listIndex = (i: number): fc.Arbitrary<string> =>
  fc.oneof({ arbitrary: fc.constant(String(i)), weight: 12 }, { arbitrary: fc.constantFrom('0', '01', '-1', '1.5', '99999999999999999999', '1e3', '__proto__', 'member', ''), weight: 1 });

const formValue: fc.Arbitrary<string> = fc.oneof(anyString, fc.constantFrom(...HUGE_NUMBERS), fc.integer().map(String), fc.constantFrom('true', 'false', 'TRUE', ''));

function scalarForm(shape: Shape): fc.Arbitrary<string> {
  switch (shape.kind) {
    case 'integer':
    case 'long':
      return fc.oneof({ arbitrary: fc.integer({ min: -5, max: 100 }).map(String), weight: 3 }, { arbitrary: formValue, weight: 1 });
    case 'boolean':
      return fc.oneof({ arbitrary: fc.constantFrom('true', 'false'), weight: 3 }, { arbitrary: formValue, weight: 1 });
    case 'blob':
      return fc.oneof(fc.uint8Array({ maxLength: 20 }).map((b) => Buffer.from(b).toString('base64')), formValue);
    default:
      return formValue;
  }
}

/** Form pairs for a shape under `prefix`, mostly following the wire rules, sometimes not. */
export function shapedForm(shape: Shape, prefix: string): fc.Arbitrary<Pair[]> {
  return relativeForm(shape, 0).map((pairs) => pairs.map(([k, v]): Pair => [under(prefix, k), v]));
}

/** `prefix.key`; `key` '' is the prefix itself. */
function under(prefix: string, key: string): string {
  return key === '' ? prefix : prefix === '' ? key : `${prefix}.${key}`;
}

/** Pairs keyed relative to the shape's own place ('' for a scalar), cached per shape and depth. */
function relativeForm(shape: Shape, depth: number): fc.Arbitrary<Pair[]> {
  const key = `${idOf(shape)}:${depth}`;
  let arb = formCache.get(key);
  if (arb) return arb;
  arb = relativeFormUncached(shape, depth);
  formCache.set(key, arb);
  return arb;
}

function relativeFormUncached(shape: Shape, depth: number): fc.Arbitrary<Pair[]> {
  if (depth > MAX_SHAPE_DEPTH) return fc.constant([]);
  switch (shape.kind) {
    case 'list': {
      const base = shape.flattened ? '' : shape.memberName;
      const item = (i: number) => fc.tuple(listIndex(i), relativeForm(shape.member, depth + 1)).map(([ix, pairs]) => pairs.map(([k, v]): Pair => [under(under(base, ix), k), v]));
      return fc.oneof(
        { arbitrary: fc.constant<Pair[]>([['', '']]), weight: 1 },
        { arbitrary: fc.tuple(item(1), fc.option(item(2)), fc.option(item(3))).map((items) => items.filter((i): i is Pair[] => i !== null).flat()), weight: 5 },
      );
    }
    case 'map': {
      const base = shape.flattened ? '' : 'entry';
      const entry = (i: number) =>
        fc.tuple(listIndex(i), anyKey, fc.boolean(), fc.boolean(), relativeForm(shape.value, depth + 1)).map(([ix, k, withKey, withValue, pairs]): Pair[] => [
          ...(withKey || !withValue ? [[under(base, `${ix}.${shape.keyName}`), k] as Pair] : []),
          ...(withValue || !withKey ? pairs.map(([rel, v]): Pair => [under(under(base, `${ix}.${shape.valueName}`), rel), v]) : []),
        ]);
      return fc.tuple(fc.option(entry(1)), fc.option(entry(2)), fc.option(entry(3))).map((entries) => entries.filter((e): e is Pair[] => e !== null).flat());
    }
    case 'structure': {
      const members = shape.members.map((m) =>
        fc.option(relativeForm(m.shape, depth + 1).map((pairs) => pairs.map(([k, v]): Pair => [under(m.wire, k), v])), { nil: undefined, freq: m.required ? 10 : 2 }),
      );
      return fc.tuple(...members).map((ps) => ps.filter((p): p is Pair[] => p !== undefined).flat());
    }
    default:
      return scalarForm(shape).map((v) => [['', v]] as Pair[]);
  }
}

/** Percent-encoding, sometimes broken: raw `%`, bad hex, encoded invalid UTF-8, `+`. */
const BROKEN_ESCAPES = ['%', '%z', '%zz', '%E0%A4%A', '%FF', '%C0%80', '%ED%A0%80', '%00', '+', '%2', '%%', '%25', '%u0041'];

export function encodeForm(pairs: Pair[], breakAt: number[] = []): string {
  const parts = pairs.map(([k, v]) => `${encodeComponent(k)}=${encodeComponent(v)}`);
  for (const b of breakAt) {
    const i = b % (parts.length + 1);
    parts.splice(i, 0, BROKEN_ESCAPES[b % BROKEN_ESCAPES.length] + (b % 3 === 0 ? '=x' : ''));
  }
  return parts.join('&');
}

function encodeComponent(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    // A lone surrogate cannot be encoded; send it as the invalid UTF-8 a broken client would.
    return s.replace(/[^\w.-]/g, (c) => '%' + (c.charCodeAt(0) & 0xff).toString(16).padStart(2, '0'));
  }
}

/** A whole form body for an operation: Action and Version, the input's fields, and mutations. */
export function hostileFormBody(action: string, version: string, input: StructureShape, otherActions: string[]): fc.Arbitrary<Buffer> {
  const head = fc.tuple(
    fc.oneof({ arbitrary: fc.constant(action), weight: 10 }, { arbitrary: fc.constantFrom(action, ...otherActions), weight: 1 }, { arbitrary: anyString, weight: 1 }),
    fc.oneof({ arbitrary: fc.constant(version), weight: 10 }, { arbitrary: fc.constantFrom('2010-03-31', '2012-11-05', '2015-10-07', ''), weight: 1 }, { arbitrary: anyString, weight: 1 }),
    fc.nat({ max: 5 }),
  );
  const body = fc.tuple(head, shapedForm(input, ''), fc.array(fc.tuple(anyKey, formValue), { maxLength: 2 }), fc.array(fc.nat(), { maxLength: 2 })).map(
    ([[a, v, drop], pairs, extra, breaks]) => {
      const all: Pair[] = [...(drop === 0 ? [] : [['Action', a] as Pair]), ...(drop === 1 ? [] : [['Version', v] as Pair]), ...pairs, ...extra];
      return encodeForm(all, breaks);
    },
  );
  return fc.oneof(
    { arbitrary: body.map((t) => Buffer.from(t)), weight: 10 },
    { arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)), weight: 1 },
    { arbitrary: fc.tuple(body, fc.nat(), fc.constantFrom(...INVALID_UTF8)).map(([t, at, bad]) => splice(Buffer.from(t), at, bad)), weight: 1 },
    { arbitrary: fc.tuple(body, fc.nat()).map(([t, n]) => Buffer.from(t.slice(0, n % Math.max(1, t.length)))), weight: 1 },
  );
}

// ---------------------------------------------------------------------------------------------
// Valid inputs, typed as the decoders return them, for round trips

const validCache = new Map<string, fc.Arbitrary<unknown>>();

/** Text that survives the query protocol (no lone surrogates: a form cannot carry them). */
const validString = fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: 'grapheme', maxLength: 10 }), fc.constantFrom('', '.', '=', '&', '+', '%', '%41', '__proto__', 'a b'));

/** A value of `shape` as a decoder returns it: strings, numbers, booleans, bytes, dates, lists, maps, structures. */
export function validValue(shape: Shape, depth = 0): fc.Arbitrary<unknown> {
  const key = `${idOf(shape)}:${depth}`;
  let arb = validCache.get(key);
  if (arb) return arb;
  arb = validValueUncached(shape, depth);
  validCache.set(key, arb);
  return arb;
}

function validValueUncached(shape: Shape, depth: number): fc.Arbitrary<unknown> {
  switch (shape.kind) {
    case 'string':
      return validString;
    case 'integer':
      return fc.integer();
    case 'long':
      return fc.maxSafeInteger();
    case 'double':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'blob':
      return fc.uint8Array({ maxLength: 16 });
    case 'timestamp':
      // Whole milliseconds within the range both codecs carry exactly.
      return fc.integer({ min: 0, max: 4_102_444_800_000 }).map((ms) => new Date(ms));
    case 'list':
      return depth >= MAX_SHAPE_DEPTH ? fc.constant([]) : fc.array(validValue(shape.member, depth + 1), { maxLength: 3 }).map((items) => items.filter((i) => i !== undefined));
    case 'map':
      return depth >= MAX_SHAPE_DEPTH
        ? fc.constant({})
        : fc.array(fc.tuple(validString, validValue(shape.value, depth + 1)), { maxLength: 3 }).map((entries) => {
            const out: Record<string, unknown> = {};
            for (const [k, v] of entries) if (v !== undefined) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
            return out;
          });
    case 'structure': {
      if (depth >= MAX_SHAPE_DEPTH) return fc.constant(undefined);
      const members = shape.members.map((m) =>
        (m.required ? validValue(m.shape, depth + 1) : fc.option(validValue(m.shape, depth + 1), { nil: undefined })).map((v) => [m, v] as const),
      );
      return fc.tuple(...members).map((present) => {
        const out: Record<string, unknown> = {};
        for (const [m, v] of present) {
          // Required members are always there; a nested structure with nothing in it is left out
          // (the query protocol has no way to send an empty structure).
          if (v === undefined || (isEmptyStructure(m.shape, v))) continue;
          out[m.name] = v;
        }
        for (const m of shape.members) if (m.required && !(m.name in out)) return undefined;
        return depth > 0 && Object.keys(out).length === 0 ? undefined : out;
      });
    }
  }
}

function isEmptyStructure(shape: Shape, v: unknown): boolean {
  return shape.kind === 'structure' && typeof v === 'object' && v !== null && Object.keys(v).length === 0;
}

/** A typed value as JSON text, the way the SDKs write it (blobs in base64, timestamps in epoch seconds). */
export function toJson(shape: Shape, v: unknown): string {
  switch (shape.kind) {
    case 'blob':
      return JSON.stringify(Buffer.from(v as Uint8Array).toString('base64'));
    case 'timestamp':
      return String((v as Date).getTime() / 1000);
    case 'list':
      return `[${(v as unknown[]).map((item) => toJson(shape.member, item)).join(',')}]`;
    case 'map':
      return `{${Object.keys(v as object).map((k) => `${JSON.stringify(k)}:${toJson(shape.value, (v as Record<string, unknown>)[k])}`).join(',')}}`;
    case 'structure':
      return `{${shape.members.filter((m) => Object.hasOwn(v as object, m.name)).map((m) => `${JSON.stringify(m.name)}:${toJson(m.shape, (v as Record<string, unknown>)[m.name])}`).join(',')}}`;
    default:
      return JSON.stringify(v);
  }
}

/** A typed value as form pairs, the way the SDKs' query serializers write it. */
export function toForm(shape: Shape, v: unknown, prefix: string, out: Pair[] = []): Pair[] {
  switch (shape.kind) {
    case 'blob':
      out.push([prefix, Buffer.from(v as Uint8Array).toString('base64')]);
      break;
    case 'timestamp':
      // Both ways the SDKs write them: ISO 8601 (query) and epoch seconds.
      out.push([prefix, (v as Date).getTime() % 2 === 0 ? (v as Date).toISOString() : String((v as Date).getTime() / 1000)]);
      break;
    case 'list': {
      const items = v as unknown[];
      if (items.length === 0) out.push([prefix, '']);
      const base = shape.flattened ? prefix : `${prefix}.${shape.memberName}`;
      items.forEach((item, i) => toForm(shape.member, item, `${base}.${i + 1}`, out));
      break;
    }
    case 'map': {
      const base = shape.flattened ? prefix : `${prefix}.entry`;
      const keys = Object.keys(v as object);
      if (keys.length === 0) out.push([prefix, '']);
      keys.forEach((k, i) => {
        out.push([`${base}.${i + 1}.${shape.keyName}`, k]);
        toForm(shape.value, (v as Record<string, unknown>)[k], `${base}.${i + 1}.${shape.valueName}`, out);
      });
      break;
    }
    case 'structure':
      for (const m of shape.members)
        if (Object.hasOwn(v as object, m.name)) toForm(m.shape, (v as Record<string, unknown>)[m.name], prefix ? `${prefix}.${m.wire}` : m.wire, out);
      break;
    default:
      out.push([prefix, String(v)]);
  }
  return out;
}

/** One canonical text for a decoded value: key order, Dates, bytes and -0 made comparable. */
export function canonical(v: unknown): string {
  if (v instanceof Date) return `D${v.getTime()}`;
  if (v instanceof Uint8Array) return `B${Buffer.from(v).toString('base64')}`;
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'object' && v !== null)
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  if (typeof v === 'number') return Object.is(v, -0) ? '0' : String(v);
  return JSON.stringify(v);
}

/** Rebuilds the shape cache (tests that create shapes on the fly). */
export function resetCaches(): void {
  jsonCache.clear();
  formCache.clear();
  validCache.clear();
  shapeIds = new WeakMap();
}
