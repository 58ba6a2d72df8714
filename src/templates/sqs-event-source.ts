/**
 * An SQS queue as a Lambda function's event source (AWS::Lambda::EventSourceMapping, and what a
 * SAM function's `SQS` event means): the queue is long-polled, each batch is handed to the
 * function as Lambda's SQS event (`{Records: [{messageId, receiptHandle, body, attributes,
 * messageAttributes, md5OfBody, eventSource: 'aws:sqs', eventSourceARN, awsRegion}]}`), and the
 * messages are deleted once the function returns without error, as Lambda's poller does. A
 * function error leaves them in flight: they come back after the queue's visibility timeout
 * and, past the redrive policy's maxReceiveCount, go to its DLQ. With ReportBatchItemFailures
 * the function's `batchItemFailures` stay and the rest are deleted. FilterCriteria apply:
 * messages that match no filter are deleted unseen.
 *
 * The function is invoked synchronously (RequestResponse) through the `forward.lambda`
 * endpoint (a local Lambda runtime such as `sam local start-lambda`), with the real Lambda SDK
 * client. Without that endpoint nothing polls the queue: its messages wait there, to be seen.
 *
 * Nothing busy-waits: a poll is the queue's own long poll (on the clock), which a message
 * wakes; stop() cancels it.
 */
import type { SqsService } from '../sqs/service.js';
import { uuid } from '../ids.js';
import { AwsError } from '../gateway/errors.js';
import { compilePatternText, matchesEvent, type CompiledPattern } from '../patterns/index.js';

export interface EventSourceSpec {
  queueArn: string;
  functionArn: string;
  /** Messages per invocation: 1 to 10 (more would need batching windows Switchyard does not keep). */
  batchSize: number;
  /** FunctionResponseTypes has ReportBatchItemFailures. */
  reportBatchItemFailures: boolean;
  /**
   * FilterCriteria's patterns: a message that matches none is deleted without an invocation, as
   * Lambda does. They match the record with its body parsed when it is JSON (`{"body": {...}}`).
   */
  filters: string[];
}

/** Invokes a function synchronously; what it answered, or the error that stopped it. */
export type Invoke = (functionArn: string, payload: string) => Promise<{ ok: true; body: string } | { ok: false; error: string }>;

interface SqsMessage {
  MessageId: string;
  ReceiptHandle: string;
  Body: string;
  MD5OfBody: string;
  Attributes?: Record<string, string>;
  MessageAttributes?: Record<string, { DataType: string; StringValue?: string; BinaryValue?: Uint8Array }>;
}

export class SqsEventSource {
  private stopped = false;
  private cancelPoll: (() => void) | undefined;
  /** Invocations made, failed: for the inspection API. */
  invocations = 0;
  failures = 0;
  lastError: string | undefined;
  private readonly filters: CompiledPattern[];

  constructor(
    private readonly sqs: SqsService,
    private readonly invoke: Invoke,
    readonly spec: EventSourceSpec,
    private readonly onError: (err: unknown) => void,
  ) {
    this.filters = spec.filters.map(compilePatternText);
  }

  start(): void {
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    this.cancelPoll?.();
  }

  private async run(): Promise<void> {
    const [, , , region, account, name] = this.spec.queueArn.split(':');
    const QueueUrl = `http://localhost/${account}/${name}`;
    const ctx = (onAbort: (cb: () => void) => void) => ({ account, region, requestId: uuid(), baseUrl: 'http://localhost', protocol: 'json' as const, onAbort });
    while (!this.stopped) {
      let messages: SqsMessage[];
      try {
        const out = (await this.sqs.handle(
          'ReceiveMessage',
          { QueueUrl, MaxNumberOfMessages: this.spec.batchSize, WaitTimeSeconds: 20, MessageSystemAttributeNames: ['All'], MessageAttributeNames: ['All'] },
          ctx((cb) => (this.cancelPoll = cb)),
        )) as { Messages?: SqsMessage[] };
        this.cancelPoll = undefined;
        messages = out.Messages ?? [];
      } catch (err) {
        // The queue is gone (deleted, or everything reset): nothing left to poll.
        if (!(err instanceof AwsError)) this.onError(err);
        return;
      }
      if (messages.length === 0 || this.stopped) continue;
      const records = messages.map((m) => this.record(m, region));
      const passing = records.filter((r) => this.passes(r));
      let keep = new Set<string>();
      if (passing.length > 0) {
        this.invocations++;
        const result = await this.invoke(this.spec.functionArn, JSON.stringify({ Records: passing }));
        if (this.stopped) return;
        if (!result.ok) {
          this.failures++;
          this.lastError = result.error;
          // The batch stays in flight and comes back after the visibility timeout; filtered-out messages go.
          keep = new Set(passing.map((r) => r.messageId as string));
        } else if (this.spec.reportBatchItemFailures) keep = failedItems(result.body);
      }
      const done = messages.filter((m) => !keep.has(m.MessageId));
      if (done.length === 0) continue;
      try {
        this.sqs.handleNow('DeleteMessageBatch', { QueueUrl, Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }, ctx(() => {}));
      } catch (err) {
        if (!(err instanceof AwsError)) this.onError(err);
        return;
      }
    }
  }

  private passes(record: Record<string, unknown>): boolean {
    if (this.filters.length === 0) return true;
    let body: unknown = record.body;
    try {
      body = JSON.parse(record.body as string);
    } catch {
      // not JSON: the body is matched as the text it is
    }
    const subject = { ...record, body };
    return this.filters.some((f) => matchesEvent(f, subject));
  }

  /** One message as Lambda's SQS event has it. */
  private record(m: SqsMessage, region: string): Record<string, unknown> {
    const attributes: Record<string, unknown> = {};
    for (const [k, a] of Object.entries(m.MessageAttributes ?? {})) {
      attributes[k] = {
        dataType: a.DataType,
        stringValue: a.StringValue,
        binaryValue: a.BinaryValue ? Buffer.from(a.BinaryValue).toString('base64') : undefined,
        stringListValues: [],
        binaryListValues: [],
      };
    }
    return {
      messageId: m.MessageId,
      receiptHandle: m.ReceiptHandle,
      body: m.Body,
      attributes: m.Attributes ?? {},
      messageAttributes: attributes,
      md5OfBody: m.MD5OfBody,
      eventSource: 'aws:sqs',
      eventSourceARN: this.spec.queueArn,
      awsRegion: region,
    };
  }
}

/** The message ids a function reported as failed (`{batchItemFailures: [{itemIdentifier}]}`). */
function failedItems(body: string): Set<string> {
  try {
    const parsed = JSON.parse(body) as { batchItemFailures?: Array<{ itemIdentifier?: unknown }> } | null;
    return new Set((parsed?.batchItemFailures ?? []).map((f) => String(f.itemIdentifier)));
  } catch {
    return new Set();
  }
}

/**
 * Synchronous invocations through the Lambda SDK client, pointed at the forward endpoint; the
 * client is loaded on first use (starting Switchyard loads none of the forwarded services').
 */
export function lambdaInvoker(endpoint: string, region: string): { invoke: Invoke; close(): void } {
  type Sdk = typeof import('@aws-sdk/client-lambda');
  let loaded: Promise<{ client: InstanceType<Sdk['LambdaClient']>; InvokeCommand: Sdk['InvokeCommand'] }> | undefined;
  const load = () =>
    (loaded ??= import('@aws-sdk/client-lambda').then(({ LambdaClient, InvokeCommand }) => ({
      client: new LambdaClient({ endpoint, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 }),
      InvokeCommand,
    })));
  return {
    async invoke(functionArn, payload) {
      try {
        const { client, InvokeCommand } = await load();
        const out = await client.send(new InvokeCommand({ FunctionName: functionArn, InvocationType: 'RequestResponse', Payload: new TextEncoder().encode(payload) }));
        const body = out.Payload ? new TextDecoder().decode(out.Payload) : '';
        return out.FunctionError ? { ok: false, error: `${out.FunctionError}: ${body.slice(0, 200)}` } : { ok: true, body };
      } catch (err) {
        return { ok: false, error: (err as Error).message };
      }
    },
    close() {
      void loaded?.then(({ client }) => client.destroy(), () => undefined);
    },
  };
}
