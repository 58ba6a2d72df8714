// Starting the servers of the PutEvents benchmark (bench/lib/servers.mjs spawns and stops them).
// Switchyard needs SWITCHYARD_RULES_PER_BUS above AWS's default quota of 300.
import path from 'node:path';
import { BENCH } from '../../sqs/lib/targets.mjs';
import { SWITCHYARD_BIN, killAll, spawnServer, switchyardAvailable } from '../../lib/servers.mjs';

export { SWITCHYARD_BIN, killAll, switchyardAvailable };

/** The do-nothing PutEvents server (bench/events/null-server.mjs). */
export function startNull({ pinCpu }) {
  return spawnServer({ prefix: 'events', name: 'null', args: [path.join(BENCH, 'events', 'null-server.mjs')], pinCpu });
}

/** `node dist/bin/switchyard.js --port P` with room for `rulesPerBus` rules on a bus. */
export function startSwitchyard({ pinCpu, rulesPerBus, name = 'switchyard', nodeArgs = [] }) {
  return spawnServer({
    prefix: 'events',
    name,
    args: [...nodeArgs, SWITCHYARD_BIN],
    env: { SWITCHYARD_RULES_PER_BUS: String(rulesPerBus) },
    pinCpu,
  });
}
