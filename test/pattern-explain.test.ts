/**
 * explainPattern (src/patterns/explain.ts): the reason given for every operator, matching and not,
 * `$or` (in context and on its own), nested objects, arrays in the event, AWS's one-array-element
 * rule, and a property test that its verdict is always the matcher's.
 */
import { describe, expect, it } from 'vitest';
import {
  InvalidPatternError,
  compilePatternText,
  explainPattern,
  matchesEvent,
  type PatternExplanation,
} from '../src/patterns/index.js';
import { rng } from './support.js';

function ex(pattern: unknown, event: unknown): PatternExplanation {
  return explainPattern(typeof pattern === 'string' ? pattern : JSON.stringify(pattern), event);
}

/** The one field of a one-field pattern: [ok, reason], checked against the overall verdict. */
function one(pattern: unknown, event: unknown): [boolean, string] {
  const e = ex(pattern, event);
  expect(e.fields).toHaveLength(1);
  const f = e.fields[0];
  expect(e.matches).toBe(f.ok);
  expect(e.summary).toBe(f.ok ? 'matches' : f.reason);
  return [f.ok, f.reason];
}

describe('exact values', () => {
  it('strings', () => {
    expect(one({ source: ['shop'] }, { source: 'shop' })).toEqual([true, 'source: "shop" matches']);
    expect(one({ source: ['shop'] }, { source: 'shops' })).toEqual([false, 'source: "shops" is not "shop"']);
    expect(one({ source: ['a', 'b'] }, { source: 'c' })).toEqual([false, 'source: "c" is not one of ["a","b"]']);
    expect(one({ source: ['a', 'b'] }, { source: 'b' })).toEqual([true, 'source: "b" matches']);
  });

  it('numbers, by type as well as value', () => {
    expect(one({ n: [7] }, { n: 7 })).toEqual([true, 'n: 7 matches']);
    expect(one({ n: [7] }, { n: 8 })).toEqual([false, 'n: 8 is not 7']);
    expect(one({ n: [7] }, { n: '7' })).toEqual([false, 'n: "7" is not 7 (a string, not a number)']);
    expect(one({ n: [1, 'x', null] }, { n: 2 })).toEqual([false, 'n: 2 is not one of [1,"x",null]']);
  });

  it('booleans and null', () => {
    expect(one({ t: [true] }, { t: true })).toEqual([true, 't: true matches']);
    expect(one({ t: [true] }, { t: false })).toEqual([false, 't: false is not true']);
    expect(one({ t: [true] }, { t: 'true' })).toEqual([false, 't: "true" is not true (a string, not a boolean)']);
    expect(one({ z: [null] }, { z: null })).toEqual([true, 'z: null matches']);
    expect(one({ z: [null] }, { z: 'null' })).toEqual([false, 'z: "null" is not null (a string, not null)']);
    expect(one({ z: [null] }, {})).toEqual([false, 'z: absent, but the pattern needs a value']);
  });
});

describe('string operators', () => {
  it('prefix, case-sensitive or not', () => {
    expect(one({ s: [{ prefix: 'sh' }] }, { s: 'shop' })).toEqual([true, 's: "shop" starts with "sh"']);
    expect(one({ s: [{ prefix: 'sh' }] }, { s: 'Shop' })).toEqual([false, 's: "Shop" does not start with "sh"']);
    expect(one({ s: [{ prefix: 'sh' }] }, { s: 12 })).toEqual([false, 's: 12 is not a string, so it does not start with "sh"']);
    const ic = { s: [{ prefix: { 'equals-ignore-case': 'sh' } }] };
    expect(one(ic, { s: 'SHop' })).toEqual([true, 's: "SHop" starts with "sh", ignoring case']);
    expect(one(ic, { s: 'ash' })).toEqual([false, 's: "ash" does not start with "sh", even ignoring case']);
  });

  it('suffix, case-sensitive or not', () => {
    expect(one({ f: [{ suffix: '.png' }] }, { f: 'a.png' })).toEqual([true, 'f: "a.png" ends with ".png"']);
    expect(one({ f: [{ suffix: '.png' }] }, { f: 'a.PNG' })).toEqual([false, 'f: "a.PNG" does not end with ".png"']);
    const ic = { f: [{ suffix: { 'equals-ignore-case': '.png' } }] };
    expect(one(ic, { f: 'a.PNG' })).toEqual([true, 'f: "a.PNG" ends with ".png", ignoring case']);
    expect(one(ic, { f: 'a.jpg' })).toEqual([false, 'f: "a.jpg" does not end with ".png", even ignoring case']);
    expect(one(ic, { f: null })).toEqual([false, 'f: null is not a string, so it does not end with ".png", even ignoring case']);
  });

  it('equals-ignore-case', () => {
    const p = { s: [{ 'equals-ignore-case': 'shop' }] };
    expect(one(p, { s: 'SHOP' })).toEqual([true, 's: "SHOP" equals "shop", ignoring case']);
    expect(one(p, { s: 'shops' })).toEqual([false, 's: "shops" does not equal "shop", even ignoring case']);
    expect(one(p, { s: true })).toEqual([false, 's: true is not a string, so it does not equal "shop", even ignoring case']);
  });

  it('wildcard', () => {
    const p = { p: [{ wildcard: 'a/*/c' }] };
    expect(one(p, { p: 'a/b/c' })).toEqual([true, 'p: "a/b/c" matches wildcard "a/*/c"']);
    expect(one(p, { p: 'a/b/d' })).toEqual([false, 'p: "a/b/d" does not match wildcard "a/*/c"']);
    expect(one(p, { p: 1 })).toEqual([false, 'p: 1 is not a string, so it does not match wildcard "a/*/c"']);
  });
});

describe('anything-but', () => {
  it('a scalar or a list of strings or numbers', () => {
    const p = { detail: { status: [{ 'anything-but': 'new' }] } };
    expect(one(p, { detail: { status: 'old' } })).toEqual([true, 'detail.status: "old" is not one of the excluded values ["new"]']);
    expect(one(p, { detail: { status: 'new' } })).toEqual([false, 'detail.status: "new" is one of the excluded values ["new"]']);
    expect(one(p, { detail: { status: 3 } })).toEqual([true, 'detail.status: 3 is not one of the excluded values ["new"]']);
    expect(one(p, { detail: {} })).toEqual([false, 'detail.status: absent, but the pattern needs a value']);
    const nums = { n: [{ 'anything-but': [1, 2] }] };
    expect(one(nums, { n: 3 })).toEqual([true, 'n: 3 is not one of the excluded values [1,2]']);
    expect(one(nums, { n: 2 })).toEqual([false, 'n: 2 is one of the excluded values [1,2]']);
  });

  it('prefix and suffix', () => {
    const p = { s: [{ 'anything-but': { prefix: 'init' } }] };
    expect(one(p, { s: 'post-init' })).toEqual([true, 's: "post-init" starts with none of the excluded prefixes ["init"]']);
    expect(one(p, { s: 'init-x' })).toEqual([false, 's: "init-x" starts with the excluded prefix "init"']);
    expect(one(p, { s: 12 })).toEqual([true, 's: 12 is not a string, so anything-but prefix ["init"] does not exclude it']);
    const q = { s: [{ 'anything-but': { suffix: ['.txt', '.md'] } }] };
    expect(one(q, { s: 'a.png' })).toEqual([true, 's: "a.png" ends with none of the excluded suffixes [".txt",".md"]']);
    expect(one(q, { s: 'a.md' })).toEqual([false, 's: "a.md" ends with the excluded suffix ".md"']);
  });

  it('equals-ignore-case and wildcard', () => {
    const p = { s: [{ 'anything-but': { 'equals-ignore-case': ['yes', 'ok'] } }] };
    expect(one(p, { s: 'no' })).toEqual([true, 's: "no" is not one of the excluded values ["yes","ok"], even ignoring case']);
    expect(one(p, { s: 'OK' })).toEqual([false, 's: "OK" equals the excluded value "ok", ignoring case']);
    const w = { s: [{ 'anything-but': { wildcard: ['*foo*', '*bar*'] } }] };
    expect(one(w, { s: 'baz' })).toEqual([true, 's: "baz" matches none of the excluded wildcards ["*foo*","*bar*"]']);
    expect(one(w, { s: 'xbarx' })).toEqual([false, 's: "xbarx" matches the excluded wildcard "*bar*"']);
  });
});

describe('numeric', () => {
  it('ranges and =, numbers only', () => {
    const p = { detail: { price: [{ numeric: ['>', 100] }] } };
    expect(one(p, { detail: { price: 150 } })).toEqual([true, 'detail.price: 150 is in numeric range > 100']);
    expect(one(p, { detail: { price: 12 } })).toEqual([false, 'detail.price: 12 is not in numeric range > 100']);
    expect(one(p, { detail: { price: '150' } })).toEqual([
      false,
      'detail.price: "150" is not a number, so it is not in numeric range > 100',
    ]);
    const r = { x: [{ numeric: ['>=', 0, '<', 5] }] };
    expect(one(r, { x: 0 })).toEqual([true, 'x: 0 is in numeric range >= 0 and < 5']);
    expect(one(r, { x: 5 })).toEqual([false, 'x: 5 is not in numeric range >= 0 and < 5']);
    expect(one({ x: [{ numeric: ['=', 301.8] }] }, { x: 301.8 })).toEqual([true, 'x: 301.8 is in numeric range = 301.8']);
  });
});

describe('exists', () => {
  it('true needs a leaf value', () => {
    const p = { detail: { id: [{ exists: true }] } };
    expect(one(p, { detail: { id: 'x' } })).toEqual([true, 'detail.id: "x" is present, as exists: true requires']);
    expect(one(p, { detail: { id: null } })).toEqual([true, 'detail.id: null is present, as exists: true requires']);
    expect(one(p, { detail: {} })).toEqual([false, 'detail.id: absent, but the pattern needs a value']);
    // An object or an empty array is no value.
    expect(one(p, { detail: { id: {} } })).toEqual([false, 'detail.id: absent, but the pattern needs a value']);
    expect(one(p, { detail: { id: [] } })).toEqual([false, 'detail.id: absent, but the pattern needs a value']);
  });

  it('false needs none', () => {
    const p = { detail: { id: [{ exists: false }] } };
    expect(one(p, { detail: {} })).toEqual([true, 'detail.id: absent, as exists: false requires']);
    expect(one(p, { detail: { id: 'x' } })).toEqual([false, 'detail.id: "x" is present, but exists: false needs the field absent']);
  });

  it('false combined with another condition on the same field', () => {
    const p = { s: [{ exists: false }, 'a'] };
    expect(one(p, {})).toEqual([true, 's: absent, as exists: false requires']);
    expect(one(p, { s: 'a' })).toEqual([true, 's: "a" matches']);
    expect(one(p, { s: 'b' })).toEqual([false, 's: "b" is present, but exists: false needs the field absent, and is not "a"']);
  });
});

describe('cidr', () => {
  it('IPv4 and IPv6', () => {
    const p = { ip: [{ cidr: '10.0.0.0/24' }] };
    expect(one(p, { ip: '10.0.0.7' })).toEqual([true, 'ip: "10.0.0.7" is in CIDR block 10.0.0.0/24']);
    expect(one(p, { ip: '10.0.1.7' })).toEqual([false, 'ip: "10.0.1.7" is not in CIDR block 10.0.0.0/24']);
    expect(one(p, { ip: '10.0.0.256' })).toEqual([false, 'ip: "10.0.0.256" is not an IP address, so it is not in CIDR block 10.0.0.0/24']);
    expect(one(p, { ip: 10 })).toEqual([false, 'ip: 10 is not a string, so it is not in CIDR block 10.0.0.0/24']);
    const v6 = { ip: [{ cidr: '2001:db8::/32' }] };
    expect(one(v6, { ip: '2001:db8::1' })).toEqual([true, 'ip: "2001:db8::1" is in CIDR block 2001:db8::/32']);
    expect(one(v6, { ip: '10.0.0.7' })).toEqual([false, 'ip: "10.0.0.7" is not in CIDR block 2001:db8::/32']);
  });
});

describe('fields, conditions and values', () => {
  it('renders conditions compactly, in pattern order, and values as JSON', () => {
    const e = ex(
      {
        source: ['shop', 7, null],
        detail: {
          price: [{ numeric: ['>', 0, '<=', 5] }],
          name: [{ prefix: { 'equals-ignore-case': 'a' } }, { 'anything-but': ['x', 'y'] }],
          kind: [{ 'anything-but': { suffix: '.tmp' } }, { exists: false }, { cidr: '10.0.0.0/8' }],
        },
      },
      { source: 'shop', detail: { price: [1, 9], name: 'x' } },
    );
    expect(e.fields.map((f) => [f.path, f.condition, f.values])).toEqual([
      ['source', '["shop",7,null]', ['"shop"']],
      ['detail.price', '[{"numeric":[">",0,"<=",5]}]', ['1', '9']],
      ['detail.name', '[{"prefix":{"equals-ignore-case":"a"}},{"anything-but":["x","y"]}]', ['"x"']],
      ['detail.kind', '[{"anything-but":{"suffix":".tmp"}},{"exists":false},{"cidr":"10.0.0.0/8"}]', []],
    ]);
    expect(e.fields.map((f) => f.ok)).toEqual([true, true, false, true]);
    expect(e.summary).toBe(
      'detail.name: "x" does not start with "a", even ignoring case, and is one of the excluded values ["x","y"]',
    );
  });

  it('walks nested objects; dotted keys name the same field', () => {
    const ev = { detail: { order: { state: 'paid' } } };
    const nested = ex({ detail: { order: { state: ['paid'] } } }, ev);
    const dotted = ex({ 'detail.order.state': ['paid'] }, ev);
    expect(nested.fields[0]).toEqual(dotted.fields[0]);
    expect(nested.fields[0].reason).toBe('detail.order.state: "paid" matches');
    expect(ex({ detail: { order: { state: ['new'] } } }, { detail: { order: 'paid' } }).summary).toBe(
      'detail.order.state: absent, but the pattern needs a value',
    );
  });

  it('takes every element of an array in the event as a value of the field', () => {
    const ev = { detail: { items: [{ sku: 'a' }, { sku: 'b' }], tags: ['x', 'y', 3] } };
    const hit = ex({ detail: { items: { sku: ['b'] } } }, ev);
    expect(hit.matches).toBe(true);
    expect(hit.fields[0].values).toEqual(['"a"', '"b"']);
    expect(hit.fields[0].reason).toBe('detail.items.sku: "b" matches');
    expect(ex({ detail: { items: { sku: ['c'] } } }, ev).summary).toBe('detail.items.sku: none of "a", "b" matches: each is not "c"');
    expect(ex({ detail: { tags: [{ prefix: 'z' }] } }, ev).summary).toBe(
      'detail.tags: no value matches: "x" does not start with "z"; "y" does not start with "z"; 3 is not a string, so it does not start with "z"',
    );
    const many = { n: [1, 2, 3, 4, 5, 6, 7] };
    expect(ex({ n: [0] }, many).summary).toBe('n: none of 1, 2, 3, 4, 5 and 2 more values matches: each is not 0');
  });

  it('gives plain text, leaving escaping to the UI', () => {
    const e = ex({ s: ['<b>'] }, { s: '<i>&' });
    expect(e.summary).toBe('s: "<i>&" is not "<b>"');
  });

  it('throws the engine\u2019s InvalidPatternError for a pattern AWS refuses', () => {
    expect(() => ex({ a: [] }, {})).toThrow(InvalidPatternError);
    expect(() => ex('{"a": [', {})).toThrow(InvalidPatternError);
    expect(() => ex({ a: [{ numeric: ['>', 'x'] }] }, {})).toThrow('Value of > must be numeric');
  });
});

describe('values from one array element (AWS)', () => {
  const ev = { x: [{ a: 1, b: 2 }, { a: 3, b: 4 }] };

  it('says when every field holds on its own but in different elements of the same array', () => {
    const e = ex({ x: { a: [1], b: [4] } }, ev);
    expect(e.matches).toBe(false);
    expect(e.fields.map((f) => [f.ok, f.reason])).toEqual([
      [true, 'x.a: 1 matches'],
      [true, 'x.b: 4 matches'],
    ]);
    const why = 'x.a and x.b each match, but only in different elements of the same array (values matched inside an array must come from one element)';
    expect(e.arrayConsistency).toBe(why);
    expect(e.summary).toBe(why);
  });

  it('says nothing of it when the fields match together or a field fails on its own', () => {
    const together = ex({ x: { a: [1], b: [2] } }, ev);
    expect(together.matches).toBe(true);
    expect(together.arrayConsistency).toBeUndefined();
    const failing = ex({ x: { a: [1], b: [5] } }, ev);
    expect(failing.arrayConsistency).toBeUndefined();
    expect(failing.summary).toBe('x.b: none of 2, 4 matches: each is not 5');
  });

  it('counts exists: false as holding when the value is only in elements the other fields did not match', () => {
    const p = { a: { c: ['x'], b: [{ exists: false }] } };
    const e = ex(p, { a: [{ c: 'x' }, { b: 1 }] });
    expect(e.matches).toBe(true);
    expect(e.fields[1]).toMatchObject({
      ok: true,
      values: ['1'],
      reason: 'a.b: 1 is present, but only in array elements other than those the rest of the pattern matched, so exists: false holds',
    });
    const same = ex(p, { a: [{ c: 'x', b: 1 }] });
    expect(same.matches).toBe(false);
    expect(same.summary).toBe('a.b: 1 is present, but exists: false needs the field absent');
  });
});

describe('$or', () => {
  const p = { source: ['shop'], $or: [{ detail: { price: [{ numeric: ['>', 100] }] } }, { detail: { vip: [true] } }] };

  it('shows which alternatives matched, each with its own fields', () => {
    const e = ex(p, { source: 'shop', detail: { price: 150 } });
    expect(e.matches).toBe(true);
    expect(e.fields.map((f) => f.path)).toEqual(['source']);
    expect(e.ors).toHaveLength(1);
    expect(e.ors[0].ok).toBe(true);
    const [price, vip] = e.ors[0].alternatives;
    expect(price.matches).toBe(true);
    expect(price.fields[0].reason).toBe('detail.price: 150 is in numeric range > 100');
    expect(vip.matches).toBe(false);
    expect(vip.summary).toBe('detail.vip: absent, but the pattern needs a value');
  });

  it('names the failing group when no alternative matches', () => {
    const e = ex(p, { source: 'shop', detail: { price: 12, vip: false } });
    expect(e.matches).toBe(false);
    expect(e.fields[0].ok).toBe(true);
    expect(e.ors[0].ok).toBe(false);
    expect(e.ors[0].alternatives.map((a) => a.summary)).toEqual([
      'detail.price: 12 is not in numeric range > 100',
      'detail.vip: false is not true',
    ]);
    expect(e.summary).toBe('$or: none of the 2 alternatives matches (first: detail.price: 12 is not in numeric range > 100)');
  });

  it('puts a failing field outside the $or first', () => {
    const e = ex(p, { source: 'blog', detail: { vip: true } });
    expect(e.summary).toBe('source: "blog" is not "shop"');
    expect(e.ors[0].ok).toBe(true);
  });

  it('explains nested $or', () => {
    const nested = { $or: [{ a: ['1'] }, { $or: [{ b: ['2'] }, { c: ['3'] }] }] };
    const e = ex(nested, { c: '3' });
    expect(e.matches).toBe(true);
    const inner = e.ors[0].alternatives[1];
    expect(inner.matches).toBe(true);
    expect(inner.ors[0].alternatives.map((a) => a.matches)).toEqual([false, true]);
    expect(inner.ors[0].alternatives[1].fields[0].reason).toBe('c: "3" matches');
    const miss = ex(nested, { c: '4' });
    expect(miss.summary).toBe('$or: none of the 2 alternatives matches (first: a: absent, but the pattern needs a value)');
    expect(miss.ors[0].alternatives[1].summary).toBe('$or: none of the 2 alternatives matches (first: b: absent, but the pattern needs a value)');
  });

  it('explains a field named outside and inside a $or where the engine reads it: in the alternatives', () => {
    const e = ex({ name: ['a'], $or: [{ name: [{ 'anything-but': 'a' }] }, { x: ['y'] }] }, { name: 'b' });
    expect(e.matches).toBe(true);
    expect(e.fields).toEqual([]);
    const [first, second] = e.ors[0].alternatives;
    expect(first.fields.map((f) => f.reason)).toEqual(['name: "b" is not one of the excluded values ["a"]']);
    expect(second.fields.map((f) => f.reason)).toEqual(['x: absent, but the pattern needs a value', 'name: "b" is not "a"']);
  });

  it('judges alternatives together with the rest of a matching pattern', () => {
    const q = { a: { c: ['x'] }, $or: [{ a: { d: ['y'] } }, { z: ['q'] }] };
    const ev = { a: [{ c: 'x' }, { d: 'y' }], z: 'q' };
    const e = ex(q, ev);
    expect(e.matches).toBe(true);
    const [d, z] = e.ors[0].alternatives;
    expect(z.matches).toBe(true);
    expect(d.matches).toBe(false);
    expect(d.fields[0]).toMatchObject({ ok: true, reason: 'a.d: "y" matches' });
    expect(d.arrayConsistency).toBe(
      'This alternative matches on its own, but not together with the rest of the pattern: the values it matches sit in different elements of an array than the values the rest of the pattern matches (values matched inside an array must come from one element)',
    );
    expect(d.summary).toBe(d.arrayConsistency);
  });

  it('says when the only alternatives that match do so in other array elements than the fields outside', () => {
    const q = { a: { c: ['x'] }, $or: [{ a: { d: ['y'] } }, { z: ['q'] }] };
    const e = ex(q, { a: [{ c: 'x' }, { d: 'y' }] });
    expect(e.matches).toBe(false);
    expect(e.ors[0].alternatives.map((a) => a.matches)).toEqual([true, false]);
    expect(e.summary).toBe(
      'a.c and the $or alternative on a.d each match, but only in different elements of the same array (values matched inside an array must come from one element)',
    );
  });

  it('counts exists: false in an alternative as absent in elements the rest did not match', () => {
    const q = { a: { c: ['x'] }, $or: [{ a: { b: [{ exists: false }] } }, { z: ['q'] }] };
    const e = ex(q, { a: [{ c: 'x' }, { b: 1 }] });
    expect(e.matches).toBe(true);
    expect(e.ors[0].alternatives[0].matches).toBe(true);
    expect(e.ors[0].alternatives[0].fields[0].ok).toBe(true);
  });
});

// ---------------------------------------------------------------- property: the verdict is the matcher's

const PATHS = ['a', 'b', 'n', 'items.k', 'items.v', 'items.sub.w', 'tags'];
const STRINGS = ['x', 'y', 'X', 'xy', 'yx', '10.0.0.1', '7', ''];
const NUMBERS = [0, 1, 7, 100, -3.5];
const ITEM_PATHS = ['items.k', 'items.v', 'items.sub.w'];
const FEW = ['x', 'y', 1];

function generator(seed: number) {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const scalar = (): unknown => (r() < 0.5 ? pick(STRINGS) : r() < 0.7 ? pick(NUMBERS) : pick([true, false, null]));
  const condition = (): unknown => {
    switch (Math.floor(r() * 13)) {
      case 0:
      case 1:
        return scalar();
      case 2:
        return { prefix: r() < 0.5 ? pick(['x', 'y', '1']) : { 'equals-ignore-case': pick(['x', 'Y']) } };
      case 3:
        return { suffix: r() < 0.5 ? pick(['x', 'y']) : { 'equals-ignore-case': pick(['X', 'y']) } };
      case 4:
        return { 'equals-ignore-case': pick(['x', 'XY']) };
      case 5:
        return { wildcard: pick(['x*', '*y', '*', 'x*y']) };
      case 6:
        return { numeric: pick([['>', 0], ['<=', 7], ['=', 1], ['>=', 0, '<', 100]]) };
      case 7:
        return { exists: r() < 0.5 };
      case 8:
        return { exists: false };
      case 9:
        return { cidr: pick(['10.0.0.0/24', '10.0.0.1/32']) };
      case 10:
        return { 'anything-but': pick<unknown>(['x', 7, ['x', 'y'], [0, 1]]) };
      case 11:
        return { 'anything-but': pick<unknown>([{ prefix: 'x' }, { suffix: ['y', 'x'] }, { wildcard: 'x*' }]) };
      default:
        return { 'anything-but': { 'equals-ignore-case': pick(['X', 'y']) } };
    }
  };
  /** Half the patterns stay inside `items` with a few values, where fields clash over elements. */
  let inItems = false;
  const object = (depth: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    const n = 1 + Math.floor(r() * 3);
    for (let i = 0; i < n; i++) {
      const path = inItems ? pick(ITEM_PATHS) : pick(PATHS);
      out[path] = inItems && r() < 0.7 ? [pick(FEW)] : Array.from({ length: 1 + Math.floor(r() * 2) }, condition);
    }
    if (depth < 2 && r() < 0.35) out.$or = Array.from({ length: 2 + Math.floor(r() * 2) }, () => object(depth + 1));
    return out;
  };
  const value = (): unknown => (inItems && r() < 0.8 ? pick(FEW) : scalar());
  const item = (): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    if (r() < 0.8) out.k = value();
    if (r() < 0.7) out.v = r() < 0.2 ? [value(), value()] : value();
    if (r() < 0.4) out.sub = r() < 0.5 ? { w: value() } : [{ w: value() }, { w: value() }];
    return out;
  };
  const event = (): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    if (r() < 0.7) out.a = r() < 0.2 ? [scalar(), scalar()] : scalar();
    if (r() < 0.6) out.b = scalar();
    if (r() < 0.5) out.n = pick(NUMBERS);
    if (r() < 0.8) out.items = Array.from({ length: Math.floor(r() * (inItems ? 5 : 4)) }, item);
    if (r() < 0.5) out.tags = Array.from({ length: Math.floor(r() * 3) }, scalar);
    return out;
  };
  return {
    pattern: () => {
      inItems = r() < 0.5;
      return JSON.stringify(object(0));
    },
    event,
  };
}

/** What every explanation promises, whatever its verdict. */
function checkShape(e: PatternExplanation): void {
  expect(e.summary === 'matches').toBe(e.matches);
  if (e.matches) {
    expect(e.fields.every((f) => f.ok)).toBe(true);
    expect(e.ors.every((g) => g.ok)).toBe(true);
    expect(e.arrayConsistency).toBeUndefined();
  } else if (e.fields.every((f) => f.ok) && e.ors.every((g) => g.ok)) expect(e.arrayConsistency).toBeDefined();
  else expect(e.arrayConsistency).toBeUndefined();
  for (const g of e.ors) {
    expect(g.ok).toBe(g.alternatives.some((a) => a.matches));
    for (const a of g.alternatives) checkShape(a);
  }
}

describe('property: the verdict is always the matcher\u2019s', () => {
  it('for hundreds of generated patterns and events', () => {
    const gen = generator(20251015);
    const seen = { match: 0, noMatch: 0, arrayConsistency: 0, ors: 0 };
    for (let i = 0; i < 1000; i++) {
      const p = gen.pattern();
      const ev = gen.event();
      const compiled = compilePatternText(p);
      const e = explainPattern(p, ev);
      expect(e.matches, `${p} / ${JSON.stringify(ev)}`).toBe(matchesEvent(compiled, ev));
      checkShape(e);
      // A field that fails, or any field of a pattern that does not match, is judged on its own:
      // its rendered condition, as a pattern of its own, gives the same answer.
      for (const f of e.fields)
        if (!e.matches || !f.ok) expect(f.ok).toBe(matchesEvent(compilePatternText(JSON.stringify({ [f.path]: JSON.parse(f.condition) })), ev));
      seen[e.matches ? 'match' : 'noMatch']++;
      if (e.arrayConsistency !== undefined) seen.arrayConsistency++;
      if (e.ors.length > 0) seen.ors++;
    }
    // The generator reaches every kind of answer.
    expect(seen.match).toBeGreaterThan(100);
    expect(seen.noMatch).toBeGreaterThan(100);
    expect(seen.arrayConsistency).toBeGreaterThan(5);
    expect(seen.ors).toBeGreaterThan(100);
  });
});
