// The "null" SQS server: a bare node:http handler that does the least work a
// correct SendMessage answer needs (read body, JSON.parse, md5 of MessageBody,
// crypto.randomUUID(), JSON answer). It is the ceiling that Switchyard and the
// peers are compared to in the same run. It stores nothing.
//
// It also answers the other calls the harness makes, just as cheaply, so every
// scenario has a same-run baseline: SendMessage over the query protocol,
// SendMessageBatch, ReceiveMessage (always 10 synthetic messages) and
// DeleteMessageBatch, plus CreateQueue/DeleteQueue/GetQueueAttributes.
//
//   node bench/sqs/null-server.mjs --port 9999 [--host 127.0.0.1]
import http from 'node:http';
import { createHash, randomUUID } from 'node:crypto';

const args = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const port = Number(arg('port', process.env.PORT ?? 9999));
const host = arg('host', '127.0.0.1');

const md5 = (s) => createHash('md5').update(s).digest('hex');
const JSON_HEADERS = { 'content-type': 'application/x-amz-json-1.0' };
const XML_HEADERS = { 'content-type': 'text/xml' };

function sendJson(res, obj) {
  const body = JSON.stringify(obj);
  res.writeHead(200, { ...JSON_HEADERS, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
function sendXml(res, body) {
  res.writeHead(200, { ...XML_HEADERS, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const FAKE_BODY = 'x'.repeat(200);
const FAKE_MD5 = md5(FAKE_BODY);

function handleJson(res, action, p) {
  switch (action) {
    case 'SendMessage':
      return sendJson(res, { MD5OfMessageBody: md5(p.MessageBody), MessageId: randomUUID() });
    case 'SendMessageBatch':
      return sendJson(res, {
        Successful: p.Entries.map((e) => ({ Id: e.Id, MessageId: randomUUID(), MD5OfMessageBody: md5(e.MessageBody) })),
        Failed: [],
      });
    case 'ReceiveMessage': {
      const n = Math.min(Number(p.MaxNumberOfMessages ?? 1), 10);
      const Messages = [];
      for (let i = 0; i < n; i++) {
        const id = randomUUID();
        Messages.push({ MessageId: id, ReceiptHandle: id, MD5OfBody: FAKE_MD5, Body: FAKE_BODY });
      }
      return sendJson(res, { Messages });
    }
    case 'DeleteMessageBatch':
      return sendJson(res, { Successful: p.Entries.map((e) => ({ Id: e.Id })), Failed: [] });
    case 'CreateQueue':
    case 'GetQueueUrl':
      return sendJson(res, { QueueUrl: `http://${host}:${port}/000000000000/${p.QueueName}` });
    case 'GetQueueAttributes':
      return sendJson(res, { Attributes: { ApproximateNumberOfMessages: '0' } });
    default:
      return sendJson(res, {});
  }
}

function handleQuery(res, p) {
  const action = p.get('Action');
  if (action === 'SendMessage') {
    return sendXml(
      res,
      `<SendMessageResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/"><SendMessageResult><MD5OfMessageBody>${md5(p.get('MessageBody'))}</MD5OfMessageBody><MessageId>${randomUUID()}</MessageId></SendMessageResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></SendMessageResponse>`,
    );
  }
  if (action === 'CreateQueue' || action === 'GetQueueUrl') {
    return sendXml(
      res,
      `<${action}Response><${action}Result><QueueUrl>http://${host}:${port}/000000000000/${p.get('QueueName')}</QueueUrl></${action}Result></${action}Response>`,
    );
  }
  return sendXml(res, `<${action}Response></${action}Response>`);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks).toString('utf8');
    try {
      const target = req.headers['x-amz-target'];
      if (target) return handleJson(res, target.slice(target.indexOf('.') + 1), JSON.parse(raw));
      return handleQuery(res, new URLSearchParams(raw));
    } catch (e) {
      res.writeHead(400, JSON_HEADERS);
      res.end(JSON.stringify({ __type: 'InvalidParameterValue', message: String(e) }));
    }
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, host, () => {
  process.stdout.write(`null SQS server listening on http://${host}:${port}\n`);
});
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)) && setTimeout(() => process.exit(0), 500).unref());
