// Fallback launcher for Switchyard when dist/bin/switchyard.js is missing but
// dist/src/index.js exists: runs startSwitchyard({ port, host }) in this
// (child) process so the server still gets a process, and a core, of its own.
//
//   node bench/sqs/switchyard-child.mjs --port 4566 [--host 127.0.0.1] [--module dist/src/index.js]
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const port = Number(arg('port', 4566));
const host = arg('host', '127.0.0.1');
const modPath = arg('module', path.join(here, '..', '..', 'dist', 'src', 'index.js'));
const mod = await import(pathToFileURL(path.resolve(modPath)).href);
if (typeof mod.startSwitchyard !== 'function') {
  console.error('dist/src/index.js does not export startSwitchyard()');
  process.exit(2);
}
const server = await mod.startSwitchyard({ port, host });
console.log(`switchyard listening on ${server.endpoint ?? `http://${host}:${port}`}`);
const stop = () => {
  Promise.resolve(server.stop?.()).finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
