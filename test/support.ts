/** Helpers shared by the unit tests. */
import { expect } from 'vitest';
import { AwsError } from '../src/gateway/errors.js';

/** A seeded pseudo-random generator (mulberry32): random walks that replay exactly. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The AwsError `fn` throws; fails the test when it throws nothing or something else. */
export function errorOf(fn: () => unknown): AwsError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AwsError);
    return err as AwsError;
  }
  throw new Error('expected an AwsError, got none');
}
