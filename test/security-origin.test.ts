/**
 * Requests from web pages (src/gateway/origin.ts): a page the developer visits while Switchyard
 * runs cannot change its state, through the inspection API or the AWS API, while Switchyard's
 * own pages, clients that are not browsers and origins allowed with `corsOrigins` keep working.
 * First with hand-made headers (every case, DNS rebinding included), then in Debian's headless
 * Chromium: a form post and an image tag from a cross-site page, a browser SDK-style call with a
 * CORS preflight from an allowed origin, and the debug UI's own unsigned calls in strict mode.
 */
import { existsSync } from 'node:fs';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import * as sqs from '@aws-sdk/client-sqs';
import { startSwitchyard, type Switchyard } from '../src/index.js';

const CHROMIUM = '/usr/bin/chromium';
const ALLOWED = 'http://localhost:3999';
const creds = { accessKeyId: 'test', secretAccessKey: 'test' };

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request with exactly these headers (fetch would add its own Origin and Sec-Fetch-*). */
function send(base: string, method: string, path: string, headers: Record<string, string>, body = ''): Promise<Answer> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path: url.pathname + url.search, headers: { 'content-length': String(Buffer.byteLength(body)), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

let sy: Switchyard;
let client: sqs.SQSClient;
let queueUrl: string;
let own: string;

async function depth(): Promise<number> {
  const { Attributes } = await client.send(new sqs.GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
  return Number(Attributes?.ApproximateNumberOfMessages);
}

beforeAll(async () => {
  sy = await startSwitchyard({ port: 0, corsOrigins: [ALLOWED] });
  client = new sqs.SQSClient({ endpoint: sy.endpoint, region: 'us-east-1', credentials: creds });
  own = sy.endpoint;
});

afterAll(async () => {
  client?.destroy();
  await sy?.stop();
});

beforeEach(async () => {
  sy.reset();
  ({ QueueUrl: queueUrl } = (await client.send(new sqs.CreateQueueCommand({ QueueName: 'precious' }))) as { QueueUrl: string });
  await client.send(new sqs.SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'keep me' }));
});

describe('the inspection API', () => {
  const reset = (headers: Record<string, string>) => send(own, 'POST', '/_switchyard/api/reset', { 'content-type': 'application/json', ...headers }, '{}');

  it('refuses a write from another origin with 403 and a JSON error; nothing changes', async () => {
    const res = await reset({ origin: 'http://evil.example' });
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(res.body)).toEqual({
      error: 'CrossOriginRefused',
      message: "Changes through the inspection API from http://evil.example are refused: it is not Switchyard's own origin. Start Switchyard with --cors-origin <origin> to allow a web app you trust.",
    });
    expect(await depth()).toBe(1);
  });

  it('refuses a write marked Sec-Fetch-Site: cross-site (or same-site) without an Origin', async () => {
    for (const site of ['cross-site', 'same-site']) {
      const res = await send(own, 'DELETE', '/_switchyard/api/faults', { 'sec-fetch-site': site });
      expect(res.status, site).toBe(403);
      expect(JSON.parse(res.body).message).toContain(`from a ${site} page are refused`);
    }
  });

  it('lets reads through (a foreign page cannot read them: no CORS headers)', async () => {
    const res = await send(own, 'GET', '/_switchyard/api/queues', { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it("lets Switchyard's own pages write: Origin matching Host, for names that cannot be rebound", async () => {
    const host = new URL(own).host;
    expect((await reset({ origin: own, host, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    const port = new URL(own).port;
    for (const name of ['localhost', 'switchyard.localhost', '[::1]', '10.1.2.3'])
      expect((await reset({ origin: `http://${name}:${port}`, host: `${name}:${port}` })).status, name).toBe(200);
  });

  it('refuses DNS rebinding: a page of evil.example:PORT whose name now points here sends a matching Origin and Host', async () => {
    const port = new URL(own).port;
    const res = await reset({ origin: `http://evil.example:${port}`, host: `evil.example:${port}`, 'sec-fetch-site': 'same-origin' });
    expect(res.status).toBe(403);
    expect(await depth()).toBe(1);
  });

  it('lets clients that are not browsers through: no Origin, no Sec-Fetch-Site', async () => {
    expect((await reset({})).status).toBe(200);
  });

  it('an allowed origin writes, with CORS headers, and its preflight is answered', async () => {
    const pre = await send(own, 'OPTIONS', '/_switchyard/api/faults', { origin: ALLOWED, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' });
    expect(pre.status).toBe(204);
    expect(pre.headers).toMatchObject({ 'access-control-allow-origin': ALLOWED, 'access-control-allow-headers': 'content-type', vary: 'Origin' });
    expect(pre.headers['access-control-allow-methods']).toContain('POST');
    const res = await reset({ origin: ALLOWED, 'sec-fetch-site': 'same-site' });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
  });
});

describe('the AWS API', () => {
  const form = (body: string, headers: Record<string, string>) => send(own, 'POST', '/', { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body);

  it('refuses a cross-site form post (PurgeQueue) with AccessDenied in the query protocol', async () => {
    const res = await form(`Action=PurgeQueue&Version=2012-11-05&QueueUrl=${encodeURIComponent(queueUrl)}`, { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' });
    expect(res.status).toBe(403);
    expect(res.body).toContain('<Code>AccessDenied</Code><Message>AWS API requests from http://evil.example are refused');
    expect(await depth()).toBe(1);
  });

  it('refuses a cross-site GET (an image tag: no Origin, Sec-Fetch-Site cross-site)', async () => {
    const res = await send(own, 'GET', `/?Action=DeleteQueue&Version=2012-11-05&QueueUrl=${encodeURIComponent(queueUrl)}`, { 'sec-fetch-site': 'cross-site', 'sec-fetch-dest': 'image' });
    expect(res.status).toBe(403);
    expect(await depth()).toBe(1);
  });

  it('refuses JSON too, rendered as SQS JSON renders AccessDenied', async () => {
    const res = await send(own, 'POST', '/', { origin: 'http://evil.example', 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.PurgeQueue' }, JSON.stringify({ QueueUrl: queueUrl }));
    expect(res.status).toBe(403);
    expect(res.headers['x-amzn-query-error']).toBe('AccessDenied;Sender');
    expect(JSON.parse(res.body).__type).toBe('AccessDenied');
    expect(await depth()).toBe(1);
  });

  it('lets an SNS SubscribeURL through from anywhere (it needs the secret token)', async () => {
    const res = await send(own, 'GET', '/?Action=ConfirmSubscription&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A000000000000%3Anone&Token=abc', { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' });
    expect(res.status).toBe(404);
    expect(res.body).toContain('<Code>NotFound</Code>');
  });

  it("lets Switchyard's own page and an allowed origin call it; the allowed origin gets CORS answers", async () => {
    const host = new URL(own).host;
    const body = `Action=ListQueues&Version=2012-11-05`;
    expect((await form(body, { origin: own, host, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    const pre = await send(own, 'OPTIONS', '/', { origin: ALLOWED, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-amz-date,x-amz-target' });
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-headers']).toBe('authorization,content-type,x-amz-date,x-amz-target');
    const res = await form(body, { origin: ALLOWED, 'sec-fetch-site': 'same-site' });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(res.headers['access-control-expose-headers']).toContain('x-amzn-requestid');
  });
});

describe('in a browser (Chromium)', () => {
  let browser: Browser;
  let page: Server;
  let pageUrl = '';
  let html = '';

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
    // The attacker's page: localhost is another site than 127.0.0.1, where Switchyard listens.
    page = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(html);
    });
    await new Promise<void>((r) => page.listen(0, '127.0.0.1', r));
    pageUrl = `http://localhost:${(page.address() as AddressInfo).port}/`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => page?.close(r));
  });

  it('a cross-site page can neither purge a queue with a form post nor delete it with an image', async () => {
    html = `<form id=f method=POST action="${own}/" enctype="application/x-www-form-urlencoded">
      <input name=Action value=PurgeQueue><input name=Version value=2012-11-05><input name=QueueUrl value="${queueUrl}"></form>
      <img src="${own}/?Action=DeleteQueue&amp;Version=2012-11-05&amp;QueueUrl=${encodeURIComponent(queueUrl)}">
      <script>fetch(${JSON.stringify(`${own}/_switchyard/api/reset`)}, { method: 'POST', mode: 'no-cors', body: '{}' }).finally(() => document.getElementById('f').submit());</script>`;
    const tab = await browser.newPage();
    const answer = tab.waitForResponse((r) => r.url() === `${own}/` && r.request().method() === 'POST');
    await tab.goto(pageUrl);
    const purge = await answer;
    expect(purge.status()).toBe(403);
    await tab.close();
    expect(await depth()).toBe(1);
  });

  it('the same attack works when the page\'s origin is allowed (the test would see it)', async () => {
    const open = await startSwitchyard({ port: 0, corsOrigins: ['*'] });
    try {
      const c = new sqs.SQSClient({ endpoint: open.endpoint, region: 'us-east-1', credentials: creds });
      const { QueueUrl } = await c.send(new sqs.CreateQueueCommand({ QueueName: 'exposed' }));
      await c.send(new sqs.SendMessageCommand({ QueueUrl, MessageBody: 'gone soon' }));
      html = `<form id=f method=POST action="${open.endpoint}/"><input name=Action value=PurgeQueue><input name=Version value=2012-11-05><input name=QueueUrl value="${QueueUrl}"></form><script>document.getElementById('f').submit()</script>`;
      const tab = await browser.newPage();
      const answer = tab.waitForResponse((r) => r.url() === `${open.endpoint}/`);
      await tab.goto(pageUrl);
      expect((await answer).status()).toBe(200);
      await tab.close();
      const { Attributes } = await c.send(new sqs.GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
      expect(Attributes?.ApproximateNumberOfMessages).toBe('0');
      c.destroy();
    } finally {
      await open.stop();
    }
  });

  it('an allowed origin calls the JSON API with a preflight (as a browser SDK does) and reads the answer', async () => {
    const port = (page.address() as AddressInfo).port;
    const allowed = await startSwitchyard({ port: 0, corsOrigins: [`http://localhost:${port}`] });
    try {
      html = '<p>app</p>';
      const tab = await browser.newPage();
      await tab.goto(pageUrl);
      const result = await tab.evaluate(async (endpoint) => {
        const res = await fetch(`${endpoint}/`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.CreateQueue', 'x-amz-date': '20260101T000000Z' },
          body: JSON.stringify({ QueueName: 'from-browser' }),
        });
        return { status: res.status, body: await res.json(), requestId: res.headers.get('x-amzn-requestid') };
      }, allowed.endpoint);
      expect(result.status).toBe(200);
      expect(result.body.QueueUrl).toMatch(/\/000000000000\/from-browser$/);
      expect(result.requestId).toMatch(/^[0-9a-f-]{36}$/);
      await tab.close();
    } finally {
      await allowed.stop();
    }
  });

  it("the debug UI's own unsigned AWS calls work in strict mode; unsigned calls from elsewhere do not", async () => {
    const strict = await startSwitchyard({ port: 0, strictAuth: true, credentials: [{ accessKeyId: 'AKIDUI', secretAccessKey: 'secret' }] });
    try {
      const tab = await browser.newPage();
      await tab.goto(`${strict.endpoint}/_switchyard/`);
      const fromUi = await tab.evaluate(async () => {
        const res = await fetch('/', { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.CreateQueue' }, body: JSON.stringify({ QueueName: 'from-ui' }) });
        return res.status;
      });
      expect(fromUi).toBe(200);
      // Unsigned from anywhere else (no Origin, no Sec-Fetch-Site): refused in strict mode.
      const unsigned = await send(strict.endpoint, 'POST', '/', { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ListQueues' }, '{}');
      expect(unsigned.status).toBe(403);
      await tab.close();
    } finally {
      await strict.stop();
    }
  });
});
