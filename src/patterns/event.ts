/**
 * An event as the matcher sees it: every leaf value (string, number, boolean, null) under its
 * path, keys joined by `.` (so a pattern's `"a.b"` key and a nested `a` -> `b` name the same
 * field). Arrays add no path segment: each element is a value of the same field. Each leaf
 * remembers which element of which array it came from, so fields matched together can be
 * required to come from the same array element (see match.ts).
 */
import type { Scalar } from './validate.js';

/** Which element of which array a value sits in, innermost first; shared with its parents. */
export interface ArrayStep {
  array: number;
  index: number;
  outer: ArrayStep | null;
}

export interface Leaf {
  value: Scalar;
  /** The array elements the value sits in; null outside arrays. */
  trail: ArrayStep | null;
}

export type FlatEvent = Map<string, Leaf[]>;

/** All that matching reads of an event: the leaves at a path. A FlatEvent is one. */
export interface EventLeaves {
  get(path: string): Leaf[] | undefined;
}

/**
 * The engine's own copy of a path string (the one property keys use): looking a compiled
 * pattern's field up by a path from a `PathFilter`, interned too, compares pointers rather than
 * characters.
 */
export function internPath(path: string): string {
  return Object.keys({ [path]: 0 })[0];
}

export interface PathNode<T> {
  readonly path: string;
  /** By key without a `.`: the node of `path.key` (of `key` at the root). */
  readonly children: Map<string, PathNode<T>>;
  /** The leaves of the last `scan`, when `round` is the filter's. */
  leaves: Leaf[];
  round: number;
  /** Whatever the owner of the filter keeps per path (PatternIndex: the path's anchors). */
  payload: T | null;
}

/**
 * The paths some caller will read, as a tree walked alongside the event: members outside it are
 * skipped, subtree and all, and the paths kept are the tree's own strings, so no path is built or
 * hashed per event. `flattenEvent(event, filter)` gives those paths as a FlatEvent; `scan` leaves
 * them on the tree's nodes instead, which spares building a map for every event.
 */
export class PathFilter<T = unknown> implements EventLeaves {
  readonly root: PathNode<T>;
  /** Every node by its path, for event keys that hold a `.` themselves, and for `get`. */
  readonly byPath = new Map<string, PathNode<T>>();
  /** The nodes the last `scan` left leaves on, in the order first reached: the first `touchedCount`. */
  readonly touched: PathNode<T>[] = [];
  touchedCount = 0;
  private round = 0;
  private readonly walk: Walk;

  constructor(paths: Iterable<string>) {
    this.walk = new Walk(this, null);
    this.root = this.node('');
    // A member named "" at the root has the root's own path ''.
    this.root.children.set('', this.root);
    for (const p of paths) {
      let parent = this.root;
      for (let start = 0; ; ) {
        const dot = p.indexOf('.', start);
        const child = this.node(dot < 0 ? p : p.slice(0, dot));
        parent.children.set(dot < 0 ? p.slice(start) : p.slice(start, dot), child);
        if (dot < 0) break;
        parent = child;
        start = dot + 1;
      }
    }
  }

  /**
   * Walks `event`, leaving on each node the leaves at its path; `get` and `touched` then answer
   * for this event until the next scan, which reuses the leaf lists and leaves.
   */
  scan(event: unknown): void {
    this.touchedCount = 0;
    this.walk.begin(++this.round);
    this.walk.visitKept(event, this.root, null, 0);
  }

  get(path: string): Leaf[] | undefined {
    const node = this.byPath.get(path);
    return node !== undefined && node.round === this.round ? node.leaves : undefined;
  }

  private node(path: string): PathNode<T> {
    let n = this.byPath.get(path);
    if (n === undefined) this.byPath.set(path, (n = { path: internPath(path), children: new Map(), leaves: [], round: 0, payload: null }));
    return n;
  }
}

/** Deeper than this, the walk goes on with an explicit stack rather than recursion. */
const MAX_RECURSION = 200;

/**
 * Every leaf of `event` under its path; with `filter`, only the leaves at paths the filter names
 * (and their array elements): the same leaves `flattenEvent(event).get(path)` holds for those paths.
 */
export function flattenEvent(event: unknown, filter?: PathFilter): FlatEvent {
  const out: FlatEvent = new Map();
  new Walk(filter, out).visit(event, '', filter?.root ?? null, null, 0);
  return out;
}

type AnyNode = PathNode<unknown>;

/** One walk over one event, into a FlatEvent (`out`) or onto the filter's nodes. */
class Walk {
  private nextArrayId = 0;
  /** Scans only: the filter's round, stamped on the nodes reached. */
  private round = 0;

  constructor(
    private readonly filter: PathFilter<unknown> | undefined,
    private readonly out: FlatEvent | null,
  ) {}

  begin(round: number): void {
    this.round = round;
    this.nextArrayId = 0;
  }

  /** Recursion for the usual event (values come out in document order, arrays numbered in that order). */
  visit(value: unknown, path: string, node: AnyNode | null, trail: ArrayStep | null, depth: number): void {
    if (depth > MAX_RECURSION) {
      this.visitDeep(value, path, node, trail);
      return;
    }
    if (Array.isArray(value)) {
      const id = this.nextArrayId++;
      for (let i = 0; i < value.length; i++) this.visit(value[i], path, node, { array: id, index: i, outer: trail }, depth + 1);
    } else if (typeof value === 'object' && value !== null) {
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj);
      for (let k = 0; k < keys.length; k++) {
        const key = keys[k];
        if (node === null) this.visit(obj[key], path === '' ? key : `${path}.${key}`, null, trail, depth + 1);
        else {
          const child = this.child(node, key);
          if (child !== undefined) this.visit(obj[key], child.path, child, trail, depth + 1);
        }
      }
    } else if (path !== '') this.leaf(path, node, value as Scalar, trail);
  }

  /** `visit` for a filter's nodes, the path being the node's: the hot loop of `PathFilter.scan`. */
  visitKept(value: unknown, node: AnyNode, trail: ArrayStep | null, depth: number): void {
    if (typeof value !== 'object' || value === null) {
      if (node.path !== '') this.leaf(node.path, node, value as Scalar, trail);
    } else if (depth > MAX_RECURSION) this.visitDeep(value, node.path, node, trail);
    else if (Array.isArray(value)) {
      const id = this.nextArrayId++;
      for (let i = 0; i < value.length; i++) this.visitKept(value[i], node, { array: id, index: i, outer: trail }, depth + 1);
    } else {
      const obj = value as Record<string, unknown>;
      // Own enumerable keys, in Object.keys order, without allocating their list.
      for (const key in obj) {
        if (!Object.hasOwn(obj, key)) continue;
        const child = this.child(node, key);
        if (child !== undefined) this.visitKept(obj[key], child, trail, depth + 1);
      }
    }
  }

  /**
   * The same walk with an explicit stack: an event nested a million levels deep (which JSON.parse
   * accepts) must not overflow the call stack.
   */
  private visitDeep(value: unknown, path: string, node: AnyNode | null, trail: ArrayStep | null): void {
    const stack: Array<[unknown, string, AnyNode | null, ArrayStep | null]> = [[value, path, node, trail]];
    while (stack.length > 0) {
      const [value, path, node, trail] = stack.pop()!;
      if (Array.isArray(value)) {
        const id = this.nextArrayId++;
        for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], path, node, { array: id, index: i, outer: trail }]);
      } else if (typeof value === 'object' && value !== null) {
        const obj = value as Record<string, unknown>;
        const keys = Object.keys(obj);
        for (let k = keys.length - 1; k >= 0; k--) {
          const key = keys[k];
          if (node === null) stack.push([obj[key], path === '' ? key : `${path}.${key}`, null, trail]);
          else {
            const child = this.child(node, key);
            if (child !== undefined) stack.push([obj[key], child.path, child, trail]);
          }
        }
      } else if (path !== '') this.leaf(path, node, value as Scalar, trail);
    }
  }

  private child(node: AnyNode, key: string): AnyNode | undefined {
    const child = node.children.get(key);
    if (child !== undefined || !key.includes('.')) return child;
    return this.filter!.byPath.get(node.path === '' ? key : `${node.path}.${key}`);
  }

  private leaf(path: string, node: AnyNode | null, value: Scalar, trail: ArrayStep | null): void {
    const out = this.out;
    if (out === null) {
      const n = node!;
      if (n.round === this.round) n.leaves.push({ value, trail });
      else {
        n.round = this.round;
        // Most paths hold one value: the last event's list and leaf are reused, not reallocated.
        if (n.leaves.length === 1) {
          n.leaves[0].value = value;
          n.leaves[0].trail = trail;
        } else n.leaves = [{ value, trail }];
        const filter = this.filter!;
        filter.touched[filter.touchedCount++] = n;
      }
      return;
    }
    const leaf = { value, trail };
    const leaves = out.get(path);
    if (leaves !== undefined) leaves.push(leaf);
    else out.set(path, [leaf]);
  }
}
