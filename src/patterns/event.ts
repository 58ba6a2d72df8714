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

export function flattenEvent(event: unknown): FlatEvent {
  const out: FlatEvent = new Map();
  let nextArrayId = 0;
  // An explicit stack rather than recursion: an event nested a million levels deep (which
  // JSON.parse accepts) must not overflow the call stack.
  const stack: Array<[unknown, string, ArrayStep | null]> = [[event, '', null]];
  while (stack.length > 0) {
    const [value, path, trail] = stack.pop()!;
    if (Array.isArray(value)) {
      const id = nextArrayId++;
      for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], path, { array: id, index: i, outer: trail }]);
    } else if (typeof value === 'object' && value !== null) {
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj);
      for (let k = keys.length - 1; k >= 0; k--) stack.push([obj[keys[k]], path === '' ? keys[k] : `${path}.${keys[k]}`, trail]);
    } else if (path !== '') {
      const leaves = out.get(path);
      const leaf = { value: value as Scalar, trail };
      if (leaves) leaves.push(leaf);
      else out.set(path, [leaf]);
    }
  }
  return out;
}
