/**
 * Many patterns against one event, at a cost that follows the event and its matches rather than
 * the number of patterns (event-ruler's idea, in a simpler shape).
 *
 * Each pattern is filed under a few *anchors*: conditions of which at least one must hold for the
 * pattern to match. An event looks up only its own values in the anchor tables, and only the
 * patterns found there (the candidates) are run through the full matcher, `matchesFlat`, which
 * stays the one judge of a match: the index only decides which patterns are worth asking, so it can
 * never answer differently from matching every pattern.
 *
 * Anchors. Any field that must be present (no `exists: false`) is a necessary condition, and so
 * is every alternative of a `$or` taken together. So a pattern's anchors are either one field, or
 * for one `$or`, the union of its alternatives' anchors (chosen the same way, recursively): no
 * expansion into all combinations is needed, however many `$or`s a pattern has. A field is filed
 * by its values when every condition on it can be looked up:
 *   - exact values (a hash map; JavaScript's Map already keeps `5` and `"5"` apart and `5.0` is `5`),
 *   - `equals-ignore-case` (the lower-cased value), `numeric` `=` (an exact number),
 *   - `prefix` / `suffix`, either case (by each length in use: one map look-up per length),
 *   - `wildcard` (its literal head as a prefix, or its literal tail as a suffix; no star: exact),
 *   - numeric ranges (an interval tree per path).
 * Any other required field (anything-but, exists: true, cidr, `*x*` wildcards) is filed by the
 * bare presence of its path: still checked only for events that have a value there. A pattern with
 * no required field at all (`{}`, only `exists: false`) is checked for every event.
 *
 * Choice. Among the possible anchors, a pattern takes the one with the lowest estimated cost: how
 * many patterns mention the same (path, value), weighted by how often such an anchor fires
 * (exact values least, bare presence most). The counts change as patterns arrive, so the index
 * re-chooses every anchor whenever its size has doubled since the last time (amortised O(1)).
 *
 * Events. `matchEvent` flattens only the parts of an event that some pattern names.
 */
import { compilePattern, type CompiledField, type CompiledPattern } from './compile.js';
import { PathFilter, type EventLeaves, type FlatEvent, type Leaf } from './event.js';
import { matchesFlat } from './match.js';
import type { Condition, Scalar, ValidatedPattern } from './validate.js';
import { tokenizeWildcard } from './wildcard.js';

interface Entry<K> {
  key: K;
  compiled: CompiledPattern;
  /** Every field path the pattern names, at any depth of `$or`. */
  paths: string[];
  /** The statistics keys this pattern counted (see `statKey`). */
  stats: string[];
  /** Where it is filed; null: checked for every event. */
  anchors: Anchor[] | null;
  /** The `Candidates` round that last took it: dedupes without a set per event. */
  mark: number;
}

type AffixKind = 'prefix' | 'prefixFolded' | 'suffix' | 'suffixFolded';

type Anchor =
  | { kind: 'exact'; path: string; value: Scalar }
  | { kind: 'folded'; path: string; value: string }
  | { kind: AffixKind; path: string; value: string }
  | { kind: 'range'; path: string; lo: number; hi: number }
  | { kind: 'present'; path: string }
  /** Two exact values on two fields, both required: filed under the first path. */
  | { kind: 'pair'; path: string; value: Scalar; path2: string; value2: Scalar };

export class PatternIndex<K> {
  private readonly entries = new Map<K, Entry<K>>();
  private paths = new Map<string, PathIndex<K>>();
  private readonly always = new Set<Entry<K>>();
  /** How many patterns mention each statKey: the selectivity estimate behind the anchor choice. */
  private readonly counts = new Map<string, number>();
  /** Field paths named by the patterns, with how many patterns name each. */
  private readonly pathUses = new Map<string, number>();
  private filter: PathFilter<PathIndex<K>> | null = null;
  private readonly candidates = new Candidates<K>();
  private addsSinceReplan = 0;
  private sizeAtReplan = 0;

  get size(): number {
    return this.entries.size;
  }

  /** Files `pattern` under `key`, replacing any pattern already there. */
  add(key: K, pattern: ValidatedPattern): void {
    const compiled = compilePattern(pattern);
    this.delete(key);
    const paths = new Set<string>();
    const stats: string[] = [];
    collect(compiled, paths, stats);
    const entry: Entry<K> = { key, compiled, paths: [...paths], stats, anchors: null, mark: 0 };
    this.entries.set(key, entry);
    for (const s of stats) this.counts.set(s, (this.counts.get(s) ?? 0) + 1);
    for (const p of entry.paths) {
      const n = this.pathUses.get(p) ?? 0;
      this.pathUses.set(p, n + 1);
      if (n === 0) this.filter = null;
    }
    this.file(entry);
    if (++this.addsSinceReplan > Math.max(64, this.sizeAtReplan)) this.replan();
  }

  delete(key: K): boolean {
    const entry = this.entries.get(key);
    if (entry === undefined) return false;
    this.entries.delete(key);
    this.unfile(entry);
    for (const s of entry.stats) {
      const n = this.counts.get(s)! - 1;
      if (n === 0) this.counts.delete(s);
      else this.counts.set(s, n);
    }
    for (const p of entry.paths) {
      const n = this.pathUses.get(p)! - 1;
      if (n === 0) {
        this.pathUses.delete(p);
        this.filter = null;
      } else this.pathUses.set(p, n);
    }
    return true;
  }

  /**
   * Every key whose pattern matches `event`, each once, in no particular order: the same keys as
   * `matchesFlat` for every pattern (and, like it, MatchTooComplexError for a hostile event).
   */
  match(event: FlatEvent): K[] {
    const c = this.candidates;
    c.begin();
    for (const e of this.always) c.one(e);
    if (this.paths.size <= event.size) {
      for (const [path, index] of this.paths) {
        const leaves = event.get(path);
        if (leaves !== undefined && leaves.length > 0) index.collect(leaves, event, c);
      }
    } else {
      for (const [path, leaves] of event) {
        const index = this.paths.get(path);
        if (index !== undefined && leaves.length > 0) index.collect(leaves, event, c);
      }
    }
    return this.check(event);
  }

  /**
   * `match` on an event as parsed from JSON. Only the paths some pattern names are read, and no
   * FlatEvent is built: the leaves stay on the nodes of the index's PathFilter, which also hold
   * each path's anchors.
   */
  matchEvent(event: unknown): K[] {
    const filter = this.eventFilter();
    filter.scan(event);
    const c = this.candidates;
    c.begin();
    for (const e of this.always) c.one(e);
    const touched = filter.touched;
    for (let i = 0; i < touched.length; i++) {
      const index = touched[i].payload;
      if (index !== null) index.collect(touched[i].leaves, filter, c);
    }
    return this.check(filter);
  }

  /** The candidates that really match. */
  private check(event: EventLeaves): K[] {
    const out: K[] = [];
    const list = this.candidates.list;
    for (let i = 0; i < list.length; i++) if (matchesFlat(list[i].compiled, event)) out.push(list[i].key);
    return out;
  }

  /** The paths the patterns name, each node holding its path's anchors. */
  private eventFilter(): PathFilter<PathIndex<K>> {
    if (this.filter !== null) return this.filter;
    const filter = new PathFilter<PathIndex<K>>(this.pathUses.keys());
    for (const [path, index] of this.paths) filter.byPath.get(path)!.payload = index;
    return (this.filter = filter);
  }

  private file(entry: Entry<K>): void {
    const plan = planPattern(entry.compiled, this.counts);
    if (plan === null) {
      entry.anchors = null;
      this.always.add(entry);
      return;
    }
    const unique = new Map<string, Anchor>();
    for (const a of plan.anchors) unique.set(anchorId(a), a);
    entry.anchors = [...unique.values()];
    for (const a of entry.anchors) {
      let index = this.paths.get(a.path);
      if (index === undefined) {
        this.paths.set(a.path, (index = new PathIndex<K>()));
        this.filter = null;
      }
      index.add(a, entry);
    }
  }

  private unfile(entry: Entry<K>): void {
    if (entry.anchors === null) {
      this.always.delete(entry);
      return;
    }
    for (const a of entry.anchors) {
      const index = this.paths.get(a.path)!;
      if (index.remove(a, entry)) {
        this.paths.delete(a.path);
        this.filter = null;
      }
    }
    entry.anchors = null;
  }

  /** Choose every pattern's anchors again, with the counts as they are now. */
  private replan(): void {
    this.paths = new Map();
    this.filter = null;
    this.always.clear();
    for (const entry of this.entries.values()) this.file(entry);
    this.addsSinceReplan = 0;
    this.sizeAtReplan = this.entries.size;
  }
}

/** The candidates of one `match`: each entry once, in a reused list. */
class Candidates<K> {
  list: Entry<K>[] = [];
  private round = 0;

  begin(): void {
    this.round++;
    this.list.length = 0;
  }

  one(e: Entry<K>): void {
    if (e.mark !== this.round) {
      e.mark = this.round;
      this.list.push(e);
    }
  }

  all(bucket: Set<Entry<K>>): void {
    for (const e of bucket) this.one(e);
  }
}

/** The anchors filed under one path. */
class PathIndex<K> {
  private present: Set<Entry<K>> | null = null;
  private exact: Map<Scalar, Set<Entry<K>>> | null = null;
  private folded: Map<string, Set<Entry<K>>> | null = null;
  private prefix: AffixTable<K> | null = null;
  private prefixFolded: AffixTable<K> | null = null;
  private suffix: AffixTable<K> | null = null;
  private suffixFolded: AffixTable<K> | null = null;
  private ranges: RangeTable<K> | null = null;
  /** By this path's value, then the other path, then its value. */
  private pairs: Map<Scalar, Map<string, Map<Scalar, Set<Entry<K>>>>> | null = null;
  private anchors = 0;

  add(a: Anchor, e: Entry<K>): void {
    this.anchors++;
    switch (a.kind) {
      case 'present':
        (this.present ??= new Set()).add(e);
        return;
      case 'exact':
        addTo((this.exact ??= new Map()), a.value, e);
        return;
      case 'folded':
        addTo((this.folded ??= new Map()), a.value, e);
        return;
      case 'range':
        (this.ranges ??= new RangeTable()).add(a.lo, a.hi, e);
        return;
      case 'pair': {
        const pairs = (this.pairs ??= new Map());
        let partners = pairs.get(a.value);
        if (partners === undefined) pairs.set(a.value, (partners = new Map()));
        let values = partners.get(a.path2);
        if (values === undefined) partners.set(a.path2, (values = new Map()));
        addTo(values, a.value2, e);
        return;
      }
      default:
        (this[a.kind] ??= new AffixTable(a.kind === 'suffix' || a.kind === 'suffixFolded')).add(a.value, e);
    }
  }

  /** True when nothing is filed here any more. */
  remove(a: Anchor, e: Entry<K>): boolean {
    switch (a.kind) {
      case 'present':
        this.present?.delete(e);
        if (this.present?.size === 0) this.present = null;
        break;
      case 'exact':
        if (this.exact && removeFrom(this.exact, a.value, e)) this.exact = null;
        break;
      case 'folded':
        if (this.folded && removeFrom(this.folded, a.value, e)) this.folded = null;
        break;
      case 'range':
        if (this.ranges?.remove(e)) this.ranges = null;
        break;
      case 'pair': {
        const partners = this.pairs?.get(a.value);
        const values = partners?.get(a.path2);
        if (values !== undefined && removeFrom(values, a.value2, e)) {
          partners!.delete(a.path2);
          if (partners!.size === 0) this.pairs!.delete(a.value);
          if (this.pairs!.size === 0) this.pairs = null;
        }
        break;
      }
      default:
        if (this[a.kind]?.remove(a.value, e)) this[a.kind] = null;
    }
    return --this.anchors === 0;
  }

  collect(leaves: Leaf[], event: EventLeaves, c: Candidates<K>): void {
    if (this.present !== null) c.all(this.present);
    const { exact, folded, prefix, suffix, prefixFolded, suffixFolded, ranges, pairs } = this;
    const anyFolded = folded !== null || prefixFolded !== null || suffixFolded !== null;
    for (let i = 0; i < leaves.length; i++) {
      const v = leaves[i].value;
      if (exact !== null) {
        const bucket = exact.get(v);
        if (bucket !== undefined) c.all(bucket);
      }
      if (pairs !== null) {
        const partners = pairs.get(v);
        if (partners !== undefined) collectPairs(partners, event, c);
      }
      if (typeof v === 'string') {
        if (prefix !== null) prefix.collect(v, c);
        if (suffix !== null) suffix.collect(v, c);
        if (anyFolded) {
          const lower = v.toLowerCase();
          if (folded !== null) {
            const bucket = folded.get(lower);
            if (bucket !== undefined) c.all(bucket);
          }
          if (prefixFolded !== null) prefixFolded.collect(lower, c);
          if (suffixFolded !== null) suffixFolded.collect(lower, c);
        }
      } else if (typeof v === 'number' && ranges !== null) ranges.collect(v, c);
    }
  }
}

function collectPairs<K>(partners: Map<string, Map<Scalar, Set<Entry<K>>>>, event: EventLeaves, c: Candidates<K>): void {
  for (const [path, values] of partners) {
    const leaves = event.get(path);
    if (leaves === undefined) continue;
    for (let i = 0; i < leaves.length; i++) {
      const bucket = values.get(leaves[i].value);
      if (bucket !== undefined) c.all(bucket);
    }
  }
}

function addTo<V, K>(map: Map<V, Set<Entry<K>>>, value: V, e: Entry<K>): void {
  const bucket = map.get(value);
  if (bucket === undefined) map.set(value, new Set([e]));
  else bucket.add(e);
}

/** True when the map is left empty. */
function removeFrom<V, K>(map: Map<V, Set<Entry<K>>>, value: V, e: Entry<K>): boolean {
  const bucket = map.get(value);
  if (bucket !== undefined && bucket.delete(e) && bucket.size === 0) map.delete(value);
  return map.size === 0;
}

/**
 * Prefixes (or suffixes) by a hash of their text. One pass over the string (from its end, for
 * suffixes) hashes every prefix of it at once, up to the longest length in use; each length in use
 * is then one integer-keyed look-up, confirmed by comparing the text only on a hit. No substring is
 * made or hashed per event.
 */
class AffixTable<K> {
  private readonly byHash = new Map<number, Array<{ text: string; bucket: Set<Entry<K>> }>>();
  private size = 0;
  /** Distinct lengths in use, ascending. */
  private lengths: number[] = [];
  private readonly lengthUses = new Map<number, number>();

  constructor(private readonly fromEnd: boolean) {}

  add(text: string, e: Entry<K>): void {
    const h = this.hash(text, text.length);
    let slot = this.byHash.get(h);
    if (slot === undefined) this.byHash.set(h, (slot = []));
    let item = slot.find((x) => x.text === text);
    if (item === undefined) {
      slot.push((item = { text, bucket: new Set() }));
      this.size++;
      const n = this.lengthUses.get(text.length) ?? 0;
      this.lengthUses.set(text.length, n + 1);
      if (n === 0) this.lengths = [...this.lengths, text.length].sort((a, b) => a - b);
    }
    item.bucket.add(e);
  }

  /** True when the table is left empty. */
  remove(text: string, e: Entry<K>): boolean {
    const h = this.hash(text, text.length);
    const slot = this.byHash.get(h);
    const at = slot === undefined ? -1 : slot.findIndex((x) => x.text === text);
    if (at >= 0 && slot![at].bucket.delete(e) && slot![at].bucket.size === 0) {
      slot!.splice(at, 1);
      if (slot!.length === 0) this.byHash.delete(h);
      this.size--;
      const n = this.lengthUses.get(text.length)! - 1;
      if (n === 0) {
        this.lengthUses.delete(text.length);
        this.lengths = this.lengths.filter((l) => l !== text.length);
      } else this.lengthUses.set(text.length, n);
    }
    return this.size === 0;
  }

  collect(v: string, c: Candidates<K>): void {
    const n = v.length;
    const lengths = this.lengths;
    let next = 0;
    let h = 0;
    // A length-0 affix (the empty prefix) is in use when lengths[0] is 0.
    for (let len = 0; next < lengths.length && lengths[next] <= n; len++) {
      if (len > 0) h = (Math.imul(h, 31) + v.charCodeAt(this.fromEnd ? n - len : len - 1)) | 0;
      if (lengths[next] !== len) continue;
      next++;
      const slot = this.byHash.get(h);
      if (slot === undefined) continue;
      for (const item of slot) {
        if (item.text.length === len && (this.fromEnd ? v.endsWith(item.text) : v.startsWith(item.text))) c.all(item.bucket);
      }
    }
  }

  /** The hash `collect` reaches after `len` characters of `text` (from its end, for suffixes). */
  private hash(text: string, len: number): number {
    let h = 0;
    for (let i = 1; i <= len; i++) h = (Math.imul(h, 31) + text.charCodeAt(this.fromEnd ? text.length - i : i - 1)) | 0;
    return h;
  }
}

interface Interval<K> {
  lo: number;
  hi: number;
  entry: Entry<K>;
}

/** A centered interval tree: the intervals holding `center`, and the ones wholly left or right of it. */
interface RangeNode<K> {
  center: number;
  /** Ascending by `lo`. */
  byLo: Interval<K>[];
  /** Descending by `hi`. */
  byHi: Interval<K>[];
  left: RangeNode<K> | null;
  right: RangeNode<K> | null;
}

/**
 * Numeric ranges, as closed intervals (an open bound only adds a candidate that the matcher then
 * refuses). A look-up costs O(log n + the ranges holding the value). The tree is rebuilt lazily:
 * after a removal, or once the ranges added since the last build, which are scanned one by one,
 * outnumber a small multiple of the square root of its size.
 */
class RangeTable<K> {
  private readonly byEntry = new Map<Entry<K>, Interval<K>[]>();
  private tree: RangeNode<K> | null = null;
  private treeSize = 0;
  private pending: Interval<K>[] = [];
  private stale = false;

  add(lo: number, hi: number, entry: Entry<K>): void {
    const iv = { lo, hi, entry };
    const list = this.byEntry.get(entry);
    if (list === undefined) this.byEntry.set(entry, [iv]);
    else list.push(iv);
    this.pending.push(iv);
  }

  /** Removes every range of `entry`; true when the table is left empty. */
  remove(entry: Entry<K>): boolean {
    if (this.byEntry.delete(entry)) this.stale = true;
    return this.byEntry.size === 0;
  }

  collect(x: number, c: Candidates<K>): void {
    if (this.stale || this.pending.length > 16 + 2 * Math.sqrt(this.treeSize)) this.rebuild();
    const pending = this.pending;
    for (let i = 0; i < pending.length; i++) if (pending[i].lo <= x && x <= pending[i].hi) c.one(pending[i].entry);
    let node = this.tree;
    while (node !== null) {
      if (x < node.center) {
        for (const iv of node.byLo) {
          if (iv.lo > x) break;
          c.one(iv.entry);
        }
        node = node.left;
      } else if (x > node.center) {
        for (const iv of node.byHi) {
          if (iv.hi < x) break;
          c.one(iv.entry);
        }
        node = node.right;
      } else {
        for (const iv of node.byLo) c.one(iv.entry);
        break;
      }
    }
  }

  private rebuild(): void {
    const all: Interval<K>[] = [];
    for (const list of this.byEntry.values()) all.push(...list);
    this.tree = buildRangeNode(all);
    this.treeSize = all.length;
    this.pending = [];
    this.stale = false;
  }
}

function buildRangeNode<K>(intervals: Interval<K>[]): RangeNode<K> | null {
  if (intervals.length === 0) return null;
  // The median finite end point: every interval has one (validation refuses a range without
  // bounds), and the interval it came from holds it, so each level makes progress.
  const ends: number[] = [];
  for (const iv of intervals) {
    if (Number.isFinite(iv.lo)) ends.push(iv.lo);
    if (Number.isFinite(iv.hi)) ends.push(iv.hi);
  }
  ends.sort((a, b) => a - b);
  const center = ends[ends.length >> 1];
  const left: Interval<K>[] = [];
  const right: Interval<K>[] = [];
  const here: Interval<K>[] = [];
  for (const iv of intervals) {
    if (iv.hi < center) left.push(iv);
    else if (iv.lo > center) right.push(iv);
    else here.push(iv);
  }
  return {
    center,
    byLo: [...here].sort((a, b) => a.lo - b.lo),
    byHi: here.sort((a, b) => b.hi - a.hi),
    left: buildRangeNode(left),
    right: buildRangeNode(right),
  };
}

// ---------- choosing anchors ----------

interface Plan {
  cost: number;
  anchors: Anchor[];
}

/** The cheapest set of anchors one of which any event matching `p` satisfies; null if none. */
function planPattern(p: CompiledPattern, counts: ReadonlyMap<string, number>): Plan | null {
  let best: Plan | null = null;
  for (const f of p.fields) {
    if (f.matchesAbsent) continue;
    const plan = planField(f, counts);
    if (best === null || plan.cost < best.cost) best = plan;
  }
  for (const pair of exactPairs(p)) {
    let cost = 0;
    for (const a of pair) cost += anchorCost(a, counts);
    if (best === null || cost < best.cost) best = { cost, anchors: pair };
  }
  for (const alternatives of p.ors) {
    let cost = 0;
    const anchors: Anchor[] = [];
    let usable = true;
    for (const alt of alternatives) {
      const sub = planPattern(alt, counts);
      if (sub === null || (best !== null && cost + sub.cost >= best.cost)) {
        usable = false;
        break;
      }
      cost += sub.cost;
      anchors.push(...sub.anchors);
    }
    if (usable) best = { cost, anchors };
  }
  return best;
}

function planField(f: CompiledField, counts: ReadonlyMap<string, number>): Plan {
  const present: Anchor = { kind: 'present', path: f.path };
  const presentCost = anchorCost(present, counts);
  const anchors: Anchor[] = [];
  let cost = 0;
  for (const c of f.conditions) {
    let best: Anchor | null = null;
    let bestCost = Infinity;
    for (const a of conditionAnchors(f.path, c)) {
      const ac = anchorCost(a, counts);
      if (ac < bestCost) [best, bestCost] = [a, ac];
    }
    if (best === null) return { cost: presentCost, anchors: [present] };
    anchors.push(best);
    cost += bestCost;
  }
  return cost <= presentCost ? { cost, anchors } : { cost: presentCost, anchors: [present] };
}

const NONE: readonly Anchor[] = [];

/** Fields looked at for pairs, and the most anchors one pair of fields may take. */
const PAIR_FIELDS = 6;
const PAIR_ANCHORS = 16;

/**
 * For each two required fields of `p` that only hold exact values (the first few such fields),
 * the anchors of the pair: every combination of their values. Rules often share a value on one
 * field (`source`) and another (`account`), and rarely both.
 */
function exactPairs(p: CompiledPattern): Anchor[][] {
  const exact: Array<{ path: string; values: Scalar[] }> = [];
  for (const f of p.fields) {
    if (f.matchesAbsent || f.conditions.length > PAIR_ANCHORS) continue;
    const values: Scalar[] = [];
    for (const c of f.conditions) {
      const options = conditionAnchors(f.path, c);
      if (options.length !== 1 || options[0].kind !== 'exact') break;
      values.push(options[0].value);
    }
    if (values.length === f.conditions.length) exact.push({ path: f.path, values });
    if (exact.length === PAIR_FIELDS) break;
  }
  const out: Anchor[][] = [];
  for (let i = 0; i < exact.length; i++) {
    for (let j = i + 1; j < exact.length; j++) {
      // Filed under the lesser path, so that patterns naming the same two fields share a table.
      const [a, b] = exact[i].path <= exact[j].path ? [exact[i], exact[j]] : [exact[j], exact[i]];
      if (a.values.length * b.values.length > PAIR_ANCHORS) continue;
      const anchors: Anchor[] = [];
      for (const value of a.values)
        for (const value2 of b.values) anchors.push({ kind: 'pair', path: a.path, value, path2: b.path, value2 });
      out.push(anchors);
    }
  }
  return out;
}

/** Look-ups that each find every value passing `c` (any one will do); none when no table can. */
function conditionAnchors(path: string, c: Condition): readonly Anchor[] {
  switch (c.kind) {
    case 'exact':
      return [{ kind: 'exact', path, value: c.value }];
    case 'equals-ignore-case':
      return [{ kind: 'folded', path, value: c.value.toLowerCase() }];
    case 'prefix':
      return [
        c.ignoreCase ? { kind: 'prefixFolded', path, value: c.value.toLowerCase() } : { kind: 'prefix', path, value: c.value },
      ];
    case 'suffix':
      return [
        c.ignoreCase ? { kind: 'suffixFolded', path, value: c.value.toLowerCase() } : { kind: 'suffix', path, value: c.value },
      ];
    case 'wildcard': {
      // The literal text before the first star is a prefix every match has, the text after the
      // last star a suffix; without a star the wildcard is an exact string.
      const tokens = tokenizeWildcard(c.value);
      const literal = (from: number, to: number): string =>
        tokens
          .slice(from, to)
          .map((t) => (t.star ? '' : t.char))
          .join('');
      const first = tokens.findIndex((t) => t.star);
      if (first < 0) return [{ kind: 'exact', path, value: literal(0, tokens.length) }];
      let last = tokens.length - 1;
      while (!tokens[last].star) last--;
      const options: Anchor[] = [];
      const head = literal(0, first);
      const tail = literal(last + 1, tokens.length);
      if (head.length > 0) options.push({ kind: 'prefix', path, value: head });
      if (tail.length > 0) options.push({ kind: 'suffix', path, value: tail });
      return options;
    }
    case 'numeric': {
      let lo = -Infinity;
      let hi = Infinity;
      for (const [op, n] of c.terms) {
        if (op === '=') return [{ kind: 'exact', path, value: n }];
        if (op === '>' || op === '>=') lo = n;
        else hi = n;
      }
      return [{ kind: 'range', path, lo, hi }];
    }
    default:
      // anything-but, exists: true and cidr pass values no table here can list.
      return NONE;
  }
}

/**
 * What counts as "the same anchor" for the statistics: a value on a path, or for ranges and bare
 * presence the path itself.
 */
function statKey(a: Anchor): string {
  switch (a.kind) {
    case 'exact':
      return `e\u0000${a.path}\u0000${JSON.stringify(a.value)}`;
    case 'range':
      return `r\u0000${a.path}`;
    case 'present':
      return `h\u0000${a.path}`;
    case 'pair':
      return `q\u0000${a.path}\u0000${JSON.stringify(a.value)}\u0000${a.path2}\u0000${JSON.stringify(a.value2)}`;
    default:
      return `${a.kind}\u0000${a.path}\u0000${a.value}`;
  }
}

function anchorId(a: Anchor): string {
  return a.kind === 'range' ? `r\u0000${a.path}\u0000${a.lo}\u0000${a.hi}` : statKey(a);
}

/**
 * Roughly, how many candidates the anchor brings per event: the patterns that share it, times how
 * often an event is likely to satisfy it. The weights only order the choices.
 */
function anchorCost(a: Anchor, counts: ReadonlyMap<string, number>): number {
  const n = counts.get(statKey(a)) ?? 0;
  switch (a.kind) {
    case 'exact':
    case 'folded':
      return 1 + n;
    case 'pair':
      // One more look-up than an exact value: chosen only when it saves candidates.
      return 1.5 + n;
    case 'range':
      return 3 + n / 4;
    case 'present':
      return 8 + 4 * n;
    default:
      // An empty prefix or suffix holds for every string.
      return a.value.length === 0 ? 8 + 4 * (counts.get(`h\u0000${a.path}`) ?? 0) : 2 + n;
  }
}

/** The field paths a pattern names and the statistics keys it counts, `$or`s included. */
function collect(p: CompiledPattern, paths: Set<string>, stats: string[]): void {
  for (const f of p.fields) {
    paths.add(f.path);
    stats.push(statKey({ kind: 'present', path: f.path }));
    for (const c of f.conditions) for (const a of conditionAnchors(f.path, c)) stats.push(statKey(a));
  }
  for (const pair of exactPairs(p)) for (const a of pair) stats.push(statKey(a));
  for (const alternatives of p.ors) for (const alt of alternatives) collect(alt, paths, stats);
}
