// Minimal SQS wire client for the harness: builds JSON-protocol and
// query-protocol requests, sends them over keep-alive node:http agents and
// normalises the answers. No SDK, so the client side stays cheap.
import http from 'node:http';
import net from 'node:net';
import { createHash } from 'node:crypto';

// moto routes requests to a service by the credential scope in the
// Authorization header, and real SDKs always send one, so every request the
// harness makes carries a (fake) SigV4 header. Nobody here verifies it.
export const AUTH_HEADERS = {
  authorization:
    'AWS4-HMAC-SHA256 Credential=AKIDBENCH/20250101/us-east-1/sqs/aws4_request, ' +
    'SignedHeaders=content-type;host;x-amz-date, Signature=' + '0'.repeat(64),
  'x-amz-date': '20250101T000000Z',
};

export const JSON_CT = 'application/x-amz-json-1.0';
export const FORM_CT = 'application/x-www-form-urlencoded; charset=utf-8';

export function md5(s) {
  return createHash('md5').update(s, 'utf8').digest('hex');
}

/** A message body of exactly `bytes` ASCII bytes, distinct per `seed`. */
export function messageBody(bytes, seed = 0) {
  const head = `msg-${seed}-`;
  return (head + 'x'.repeat(Math.max(0, bytes - head.length))).slice(0, bytes);
}

// ---------------------------------------------------------------- encoding

/** Flatten SQS params into query-protocol form fields. */
function queryFields(action, params) {
  const f = new URLSearchParams();
  f.set('Action', action);
  f.set('Version', '2012-11-05');
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    if (k === 'Entries') {
      const prefix = action === 'SendMessageBatch' ? 'SendMessageBatchRequestEntry' : action === 'DeleteMessageBatch' ? 'DeleteMessageBatchRequestEntry' : 'ChangeMessageVisibilityBatchRequestEntry';
      v.forEach((e, i) => {
        for (const [ek, ev] of Object.entries(e)) f.set(`${prefix}.${i + 1}.${ek}`, String(ev));
      });
    } else if (k === 'Attributes') {
      Object.entries(v).forEach(([name, value], i) => {
        f.set(`Attribute.${i + 1}.Name`, name);
        f.set(`Attribute.${i + 1}.Value`, String(value));
      });
    } else if (k === 'AttributeNames' || k === 'MessageSystemAttributeNames') {
      v.forEach((name, i) => f.set(`AttributeName.${i + 1}`, name));
    } else {
      f.set(k, String(v));
    }
  }
  return f.toString();
}

/** The raw HTTP request (path, headers, body) for one SQS call. */
export function encode(protocol, action, params) {
  if (protocol === 'json') {
    return {
      method: 'POST',
      path: '/',
      headers: { ...AUTH_HEADERS, 'content-type': JSON_CT, 'x-amz-target': `AmazonSQS.${action}` },
      body: JSON.stringify(params),
    };
  }
  if (protocol === 'query') {
    return {
      method: 'POST',
      path: '/',
      headers: { ...AUTH_HEADERS, 'content-type': FORM_CT },
      body: queryFields(action, params),
    };
  }
  throw new Error(`unknown protocol ${protocol}`);
}

// ---------------------------------------------------------------- decoding

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
function xmlText(s) {
  return s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1)));
    return ENTITIES[e] ?? m;
  });
}
function tag(xml, name) {
  const m = xml.match(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`));
  return m ? xmlText(m[1].trim()) : undefined;
}
function blocks(xml, name) {
  return [...xml.matchAll(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`, 'g'))].map((m) => m[1]);
}

/** Normalise a query-protocol XML answer into the JSON protocol's shape. */
export function decodeXml(action, xml) {
  switch (action) {
    case 'CreateQueue':
    case 'GetQueueUrl':
      return { QueueUrl: tag(xml, 'QueueUrl') };
    case 'SendMessage':
      return { MessageId: tag(xml, 'MessageId'), MD5OfMessageBody: tag(xml, 'MD5OfMessageBody') };
    case 'SendMessageBatch':
      return {
        Successful: blocks(xml, 'SendMessageBatchResultEntry').map((b) => ({ Id: tag(b, 'Id'), MessageId: tag(b, 'MessageId'), MD5OfMessageBody: tag(b, 'MD5OfMessageBody') })),
        Failed: blocks(xml, 'BatchResultErrorEntry').map((b) => ({ Id: tag(b, 'Id'), Code: tag(b, 'Code') })),
      };
    case 'DeleteMessageBatch':
      return {
        Successful: blocks(xml, 'DeleteMessageBatchResultEntry').map((b) => ({ Id: tag(b, 'Id') })),
        Failed: blocks(xml, 'BatchResultErrorEntry').map((b) => ({ Id: tag(b, 'Id'), Code: tag(b, 'Code') })),
      };
    case 'ReceiveMessage':
      return {
        Messages: blocks(xml, 'Message').map((b) => ({
          MessageId: tag(b, 'MessageId'),
          ReceiptHandle: tag(b, 'ReceiptHandle'),
          MD5OfBody: tag(b, 'MD5OfBody'),
          Body: tag(b, 'Body'),
        })),
      };
    case 'GetQueueAttributes': {
      const Attributes = {};
      for (const b of blocks(xml, 'Attribute')) Attributes[tag(b, 'Name')] = tag(b, 'Value');
      return { Attributes };
    }
    default:
      return {};
  }
}

// ---------------------------------------------------------------- client

export class SqsWire {
  /**
   * @param {string} endpoint e.g. http://127.0.0.1:4566
   * @param {{maxSockets?: number, timeoutMs?: number}} opts
   */
  constructor(endpoint, { maxSockets = 32, timeoutMs = 30_000 } = {}) {
    const u = new URL(endpoint);
    this.host = u.hostname;
    this.port = Number(u.port);
    this.timeoutMs = timeoutMs;
    this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  close() {
    this.agent.destroy();
  }

  /** Raw request; resolves {status, body}. */
  raw({ method, path, headers, body }, timeoutMs = this.timeoutMs) {
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: this.host, port: this.port, method, path, agent: this.agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`request timed out after ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  /** One SQS call; throws on HTTP >= 300 with the start of the body. */
  async call(protocol, action, params, timeoutMs) {
    const res = await this.raw(encode(protocol, action, params), timeoutMs);
    if (res.status >= 300) {
      const err = new Error(`${action} (${protocol}) -> HTTP ${res.status}: ${res.body.slice(0, 300).replace(/\s+/g, ' ')}`);
      err.status = res.status;
      throw err;
    }
    if (protocol === 'json') {
      try {
        return res.body ? JSON.parse(res.body) : {};
      } catch {
        throw new Error(`${action} (json) -> unparsable body: ${res.body.slice(0, 200)}`);
      }
    }
    return decodeXml(action, res.body);
  }
}

/**
 * Run `fn(i)` for i in [0, n) with at most `concurrency` in flight. Stops
 * handing out work after `deadline` (ms since epoch) or after 20 errors.
 * Resolves to { done, errors, timedOut }.
 */
export async function pool(n, concurrency, fn, deadline = Infinity) {
  let next = 0;
  let done = 0;
  let timedOut = false;
  const errors = [];
  async function worker() {
    while (next < n && errors.length < 20) {
      if (Date.now() > deadline) {
        timedOut = true;
        return;
      }
      const i = next++;
      try {
        await fn(i);
        done++;
      } catch (e) {
        errors.push(e);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return { done, errors, timedOut };
}

// ------------------------------------------------------ lean raw client

/**
 * One keep-alive HTTP/1.1 connection over a bare net.Socket, one request at a
 * time. Far cheaper per request than http.request, which matters on a 2-core
 * machine where the load generator has a single core. Handles content-length,
 * chunked and read-until-close answers, and reconnects after "Connection: close".
 */
export class RawConn {
  constructor(host, port) {
    this.host = host;
    this.port = port;
    this.sock = null;
    this.pending = null;
    this.buf = null;
  }

  _connect() {
    const s = net.connect({ host: this.host, port: this.port });
    s.setNoDelay(true);
    s.on('data', (d) => {
      if (this.sock === s) this._onData(d);
    });
    s.on('error', (e) => {
      if (this.sock === s) this._fail(e);
    });
    s.on('close', () => {
      if (this.sock !== s) return;
      this.sock = null;
      if (this.pending) {
        if (this.pending.untilClose && this.buf) this._finish(this.buf.length);
        else this._fail(new Error('connection closed before the answer was complete'));
      }
    });
    this.sock = s;
  }

  _fail(e) {
    const p = this.pending;
    this.pending = null;
    this.buf = null;
    if (this.sock) {
      this.sock.destroy();
      this.sock = null;
    }
    if (p) {
      clearTimeout(p.timer);
      p.reject(e);
    }
  }

  _finish(end) {
    const p = this.pending;
    const body = p.chunked ? p.chunks : this.buf.subarray(p.bodyStart, end);
    this.pending = null;
    const rest = this.buf.subarray(end);
    this.buf = null;
    clearTimeout(p.timer);
    if (p.close || rest.length) {
      this.sock?.destroy();
      this.sock = null;
    }
    p.resolve({ status: p.status, body: (Array.isArray(body) ? Buffer.concat(body) : body).toString('utf8') });
  }

  _onData(d) {
    const p = this.pending;
    if (!p) return; // unsolicited bytes: ignore
    this.buf = this.buf && this.buf.length ? Buffer.concat([this.buf, d]) : d;
    if (p.bodyStart == null) {
      const h = this.buf.indexOf('\r\n\r\n');
      if (h < 0) return;
      const head = this.buf.subarray(0, h).toString('latin1');
      p.status = Number(head.slice(9, 12));
      const lower = head.toLowerCase();
      const cl = lower.match(/\r\ncontent-length:\s*(\d+)/);
      p.chunked = /\r\ntransfer-encoding:\s*chunked/.test(lower);
      p.close = /\r\nconnection:\s*close/.test(lower) || (head.startsWith('HTTP/1.0') && !/\r\nconnection:\s*keep-alive/.test(lower));
      p.bodyStart = h + 4;
      if (cl) p.contentLength = Number(cl[1]);
      else if (p.chunked) {
        p.chunks = [];
        p.cursor = p.bodyStart;
      } else p.untilClose = true;
    }
    if (p.contentLength != null) {
      if (this.buf.length - p.bodyStart >= p.contentLength) this._finish(p.bodyStart + p.contentLength);
    } else if (p.chunked) {
      for (;;) {
        const eol = this.buf.indexOf('\r\n', p.cursor);
        if (eol < 0) return;
        const size = parseInt(this.buf.subarray(p.cursor, eol).toString('latin1'), 16);
        if (size === 0) {
          const end = this.buf.indexOf('\r\n\r\n', eol);
          if (end < 0) return;
          return this._finish(end + 4);
        }
        if (this.buf.length < eol + 2 + size + 2) return;
        p.chunks.push(this.buf.subarray(eol + 2, eol + 2 + size));
        p.cursor = eol + 2 + size + 2;
      }
    }
  }

  /** Send a prebuilt request (Buffer); resolves {status, body}. */
  request(bytes, timeoutMs) {
    if (this.pending) return Promise.reject(new Error('RawConn is busy'));
    if (!this.sock) this._connect();
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject, timer: setTimeout(() => this._fail(new Error(`request timed out after ${timeoutMs} ms`)), timeoutMs) };
      this.buf = null;
      this.sock.write(bytes);
    });
  }

  close() {
    this.sock?.destroy();
    this.sock = null;
  }
}

/** Same call() as SqsWire, over a pool of RawConns (at most maxSockets). */
export class FastWire {
  constructor(endpoint, { maxSockets = 32, timeoutMs = 30_000 } = {}) {
    const u = new URL(endpoint);
    this.host = u.hostname;
    this.port = Number(u.port);
    this.hostHeader = u.host;
    this.timeoutMs = timeoutMs;
    this.max = maxSockets;
    this.idle = [];
    this.all = [];
    this.waiters = [];
  }

  _acquire() {
    if (this.idle.length) return Promise.resolve(this.idle.pop());
    if (this.all.length < this.max) {
      const c = new RawConn(this.host, this.port);
      this.all.push(c);
      return Promise.resolve(c);
    }
    return new Promise((r) => this.waiters.push(r));
  }

  _release(c) {
    const w = this.waiters.shift();
    if (w) w(c);
    else this.idle.push(c);
  }

  bytes({ method, path, headers, body }) {
    let head = `${method} ${path} HTTP/1.1\r\nhost: ${this.hostHeader}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`;
    for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
    return Buffer.from(`${head}\r\n${body}`);
  }

  async call(protocol, action, params, timeoutMs = this.timeoutMs) {
    const c = await this._acquire();
    let res;
    try {
      res = await c.request(this.bytes(encode(protocol, action, params)), timeoutMs);
    } finally {
      this._release(c);
    }
    if (res.status >= 300) {
      const err = new Error(`${action} (${protocol}) -> HTTP ${res.status}: ${res.body.slice(0, 300).replace(/\s+/g, ' ')}`);
      err.status = res.status;
      throw err;
    }
    if (protocol === 'json') {
      try {
        return res.body ? JSON.parse(res.body) : {};
      } catch {
        throw new Error(`${action} (json) -> unparsable body: ${res.body.slice(0, 200)}`);
      }
    }
    return decodeXml(action, res.body);
  }

  close() {
    for (const c of this.all) c.close();
    this.all = [];
    this.idle = [];
  }
}
