/**
 * Fuzzing the codecs in-process (src/gateway/json-codec.ts, query-codec.ts), every operation of
 * every service: hostile bodies decode to an input of the operation's shape or to AWS's error for
 * the protocol, never anything else; valid inputs round-trip through both codecs to the same
 * values; XML text survives escaping. The same inputs through the real HTTP server:
 * gateway.test.ts.
 */
import fc from 'fast-check';
import { parseStringPromise } from 'xml2js';
import { afterAll, describe, expect, it } from 'vitest';
import { AwsError } from '../../src/gateway/errors.js';
import { decodeJsonInput } from '../../src/gateway/json-codec.js';
import { decodeQueryInput, encodeXmlError, encodeXmlResponse, escapeXml, parseForm } from '../../src/gateway/query-codec.js';
import type { OperationShapes, Shape, StructureShape } from '../../src/gateway/shapes.js';
import { structure, string, list, map } from '../../src/gateway/shapes.js';
import { sqsShapes } from '../../src/sqs/shapes.js';
import { snsShapes } from '../../src/sns/shapes.js';
import { eventsShapes } from '../../src/events/shapes.js';
import { canonical, encodeForm, hostileFormBody, hostileJsonBody, toForm, toJson, validValue } from './arbitraries.js';
import { assertNoPollution, bounded, count, params, printCounts } from './support.js';

afterAll(printCounts);

const SERVICES: Array<{ name: string; ops: Record<string, OperationShapes>; json: boolean; query?: string }> = [
  { name: 'sqs', ops: sqsShapes, json: true, query: '2012-11-05' },
  { name: 'sns', ops: snsShapes, json: false, query: '2010-03-31' },
  { name: 'events', ops: eventsShapes, json: true },
];

/** Every operation as `service.Operation`, for fc.constantFrom (a failure names only that). */
const OPERATIONS = SERVICES.flatMap((s) => Object.keys(s.ops).map((op) => `${s.name}.${op}`));

function operation(name: string): { service: (typeof SERVICES)[number]; op: string; input: StructureShape } {
  const [svc, op] = name.split('.');
  const service = SERVICES.find((s) => s.name === svc)!;
  return { service, op, input: service.ops[op].input };
}

/** The errors each codec may answer with, whatever the input. */
const JSON_ERRORS = new Set(['SerializationException', 'MissingParameter', 'InvalidParameterValue']);
const QUERY_ERRORS = new Set(['MalformedQueryString', 'MissingParameter', 'InvalidParameterValue']);

/**
 * A decoded input must hold only the shape's members, each of its type: what a handler is typed
 * to receive. Returns the first problem, or undefined.
 */
function nonConforming(shape: Shape, v: unknown, path: string): string | undefined {
  switch (shape.kind) {
    case 'string':
      return typeof v === 'string' ? undefined : `${path}: not a string`;
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31 ? undefined : `${path}: ${String(v)} is not a 32-bit integer`;
    case 'long':
      return typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= 2 ** 63 ? undefined : `${path}: ${String(v)} is not a 64-bit integer`;
    case 'double':
      return typeof v === 'number' && !Number.isNaN(v) ? undefined : `${path}: not a number`;
    case 'boolean':
      return typeof v === 'boolean' ? undefined : `${path}: not a boolean`;
    case 'blob':
      return v instanceof Uint8Array ? undefined : `${path}: not bytes`;
    case 'timestamp':
      return v instanceof Date && !Number.isNaN(v.getTime()) ? undefined : `${path}: ${String(v)} is not a valid date`;
    case 'list':
      if (!Array.isArray(v)) return `${path}: not a list`;
      for (let i = 0; i < v.length; i++) {
        const p = nonConforming(shape.member, v[i], `${path}[${i}]`);
        if (p) return p;
      }
      return undefined;
    case 'map': {
      if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.getPrototypeOf(v) !== Object.prototype) return `${path}: not a plain map`;
      for (const k of Object.keys(v)) {
        const p = nonConforming(shape.value, (v as Record<string, unknown>)[k], `${path}.${k}`);
        if (p) return p;
      }
      return undefined;
    }
    case 'structure': {
      if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.getPrototypeOf(v) !== Object.prototype) return `${path}: not a plain structure`;
      const names = new Set(shape.members.map((m) => m.name));
      for (const k of Reflect.ownKeys(v)) if (typeof k !== 'string' || !names.has(k)) return `${path}: unmodelled key ${String(k)}`;
      for (const m of shape.members) {
        const item = (v as Record<string, unknown>)[m.name];
        if (item === undefined) continue;
        const p = nonConforming(m.shape, item, `${path}.${m.name}`);
        if (p) return p;
      }
      return undefined;
    }
  }
}

/** Decodes `run()`'s input; an AwsError must be one of `allowed`; anything else thrown fails. */
function decodeOrAwsError(allowed: Set<string>, shape: StructureShape, run: () => Record<string, unknown>): void {
  let out: Record<string, unknown>;
  try {
    out = bounded(1000, 'decoding', run);
  } catch (err) {
    if (!(err instanceof AwsError)) throw err;
    if (!allowed.has(err.type)) throw new Error(`unexpected error ${err.type}: ${err.message}`);
    expect(err.status).toBeGreaterThanOrEqual(400);
    expect(err.status).toBeLessThan(500);
    return;
  } finally {
    assertNoPollution();
  }
  const problem = nonConforming(shape, out, '');
  if (problem) throw new Error(`decoded input does not fit the shape: ${problem}`);
}

describe('JSON codec', () => {
  const jsonOps = OPERATIONS.filter((o) => operation(o).service.json);

  it('decodes hostile bodies to the shape or to SerializationException (every operation)', () => {
    const arb = fc.constantFrom(...jsonOps).chain((name) => hostileJsonBody(operation(name).input).map((body) => ({ name, body: body.toString('utf8') })));
    fc.assert(
      fc.property(arb, ({ name, body }) => {
        count('json codec: hostile bodies');
        const { input } = operation(name);
        decodeOrAwsError(JSON_ERRORS, input, () => decodeJsonInput(body, input));
      }),
      params(2000),
    );
  });
});

describe('query codec', () => {
  const queryOps = OPERATIONS.filter((o) => operation(o).service.query);

  it('decodes hostile forms to the shape or to MalformedQueryString / InvalidParameterValue (every operation)', () => {
    const arb = fc.constantFrom(...queryOps).chain((name) => {
      const o = operation(name);
      return hostileFormBody(o.op, o.service.query!, o.input, Object.keys(o.service.ops)).map((body) => ({ name, body: body.toString('utf8') }));
    });
    fc.assert(
      fc.property(arb, ({ name, body }) => {
        count('query codec: hostile forms');
        const { input } = operation(name);
        decodeOrAwsError(QUERY_ERRORS, input, () => decodeQueryInput(parseForm(body), input));
      }),
      params(2000),
    );
  });
});

describe('round trips', () => {
  it('a valid input decodes to the same values from JSON and from a query form (every operation)', () => {
    const arb = fc.constantFrom(...OPERATIONS).chain((name) => validValue(operation(name).input).filter((v) => v !== undefined).map((v) => ({ name, v })));
    fc.assert(
      fc.property(arb, ({ name, v }) => {
        count('codecs: round trip JSON = query = value');
        const o = operation(name);
        const want = canonical(v);
        const fromJson = decodeJsonInput(toJson(o.input, v), o.input);
        expect(canonical(fromJson)).toBe(want);
        const form = encodeForm(toForm(o.input, v, ''));
        const fromQuery = decodeQueryInput(parseForm(form), o.input);
        expect(canonical(fromQuery)).toBe(want);
        assertNoPollution();
      }),
      params(1500),
    );
  });

  /** XML 1.0's characters: what a response can carry at all. */
  const xmlText = fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => s.replace(/[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, ''));

  it('text written into XML responses and errors parses back unchanged', async () => {
    const shape: StructureShape = structure({ S: string, L: list(string), M: map(string), F: list(string, { flattened: true }) });
    await fc.assert(
      fc.asyncProperty(xmlText, fc.array(xmlText, { maxLength: 3 }), xmlText, async (s, items, message) => {
        count('query codec: XML text round trip');
        const value: Record<string, unknown> = { S: s, L: items, M: Object.fromEntries(items.map((k, i) => [`k${i}`, k])), F: items };
        const xml = encodeXmlResponse('Op', 'urn:x', shape, value, 'rid');
        const parsed = await parseStringPromise(xml, { explicitArray: false, trim: false, normalize: false });
        const result = parsed.OpResponse.OpResult;
        expect(typeof result.S === 'string' ? result.S : '').toBe(s);
        const err = new AwsError({ type: `T${escapeXml('<&>')}`, status: 400 }, message);
        const errXml = await parseStringPromise(encodeXmlError('urn:x', err, 'rid'), { explicitArray: false });
        expect(errXml.ErrorResponse.Error.Message === '' ? '' : (errXml.ErrorResponse.Error.Message ?? '')).toBe(message);
      }),
      params(300),
    );
  });
});
