/**
 * A validated pattern to a compiled one: each condition becomes a test of one event value, with
 * everything that can be worked out once done here (numeric bounds, CIDR ranges as bigints,
 * lower-cased ignore-case values, wildcard matchers, anything-but sets).
 */
import { inCidr, parseCidr } from './cidr.js';
import { internPath } from './event.js';
import type { Condition, Scalar, ValidatedPattern } from './validate.js';
import { wildcardMatcher } from './wildcard.js';

export type ValueTest = (value: Scalar) => boolean;

export interface CompiledField {
  path: string;
  /** Any one passing is enough. `exists: true` compiles to a test that always passes. */
  tests: ValueTest[];
  /** The tests as one: true when any passes (never, when there are none). */
  test: ValueTest;
  /** `exists: false`: the field is also satisfied when the event has no value at this path. */
  matchesAbsent: boolean;
  /** The conditions the tests came from, for indexes that pick fields to look events up by (rule-index.ts). */
  conditions: readonly Condition[];
}

export interface CompiledPattern {
  fields: CompiledField[];
  ors: CompiledPattern[][];
}

export function compilePattern(validated: ValidatedPattern): CompiledPattern {
  const pattern = applyOrOverrides(validated);
  return {
    fields: pattern.fields.map((f) => {
      const tests: ValueTest[] = [];
      let matchesAbsent = false;
      for (const c of f.conditions) {
        if (c.kind === 'exists' && !c.value) matchesAbsent = true;
        else tests.push(compileCondition(c));
      }
      return { path: internPath(f.path), tests, test: anyOf(f.conditions, tests), matchesAbsent, conditions: f.conditions };
    }),
    ors: pattern.ors.map((alternatives) => alternatives.map(compilePattern)),
  };
}

/**
 * A field named both outside a `$or` and inside one of its alternatives is overridden there: with
 * `{"name": ["a"], "$or": [{"name": [{"anything-but": "a"}]}, {"x": ["y"]}]}` the first
 * alternative reads `name` its own way and the second keeps `name: ["a"]`. So the outer field
 * moves into every alternative that does not name it.
 */
function applyOrOverrides(pattern: ValidatedPattern): ValidatedPattern {
  if (pattern.ors.length === 0) return pattern;
  let fields = pattern.fields;
  const ors: ValidatedPattern[][] = [];
  for (const alternatives of pattern.ors) {
    const named = new Set(alternatives.flatMap((alt) => alt.fields.map((f) => f.path)));
    const moved = fields.filter((f) => named.has(f.path));
    if (moved.length === 0) {
      ors.push(alternatives);
      continue;
    }
    fields = fields.filter((f) => !named.has(f.path));
    ors.push(
      alternatives.map((alt) => {
        const own = new Set(alt.fields.map((f) => f.path));
        return { fields: [...alt.fields, ...moved.filter((f) => !own.has(f.path))], ors: alt.ors };
      }),
    );
  }
  return { fields, ors };
}

const lower = (s: string): string => s.toLowerCase();
const always: ValueTest = () => true;
const never: ValueTest = () => false;

/** One call per value instead of one per condition; a list of exact values becomes one set look-up. */
function anyOf(conditions: readonly Condition[], tests: ValueTest[]): ValueTest {
  if (tests.length === 0) return never;
  const exact = conditions.filter((c): c is Extract<Condition, { kind: 'exact' }> => c.kind === 'exact');
  if (exact.length === tests.length && exact.length > 1) {
    // Set membership is SameValueZero: like ===, for values that JSON can hold.
    const values = new Set(exact.map((c) => c.value));
    return (v) => values.has(v);
  }
  if (tests.length === 1) return tests[0];
  return (v) => {
    for (let i = 0; i < tests.length; i++) if (tests[i](v)) return true;
    return false;
  };
}

function compileCondition(c: Condition): ValueTest {
  switch (c.kind) {
    case 'exact': {
      const want = c.value;
      return (v) => v === want;
    }
    case 'prefix': {
      if (!c.ignoreCase) {
        const p = c.value;
        return (v) => typeof v === 'string' && v.startsWith(p);
      }
      const p = lower(c.value);
      return (v) => typeof v === 'string' && lower(v).startsWith(p);
    }
    case 'suffix': {
      if (!c.ignoreCase) {
        const s = c.value;
        return (v) => typeof v === 'string' && v.endsWith(s);
      }
      const s = lower(c.value);
      return (v) => typeof v === 'string' && lower(v).endsWith(s);
    }
    case 'equals-ignore-case': {
      const want = lower(c.value);
      return (v) => typeof v === 'string' && lower(v) === want;
    }
    case 'wildcard': {
      const re = wildcardMatcher(c.value);
      return (v) => typeof v === 'string' && re.test(v);
    }
    case 'cidr': {
      const range = parseCidr(c.value);
      return (v) => typeof v === 'string' && inCidr(range, v);
    }
    case 'exists':
      return always;
    case 'numeric': {
      let lo = -Infinity;
      let loInclusive = false;
      let hi = Infinity;
      let hiInclusive = false;
      for (const [op, n] of c.terms) {
        if (op === '=') [lo, loInclusive, hi, hiInclusive] = [n, true, n, true];
        else if (op === '>' || op === '>=') [lo, loInclusive] = [n, op === '>='];
        else [hi, hiInclusive] = [n, op === '<='];
      }
      return (v) =>
        typeof v === 'number' && (loInclusive ? v >= lo : v > lo) && (hiInclusive ? v <= hi : v < hi);
    }
    case 'anything-but':
      return compileAnythingBut(c);
  }
}

/** Anything-but matches any value present that is not excluded; values of another type are never excluded. */
function compileAnythingBut(c: Extract<Condition, { kind: 'anything-but' }>): ValueTest {
  switch (c.op) {
    case 'equals': {
      const strings = new Set(c.strings);
      const numbers = new Set(c.numbers);
      return (v) => (typeof v === 'string' ? !strings.has(v) : typeof v === 'number' ? !numbers.has(v) : true);
    }
    case 'equals-ignore-case': {
      const strings = new Set(c.strings.map(lower));
      return (v) => typeof v !== 'string' || !strings.has(lower(v));
    }
    case 'prefix': {
      const list = c.strings;
      return (v) => typeof v !== 'string' || !list.some((p) => v.startsWith(p));
    }
    case 'suffix': {
      const list = c.strings;
      return (v) => typeof v !== 'string' || !list.some((s) => v.endsWith(s));
    }
    case 'wildcard': {
      const res = c.strings.map(wildcardMatcher);
      return (v) => typeof v !== 'string' || !res.some((re) => re.test(v));
    }
  }
}
