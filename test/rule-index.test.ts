/**
 * PatternIndex (src/patterns/rule-index.ts): many patterns against one event. The index only picks
 * candidates, so its answer must always be the keys whose pattern `matchesEvent` accepts: checked
 * on seeded random patterns (every condition kind, `$or`, nesting, dotted keys) and events (arrays,
 * arrays of objects, nested arrays), while rules are added, replaced and deleted, and on the cases
 * where an index is easiest to get wrong. The matcher's own shortcuts are checked against a
 * brute-force reading of the array rule.
 */
import { describe, expect, it } from 'vitest';
import {
  PatternIndex,
  compilePattern,
  flattenEvent,
  matchesEvent,
  validatePattern,
  type CompiledPattern,
  type FlatEvent,
} from '../src/patterns/index.js';
import type { CompiledField } from '../src/patterns/compile.js';
import type { Leaf } from '../src/patterns/event.js';
import { rng } from './support.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Random patterns and events over a small vocabulary, so that they often meet. */
function generator(seed: number) {
  const r = rng(seed);
  const int = (n: number): number => Math.floor(r() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)];
  const STRINGS = ['x', 'X', 'xy', 'xyz', 'abc', 'ABC', 'ab', '5', '', 'a.b', 'arn:aws:s3:::b/k.png', 'Straße', 'İx', '10.1.2.3', '::1'];
  const NUMBERS = [0, 5, 5.5, -3, 100, 1000, -0.5];
  const PATHS = ['a', 'b', 'c.d', 'c.e', 'f.g.h', 'arr.x', 'arr.y', 'arr.z.w', 'a.b'];
  const scalar = (): Json => {
    const k = int(10);
    return k < 5 ? pick(STRINGS) : k < 8 ? pick(NUMBERS) : pick([true, false, null]);
  };
  const condition = (): Json => {
    switch (int(14)) {
      case 0:
      case 1:
      case 2:
        return scalar();
      case 3:
        return { prefix: pick(['', 'x', 'a', 'ab', 'arn:', 'X', 'İ']) };
      case 4:
        return { prefix: { 'equals-ignore-case': pick(['x', 'A', 'AB', 'i̇']) } };
      case 5:
        return { suffix: pick(['', 'y', 'c', '.png', 'z']) };
      case 6:
        return { suffix: { 'equals-ignore-case': pick(['Y', 'BC', '.PNG', 'SSE']) } };
      case 7:
        return { 'equals-ignore-case': pick(['X', 'abc', 'STRASSE', 'straße', 'i̇x']) };
      case 8:
        return { wildcard: pick(['a*', '*c', 'x*z', '*', 'a\\*b', 'arn:*:b/*.png', 'ab', '*b*']) };
      case 9:
        return { numeric: pick<Json[]>([['>', 0], ['>=', 5], ['<', 5], ['<=', 5.5], ['=', 5], ['>', -1, '<=', 5], ['>=', 0, '<', 100], ['=', 0]]) };
      case 10:
        return {
          'anything-but': pick<Json>(['x', 5, ['x', 'ab'], [0, 5], { prefix: 'a' }, { suffix: 'z' }, { 'equals-ignore-case': 'X' }, { wildcard: 'a*' }]),
        };
      case 11:
        return { exists: true };
      case 12:
        return { exists: false };
      default:
        return { cidr: pick(['10.0.0.0/8', '::/0', '10.1.2.3/32']) };
    }
  };
  /** Sets `path` as a dotted key or as nested objects, at random: both name the same field. */
  const put = (obj: { [key: string]: Json }, path: string, value: Json): void => {
    if (r() < 0.3) {
      obj[path] = value;
      return;
    }
    const parts = path.split('.');
    let o = obj;
    for (const part of parts.slice(0, -1)) {
      const next = (o[part] ??= {});
      if (typeof next !== 'object' || next === null || Array.isArray(next)) return;
      o = next;
    }
    o[parts[parts.length - 1]] = value;
  };
  const pattern = (depth = 0): { [key: string]: Json } => {
    const p: { [key: string]: Json } = {};
    for (let i = 1 + int(3); i > 0; i--) put(p, pick(PATHS), Array.from({ length: 1 + int(3) }, condition));
    if (depth < 2 && r() < 0.3) p.$or = Array.from({ length: 2 + int(2) }, () => pattern(depth + 1));
    return p;
  };
  const event = (): { [key: string]: Json } => {
    const e: { [key: string]: Json } = {};
    const value = (): Json => (r() < 0.25 ? Array.from({ length: int(4) }, () => (r() < 0.15 ? [scalar()] : scalar())) : scalar());
    for (const path of PATHS) {
      if (r() < 0.45) continue;
      if (path.startsWith('arr.')) {
        const arr = (e.arr ??= Array.from({ length: 1 + int(3) }, () => ({}))) as Array<{ [key: string]: Json }>;
        for (const element of arr) if (r() < 0.7) put(element, path.slice(4), value());
      } else put(e, path, value());
    }
    return e;
  };
  return { pattern, event, int, r };
}

const sorted = <K>(keys: K[]): K[] => [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** The keys whose pattern matches, one pattern at a time. */
function slowly<K>(patterns: Map<K, CompiledPattern>, event: unknown): K[] {
  return sorted([...patterns].filter(([, p]) => matchesEvent(p, event)).map(([k]) => k));
}

function expectSameAnswers<K>(index: PatternIndex<K>, patterns: Map<K, CompiledPattern>, event: unknown): number {
  const want = slowly(patterns, event);
  expect(sorted(index.matchEvent(event))).toEqual(want);
  expect(sorted(index.match(flattenEvent(event)))).toEqual(want);
  return want.length;
}

describe('PatternIndex agrees with matching every pattern', () => {
  it('on random patterns and events, every condition kind, $or, nesting and arrays', () => {
    let matched = 0;
    for (const seed of [1, 2]) {
      const gen = generator(seed);
      const index = new PatternIndex<number>();
      const patterns = new Map<number, CompiledPattern>();
      for (let i = 0; i < 200; i++) {
        const validated = validatePattern(gen.pattern());
        index.add(i, validated);
        patterns.set(i, compilePattern(validated));
      }
      expect(index.size).toBe(200);
      for (let k = 0; k < 200; k++) matched += expectSameAnswers(index, patterns, gen.event());
    }
    // The vocabulary is small enough that patterns do match: the test is not vacuous.
    expect(matched).toBeGreaterThan(4000);
  });

  it('while rules are added, replaced and deleted', () => {
    const gen = generator(7);
    const index = new PatternIndex<string>();
    const patterns = new Map<string, CompiledPattern>();
    const events = Array.from({ length: 25 }, gen.event);
    for (let step = 0; step < 1200; step++) {
      const key = `rule-${gen.int(250)}`;
      if (gen.r() < 0.3) {
        expect(index.delete(key)).toBe(patterns.delete(key));
      } else {
        const validated = validatePattern(gen.pattern());
        index.add(key, validated); // a key already there is replaced
        patterns.set(key, compilePattern(validated));
      }
      expect(index.size).toBe(patterns.size);
      if (step % 100 === 99) for (const event of events) expectSameAnswers(index, patterns, event);
    }
    for (const key of [...patterns.keys()]) expect(index.delete(key)).toBe(true);
    expect(index.size).toBe(0);
    expect(index.matchEvent(events[0])).toEqual([]);
    expect(index.delete('rule-0')).toBe(false);
  });
});

describe('PatternIndex on cases an index gets wrong', () => {
  const index = <K>(entries: Array<[K, unknown]>): PatternIndex<K> => {
    const ix = new PatternIndex<K>();
    for (const [k, p] of entries) ix.add(k, validatePattern(p));
    return ix;
  };
  const keys = <K>(ix: PatternIndex<K>, event: unknown): K[] => sorted(ix.matchEvent(event));

  it('keeps 5, 5.0 and "5" straight, and numeric = with them', () => {
    const ix = index<string>([
      ['num', { n: [5] }],
      ['num-float', JSON.parse('{"n": [5.0]}')],
      ['str', { n: ['5'] }],
      ['numeric-eq', { n: [{ numeric: ['=', 5] }] }],
      ['range', { n: [{ numeric: ['>', 4.5, '<=', 5] }] }],
      ['open-range', { n: [{ numeric: ['>', 5] }] }],
      ['bool', { n: [true] }],
      ['null', { n: [null] }],
    ]);
    expect(keys(ix, { n: 5 })).toEqual(['num', 'num-float', 'numeric-eq', 'range']);
    expect(keys(ix, JSON.parse('{"n": 5.0}'))).toEqual(['num', 'num-float', 'numeric-eq', 'range']);
    expect(keys(ix, { n: '5' })).toEqual(['str']);
    expect(keys(ix, { n: 5.5 })).toEqual(['open-range']);
    expect(keys(ix, { n: true })).toEqual(['bool']);
    expect(keys(ix, { n: 'true' })).toEqual([]);
    expect(keys(ix, { n: null })).toEqual(['null']);
    expect(keys(ix, {})).toEqual([]);
  });

  it('finds a rule through any element of an array, and keeps fields to one element', () => {
    const ix = index<string>([
      ['tag', { tags: ['b'] }],
      ['pair', { items: { sku: ['A'], qty: [1] } }],
      ['cross', { items: { sku: ['A'], qty: [5] } }],
      ['deep', { nums: [3] }],
    ]);
    const event = { tags: ['a', 'b'], items: [{ sku: 'A', qty: 1 }, { sku: 'B', qty: 5 }], nums: [[1, 2], [3]] };
    expect(keys(ix, event)).toEqual(['deep', 'pair', 'tag']);
    expect(keys(ix, { tags: [], items: [] })).toEqual([]);
  });

  it('finds each rule once when it is reachable by several values', () => {
    const ix = index<string>([
      ['many', { s: ['a', 'b', 'c'], t: [{ prefix: 'a' }, { prefix: 'ab' }, { suffix: 'c' }] }],
      ['or', { $or: [{ s: ['a'] }, { t: ['abc'] }, { u: [{ exists: true }] }] }],
    ]);
    const event = { s: ['a', 'b', 'c', 'a'], t: ['abc', 'abc'], u: 1 };
    expect(ix.matchEvent(event).sort()).toEqual(['many', 'or']);
  });

  it('holds thousands of rules sharing values, and finds exactly the right ones', () => {
    const ix = new PatternIndex<number>();
    const sources = ['aws.ec2', 'aws.s3', 'aws.rds'];
    for (let i = 0; i < 6000; i++) {
      const p =
        i % 3 === 0
          ? { source: [sources[i % 2]], detail: { id: [`i-${i}`] } }
          : i % 3 === 1
            ? { source: [sources[i % 3]], account: [String(i % 50)], detail: { state: [{ 'anything-but': 'ok' }] } }
            : { detail: { size: [{ numeric: ['>=', i, '<', i + 10] }] } };
      ix.add(i, validatePattern(p));
    }
    expect(ix.size).toBe(6000);
    expect(ix.matchEvent({ source: 'aws.ec2', detail: { id: 'i-300' } })).toEqual([300]);
    expect(ix.matchEvent({ source: 'aws.s3', detail: { id: 'i-300' } })).toEqual([]);
    // Every rule i % 3 === 1 names aws.s3; account "7" narrows them to i % 50 === 7.
    const want = Array.from({ length: 6000 }, (_, i) => i).filter((i) => i % 3 === 1 && i % 50 === 7);
    expect(sorted(ix.matchEvent({ source: 'aws.s3', account: '7', detail: { state: 'down' } }))).toEqual(want);
    expect(ix.matchEvent({ source: 'aws.s3', account: '7', detail: { state: 'ok' } })).toEqual([]);
    const sizes = Array.from({ length: 6000 }, (_, i) => i).filter((i) => i % 3 === 2 && i <= 4242 && 4242 < i + 10);
    expect(sorted(ix.matchEvent({ detail: { size: 4242 } }))).toEqual(sizes);
    for (let i = 0; i < 6000; i += 2) ix.delete(i);
    expect(ix.size).toBe(3000);
    expect(sorted(ix.matchEvent({ detail: { size: 4242 } }))).toEqual(sizes.filter((i) => i % 2 === 1));
  });

  it('checks patterns without a required field against every event', () => {
    const ix = index<string>([
      ['empty', {}],
      ['absent', { a: [{ exists: false }] }],
      ['absent-or-x', { a: [{ exists: false }, 'x'] }],
      ['present', { a: [{ exists: true }] }],
    ]);
    expect(keys(ix, {})).toEqual(['absent', 'absent-or-x', 'empty']);
    expect(keys(ix, { a: 'x' })).toEqual(['absent-or-x', 'empty', 'present']);
    expect(keys(ix, { a: { b: 1 } })).toEqual(['absent', 'absent-or-x', 'empty']);
    expect(keys(ix, 'not an object')).toEqual(['absent', 'absent-or-x', 'empty']);
  });

  it('reads dotted keys, empty keys and empty affixes like the matcher', () => {
    const rules: Array<[string, unknown]> = [
      ['dotted', { 'a.b': ['1'] }],
      ['nested', { a: { b: ['2'] } }],
      ['empty-key', JSON.parse('{"": {"k": ["v"]}, "x.": {"": ["w"]}}')],
      ['empty-prefix', { p: [{ prefix: '' }] }],
      ['empty-suffix', { p: [{ suffix: { 'equals-ignore-case': '' } }] }],
      ['proto', JSON.parse('{"__proto__": {"x": ["y"]}}')],
    ];
    const ix = index<string>(rules);
    const patterns = new Map(rules.map(([k, p]) => [k, compilePattern(validatePattern(p))]));
    const events = [
      { a: { b: '1' } },
      { 'a.b': '2' },
      { a: [{ 'b.c': 1, b: ['2'] }] },
      JSON.parse('{"": {"k": "v"}, "x": {"": {"": "w"}}}'),
      JSON.parse('{"k": "v", "x..": "w"}'),
      { p: '' },
      { p: 1 },
      JSON.parse('{"__proto__": {"x": "y"}}'),
      { constructor: 'y' },
    ];
    for (const event of events) expectSameAnswers(ix, patterns, event);
    expect(keys(ix, { a: { b: '1' } })).toEqual(['dotted']);
    expect(keys(ix, { 'a.b': '2' })).toEqual(['nested']);
    expect(keys(ix, { p: '' })).toEqual(['empty-prefix', 'empty-suffix']);
    expect(keys(ix, JSON.parse('{"__proto__": {"x": "y"}}'))).toEqual(['proto']);
  });

  it('confirms what a prefix, suffix or wildcard look-up only suggests', () => {
    const ix = index<string>([
      ['x*z', { s: [{ wildcard: 'x*z' }] }],
      ['*mid*', { s: [{ wildcard: '*mid*' }] }],
      ['a*b*c', { s: [{ wildcard: 'a*b*c' }] }],
      ['no-star', { s: [{ wildcard: 'x\\*z' }] }],
      // "Aa" and "BB" hash alike (31 * 65 + 97 === 31 * 66 + 66), and so, read from the end, do "aA" and "BB".
      ['prefix-Aa', { s: [{ prefix: 'Aa' }] }],
      ['suffix-aA', { s: [{ suffix: 'aA' }] }],
      ['suffix-ci', { s: [{ suffix: { 'equals-ignore-case': 'AA' } }] }],
    ]);
    expect(keys(ix, { s: 'xyz' })).toEqual(['x*z']);
    expect(keys(ix, { s: 'xy' })).toEqual([]);
    expect(keys(ix, { s: 'x*z' })).toEqual(['no-star', 'x*z']);
    expect(keys(ix, { s: 'a-mid-b' })).toEqual(['*mid*']);
    expect(keys(ix, { s: 'abc' })).toEqual(['a*b*c']);
    expect(keys(ix, { s: 'acb' })).toEqual([]);
    expect(keys(ix, { s: 'BBx' })).toEqual([]);
    expect(keys(ix, { s: 'xBB' })).toEqual([]);
    expect(keys(ix, { s: 'Aax' })).toEqual(['prefix-Aa']);
    expect(keys(ix, { s: 'xaA' })).toEqual(['suffix-aA', 'suffix-ci']);
  });

  it('replaces a pattern under the same key, and forgets deleted ones', () => {
    const ix = index<string>([['r', { a: ['1'] }]]);
    ix.add('r', validatePattern({ a: ['2'] }));
    expect(ix.size).toBe(1);
    expect(ix.matchEvent({ a: '1' })).toEqual([]);
    expect(ix.matchEvent({ a: '2' })).toEqual(['r']);
    expect(ix.delete('r')).toBe(true);
    expect(ix.delete('r')).toBe(false);
    expect(ix.matchEvent({ a: '2' })).toEqual([]);
  });

  it('keeps numeric ranges right while rules change between events', () => {
    const ix = new PatternIndex<number>();
    const live = new Set<number>();
    for (let i = 0; i < 400; i++) {
      ix.add(i, validatePattern({ n: [{ numeric: ['>', i, '<=', i + 5] }] }));
      live.add(i);
    }
    const want = (x: number): number[] => [...live].filter((i) => i < x && x <= i + 5).sort((a, b) => a - b);
    for (let step = 0; step < 300; step++) {
      const x = (step * 7) % 405;
      if (step % 3 === 0) {
        ix.delete(x);
        live.delete(x);
      } else {
        ix.add(x, validatePattern({ n: [{ numeric: ['>', x, '<=', x + 5] }] }));
        live.add(x);
      }
      expect(sorted(ix.matchEvent({ n: x + 0.5 }))).toEqual(want(x + 0.5));
      expect(sorted(ix.matchEvent({ n: x }))).toEqual(want(x));
    }
  });

  it('reads events that are arrays, or nested deeper than the call stack', () => {
    const ix = index<string>([['a', { a: ['x'] }], ['b', { b: { c: [1] } }]]);
    expect(keys(ix, [{ a: 'x' }, { b: [{ c: 1 }] }])).toEqual(['a', 'b']);
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(keys(ix, { a: deep })).toEqual(['a']);
    let deepObject: unknown = 1;
    for (let i = 0; i < 50_000; i++) deepObject = { c: deepObject };
    expect(keys(ix, { b: deepObject })).toEqual([]);
  });

  it('ignores parts of an event no pattern names, but still reads what one names deep inside', () => {
    const ix = index<string>([['deep', { x: { y: { z: ['v'] } } }]]);
    const noise = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, { big: Array.from({ length: 20 }, (__, j) => j) }]));
    expect(ix.matchEvent({ ...noise, x: [{ y: [{ z: ['w', 'v'] }] }] })).toEqual(['deep']);
    expect(ix.matchEvent({ ...noise, x: { y: 'v' } })).toEqual([]);
  });
});

/**
 * The array rule read literally: a pattern matches when, for some alternative of each `$or`, every
 * field takes one passing value (or, with `exists: false`, none), no two taken values come from
 * different elements of one array, and an `exists: false` field has no value in the elements taken.
 */
function bruteForce(p: CompiledPattern, event: FlatEvent): boolean {
  const conjuncts = (q: CompiledPattern): CompiledField[][] => {
    let out: CompiledField[][] = [q.fields];
    for (const group of q.ors) out = out.flatMap((c) => group.flatMap(conjuncts).map((alt) => [...c, ...alt]));
    return out;
  };
  const agree = (a: Leaf, b: Leaf): boolean => {
    for (let x = a.trail; x; x = x.outer) for (let y = b.trail; y; y = y.outer) if (x.array === y.array && x.index !== y.index) return false;
    return true;
  };
  return conjuncts(p).some((fields) => {
    const options = fields.map((f) => {
      const leaves = event.get(f.path) ?? [];
      const taken: Array<Leaf | 'absent'> = leaves.filter((l) => f.tests.some((t) => t(l.value)));
      if (f.matchesAbsent) taken.push('absent');
      return taken;
    });
    const search = (i: number, chosen: Leaf[]): boolean => {
      if (i === fields.length)
        return fields.every(
          (f, k) => choice[k] !== 'absent' || (event.get(f.path) ?? []).every((l) => !chosen.every((c) => agree(c, l))),
        );
      for (const o of options[i]) {
        choice[i] = o;
        if (o === 'absent') {
          if (search(i + 1, chosen)) return true;
        } else if (chosen.every((c) => agree(c, o)) && search(i + 1, [...chosen, o])) return true;
      }
      return false;
    };
    const choice: Array<Leaf | 'absent'> = [];
    return search(0, []);
  });
}

describe('matchesEvent', () => {
  it('agrees with a brute-force reading of the array rule', () => {
    const gen = generator(11);
    const patterns = Array.from({ length: 100 }, () => compilePattern(validatePattern(gen.pattern())));
    let matched = 0;
    for (let k = 0; k < 100; k++) {
      const event = gen.event();
      const flat = flattenEvent(event);
      for (const p of patterns) {
        const want = bruteForce(p, flat);
        expect(matchesEvent(p, event)).toBe(want);
        if (want) matched++;
      }
    }
    expect(matched).toBeGreaterThan(400);
  });
});
