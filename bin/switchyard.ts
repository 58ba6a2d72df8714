#!/usr/bin/env node
/**
 * The command line: parse flags, start, stop on SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { optionsFromEnv, DEFAULTS, type SwitchyardOptions } from '../src/config.js';
import { startSwitchyard } from '../src/index.js';
import { VERSION } from '../src/version.js';

const HELP = `switchyard ${VERSION}: local EventBridge, SQS and SNS

Usage: switchyard [--port 4566] [--host 127.0.0.1] [--region us-east-1] [--account 000000000000]

Options (each also from the environment: SWITCHYARD_PORT, SWITCHYARD_HOST, ...):
  --port N        TCP port (default ${DEFAULTS.port}; 0 picks a free one)
  --host ADDR     interface to bind (default ${DEFAULTS.host})
  --region NAME   region for unsigned requests (default ${DEFAULTS.region})
  --account ID    default 12-digit account (default ${DEFAULTS.account})
  --help          this text
  --version       the version
`;

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        region: { type: 'string' },
        account: { type: 'string' },
        help: { type: 'boolean' },
        version: { type: 'boolean' },
      },
    }));
  } catch (err) {
    process.stderr.write(`switchyard: ${(err as Error).message}\n${HELP}`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  if (values.version) {
    process.stdout.write(`${VERSION}\n`);
    return;
  }
  const options: SwitchyardOptions = optionsFromEnv(process.env);
  if (values.port !== undefined) options.port = Number(values.port);
  if (values.host !== undefined) options.host = values.host;
  if (values.region !== undefined) options.region = values.region;
  if (values.account !== undefined) options.account = values.account;
  if (options.port !== undefined && (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535)) {
    process.stderr.write(`switchyard: --port must be an integer from 0 to 65535\n`);
    process.exit(2);
  }
  let sy;
  try {
    sy = await startSwitchyard(options);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') {
      process.stderr.write(`switchyard: port ${options.port ?? DEFAULTS.port} is already in use\n`);
    } else {
      process.stderr.write(`switchyard: ${e.message}\n`);
    }
    process.exit(1);
  }
  process.stdout.write(`switchyard ${VERSION} listening on ${sy.endpoint} (services: sqs, events, sns; health: ${sy.endpoint}/_switchyard/health)\n`);
  const shutdown = () => {
    sy.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

void main();
