#!/usr/bin/env node
/**
 * The `switchyard` command (`npx switchyard`, the container's ENTRYPOINT). The logic is in
 * src/cli/: flags and environment (options.ts), the log (log.ts), start and stop (main.ts).
 */
import { main } from '../src/cli/main.js';

void main(process.argv.slice(2), process.env);
