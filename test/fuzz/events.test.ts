/**
 * Fuzzing EventBridge's own little languages: target input shaping (Input, InputPath and
 * InputTransformer templates, src/events/transform.ts) and schedule expressions (cron and rate,
 * src/events/schedule.ts). Hostile text is refused with ValidationException and nothing else;
 * what is accepted behaves: Input's JSON check agrees with JSON.parse, a JSON template always
 * gives JSON holding the event's values where its placeholders were, and a schedule's next firing
 * is the first minute the expression names (checked minute by minute).
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { AwsError } from '../../src/gateway/errors.js';
import { compileTargetInput, jsonSyntaxError, type TargetInput, type TransformContext } from '../../src/events/transform.js';
import { parseSchedule } from '../../src/events/schedule.js';
import { HOSTILE_KEYS, HUGE_NUMBERS, POLLUTING_JSON, anyJson, anyKey, anyString, canonical, deepJson, render } from './arbitraries.js';
import { assertNoPollution, bounded, count, params, printCounts } from './support.js';

afterAll(printCounts);

const CTX: TransformContext = { ruleArn: 'arn:aws:events:us-east-1:000000000000:rule/r', ruleName: 'r', ingestionTime: '2024-01-01T00:00:00Z' };

/** Only ValidationException: anything else thrown fails the case. */
function refusedWithValidation(run: () => void): boolean {
  try {
    run();
    return false;
  } catch (err) {
    if (!(err instanceof AwsError)) throw err;
    expect(err.type).toBe('ValidationException');
    expect(err.status).toBe(400);
    return true;
  }
}

// ---------------------------------------------------------------------------------------------
// Events as EventBridge builds them (Detail at most 1000 levels deep, as PutEvents enforces)

const detailKey = fc.oneof(fc.constantFrom('a', 'b', 'state', 'instance-id', 'x/y', 'with space', 'ü', ...HOSTILE_KEYS), anyKey);
const detail: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: anyJson.map((n) => parseOr(render(n), {})), weight: 4 },
  { arbitrary: fc.dictionary(detailKey, fc.oneof(anyString, fc.integer(), fc.boolean(), fc.constant(null), fc.array(anyString, { maxLength: 3 }))), weight: 4 },
  { arbitrary: fc.constantFrom(999, 500).map((d) => JSON.parse(deepJson(d, 'mixed', '"deep"'))), weight: 1 },
);
const event = fc.record({
  version: fc.constant('0'),
  id: fc.uuid(),
  'detail-type': anyString,
  source: anyString,
  account: fc.constant('000000000000'),
  time: fc.constant('2024-01-01T00:00:00Z'),
  region: fc.constant('us-east-1'),
  resources: fc.array(anyString, { maxLength: 2 }),
  detail,
});

function parseOr(text: string, fallback: unknown): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return fallback;
  }
}

// ---------------------------------------------------------------------------------------------

const pathStep = fc.oneof(fc.constantFrom('detail', 'a', 'b', 'state', 'source', 'resources', '*', '__proto__', 'constructor', 'x/y', 'instance-id'), fc.stringMatching(/^[A-Za-z0-9_\-/]{1,6}$/));
const validPath = fc.array(fc.tuple(pathStep, fc.array(fc.oneof(fc.nat(3).map((n) => `[${n}]`), fc.constant('[*]')), { maxLength: 2 })), { maxLength: 4 }).map((steps) => '$' + steps.map(([s, ix]) => `.${s}${ix.join('')}`).join(''));
const anyPath = fc.oneof({ arbitrary: validPath, weight: 3 }, { arbitrary: anyString, weight: 1 }, { arbitrary: fc.constantFrom('$', '$..a', "$.detail['a']", '$.a[-1]', '$.a[1:2]', '$.a[?(@.b)]', '$.', '$[0]', 'detail', '$.a.'.repeat(100)), weight: 1 });
const placeholderName = fc.oneof(fc.constantFrom('v1', 'v2', 'aws.events.rule-arn', 'aws.events.rule-name', 'aws.events.event.ingestion-time', 'aws.events.event', 'aws.events.event.json', 'missing', '__proto__'), fc.stringMatching(/^[A-Za-z0-9_-]{1,5}$/));
const template = fc.oneof(
  // JSON templates with placeholders in value positions and inside strings.
  fc.array(fc.tuple(fc.stringMatching(/^[a-z]{1,4}$/), fc.oneof(placeholderName.map((n) => `<${n}>`), placeholderName.map((n) => `"x <${n}> y"`), anyJson.map(render))), { maxLength: 4 }).map((kv) => `{${kv.map(([k, v]) => `"${k}": ${v}`).join(', ')}}`),
  // Text templates.
  fc.array(fc.oneof(anyString, placeholderName.map((n) => `<${n}>`)), { maxLength: 5 }).map((parts) => parts.join(' ')),
  anyString,
  anyJson.map(render),
  fc.constantFrom('{', '{<v1>: 1}', '{"a": <v1> <v2>}', '<<v1>>', '{"a": "<aws.events.event>"}', '"<aws.events.event.json>"', '', ' '.repeat(9000), deepJson(1001, 'array'), deepJson(999, 'object', '<v1>')),
);
const pathsMap = fc.option(fc.dictionary(fc.oneof({ arbitrary: fc.constantFrom('v1', 'v2'), weight: 4 }, { arbitrary: anyKey, weight: 1 }), anyPath, { maxKeys: 3 }), { nil: undefined });
const targetInput: fc.Arbitrary<TargetInput> = fc.record(
  {
    Id: fc.constantFrom('t1', ''),
    Input: fc.oneof(anyJson.map(render), anyString, fc.constantFrom(...POLLUTING_JSON, deepJson(1001, 'array'), deepJson(1000, 'array'))),
    InputPath: anyPath,
    InputTransformer: fc.record({ InputPathsMap: pathsMap, InputTemplate: template }, { requiredKeys: [] }),
  },
  { requiredKeys: ['Id'] },
);

describe('target input shaping', () => {
  it('hostile Input / InputPath / InputTransformer: a shaper or ValidationException; the shaper answers for any event', () => {
    fc.assert(
      fc.property(targetInput, event, (t, e) => {
        count('transform: hostile target inputs');
        bounded(1000, 'compile and shape', () => {
          let shaper: ReturnType<typeof compileTargetInput> | undefined;
          if (refusedWithValidation(() => (shaper = compileTargetInput(t)))) return;
          const out = shaper!(e as Record<string, unknown>, CTX);
          expect(typeof out).toBe('string');
          // A JSON template (and Input, InputPath, the whole event) gives JSON.
          const json = t.InputTransformer?.InputTemplate === undefined || /^[\u0000-\u0020]*\{/.test(t.InputTransformer.InputTemplate);
          if (t.InputTransformer === undefined || json) expect(() => JSON.parse(out)).not.toThrow();
        });
        assertNoPollution();
      }),
      params(1500),
    );
  });

  it('Input is accepted exactly when it is JSON (JSON.parse), up to 1000 levels deep', () => {
    const text = fc.oneof(
      anyJson.map(render),
      anyJson.map(render).chain((t) => fc.nat().map((n) => t.slice(0, n % (t.length + 1)))),
      anyJson.map(render).chain((t) => fc.tuple(fc.nat(), fc.constantFrom(' ', '\t', '\n', '\u00a0', '\u2028', ',', '01', '-', '.5', 'NaN', "'", '\\x', '\\u12', '\u0000')).map(([n, junk]) => t.slice(0, n % (t.length + 1)) + junk + t.slice(n % (t.length + 1)))),
      fc.constantFrom(...HUGE_NUMBERS, '1.', '.1', '+1', '0x10', '1e', '-', '"\\ud800"', '"\t"', '[1,]', '{"a":1,}', '\ufeff{}', deepJson(1000, 'array'), deepJson(1001, 'array')),
    );
    fc.assert(
      fc.property(text, (t) => {
        count('transform: Input JSON check = JSON.parse');
        const ours = bounded(200, 'the JSON check', () => jsonSyntaxError(t));
        let parses = true;
        try {
          JSON.parse(t);
        } catch {
          parses = false;
        }
        const tooDeep = /^\s*\[{1001}/.test(t);
        if (tooDeep) expect(ours).toBeDefined();
        else expect(ours === undefined).toBe(parses);
      }),
      params(2000),
    );
  });

  it('a JSON template gives JSON with the event\'s values where its placeholders were', () => {
    const value = fc.oneof(anyString, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 2 }), fc.dictionary(anyKey, fc.integer(), { maxKeys: 2 }));
    const slot = fc.oneof(
      fc.constantFrom('v1', 'v2', 'v3').map((name) => ({ kind: 'value' as const, name })),
      fc.tuple(fc.constantFrom('v1', 'v2', 'v3'), fc.string({ maxLength: 3 }).filter((s) => !/[<>"\\\u0000-\u001f]/.test(s))).map(([name, around]) => ({ kind: 'string' as const, name, around })),
      anyJson.map((n) => ({ kind: 'literal' as const, text: render(n) })).filter((l) => l.text.length < 300 && parseOr(l.text, undefined) !== undefined && !/[<>]/.test(l.text)),
    );
    const arb = fc.tuple(
      fc.array(fc.tuple(fc.stringMatching(/^[a-z]{1,3}$/), slot), { minLength: 1, maxLength: 5 }),
      fc.record({ v1: fc.option(value, { nil: undefined }), v2: fc.option(value, { nil: undefined }), v3: fc.option(value, { nil: undefined }) }),
    );
    fc.assert(
      fc.property(arb, ([slots, values]) => {
        count('transform: JSON template round trip');
        // One member per distinct key, as the template's JSON object keeps the last.
        const entries = [...new Map(slots).entries()];
        const templateText = `{${entries.map(([k, s]) => `${JSON.stringify(k)}: ${s.kind === 'value' ? `<${s.name}>` : s.kind === 'string' ? `"${s.around}<${s.name}>${s.around}"` : s.text}`).join(', ')}}`;
        const detailValues: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(values)) if (v !== undefined) detailValues[k] = v;
        const shaper = compileTargetInput({ Id: 't', InputTransformer: { InputPathsMap: { v1: '$.detail.v1', v2: '$.detail.v2', v3: '$.detail.v3' }, InputTemplate: templateText } });
        const out = shaper({ detail: detailValues }, CTX);
        const expected: Record<string, unknown> = {};
        for (const [k, s] of entries) {
          const v = Object.hasOwn(detailValues, s.kind === 'literal' ? '' : s.name) ? detailValues[(s as { name: string }).name] : undefined;
          if (s.kind === 'literal') expected[k] = JSON.parse(s.text);
          else if (s.kind === 'value') expected[k] = v === undefined ? '' : v;
          else expected[k] = s.around + (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v)) + s.around;
        }
        expect(canonical(JSON.parse(out))).toBe(canonical(expected));
      }),
      params(1000),
    );
  });
});

// ---------------------------------------------------------------------------------------------

/** A simple cron field and the values it stands for (numbers, ranges that may wrap, lists, steps). */
function cronField(min: number, max: number, names?: string[]): fc.Arbitrary<{ text: string; values: Set<number> }> {
  const value = fc.integer({ min, max });
  const spell = (v: number, useName: boolean) => (names && useName ? names[v - min] : String(v));
  const item = fc.oneof(
    fc.constant({ text: '*', values: range(min, max, 1, min, max) }),
    fc.tuple(value, fc.boolean()).map(([v, n]) => ({ text: spell(v, n), values: new Set([v]) })),
    fc.tuple(value, value, fc.boolean()).map(([a, b, n]) => ({ text: `${spell(a, n)}-${spell(b, n)}`, values: range(a, b, 1, min, max) })),
    fc.tuple(value, fc.integer({ min: 1, max: max - min + 2 })).map(([a, s]) => ({ text: `${a}/${s}`, values: range(a, max, s, min, max) })),
    fc.tuple(value, value, fc.integer({ min: 1, max: 5 })).map(([a, b, s]) => ({ text: `${a}-${b}/${s}`, values: range(a, b, s, min, max) })),
    fc.integer({ min: 1, max: max - min + 1 }).map((s) => ({ text: `*/${s}`, values: range(min, max, s, min, max) })),
  );
  return fc.array(item, { minLength: 1, maxLength: 3 }).map((items) => ({ text: items.map((i) => i.text).join(','), values: new Set(items.flatMap((i) => [...i.values])) }));
}

/** `a` to `b` by `step`, wrapping past `max` when `b < a` (hours `20-2`). */
function range(a: number, b: number, step: number, min: number, max: number): Set<number> {
  const out = new Set<number>();
  const span = b >= a ? b - a : b - a + (max - min + 1);
  for (let o = 0; o <= span; o += step) out.add(a + o > max ? a + o - (max - min + 1) : a + o);
  return out;
}

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const simpleCron = fc
  .tuple(
    cronField(0, 59),
    cronField(0, 23),
    cronField(1, 31),
    cronField(1, 12, MONTH_NAMES),
    cronField(1, 7, DAY_NAMES),
    fc.oneof(fc.constant({ text: '*', values: undefined as Set<number> | undefined }), fc.integer({ min: 2024, max: 2030 }).map((y) => ({ text: `${y}-2199`, values: range(y, 2199, 1, 1970, 2199) }))),
    fc.boolean(),
  )
  .map(([mi, h, dom, mon, dow, year, byDow]) => ({
    text: `cron(${mi.text} ${h.text} ${byDow ? '?' : dom.text} ${mon.text} ${byDow ? dow.text : '?'} ${year.text})`,
    matches: (d: Date) =>
      mi.values.has(d.getUTCMinutes()) &&
      h.values.has(d.getUTCHours()) &&
      mon.values.has(d.getUTCMonth() + 1) &&
      (byDow ? dow.values.has(d.getUTCDay() + 1) : dom.values.has(d.getUTCDate())) &&
      (year.values === undefined || year.values.has(d.getUTCFullYear())),
  }));

const MINUTE = 60_000;
const instant = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2150, 0, 1) });

describe('schedule expressions', () => {
  const hostile = fc.oneof(
    simpleCron.map((c) => c.text).chain((t) => fc.tuple(fc.nat(), fc.constantFrom('', ' ', '  ', '?', 'L', 'W', '#', '/', '-', ',', '*', 'LW', '5#6', '0#1', '8L', 'MONL', '99999999999999999999', '1/0', '\n', '\u00a0', 'x')).map(([n, junk]) => t.slice(0, n % t.length) + junk + t.slice(n % t.length))),
    fc.tuple(fc.oneof(fc.nat(10), fc.constantFrom(0, 2 ** 53, 1e21), fc.constantFrom(...HUGE_NUMBERS)), fc.constantFrom('minute', 'minutes', 'hour', 'hours', 'day', 'days', 'seconds', 'MINUTES', ' minutes')).map(([v, u]) => `rate(${v} ${u})`),
    fc.constantFrom('cron(L L L L L L)', 'cron(* * L * ? *)', 'cron(0 0 LW * ? *)', 'cron(0 0 31W 2 ? *)', 'cron(0 0 ? * 6#5 *)', 'cron(0 0 ? * 7L 2199)', 'cron(0 0 30 2 ? *)', 'cron(0 0 ? * FRI#3 *)', 'cron(0 0 29 2 ? 2100-2199)', 'cron(0 0 1 1 ? 1970)', 'rate(1 minute)', `cron(${'0,'.repeat(200)}0 * * * ? *)`, 'cron()', 'cron( )', 'rate()', 'cron(0 0 * * ? * *)'),
    anyString,
  );

  it('hostile expressions: a schedule or ValidationException; a schedule\'s next firing is later, on a minute, and quick', () => {
    fc.assert(
      fc.property(hostile, instant, (text, after) => {
        count('schedule: hostile expressions');
        bounded(200, `parse and next for ${text}`, () => {
          let schedule: ReturnType<typeof parseSchedule> | undefined;
          if (refusedWithValidation(() => (schedule = parseSchedule(text, after - 7 * MINUTE)))) return;
          const next = schedule!.next(after);
          if (next === undefined) return;
          expect(next).toBeGreaterThan(after);
          if (schedule!.kind === 'cron') expect(next % MINUTE).toBe(0);
          const again = schedule!.next(next);
          if (again !== undefined) expect(again).toBeGreaterThan(next);
        });
      }),
      params(2000),
    );
  });

  it('the next firing of a cron expression is the first minute it names (checked minute by minute for three days)', () => {
    fc.assert(
      fc.property(simpleCron, instant, (cron, after) => {
        count('schedule: cron next = minute-by-minute');
        const next = parseSchedule(cron.text).next(after);
        const first = Math.floor(after / MINUTE) * MINUTE + MINUTE;
        let found: number | undefined;
        for (let t = first; t < first + 3 * 24 * 60 * MINUTE; t += MINUTE) {
          if (cron.matches(new Date(t))) {
            found = t;
            break;
          }
        }
        if (found !== undefined) expect(next).toBe(found);
        else if (next !== undefined) {
          expect(next).toBeGreaterThanOrEqual(first + 3 * 24 * 60 * MINUTE);
          expect(cron.matches(new Date(next))).toBe(true);
        }
      }),
      params(400),
    );
  });

  it('a rate fires one period after the previous firing, anchored where it was created', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.constantFrom(['minute', MINUTE], ['hour', 60 * MINUTE], ['day', 24 * 60 * MINUTE]) as fc.Arbitrary<[string, number]>, instant, fc.integer({ min: 0, max: 10 ** 9 }), (n, [unit, ms], anchor, ahead) => {
        count('schedule: rate arithmetic');
        const schedule = parseSchedule(`rate(${n} ${unit}${n === 1 ? '' : 's'})`, anchor);
        const after = anchor + ahead;
        const next = schedule.next(after)!;
        const period = n * ms;
        expect(next).toBeGreaterThan(after);
        expect(next - period).toBeLessThanOrEqual(after);
        expect((next - anchor) % period).toBe(0);
      }),
      params(500),
    );
  });
});
