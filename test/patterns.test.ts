/**
 * The event-pattern language (src/patterns): every operator matching and not matching, the
 * patterns AWS refuses with its reasons, and keys that would reach Object.prototype.
 * The cases are our own; the AWS-validated corpus is run against the server by
 * ../shared/conformance/run-patterns.mjs.
 */
import { describe, expect, it } from 'vitest';
import { InvalidPatternError, compilePatternText, matchesEvent } from '../src/patterns/index.js';

/** Does `pattern` (object or raw text) match `event`? */
function m(pattern: unknown, event: unknown): boolean {
  const text = typeof pattern === 'string' ? pattern : JSON.stringify(pattern);
  return matchesEvent(compilePatternText(text), event);
}

/** The reason AWS would give for refusing `pattern`. */
function reason(pattern: unknown): string {
  const text = typeof pattern === 'string' ? pattern : JSON.stringify(pattern);
  try {
    compilePatternText(text);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidPatternError);
    expect((err as Error).message).toBe(`Event pattern is not valid. Reason: ${(err as InvalidPatternError).reason}`);
    return (err as InvalidPatternError).reason;
  }
  throw new Error(`pattern was accepted: ${text}`);
}

describe('exact values', () => {
  it('matches strings, numbers, booleans and null by type and value', () => {
    const ev = { s: 'blue', n: 7, f: 2.5, t: true, z: null };
    expect(m({ s: ['red', 'blue'] }, ev)).toBe(true);
    expect(m({ s: ['Blue'] }, ev)).toBe(false);
    expect(m({ n: [7] }, ev)).toBe(true);
    expect(m({ n: ['7'] }, ev)).toBe(false);
    expect(m({ f: [2.5] }, ev)).toBe(true);
    expect(m({ t: [true] }, ev)).toBe(true);
    expect(m({ t: ['true'] }, ev)).toBe(false);
    expect(m({ z: [null] }, ev)).toBe(true);
    expect(m({ missing: [null] }, ev)).toBe(false);
    expect(m({ s: [''] }, { s: '' })).toBe(true);
  });

  it('requires every field, and an empty pattern matches anything', () => {
    expect(m({ a: ['1'], b: ['2'] }, { a: '1', b: '2' })).toBe(true);
    expect(m({ a: ['1'], b: ['2'] }, { a: '1', b: '3' })).toBe(false);
    expect(m({}, { a: 1 })).toBe(true);
  });

  it('matches any element of an array in the event', () => {
    expect(m({ tags: ['b'] }, { tags: ['a', 'b', 'c'] })).toBe(true);
    expect(m({ tags: ['d'] }, { tags: ['a', 'b', 'c'] })).toBe(false);
    expect(m({ tags: ['x'] }, { tags: [] })).toBe(false);
    expect(m({ nums: [3] }, { nums: [[1, 2], [3]] })).toBe(true);
  });

  it('walks nested objects, and dotted keys name the same fields', () => {
    const ev = { detail: { order: { state: 'paid' } }, 'a.b': 'flat' };
    expect(m({ detail: { order: { state: ['paid'] } } }, ev)).toBe(true);
    expect(m({ 'detail.order.state': ['paid'] }, ev)).toBe(true);
    expect(m({ detail: { 'order.state': ['paid'] } }, ev)).toBe(true);
    expect(m({ a: { b: ['flat'] } }, ev)).toBe(true);
    expect(m({ detail: { order: ['paid'] } }, ev)).toBe(false);
  });

  it('keeps fields matched together within one array element', () => {
    const ev = { items: [{ sku: 'A', qty: 1 }, { sku: 'B', qty: 5 }] };
    expect(m({ items: { sku: ['B'], qty: [5] } }, ev)).toBe(true);
    expect(m({ items: { sku: ['A'], qty: [5] } }, ev)).toBe(false);
    expect(m({ items: { sku: ['A'], qty: [{ numeric: ['<', 2] }] } }, ev)).toBe(true);
  });

  it('lets the last of duplicated keys win, as AWS does', () => {
    expect(m('{"color": ["red"], "color": ["blue"]}', { color: 'blue' })).toBe(true);
    expect(m('{"color": ["red"], "color": ["blue"]}', { color: 'red' })).toBe(false);
  });
});

describe('string operators', () => {
  it('prefix and suffix, case-sensitive or not', () => {
    expect(m({ f: [{ prefix: 'img-' }] }, { f: 'img-1.PNG' })).toBe(true);
    expect(m({ f: [{ prefix: 'IMG-' }] }, { f: 'img-1.PNG' })).toBe(false);
    expect(m({ f: [{ prefix: { 'equals-ignore-case': 'IMG-' } }] }, { f: 'img-1.PNG' })).toBe(true);
    expect(m({ f: [{ suffix: '.PNG' }] }, { f: 'img-1.PNG' })).toBe(true);
    expect(m({ f: [{ suffix: '.png' }] }, { f: 'img-1.PNG' })).toBe(false);
    expect(m({ f: [{ suffix: { 'equals-ignore-case': '.png' } }] }, { f: 'img-1.PNG' })).toBe(true);
    expect(m({ f: [{ prefix: '1' }] }, { f: 123 })).toBe(false);
  });

  it('equals-ignore-case', () => {
    expect(m({ s: [{ 'equals-ignore-case': 'ReaDy' }] }, { s: 'READY' })).toBe(true);
    expect(m({ s: [{ 'equals-ignore-case': 'ready' }] }, { s: 'readyy' })).toBe(false);
  });

  it('wildcard, with escapes', () => {
    expect(m({ p: [{ wildcard: 'arn:*:bus/*' }] }, { p: 'arn:aws:events:bus/default' })).toBe(true);
    expect(m({ p: [{ wildcard: 'arn:*:bus/*' }] }, { p: 'arn:aws:events:queue/x' })).toBe(false);
    expect(m({ p: [{ wildcard: 'a\\*b' }] }, { p: 'a*b' })).toBe(true);
    expect(m({ p: [{ wildcard: 'a\\*b' }] }, { p: 'axxb' })).toBe(false);
    expect(m({ p: [{ wildcard: '' }] }, { p: '' })).toBe(true);
    expect(m({ p: [{ wildcard: 'a.c' }] }, { p: 'abc' })).toBe(false);
  });
});

describe('anything-but', () => {
  it('excludes a scalar or a list, and needs the field to be present', () => {
    expect(m({ s: [{ 'anything-but': 'off' }] }, { s: 'on' })).toBe(true);
    expect(m({ s: [{ 'anything-but': 'off' }] }, { s: 'off' })).toBe(false);
    expect(m({ s: [{ 'anything-but': 'off' }] }, {})).toBe(false);
    expect(m({ s: [{ 'anything-but': ['a', 'b'] }] }, { s: 'c' })).toBe(true);
    expect(m({ s: [{ 'anything-but': ['a', 'b'] }] }, { s: 'b' })).toBe(false);
    expect(m({ n: [{ 'anything-but': [1, 2] }] }, { n: 3 })).toBe(true);
    expect(m({ n: [{ 'anything-but': 1 }] }, { n: 1 })).toBe(false);
    expect(m({ n: [{ 'anything-but': 1 }] }, { n: '1' })).toBe(true);
  });

  it('prefix, suffix, wildcard and equals-ignore-case forms', () => {
    expect(m({ s: [{ 'anything-but': { prefix: 'tmp/' } }] }, { s: 'data/x' })).toBe(true);
    expect(m({ s: [{ 'anything-but': { prefix: 'tmp/' } }] }, { s: 'tmp/x' })).toBe(false);
    expect(m({ s: [{ 'anything-but': { suffix: '.log' } }] }, { s: 'a.txt' })).toBe(true);
    expect(m({ s: [{ 'anything-but': { suffix: '.log' } }] }, { s: 'a.log' })).toBe(false);
    expect(m({ s: [{ 'anything-but': { wildcard: '*/cache/*' } }] }, { s: '/a/cache/b' })).toBe(false);
    expect(m({ s: [{ 'anything-but': { wildcard: ['*/cache/*', '*.tmp'] } }] }, { s: '/a/b' })).toBe(true);
    expect(m({ s: [{ 'anything-but': { 'equals-ignore-case': ['OFF', 'idle'] } }] }, { s: 'Off' })).toBe(false);
    expect(m({ s: [{ 'anything-but': { 'equals-ignore-case': 'off' } }] }, { s: 'on' })).toBe(true);
  });
});

describe('numeric', () => {
  it('compares numbers only, with ranges and =', () => {
    const ev = { n: 10, s: '10' };
    expect(m({ n: [{ numeric: ['>', 5] }] }, ev)).toBe(true);
    expect(m({ n: [{ numeric: ['>', 10] }] }, ev)).toBe(false);
    expect(m({ n: [{ numeric: ['>=', 10] }] }, ev)).toBe(true);
    expect(m({ n: [{ numeric: ['<', 10] }] }, ev)).toBe(false);
    expect(m({ n: [{ numeric: ['<=', 10] }] }, ev)).toBe(true);
    expect(m({ n: [{ numeric: ['=', 10.0] }] }, ev)).toBe(true);
    expect(m({ n: [{ numeric: ['>', 0, '<=', 10] }] }, ev)).toBe(true);
    expect(m({ n: [{ numeric: ['>=', 11, '<', 20] }] }, ev)).toBe(false);
    expect(m({ s: [{ numeric: ['=', 10] }] }, ev)).toBe(false);
    expect(m({ n: [{ numeric: ['>', -1e9, '<', 1e9] }] }, { n: -0.5 })).toBe(true);
  });
});

describe('exists', () => {
  it('true needs a leaf value, false needs none', () => {
    expect(m({ a: [{ exists: true }] }, { a: null })).toBe(true);
    expect(m({ a: [{ exists: true }] }, { a: { b: 1 } })).toBe(false);
    expect(m({ a: [{ exists: true }] }, {})).toBe(false);
    expect(m({ a: [{ exists: false }] }, {})).toBe(true);
    expect(m({ a: [{ exists: false }] }, { a: 'x' })).toBe(false);
    expect(m({ a: [{ exists: false }] }, { a: [] })).toBe(true);
  });

  it('false looks only in the array element the other fields matched', () => {
    const ev = { users: [{ name: 'ann', email: 'a@x' }, { name: 'bob' }] };
    expect(m({ users: { name: ['bob'], email: [{ exists: false }] } }, ev)).toBe(true);
    expect(m({ users: { name: ['ann'], email: [{ exists: false }] } }, ev)).toBe(false);
  });

  it('combines with other conditions on the same field', () => {
    const p = { tier: [{ 'anything-but': 'gold' }, { exists: false }] };
    expect(m(p, {})).toBe(true);
    expect(m(p, { tier: 'silver' })).toBe(true);
    expect(m(p, { tier: 'gold' })).toBe(false);
  });

  it('false fails on a value outside any array even when other fields bind array elements', () => {
    const p = { status: [{ exists: false }], items: { sku: ['a'] } };
    expect(m(p, { status: 'placed', items: [{ sku: 'b' }, { sku: 'a' }] })).toBe(false);
    expect(m(p, { items: [{ sku: 'b' }, { sku: 'a' }] })).toBe(true);
    const q = { tier: [{ 'anything-but': 'gold' }, { exists: false }], items: { sku: ['a'] } };
    expect(m(q, { tier: 'gold', items: [{ sku: 'a' }] })).toBe(false);
    expect(m(q, { tier: ['gold', 'silver'], items: [{ sku: 'a' }] })).toBe(true);
  });
});

describe('cidr', () => {
  it('IPv4', () => {
    expect(m({ ip: [{ cidr: '10.1.0.0/16' }] }, { ip: '10.1.200.3' })).toBe(true);
    expect(m({ ip: [{ cidr: '10.1.0.0/16' }] }, { ip: '10.2.0.1' })).toBe(false);
    expect(m({ ip: [{ cidr: '10.1.2.3/32' }] }, { ip: '10.1.2.3' })).toBe(true);
    expect(m({ ip: [{ cidr: '0.0.0.0/0' }] }, { ip: 'not an ip' })).toBe(false);
  });

  it('IPv6, including an embedded IPv4 tail', () => {
    expect(m({ ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db8:ffff::1' })).toBe(true);
    expect(m({ ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db9::1' })).toBe(false);
    expect(m({ ip: [{ cidr: '::ffff:0:0/96' }] }, { ip: '::ffff:192.0.2.1' })).toBe(true);
    expect(m({ ip: [{ cidr: '2001:db8::/32' }] }, { ip: '192.0.2.1' })).toBe(false);
  });
});

describe('$or', () => {
  it('matches when any alternative matches, at any level', () => {
    const p = { source: ['app'], $or: [{ a: ['1'] }, { b: [{ numeric: ['>', 5] }] }] };
    expect(m(p, { source: 'app', b: 9 })).toBe(true);
    expect(m(p, { source: 'app', a: '2', b: 1 })).toBe(false);
    expect(m({ detail: { $or: [{ x: ['1'] }, { y: ['2'] }] } }, { detail: { y: '2' } })).toBe(true);
  });

  it('lets an alternative override a field named outside it', () => {
    const p = { name: ['a', 'b'], $or: [{ name: [{ 'anything-but': 'a' }] }, { flag: ['x'] }] };
    expect(m(p, { name: 'c' })).toBe(true);
    expect(m(p, { name: 'a', flag: 'x' })).toBe(true);
    expect(m(p, { name: 'a' })).toBe(false);
  });

  it('is an ordinary field name unless it holds two or more objects', () => {
    expect(m({ $or: ['x'] }, { $or: 'x' })).toBe(true);
    expect(reason({ $or: [{ a: ['1'] }] })).toBe('Unrecognized match type a');
  });
});

describe('keys that name Object.prototype members', () => {
  it('are plain field names in patterns and events', () => {
    const ev = JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": "c", "toString": 1}');
    expect(m('{"__proto__": {"polluted": ["yes"]}}', ev)).toBe(true);
    expect(m('{"__proto__": {"polluted": ["no"]}}', ev)).toBe(false);
    expect(m({ constructor: ['c'], toString: [1] }, ev)).toBe(true);
    expect(m({ constructor: [{ exists: true }] }, {})).toBe(false);
    expect(m({ hasOwnProperty: [{ exists: false }] }, {})).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('are refused like any other unknown operator', () => {
    expect(reason('{"a": [{"__proto__": "x"}]}')).toBe('Unrecognized match type __proto__');
    expect(reason({ a: [{ constructor: 'x' }] })).toBe('Unrecognized match type constructor');
  });
});

describe('invalid patterns', () => {
  it('refuses what is not a JSON object', () => {
    expect(reason('[1]')).toBe('Filter is not an object');
    expect(reason('"x"')).toBe('Filter is not an object');
    expect(reason('null')).toBe('Filter is not an object');
    reason('{"a": [1,}');
    reason('not json');
    reason("{'a': ['single quotes']}");
  });

  it('refuses bare values, empty arrays and nested arrays', () => {
    expect(reason({ a: 'x' })).toBe('"a" must be an object or an array');
    expect(reason({ a: { b: 5 } })).toBe('"b" must be an object or an array');
    expect(reason({ a: [] })).toBe('Empty arrays are not allowed');
    reason({ a: [['x']] });
  });

  it('refuses unknown, mis-cased or combined operators', () => {
    expect(reason({ a: [{ EXISTS: true }] })).toBe('Unrecognized match type EXISTS');
    expect(reason({ a: [{ exactly: 'x' }] })).toBe('Unrecognized match type exactly');
    expect(reason({ a: [{ prefix: 'x', suffix: 'y' }] })).toBe('Only one key allowed in match expression');
    reason({ a: [{}] });
  });

  it('refuses operator values of the wrong type', () => {
    expect(reason({ a: [{ prefix: 1 }] })).toBe('prefix match pattern must be a string');
    expect(reason({ a: [{ suffix: ['x'] }] })).toBe('suffix match pattern must be a string');
    expect(reason({ a: [{ 'equals-ignore-case': ['x'] }] })).toBe('equals-ignore-case match pattern must be a string');
    expect(reason({ a: [{ prefix: { 'equals-ignore-case': 1 } }] })).toBe('equals-ignore-case match pattern must be a string');
    expect(reason({ a: [{ suffix: { other: 'x' } }] })).toBe('Unsupported suffix pattern: other');
    expect(reason({ a: [{ wildcard: 1 }] })).toBe('wildcard match pattern must be a string');
    expect(reason({ a: [{ exists: 'yes' }] })).toBe('exists match pattern must be either true or false.');
    expect(reason({ a: [{ cidr: 10 }] })).toBe('prefix match pattern must be a string');
  });

  it('refuses bad anything-but forms', () => {
    expect(reason({ a: [{ 'anything-but': null }] })).toBe('Value of anything-but must be an array or single string/number value.');
    expect(reason({ a: [{ 'anything-but': true }] })).toBe('Value of anything-but must be an array or single string/number value.');
    expect(reason({ a: [{ 'anything-but': ['x', null] }] })).toBe('Inside anything but list, start|null|boolean is not supported.');
    expect(reason({ a: [{ 'anything-but': ['x', 1] }] })).toMatch(/mixed type is not supported/);
    expect(reason({ a: [{ 'anything-but': { prefix: '' } }] })).toBe('Null prefix/suffix not allowed');
    expect(reason({ a: [{ 'anything-but': { suffix: 5 } }] })).toBe('prefix/suffix match pattern must be a string');
    expect(reason({ a: [{ 'anything-but': { prefix: { 'equals-ignore-case': 'x' } } }] })).toBe(
      'Value of anything-but must be an array or single string/number value.',
    );
    expect(reason({ a: [{ 'anything-but': { 'equals-ignore-case': 5 } }] })).toMatch(/^Inside anything-but\/equals-ignore-case list/);
    expect(reason({ a: [{ 'anything-but': { wildcard: 5 } }] })).toBe('wildcard match pattern must be a string');
    expect(reason({ a: [{ 'anything-but': { numeric: ['>', 1] } }] })).toBe('Unsupported anything-but pattern: numeric');
  });

  it('refuses bad numeric expressions', () => {
    expect(reason({ a: [{ numeric: 5 }] })).toBe('Value of numeric must be an array.');
    expect(reason({ a: [{ numeric: ['==', 5] }] })).toBe('Unrecognized numeric range operator: ==');
    expect(reason({ a: [{ numeric: ['=', '5'] }] })).toBe('Value of equals must be numeric');
    expect(reason({ a: [{ numeric: ['>', 1, '<'] }] })).toBe('Value of < must be numeric');
    expect(reason({ a: [{ numeric: ['>', 1, '>', 2] }] })).toBe('Bad numeric range operator: >');
    expect(reason({ a: [{ numeric: ['<', 1, '>', 0] }] })).toBe('Too many elements in numeric expression');
    expect(reason({ a: [{ numeric: ['>', 5, '<', 5] }] })).toBe('Bottom must be less than top');
    expect(reason({ a: [{ numeric: ['>', 0, '<', 5, 6] }] })).toBe('Too many terms in numeric range expression');
    expect(reason('{"a": [{"numeric": ["<", 1e400]}]}')).toBe('Cannot compare number : 1e400');
    expect(reason('{"a": [{"numeric": ["=", 4E-400]}]}')).toBe('Cannot compare number : 4E-400');
  });

  it('refuses malformed CIDRs', () => {
    expect(reason({ a: [{ cidr: '10.0.0.1' }] })).toBe("Malformed CIDR, one '/' required");
    expect(reason({ a: [{ cidr: '10.0.0.0/x' }] })).toBe('Malformed CIDR, mask bits must be an integer');
    expect(reason({ a: [{ cidr: '10.0.0/8' }] })).toBe('Nonstandard IP address: 10.0.0');
    expect(reason({ a: [{ cidr: '10.0.0.0/33' }] })).toMatch(/^Malformed CIDR, mask bits/);
    expect(reason({ a: [{ cidr: 'gggg::/64' }] })).toBe('Nonstandard IP address: gggg::');
  });

  it('refuses consecutive stars, stray escapes and wildcards too complex to match cheaply', () => {
    expect(reason({ a: [{ wildcard: 'a**b' }] })).toBe('Consecutive wildcard characters at pos 2');
    expect(reason({ a: [{ wildcard: 'a\\b' }] })).toBe('Invalid escape character at pos 1');
    expect(reason({ a: [{ wildcard: '*-*-*-*-*-*-end' }] })).toMatch(/^Rule is too complex/);
    expect(m({ a: [{ wildcard: '*-*-end' }] }, { a: 'x-y-end' })).toBe(true);
  });
});

describe('cost on hostile input', () => {
  it('gives up on arrays that do not interact without trying every combination', () => {
    const event: Record<string, unknown> = { z: [{ a: 1, b: 0 }, { a: 0, b: 1 }] };
    const pattern: Record<string, unknown> = { z: { a: [1], b: [1] } };
    for (let g = 0; g < 8; g++) {
      event[`g${g}`] = Array.from({ length: 200 }, () => ({ v: 1 }));
      pattern[`g${g}`] = { v: [1] };
    }
    const started = performance.now();
    expect(m(pattern, event)).toBe(false); // 200^8 combinations if searched naively
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('handles events nested far deeper than the call stack', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(m({ a: ['x'] }, { a: deep })).toBe(true);
    expect(m({ a: ['y'] }, { a: deep })).toBe(false);
  });

  it('refuses patterns nested absurdly deep', () => {
    expect(reason(`${'{"a":'.repeat(1000)}["x"]${'}'.repeat(1000)}`)).toMatch(/nested more than/);
  });
});
