// What the PutEvents benchmark sends and the rules it sends it to.
//
// Every request carries the same 10 entries: order events from `com.shop.orders`. Exactly
// MATCHING_RULES rules match them (rule 0, "bench-match"); every other rule is built to share
// fields, paths and even most values with the events (same source with other detail-types,
// numeric ranges that exclude the amounts, anything-but lists naming the status, prefixes of
// the source that are one segment too long, ...) and still fail on one condition, so a rule
// index has real work to do and a naive one would do it for every rule.
//
// The mix follows event-ruler's benchmark rule kinds: exact, prefix, suffix, equals-ignore-case,
// numeric ranges, anything-but (values and prefix), exists (true and false), wildcard, $or.
//
// Near misses. Most kinds fail on a condition an index can decide by looking up the event's own
// values (another detail-type, a range the amount is not in, a suffix the id lacks). Three kinds
// cannot be ruled out that way: two fail only on a negative condition (anything-but naming the
// status, exists: false on a field the events have), so every positive condition of theirs holds
// and any matcher, event-ruler included, evaluates them for every event; the third is a wildcard
// whose distinguishing text comes after a star (`arn:aws:shop:*:order/x7-*`), which no hash or
// prefix/suffix look-up decides (event-ruler's automaton does). On a real bus these are the few
// rules on the event's own source and detail-type; here at most `nearMisses` of them are made
// (NEAR_MISSES by default; --near-misses=100000 for all of them), and the rest of those kinds get
// a distinguishing value a look-up finds (a source of their own, a literal head on the wildcard).
// So from 1,000 rules on, the rules a perfect index must evaluate per event stay the same, and
// what grows is what it must skip.

/** Rules that match every benchmark entry (rule names bench-match-0 ..). */
export const MATCHING_RULES = 1;
/** Default cap on near misses: rules no look-up of the event's values can rule out (see above). */
export const NEAR_MISSES = 100;
export const ENTRIES_PER_REQUEST = 10;
export const SOURCE = 'com.shop.orders';
export const DETAIL_TYPE = 'OrderPlaced';

/** The 10 PutEvents entries (SDK shape: Detail is a JSON string). */
export function benchEntries(account = '000000000000', region = 'us-east-1') {
  return Array.from({ length: ENTRIES_PER_REQUEST }, (_, i) => {
    const orderId = `ord-${String(424200 + i).padStart(7, '0')}`;
    const detail = {
      orderId,
      status: 'placed',
      amount: Math.round((19.99 + i * 9.5) * 100) / 100, // 19.99 .. 105.49
      currency: 'EUR',
      channel: i % 2 ? 'web' : 'app',
      customer: { id: `c-${1000 + i}`, tier: i % 3 ? 'gold' : 'platinum', country: ['DE', 'FR', 'NL'][i % 3] },
      items: [
        { sku: `sku-${10 + i}`, qty: 1 + (i % 3), price: 9.99 },
        { sku: `sku-${20 + i}`, qty: 1, price: 4.5 },
      ],
      shipping: { method: 'standard', address: { city: 'Berlin', zip: `10${115 + i}` } },
    };
    return {
      Source: SOURCE,
      DetailType: DETAIL_TYPE,
      Detail: JSON.stringify(detail),
      Resources: [`arn:aws:shop:${region}:${account}:order/${orderId}`],
    };
  });
}

/** The events as the bus builds them from the entries (for checking the rules in-process). */
export function benchEvents(account = '000000000000', region = 'us-east-1') {
  return benchEntries(account, region).map((e, i) => ({
    version: '0',
    id: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
    'detail-type': e.DetailType,
    source: e.Source,
    account,
    time: '2026-01-01T00:00:00Z',
    region,
    resources: e.Resources,
    detail: JSON.parse(e.Detail),
  }));
}

/** The rule every entry matches. */
function matchingPattern(k) {
  return {
    source: [SOURCE],
    'detail-type': [DETAIL_TYPE],
    detail: {
      status: ['placed'],
      amount: [{ numeric: ['>', 0, '<=', 1000 + k] }],
      customer: { tier: ['gold', 'platinum'] },
    },
  };
}

/**
 * Non-matching rule kinds. Each takes the rule's number and returns a pattern that fails on the
 * benchmark entries, usually after matching several of its fields. The near-miss kinds have two
 * forms (see "Near misses" above).
 */
const NON_MATCHING = [
  // same source, another detail-type
  (i) => ({ source: [SOURCE], 'detail-type': [`OrderEvent${i}`] }),
  // another source, same detail-type
  (i) => ({ source: [`com.shop.svc${i}`], 'detail-type': [DETAIL_TYPE] }),
  // a prefix of which the source is itself a prefix (one segment too long)
  (i) => ({ source: [{ prefix: `${SOURCE}.v${i}` }] }),
  // source + detail-type match, the amount is outside the range
  (i) => ({ source: [SOURCE], 'detail-type': [DETAIL_TYPE], detail: { amount: [{ numeric: ['>=', 1000 + i, '<', 1001 + i] }] } }),
  // anything-but names the status (a near miss)
  {
    nearMiss: (i) => ({ source: [SOURCE], detail: { status: [{ 'anything-but': ['placed', `st${i}`] }], channel: ['web', 'app'] } }),
    other: (i) => ({ source: [`com.shop.team${i}`], detail: { status: [{ 'anything-but': ['placed', `st${i}`] }], channel: ['web', 'app'] } }),
  },
  // everything but the tier
  (i) => ({ source: [SOURCE], 'detail-type': [DETAIL_TYPE], detail: { status: ['placed'], customer: { tier: [`tier${i}`] } } }),
  // exists: true on a field the entries lack
  (i) => ({ source: [SOURCE], detail: { currency: ['EUR'], [`flag${i % 97}`]: [{ exists: true }] } }),
  // exists: false on a field the entries have (a near miss)
  {
    nearMiss: (i) => ({ 'detail-type': [DETAIL_TYPE], detail: { customer: { country: [{ 'anything-but': [`X${i}`] }] }, amount: [{ exists: false }] } }),
    other: (i) => ({ 'detail-type': [`Order${i}`], detail: { customer: { country: [{ 'anything-but': [`X${i}`] }] }, amount: [{ exists: false }] } }),
  },
  // $or with no matching alternative
  (i) => ({ source: [SOURCE], $or: [{ 'detail-type': [`OrderX${i}`] }, { detail: { customer: { country: [`C${i}`] } } }] }),
  // equals-ignore-case of another detail-type
  (i) => ({ 'detail-type': [{ 'equals-ignore-case': `orderplaced-${i}` }] }),
  // suffix the order ids do not have
  (i) => ({ source: [SOURCE], detail: { orderId: [{ suffix: `-${i}x` }] } }),
  // wildcard over the resource ARN (a near miss when the star comes first)
  {
    nearMiss: (i) => ({ resources: [{ wildcard: `arn:aws:shop:*:order/x${i}-*` }] }),
    other: (i) => ({ resources: [{ wildcard: `arn:aws:shop:us-east-1:000000000000:order/x${i}-*` }] }),
  },
  // an item that is not in the order (array of objects)
  (i) => ({ source: [SOURCE], detail: { items: { sku: [`sku-${1000 + i}`] } } }),
  // numeric range on a nested number, and a prefix on the city
  (i) => ({ detail: { items: { price: [{ numeric: ['>', 100 + i] }] }, shipping: { address: { city: [{ prefix: 'Ber' }] } } } }),
  // anything-but prefix that covers the status
  (i) => ({ detail: { orderId: [`ord-${9000000 + i}`], status: [{ 'anything-but': { prefix: 'pla' } }] } }),
  // an exact zip that is not there
  (i) => ({ source: [SOURCE], detail: { shipping: { method: ['standard'], address: { zip: [`9${String(i).padStart(5, '0')}`] } } } }),
];

/**
 * The first `n` rules of the benchmark bus: MATCHING_RULES matching ones first, then the mix, with
 * at most `nearMisses` near misses (the first ones made; so size n is a prefix of size m > n).
 */
export function benchRules(n, nearMisses = NEAR_MISSES) {
  const rules = [];
  for (let k = 0; k < Math.min(n, MATCHING_RULES); k++) rules.push({ name: `bench-match-${k}`, matches: true, kind: 'match', nearMiss: false, pattern: matchingPattern(k) });
  let made = 0;
  for (let i = 0; rules.length < n; i++) {
    const kind = i % NON_MATCHING.length;
    const k = NON_MATCHING[kind];
    let pattern;
    let nearMiss = false;
    if (typeof k === 'function') pattern = k(i);
    else if (made < nearMisses) {
      made++;
      nearMiss = true;
      pattern = k.nearMiss(i);
    } else pattern = k.other(i);
    rules.push({ name: `bench-miss-${kind}-${i}`, matches: false, kind, nearMiss, pattern });
  }
  return rules;
}

export const RULE_KINDS = NON_MATCHING.length;
