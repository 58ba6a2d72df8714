// The "null" EventBridge server: a bare node:http handler that does the least work a valid
// PutEvents answer needs (read the body, JSON.parse, one crypto.randomUUID() per entry, a JSON
// answer in awsJson1_1). It matches nothing and delivers nothing: it is the HTTP ceiling that
// the PutEvents benchmark (bench/events/run.mjs) compares Switchyard to, in the same run.
//
//   node bench/events/null-server.mjs --port 9998 [--host 127.0.0.1]
import http from 'node:http';
import { randomUUID } from 'node:crypto';

const args = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const port = Number(arg('port', process.env.PORT ?? 9998));
const host = arg('host', '127.0.0.1');
const CONTENT_TYPE = 'application/x-amz-json-1.1';

function send(res, status, obj) {
  const body = JSON.stringify(obj);
  res.writeHead(status, ['content-type', CONTENT_TYPE, 'content-length', String(Buffer.byteLength(body)), 'x-amzn-requestid', randomUUID()]);
  res.end(body);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    try {
      const target = String(req.headers['x-amz-target'] ?? '');
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (target !== 'AWSEvents.PutEvents') return send(res, 200, {});
      const Entries = input.Entries.map(() => ({ EventId: randomUUID() }));
      send(res, 200, { FailedEntryCount: 0, Entries });
    } catch (e) {
      send(res, 400, { __type: 'ValidationException', message: String(e) });
    }
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, host, () => {
  process.stdout.write(`null EventBridge server listening on http://${host}:${port}\n`);
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)) && setTimeout(() => process.exit(0), 500).unref());
