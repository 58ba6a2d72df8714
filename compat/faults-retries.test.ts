/**
 * Injected API errors against the real SDKs' retry logic (issue 7): a fault for the next N
 * calls is absorbed by the SDK's retries when N is below its attempts, and surfaces as AWS's
 * throttling error when it is not. The SDKs keep their own retry decisions (which codes and
 * statuses are retryable); only the backoff is shortened (ConfiguredRetryStrategy) so the suite
 * stays fast.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { CreateQueueCommand, SendMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SQSClient as LegacySQSClient, SendMessageCommand as LegacySendMessageCommand } from 'sqs-legacy';
import { CreateTopicCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { startSwitchyard, type Switchyard } from '../src/index.js';

let sy: Switchyard;
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
/** The SDK's retry strategy with its decisions intact, 3 attempts, 5 ms between them. */
const retry = (attempts = 3) => new ConfiguredRetryStrategy(attempts, () => 5);
const attemptsOf = (err: unknown) => (err as { $metadata?: { attempts?: number } }).$metadata?.attempts;

beforeAll(async () => {
  sy = await startSwitchyard({ port: 0, faults: { seed: 7 } });
});
afterAll(async () => {
  await sy.stop();
});
beforeEach(() => sy.reset());

describe('SQS (JSON protocol, current SDK)', () => {
  const client = () => new SQSClient({ endpoint: sy.endpoint, region: 'us-east-1', credentials, retryStrategy: retry() });

  it('RequestThrottled twice, then success: the third attempt sends, and only one message is stored', async () => {
    const sqs = client();
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'absorbs' }));
    sy.faults.add({ kind: 'api-error', service: 'sqs', operation: 'SendMessage', count: 2 });
    const out = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'after two refusals' }));
    expect(out.$metadata.attempts).toBe(3);
    expect(out.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    expect(got.Messages?.map((m) => m.Body)).toEqual(['after two refusals']);
    expect(sy.faults.list()).toEqual([]); // spent
  });

  it('throttled more often than the SDK retries: the SDK raises RequestThrottled after its 3 attempts', async () => {
    const sqs = client();
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'exhausts' }));
    const fault = sy.faults.add({ kind: 'api-error', service: 'sqs', operation: 'SendMessage', count: 5 });
    const err = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'never' })).catch((e: unknown) => e);
    expect((err as Error).name).toBe('RequestThrottled');
    expect(attemptsOf(err)).toBe(3);
    expect((err as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(403);
    expect(fault.fired).toBe(3);
  });

  it('InternalError (500) and ServiceUnavailable (503) are retried as transient errors', async () => {
    const sqs = client();
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'transient' }));
    sy.faults.add({ kind: 'api-error', service: 'sqs', operation: 'SendMessage', error: 'InternalError', count: 1 });
    sy.faults.add({ kind: 'api-error', service: 'sqs', operation: 'SendMessage', error: 'ServiceUnavailable', count: 1 });
    const out = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'third time' }));
    expect(out.$metadata.attempts).toBe(3);
  });

  it('a client error is not what faults produce: a fault on another operation leaves this one alone', async () => {
    const sqs = client();
    sy.faults.add({ kind: 'api-error', service: 'sqs', operation: 'DeleteQueue' });
    const out = await sqs.send(new CreateQueueCommand({ QueueName: 'untouched' }));
    expect(out.$metadata.attempts).toBe(1);
  });
});

describe('SQS (query protocol, sqs-legacy 3.445)', () => {
  it('absorbed, then exhausted, with the XML error AWS sends', async () => {
    const json = new SQSClient({ endpoint: sy.endpoint, region: 'us-east-1', credentials });
    const { QueueUrl } = await json.send(new CreateQueueCommand({ QueueName: 'legacy' }));
    // Its own (older) retry strategy with its default backoff: about a second in all.
    const sqs = new LegacySQSClient({ endpoint: sy.endpoint, region: 'us-east-1', credentials, maxAttempts: 3 });
    sy.faults.add({ kind: 'api-error', service: 'sqs', operation: 'SendMessage', count: 2 });
    expect((await sqs.send(new LegacySendMessageCommand({ QueueUrl, MessageBody: 'xml' }))).$metadata.attempts).toBe(3);
    sy.faults.add({ kind: 'api-error', service: 'sqs', operation: 'SendMessage', count: 3 });
    const err = await sqs.send(new LegacySendMessageCommand({ QueueUrl, MessageBody: 'xml' })).catch((e: unknown) => e);
    expect((err as Error).name).toBe('RequestThrottled');
    expect(attemptsOf(err)).toBe(3);
  });
});

describe('SNS and EventBridge', () => {
  it('SNS Publish: Throttled (429) absorbed, then raised as ThrottledException', async () => {
    const sns = new SNSClient({ endpoint: sy.endpoint, region: 'us-east-1', credentials, retryStrategy: retry() });
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'busy' }));
    sy.faults.add({ kind: 'api-error', service: 'sns', operation: 'Publish', count: 2 });
    expect((await sns.send(new PublishCommand({ TopicArn, Message: 'm' }))).$metadata.attempts).toBe(3);
    sy.faults.add({ kind: 'api-error', service: 'sns', operation: 'Publish', count: 3 });
    const err = await sns.send(new PublishCommand({ TopicArn, Message: 'm' })).catch((e: unknown) => e);
    expect((err as Error).name).toBe('ThrottledException');
    expect(attemptsOf(err)).toBe(3);
  });

  it('EventBridge PutEvents: ThrottlingException absorbed, then raised', async () => {
    const eb = new EventBridgeClient({ endpoint: sy.endpoint, region: 'us-east-1', credentials, retryStrategy: retry() });
    const entry = { Source: 'shop', DetailType: 'placed', Detail: '{}' };
    sy.faults.add({ kind: 'api-error', service: 'events', operation: 'PutEvents', count: 2 });
    const ok = await eb.send(new PutEventsCommand({ Entries: [entry] }));
    expect(ok.$metadata.attempts).toBe(3);
    expect(ok.FailedEntryCount).toBe(0);
    sy.faults.add({ kind: 'api-error', service: 'events', operation: 'PutEvents', count: 3 });
    const err = await eb.send(new PutEventsCommand({ Entries: [entry] })).catch((e: unknown) => e);
    expect((err as Error).name).toBe('ThrottlingException');
    expect(attemptsOf(err)).toBe(3);
  });

  it('a probability with a seed throttles the same calls in every run', async () => {
    const eb = new EventBridgeClient({ endpoint: sy.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
    const pattern = async (): Promise<string> => {
      sy.reset();
      sy.faults.reseed(1234);
      sy.faults.add({ kind: 'api-error', service: 'events', operation: 'PutEvents', probability: 0.5 });
      let out = '';
      for (let i = 0; i < 24; i++)
        out += await eb.send(new PutEventsCommand({ Entries: [{ Source: 's', DetailType: 'd', Detail: '{}' }] })).then(
          () => '.',
          () => 'x',
        );
      return out;
    };
    const first = await pattern();
    expect(first).toMatch(/x/);
    expect(first).toMatch(/\./);
    expect(await pattern()).toBe(first);
  });
});
