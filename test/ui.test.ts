/**
 * The debug UI (ui/, served at /_switchyard/) in Debian's headless Chromium, driven by
 * playwright-core, against an in-process Switchyard fed through the real SDKs: an event appears
 * live and its trace shows rules, inputs, attempts (a retry picked up while the page is open) and
 * the DLQ hop; "why didn't it match?" and the pattern tester; peeking a queue leaves receive
 * counts alone; a DLQ is redriven from the page; hostile payloads stay text; 10,000 records stay
 * one page of rows; the send forms; the Faults view (add, list, seed, remove, the server's message
 * for an invalid fault) and the "injected" badges on sends, deliveries and attempts. A screenshot
 * per test goes to test-artifacts/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import * as eb from '@aws-sdk/client-eventbridge';
import * as sqs from '@aws-sdk/client-sqs';
import * as sns from '@aws-sdk/client-sns';
import { startSwitchyard, type Switchyard } from '../src/index.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = new URL('../test-artifacts/', import.meta.url).pathname;
const T0 = Date.parse('2026-11-27T10:00:00Z');
const ACCOUNT = '000000000000';
const creds = { accessKeyId: 'test', secretAccessKey: 'test' };
const queueArn = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;
const HOSTILE_SCRIPT = '<script>window.__pwned=1</script>';
const HOSTILE_IMG = '<img src=x onerror="window.__pwned=1">';

/** A Lambda endpoint (Switchyard forwards Invoke here): answers each request with the next status. */
class LambdaStub {
  statuses: number[] = [200];
  requests: string[] = [];
  private server?: Server;
  url = '';
  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests.push(Buffer.concat(chunks).toString('utf8'));
        const status = this.statuses[Math.min(this.requests.length - 1, this.statuses.length - 1)];
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(status < 300 ? '{}' : '{"message":"the function is having a bad day"}');
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }
  stop(): Promise<void> {
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

let sy: Switchyard;
let browser: Browser;
let context: BrowserContext;
let events: eb.EventBridgeClient;
let queues: sqs.SQSClient;
let topics: sns.SNSClient;
const lambda = new LambdaStub();
const internalErrors: unknown[] = [];
/** Uncaught errors and console errors of every page a test opened. */
let pageErrors: string[] = [];
let pages: Page[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does)`);
  mkdirSync(ARTIFACTS, { recursive: true });
  await lambda.start();
  [sy, browser] = await Promise.all([
    startSwitchyard({ port: 0, frozenClockAt: T0, forward: { lambda: lambda.url }, onError: (e) => internalErrors.push(e) }),
    chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] }),
  ]);
  context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  // Fail a step in seconds, where it fails, rather than at the test's timeout.
  context.setDefaultTimeout(5000);
  events = new eb.EventBridgeClient({ endpoint: sy.endpoint, region: 'us-east-1', credentials: creds });
  queues = new sqs.SQSClient({ endpoint: sy.endpoint, region: 'us-east-1', credentials: creds });
  topics = new sns.SNSClient({ endpoint: sy.endpoint, region: 'us-east-1', credentials: creds });
});

beforeEach(() => {
  sy.reset();
  lambda.statuses = [200];
  lambda.requests = [];
  pageErrors = [];
});

afterEach(async () => {
  await Promise.all(pages.map((p) => p.close()));
  pages = [];
  expect(pageErrors).toEqual([]);
});

afterAll(async () => {
  events?.destroy();
  queues?.destroy();
  topics?.destroy();
  await browser?.close();
  await sy?.stop();
  await lambda.stop();
  expect(internalErrors).toEqual([]);
});

/** The UI at `#hash`, once its script ran and its live stream is connected. */
async function open(hash = 'stream'): Promise<Page> {
  const page = await context.newPage();
  pages.push(page);
  page.on('pageerror', (err) => pageErrors.push(`pageerror: ${err.message}`));
  page.on('console', (m) => {
    // A 4xx the UI shows (an invalid pattern, a refused send) is logged by Chromium too.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push(`console: ${m.text()}`);
  });
  page.on('dialog', (d) => {
    pageErrors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(`${sy.endpoint}/_switchyard/#${hash}`);
  await page.waitForSelector('html[data-live="open"]');
  return page;
}

const shot = (page: Page, name: string) => page.screenshot({ path: `${ARTIFACTS}ui-${name}.png` });

async function createQueue(name: string, attributes?: Record<string, string>): Promise<string> {
  return (await queues.send(new sqs.CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
}

async function rule(name: string, pattern: unknown, targets: eb.Target[]): Promise<string> {
  const { RuleArn } = await events.send(new eb.PutRuleCommand({ Name: name, EventPattern: JSON.stringify(pattern) }));
  if (targets.length) await events.send(new eb.PutTargetsCommand({ Rule: name, Targets: targets }));
  return RuleArn!;
}

async function put(entry: Partial<eb.PutEventsRequestEntry>): Promise<string> {
  const out = await events.send(new eb.PutEventsCommand({ Entries: [{ Source: 'shop', DetailType: 'Order Placed', Detail: '{}', ...entry }] }));
  expect(out.FailedEntryCount).toBe(0);
  return out.Entries![0].EventId!;
}

async function queueAttributes(url: string): Promise<Record<string, string>> {
  const out = await queues.send(new sqs.GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
  return out.Attributes!;
}

const row = (page: Page, id: string) => page.locator(`table.records tr[data-id="${id}"]`);

describe('the debug UI', () => {
  it('shows an event put through the SDK live, and its trace: rule, inputs, attempts, a retry, the DLQ hop', async () => {
    await createQueue('orders');
    await createQueue('orders-dlq');
    const ruleArn = await rule('big-orders', { source: ['shop'], detail: { price: [{ numeric: ['>', 100] }] } }, [
      { Id: 'to-queue', Arn: queueArn('orders'), InputTransformer: { InputPathsMap: { id: '$.detail.orderId' }, InputTemplate: '{"order": <id>, "note": "big"}' } },
      { Id: 'notify', Arn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:notify`, RetryPolicy: { MaximumRetryAttempts: 3 } },
      { Id: 'gone', Arn: queueArn('no-such-queue'), DeadLetterConfig: { Arn: queueArn('orders-dlq') } },
    ]);
    lambda.statuses = [500, 200];
    const page = await open();
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));

    const id = await put({ Detail: JSON.stringify({ orderId: 'o-1', price: 250, metadata: { 'idempotency-key': 'order-o-1' } }) });
    // Live: the row arrives over the stream, in the same document (no reload).
    await row(page, id).waitFor({ timeout: 5000 });
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    await expect.poll(() => row(page, id).textContent()).toContain('1 rule');
    expect(await row(page, id).textContent()).toContain('shop');

    await row(page, id).click();
    const trace = page.locator('.trace');
    await expect.poll(() => trace.locator('h2').textContent()).toContain(id);
    expect(page.url()).toContain(`#stream/${id}`);
    expect(await trace.locator('section', { hasText: 'Matched rules (1)' }).textContent()).toContain(ruleArn);
    expect(await trace.locator('pre.envelope').textContent()).toContain('"orderId": "o-1"');
    expect(await trace.textContent()).toContain('order-o-1');

    const toQueue = trace.locator(`.delivery[data-target="${queueArn('orders')}"]`);
    await expect.poll(() => toQueue.locator('h4').textContent()).toContain('delivered');
    expect(JSON.parse((await toQueue.locator('pre.input').textContent())!)).toEqual({ order: 'o-1', note: 'big' });
    expect(await toQueue.locator('table.attempts tbody tr').count()).toBe(1);

    const gone = trace.locator(`.delivery[data-target="${queueArn('no-such-queue')}"]`);
    await expect.poll(() => gone.locator('h4').textContent()).toContain('dead-lettered');
    expect(await gone.textContent()).toContain(`→ ${queueArn('orders-dlq')}`);

    // The Lambda answered 500: retrying, with the failed attempt shown; the page keeps polling.
    const notify = trace.locator('.delivery[data-target$=":function:notify"]');
    await expect.poll(() => notify.locator('h4').textContent()).toContain('retrying');
    expect(await notify.locator('table.attempts tbody tr').first().textContent()).toContain('500');
    await notify.scrollIntoViewIfNeeded();
    await shot(page, 'trace-retrying');
    // The backoff passes on Switchyard's clock; the open trace picks up the retry by itself.
    sy.clock.advance(5 * 60_000);
    await expect.poll(() => notify.locator('h4').textContent(), { timeout: 5000 }).toContain('delivered');
    const attempts = notify.locator('table.attempts tbody tr');
    expect(await attempts.count()).toBe(2);
    expect(await attempts.nth(1).textContent()).toContain('retry 1');
    expect(await notify.textContent()).toContain('retries1');
    await expect.poll(() => row(page, id).textContent()).toContain('delivered ×2');
    expect(await row(page, id).textContent()).toContain('dead-lettered');
    await shot(page, 'stream-with-trace');
  });

  it("explains why a rule did not match, field by field, and tests patterns (AWS's error for an invalid one)", async () => {
    await createQueue('q');
    await rule('big-orders', { source: ['shop'], detail: { price: [{ numeric: ['>', 100] }] } }, [{ Id: 'q', Arn: queueArn('q') }]);
    await rule('eur-or-vip', { source: ['shop'], $or: [{ detail: { currency: ['EUR'] } }, { detail: { vip: [true] } }] }, [{ Id: 'q', Arn: queueArn('q') }]);
    await rule('all-shop', { source: ['shop'] }, [{ Id: 'q', Arn: queueArn('q') }]);
    const id = await put({ Detail: JSON.stringify({ price: 12, currency: 'USD' }) });
    const page = await open(`stream/${id}`);
    const why = page.locator('.why');
    await why.locator('li[data-rule="big-orders"]').waitFor();
    expect(await why.locator('li[data-rule="all-shop"] .rule-line').textContent()).toContain('matched');
    const big = why.locator('li[data-rule="big-orders"]');
    expect(await big.locator('.rule-line').textContent()).toContain('no match');
    await big.getByRole('button', { name: "why didn't it match?" }).click();
    const failing = big.locator('table.fields tr.fail');
    await failing.first().waitFor();
    expect(await failing.count()).toBe(1);
    expect(await failing.locator('td.mono').first().textContent()).toBe('detail.price');
    expect(await failing.locator('td.reason').textContent()).toContain('12 is not in numeric range > 100');
    expect(await big.locator('table.fields tr.ok td.mono').first().textContent()).toBe('source');

    const or = why.locator('li[data-rule="eur-or-vip"]');
    await or.getByRole('button', { name: "why didn't it match?" }).click();
    await or.locator('.or-group').waitFor();
    expect(await or.locator('.or-group').textContent()).toContain('no alternative matches');
    expect(await or.locator('.or-group li').count()).toBe(2);
    await big.scrollIntoViewIfNeeded();
    await shot(page, 'why-not');

    // The pattern tester: from the trace, the event is carried over.
    await page.getByRole('button', { name: 'Try it in the pattern tester' }).click();
    await page.waitForURL(/#tester$/);
    expect(JSON.parse(await page.locator('textarea[name=event]').inputValue()).id).toBe(id);
    await page.locator('textarea[name=pattern]').fill(JSON.stringify({ detail: { price: [{ numeric: ['<', 20] }], currency: [{ 'anything-but': 'EUR' }] } }));
    await page.getByRole('button', { name: 'Test' }).click();
    await expect.poll(() => page.locator('.tester-out .verdict').textContent()).toContain('✓ matches');
    await page.locator('textarea[name=pattern]').fill('{"detail": {"price": [{"numeric": [">", "a lot"]}]}}');
    await page.getByRole('button', { name: 'Test' }).click();
    const error = page.locator('.tester-out .error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/^InvalidEventPattern: .+/);
    await shot(page, 'pattern-tester-invalid');
  });

  it('peeks at a queue (visible, in flight, delayed, attributes) without changing receive counts', async () => {
    const url = await createQueue('work');
    for (let i = 1; i <= 3; i++)
      await queues.send(new sqs.SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify({ job: i }), MessageAttributes: { tenant: { DataType: 'String', StringValue: `t-${i}` } } }));
    const taken = await queues.send(new sqs.ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1, VisibilityTimeout: 60 }));
    expect(taken.Messages).toHaveLength(1);
    await queues.send(new sqs.SendMessageCommand({ QueueUrl: url, MessageBody: 'later', DelaySeconds: 30 }));
    const before = await queueAttributes(url);
    expect([before.ApproximateNumberOfMessages, before.ApproximateNumberOfMessagesNotVisible, before.ApproximateNumberOfMessagesDelayed]).toEqual(['2', '1', '1']);

    const page = await open('queues');
    const listRow = page.locator('table.queue-list tr[data-queue="work"]');
    expect((await listRow.locator('td.num').allTextContents()).map(Number)).toEqual([2, 1, 1]);
    await listRow.click();
    const detail = page.locator('[data-queue-detail="work"]');
    await detail.waitFor();
    const groups = detail.locator('.message-group h4');
    expect(await groups.allTextContents()).toEqual(['Visible (2)', 'In flight (1)', 'Delayed (1)']);
    const inFlight = detail.locator('.message-group[data-group="inFlight"]').locator('.message');
    expect(await inFlight.getAttribute('data-message-id')).toBe(taken.Messages![0].MessageId);
    expect(await inFlight.textContent()).toContain('received 1×');
    expect(await detail.locator('.message-group[data-group="visible"]').textContent()).toContain('received 0×');
    expect(await detail.locator('.message-group[data-group="visible"]').locator('pre.body').first().textContent()).toMatch(/"job": [23]/);
    expect(await detail.locator('.message', { hasText: '"job": 2' }).locator('table').textContent()).toContain('t-2');
    expect(await detail.locator('.message-group[data-group="delayed"]').textContent()).toContain('later');
    await shot(page, 'queue-peek');
    // Peek again (a reload), then check through the SDK: nothing moved, nothing was received.
    await page.reload();
    await page.locator('[data-queue-detail="work"] .message').first().waitFor();
    const after = await queueAttributes(url);
    expect([after.ApproximateNumberOfMessages, after.ApproximateNumberOfMessagesNotVisible, after.ApproximateNumberOfMessagesDelayed]).toEqual(['2', '1', '1']);
    const got = await queues.send(new sqs.ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
    expect(got.Messages).toHaveLength(2);
    expect(got.Messages!.map((m) => m.Attributes!.ApproximateReceiveCount)).toEqual(['1', '1']);
  });

  it('redrives a dead-letter queue from the page, and deletes one message of it', async () => {
    const dlqUrl = await createQueue('jobs-dlq');
    const srcUrl = await createQueue('jobs', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn('jobs-dlq'), maxReceiveCount: 1 }) });
    for (const body of ['a', 'b', 'c']) await queues.send(new sqs.SendMessageCommand({ QueueUrl: srcUrl, MessageBody: `job ${body}` }));
    // Received once and let go at once: the next receive moves each to the DLQ.
    for (let i = 0; i < 6; i++) await queues.send(new sqs.ReceiveMessageCommand({ QueueUrl: srcUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));
    expect((await queueAttributes(dlqUrl)).ApproximateNumberOfMessages).toBe('3');
    expect((await queueAttributes(srcUrl)).ApproximateNumberOfMessages).toBe('0');

    const page = await open(`queues/${encodeURIComponent(queueArn('jobs-dlq'))}`);
    const detail = page.locator('[data-queue-detail="jobs-dlq"]');
    await detail.locator('.message').first().waitFor();
    expect(await page.locator('table.queue-list tr[data-queue="jobs-dlq"]').textContent()).toContain('DLQ of jobs');
    expect(await detail.locator('.message').count()).toBe(3);
    expect(await detail.locator('.message').first().textContent()).toContain(queueArn('jobs'));
    await shot(page, 'dlq-before-redrive');

    await detail.locator('.message', { hasText: 'job b' }).getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => detail.locator('.message').count()).toBe(2);
    await detail.getByRole('button', { name: 'Redrive' }).click();
    await expect.poll(() => page.locator('[data-queue-detail="jobs-dlq"] .note').textContent()).toContain('Redrove 2 messages to jobs');
    await expect.poll(() => page.locator('[data-queue-detail="jobs-dlq"] .message').count()).toBe(0);
    await shot(page, 'dlq-after-redrive');

    expect((await queueAttributes(dlqUrl)).ApproximateNumberOfMessages).toBe('0');
    const back = await queues.send(new sqs.ReceiveMessageCommand({ QueueUrl: srcUrl, MaxNumberOfMessages: 10 }));
    expect(back.Messages!.map((m) => m.Body).sort()).toEqual(['job a', 'job c']);
  });

  it('shows hostile payloads as text: no markup, no script, no image', async () => {
    await createQueue('inbox');
    await rule('hostile', { source: ['shop'], detail: { html: [HOSTILE_IMG] } }, [{ Id: 'inbox', Arn: queueArn('inbox') }]);
    await rule('never', { source: ['shop'], detail: { html: [HOSTILE_SCRIPT] } }, [{ Id: 'inbox', Arn: queueArn('inbox') }]);
    const page = await open();
    const detail = JSON.stringify({ html: HOSTILE_IMG, script: HOSTILE_SCRIPT, [HOSTILE_IMG]: 1, metadata: { 'idempotency-key': HOSTILE_IMG } });
    const first = await put({ Source: 'shop', DetailType: HOSTILE_SCRIPT, Detail: detail });
    const id = await put({ Source: 'shop', DetailType: HOSTILE_IMG, Detail: detail, Resources: [`arn:aws:s3:::${HOSTILE_IMG}`] });
    await queues.send(
      new sqs.SendMessageCommand({
        QueueUrl: `${sy.endpoint}/${ACCOUNT}/inbox`,
        MessageBody: HOSTILE_SCRIPT + HOSTILE_IMG,
        MessageAttributes: { [`x${'a'.repeat(3)}`]: { DataType: 'String', StringValue: HOSTILE_IMG } },
      }),
    );
    await row(page, id).waitFor();
    await row(page, first).waitFor();
    // Both repeat one idempotency key: flagged in the list.
    await expect.poll(() => row(page, id).textContent()).toContain('repeated key');
    expect(await row(page, first).textContent()).toContain(HOSTILE_SCRIPT);
    // The first was unique when it arrived: the page settles with the server and flags it too.
    await expect.poll(() => row(page, first).textContent()).toContain('repeated key');
    expect(await row(page, id).textContent()).toContain('1 rule');

    await row(page, id).click();
    const trace = page.locator('.trace');
    await trace.locator('pre.envelope').waitFor();
    expect(await trace.locator('pre.envelope').textContent()).toContain(HOSTILE_SCRIPT.replace(/"/g, '\\"'));
    await expect.poll(() => trace.locator('.delivery pre.input').textContent()).toContain('<img src=x onerror=\\"window.__pwned=1\\">');
    expect(await trace.textContent()).toContain(`repeats: 1 other record`);
    await trace.locator('li[data-rule="never"]').getByRole('button', { name: "why didn't it match?" }).click();
    await trace.locator('li[data-rule="never"] table.fields').waitFor();
    expect(await trace.locator('li[data-rule="never"] table.fields').textContent()).toContain(HOSTILE_SCRIPT);
    await shot(page, 'injection-trace');

    // Every other view that shows user data.
    for (const [hash, ready] of [
      ['buses', '.buses [data-rule="hostile"]'],
      [`queues/${encodeURIComponent(queueArn('inbox'))}`, '[data-queue-detail="inbox"] .message'],
      ['idempotency', '.idempotency section.card table'],
    ]) {
      await page.evaluate((h) => (location.hash = h), hash);
      await page.locator(ready).first().waitFor();
      expect(await page.locator('main').textContent()).toContain(HOSTILE_IMG);
      await shot(page, `injection-${hash.split('/')[0]}`);
    }
    await page.evaluate((h) => (location.hash = h), `stream/${id}`);
    await trace.locator('pre.envelope').waitFor();

    expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(1);
    expect(await page.locator('main [onerror], main [src]').count()).toBe(0);
  });

  it('stays one page of rows with 10,000 records in the trace', async () => {
    const page = await open();
    // 10,000 events through the SDK, batches of 10, 20 requests at a time, while the page is open.
    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (next < 1000) {
          const batch = next++;
          const out = await events.send(
            new eb.PutEventsCommand({ Entries: Array.from({ length: 10 }, (_, i) => ({ Source: `load.${batch % 7}`, DetailType: 'Tick', Detail: JSON.stringify({ n: batch * 10 + i }) })) }),
          );
          expect(out.FailedEntryCount).toBe(0);
        }
      }),
    );
    const putMs = Date.now() - started;
    expect(sy.events.trace.size).toBe(10_000);
    // The live page took every arrival and still holds one page of rows.
    await expect.poll(() => page.locator('[data-testid=count]').textContent(), { timeout: 5000 }).toContain('of 10,000 matching · 10,000 in trace');
    expect(await page.locator('table.records tbody tr').count()).toBe(100);
    const pingStarted = Date.now();
    await page.evaluate(() => 1);
    expect(Date.now() - pingStarted).toBeLessThan(1000);

    // A fresh page: the first page renders within a couple of seconds.
    const loadStarted = Date.now();
    const fresh = await context.newPage();
    pages.push(fresh);
    fresh.on('pageerror', (err) => pageErrors.push(`pageerror: ${err.message}`));
    await fresh.goto(`${sy.endpoint}/_switchyard/#stream`);
    await fresh.locator('table.records tbody tr').nth(99).waitFor({ timeout: 3000 });
    const firstPageMs = Date.now() - loadStarted;
    expect(firstPageMs).toBeLessThan(3000);
    expect(await fresh.locator('table.records tbody tr').count()).toBe(100);
    expect(await fresh.locator('[data-testid=count]').textContent()).toBe('1–100 of 10,000 matching · 10,000 in trace');
    expect(await fresh.locator('table.records tbody tr').first().textContent()).toContain('load.');

    // Paging and filters run on the server: still at most a page of rows.
    await fresh.getByRole('button', { name: 'older →' }).click();
    await expect.poll(() => fresh.locator('[data-testid=count]').textContent()).toContain('101–200 of 10,000');
    expect(await fresh.locator('table.records tbody tr').count()).toBe(100);
    await fresh.locator('.filters input[name=source]').fill('load.3');
    await expect.poll(() => fresh.locator('[data-testid=count]').textContent()).toMatch(/^1–100 of 1,43\d matching/);
    await fresh.locator('.filters input[name=q]').fill('"n":4305}');
    await expect.poll(() => fresh.locator('table.records tbody tr').count()).toBe(1);
    expect(await fresh.locator('[data-testid=count]').textContent()).toContain('1–1 of 1 matching');
    await fresh.locator('.filters input[name=q]').fill('');
    await fresh.locator('.filters input[name=source]').fill('');
    await expect.poll(() => fresh.locator('[data-testid=count]').textContent()).toContain('1–100 of 10,000');
    await shot(fresh, 'ten-thousand');
    console.log(`10,000 events put in ${putMs} ms; first page of a fresh UI in ${firstPageMs} ms`);
  });

  it('sends from the page: PutEvents, SendMessage and Publish, and shows topics with their deliveries', async () => {
    await createQueue('from-page');
    await createQueue('fanout');
    const { TopicArn } = await topics.send(new sns.CreateTopicCommand({ Name: 'alerts' }));
    await topics.send(new sns.SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: queueArn('fanout'), Attributes: { FilterPolicy: JSON.stringify({ level: ['high'] }), RawMessageDelivery: 'true' } }));
    await rule('from-page', { source: ['my.app'] }, [{ Id: 'q', Arn: queueArn('from-page') }]);
    const page = await open('send');

    const eventForm = page.locator('form[data-form=event]');
    await eventForm.locator('select[name=bus] option').first().waitFor({ state: 'attached' });
    await eventForm.getByRole('button', { name: 'Put event' }).click();
    await expect.poll(() => eventForm.locator('.out').textContent()).toContain('"EventId"');
    expect(await eventForm.locator('.out p').textContent()).toContain('200 OK');
    const eventId = (await eventForm.locator('.out a').getAttribute('href'))!.replace('#stream/', '');
    expect(sy.events.trace.get(eventId)?.kind).toBe('event');

    const sqsForm = page.locator('form[data-form=sqs]');
    await sqsForm.locator('textarea[name=body]').fill('hello from the page');
    await sqsForm.getByRole('button', { name: 'Send message' }).click();
    await expect.poll(() => sqsForm.locator('.out').textContent()).toContain('"MessageId"');
    const got = await queues.send(new sqs.ReceiveMessageCommand({ QueueUrl: `${sy.endpoint}/${ACCOUNT}/fanout`, MaxNumberOfMessages: 10 }));
    expect(got.Messages ?? []).toHaveLength(0);

    const snsForm = page.locator('form[data-form=sns]');
    await snsForm.locator('textarea[name=message]').fill('disk full');
    await snsForm.locator('textarea[name=attributes]').fill('{"level": "high"}');
    await snsForm.getByRole('button', { name: 'Publish' }).click();
    await expect.poll(() => snsForm.locator('.out').textContent()).toContain('PublishResponse');
    expect(await snsForm.locator('.out a').textContent()).toBe('open its trace');
    // And an error answer is shown as such.
    await sqsForm.locator('textarea[name=body]').fill('');
    await sqsForm.getByRole('button', { name: 'Send message' }).click();
    await expect.poll(() => sqsForm.locator('.out p').textContent()).toContain('400 error');
    expect(await sqsForm.locator('.out pre').textContent()).toContain('MissingParameter');
    await shot(page, 'send');

    const fanout = await queues.send(new sqs.ReceiveMessageCommand({ QueueUrl: `${sy.endpoint}/${ACCOUNT}/fanout`, MaxNumberOfMessages: 10 }));
    expect(fanout.Messages!.map((m) => m.Body)).toEqual(['disk full']);

    await page.evaluate(() => (location.hash = 'topics'));
    const topic = page.locator('section[data-topic="alerts"]');
    await topic.locator('table.records tr[data-id]').first().waitFor();
    expect(await topic.textContent()).toContain('"level"');
    expect(await topic.locator('table.records tr[data-id]').first().textContent()).toContain('delivered');
    await shot(page, 'topics');
  });
});

describe('fault injection in the debug UI', () => {
  it('adds a duplicate fault from the Faults view, marks the send it fired on as injected, sets the seed and removes faults', async () => {
    const url = await createQueue('flaky');
    const page = await open('faults');
    const view = page.locator('.faults');
    await expect.poll(() => view.locator('[data-testid=seed]').textContent()).toBe(String(sy.faults.seed));
    expect(await view.locator('.empty-faults').textContent()).toContain('No fault is set');

    // The form shows the fields the kind reads.
    const form = page.locator('form[data-form=fault]');
    await form.locator('select[name=kind]').selectOption('duplicate');
    expect(await form.locator('input[name=delayMs]').isVisible()).toBe(false);
    await form.locator('input[name=resource]').fill(queueArn('flaky'));
    await form.locator('input[name=copies]').fill('3');
    await form.getByRole('button', { name: 'Add fault' }).click();
    await expect.poll(() => form.locator('.out').textContent()).toBe('Added fault-1.');
    const listed = view.locator('tr[data-fault="fault-1"]');
    await listed.waitFor();
    expect(await listed.textContent()).toContain(queueArn('flaky'));
    expect(await listed.textContent()).toContain('copies 3');
    expect(await listed.locator('td.fired').textContent()).toBe('0');
    expect(sy.faults.list()).toMatchObject([{ id: 'fault-1', kind: 'duplicate', resource: queueArn('flaky'), copies: 3 }]);

    // A real call meets it: the send is marked in the stream and in its trace.
    const { MessageId } = await queues.send(new sqs.SendMessageCommand({ QueueUrl: url, MessageBody: 'once, they said' }));
    await page.evaluate((id) => (location.hash = `stream/${id}`), MessageId!);
    const trace = page.locator('.trace');
    const mark = trace.locator('.badge.injected[data-injected=duplicate]');
    await mark.waitFor();
    expect(await mark.textContent()).toBe('injected: duplicate ×3 (fault-1)');
    expect(await trace.locator('dl.facts').first().textContent()).toContain('received 3 times in all');
    await expect.poll(() => row(page, MessageId!).locator('.badge.injected').textContent()).toBe('injected: duplicate ×3 (fault-1)');
    await shot(page, 'fault-injected-send');

    // Back to the view: the counts were refreshed when it was shown.
    await page.evaluate(() => (location.hash = 'faults'));
    await expect.poll(() => listed.locator('td.fired').textContent()).toBe('1');
    expect(await listed.locator('td.asked').textContent()).toBe('1');

    // The seed.
    await view.locator('input[name=seed]').fill('42');
    await view.getByRole('button', { name: 'Set seed' }).click();
    await expect.poll(() => view.locator('[data-testid=seed]').textContent()).toBe('42');
    expect(sy.faults.seed).toBe(42);

    // Remove one, then add two and remove all.
    await listed.getByRole('button', { name: 'remove fault-1' }).click();
    await view.locator('.empty-faults').waitFor();
    expect(sy.faults.list()).toEqual([]);
    await form.locator('select[name=kind]').selectOption('api-error');
    await form.locator('select[name=service]').selectOption('sqs');
    await form.locator('input[name=operation]').fill('SendMessage');
    await form.locator('input[name=count]').fill('2');
    await form.getByRole('button', { name: 'Add fault' }).click();
    await view.locator('tr[data-fault="fault-2"]').waitFor();
    await form.locator('select[name=kind]').selectOption('latency');
    await form.locator('input[name=delayMs]').fill('2000');
    await form.getByRole('button', { name: 'Add fault' }).click();
    await view.locator('tr[data-fault="fault-3"]').waitFor();
    expect(await view.locator('tr[data-fault="fault-2"]').textContent()).toContain('sqs.SendMessage');
    expect(sy.faults.list().map((f) => [f.id, f.kind, f.service, f.operation, f.count, f.delayMs])).toEqual([
      ['fault-2', 'api-error', 'sqs', 'SendMessage', 2, undefined],
      ['fault-3', 'latency', 'sqs', 'SendMessage', 2, 2000],
    ]);
    await shot(page, 'faults');
    await view.getByRole('button', { name: 'Remove all' }).click();
    await view.locator('.empty-faults').waitFor();
    expect(await view.locator('.note').textContent()).toBe('Removed 2 faults.');
    expect(sy.faults.list()).toEqual([]);
  });

  it("shows the server's message for an invalid fault, and marks injected failures, latency and duplicates on deliveries", async () => {
    const page = await open('faults');
    const form = page.locator('form[data-form=fault]');
    await form.locator('select[name=kind]').selectOption('failure');
    await form.locator('input[name=resource]').fill('*');
    await form.locator('input[name=probability]').fill('1.5');
    await form.getByRole('button', { name: 'Add fault' }).click();
    const error = form.locator('.out .error');
    await error.waitFor();
    expect(await error.textContent()).toBe('InvalidFault: fault.probability: must be a number from 0 to 1, got 1.5');
    expect(await form.locator('input[name=probability]').getAttribute('aria-invalid')).toBe('true');
    // A quota reads no probability: the field is hidden and not sent.
    await form.locator('select[name=kind]').selectOption('quota');
    expect(await form.locator('input[name=probability]').isVisible()).toBe(false);
    await form.getByRole('button', { name: 'Add fault' }).click();
    await expect.poll(() => error.textContent()).toBe('InvalidFault: fault.service: a quota needs the service (sqs, sns or events)');
    await shot(page, 'fault-invalid');
    await page.locator('.faults input[name=seed]').fill('-1');
    await page.getByRole('button', { name: 'Set seed' }).click();
    await expect.poll(() => page.locator('.seed-out .error').textContent()).toContain('Send {"seed": <integer from 0 to 4294967295>}');
    expect(sy.faults.list()).toEqual([]);

    // Marks on deliveries and attempts (src/trace: Delivery.injected, DeliveryAttempt.injected),
    // as the deliverers record them: a record with each, put in the trace as they would (cast:
    // the optional `injected` fields may be newer than the types here).
    const id = 'a1b2c3d4-0000-4000-8000-00000000f001';
    const bus = `arn:aws:events:us-east-1:${ACCOUNT}:event-bus/default`;
    const delivery = (targetId: string, extra: object) => ({
      ruleArn: `arn:aws:events:us-east-1:${ACCOUNT}:rule/faulty`,
      ruleName: 'faulty',
      targetId,
      targetArn: queueArn(targetId),
      input: '{}',
      ...extra,
    });
    sy.events.trace.add({
      id,
      kind: 'event',
      at: T0,
      account: ACCOUNT,
      region: 'us-east-1',
      busArn: bus,
      via: 'PutEvents',
      event: { id, source: 'shop', 'detail-type': 'Order Placed', detail: {} },
      matchedRules: [`arn:aws:events:us-east-1:${ACCOUNT}:rule/faulty`],
      archivedIn: [],
      deliveries: [
        delivery('slow', {
          state: 'delivered',
          injected: { faultId: 'fault-7', kind: 'latency', delayMs: 2000 },
          alsoInjected: [{ faultId: 'fault-10', kind: 'duplicate', copies: 3 }],
          attempts: [{ at: T0 + 2000, ok: true }],
        }),
        delivery('twice', { state: 'delivered', injected: { faultId: 'fault-8', kind: 'duplicate', copies: 2 }, attempts: [{ at: T0, ok: true }] }),
        delivery('failing', {
          state: 'delivered',
          attempts: [
            { at: T0, ok: false, code: 'InjectedFailure', message: 'injected', injected: { faultId: 'fault-9', kind: 'failure' } },
            { at: T0 + 1000, ok: false, code: 'InjectedFailure', message: 'injected', injected: { faultId: 'fault-9', kind: 'failure' } },
            { at: T0 + 3000, ok: true },
          ],
        }),
      ],
    } as unknown as Parameters<typeof sy.events.trace.add>[0]);

    await page.evaluate((h) => (location.hash = h), `stream/${id}`);
    const trace = page.locator('.trace');
    const card = (target: string) => trace.locator(`.delivery[data-target="${queueArn(target)}"]`);
    await card('slow').waitFor();
    expect(await card('slow').locator('h4 .badge.injected').allTextContents()).toEqual(['injected latency 2000 ms (fault-7)', 'injected: duplicate ×3 (fault-10)']);
    expect(await card('twice').locator('h4 .badge.injected').textContent()).toBe('injected: duplicate ×2 (fault-8)');
    expect(await card('failing').locator('h4 .badge.injected').count()).toBe(0);
    const attempts = card('failing').locator('table.attempts tbody tr');
    expect(await attempts.locator('.badge.injected').allTextContents()).toEqual(['injected failure (fault-9)', 'injected failure (fault-9)']);
    expect(await attempts.nth(2).locator('.badge.injected').count()).toBe(0);
    expect(await trace.locator('.injected-marks .badge').allTextContents()).toEqual([
      'injected latency 2000 ms (fault-7)',
      'injected: duplicate ×3 (fault-10)',
      'injected: duplicate ×2 (fault-8)',
      'injected failure ×2 (fault-9)',
    ]);
    // The summary lists them too: in the stream row, and from the API.
    expect(await row(page, id).locator('.badge.injected').allTextContents()).toEqual([
      'injected latency 2000 ms (fault-7)',
      'injected: duplicate ×3 (fault-10)',
      'injected: duplicate ×2 (fault-8)',
      'injected failure ×2 (fault-9)',
    ]);
    const summaries = (await (await fetch(`${sy.endpoint}/_switchyard/api/events?kind=event`)).json()) as { events: Array<{ id: string; injected?: unknown }> };
    expect(summaries.events.find((e) => e.id === id)?.injected).toEqual([
      { faultId: 'fault-7', kind: 'latency', delayMs: 2000, times: 1 },
      { faultId: 'fault-10', kind: 'duplicate', copies: 3, times: 1 },
      { faultId: 'fault-8', kind: 'duplicate', copies: 2, times: 1 },
      { faultId: 'fault-9', kind: 'failure', times: 2 },
    ]);
    await card('failing').scrollIntoViewIfNeeded();
    await shot(page, 'fault-injected-deliveries');
  });
});
