/**
 * Many patterns against one event, at a cost that follows the event and its matches rather than
 * the number of patterns (event-ruler's idea, in a simpler shape).
 *
 * Each pattern is filed under a few *anchors*: look-ups at least one of which finds every event the
 * pattern matches. An event looks up only its own values in the anchor tables, and only the
 * patterns found there (the candidates) are run through the full matcher, `matchesFlat`, which
 * stays the one judge of a match: the index only decides which patterns are worth asking, so it
 * answers exactly as matching every pattern would.
 *
 * Anchors. Any field that must be present (no `exists: false`) is a necessary condition, and so
 * is every alternative of a `$or` taken together. So a pattern's anchors are one field, two fields
 * at once, or for one `$or` the union of its alternatives' anchors (chosen the same way,
 * recursively): no expansion into all combinations is needed, however many `$or`s a pattern has.
 * A field is filed by its values when every condition on it can be looked up:
 *   - exact values (a Map: it keeps `5` and `"5"` apart, and JSON's `5.0` is `5`); `numeric` `=`;
 *     a wildcard without a star; and two required exact fields together (`source` and `account`),
 *     for rules that share each value with many others but the pair with few,
 *   - `equals-ignore-case` (by the lower-cased value),
 *   - `prefix` / `suffix`, either case, and a wildcard's literal head or tail (AffixTable),
 *   - numeric ranges (an interval tree per path, RangeTable).
 * Any other required field (anything-but, exists: true, cidr, `*x*` wildcards) is filed by the
 * bare presence of its path: still checked only for events that have a value there. A pattern with
 * no required field at all (`{}`, only `exists: false`) is checked for every event.
 *
 * Choice. Among the possible anchors, a pattern takes the one with the lowest estimated cost: how
 * many patterns mention the same (path, value), weighted by how often such an anchor fires (exact
 * values least, bare presence most). The counts change as patterns arrive, so the index chooses
 * every anchor again whenever it has taken as many patterns as it held the last time (amortised
 * O(1) per pattern).
 *
 * Candidates that need no matcher. When a pattern is one field, with no `$or`, and its anchors test
 * exactly its conditions (exact values, ignore-case, prefix, suffix, numeric), a hit is a match.
 *
 * Events. `matchEvent` walks only the parts of an event some pattern names, on a PathFilter whose
 * nodes hold each path's anchors and, for the event at hand, its values: no FlatEvent is built.
 * `match` takes an event already flattened.
 */
import { compilePattern, type CompiledField, type CompiledPattern } from './compile.js';
import { PathFilter, type EventLeaves, type FlatEvent, type Leaf } from './event.js';
import { matchesFlat } from './match.js';
import type { Condition, Scalar, ValidatedPattern } from './validate.js';
import { tokenizeWildcard } from './wildcard.js';

/** A filed pattern: the compiled pattern itself (one object less to reach per candidate), and its filing. */
interface Entry<K> extends CompiledPattern {
  key: K;
  /** Every field path the pattern names, at any depth of `$or`. */
  paths: string[];
  /** The statistics keys this pattern counted (see `statKey`). */
  stats: string[];
  /** Where it is filed; null: checked for every event. */
  anchors: Anchor[] | null;
  /** The `Candidates` round that last took it: dedupes without a set per event. */
  mark: number;
  /** Every hit on its anchors is a match (see `isConclusive`): the matcher is not asked. */
  conclusive: boolean;
}

type AffixKind = 'prefix' | 'prefixFolded' | 'suffix' | 'suffixFolded';

type Anchor =
  | { kind: 'exact'; path: string; value: Scalar }
  | { kind: 'folded'; path: string; value: string }
  | { kind: AffixKind; path: string; value: string }
  | { kind: 'range'; path: string; lo: number; loInclusive: boolean; hi: number; hiInclusive: boolean }
  | { kind: 'present'; path: string }
  /** Two exact values on two fields, both required: filed under the first path. */
  | { kind: 'pair'; path: string; value: Scalar; path2: string; value2: Scalar };

export class PatternIndex<K> {
  private readonly entries = new Map<K, Entry<K>>();
  private paths = new Map<string, PathIndex<K>>();
  private always: Bucket<K> = [];
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
    const entry: Entry<K> = {
      fields: compiled.fields,
      ors: compiled.ors,
      key,
      paths: [...paths],
      stats,
      anchors: null,
      mark: 0,
      conclusive: false,
    };
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
    c.all(this.always);
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
    c.all(this.always);
    const touched = filter.touched;
    for (let i = 0; i < filter.touchedCount; i++) {
      const index = touched[i].payload;
      if (index !== null) index.collect(touched[i].leaves, filter, c);
    }
    return this.check(filter);
  }

  /** The candidates that really match. */
  private check(event: EventLeaves): K[] {
    const out: K[] = [];
    const { list, count } = this.candidates;
    for (let i = 0; i < count; i++) {
      const e = list[i];
      if (e.conclusive || matchesFlat(e, event)) out.push(e.key);
    }
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
    const plan = planPattern(entry, this.counts);
    entry.conclusive = isConclusive(entry, plan);
    if (plan === null) {
      entry.anchors = null;
      this.always.push(entry);
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
      removeEntry(this.always, entry);
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
    this.always = [];
    for (const entry of this.entries.values()) this.file(entry);
    this.addsSinceReplan = 0;
    this.sizeAtReplan = this.entries.size;
  }
}

/** The candidates of one `match`: each entry once, the first `count` of a reused list. */
class Candidates<K> {
  readonly list: Entry<K>[] = [];
  count = 0;
  private round = 0;

  begin(): void {
    this.round++;
    this.count = 0;
  }

  one(e: Entry<K>): void {
    if (e.mark !== this.round) {
      e.mark = this.round;
      this.list[this.count++] = e;
    }
  }

  all(bucket: Bucket<K>): void {
    for (let i = 0; i < bucket.length; i++) this.one(bucket[i]);
  }
}

/**
 * The patterns filed under one anchor: a plain array, as events read it far more often than rules
 * change it. A pattern files each of its anchors once, so adding needs no check.
 */
type Bucket<K> = Entry<K>[];

/** True when `e` was there. */
function removeEntry<K>(bucket: Bucket<K>, e: Entry<K>): boolean {
  const at = bucket.indexOf(e);
  if (at < 0) return false;
  bucket[at] = bucket[bucket.length - 1];
  bucket.pop();
  return true;
}

/** What one value of a path leads to: the patterns filed by it, and pairs that start with it. */
interface ValueSlot<K> {
  exact: Bucket<K> | null;
  /** By the other path, then its value. */
  pairs: Array<{ path: string; values: Map<Scalar, Bucket<K>> }> | null;
}

/** The anchors filed under one path. */
class PathIndex<K> {
  private present: Bucket<K> | null = null;
  /** Exact values and pairs, so that a value costs one look-up for both. */
  private values: Map<Scalar, ValueSlot<K>> | null = null;
  private folded: Map<string, Bucket<K>> | null = null;
  private prefix: AffixTable<K> | null = null;
  private prefixFolded: AffixTable<K> | null = null;
  private suffix: AffixTable<K> | null = null;
  private suffixFolded: AffixTable<K> | null = null;
  private ranges: RangeTable<K> | null = null;
  private anchors = 0;

  add(a: Anchor, e: Entry<K>): void {
    this.anchors++;
    switch (a.kind) {
      case 'present':
        (this.present ??= []).push(e);
        return;
      case 'exact':
        (this.slot(a.value).exact ??= []).push(e);
        return;
      case 'pair': {
        const slot = this.slot(a.value);
        let partner = (slot.pairs ??= []).find((p) => p.path === a.path2);
        if (partner === undefined) slot.pairs.push((partner = { path: a.path2, values: new Map() }));
        addTo(partner.values, a.value2, e);
        return;
      }
      case 'folded':
        addTo((this.folded ??= new Map()), a.value, e);
        return;
      case 'range':
        (this.ranges ??= new RangeTable()).add(a, e);
        return;
      default:
        (this[a.kind] ??= new AffixTable(a.kind === 'suffix' || a.kind === 'suffixFolded')).add(a.value, e);
    }
  }

  /** True when nothing is filed here any more. */
  remove(a: Anchor, e: Entry<K>): boolean {
    switch (a.kind) {
      case 'present':
        if (this.present !== null && removeEntry(this.present, e) && this.present.length === 0) this.present = null;
        break;
      case 'exact': {
        const slot = this.values?.get(a.value);
        if (slot?.exact && removeEntry(slot.exact, e) && slot.exact.length === 0) {
          slot.exact = null;
          this.dropIfEmpty(a.value, slot);
        }
        break;
      }
      case 'pair': {
        const slot = this.values?.get(a.value);
        const at = slot?.pairs?.findIndex((p) => p.path === a.path2) ?? -1;
        if (at >= 0 && removeFrom(slot!.pairs![at].values, a.value2, e)) {
          slot!.pairs!.splice(at, 1);
          if (slot!.pairs!.length === 0) slot!.pairs = null;
          this.dropIfEmpty(a.value, slot!);
        }
        break;
      }
      case 'folded':
        if (this.folded && removeFrom(this.folded, a.value, e)) this.folded = null;
        break;
      case 'range':
        if (this.ranges?.remove(e)) this.ranges = null;
        break;
      default:
        if (this[a.kind]?.remove(a.value, e)) this[a.kind] = null;
    }
    return --this.anchors === 0;
  }

  collect(leaves: Leaf[], event: EventLeaves, c: Candidates<K>): void {
    if (this.present !== null) c.all(this.present);
    const { values, folded, prefix, suffix, prefixFolded, suffixFolded, ranges } = this;
    const anyFolded = folded !== null || prefixFolded !== null || suffixFolded !== null;
    for (let i = 0; i < leaves.length; i++) {
      const v = leaves[i].value;
      if (values !== null) {
        const slot = values.get(v);
        if (slot !== undefined) {
          if (slot.exact !== null) c.all(slot.exact);
          if (slot.pairs !== null) collectPairs(slot.pairs, event, c);
        }
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

  private slot(value: Scalar): ValueSlot<K> {
    const values = (this.values ??= new Map());
    let slot = values.get(value);
    if (slot === undefined) values.set(value, (slot = { exact: null, pairs: null }));
    return slot;
  }

  private dropIfEmpty(value: Scalar, slot: ValueSlot<K>): void {
    if (slot.exact !== null || slot.pairs !== null) return;
    this.values!.delete(value);
    if (this.values!.size === 0) this.values = null;
  }
}

function collectPairs<K>(partners: NonNullable<ValueSlot<K>['pairs']>, event: EventLeaves, c: Candidates<K>): void {
  for (let p = 0; p < partners.length; p++) {
    const leaves = event.get(partners[p].path);
    if (leaves === undefined) continue;
    const values = partners[p].values;
    for (let i = 0; i < leaves.length; i++) {
      const bucket = values.get(leaves[i].value);
      if (bucket !== undefined) c.all(bucket);
    }
  }
}

function addTo<V, K>(map: Map<V, Bucket<K>>, value: V, e: Entry<K>): void {
  let bucket = map.get(value);
  if (bucket === undefined) map.set(value, (bucket = []));
  bucket.push(e);
}

/** True when the map is left empty. */
function removeFrom<V, K>(map: Map<V, Bucket<K>>, value: V, e: Entry<K>): boolean {
  const bucket = map.get(value);
  if (bucket !== undefined && removeEntry(bucket, e) && bucket.length === 0) map.delete(value);
  return map.size === 0;
}

/**
 * Prefixes (or suffixes) by a hash of their text. One pass over the string (from its end, for
 * suffixes) hashes every prefix of it at once, up to the longest length in use; each length in use
 * is then one integer-keyed look-up, confirmed by comparing the text only on a hit. No substring is
 * made or hashed per event.
 */
class AffixTable<K> {
  private readonly byHash = new Map<number, Array<{ text: string; bucket: Bucket<K> }>>();
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
      slot.push((item = { text, bucket: [] }));
      this.size++;
      const n = this.lengthUses.get(text.length) ?? 0;
      this.lengthUses.set(text.length, n + 1);
      if (n === 0) this.lengths = [...this.lengths, text.length].sort((a, b) => a - b);
    }
    item.bucket.push(e);
  }

  /** True when the table is left empty. */
  remove(text: string, e: Entry<K>): boolean {
    const h = this.hash(text, text.length);
    const slot = this.byHash.get(h);
    const at = slot === undefined ? -1 : slot.findIndex((x) => x.text === text);
    if (at >= 0 && removeEntry(slot![at].bucket, e) && slot![at].bucket.length === 0) {
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
  loInclusive: boolean;
  hi: number;
  hiInclusive: boolean;
  entry: Entry<K>;
  /** Its pattern was removed; it leaves the tree at the next rebuild. */
  dead: boolean;
}

function holds<K>(iv: Interval<K>, x: number): boolean {
  return (iv.loInclusive ? x >= iv.lo : x > iv.lo) && (iv.hiInclusive ? x <= iv.hi : x < iv.hi);
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
 * Numeric ranges. The tree is laid out on closed intervals and each one found is then tested with
 * its own bounds, so a hit is exactly what the pattern's numeric test says. A look-up costs
 * O(log n + the ranges near the value). Changes reach the tree lazily, so that rules changing
 * between events do not rebuild it each time: ranges added since the last build are scanned one by
 * one, removed ones are skipped, and the tree is rebuilt once either kind outnumbers a small
 * multiple of the square root of its size.
 */
class RangeTable<K> {
  private readonly byEntry = new Map<Entry<K>, Interval<K>[]>();
  private tree: RangeNode<K> | null = null;
  private treeSize = 0;
  private pending: Interval<K>[] = [];
  private dead = 0;

  add(a: Extract<Anchor, { kind: 'range' }>, entry: Entry<K>): void {
    const iv = { lo: a.lo, loInclusive: a.loInclusive, hi: a.hi, hiInclusive: a.hiInclusive, entry, dead: false };
    const list = this.byEntry.get(entry);
    if (list === undefined) this.byEntry.set(entry, [iv]);
    else list.push(iv);
    this.pending.push(iv);
  }

  /** Removes every range of `entry`; true when the table is left empty. */
  remove(entry: Entry<K>): boolean {
    const list = this.byEntry.get(entry);
    if (list !== undefined) {
      this.byEntry.delete(entry);
      for (const iv of list) iv.dead = true;
      this.dead += list.length;
    }
    return this.byEntry.size === 0;
  }

  collect(x: number, c: Candidates<K>): void {
    const slack = 16 + 2 * Math.sqrt(this.treeSize);
    if (this.pending.length > slack || this.dead > slack) this.rebuild();
    const pending = this.pending;
    for (let i = 0; i < pending.length; i++) if (!pending[i].dead && holds(pending[i], x)) c.one(pending[i].entry);
    let node = this.tree;
    while (node !== null) {
      if (x < node.center) {
        for (const iv of node.byLo) {
          if (iv.lo > x) break;
          if (!iv.dead && holds(iv, x)) c.one(iv.entry);
        }
        node = node.left;
      } else if (x > node.center) {
        for (const iv of node.byHi) {
          if (iv.hi < x) break;
          if (!iv.dead && holds(iv, x)) c.one(iv.entry);
        }
        node = node.right;
      } else {
        for (const iv of node.byLo) if (!iv.dead && holds(iv, x)) c.one(iv.entry);
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
    this.dead = 0;
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

/**
 * True when a hit on the plan's anchors is by itself a match: the pattern is one field and no
 * `$or` (so no array elements need to agree), and each of its conditions is filed by a look-up
 * that tests exactly that condition (exact values, equals-ignore-case, prefix and suffix either
 * way, numeric, a wildcard without a star), or all of them are `exists: true` and it is filed by
 * presence. `{}` matches every event.
 */
function isConclusive(p: CompiledPattern, plan: Plan | null): boolean {
  if (p.ors.length > 0) return false;
  if (p.fields.length === 0) return true;
  if (p.fields.length !== 1 || plan === null || p.fields[0].matchesAbsent) return false;
  const conditions = p.fields[0].conditions;
  if (plan.anchors.some((a) => a.kind === 'present')) return conditions.every((c) => c.kind === 'exists');
  return conditions.every(
    (c) =>
      c.kind === 'exact' ||
      c.kind === 'equals-ignore-case' ||
      c.kind === 'prefix' ||
      c.kind === 'suffix' ||
      c.kind === 'numeric' ||
      (c.kind === 'wildcard' && !tokenizeWildcard(c.value).some((t) => t.star)),
  );
}

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
      // As compile.ts reads the terms; `=` is an exact number (a number key never finds a string).
      const range: Anchor = { kind: 'range', path, lo: -Infinity, loInclusive: false, hi: Infinity, hiInclusive: false };
      for (const [op, n] of c.terms) {
        if (op === '=') return [{ kind: 'exact', path, value: n }];
        if (op === '>' || op === '>=') [range.lo, range.loInclusive] = [n, op === '>='];
        else [range.hi, range.hiInclusive] = [n, op === '<='];
      }
      return [range];
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
  return a.kind === 'range'
    ? `r\u0000${a.path}\u0000${a.lo}\u0000${a.loInclusive}\u0000${a.hi}\u0000${a.hiInclusive}`
    : statKey(a);
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
