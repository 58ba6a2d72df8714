/**
 * "Why didn't it match?": an event pattern against one event, field by field, in plain sentences
 * for the debug UI (which escapes them: nothing here is HTML).
 *
 * The verdict is always the engine's own (`matchesEvent` on the compiled pattern); the per-field
 * view is reconciled with it rather than computed beside it:
 *
 * - Each field is judged with the engine's compiled test, and each sentence names the condition
 *   that decided it (the condition's own test, compiled by the engine, is what picks it).
 * - Fields are those of the compiled pattern, so a field named both outside a `$or` and inside one
 *   of its alternatives is explained inside each alternative, as the engine reads it (see
 *   `applyOrOverrides` in compile.ts).
 * - When a pattern (or `$or` alternative) matches, every one of its fields holds in that match.
 *   That includes `exists: false` on a path whose values all sit in array elements the other
 *   fields did not match (AWS counts those as absent), which a field taken on its own would fail.
 * - When it does not match, each field is judged on its own. If they all hold on their own and
 *   the whole still fails, the values come from different elements of one array (AWS's rule,
 *   see match.ts): `arrayConsistency` says so, naming two fields that clash when it can.
 * - `$or` alternatives of a matching pattern are judged in context: an alternative "matches" when
 *   the whole pattern matches with that alternative chosen. Under a pattern that does not match,
 *   each alternative is judged on its own.
 *
 * Independent of the rule index. Like the matcher, it may throw MatchTooComplexError on hostile
 * events.
 */
import { parseIp } from './cidr.js';
import { compilePattern, type CompiledField, type CompiledPattern, type ValueTest } from './compile.js';
import { flattenEvent, type FlatEvent, type Leaf } from './event.js';
import { matchesEvent, matchesFlat } from './match.js';
import { validatePatternText, type Condition, type NumericOp, type Scalar } from './validate.js';

export interface FieldExplanation {
  /** Dotted path, e.g. "detail.price". */
  path: string;
  /** The pattern's conditions for this field, rendered compactly as in the pattern JSON, e.g. '[{"numeric":[">",100]}]'. */
  condition: string;
  /** The event's values at this path (JSON-rendered), [] when absent. */
  values: string[];
  ok: boolean;
  /** Human sentence, e.g. "detail.price: 12 is not in numeric range > 100". Plain text. */
  reason: string;
}

export interface PatternExplanation {
  /** The engine's verdict (for a `$or` alternative: see the module comment). */
  matches: boolean;
  /** Every field of the (compiled) pattern, in pattern order. */
  fields: FieldExplanation[];
  /** For each $or group: which alternatives matched, each with its own fields. */
  ors: Array<{ alternatives: PatternExplanation[]; ok: boolean }>;
  /** When every field holds on its own but the values come from different elements of the same array (AWS's rule), say so here; otherwise undefined. */
  arrayConsistency?: string;
  /** One line: "matches" or the first failing reason. */
  summary: string;
}

/** Throws the engine's InvalidPatternError for a pattern AWS would refuse. */
export function explainPattern(patternText: string, event: unknown): PatternExplanation {
  const compiled = compilePattern(validatePatternText(patternText));
  const verdict = matchesEvent(compiled, event);
  return new Explainer(flattenEvent(event)).explain(compiled, null, verdict);
}

/** Puts a replacement for one node back into the whole pattern it was taken from. */
type Wrap = (node: CompiledPattern) => CompiledPattern;

/** More values than this are summarised in a failing sentence ("… and 7 more values"). */
const MAX_VALUES_IN_REASON = 5;

const NOT_WITH_THE_REST =
  'matches on its own, but not together with the rest of the pattern: the values it matches sit in different elements of an array than the values the rest of the pattern matches (values matched inside an array must come from one element)';

class Explainer {
  private readonly tests = new Map<Condition, ValueTest>();

  constructor(private readonly event: FlatEvent) {}

  /**
   * `wrap`: the node is an alternative of a matching pattern, judged in that context (null: on its
   * own). `verdict`, when known, is the node's verdict in that context.
   */
  explain(node: CompiledPattern, wrap: Wrap | null, verdict?: boolean): PatternExplanation {
    const matches = verdict ?? matchesFlat(wrap === null ? node : wrap(node), this.event);
    if (matches) return this.build(node, wrap, true);
    if (wrap !== null && matchesFlat(node, this.event)) {
      // Fine on its own: show it holding (as on its own), and say what stops it in context.
      const own = this.build(node, null, true);
      const why = `This alternative ${NOT_WITH_THE_REST}`;
      return { ...own, matches: false, arrayConsistency: why, summary: why };
    }
    return this.build(node, null, false);
  }

  /** `holds`: the node matches (in `wrap`'s context, or on its own when null). */
  private build(node: CompiledPattern, wrap: Wrap | null, holds: boolean): PatternExplanation {
    const fields = node.fields.map((f) => this.field(f, holds));
    const ors = node.ors.map((group, i) => {
      const alternatives = group.map((alt) => {
        if (!holds) return this.explain(alt, null);
        const within: Wrap = (q) => {
          const replaced: CompiledPattern = { fields: node.fields, ors: node.ors.map((g, j) => (j === i ? [q] : g)) };
          return wrap === null ? replaced : wrap(replaced);
        };
        return this.explain(alt, within);
      });
      return { alternatives, ok: alternatives.some((a) => a.matches) };
    });
    const out: PatternExplanation = { matches: holds, fields, ors, summary: 'matches' };
    if (holds) return out;
    if (fields.every((f) => f.ok) && ors.every((g) => g.ok)) out.arrayConsistency = this.clash(node);
    out.summary = summaryOf(out);
    return out;
  }

  /** Why a node whose fields and `$or`s each hold on their own does not match. */
  private clash(node: CompiledPattern): string {
    const inArrays = node.fields.filter((f) => {
      const passing = this.leaves(f.path).filter((leaf) => f.test(leaf.value));
      return passing.length > 0 && passing.every((leaf) => leaf.trail !== null);
    });
    for (let i = 0; i < inArrays.length; i++)
      for (let j = i + 1; j < inArrays.length; j++)
        if (!matchesFlat({ fields: [inArrays[i], inArrays[j]], ors: [] }, this.event))
          return `${inArrays[i].path} and ${inArrays[j].path} each match, but only in different elements of the same array (values matched inside an array must come from one element)`;
    for (const f of inArrays)
      for (const group of node.ors)
        if (!matchesFlat({ fields: [f], ors: [group] }, this.event)) {
          const own = group.filter((alt) => matchesFlat(alt, this.event)).map((alt) => alt.fields.map((g) => g.path).join(' and ') || 'a nested $or');
          return `${f.path} and the $or alternative on ${own.join(' / ')} each match, but only in different elements of the same array (values matched inside an array must come from one element)`;
        }
    const named = inArrays.length > 0 ? ` (${inArrays.map((f) => f.path).join(', ')})` : '';
    const what = node.ors.length > 0 ? 'Every field and $or holds' : 'Every field matches';
    return `${what} on its own, but not together: the values matched${named} sit in different elements of the same array (values matched inside an array must come from one element)`;
  }

  private leaves(path: string): Leaf[] {
    return this.event.get(path) ?? [];
  }

  /** The engine's test for one condition alone (exists: false has none: it is about absence). */
  private testOf(c: Condition): ValueTest {
    let t = this.tests.get(c);
    if (t === undefined) {
      t = compilePattern({ fields: [{ path: 'x', conditions: [c] }], ors: [] }).fields[0].test;
      this.tests.set(c, t);
    }
    return t;
  }

  /** `holds`: the field's pattern matches, so the field holds in that match. */
  private field(f: CompiledField, holds: boolean): FieldExplanation {
    const path = f.path;
    const leaves = this.leaves(path);
    const base = { path, condition: JSON.stringify(f.conditions.map(conditionJson)), values: leaves.map((l) => show(l.value)) };
    if (leaves.length === 0) {
      if (f.matchesAbsent) return { ...base, ok: true, reason: `${path}: absent, as exists: false requires` };
      return { ...base, ok: false, reason: `${path}: absent, but the pattern needs a value` };
    }
    const passing = leaves.find((l) => f.test(l.value));
    if (passing !== undefined) {
      const v = passing.value;
      const c = f.conditions.find((c) => !isExistsFalse(c) && this.testOf(c)(v));
      // The field's test and its conditions' tests are the engine's and agree; `c` is found.
      const why = c === undefined ? 'matches' : matchPredicate(c, v);
      return { ...base, ok: true, reason: `${path}: ${show(v)} ${why}` };
    }
    const listed = leaves.map((l) => show(l.value));
    if (holds && f.matchesAbsent)
      return {
        ...base,
        ok: true,
        reason: `${path}: ${listed.join(', ')} ${listed.length === 1 ? 'is' : 'are'} present, but only in array elements other than those the rest of the pattern matched, so exists: false holds`,
      };
    return { ...base, ok: false, reason: `${path}: ${failure(f.conditions, leaves)}` };
  }
}

/** Why none of `leaves` passes any of `conditions`. */
function failure(conditions: readonly Condition[], leaves: readonly Leaf[]): string {
  const shown = leaves.slice(0, MAX_VALUES_IN_REASON);
  const predicates = shown.map((l) => failPredicates(conditions, l.value).join(', and '));
  if (leaves.length === 1) return `${show(leaves[0].value)} ${predicates[0]}`;
  const more = leaves.length - shown.length;
  const rest = more > 0 ? ` and ${more} more value${more === 1 ? '' : 's'}` : '';
  const same = leaves.every((l, i) => (i < shown.length ? predicates[i] : failPredicates(conditions, l.value).join(', and ')) === predicates[0]);
  if (same)
    return `none of ${shown.map((l) => show(l.value)).join(', ')}${rest} matches: each ${predicates[0]}`;
  return `no value matches: ${shown.map((l, i) => `${show(l.value)} ${predicates[i]}`).join('; ')}${more > 0 ? `; and ${more} more value${more === 1 ? '' : 's'}` : ''}`;
}

function summaryOf(e: PatternExplanation): string {
  if (e.matches) return 'matches';
  if (e.arrayConsistency !== undefined) return e.arrayConsistency;
  const field = e.fields.find((f) => !f.ok);
  if (field !== undefined) return field.reason;
  const group = e.ors.find((g) => !g.ok);
  if (group !== undefined)
    return `$or: none of the ${group.alternatives.length} alternatives matches (first: ${group.alternatives[0]?.summary ?? 'none'})`;
  return 'does not match';
}

function isExistsFalse(c: Condition): boolean {
  return c.kind === 'exists' && !c.value;
}

/** A value as JSON text: "shop" with its quotes, 12, true, null. */
function show(v: Scalar): string {
  return JSON.stringify(v);
}

function list(values: ReadonlyArray<string | number>): string {
  return JSON.stringify(values);
}

/** "a string", "a number", "a boolean", "null". */
function typeName(v: Scalar): string {
  return v === null ? 'null' : `a ${typeof v}`;
}

function range(terms: ReadonlyArray<[NumericOp, number]>): string {
  return terms.map(([op, n]) => `${op} ${show(n)}`).join(' and ');
}

/** A condition back in the pattern's JSON form (a one-value anything-but list is shown as the value). */
function conditionJson(c: Condition): unknown {
  switch (c.kind) {
    case 'exact':
      return c.value;
    case 'prefix':
    case 'suffix':
      return { [c.kind]: c.ignoreCase ? { 'equals-ignore-case': c.value } : c.value };
    case 'numeric':
      return { numeric: c.terms.flat() };
    case 'anything-but': {
      const values: Array<string | number> = c.strings.length > 0 || c.numbers.length === 0 ? c.strings : c.numbers;
      const inner = values.length === 1 ? values[0] : values;
      return { 'anything-but': c.op === 'equals' ? inner : { [c.op]: inner } };
    }
    default:
      return { [c.kind]: c.value };
  }
}

/** Why `v` passes `c`: the words after the value. */
function matchPredicate(c: Condition, v: Scalar): string {
  const ic = (ignoreCase: boolean): string => (ignoreCase ? ', ignoring case' : '');
  switch (c.kind) {
    case 'exact':
      return 'matches';
    case 'prefix':
      return `starts with ${show(c.value)}${ic(c.ignoreCase)}`;
    case 'suffix':
      return `ends with ${show(c.value)}${ic(c.ignoreCase)}`;
    case 'equals-ignore-case':
      return `equals ${show(c.value)}, ignoring case`;
    case 'wildcard':
      return `matches wildcard ${show(c.value)}`;
    case 'cidr':
      return `is in CIDR block ${c.value}`;
    case 'exists':
      return 'is present, as exists: true requires';
    case 'numeric':
      return `is in numeric range ${range(c.terms)}`;
    case 'anything-but': {
      if (typeof v !== 'string' && c.op !== 'equals') return `is not a string, so anything-but ${c.op} ${list(c.strings)} does not exclude it`;
      switch (c.op) {
        case 'equals':
          return `is not one of the excluded values ${list(c.strings.length > 0 ? c.strings : c.numbers)}`;
        case 'equals-ignore-case':
          return `is not one of the excluded values ${list(c.strings)}, even ignoring case`;
        case 'prefix':
          return `starts with none of the excluded prefixes ${list(c.strings)}`;
        case 'suffix':
          return `ends with none of the excluded suffixes ${list(c.strings)}`;
        case 'wildcard':
          return `matches none of the excluded wildcards ${list(c.strings)}`;
      }
    }
  }
}

/** Why `v` fails each condition: the words after the value, exact values gathered into one. */
function failPredicates(conditions: readonly Condition[], v: Scalar): string[] {
  const exact = conditions.filter((c): c is Extract<Condition, { kind: 'exact' }> => c.kind === 'exact');
  const out: string[] = [];
  let exactSaid = false;
  for (const c of conditions) {
    if (c.kind !== 'exact') out.push(failPredicate(c, v));
    else if (!exactSaid) {
      exactSaid = true;
      out.push(exact.length === 1 ? exactFail(exact[0].value, v) : `is not one of ${JSON.stringify(exact.map((e) => e.value))}`);
    }
  }
  return out;
}

function exactFail(want: Scalar, v: Scalar): string {
  const kinds = typeName(v) !== typeName(want) && String(v) === String(want) ? ` (${typeName(v)}, not ${typeName(want)})` : '';
  return `is not ${show(want)}${kinds}`;
}

function failPredicate(c: Exclude<Condition, { kind: 'exact' }>, v: Scalar): string {
  const notString = (what: string): string => `is not a string, so it ${what}`;
  const ic = (ignoreCase: boolean): string => (ignoreCase ? ', even ignoring case' : '');
  switch (c.kind) {
    case 'prefix': {
      const what = `does not start with ${show(c.value)}${ic(c.ignoreCase)}`;
      return typeof v === 'string' ? what : notString(what);
    }
    case 'suffix': {
      const what = `does not end with ${show(c.value)}${ic(c.ignoreCase)}`;
      return typeof v === 'string' ? what : notString(what);
    }
    case 'equals-ignore-case': {
      const what = `does not equal ${show(c.value)}, even ignoring case`;
      return typeof v === 'string' ? what : notString(what);
    }
    case 'wildcard': {
      const what = `does not match wildcard ${show(c.value)}`;
      return typeof v === 'string' ? what : notString(what);
    }
    case 'cidr': {
      const what = `is not in CIDR block ${c.value}`;
      if (typeof v !== 'string') return notString(what);
      return parseIp(v) === undefined ? `is not an IP address, so it ${what}` : what;
    }
    case 'numeric': {
      const what = `is not in numeric range ${range(c.terms)}`;
      return typeof v === 'number' ? what : `is not a number, so it ${what}`;
    }
    case 'exists':
      // exists: true passes any value, so only exists: false can fail on one.
      return c.value ? 'is present' : 'is present, but exists: false needs the field absent';
    case 'anything-but':
      return anythingButFail(c, v);
  }
}

function anythingButFail(c: Extract<Condition, { kind: 'anything-but' }>, v: Scalar): string {
  const s = typeof v === 'string' ? v : '';
  switch (c.op) {
    case 'equals':
      return `is one of the excluded values ${list(c.strings.length > 0 ? c.strings : c.numbers)}`;
    case 'equals-ignore-case': {
      const hit = c.strings.find((x) => x.toLowerCase() === s.toLowerCase()) ?? c.strings[0];
      return `equals the excluded value ${show(hit)}, ignoring case`;
    }
    case 'prefix': {
      const hit = c.strings.find((x) => s.startsWith(x)) ?? c.strings[0];
      return `starts with the excluded prefix ${show(hit)}`;
    }
    case 'suffix': {
      const hit = c.strings.find((x) => s.endsWith(x)) ?? c.strings[0];
      return `ends with the excluded suffix ${show(hit)}`;
    }
    case 'wildcard': {
      const hit = c.strings.find((w) => compilePattern({ fields: [{ path: 'x', conditions: [{ kind: 'wildcard', value: w }] }], ors: [] }).fields[0].test(s));
      return `matches the excluded wildcard ${show(hit ?? c.strings[0])}`;
    }
  }
}
