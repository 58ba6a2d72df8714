/**
 * SNS subscription filter policies (src/sns/filter-policy.ts): every operator in both scopes,
 * the attribute types, missing attributes, SNS's limits and its InvalidParameter messages.
 * The cases are our own, written from the AWS documentation (SNS Developer Guide: string and
 * numeric value matching, key matching, AND/OR logic, filter policy constraints) and from the
 * AWS-validated error texts; the corpus in ../shared/conformance is run against the server.
 */
import { describe, expect, it } from 'vitest';
import {
  FILTER_POLICY_LIMITS,
  FilterPolicyError,
  compileFilterPolicy,
  type FilterPolicyCall,
  type FilterPolicyScope,
  type SnsMessageAttribute,
} from '../src/sns/filter-policy.js';

type Attrs = Record<string, SnsMessageAttribute>;

const str = (StringValue: string): SnsMessageAttribute => ({ DataType: 'String', StringValue });
const num = (StringValue: string): SnsMessageAttribute => ({ DataType: 'Number', StringValue });
const arr = (values: unknown[]): SnsMessageAttribute => ({ DataType: 'String.Array', StringValue: JSON.stringify(values) });
const bin = (bytes: number[]): SnsMessageAttribute => ({ DataType: 'Binary', BinaryValue: Uint8Array.from(bytes) });

function text(policy: unknown): string {
  return typeof policy === 'string' ? policy : JSON.stringify(policy);
}

/** Attribute scope: does a message with these attributes pass `policy`? */
function passes(policy: unknown, attributes: Attrs | undefined, body = 'message'): boolean {
  return compileFilterPolicy(text(policy), 'MessageAttributes').matches(body, attributes);
}

/** Body scope: does a message with this body (object, or raw text) pass `policy`? */
function bodyPasses(policy: unknown, body: unknown, attributes?: Attrs): boolean {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  return compileFilterPolicy(text(policy), 'MessageBody').matches(raw, attributes);
}

/** The full InvalidParameter message SNS gives when refusing `policy`. */
function refusal(policy: unknown, scope: FilterPolicyScope = 'MessageAttributes', call?: FilterPolicyCall): string {
  try {
    compileFilterPolicy(text(policy), scope, call ? { call } : {});
  } catch (err) {
    expect(err).toBeInstanceOf(FilterPolicyError);
    return (err as FilterPolicyError).message;
  }
  throw new Error(`policy was accepted: ${text(policy)}`);
}

/** The reason after Subscribe's `Invalid parameter: Attributes Reason: FilterPolicy: ` prefix. */
function reason(policy: unknown, scope: FilterPolicyScope = 'MessageAttributes'): string {
  const message = refusal(policy, scope);
  const prefix = 'Invalid parameter: Attributes Reason: FilterPolicy: ';
  expect(message.startsWith(prefix)).toBe(true);
  return message.slice(prefix.length);
}

function accepted(policy: unknown, scope: FilterPolicyScope = 'MessageAttributes'): boolean {
  compileFilterPolicy(text(policy), scope);
  return true;
}

describe('attribute scope: exact values', () => {
  const policy = { customer_interests: ['rugby', 'tennis'] };

  it('matches a String attribute equal to one of the values (AWS docs example)', () => {
    expect(passes(policy, { customer_interests: str('rugby') })).toBe(true);
    expect(passes(policy, { customer_interests: str('tennis') })).toBe(true);
    expect(passes(policy, { customer_interests: str('baseball') })).toBe(false);
    expect(passes(policy, { customer_interests: str('Rugby') })).toBe(false);
  });

  it('treats each String.Array element as a candidate value', () => {
    expect(passes(policy, { customer_interests: arr(['rugby', 'tennis']) })).toBe(true);
    expect(passes(policy, { customer_interests: arr(['soccer', 'rugby', 'hockey']) })).toBe(true);
    expect(passes(policy, { customer_interests: arr(['baseball']) })).toBe(false);
    expect(passes(policy, { customer_interests: arr([]) })).toBe(false);
  });

  it('reads String.Array numbers, booleans and null with their JSON types', () => {
    expect(passes({ f: [true] }, { f: arr([true]) })).toBe(true);
    expect(passes({ f: ['true'] }, { f: arr([true]) })).toBe(false);
    expect(passes({ f: [null] }, { f: arr([null, 'x']) })).toBe(true);
    expect(passes({ f: [3] }, { f: arr([1, 2, 3]) })).toBe(true);
    expect(passes({ f: [{ numeric: ['>', 2] }] }, { f: arr([1, 2, 3]) })).toBe(true);
    expect(passes({ f: [{ numeric: ['>', 3] }] }, { f: arr([1, 2, 3]) })).toBe(false);
  });

  it('compares a Number attribute as a number: numbers match it, strings do not', () => {
    expect(passes({ price: [210.75] }, { price: num('210.75') })).toBe(true);
    expect(passes({ price: [301.5] }, { price: num('3.015e2') })).toBe(true);
    expect(passes({ price: ['210.75'] }, { price: num('210.75') })).toBe(false);
    expect(passes({ price: [210.75] }, { price: str('210.75') })).toBe(false);
  });

  it('requires every key (AND) and ignores attributes the policy does not name', () => {
    const and = { customer_interests: ['rugby'], price_usd: [{ numeric: ['>', 100] }] };
    expect(passes(and, { customer_interests: str('rugby'), price_usd: num('101'), other: str('x') })).toBe(true);
    expect(passes(and, { customer_interests: str('rugby'), price_usd: num('100') })).toBe(false);
    expect(passes(and, { customer_interests: str('rugby') })).toBe(false);
  });

  it('passes the AWS example message through the accepting and rejecting example policies', () => {
    const message: Attrs = {
      customer_interests: arr(['soccer', 'rugby', 'hockey']),
      store: str('example_corp'),
      event: str('order_placed'),
      price_usd: num('210.75'),
    };
    const accepts = {
      store: ['example_corp'],
      event: [{ 'anything-but': 'order_cancelled' }],
      customer_interests: ['rugby', 'football', 'baseball'],
      price_usd: [{ numeric: ['>=', 100] }],
    };
    const rejects = { store: ['example_corp'], event: ['order_cancelled'], encrypted: [false], customer_interests: ['basketball', 'baseball'] };
    expect(passes(accepts, message)).toBe(true);
    expect(passes(rejects, message)).toBe(false);
  });

  it('names attributes by their full name, dots and __proto__ included', () => {
    expect(passes({ 'order.id': ['7'] }, { 'order.id': str('7') })).toBe(true);
    // Raw JSON: in an object literal `__proto__` would set the prototype instead.
    const protoAttrs = JSON.parse('{"__proto__": {"DataType": "String", "StringValue": "x"}}') as Attrs;
    expect(passes('{"__proto__": ["x"]}', protoAttrs)).toBe(true);
    expect(passes('{"__proto__": ["x"]}', { other: str('x') })).toBe(false);
  });
});

describe('attribute scope: string operators', () => {
  it('prefix (AWS docs: "bas")', () => {
    const p = { customer_interests: [{ prefix: 'bas' }] };
    expect(passes(p, { customer_interests: str('baseball') })).toBe(true);
    expect(passes(p, { customer_interests: str('basketball') })).toBe(true);
    expect(passes(p, { customer_interests: str('rugby') })).toBe(false);
    expect(passes(p, { customer_interests: arr(['rugby', 'basketball']) })).toBe(true);
  });

  it('suffix (AWS docs: "ball")', () => {
    const p = { customer_interests: [{ suffix: 'ball' }] };
    expect(passes(p, { customer_interests: str('baseball') })).toBe(true);
    expect(passes(p, { customer_interests: str('rugby') })).toBe(false);
    expect(passes(p, { customer_interests: arr(['soccer', 'football']) })).toBe(true);
  });

  it('equals-ignore-case (AWS docs: "tennis")', () => {
    const p = { customer_interests: [{ 'equals-ignore-case': 'tennis' }] };
    expect(passes(p, { customer_interests: str('TENNIS') })).toBe(true);
    expect(passes(p, { customer_interests: str('Tennis') })).toBe(true);
    expect(passes(p, { customer_interests: str('tenis') })).toBe(false);
    expect(passes(p, { customer_interests: arr(['golf', 'TeNnIs']) })).toBe(true);
  });

  it('anything-but a list of strings (AWS docs: rugby, tennis)', () => {
    const p = { customer_interests: [{ 'anything-but': ['rugby', 'tennis'] }] };
    expect(passes(p, { customer_interests: str('baseball') })).toBe(true);
    expect(passes(p, { customer_interests: str('football') })).toBe(true);
    expect(passes(p, { customer_interests: str('rugby') })).toBe(false);
    // "because it contains a value that isn't rugby or tennis"
    expect(passes(p, { customer_interests: arr(['rugby', 'baseball']) })).toBe(true);
    expect(passes(p, { customer_interests: arr(['rugby', 'tennis']) })).toBe(false);
  });

  it('anything-but a single string', () => {
    expect(passes({ event: [{ 'anything-but': 'order_cancelled' }] }, { event: str('order_placed') })).toBe(true);
    expect(passes({ event: [{ 'anything-but': 'order_cancelled' }] }, { event: str('order_cancelled') })).toBe(false);
  });

  it('anything-but with a prefix (AWS docs: "order-")', () => {
    const p = { event: [{ 'anything-but': { prefix: 'order-' } }] };
    expect(passes(p, { event: str('data-entry') })).toBe(true);
    expect(passes(p, { event: str('order_number') })).toBe(true);
    expect(passes(p, { event: str('order-cancelled') })).toBe(false);
  });

  it('IP address matching with cidr (AWS docs: 10.0.0.0/24), IPv4 and IPv6', () => {
    const p = { source_ip: [{ cidr: '10.0.0.0/24' }] };
    expect(passes(p, { source_ip: str('10.0.0.0') })).toBe(true);
    expect(passes(p, { source_ip: str('10.0.0.255') })).toBe(true);
    expect(passes(p, { source_ip: str('10.1.1.0') })).toBe(false);
    expect(passes(p, { source_ip: str('10.0.0.256') })).toBe(false);
    expect(passes(p, { source_ip: str('not an ip') })).toBe(false);
    const v6 = { source_ip: [{ cidr: '2001:db8:1234:1a00::/64' }] };
    expect(passes(v6, { source_ip: str('2001:0db8:1234:1a00:0000:0000:0000:0001') })).toBe(true);
    expect(passes(v6, { source_ip: str('2001:db8:1234:1a01::1') })).toBe(false);
  });

  it('any one condition of a key is enough (OR within a key)', () => {
    const p = { filter: ['test1', 'test2', { prefix: 'typ' }] };
    expect(passes(p, { filter: str('test2') })).toBe(true);
    expect(passes(p, { filter: str('type1') })).toBe(true);
    expect(passes(p, { filter: str('test3') })).toBe(false);
  });
});

describe('attribute scope: numeric', () => {
  it('exact match with = (AWS docs: 301.5 and 3.015e2)', () => {
    const p = { price_usd: [{ numeric: ['=', 301.5] }] };
    expect(passes(p, { price_usd: num('301.5') })).toBe(true);
    expect(passes(p, { price_usd: num('3.015e2') })).toBe(true);
    expect(passes(p, { price_usd: num('301.51') })).toBe(false);
  });

  it('anything-but numbers (AWS docs: 100, 500)', () => {
    const p = { price: [{ 'anything-but': [100, 500] }] };
    expect(passes(p, { price: num('101') })).toBe(true);
    expect(passes(p, { price: num('100.1') })).toBe(true);
    expect(passes(p, { price: num('100') })).toBe(false);
    expect(passes(p, { price: num('500.0') })).toBe(false);
  });

  it('ranges (AWS docs: < 0, and > 0 up to and including 150)', () => {
    expect(passes({ price_usd: [{ numeric: ['<', 0] }] }, { price_usd: num('-0.5') })).toBe(true);
    expect(passes({ price_usd: [{ numeric: ['<', 0] }] }, { price_usd: num('0') })).toBe(false);
    const range = { price_usd: [{ numeric: ['>', 0, '<=', 150] }] };
    expect(passes(range, { price_usd: num('150') })).toBe(true);
    expect(passes(range, { price_usd: num('0.00001') })).toBe(true);
    expect(passes(range, { price_usd: num('150.00001') })).toBe(false);
    expect(passes(range, { price_usd: num('0') })).toBe(false);
    expect(passes({ n: [{ numeric: ['>=', 10, '<', 20] }] }, { n: num('10') })).toBe(true);
    expect(passes({ n: [{ numeric: ['>=', 10, '<', 20] }] }, { n: num('20') })).toBe(false);
  });

  it('never matches a String attribute, even one that looks like a number', () => {
    expect(passes({ n: [{ numeric: ['=', 300] }] }, { n: str('300') })).toBe(false);
    expect(passes({ n: [{ numeric: ['=', 300] }] }, { n: str('test') })).toBe(false);
  });

  it('takes a custom Number type (Number.<label>) as a number', () => {
    expect(passes({ n: [{ numeric: ['>', 1] }] }, { n: { DataType: 'Number.float', StringValue: '1.5' } })).toBe(true);
  });
});

describe('attribute scope: exists and missing attributes', () => {
  it('exists: true needs the attribute (AWS docs: store)', () => {
    const p = { store: [{ exists: true }] };
    expect(passes(p, { store: str('fans'), customer_interests: arr(['baseball']) })).toBe(true);
    expect(passes(p, { store: num('99') })).toBe(true);
    expect(passes(p, { customer_interests: arr(['baseball', 'basketball']) })).toBe(false);
  });

  it('exists: false needs the attribute absent, and some other attribute present', () => {
    const p = { store: [{ exists: false }] };
    expect(passes(p, { customer_interests: arr(['baseball', 'basketball']) })).toBe(true);
    expect(passes(p, { store: str('fans') })).toBe(false);
    // AWS: "An empty set of attributes results in the filter not matching."
    expect(passes(p, {})).toBe(false);
    expect(passes(p, undefined)).toBe(false);
  });

  it('a missing attribute fails every other condition, anything-but and null included', () => {
    expect(passes({ attr1: [null, { 'anything-but': 'whatever' }] }, undefined)).toBe(false);
    expect(passes({ attr1: [null, { 'anything-but': 'whatever' }] }, { other: str('x') })).toBe(false);
    expect(passes({ attr1: [{ 'anything-but': { prefix: 'x' } }] }, { other: str('y') })).toBe(false);
    expect(passes({ attr1: [{ numeric: ['>', 0] }] }, { other: num('1') })).toBe(false);
  });

  it('exists: false beside a value: either holds', () => {
    const p = { store: ['fans', { exists: false }] };
    expect(passes(p, { store: str('fans') })).toBe(true);
    expect(passes(p, { other: str('x') })).toBe(true);
    expect(passes(p, { store: str('shop') })).toBe(false);
  });

  it('ignores Binary attributes: no value matches them and they count as absent', () => {
    const message = { blob: bin([1, 2, 3]), other: str('x') };
    expect(passes({ blob: [{ exists: true }] }, message)).toBe(false);
    expect(passes({ blob: [{ exists: false }] }, message)).toBe(true);
    expect(passes({ blob: [{ 'anything-but': 'x' }] }, message)).toBe(false);
    expect(passes({ blob: [{ prefix: '' }] }, message)).toBe(false);
    expect(passes({ other: ['x'] }, { blob: bin([1]) })).toBe(false);
  });
});

describe('$or (AWS docs: AND/OR logic)', () => {
  const policy = { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }] };

  it('"source" && ("metricName" || "namespace") over attributes', () => {
    expect(passes(policy, { source: str('aws.cloudwatch'), metricName: str('CPUUtilization') })).toBe(true);
    expect(passes(policy, { source: str('aws.cloudwatch'), namespace: str('AWS/EC2') })).toBe(true);
    expect(passes(policy, { source: str('aws.cloudwatch'), namespace: str('AWS/ES') })).toBe(false);
    expect(passes(policy, { metricName: str('CPUUtilization') })).toBe(false);
  });

  it('nests, and alternatives may repeat keys', () => {
    const nested = { f1: ['v1'], $or: [{ f2: ['v2', 'v3'] }, { f3: ['v4'], $or: [{ f4: ['v5', 'v6'] }, { f5: ['v7', 'v8'] }] }] };
    expect(passes(nested, { f1: str('v1'), f2: str('v2') })).toBe(true);
    expect(passes(nested, { f1: str('v1'), f3: str('v4'), f4: str('v6') })).toBe(true);
    expect(passes(nested, { f1: str('v1'), f3: str('v4') })).toBe(false);
    expect(passes(nested, { f1: str('v2'), f2: str('v2') })).toBe(false);
  });

  it('is an ordinary key unless it holds at least 2 objects free of reserved keywords', () => {
    expect(passes({ $or: ['a', 'b'] }, { $or: str('a') } as Attrs)).toBe(true);
    // One alternative is no OR: its object is read as a match expression.
    expect(reason({ $or: [{ a: ['1'] }] })).toBe('Unrecognized match type a');
    // AWS: not an OR "because numeric and prefix are reserved keywords": read as match expressions.
    expect(reason({ $or: [{ numeric: 123 }, { prefix: 'abc' }] })).toBe('Value of numeric must be an array.');
  });
});

describe('body scope', () => {
  it('matches properties of the JSON body like attributes (AWS docs examples)', () => {
    expect(bodyPasses({ customer_interests: ['rugby', 'tennis'] }, { customer_interests: 'rugby' })).toBe(true);
    expect(bodyPasses({ customer_interests: ['rugby', 'tennis'] }, { customer_interests: 'baseball' })).toBe(false);
    expect(bodyPasses({ price_usd: [{ numeric: ['=', 301.5] }] }, '{"price_usd": 3.015e2}')).toBe(true);
    expect(bodyPasses({ price: [{ 'anything-but': [100, 500] }] }, { price: [100, 50] })).toBe(true);
    expect(bodyPasses({ price: [{ 'anything-but': [100, 500] }] }, { price: 100 })).toBe(false);
    expect(bodyPasses({ store: [{ exists: true }] }, { store: 'fans', customer_interests: ['baseball'] })).toBe(true);
    expect(bodyPasses({ store: [{ exists: false }] }, { customer_interests: ['baseball'] })).toBe(true);
    expect(bodyPasses({ store: [{ exists: false }] }, { store: 'fans' })).toBe(false);
  });

  it('takes nested policies (AWS blog example: auto- prefix or a hard-coded value)', () => {
    const policy = { object: { key: [{ prefix: 'auto-' }, 'hardcodedvalue'], nested_key: [{ exists: false }] }, test: [{ exists: false }] };
    expect(bodyPasses(policy, { object: { key: 'auto-test' } })).toBe(true);
    expect(bodyPasses(policy, { object: { key: 'hardcodedvalue' } })).toBe(true);
    expect(bodyPasses(policy, { object: { key: 'test-auto' } })).toBe(false);
    expect(bodyPasses(policy, { object: { key: 'auto-test' }, test: 'just-exists' })).toBe(false);
    expect(bodyPasses(policy, { object: { key: 'auto-test', nested_key: 'just-exists' } })).toBe(false);
    expect(bodyPasses(policy, { test: 'auto-test' })).toBe(false);
  });

  it('matches nothing when the body is not a JSON object', () => {
    const policy = { object: { key: [{ exists: false }] } };
    expect(bodyPasses(policy, 'Regular string message')).toBe(false);
    expect(bodyPasses(policy, '"Regular string message"')).toBe(false);
    expect(bodyPasses(policy, '[{"object": {}}]')).toBe(false);
    expect(bodyPasses(policy, '{"truncated": ')).toBe(false);
  });

  it('reads dotted keys in the policy and in the body alike', () => {
    expect(bodyPasses({ 'object.nested': ['string.value'] }, { object: { nested: 'string.value' } })).toBe(true);
    expect(bodyPasses({ 'object.nested': ['string.value'] }, { 'object.nested': 'string.value' })).toBe(true);
    expect(bodyPasses({ 'object.nested.test': ['v'] }, { 'object.nested': { test: 'v' } })).toBe(true);
    expect(bodyPasses({ object: { 'nested.test': ['v'] } }, { object: { nested: { test: 'v' } } })).toBe(true);
  });

  it('matches any element of an array, keeping fields of one policy object to one array element', () => {
    const policy = { Records: { s3: { object: { key: [{ prefix: 'auto-' }] } }, eventName: [{ prefix: 'ObjectCreated:' }] } };
    const record = (eventName: string, key: string) => ({ eventName, s3: { object: { key } } });
    expect(bodyPasses(policy, { Records: [record('ObjectCreated:Put', 'auto-1.xml')] })).toBe(true);
    expect(bodyPasses(policy, { Records: [record('ObjectRemoved:Delete', 'auto-1.xml')] })).toBe(false);
    expect(bodyPasses(policy, { Records: [record('ObjectCreated:Put', 'home-1.xml'), record('ObjectRemoved:Delete', 'auto-1.xml')] })).toBe(false);
    expect(bodyPasses({ headers: { 'route-to': ['queue1'] } }, { headers: { 'route-to': ['queue1', 'queue2'] } })).toBe(true);
  });

  it('supports every operator and $or in nested objects', () => {
    const policy = {
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
      detail: { scope: ['Service'], $or: [{ source: ['aws.cloudwatch'] }, { type: ['CloudWatch Alarm State Change'] }] },
    };
    expect(bodyPasses(policy, { namespace: 'AWS/ES', detail: { scope: 'Service', source: 'aws.cloudwatch' } })).toBe(true);
    expect(bodyPasses(policy, { metricName: 'CPUUtilization', detail: { scope: 'Service', type: 'CloudWatch Alarm State Change' } })).toBe(true);
    expect(bodyPasses(policy, { metricName: 'CPUUtilization', detail: { scope: 'Service' } })).toBe(false);
    expect(bodyPasses(policy, { metricName: 'AWS/EC2', detail: { scope: 'Service', source: 'aws.cloudwatch' } })).toBe(false);
    const ops = {
      a: { s: [{ suffix: '.png' }], i: [{ 'equals-ignore-case': 'ok' }], ip: [{ cidr: '10.0.0.0/8' }], n: [{ numeric: ['>', 1, '<', 2] }] },
    };
    expect(bodyPasses(ops, { a: { s: 'x.png', i: 'OK', ip: '10.1.2.3', n: 1.5 } })).toBe(true);
    expect(bodyPasses(ops, { a: { s: 'x.png', i: 'OK', ip: '11.1.2.3', n: 1.5 } })).toBe(false);
  });

  it('ignores message attributes', () => {
    expect(bodyPasses({ a: ['1'] }, { b: 'x' }, { a: str('1') })).toBe(false);
  });
});

describe('the empty policy', () => {
  it('matches every message in either scope', () => {
    expect(passes({}, undefined)).toBe(true);
    expect(passes({}, { a: str('1') })).toBe(true);
    expect(bodyPasses({}, 'not json')).toBe(true);
    expect(compileFilterPolicy('{}', 'MessageBody').scope).toBe('MessageBody');
  });
});

describe('limits', () => {
  const values = (n: number) => Array.from({ length: n }, (_, i) => `value${i}`);
  const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`key${i}`, [`value${i}`]]));

  it('at most 5 keys', () => {
    expect(FILTER_POLICY_LIMITS.maxKeys).toBe(5);
    expect(accepted(keys(5))).toBe(true);
    expect(reason(keys(6))).toBe('Filter policy can not have more than 5 keys');
    expect(refusal(keys(6), 'MessageBody', 'SetSubscriptionAttributes')).toBe(
      'Invalid parameter: FilterPolicy: Filter policy can not have more than 5 keys',
    );
  });

  it('counts only top-level keys of a body policy (AWS docs key-counting example)', () => {
    const policy = {
      state: ['SUCCESS'],
      severity: [{ exists: true }],
      message: [{ exists: true }],
      finding: { standard_control: [{ exists: true }], region: [{ exists: true }], account: [{ exists: true }] },
    };
    expect(accepted(policy, 'MessageBody')).toBe(true);
    expect(reason({ ...policy, a: ['1'], b: ['2'] }, 'MessageBody')).toBe('Filter policy can not have more than 5 keys');
  });

  it('counts the keys inside $or alternatives, each name once', () => {
    expect(accepted({ a: ['1'], $or: [{ b: ['1'], c: ['1'] }, { b: ['2'], d: ['1'], e: ['1'] }] })).toBe(true);
    expect(reason({ a: ['1'], $or: [{ b: ['1'], c: ['1'] }, { d: ['1'], e: ['1'], f: ['1'] }] })).toBe(
      'Filter policy can not have more than 5 keys',
    );
  });

  it('at most 150 combinations: the product of the values per key', () => {
    expect(FILTER_POLICY_LIMITS.maxCombinations).toBe(150);
    expect(accepted({ key: values(150) })).toBe(true);
    expect(reason({ key: values(151) })).toBe('Filter policy is too complex');
    expect(accepted({ a: values(3), b: values(50) })).toBe(true);
    expect(reason({ key1: values(100), key2: values(51) })).toBe('Filter policy is too complex');
  });

  it('adds up $or alternatives: 152 refused, 150 accepted', () => {
    const or = (spaceIds: number[], sources: string[]) => ({
      source: sources,
      $or: [
        { metricName: values(6) },
        { metricType: values(4), $or: [{ metricId: [1234, 4321, 5678, 9012] }, { spaceId: spaceIds }] },
      ],
    });
    // (4 x 6) + (4 x 4 x 4) + (4 x 4 x 4) = 152
    expect(reason(or([1, 2, 3, 4], values(4)))).toBe('Filter policy is too complex');
    // (3 x 6) + (3 x 4 x 4) + (3 x 4 x 7) = 150
    expect(accepted(or([1, 2, 3, 4, 5, 6, 7], values(3)))).toBe(true);
  });

  it('weighs a nested key by its depth (AWS docs: 3 x 4 x 2 x 3 = 72)', () => {
    const docs = { key_a: { key_b: { key_c: values(3) } }, key_d: { key_e: values(4) } };
    expect(accepted(docs, 'MessageBody')).toBe(true);
    // (4 x 3) x (3 x 2) x (3 x 1) = 216
    const tooMany = { key_a: { key_b: { key_c: values(4) } }, key_d: { key_e: values(3) }, key_f: values(3) };
    expect(refusal(tooMany, 'MessageBody', 'SetSubscriptionAttributes')).toBe('Invalid parameter: FilterPolicy: Filter policy is too complex');
    // a dotted key is one level: 75 x 2 = 150 is fine, the nested spelling weighs 2 x 75 x 2 = 300
    expect(accepted({ 'a.b': values(75), c: values(2) }, 'MessageBody')).toBe(true);
    expect(reason({ a: { b: values(75) }, c: values(2) }, 'MessageBody')).toBe('Filter policy is too complex');
  });

  it('weighs nested $or alternatives by depth too (160 refused)', () => {
    const policy = {
      $or: [{ metricName: values(3) }, { namespace: values(2) }],
      detail: { scope: values(2), $or: [{ source: values(1) }, { type: values(3) }] },
    };
    expect(reason(policy, 'MessageBody')).toBe('Filter policy is too complex');
  });

  it('at most 256 KiB of policy text', () => {
    const long = JSON.stringify({ a: ['x'.repeat(FILTER_POLICY_LIMITS.maxBytes)] });
    expect(reason(long)).toBe('Filter policy is too long');
    const fits = JSON.stringify({ a: ['x'.repeat(FILTER_POLICY_LIMITS.maxBytes - 20)] });
    expect(accepted(fits)).toBe(true);
  });
});

describe('refused policies: AWS wordings', () => {
  it('prefixes the reason by call: Subscribe or SetSubscriptionAttributes', () => {
    expect(refusal({ key: [] })).toBe('Invalid parameter: Attributes Reason: FilterPolicy: Empty arrays are not allowed');
    expect(refusal({ key: [] }, 'MessageAttributes', 'SetSubscriptionAttributes')).toBe('Invalid parameter: FilterPolicy: Empty arrays are not allowed');
    try {
      compileFilterPolicy('{"key": []}', 'MessageAttributes');
      throw new Error('accepted');
    } catch (err) {
      const e = err as FilterPolicyError;
      expect(e.reason).toBe('FilterPolicy: Empty arrays are not allowed');
      expect(e.messageFor('SetSubscriptionAttributes')).toBe('Invalid parameter: FilterPolicy: Empty arrays are not allowed');
    }
  });

  it('refuses nesting with MessageAttributes scope, after the rules themselves', () => {
    const nested = { object: { key: [{ prefix: 'auto-' }] } };
    expect(refusal(nested, 'MessageAttributes', 'SetSubscriptionAttributes')).toBe(
      'Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy',
    );
    expect(refusal(nested)).toBe('Invalid parameter: Attributes Reason: Filter policy scope MessageAttributes does not support nested filter policy');
    expect(accepted(nested, 'MessageBody')).toBe(true);
    expect(reason({ key: { suffix: 'value' } })).toBe('"suffix" must be an object or an array');
    expect(reason({ key: { suffix: 'value', prefix: 'value' } })).toBe('"suffix" must be an object or an array');
  });

  it('structure', () => {
    expect(reason({ key_a: 'value_one' }, 'MessageBody')).toBe('"key_a" must be an object or an array');
    expect(reason({ key: [['value']] })).toBe('Match value must be String, number, true, false, or null');
    expect(reason({ key: [] })).toBe('Empty arrays are not allowed');
    expect(reason({ key: [{}] })).toBe('Empty objects are not allowed');
    expect(reason({ key: [{ 'wrong-operator': true }] })).toBe('Unrecognized match type wrong-operator');
    expect(reason({ key: [{ suffix: 'value', prefix: 'value2' }] })).toBe('Only one key allowed in match expression');
    expect(reason('["not", "an", "object"]')).toBe('Filter is not an object');
  });

  it('operators SNS does not have', () => {
    expect(reason({ key: [{ wildcard: '*.png' }] })).toBe('Unrecognized match type wildcard');
    expect(reason({ key: [{ 'anything-but': { suffix: 'test' } }] })).toBe('Unsupported anything-but pattern: suffix');
    expect(reason({ key: [{ 'anything-but': { 'equals-ignore-case': 'x' } }] })).toBe('Unsupported anything-but pattern: equals-ignore-case');
    expect(reason({ key: [{ 'anything-but': { wildcard: 'x*' } }] })).toBe('Unsupported anything-but pattern: wildcard');
    expect(reason({ key: [{ 'anything-but': { exists: false } }] })).toBe('Unsupported anything-but pattern: exists');
    expect(reason({ key: [{ 'anything-but': { 'wrong-operator': null } }] })).toBe('Unsupported anything-but pattern: wrong-operator');
    expect(reason({ key: [{ prefix: { 'equals-ignore-case': 'x' } }] })).toBe('prefix match pattern must be a string');
  });

  it('string operators', () => {
    expect(reason({ key: [{ suffix: 100 }] })).toBe('suffix match pattern must be a string');
    expect(reason({ key: [{ suffix: null }] })).toBe('suffix match pattern must be a string');
    expect(reason({ key: [{ suffix: [] }] })).toBe('suffix match pattern must be a string');
    expect(reason({ key: [{ suffix: ['test', 'test2'] }] })).toBe('suffix match pattern must be a string');
    expect(reason({ key: [{ prefix: 1 }] })).toBe('prefix match pattern must be a string');
    expect(reason({ key: [{ 'equals-ignore-case': 1 }] })).toBe('equals-ignore-case match pattern must be a string');
    expect(reason({ key: [{ exists: null }] })).toBe('exists match pattern must be either true or false.');
    expect(reason({ key: [{ exists: 'no' }] })).toBe('exists match pattern must be either true or false.');
  });

  it('anything-but', () => {
    expect(reason({ key: [{ 'anything-but': { prefix: false } }] })).toBe('prefix match pattern must be a string');
    expect(reason({ key: [{ 'anything-but': { prefix: '' } }] })).toBe('Null prefix not allowed');
    expect(reason({ key: [{ 'anything-but': {} }] })).toBe('Anything-But expression name not found');
    expect(reason({ key: [{ 'anything-but': { prefix: 'a', x: 1 } }] })).toBe('Only one key allowed in match expression');
    expect(reason({ key: [{ 'anything-but': null }] })).toBe('Value of anything-but must be an array or single string/number value.');
    expect(reason({ key: [{ 'anything-but': true }] })).toBe('Value of anything-but must be an array or single string/number value.');
    expect(reason({ key: [{ 'anything-but': ['a', null] }] })).toBe('Inside anything but list, start|null|boolean is not supported.');
    expect(reason({ key: [{ 'anything-but': [] }] })).toBe('Empty arrays are not allowed');
  });

  it('cidr', () => {
    expect(reason({ key: [{ cidr: ['bad-filter'] }] })).toBe('prefix match pattern must be a string');
    expect(reason({ key: [{ cidr: 'bad-filter' }] })).toBe("Malformed CIDR, one '/' required");
    expect(reason({ key: [{ cidr: 'bad-filter/64' }] })).toBe('Nonstandard IP address: bad-filter');
    expect(reason({ key: [{ cidr: 'bad-/64filter' }] })).toBe('Malformed CIDR, mask bits must be an integer');
    expect(reason({ key: [{ cidr: 'xx.11.xx/8' }] })).toBe('Nonstandard IP address: xx.11.xx');
    expect(reason({ key: [{ cidr: 'xxxx:db8:1234:1a00::/64' }] })).toBe('Nonstandard IP address: xxxx:db8:1234:1a00::');
  });

  it('numeric', () => {
    const n = (terms: unknown) => reason({ key: [{ numeric: terms }] });
    expect(n(10)).toBe('Value of numeric must be an array.');
    expect(n([])).toBe('Invalid member in numeric match: ]');
    expect(n(['operator'])).toBe('Unrecognized numeric range operator: operator');
    expect(n([1, '<='])).toBe('Invalid member in numeric match: 1');
    expect(n(['=', '000'])).toBe('Value of equals must be numeric');
    expect(n(['>='])).toBe('Value of >= must be numeric');
    expect(n(['<', 100, '>', 10])).toBe('Too many elements in numeric expression');
    expect(n(['>=', 1, '>', 2])).toBe('Bad numeric range operator: >');
    expect(n(['>', 3, '<', 1])).toBe('Bottom must be less than top');
    expect(n(['>', 20, '<='])).toBe('Value of <= must be numeric');
    expect(n(['>', 20, 30])).toBe('Bad value in numeric range: 30');
    expect(n(['>', 20, 'test'])).toBe('Bad numeric range operator: test');
    expect(n(['>', '20', '<', '30'])).toBe('Value of > must be numeric');
    expect(n(['>', 20, '<', '30'])).toBe('Value of < must be numeric');
    expect(n(['>', 20, '<', 30, '<', 50])).toBe('Too many terms in numeric range expression');
  });

  it('malformed JSON, with the Java parser wording AWS returns', () => {
    expect(reason('invalid-json')).toBe(
      "failed to parse JSON. Unrecognized token 'invalid': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')",
    );
    expect(refusal('{invalidjson}', 'MessageAttributes', 'SetSubscriptionAttributes')).toBe(
      "Invalid parameter: FilterPolicy: failed to parse JSON. Unexpected character ('i' (code 105)): was expecting double-quote to start field name",
    );
    expect(reason('{"a": [ "b" "c" ]}')).toBe("failed to parse JSON. Unexpected character ('\"' (code 34)): was expecting comma to separate Array entries");
    expect(reason('{"a" ["b"]}')).toBe("failed to parse JSON. Unexpected character ('[' (code 91)): was expecting a colon to separate field name and value");
    expect(reason('{"a": ["b"]')).toBe(
      'failed to parse JSON. Unexpected end-of-input: expected close marker for Object (start marker at [Source: (String)"{"a": ["b"]"; line: 1, column: 1])',
    );
    expect(reason('{"a": ["b"}')).toBe(
      `failed to parse JSON. Unexpected close marker '}': expected ']' (for Array starting at [Source: (String)"{"a": ["b"}"; line: 1, column: 7])`,
    );
    expect(reason('{"a": [tru]}')).toBe(
      "failed to parse JSON. Unrecognized token 'tru': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')",
    );
    expect(reason('{"a": [01]}')).toBe('failed to parse JSON. Invalid numeric value: Leading zeroes not allowed');
    expect(reason('{"a": ["\\q"]}')).toBe("failed to parse JSON. Unrecognized character escape 'q' (code 113)");
  });

  it('reads JSON as AWS does: the last duplicate key wins', () => {
    const policy = '{"color": ["red"], "color": ["blue"]}';
    expect(passes(policy, { color: str('blue') })).toBe(true);
    expect(passes(policy, { color: str('red') })).toBe(false);
  });
});
