/**
 * `npm run soak`: the soak at full size (docs/reliability.md): 60 s of load from 50 clients, then
 * 20 kill -9s during the load, each followed by a restart and a check. Prints a summary.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/soak.test.ts'],
    env: { SOAK_SECONDS: '60', SOAK_KILLS: '20' },
    testTimeout: 900_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['verbose'],
  },
});
