/**
 * SNS over hand-built HTTP: what no SDK sends (missing members, prototype keys as attribute
 * names, deeply nested policies and bodies, unsigned GETs on the SubscribeURL path), and the
 * port's TLS side fed garbage. Every answer must be AWS's XML error, and the server must keep
 * serving afterwards.
 */
import { connect } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSwitchyard, type Switchyard } from '../src/index.js';

let sy: Switchyard;
const internalErrors: unknown[] = [];

beforeAll(async () => {
  sy = await startSwitchyard({ port: 0, onError: (err) => internalErrors.push(err) });
});
beforeEach(() => sy.reset());
afterAll(async () => {
  expect(internalErrors).toEqual([]);
  await sy.stop();
});

/** POST a query-protocol SNS call; `params` are form fields besides Action and Version. */
async function sns(action: string, params: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const body = new URLSearchParams({ Action: action, Version: '2010-03-31', ...params }).toString();
  const res = await request(sy.endpoint).post('/').set('content-type', 'application/x-www-form-urlencoded').send(body);
  return { status: res.status, text: res.text };
}

async function sqs(op: string, input: unknown): Promise<Record<string, unknown>> {
  const res = await request(sy.endpoint)
    .post('/')
    .set({ 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${op}` })
    .send(JSON.stringify(input));
  return JSON.parse(res.text || '{}');
}

const code = (xml: string) => /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
const message = (xml: string) => /<Message>([^<]*)<\/Message>/.exec(xml)?.[1].replace(/&apos;/g, "'");

async function topicWithRawQueue(attributes: Record<string, string> = {}): Promise<{ topic: string; url: string }> {
  const url = (await sqs('CreateQueue', { QueueName: 'q' })).QueueUrl as string;
  const created = await sns('CreateTopic', { Name: 't' });
  const topic = /<TopicArn>([^<]*)<\/TopicArn>/.exec(created.text)![1];
  const attrs: Record<string, string> = {};
  Object.entries({ RawMessageDelivery: 'true', ...attributes }).forEach(([k, v], i) => {
    attrs[`Attributes.entry.${i + 1}.key`] = k;
    attrs[`Attributes.entry.${i + 1}.value`] = v;
  });
  const sub = await sns('Subscribe', { TopicArn: topic, Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:000000000000:q', ...attrs });
  expect(sub.status, sub.text).toBe(200);
  return { topic, url };
}

describe('SNS over raw HTTP', () => {
  it('a missing required member is a ValidationError in XML', async () => {
    const r = await sns('Publish', { TopicArn: 'arn:aws:sns:us-east-1:000000000000:t' });
    expect(r.status).toBe(400);
    expect(code(r.text)).toBe('ValidationError');
    expect(message(r.text)).toBe("1 validation error detected: Value null at 'message' failed to satisfy constraint: Member must not be null");
    expect(r.text).toContain('<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">');
  });

  it('an unknown action with SNS’s version is InvalidAction', async () => {
    const r = await sns('DoSomethingElse');
    expect(r.status).toBe(400);
    expect(code(r.text)).toBe('InvalidAction');
  });

  it('`__proto__` and `constructor` are attribute names like any other', async () => {
    const { topic, url } = await topicWithRawQueue();
    const r = await sns('Publish', {
      TopicArn: topic,
      Message: 'm',
      'MessageAttributes.entry.1.Name': '__proto__',
      'MessageAttributes.entry.1.Value.DataType': 'String',
      'MessageAttributes.entry.1.Value.StringValue': 'polluted',
      'MessageAttributes.entry.2.Name': 'constructor',
      'MessageAttributes.entry.2.Value.DataType': 'String',
      'MessageAttributes.entry.2.Value.StringValue': 'x',
    });
    expect(r.status, r.text).toBe(200);
    await sy.sns.deliverer.settled();
    const got = (await sqs('ReceiveMessage', { QueueUrl: url, MessageAttributeNames: ['All'] })) as { Messages: Array<{ MessageAttributes: Record<string, { StringValue: string }> }> };
    expect(Object.keys(got.Messages[0].MessageAttributes).sort()).toEqual(['__proto__', 'constructor']);
    expect(got.Messages[0].MessageAttributes.__proto__.StringValue).toBe('polluted');
    expect(({} as Record<string, unknown>).StringValue).toBeUndefined();
  });

  it('a filter policy nested 10,000 deep is refused with InvalidParameter, not a crash', async () => {
    const deep = '{"a":'.repeat(10_000) + '["x"]' + '}'.repeat(10_000);
    const { topic } = await topicWithRawQueue();
    const r = await sns('Subscribe', {
      TopicArn: topic,
      Protocol: 'sqs',
      Endpoint: 'arn:aws:sqs:us-east-1:000000000000:other',
      'Attributes.entry.1.key': 'FilterPolicyScope',
      'Attributes.entry.1.value': 'MessageBody',
      'Attributes.entry.2.key': 'FilterPolicy',
      'Attributes.entry.2.value': deep,
    });
    expect(r.status).toBe(400);
    expect(code(r.text)).toBe('InvalidParameter');
  });

  it('a body nested 10,000 deep against a body-scope policy is simply not delivered', async () => {
    const { topic, url } = await topicWithRawQueue({ FilterPolicyScope: 'MessageBody', FilterPolicy: '{"a":{"b":["x"]}}' });
    const deep = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
    const r = await sns('Publish', { TopicArn: topic, Message: deep });
    expect(r.status).toBe(200);
    const ok = await sns('Publish', { TopicArn: topic, Message: '{"a":{"b":"x"}}' });
    expect(ok.status).toBe(200);
    await sy.sns.deliverer.settled();
    const got = (await sqs('ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 10 })) as { Messages: Array<{ Body: string }> };
    expect(got.Messages.map((m) => m.Body)).toEqual(['{"a":{"b":"x"}}']);
  });

  it('the SubscribeURL path answers an unsigned GET, and a bad token there is InvalidParameter', async () => {
    await topicWithRawQueue();
    const res = await request(sy.endpoint).get('/?Action=ConfirmSubscription&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A000000000000%3At&Token=abc');
    expect(res.status).toBe(400);
    expect(code(res.text)).toBe('InvalidParameter');
    expect(message(res.text)).toBe('Invalid parameter: Token');
  });

  it('a TLS handshake of garbage closes that connection; the port keeps serving', async () => {
    await new Promise<void>((resolve) => {
      const s = connect(sy.port, '127.0.0.1', () => s.write(Buffer.from([22, 3, 1, 0, 4, 0xff, 0, 0, 0])));
      s.resume(); // read the alert, so the close is seen
      s.on('error', () => resolve());
      s.on('close', () => resolve());
    });
    const r = await sns('ListTopics');
    expect(r.status).toBe(200);
    expect(r.text).toContain('<ListTopicsResult>');
  });
});
