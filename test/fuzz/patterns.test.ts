/**
 * Fuzzing the event-pattern language (src/patterns) and SNS filter policies
 * (src/sns/filter-policy.ts): hostile pattern texts are refused with InvalidPatternError /
 * FilterPolicyError and nothing else, in bounded time; generated valid patterns validate and
 * compile; matching any event (deep, wide, long strings, hostile keys) answers in bounded time;
 * explainPattern and the rule index agree with the matcher.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  InvalidPatternError,
  MatchTooComplexError,
  PatternIndex,
  compilePattern,
  explainPattern,
  flattenEvent,
  matchesEvent,
  validatePatternText,
} from '../../src/patterns/index.js';
import { wildcardMatcher } from '../../src/patterns/wildcard.js';
import { FilterPolicyError, FilterSubject, compileFilterPolicy, type SnsMessageAttribute } from '../../src/sns/filter-policy.js';
import { HOSTILE_KEYS, HUGE_NUMBERS, INVALID_UTF8, POLLUTING_JSON, anyJson, deepJsonArb, render } from './arbitraries.js';
import { assertNoPollution, bounded, count, params, printCounts } from './support.js';

afterAll(printCounts);

/** One case's bound: validation, compilation and one match together. */
const CASE_MS = 1000;

// ---------------------------------------------------------------------------------------------
// Generated patterns

const FIELD_NAMES = ['source', 'detail-type', 'detail', 'a', 'b', 'c', 'x.y', 'Ünï', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];
const text = fc.oneof({ arbitrary: fc.constantFrom('a', 'ab', 'b', 'abc', 'A', 'AB', '', ' ', 'é', 'É', '😀', '__proto__', '10.0.0.1', '::1'), weight: 3 }, { arbitrary: fc.string({ maxLength: 6 }), weight: 1 });
const literal = fc.stringMatching(/^[ab:\/.😀]{1,3}$/);
const number = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constantFrom(0, -0, 0.5, 1e9, -1e9, 5e-324, 1.7976931348623157e308, 9007199254740993), fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }));
/** Valid wildcards: literal runs and single stars, at most three of them. */
const wildcard = fc.array(fc.oneof(literal, fc.constant('*'), fc.constantFrom('\\*', '\\\\')), { minLength: 1, maxLength: 5 }).map((parts) => parts.join('').replace(/\*{2,}/g, '*')).filter((w) => (w.match(/(?<!\\)\*/g) ?? []).length <= 3);
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
const cidr = fc.oneof(fc.tuple(ipv4, fc.nat(32)).map(([ip, bits]) => `${ip}/${bits}`), fc.constantFrom('::1/128', '2001:db8::/32', '::ffff:10.0.0.0/104', '0.0.0.0/0'));
const numeric = fc.oneof(
  fc.tuple(fc.constantFrom('=', '<', '<=', '>', '>='), number).map(([op, n]) => [op, n]),
  fc.tuple(fc.constantFrom('>', '>='), number, fc.constantFrom('<', '<='), fc.double({ min: 1e-3, max: 1e6, noNaN: true })).map(([a, lo, b, d]) => [a, lo, b, lo + d]).filter((t) => (t[1] as number) < (t[3] as number)),
);
const stringsOrOne = fc.oneof(text, fc.array(text, { minLength: 1, maxLength: 3 }));
const anythingBut = fc.oneof(
  text,
  number,
  fc.array(text, { minLength: 1, maxLength: 3 }),
  fc.array(number, { minLength: 1, maxLength: 3 }),
  fc.oneof(text.filter((s) => s !== ''), fc.array(text.filter((s) => s !== ''), { minLength: 1, maxLength: 2 })).map((v) => ({ prefix: v })),
  fc.oneof(text.filter((s) => s !== ''), fc.array(text.filter((s) => s !== ''), { minLength: 1, maxLength: 2 })).map((v) => ({ suffix: v })),
  stringsOrOne.map((v) => ({ 'equals-ignore-case': v })),
  fc.oneof(wildcard, fc.array(wildcard, { minLength: 1, maxLength: 2 })).map((v) => ({ wildcard: v })),
);
const condition: fc.Arbitrary<unknown> = fc.oneof(
  text,
  number,
  fc.boolean(),
  fc.constant(null),
  text.map((v) => ({ prefix: v })),
  text.map((v) => ({ suffix: v })),
  text.map((v) => ({ prefix: { 'equals-ignore-case': v } })),
  text.map((v) => ({ suffix: { 'equals-ignore-case': v } })),
  text.map((v) => ({ 'equals-ignore-case': v })),
  wildcard.map((v) => ({ wildcard: v })),
  cidr.map((v) => ({ cidr: v })),
  fc.boolean().map((v) => ({ exists: v })),
  numeric.map((v) => ({ numeric: v })),
  anythingBut.map((v) => ({ 'anything-but': v })),
);

type Pattern = Record<string, unknown>;

/**
 * A pattern object: 1-3 fields (a match list, or an object one level deeper) and sometimes a
 * `$or`, nesting two levels at most. EventBridge takes at most 2048 characters (PutRule), and
 * patterns are kept near that.
 */
function patternOf(conditions: fc.Arbitrary<unknown>, depth = 0): fc.Arbitrary<Pattern> {
  const list = fc.array(conditions, { minLength: 1, maxLength: 3 });
  const value = depth >= 2 ? list : fc.oneof({ arbitrary: list, weight: 3 }, { arbitrary: patternOf(conditions, depth + 1), weight: 1 });
  const or = depth >= 2 ? fc.constant(null) : fc.option(fc.array(patternOf(conditions, depth + 1), { minLength: 2, maxLength: 3 }), { freq: 4 });
  return fc.tuple(fc.array(fc.tuple(fc.constantFrom(...FIELD_NAMES), value), { minLength: 1, maxLength: depth === 0 ? 3 : 2 }), or).map(([fields, alternatives]) => {
    const out: Pattern = {};
    for (const [k, v] of fields) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    if (alternatives) out.$or = alternatives;
    return out;
  });
}
const pattern = patternOf(condition);

/** Values that pass (or nearly pass) a list of conditions: the pattern's own values and near misses. */
function valuesPassing(conditions: unknown[], into: Set<unknown>): void {
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      into.add(v).add(v + 'x').add('x' + v).add(v.toUpperCase());
      // A wildcard's stars filled in, its escapes undone.
      into.add(v.replace(/\\\*|\\\\|\*/g, (m) => (m === '*' ? 'zz' : m[1])));
      const ip = /^([\d.]+|[\da-f:.]+)\/\d+$/i.exec(v);
      if (ip) into.add(ip[1]);
    } else if (typeof v === 'number') into.add(v).add(v + 1).add(v - 1).add(v + 1e-9);
    else if (typeof v === 'boolean' || v === null) into.add(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') for (const k of Object.keys(v)) walk((v as Record<string, unknown>)[k]);
  };
  conditions.forEach(walk);
}

/** Every dotted path a pattern names (through nesting and `$or`), with the values its conditions suggest. */
function pathsOf(p: Pattern, prefix = '', out = new Map<string, Set<unknown>>()): Map<string, Set<unknown>> {
  for (const k of Object.keys(p)) {
    const v = p[k];
    if (k === '$or' && Array.isArray(v) && v.length >= 2 && v.every((a) => a && typeof a === 'object' && !Array.isArray(a))) {
      for (const alt of v as Pattern[]) pathsOf(alt, prefix, out);
      continue;
    }
    const path = prefix ? `${prefix}.${k}` : k;
    if (Array.isArray(v)) {
      let pool = out.get(path);
      if (!pool) out.set(path, (pool = new Set()));
      valuesPassing(v, pool);
    } else if (v && typeof v === 'object') pathsOf(v as Pattern, path, out);
  }
  return out;
}

const OTHER_VALUES: unknown[] = ['', 'a', 'A', 0, 1, -1, true, false, null, '10.0.0.1', '::1'];

/** An event with values at most of the pattern's paths: nested or dotted keys, arrays of elements. */
function eventFor(p: Pattern): fc.Arbitrary<unknown> {
  const perPath = [...pathsOf(p)].map(([path, pool]) => {
    const value = fc.oneof({ arbitrary: fc.constantFrom(...pool), weight: 4 }, { arbitrary: fc.constantFrom(...OTHER_VALUES), weight: 1 });
    const leaf = fc.oneof({ arbitrary: value, weight: 4 }, { arbitrary: fc.array(value, { minLength: 1, maxLength: 3 }), weight: 1 });
    return fc.option(fc.tuple(fc.constant(path), leaf, fc.boolean(), fc.nat(3)), { freq: 8 });
  });
  return fc.tuple(...perPath).map((chosen) => {
    const event: Record<string, unknown> = {};
    for (const entry of chosen) {
      if (entry === null) continue;
      const [path, v, dotted, arrayAt] = entry;
      const parts = dotted ? [path] : path.split('.');
      let node: Record<string, unknown> = event;
      parts.forEach((part, i) => {
        if (i === parts.length - 1) {
          Object.defineProperty(node, part, { value: v, enumerable: true, writable: true, configurable: true });
          return;
        }
        let next = Object.hasOwn(node, part) ? node[part] : undefined;
        if (Array.isArray(next) && (typeof next[0] !== 'object' || next[0] === null || Array.isArray(next[0]))) next = undefined;
        if (typeof next !== 'object' || next === null) {
          next = {};
          // An array of objects: matched fields must come from one element.
          const holder = arrayAt === i ? [next, { ...(next as object) }] : next;
          Object.defineProperty(node, part, { value: holder, enumerable: true, writable: true, configurable: true });
        }
        node = (Array.isArray(next) ? next[0] : next) as Record<string, unknown>;
      });
    }
    return event;
  });
}

/** An event that is hostile in its own right, as JSON text: deep, wide, long strings, huge numbers, hostile keys. */
const hostileEventText: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: anyJson.map(render), weight: 6 },
  { arbitrary: deepJsonArb, weight: 1 },
  {
    arbitrary: fc.tuple(fc.constantFrom(...FIELD_NAMES), fc.constantFrom('a', 'ab', 'aab', ':', '😀'), fc.integer({ min: 1_000, max: 100_000 })).map(([k, s, n]) => JSON.stringify({ [k]: s.repeat(n) })),
    weight: 1,
  },
  { arbitrary: fc.integer({ min: 100, max: 2000 }).map((n) => JSON.stringify({ a: Array.from({ length: n }, (_, i) => ({ b: i, c: String(i) })) })), weight: 1 },
);
const hostileEvent: fc.Arbitrary<unknown> = hostileEventText.map(safeParse);

function safeParse(t: string): unknown {
  try {
    return JSON.parse(t);
  } catch {
    return t;
  }
}

/** Validation refuses only with InvalidPatternError; matching may only give up with MatchTooComplexError. */
function validateOrRefuse(textIn: string): ReturnType<typeof compilePattern> | undefined {
  try {
    return compilePattern(validatePatternText(textIn));
  } catch (err) {
    if (err instanceof InvalidPatternError) {
      expect(err.message.startsWith('Event pattern is not valid. Reason: ')).toBe(true);
      return undefined;
    }
    throw err;
  }
}

function matchOrGiveUp(compiled: ReturnType<typeof compilePattern>, event: unknown): boolean | 'too complex' {
  try {
    return matchesEvent(compiled, event);
  } catch (err) {
    if (err instanceof MatchTooComplexError) return 'too complex';
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------

describe('event patterns', () => {
  const hostileText = fc.oneof(
    anyJson.map(render),
    pattern.map((p) => JSON.stringify(p)).chain((t) => fc.nat().map((n) => t.slice(0, n % (t.length + 1)))),
    pattern.map((p) => JSON.stringify(p)).chain((t) => fc.constantFrom(...HUGE_NUMBERS).map((h) => t.replace(/-?\d+(\.\d+)?(e[+-]?\d+)?/i, h))),
    deepJsonArb,
    fc.constantFrom(...POLLUTING_JSON, '{"a":[{"numeric":[">",1e400]}]}', '{"a":[{"numeric":[">",1E-325]}]}', '{"a":[1],"a":[2]}', '{"$or":[{"a":[1]}]}', '{"a":[{"wildcard":"**"}]}', '{"a":[{"cidr":"1.2.3.4/99"}]}'),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom(...INVALID_UTF8).map((b) => `{"a":["${b.toString('utf8')}"]}`),
  );

  it('hostile pattern text: a valid pattern or InvalidPatternError, and a verdict for any event, in bounded time', () => {
    fc.assert(
      fc.property(hostileText, hostileEvent, (t, event) => {
        count('patterns: hostile text');
        bounded(CASE_MS, 'validate, compile and match', () => {
          const compiled = validateOrRefuse(t);
          if (compiled) matchOrGiveUp(compiled, event);
        });
        assertNoPollution();
      }),
      params(1000),
    );
  });

  it('generated valid patterns validate and compile; matching them against hostile events is bounded', () => {
    fc.assert(
      fc.property(pattern, hostileEvent, (p, event) => {
        count('patterns: valid patterns x hostile events');
        bounded(CASE_MS, 'validate, compile and match', () => {
          const compiled = compilePattern(validatePatternText(JSON.stringify(p)));
          matchOrGiveUp(compiled, event);
        });
        assertNoPollution();
      }),
      params(800),
    );
  });

  it('explainPattern gives the matcher\'s verdict, and the rule index finds exactly the matching patterns', () => {
    const arb = fc.array(pattern, { minLength: 1, maxLength: 4 }).chain((ps) => fc.tuple(fc.constant(ps), eventFor(ps[0])));
    fc.assert(
      fc.property(arb, ([patterns, event]) => {
        count('patterns: explain = index = matcher');
        const compiled = patterns.map((p) => compilePattern(validatePatternText(JSON.stringify(p))));
        const verdicts = compiled.map((c) => matchOrGiveUp(c, event));
        if (verdicts.includes('too complex')) return;
        const explained = explainPattern(JSON.stringify(patterns[0]), event);
        expect(explained.matches).toBe(verdicts[0]);
        if (explained.matches) expect(explained.summary).toBe('matches');
        const index = new PatternIndex<number>();
        patterns.forEach((p, i) => index.add(i, validatePatternText(JSON.stringify(p))));
        const want = verdicts.flatMap((v, i) => (v ? [i] : [])).sort();
        expect([...index.match(flattenEvent(event))].sort()).toEqual(want);
        expect([...index.matchEvent(event)].sort()).toEqual(want);
        assertNoPollution();
      }),
      params(500),
    );
  });

  it('wildcards match as the regular expression they stand for, and in linear time on long values', () => {
    const reference = (w: string): RegExp => {
      let body = '';
      for (let i = 0; i < w.length; i++) {
        const c = w[i];
        if (c === '\\') body += w[++i].replace(/[*\\]/g, '\\$&');
        else if (c === '*') body += '[\\s\\S]*';
        else body += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      }
      return new RegExp(`^${body}$`);
    };
    const value = fc.oneof(fc.stringMatching(/^[ab:\/.*\\]{0,12}$/), fc.string({ maxLength: 8 }));
    fc.assert(
      fc.property(wildcard, value, fc.integer({ min: 1_000, max: 200_000 }), (w, v, n) => {
        count('patterns: wildcard = regular expression');
        const matcher = wildcardMatcher(w);
        expect(matcher.test(v)).toBe(reference(w).test(v));
        // The pattern's own literal, repeated: where a backtracking matcher goes polynomial.
        const long = (w.replace(/\\?\*/g, '') || 'a').repeat(Math.ceil(n / Math.max(1, w.length)));
        bounded(200, `wildcard ${w} on ${long.length} characters`, () => matcher.test(long));
      }),
      params(1000),
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe('SNS filter policies', () => {
  /** Policies in SNS's dialect: no wildcard, anything-but with a value, a list or prefix. */
  const policyCondition: fc.Arbitrary<unknown> = fc.oneof(
    text,
    number,
    fc.constant(null),
    text.map((v) => ({ prefix: v })),
    text.map((v) => ({ suffix: v })),
    text.map((v) => ({ 'equals-ignore-case': v })),
    fc.boolean().map((v) => ({ exists: v })),
    numeric.map((v) => ({ numeric: v })),
    cidr.map((v) => ({ cidr: v })),
    fc.oneof(text, number, fc.array(text, { minLength: 1, maxLength: 2 }), text.map((v) => ({ prefix: v }))).map((v) => ({ 'anything-but': v })),
  );
  const policy = patternOf(policyCondition);
  const policyText = fc.oneof(
    { arbitrary: policy.map((p) => JSON.stringify(p)), weight: 4 },
    { arbitrary: anyJson.map(render), weight: 2 },
    { arbitrary: deepJsonArb, weight: 1 },
    { arbitrary: fc.constantFrom(...POLLUTING_JSON, '', '{}', 'null', '[]', '{"a":[{"wildcard":"*"}]}', '{"a":[{"numeric":[">",1e400]}]}', 'x'.repeat(300 * 1024)), weight: 1 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 1 },
  );
  const attribute: fc.Arbitrary<SnsMessageAttribute> = fc.oneof(
    fc.oneof(text, fc.constantFrom(...HUGE_NUMBERS)).map((v) => ({ DataType: 'String', StringValue: v })),
    fc.oneof(number.map(String), fc.constantFrom(...HUGE_NUMBERS, 'abc', '')).map((v) => ({ DataType: 'Number', StringValue: v })),
    fc.oneof(anyJson.map(render), fc.constantFrom('["a",1,null]', '[', '[[[[1]]]]', deepJsonArbText())).map((v) => ({ DataType: 'String.Array', StringValue: v })),
    fc.uint8Array({ maxLength: 4 }).map((b) => ({ DataType: 'Binary', BinaryValue: b })),
    fc.constantFrom('Number.float', 'String.custom', 'weird').map((t) => ({ DataType: t, StringValue: '1' })),
  );
  const attributes = fc.option(
    fc.array(fc.tuple(fc.oneof(fc.constantFrom(...FIELD_NAMES, ...HOSTILE_KEYS)), attribute), { maxLength: 4 }).map((entries) => {
      const out: Record<string, SnsMessageAttribute> = {};
      for (const [k, v] of entries) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
      return out;
    }),
    { nil: undefined },
  );
  const body = fc.oneof(hostileEventText, fc.string({ maxLength: 20 }));

  it('hostile policies: compiled or refused with InvalidParameter (FilterPolicyError), either scope; matching never throws', () => {
    fc.assert(
      fc.property(policyText, fc.constantFrom('MessageAttributes', 'MessageBody') as fc.Arbitrary<'MessageAttributes' | 'MessageBody'>, body, attributes, (t, scope, b, attrs) => {
        count('filter policies: hostile policies and messages');
        bounded(CASE_MS, 'compile and match a filter policy', () => {
          let compiled;
          try {
            compiled = compileFilterPolicy(t, scope, { call: 'SetSubscriptionAttributes' });
          } catch (err) {
            if (!(err instanceof FilterPolicyError)) throw err;
            expect(err.message.startsWith('Invalid parameter: ')).toBe(true);
            return;
          }
          try {
            compiled.matches(b, attrs);
            compiled.matchesMessage(new FilterSubject(b, attrs));
          } catch (err) {
            if (!(err instanceof MatchTooComplexError)) throw err;
          }
        });
        assertNoPollution();
      }),
      params(1500),
    );
  });
});

function deepJsonArbText(): string {
  return '['.repeat(10_000) + ']'.repeat(10_000);
}

