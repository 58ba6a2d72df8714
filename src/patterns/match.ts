/**
 * A compiled pattern against a flattened event. Every field must be matched by one of the event's
 * values at its path, and each `$or` by one of its alternatives. Values taken from arrays must
 * agree: two fields matched by values from different elements of the same array do not match
 * together (`[{"a":1,"b":2},{"a":3,"b":4}]` does not match `a = 1 and b = 4`), as AWS does.
 * `exists: false` likewise asks for no value in the array elements chosen for the other fields,
 * so it is checked last, once those are bound. The search binds array elements as it goes and
 * backtracks only when values come from arrays.
 */
import type { CompiledField, CompiledPattern } from './compile.js';
import { flattenEvent, type EventLeaves, type Leaf } from './event.js';

type Constraint = CompiledField | CompiledPattern[];

/**
 * Values tried before giving up. Backtracking over array elements is exponential in the worst
 * case (many fields, each matched by many elements of different arrays, failing at the end); a
 * hostile event must cost bounded time, so past this budget matching stops with an error rather
 * than a guess. Real events stay far below it.
 */
const MATCH_BUDGET = 1_000_000;

export class MatchTooComplexError extends Error {
  constructor() {
    super('The event has too many array values to match against this pattern.');
    this.name = 'MatchTooComplexError';
  }
}

interface Search {
  event: EventLeaves;
  bound: Map<number, number>;
  budget: number;
}

export function matchesEvent(pattern: CompiledPattern, event: unknown): boolean {
  return matchesFlat(pattern, flattenEvent(event));
}

/** `event`: a FlatEvent, or anything else that gives the leaves at a path (a scanned PathFilter). */
export function matchesFlat(pattern: CompiledPattern, event: EventLeaves): boolean {
  // Cheap first, and usually final: what values outside arrays decide on their own.
  let verdict = plainVerdict(pattern, event);
  if (verdict === MAYBE && pattern.ors.length === 0) verdict = forcedVerdict(pattern, event);
  if (verdict !== MAYBE) return verdict === YES;
  try {
    return solve(constraintsOf(pattern), [], { event, bound: new Map(), budget: MATCH_BUDGET }) === true;
  } catch (err) {
    // Recursion is one frame per field; a pattern with tens of thousands of fields could overflow.
    if (err instanceof RangeError) throw new MatchTooComplexError();
    throw err;
  }
}

const NO = 0;
const YES = 1;
const MAYBE = 2;
type Verdict = typeof NO | typeof YES | typeof MAYBE;

/**
 * NO when a field has no passing value at all (whatever array elements are chosen), or every
 * alternative of a `$or` is NO. YES when every field is passed by a value outside any array, or
 * (`exists: false`) has no value at all, and every `$or` has a YES alternative: such values bind
 * no array element, so they hold together. Otherwise MAYBE, and the search decides.
 */
function plainVerdict(p: CompiledPattern, event: EventLeaves): Verdict {
  let verdict: Verdict = YES;
  const fields = p.fields;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    const leaves = event.get(f.path);
    if (leaves === undefined || leaves.length === 0) {
      if (f.matchesAbsent) continue;
      return NO;
    }
    let passed = false;
    let plain = false;
    let plainFailed = false;
    for (let j = 0; j < leaves.length; j++) {
      if (passes(f, leaves[j])) {
        passed = true;
        if (leaves[j].trail === null) {
          plain = true;
          break;
        }
      } else if (leaves[j].trail === null) plainFailed = true;
    }
    if (plain) continue;
    // No passing value, and absence cannot hold either: a value outside any array is there
    // whatever elements are chosen (the common near miss `exists: false` on a present field).
    if (!passed && (!f.matchesAbsent || plainFailed)) return NO;
    verdict = MAYBE;
  }
  const ors = p.ors;
  for (let i = 0; i < ors.length; i++) {
    let group: Verdict = NO;
    for (const alt of ors[i]) {
      const v = plainVerdict(alt, event);
      if (v === YES) {
        group = YES;
        break;
      }
      if (v === MAYBE) group = MAYBE;
    }
    if (group === NO) return NO;
    if (group === MAYBE) verdict = MAYBE;
  }
  return verdict;
}

/**
 * A pattern without `$or` or `exists: false` whose fields each have at most one passing value from
 * an array (the rest passed by values outside arrays): the choice is forced, and it matches exactly
 * when no two of those values come from different elements of one array. The common shape of
 * matching inside arrays (`tags: {key: ["team"], value: ["a"]}`) is decided here, without a search.
 */
function forcedVerdict(p: CompiledPattern, event: EventLeaves): Verdict {
  const forced: Leaf[] = [];
  for (const f of p.fields) {
    if (f.matchesAbsent) return MAYBE;
    const leaves = event.get(f.path);
    if (leaves === undefined) return NO;
    let choice: Leaf | null = null;
    let plain = false;
    for (let j = 0; j < leaves.length; j++) {
      const leaf = leaves[j];
      if (!passes(f, leaf)) continue;
      if (leaf.trail === null) {
        plain = true;
        break;
      }
      if (choice !== null) return MAYBE;
      choice = leaf;
    }
    if (plain) continue;
    if (choice === null) return NO;
    forced.push(choice);
  }
  for (let i = 0; i < forced.length; i++)
    for (let j = i + 1; j < forced.length; j++) if (!agree(forced[i], forced[j])) return NO;
  return YES;
}

/** No array holds the two values in different elements. */
function agree(a: Leaf, b: Leaf): boolean {
  for (let x = a.trail; x !== null; x = x.outer)
    for (let y = b.trail; y !== null; y = y.outer) if (x.array === y.array && x.index !== y.index) return false;
  return true;
}

function constraintsOf(p: CompiledPattern): Constraint[] {
  return [...p.fields, ...p.ors];
}

/**
 * Why a search failed: the arrays whose chosen elements made it fail. Choosing another value for
 * a field helps only if that field bound one of them; otherwise the search jumps straight back
 * past it (conflict-directed backjumping), so arrays that do not interact cost a sum, not a
 * product. A superset is always safe; the empty set means no choice could help.
 */
type Conflict = Set<number>;
const NO_CHOICE_HELPS: Conflict = new Set();

/** `absentSoFar`: paths that must have no value consistent with the final binding. */
function solve(list: Constraint[], absentSoFar: readonly string[], search: Search): true | Conflict {
  let absent = absentSoFar;
  const { event, bound } = search;
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (Array.isArray(c)) {
      const rest = list.slice(i + 1);
      const conflict: Conflict = new Set();
      for (const alt of c) {
        const r = solve([...constraintsOf(alt), ...rest], absent, search);
        if (r === true) return true;
        for (const id of r) conflict.add(id);
      }
      return conflict;
    }
    const leaves = event.get(c.path);
    if (leaves === undefined || leaves.length === 0) {
      if (c.matchesAbsent) continue;
      return NO_CHOICE_HELPS;
    }
    // A passing value outside any array binds nothing, so no other value could do better: go on
    // without recursing (patterns with thousands of plain fields cost no stack).
    if (c.tests.length > 0 && leaves.some((leaf) => leaf.trail === null && passes(c, leaf))) continue;
    const conflict: Conflict = new Set();
    if (c.tests.length > 0) {
      const rest = list.slice(i + 1);
      for (const leaf of leaves) {
        if (--search.budget < 0) throw new MatchTooComplexError();
        if (leaf.trail === null || !passes(c, leaf)) continue;
        if (!consistent(leaf, bound)) {
          addBoundIds(leaf, bound, conflict);
          continue;
        }
        const added = bind(leaf, bound);
        const r = solve(rest, absent, search);
        for (const id of added) bound.delete(id);
        if (r === true) return true;
        if (!added.some((id) => r.has(id))) {
          // Nothing this field chose caused the failure: no other choice here can fix it.
          if (!c.matchesAbsent) return r;
          for (const id of r) conflict.add(id);
          break;
        }
        for (const id of r) if (!added.includes(id)) conflict.add(id);
      }
    }
    if (!c.matchesAbsent) return conflict;
    // Still possible: no value at this path in the elements the other fields choose.
    absent = [...absent, c.path];
    if (conflict.size > 0) {
      const r = solve(list.slice(i + 1), absent, search);
      if (r === true) return true;
      for (const id of r) conflict.add(id);
      return conflict;
    }
  }
  const conflict: Conflict = new Set();
  for (const path of absent) {
    const leaves = event.get(path);
    if (leaves === undefined) continue;
    for (const leaf of leaves) if (consistent(leaf, bound)) addBoundIds(leaf, bound, conflict);
    if (leaves.some((leaf) => consistent(leaf, bound))) return conflict;
  }
  return true;
}

function addBoundIds(leaf: Leaf, bound: Map<number, number>, into: Conflict): void {
  for (let step = leaf.trail; step !== null; step = step.outer) if (bound.has(step.array)) into.add(step.array);
}

function passes(field: CompiledField, leaf: Leaf): boolean {
  return field.test(leaf.value);
}

function consistent(leaf: Leaf, bound: Map<number, number>): boolean {
  for (let step = leaf.trail; step !== null; step = step.outer) {
    const at = bound.get(step.array);
    if (at !== undefined && at !== step.index) return false;
  }
  return true;
}

function bind(leaf: Leaf, bound: Map<number, number>): number[] {
  const added: number[] = [];
  for (let step = leaf.trail; step !== null; step = step.outer) {
    if (!bound.has(step.array)) {
      bound.set(step.array, step.index);
      added.push(step.array);
    }
  }
  return added;
}
