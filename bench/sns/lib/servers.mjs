// The servers of the SNS benchmark. Switchyard (with optional node flags, for --cpu-prof) and the
// do-nothing Publish server are spawned by bench/lib/servers.mjs; goaws and fauxqs are started
// exactly as the SQS benchmark starts them (bench/sqs/lib/targets.mjs).
import path from 'node:path';
import { ALL_TARGETS, BENCH, killAll as killSqsTargets } from '../../sqs/lib/targets.mjs';
import { SWITCHYARD_BIN, killAll as killOwn, spawnServer, switchyardAvailable } from '../../lib/servers.mjs';

export { SWITCHYARD_BIN };

/** Kill every child started by this harness (process groups, by pid), peers included. */
export function killAll(signal = 'SIGKILL') {
  killOwn(signal);
  killSqsTargets(signal);
}

const sqsTarget = (name) => ALL_TARGETS.find((t) => t.name === name);

/**
 * The targets: how to check, start and talk to each. `sqsProtocol` is the SQS protocol used for
 * setup and polling (goaws speaks only query, fauxqs only JSON for SQS); `legacySdk` selects the
 * query-protocol SQS SDK (devDependency sqs-legacy = @aws-sdk/client-sqs@3.445) for setup.
 */
export const TARGETS = {
  null: {
    name: 'null',
    description: 'bench/sns/null-server.mjs: node:http, parses the form, one randomUUID, answers Publish; no topics, delivers nothing',
    isNull: true,
    available: () => ({ ok: true }),
    start: ({ pinCpu }) => spawnServer({ prefix: 'sns', name: 'null', args: [path.join(BENCH, 'sns', 'null-server.mjs')], pinCpu }),
  },
  switchyard: {
    name: 'switchyard',
    description: 'this repository: node dist/bin/switchyard.js --port P',
    sqsProtocol: 'json',
    available: switchyardAvailable,
    start: ({ pinCpu, nodeArgs = [] }) => spawnServer({ prefix: 'sns', name: 'switchyard', args: [...nodeArgs, SWITCHYARD_BIN], pinCpu }),
  },
  goaws: {
    name: 'goaws',
    description: `${sqsTarget('goaws').description}; SNS query protocol, started as in bench/sqs`,
    sqsProtocol: 'query',
    legacySdk: true,
    available: () => sqsTarget('goaws').available(),
    start: ({ pinCpu }) => sqsTarget('goaws').start({ pinCpu }),
  },
  fauxqs: {
    name: 'fauxqs',
    description: `${sqsTarget('fauxqs').description}; SNS query protocol, started as in bench/sqs`,
    sqsProtocol: 'json',
    available: () => sqsTarget('fauxqs').available(),
    start: ({ pinCpu }) => sqsTarget('fauxqs').start({ pinCpu }),
  },
};
