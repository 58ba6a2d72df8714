/**
 * Outbound calls go only where the resource says: an API destination's invocation endpoint, its
 * connection's OAuth authorization endpoint, an SNS HTTP(S) subscription's endpoint, a forward
 * endpoint the user configured. A redirect from any of them to another host is not followed (the
 * other host sees nothing) and is a failure that is not retried; a path parameter cannot choose
 * the host; an authorization server's answer is read only so far.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type * as eb from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Clock } from '../src/clock.js';
import { OAuthTokenCache, invokeApiDestination } from '../src/delivery/api-destination.js';
import { Forwarder } from '../src/delivery/forward.js';
import { ConnectionStore, type ConnectionRecord } from '../src/events/connections.js';
import { postToHttpEndpoint } from '../src/sns/http-delivery.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** A local HTTP server that records what reached it. */
class Host {
  seen: string[] = [];
  handler: Handler = (_req, res) => res.end('{}');
  url = '';
  private server?: Server;
  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        this.seen.push(`${req.method} ${req.url}`);
        this.handler(req, res);
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }
  stop(): Promise<void> {
    this.server?.closeAllConnections();
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

const endpoint = new Host();
/** Where the redirects point: it must never be called. */
const elsewhere = new Host();
const REDIRECTS = [301, 302, 303, 307, 308];

const redirectTo = (status: number, path = '/steal'): Handler => (_req, res) => {
  res.writeHead(status, { location: `${elsewhere.url}${path}` });
  res.end();
};

beforeAll(async () => {
  await Promise.all([endpoint.start(), elsewhere.start()]);
  elsewhere.handler = (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ access_token: 'stolen', token_type: 'Bearer', expires_in: 3600 }));
  };
});

afterAll(async () => {
  await Promise.all([endpoint.stop(), elsewhere.stop()]);
});

beforeEach(() => {
  endpoint.seen = [];
  elsewhere.seen = [];
  endpoint.handler = (_req, res) => res.end('{}');
});

function connection(input: eb.CreateConnectionRequest): { conn: Readonly<ConnectionRecord>; deps: { tokens: OAuthTokenCache; now: () => number } } {
  const clock = new Clock({ frozen: true, start: Date.parse('2026-01-01T00:00:00Z') });
  const store = new ConnectionStore({ clock, account: '000000000000', region: 'us-east-1' });
  const conn = store.connectionByArn(store.createConnection(input).ConnectionArn!)!;
  return { conn, deps: { tokens: new OAuthTokenCache(), now: () => clock.now() } };
}
const basic: eb.CreateConnectionRequest = { Name: 'b', AuthorizationType: 'BASIC', AuthParameters: { BasicAuthParameters: { Username: 'u', Password: 'p' } } };
const oauth = (authorizationEndpoint: string): eb.CreateConnectionRequest => ({
  Name: 'o',
  AuthorizationType: 'OAUTH_CLIENT_CREDENTIALS',
  AuthParameters: { OAuthParameters: { ClientParameters: { ClientID: 'id', ClientSecret: 'secret' }, AuthorizationEndpoint: authorizationEndpoint, HttpMethod: 'POST' } },
});

describe('API destinations', () => {
  it.each(REDIRECTS)('an invocation answered %i to another host: not followed, a failure without retry', async (status) => {
    endpoint.handler = redirectTo(status);
    const { conn, deps } = connection(basic);
    const out = await invokeApiDestination({ endpoint: `${endpoint.url}/hook`, method: 'POST', connection: conn, body: '{}' }, deps);
    expect(out).toMatchObject({ ok: false, retryable: false, status });
    expect(endpoint.seen).toEqual(['POST /hook']);
    expect(elsewhere.seen).toEqual([]);
  });

  it.each(REDIRECTS)('an OAuth token endpoint answering %i to another host: not followed; no token, no invocation', async (status) => {
    endpoint.handler = (req, res) => (req.url === '/token' ? redirectTo(status, '/token')(req, res) : res.end('{}'));
    const { conn, deps } = connection(oauth(`${endpoint.url}/token`));
    const out = await invokeApiDestination({ endpoint: `${endpoint.url}/hook`, method: 'POST', connection: conn, body: '{}' }, deps);
    expect(out).toMatchObject({ ok: false, code: 'SDK_CLIENT_ERROR', retryable: false });
    expect(out.ok === false && out.message).toContain(`The authorization endpoint responded with HTTP ${status}.`);
    expect(endpoint.seen).toEqual(['POST /token']);
    expect(elsewhere.seen).toEqual([]);
  });

  it("a huge answer from the authorization server is refused after 64 KiB, not read whole", async () => {
    let written = 0;
    endpoint.handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // 64 MiB offered in 64 KiB chunks, as fast as the reader takes them.
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const more = (): void => {
        while (written < 64 * 1024 * 1024) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        res.end();
      };
      more();
    };
    const { conn, deps } = connection(oauth(`${endpoint.url}/token`));
    const out = await invokeApiDestination({ endpoint: `${endpoint.url}/hook`, method: 'POST', connection: conn, body: '{}' }, deps);
    expect(out).toMatchObject({ ok: false, retryable: false });
    expect(out.ok === false && out.message).toContain('The authorization endpoint answered more than 65536 bytes.');
    expect(written).toBeLessThan(16 * 1024 * 1024);
  });

  it('path parameters fill the path only: a * in the host stays, so no value picks the host', async () => {
    const { conn, deps } = connection(basic);
    const port = new URL(endpoint.url).port;
    // Filled everywhere, "1" would make the host 127.0.0.1, the endpoint server.
    const out = await invokeApiDestination(
      { endpoint: `http://127.0.0.*:${port}/items/*`, method: 'POST', connection: conn, body: '{}', httpParameters: { PathParameterValues: ['1', 'x'] } },
      deps,
    );
    expect(out).toMatchObject({ ok: false, code: 'SDK_CLIENT_ERROR' });
    expect(endpoint.seen).toEqual([]);
    // In the path they work as before.
    const ok = await invokeApiDestination({ endpoint: `${endpoint.url}/items/*`, method: 'POST', connection: conn, body: '{}', httpParameters: { PathParameterValues: ['../../x y'] } }, deps);
    expect(ok).toMatchObject({ ok: true });
    expect(endpoint.seen).toEqual(['POST /items/..%2F..%2Fx%20y']);
  });
});

describe('SNS HTTP(S) subscriptions', () => {
  it.each(REDIRECTS)('a notification answered %i to another host: not followed, a failure without retry', async (status) => {
    endpoint.handler = redirectTo(status);
    const out = await postToHttpEndpoint({
      endpoint: `${endpoint.url}/sns`,
      messageType: 'Notification',
      messageId: 'm-1',
      topicArn: 'arn:aws:sns:us-east-1:000000000000:t',
      subscriptionArn: 'arn:aws:sns:us-east-1:000000000000:t:s',
      body: '{}',
    });
    expect(out).toMatchObject({ ok: false, code: 'UnexpectedStatus', retryable: false, status });
    expect(endpoint.seen).toEqual(['POST /sns']);
    expect(elsewhere.seen).toEqual([]);
  });
});

describe('forward endpoints', () => {
  it.each([302, 307])('a forwarded Lambda invocation answered %i to another host: not followed, a failure', async (status) => {
    endpoint.handler = redirectTo(status);
    const forwarder = new Forwarder({ endpoints: { lambda: endpoint.url }, connectionTimeoutMs: 2000, requestTimeoutMs: 5000 });
    try {
      const out = await forwarder.deliver('arn:aws:lambda:us-east-1:000000000000:function:orders', '{}');
      expect(out.ok).toBe(false);
      expect(endpoint.seen).toHaveLength(1);
      expect(endpoint.seen[0]).toMatch(/^POST \/2015-03-31\/functions\/[^/]+orders\/invocations/);
      expect(elsewhere.seen).toEqual([]);
    } finally {
      forwarder.close();
    }
  });
});
