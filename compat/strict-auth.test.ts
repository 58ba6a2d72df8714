/**
 * Strict mode (`strictAuth`, `--strict-auth`) through the real clients: SQS over JSON
 * (@aws-sdk/client-sqs) and over the query protocol (sqs-legacy, 3.445.0), SNS, EventBridge, and
 * Debian's boto3 1.26 (SQS and SNS over query, EventBridge over JSON 1.1, and a presigned URL).
 * With the configured key and secret every call works; with a wrong secret, an unknown key, a
 * clock 20 minutes off or no signature at all, each client gets AWS's error for it, as its
 * protocol carries it (docs/reliability.md has the table). The SNS SubscribeURL, which AWS
 * serves unsigned, still confirms.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as eb from '@aws-sdk/client-eventbridge';
import * as sns from '@aws-sdk/client-sns';
import * as sqs from '@aws-sdk/client-sqs';
import * as legacy from 'sqs-legacy';
import { startSwitchyard, type Switchyard } from '../src/index.js';

const KEY = 'AKIDSTRICTTEST';
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYSTRICTKEY';
const OTHER_KEY = 'AKIDOTHERACCOUNT';
const OTHER_SECRET = 'another-secret';
const OTHER_ACCOUNT = '111111111111';
const right = { accessKeyId: KEY, secretAccessKey: SECRET };
const wrongSecret = { accessKeyId: KEY, secretAccessKey: `${SECRET}x` };
const unknownKey = { accessKeyId: 'AKIDNOBODYKNOWS', secretAccessKey: SECRET };
const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const INVALID_TOKEN = 'The security token included in the request is invalid.';

let sy: Switchyard;

type Creds = typeof right;
const config = (credentials: Creds, extra: object = {}) => ({ endpoint: sy.endpoint, region: 'us-east-1', credentials, maxAttempts: 1, ...extra });

/** The four JS clients, each with one call that needs no prior state. */
const clients = {
  'SQS JSON': (c: Creds, extra?: object) => new sqs.SQSClient(config(c, extra)).send(new sqs.ListQueuesCommand({})),
  'SQS query': (c: Creds, extra?: object) => new legacy.SQSClient(config(c, extra)).send(new legacy.ListQueuesCommand({})),
  SNS: (c: Creds, extra?: object) => new sns.SNSClient(config(c, extra)).send(new sns.ListTopicsCommand({})),
  EventBridge: (c: Creds, extra?: object) => new eb.EventBridgeClient(config(c, extra)).send(new eb.ListEventBusesCommand({})),
};
type ClientName = keyof typeof clients;

/** What each client reports for each failure: error name and HTTP status. */
const expected: Record<ClientName, { unknownKey: [string, number]; mismatch: [string, number] }> = {
  'SQS JSON': { unknownKey: ['InvalidClientTokenId', 403], mismatch: ['SignatureDoesNotMatch', 403] },
  'SQS query': { unknownKey: ['InvalidClientTokenId', 403], mismatch: ['SignatureDoesNotMatch', 403] },
  SNS: { unknownKey: ['InvalidClientTokenId', 403], mismatch: ['SignatureDoesNotMatch', 403] },
  EventBridge: { unknownKey: ['UnrecognizedClientException', 400], mismatch: ['InvalidSignatureException', 400] },
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function failure(p: Promise<unknown>): Promise<{ name: string; status: number; message: string; fault: string }> {
  try {
    await p;
  } catch (err) {
    const e = err as { name: string; message: string; $fault: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode ?? 0, message: e.message, fault: e.$fault };
  }
  throw new Error('the call succeeded');
}

beforeAll(async () => {
  sy = await startSwitchyard({
    port: 0,
    strictAuth: true,
    credentials: [
      { accessKeyId: KEY, secretAccessKey: SECRET },
      { accessKeyId: OTHER_KEY, secretAccessKey: OTHER_SECRET, account: OTHER_ACCOUNT },
    ],
  });
});

afterAll(async () => {
  await sy?.stop();
});

describe.each(Object.keys(clients) as ClientName[])('%s in strict mode', (name) => {
  const call = clients[name];

  it('works with the configured key and secret', async () => {
    await expect(call(right)).resolves.toMatchObject({ $metadata: { httpStatusCode: 200 } });
  });

  it('a wrong secret: AWS\'s signature error, with the canonical string and the string to sign', async () => {
    const e = await failure(call(wrongSecret));
    expect([e.name, e.status, e.fault]).toEqual([...expected[name].mismatch, 'client']);
    expect(e.message.startsWith(MISMATCH)).toBe(true);
    expect(e.message).toContain("The Canonical String for this request should have been\n'POST\n/\n");
    expect(e.message).toMatch(/The String-to-Sign should have been\n'AWS4-HMAC-SHA256\n\d{8}T\d{6}Z\n\d{8}\/us-east-1\/(sqs|sns|events)\/aws4_request\n[0-9a-f]{64}'/);
  });

  it('a key nobody configured: InvalidClientTokenId (UnrecognizedClientException over JSON 1.1)', async () => {
    const e = await failure(call(unknownKey));
    expect([e.name, e.status, e.message]).toEqual([...expected[name].unknownKey, INVALID_TOKEN]);
  });

  it('a clock 20 minutes slow: "Signature expired"', async () => {
    const e = await failure(call(right, { systemClockOffset: -20 * 60_000 }));
    expect([e.name, e.status]).toEqual(expected[name].mismatch);
    expect(e.message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/);
  });

  it('a clock 20 minutes fast: "Signature not yet current"', async () => {
    const e = await failure(call(right, { systemClockOffset: 20 * 60_000 }));
    expect([e.name, e.status]).toEqual(expected[name].mismatch);
    expect(e.message).toMatch(/^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 15 min\.\)$/);
  });
});

describe('strict mode, beyond the four clients\' happy paths', () => {
  it('a key configured with an account acts in that account', async () => {
    const c = new sqs.SQSClient(config({ accessKeyId: OTHER_KEY, secretAccessKey: OTHER_SECRET }));
    const { QueueUrl } = await c.send(new sqs.CreateQueueCommand({ QueueName: 'in-other-account' }));
    expect(QueueUrl).toBe(`${sy.endpoint}/${OTHER_ACCOUNT}/in-other-account`);
    // Signed with the other key's secret only: the first key's secret does not pass for it.
    const e = await failure(new sqs.SQSClient(config({ accessKeyId: OTHER_KEY, secretAccessKey: SECRET })).send(new sqs.ListQueuesCommand({})));
    expect(e.name).toBe('SignatureDoesNotMatch');
  });

  it('the SDK corrects its clock from the Date header and retries, as against AWS (EventBridge)', async () => {
    const client = new eb.EventBridgeClient(config(right, { maxAttempts: 3, systemClockOffset: -20 * 60_000 }));
    await expect(client.send(new eb.ListEventBusesCommand({}))).resolves.toMatchObject({ $metadata: { httpStatusCode: 200, attempts: 2 } });
  });

  it('a whole flow works signed: SNS fans out to SQS, EventBridge routes to SQS', async () => {
    const q = new sqs.SQSClient(config(right));
    const { QueueUrl } = await q.send(new sqs.CreateQueueCommand({ QueueName: 'strict-flow' }));
    const arn = `arn:aws:sqs:us-east-1:000000000000:strict-flow`;
    const topics = new sns.SNSClient(config(right));
    const { TopicArn } = await topics.send(new sns.CreateTopicCommand({ Name: 'strict-flow' }));
    await topics.send(new sns.SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: arn, Attributes: { RawMessageDelivery: 'true' } }));
    await topics.send(new sns.PublishCommand({ TopicArn, Message: 'via sns' }));
    const events = new eb.EventBridgeClient(config(right));
    await events.send(new eb.PutRuleCommand({ Name: 'strict-flow', EventPattern: JSON.stringify({ source: ['strict'] }) }));
    await events.send(new eb.PutTargetsCommand({ Rule: 'strict-flow', Targets: [{ Id: 'q', Arn: arn, InputPath: '$.detail.text' }] }));
    await events.send(new eb.PutEventsCommand({ Entries: [{ Source: 'strict', DetailType: 't', Detail: JSON.stringify({ text: 'via events' }) }] }));
    const bodies: string[] = [];
    for (let i = 0; i < 10 && bodies.length < 2; i++) {
      const { Messages = [] } = await q.send(new sqs.ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      bodies.push(...Messages.map((m) => m.Body!));
    }
    expect(bodies.sort()).toEqual(['"via events"', 'via sns']);
  });

  it('no signature at all: MissingAuthenticationToken, in each protocol', async () => {
    const post = (headers: Record<string, string>, body: string) => fetch(sy.endpoint, { method: 'POST', headers, body });
    const sqsJson = await post({ 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ListQueues' }, '{}');
    expect(sqsJson.status).toBe(403);
    expect(sqsJson.headers.get('x-amzn-query-error')).toBe('MissingAuthenticationToken;Sender');
    expect(await sqsJson.json()).toEqual({ __type: 'MissingAuthenticationTokenException', message: 'Request is missing Authentication Token' });
    const events = await post({ 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.ListEventBuses' }, '{}');
    expect(events.status).toBe(400);
    expect(await events.json()).toEqual({ __type: 'MissingAuthenticationTokenException', message: 'Request is missing Authentication Token' });
    for (const body of ['Action=ListQueues&Version=2012-11-05', 'Action=ListTopics&Version=2010-03-31']) {
      const query = await post({ 'content-type': 'application/x-www-form-urlencoded' }, body);
      expect(query.status).toBe(403);
      expect(await query.text()).toContain('<Code>MissingAuthenticationToken</Code><Message>Request is missing Authentication Token</Message>');
    }
  });

  it('an Authorization header without its parts: IncompleteSignature (400)', async () => {
    const res = await fetch(sy.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `AWS4-HMAC-SHA256 Credential=${KEY}/20260101/us-east-1/sqs/aws4_request` },
      body: 'Action=ListQueues&Version=2012-11-05',
    });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).toContain('<Code>IncompleteSignature</Code>');
    expect(text).toContain('Authorization header requires &apos;Signature&apos; parameter. Authorization header requires &apos;SignedHeaders&apos; parameter.');
  });

  it('a signature scoped to another service: "Credential should be scoped to correct service"', async () => {
    // Signed as SNS, sent to SQS's JSON endpoint; and signed as SQS, sent as an SNS query.
    const signer = (service: string) => new SignatureV4({ service, region: 'us-east-1', credentials: right, sha256: Sha256 });
    const url = new URL(sy.endpoint);
    const send = async (service: string, headers: Record<string, string>, body: string) => {
      const signed = await signer(service).sign({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', headers: { host: url.host, ...headers }, body });
      return fetch(sy.endpoint, { method: 'POST', headers: signed.headers as Record<string, string>, body });
    };
    const toSqs = await send('sns', { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ListQueues' }, '{}');
    expect(toSqs.status).toBe(403);
    expect(await toSqs.json()).toEqual({ __type: 'InvalidSignatureException', message: "Credential should be scoped to correct service: 'sqs'." });
    const toSns = await send('sqs', { 'content-type': 'application/x-www-form-urlencoded' }, 'Action=ListTopics&Version=2010-03-31');
    expect(toSns.status).toBe(403);
    expect(await toSns.text()).toContain("<Code>SignatureDoesNotMatch</Code><Message>Credential should be scoped to correct service: &apos;sns&apos;.</Message>");
    // The same signer, scoped right, passes: the request itself was fine.
    expect((await send('sqs', { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ListQueues' }, '{}')).status).toBe(200);
  });

  it('a presigned URL made by @smithy/signature-v4 works; after its X-Amz-Expires it does not', async () => {
    const url = new URL(sy.endpoint);
    const presigner = new SignatureV4({ service: 'sqs', region: 'us-east-1', credentials: right, sha256: Sha256 });
    const request = { method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', query: { Action: 'ListQueues', Version: '2012-11-05' }, headers: { host: url.host } };
    const toUrl = (r: { query?: Record<string, unknown> }) => `${sy.endpoint}/?${new URLSearchParams(r.query as Record<string, string>).toString().replace(/\+/g, '%20')}`;
    const fresh = await presigner.presign(request, { expiresIn: 60 });
    expect((await fetch(toUrl(fresh))).status).toBe(200);
    const old = await presigner.presign(request, { expiresIn: 60, signingDate: new Date(Date.now() - 120_000) });
    const res = await fetch(toUrl(old));
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/<Code>SignatureDoesNotMatch<\/Code><Message>Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z/);
  });

  it('an SNS SubscribeURL confirms unsigned, as on AWS; other unsigned GETs do not pass', async () => {
    let confirmation: { SubscribeURL: string } | undefined;
    const endpoint: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.headers['x-amz-sns-message-type'] === 'SubscriptionConfirmation') confirmation = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        res.end();
      });
    });
    await new Promise<void>((r) => endpoint.listen(0, '127.0.0.1', r));
    try {
      const topics = new sns.SNSClient(config(right));
      const { TopicArn } = await topics.send(new sns.CreateTopicCommand({ Name: 'strict-http' }));
      const hook = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/hook`;
      await topics.send(new sns.SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: hook }));
      for (let i = 0; i < 100 && !confirmation; i++) await new Promise((r) => setTimeout(r, 20));
      const confirm = await fetch(confirmation!.SubscribeURL);
      expect(confirm.status).toBe(200);
      expect(await confirm.text()).toContain('<ConfirmSubscriptionResult><SubscriptionArn>');
      const { Subscriptions = [] } = await topics.send(new sns.ListSubscriptionsByTopicCommand({ TopicArn }));
      expect(Subscriptions.map((s) => s.SubscriptionArn)).not.toContain('PendingConfirmation');
      const other = await fetch(`${sy.endpoint}/?Action=ListTopics&Version=2010-03-31`);
      expect(other.status).toBe(403);
      expect(await other.text()).toContain('<Code>MissingAuthenticationToken</Code>');
    } finally {
      await new Promise((r) => endpoint.close(r));
    }
  });
});

describe("Debian's boto3 in strict mode", () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let out: any;
  beforeAll(async () => {
    const script = fileURLToPath(new URL('./boto3/strict_auth.py', import.meta.url));
    const { stdout } = await promisify(execFile)('/usr/bin/python3', [script, sy.endpoint, KEY, SECRET], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_EC2_METADATA_DISABLED: 'true' },
      timeout: 60_000,
    });
    out = JSON.parse(stdout);
  }, 90_000);

  it('is botocore 1.29 (SQS over the query protocol)', () => {
    expect(out.botocore).toMatch(/^1\.29\./);
  });

  it('works with the configured key and secret', () => {
    expect(out.calls.right.sqs).toMatchObject({ ok: true, result: { QueueUrl: `${sy.endpoint}/000000000000/boto-strict` } });
    expect(out.calls.right.sns).toMatchObject({ ok: true, result: { TopicArn: 'arn:aws:sns:us-east-1:000000000000:boto-strict' } });
    expect(out.calls.right.events).toMatchObject({ ok: true });
  });

  it('a wrong secret: SignatureDoesNotMatch (query) and InvalidSignatureException (JSON 1.1), with botocore\'s canonical string', () => {
    for (const [service, code, status] of [['sqs', 'SignatureDoesNotMatch', 403], ['sns', 'SignatureDoesNotMatch', 403], ['events', 'InvalidSignatureException', 400]] as const) {
      expect(out.calls.wrongSecret[service]).toMatchObject({ ok: false, code, status });
      expect(out.calls.wrongSecret[service].message.startsWith(MISMATCH)).toBe(true);
      expect(out.calls.wrongSecret[service].message).toContain(`/us-east-1/${service}/aws4_request`);
    }
    expect(out.calls.wrongSecret.sqs.message).toContain('\ncontent-type;host;x-amz-date\n');
  });

  it('an unknown key: InvalidClientTokenId (query) and UnrecognizedClientException (JSON 1.1)', () => {
    expect(out.calls.unknownKey.sqs).toEqual({ ok: false, code: 'InvalidClientTokenId', message: INVALID_TOKEN, status: 403 });
    expect(out.calls.unknownKey.sns).toEqual({ ok: false, code: 'InvalidClientTokenId', message: INVALID_TOKEN, status: 403 });
    expect(out.calls.unknownKey.events).toEqual({ ok: false, code: 'UnrecognizedClientException', message: INVALID_TOKEN, status: 400 });
  });

  it('a presigned URL (generate_presigned_url) works as made, and not once changed', () => {
    expect(out.presignedUrl).toContain('X-Amz-Signature=');
    expect(out.presigned.status).toBe(200);
    expect(out.presigned.body).toContain('<ListQueuesResponse');
    expect(out.presignedTampered.status).toBe(403);
    expect(out.presignedTampered.body).toContain('<Code>SignatureDoesNotMatch</Code>');
  });
});
