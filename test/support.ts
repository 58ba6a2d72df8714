/** Helpers shared by the unit tests. */
import { expect } from 'vitest';
import { AwsError } from '../src/gateway/errors.js';

/** A seeded pseudo-random generator (mulberry32): random walks that replay exactly. */
export { seededRandom as rng } from '../src/faults/random.js';

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
