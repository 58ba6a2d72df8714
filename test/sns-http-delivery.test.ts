/**
 * SNS delivery to HTTP/HTTPS endpoints against real local servers on 127.0.0.1: the request AWS
 * sends (headers, body) and what each answer comes to (delivered, retried, final).
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DeliveryOutcome } from '../src/delivery/outcome.js';
import { isLoopbackHost, postToHttpEndpoint, retryableStatus, SNS_HTTP_TIMEOUT_MS, type HttpDeliveryRequest } from '../src/sns/http-delivery.js';

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  /** Header names as sent, in order. */
  names: string[];
  body: string;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

const TOPIC = 'arn:aws:sns:us-east-1:000000000000:orders';
const SUB = `${TOPIC}:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55`;
const MESSAGE_ID = '165545c9-2a5c-472c-8df2-7ff2be2b3b1b';

/** A self-signed certificate for localhost / 127.0.0.1 / ::1, valid 2000-2100 (test fixture only). */
const TLS_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgxsAIg+/fRWK8emaL
rgkkonO8q0VPkMfQBdu6/xTNVfehRANCAATQig3EkGeP2tofKvHpx1rzTvkIQr1c
dIq0sfjb2G43YAbLhpuP+P71SQRnYmxs8NEaVDf/F/GX6WfIYqqokS3G
-----END PRIVATE KEY-----
`;
const TLS_CERT = `-----BEGIN CERTIFICATE-----
MIIBcjCCARmgAwIBAgIBATAKBggqhkjOPQQDAjAUMRIwEAYDVQQDDAlsb2NhbGhv
c3QwIBcNMDAwMTAxMDAwMDAwWhgPMjEwMDAxMDEwMDAwMDBaMBQxEjAQBgNVBAMM
CWxvY2FsaG9zdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABNCKDcSQZ4/a2h8q
8enHWvNO+QhCvVx0irSx+NvYbjdgBsuGm4/4/vVJBGdibGzw0RpUN/8X8ZfpZ8hi
qqiRLcajWjBYMCwGA1UdEQQlMCOCCWxvY2FsaG9zdIcEfwAAAYcQAAAAAAAAAAAA
AAAAAAAAATAJBgNVHRMEAjAAMB0GA1UdDgQWBBSH0DIDoh11288Yt8etnx5gjC+a
mzAKBggqhkjOPQQDAgNHADBEAiAnj1Qayu6vbmQKOvJfIvkem5yPucRlDq7u2Cu7
t2iA1AIgV/fEkOd7phlWKC0HLtTvnuZSyqCxZAFlqkfrSV79aTQ=
-----END CERTIFICATE-----
`;

let received: Received[] = [];
let connections = 0;
let handler: Handler = (_req, res) => res.end();

function listener(req: http.IncomingMessage, res: http.ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    const names = req.rawHeaders.filter((_, i) => i % 2 === 0);
    received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, names, body });
    handler(req, res, body);
  });
}

const server = http.createServer(listener);
const tlsServer = https.createServer({ key: TLS_KEY, cert: TLS_CERT }, listener);
server.on('connection', () => connections++);
let base = '';
let tlsBase = '';

async function listen(s: http.Server | https.Server): Promise<number> {
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return (s.address() as AddressInfo).port;
}

beforeAll(async () => {
  base = `http://127.0.0.1:${await listen(server)}`;
  tlsBase = `https://127.0.0.1:${await listen(tlsServer)}`;
});

beforeEach(() => {
  received = [];
  connections = 0;
  handler = (_req, res) => res.end();
});

afterEach(() => {
  // An endpoint that never answered leaves its connection open.
  server.closeAllConnections();
  tlsServer.closeAllConnections();
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await new Promise<void>((resolve) => tlsServer.close(() => resolve()));
});

function notification(over: Partial<HttpDeliveryRequest> = {}): HttpDeliveryRequest {
  return {
    endpoint: `${base}/sns/hook?x=1`,
    messageType: 'Notification',
    messageId: MESSAGE_ID,
    topicArn: TOPIC,
    subscriptionArn: SUB,
    body: JSON.stringify({ Type: 'Notification', MessageId: MESSAGE_ID, TopicArn: TOPIC, Message: 'héllo ✓' }),
    ...over,
  };
}

function answer(status: number, body = ''): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(body);
  };
}

function failure(o: DeliveryOutcome): Extract<DeliveryOutcome, { ok: false }> {
  if (o.ok) throw new Error(`expected a failure, got ${JSON.stringify(o)}`);
  return o;
}

describe('the request', () => {
  it("POSTs the body with AWS's headers, in AWS's order", async () => {
    const req = notification();
    const outcome = await postToHttpEndpoint(req);
    expect(outcome).toEqual({ ok: true, status: 200, detail: 'HTTP 200 OK' });
    expect(received).toHaveLength(1);
    const r = received[0];
    expect(r.method).toBe('POST');
    expect(r.url).toBe('/sns/hook?x=1');
    expect(r.body).toBe(req.body);
    expect(r.headers['x-amz-sns-message-type']).toBe('Notification');
    expect(r.headers['x-amz-sns-message-id']).toBe(MESSAGE_ID);
    expect(r.headers['x-amz-sns-topic-arn']).toBe(TOPIC);
    expect(r.headers['x-amz-sns-subscription-arn']).toBe(SUB);
    expect(r.headers['x-amz-sns-rawdelivery']).toBeUndefined();
    expect(r.headers['content-type']).toBe('text/plain; charset=UTF-8');
    expect(r.headers['content-length']).toBe(String(Buffer.byteLength(req.body))); // bytes, not characters
    expect(r.headers['user-agent']).toBe('Amazon Simple Notification Service Agent');
    expect(r.headers.connection).toBe('Keep-Alive');
    expect(r.headers.host).toBe(base.slice('http://'.length));
    expect(r.names).toEqual([
      'x-amz-sns-message-type',
      'x-amz-sns-message-id',
      'x-amz-sns-topic-arn',
      'x-amz-sns-subscription-arn',
      'Content-Length',
      'Content-Type',
      'Connection',
      'User-Agent',
      'Host',
    ]);
  });

  it("uses the delivery policy's headerContentType and marks raw delivery on notifications", async () => {
    await postToHttpEndpoint(notification({ body: '{"raw":true}', contentType: 'application/json', rawDelivery: true }));
    expect(received[0].headers['content-type']).toBe('application/json');
    expect(received[0].headers['x-amz-sns-rawdelivery']).toBe('true');
    expect(received[0].body).toBe('{"raw":true}');
  });

  it('sends a SubscriptionConfirmation without the subscription ARN, never raw, always text/plain', async () => {
    await postToHttpEndpoint(notification({ messageType: 'SubscriptionConfirmation', contentType: 'application/json', rawDelivery: true }));
    const h = received[0].headers;
    expect(h['x-amz-sns-message-type']).toBe('SubscriptionConfirmation');
    expect(h['x-amz-sns-subscription-arn']).toBeUndefined();
    expect(h['x-amz-sns-rawdelivery']).toBeUndefined();
    expect(h['content-type']).toBe('text/plain; charset=UTF-8');
  });

  it('sends an UnsubscribeConfirmation with the subscription ARN', async () => {
    await postToHttpEndpoint(notification({ messageType: 'UnsubscribeConfirmation' }));
    expect(received[0].headers['x-amz-sns-message-type']).toBe('UnsubscribeConfirmation');
    expect(received[0].headers['x-amz-sns-subscription-arn']).toBe(SUB);
  });

  it('sends the userinfo of the endpoint as Basic authorization', async () => {
    await postToHttpEndpoint(notification({ endpoint: base.replace('http://', 'http://user:p%40ss@') + '/' }));
    expect(received[0].headers.authorization).toBe(`Basic ${Buffer.from('user:p@ss').toString('base64')}`);
  });

  it('opens a connection per delivery and closes it after the answer', async () => {
    await postToHttpEndpoint(notification());
    await postToHttpEndpoint(notification());
    expect(received).toHaveLength(2);
    expect(connections).toBe(2);
  });
});

describe('the answer', () => {
  it('2xx is delivered, with the response in the detail', async () => {
    handler = answer(202, 'accepted\n  thanks');
    expect(await postToHttpEndpoint(notification())).toEqual({ ok: true, status: 202, detail: 'HTTP 202 Accepted: accepted thanks' });
    handler = answer(204);
    expect(await postToHttpEndpoint(notification())).toEqual({ ok: true, status: 204, detail: 'HTTP 204 No Content' });
  });

  it('5xx is a failed attempt, retried', async () => {
    for (const status of [500, 502, 503, 599]) {
      handler = answer(status, 'down for maintenance');
      const o = failure(await postToHttpEndpoint(notification()));
      expect(o).toMatchObject({ code: 'HttpServerError', retryable: true, status });
      expect(o.message).toContain(`HTTP ${status}`);
      expect(o.message).toContain('down for maintenance');
    }
  });

  it('4xx is a permanent failure, not retried, 429 included', async () => {
    for (const status of [400, 403, 404, 410, 429]) {
      handler = answer(status, 'no');
      const o = failure(await postToHttpEndpoint(notification()));
      expect(o).toMatchObject({ code: 'HttpClientError', retryable: false, status });
    }
    handler = answer(404, 'no such hook');
    expect(failure(await postToHttpEndpoint(notification())).message).toBe('The endpoint answered HTTP 404 Not Found: no such hook');
  });

  it('3xx is not followed, and not retried', async () => {
    handler = (_req, res) => {
      res.writeHead(301, { location: `${base}/elsewhere` });
      res.end();
    };
    const o = failure(await postToHttpEndpoint(notification()));
    expect(o).toMatchObject({ code: 'UnexpectedStatus', retryable: false, status: 301 });
    expect(received.map((r) => r.url)).toEqual(['/sns/hook?x=1']);
  });

  it('keeps only the start of a long response for the trace', async () => {
    handler = answer(500, 'x'.repeat(200_000));
    const o = failure(await postToHttpEndpoint(notification()));
    expect(o.retryable).toBe(true);
    expect(o.message.length).toBeLessThan(600);
  });

  it('AWS rule table: 100-101 and 500-599 retried, the rest final', () => {
    expect([100, 101, 500, 503, 599].map(retryableStatus)).toEqual([true, true, true, true, true]);
    expect([102, 200, 301, 400, 404, 429, 499, 600].map(retryableStatus)).toEqual([false, false, false, false, false, false, false, false]);
  });
});

describe('transport failures', () => {
  it('a refused connection is retried', async () => {
    const closed = http.createServer();
    const port = await listen(closed);
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const o = failure(await postToHttpEndpoint(notification({ endpoint: `http://127.0.0.1:${port}/` })));
    expect(o).toMatchObject({ code: 'ConnectionError', retryable: true });
    expect(o.message).toMatch(/^IO Exception in HttpClient: .*ECONNREFUSED/);
    expect(o.status).toBeUndefined();
  });

  it('an endpoint that does not answer times out, and is retried', async () => {
    handler = () => {}; // never answers
    const started = Date.now();
    const o = failure(await postToHttpEndpoint(notification({ timeoutMs: 150 })));
    expect(o).toEqual({ ok: false, code: 'RequestTimeout', message: 'The endpoint did not answer within 150 ms.', retryable: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(received).toHaveLength(1);
  });

  it('an answer whose body never ends times out too', async () => {
    handler = (_req, res) => {
      res.writeHead(200);
      res.write('partial');
    };
    const o = failure(await postToHttpEndpoint(notification({ timeoutMs: 150 })));
    expect(o).toMatchObject({ code: 'RequestTimeout', retryable: true });
  });

  it("AWS's timeout is 15 s by default", () => {
    expect(SNS_HTTP_TIMEOUT_MS).toBe(15_000);
  });

  it('an endpoint that is not an http(s) URL is a final failure', async () => {
    expect(failure(await postToHttpEndpoint(notification({ endpoint: 'not a url' })))).toMatchObject({ code: 'InvalidEndpoint', retryable: false });
    expect(failure(await postToHttpEndpoint(notification({ endpoint: 'ftp://127.0.0.1/x' })))).toMatchObject({ code: 'InvalidEndpoint', retryable: false });
  });
});

describe('HTTPS', () => {
  it('accepts a self-signed certificate on a loopback endpoint', async () => {
    handler = answer(200, 'ok');
    const o = await postToHttpEndpoint(notification({ endpoint: `${tlsBase}/secure` }));
    expect(o).toEqual({ ok: true, status: 200, detail: 'HTTP 200 OK: ok' });
    expect(received[0].url).toBe('/secure');
    expect(received[0].headers['x-amz-sns-message-type']).toBe('Notification');
  });

  it('with verification asked for, a self-signed certificate is a connection error, retried (as on AWS)', async () => {
    const o = failure(await postToHttpEndpoint(notification({ endpoint: `${tlsBase}/secure`, rejectUnauthorized: true })));
    expect(o).toMatchObject({ code: 'ConnectionError', retryable: true });
    expect(o.message).toMatch(/certificate/i);
    expect(received).toHaveLength(0);
  });

  it('knows which hosts are loopback', () => {
    for (const h of ['localhost', 'api.localhost', '127.0.0.1', '127.1.2.3', '[::1]', '::1', 'LOCALHOST']) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['example.com', '10.0.0.1', '128.0.0.1', 'localhost.example.com', '[::2]', 'host.docker.internal']) expect(isLoopbackHost(h)).toBe(false);
  });
});
