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

/**
 * The paths a caller will read, as a tree walked alongside the event (see `pathFilter`): members
 * outside it are skipped, subtree and all, and the paths kept are the tree's own strings, so no
 * path is built or hashed per event.
 */
export interface PathFilter {
  readonly root: PathNode;
  /** Every node by its path, for event keys that hold a `.` themselves. */
  readonly byPath: ReadonlyMap<string, PathNode>;
}

interface PathNode {
  readonly path: string;
  /** By key without a `.`: the node of `path.key` (of `key` at the root). */
  readonly children: Map<string, PathNode>;
}

/**
 * The engine's own copy of a path string (the one property keys use): looking a pattern's field up
 * in an event flattened through a `PathFilter`, whose paths are interned too, then compares
 * pointers rather than characters.
 */
export function internPath(path: string): string {
  return Object.keys({ [path]: 0 })[0];
}

/** A filter keeping `paths` (field paths, as in a pattern) and nothing else. */
export function pathFilter(paths: Iterable<string>): PathFilter {
  const byPath = new Map<string, PathNode>();
  const node = (path: string): PathNode => {
    let n = byPath.get(path);
    if (n === undefined) byPath.set(path, (n = { path: internPath(path), children: new Map() }));
    return n;
  };
  const root = node('');
  // A member named "" at the root has the root's own path ''.
  root.children.set('', root);
  for (const p of paths) {
    let parent = root;
    for (let start = 0; ; ) {
      const dot = p.indexOf('.', start);
      const child = node(dot < 0 ? p : p.slice(0, dot));
      parent.children.set(dot < 0 ? p.slice(start) : p.slice(start, dot), child);
      if (dot < 0) break;
      parent = child;
      start = dot + 1;
    }
  }
  return { root, byPath };
}

/** Deeper than this, the walk goes on with an explicit stack rather than recursion. */
const MAX_RECURSION = 200;

/**
 * Every leaf of `event` under its path; with `filter`, only the leaves at paths the filter names
 * (and their array elements), the same leaves `flattenEvent(event).get(path)` holds for those paths.
 */
export function flattenEvent(event: unknown, filter?: PathFilter): FlatEvent {
  const walk = new Walk(filter);
  walk.visit(event, '', filter?.root ?? null, null, 0);
  return walk.out;
}

class Walk {
  readonly out: FlatEvent = new Map();
  private nextArrayId = 0;

  constructor(private readonly filter: PathFilter | undefined) {}

  /** Recursion for the usual event (values come out in document order, arrays numbered in that order). */
  visit(value: unknown, path: string, node: PathNode | null, trail: ArrayStep | null, depth: number): void {
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
    } else if (path !== '') this.leaf(path, value as Scalar, trail);
  }

  /**
   * The same walk with an explicit stack: an event nested a million levels deep (which JSON.parse
   * accepts) must not overflow the call stack.
   */
  private visitDeep(value: unknown, path: string, node: PathNode | null, trail: ArrayStep | null): void {
    const stack: Array<[unknown, string, PathNode | null, ArrayStep | null]> = [[value, path, node, trail]];
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
      } else if (path !== '') this.leaf(path, value as Scalar, trail);
    }
  }

  private child(node: PathNode, key: string): PathNode | undefined {
    const child = node.children.get(key);
    if (child !== undefined || !key.includes('.')) return child;
    return this.filter!.byPath.get(node.path === '' ? key : `${node.path}.${key}`);
  }

  private leaf(path: string, value: Scalar, trail: ArrayStep | null): void {
    const leaves = this.out.get(path);
    const leaf = { value, trail };
    if (leaves !== undefined) leaves.push(leaf);
    else this.out.set(path, [leaf]);
  }
}
