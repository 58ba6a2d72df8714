/**
 * Shared by the fuzz suites (test/fuzz/*.test.ts): how many cases to run, the record of how many
 * ran, the per-case time bound, the prototype-pollution check and heap measurement.
 *
 * Scale: `npm test` runs each target's base count (the whole fuzz suite stays within about 20 s on
 * two CPUs); `FUZZ_SCALE=20 npm run fuzz` (the script's default) runs twenty times as many.
 * `FUZZ_SEED=<n>` replays one run exactly (fast-check prints the seed and path of a failure).
 */
import fc from 'fast-check';
import v8 from 'node:v8';
import vm from 'node:vm';
import { expect } from 'vitest';

export const SCALE = Math.max(0.01, Number(process.env.FUZZ_SCALE ?? 1) || 1);
export const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : undefined;

/** A target's case count at the current scale. */
export function runs(base: number): number {
  return Math.max(1, Math.round(base * SCALE));
}

/** How many cases each target ran in this file (predicate calls, shrinking included). */
const tried = new Map<string, number>();

export function count(target: string, n = 1): void {
  tried.set(target, (tried.get(target) ?? 0) + n);
}

/** Prints the counts, one line per target: `[fuzz] json codec: 2000 cases`. Call in afterAll. */
export function printCounts(): void {
  for (const [target, n] of tried) console.log(`[fuzz] ${target}: ${n} cases${SEED !== undefined ? ` (seed ${SEED})` : ''}`);
}

/** fast-check parameters for a target: its count, the replay seed if any, and no console noise. */
export function params<T>(base: number): fc.Parameters<T> {
  return { numRuns: runs(base), ...(SEED !== undefined ? { seed: SEED } : {}), endOnFailure: false };
}

/**
 * Runs `fn` for one case and fails when it took longer than `ms`: a case that loops forever
 * cannot be interrupted from inside (everything here is synchronous), but anything slower than
 * the bound is reported with its input instead of being lost in the total.
 */
export function bounded<T>(ms: number, what: string, fn: () => T): T {
  const start = performance.now();
  const out = fn();
  const took = performance.now() - start;
  if (took > ms) throw new Error(`${what} took ${took.toFixed(0)} ms (bound ${ms} ms)`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Prototype pollution

const PROTOTYPES: Array<[string, object]> = [
  ['Object.prototype', Object.prototype],
  ['Array.prototype', Array.prototype],
  ['Function.prototype', Function.prototype],
  ['String.prototype', String.prototype],
  ['Number.prototype', Number.prototype],
  ['Boolean.prototype', Boolean.prototype],
  ['Map.prototype', Map.prototype],
  ['Set.prototype', Set.prototype],
  ['RegExp.prototype', RegExp.prototype],
  ['Date.prototype', Date.prototype],
  ['Error.prototype', Error.prototype],
  ['Promise.prototype', Promise.prototype],
];
const BEFORE = new Map(PROTOTYPES.map(([name, p]) => [name, new Set(Reflect.ownKeys(p))]));

/** The keys the hostile inputs try to plant, on every prototype. */
export const POLLUTION_KEYS = ['polluted', 'isAdmin', 'x'];

/** Fails when any built-in prototype gained an own key since the module loaded. */
export function assertNoPollution(): void {
  for (const [name, p] of PROTOTYPES) {
    const before = BEFORE.get(name)!;
    const added = Reflect.ownKeys(p).filter((k) => !before.has(k));
    if (added.length > 0) throw new Error(`${name} was polluted with ${added.map(String).join(', ')}`);
  }
  const probe = {} as Record<string, unknown>;
  for (const k of POLLUTION_KEYS) expect(probe[k]).toBeUndefined();
}

// ---------------------------------------------------------------------------------------------
// Memory

/**
 * A garbage collector to call: `global.gc` when node runs with --expose-gc, otherwise the same
 * function obtained at run time (the flag set through v8, then read from a fresh context, which
 * is created with it). Undefined if neither works; memory is then compared with a wider margin.
 */
export function collector(): (() => void) | undefined {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return g;
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

/** Heap in use after full collections (several, so that weak and finalised objects go too). */
export async function settledHeap(): Promise<{ bytes: number; collected: boolean }> {
  const gc = collector();
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setImmediate(r));
    gc?.();
  }
  return { bytes: process.memoryUsage().heapUsed, collected: gc !== undefined };
}

export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}
