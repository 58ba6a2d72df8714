// The "null" SNS server: a bare node:http handler that does the least work a valid Publish answer
// needs (read the body, parse the form, one crypto.randomUUID(), an XML answer in the query
// protocol). No topics, no subscriptions, no deliveries: it is the HTTP ceiling that the SNS
// benchmark (bench/sns/run.mjs) compares Publish to, in the same run.
//
//   node bench/sns/null-server.mjs --port 9997 [--host 127.0.0.1]
import http from 'node:http';
import { randomUUID } from 'node:crypto';

const args = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const port = Number(arg('port', process.env.PORT ?? 9997));
const host = arg('host', '127.0.0.1');
const NS = 'http://sns.amazonaws.com/doc/2010-03-31/';

function send(res, status, body) {
  res.writeHead(status, ['content-type', 'text/xml', 'content-length', String(Buffer.byteLength(body)), 'x-amzn-requestid', randomUUID()]);
  res.end(body);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const action = form.get('Action');
    if (action === 'Publish' && form.get('TopicArn') && form.get('Message') != null) {
      send(
        res,
        200,
        `<?xml version="1.0"?><PublishResponse xmlns="${NS}"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult>` +
          `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
      );
      return;
    }
    send(res, 400, `<?xml version="1.0"?><ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>null server: only Publish</Message></Error></ErrorResponse>`);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, host, () => {
  process.stdout.write(`null SNS server listening on http://${host}:${port}\n`);
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)) && setTimeout(() => process.exit(0), 500).unref());
