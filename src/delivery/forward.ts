/**
 * Forwarding EventBridge targets of services Switchyard does not emulate (Lambda, Step
 * Functions, Kinesis, Firehose, CloudWatch Logs) to a local endpoint the user configures per
 * service (a local Lambda runtime, Step Functions Local, kinesalite, ...), through the real AWS
 * SDK client of that service, so the far end sees exactly the request AWS EventBridge would make.
 *
 * Without an endpoint for the service, and for target services nothing here can forward to
 * (ECS, Batch, SageMaker, Redshift Data, SSM, CodeBuild, ...), the delivery is *captured*:
 * `{ ok: true, captured: true }`, so the trace shows it and nothing is silently dropped.
 *
 * Each SDK client is loaded with a dynamic import() the first time a target of its service is
 * delivered (so starting Switchyard costs none of them), then kept and reused. Clients make one
 * attempt (`maxAttempts: 1`): Switchyard's own RetryPolicy, on its clock, does the retrying,
 * reading `retryable` from the outcome. Calls go only to the configured endpoint: the clients'
 * endpoint is fixed, and smithy's node-http-handler follows no redirect (a 3xx is an error of the
 * attempt; test/security-outbound.test.ts).
 *
 * What AWS does, and what this file copies:
 * - Lambda: EventBridge invokes functions asynchronously, InvocationType 'Event'; the payload
 *   is the target input (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html).
 * - Step Functions: StartExecution with the target input as `input`; no execution name is
 *   given, so the service generates one.
 * - Kinesis: PutRecord; the partition key is KinesisParameters.PartitionKeyPath resolved
 *   against the event, else the event id
 *   (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_KinesisParameters.html).
 * - Firehose: PutRecord with the input as the record's data, unchanged: no newline is added;
 *   Firehose concatenates records without delimiters unless the stream is set to add them
 *   (https://docs.aws.amazon.com/firehose/latest/dev/basic-deliver.html).
 * - CloudWatch Logs: the log group's resource policy must allow EventBridge
 *   logs:CreateLogStream and logs:PutLogEvents; AWS does not document the stream's name.
 *   Here: one stream per event, named after the event id (so a retry of the event finds its
 *   stream), holding one log event whose message is the input. An input transformer for a log
 *   group target must produce `{"timestamp": <timestamp>, "message": <message>}` (the note on
 *   https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutTargets.html); such an
 *   input gives the log event its two fields.
 */
import type { DeliveryOutcome } from './outcome.js';
import { failed } from './outcome.js';
import type { NodeHttpHandler } from '@smithy/node-http-handler';
import { uuid } from '../ids.js';

/** The services forwarded here, named by the service segment of the target ARN. */
export type ForwardService = 'lambda' | 'states' | 'kinesis' | 'firehose' | 'logs';

export const FORWARD_SERVICES: readonly ForwardService[] = ['lambda', 'states', 'kinesis', 'firehose', 'logs'];

/** Endpoint URL per service, keyed by the ARN's service segment: `{ lambda: 'http://127.0.0.1:3001' }`. */
export interface ForwardEndpoints {
  [service: string]: string | undefined;
}

export interface ForwarderOptions {
  endpoints: ForwardEndpoints;
  /** Region the SDK clients sign for. Default us-east-1. */
  region?: string;
  /** Fixed credentials for every client; local endpoints rarely check them. Default test/test. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Abandon a connection attempt after this long (ms); the attempt is retryable. Default 5000. */
  connectionTimeoutMs?: number;
  /** Abandon a request after this long (ms); the attempt is retryable. Default 30000. */
  requestTimeoutMs?: number;
  /**
   * Epoch milliseconds, for the CloudWatch Logs event timestamp when the caller passes none.
   * Pass the Switchyard clock's `now`; the default is wall time.
   */
  now?: () => number;
}

/** Target-specific values the caller resolved from the event and the EventBridge Target. */
export interface ForwardParams {
  /** The event's id: the Kinesis partition key without a PartitionKeyPath, and the log stream name. */
  eventId?: string;
  /** KinesisParameters.PartitionKeyPath, resolved against the original event. */
  partitionKey?: string;
  /** The event's time (epoch ms), for the CloudWatch Logs event timestamp. */
  timestamp?: number;
}

/** The smallest view of an SDK client this file needs. */
interface SdkClient {
  send(command: unknown): Promise<any>;
  destroy(): void;
}

/** A loaded SDK module for one service: its client, and how to deliver one body through it. */
interface ServiceDriver {
  client: SdkClient;
  deliver(arn: string, resource: string, body: string, params: ForwardParams): Promise<DeliveryOutcome>;
}

const DEFAULT_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

export class Forwarder {
  private readonly endpoints: ForwardEndpoints;
  private readonly region: string;
  private readonly credentials: NonNullable<ForwarderOptions['credentials']>;
  private readonly connectionTimeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly now: () => number;
  /** One driver per service, created on first use; a promise so concurrent first deliveries share it. */
  private readonly drivers = new Map<ForwardService, Promise<ServiceDriver>>();
  private closed = false;

  constructor(opts: ForwarderOptions) {
    this.endpoints = { ...opts.endpoints };
    this.region = opts.region ?? 'us-east-1';
    this.credentials = opts.credentials ?? DEFAULT_CREDENTIALS;
    this.connectionTimeoutMs = opts.connectionTimeoutMs ?? 5_000;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.now = opts.now ?? (() => Date.now());
  }

  /** The service segment of an ARN ('lambda', 'states', ...), or '' when `arn` is not an ARN. */
  serviceOf(arn: string): string {
    const parts = arn.split(':');
    return parts.length >= 6 && parts[0] === 'arn' ? parts[2] : '';
  }

  /** Whether targets with this ARN would be forwarded (a forwardable service with an endpoint). */
  forwards(arn: string): boolean {
    const service = this.serviceOf(arn);
    return isForwardService(service) && !!this.endpoints[service];
  }

  /**
   * Deliver `body` (the target's input after Input / InputPath / InputTransformer) to the target
   * `arn`. Never throws: every failure comes back as an outcome.
   */
  async deliver(arn: string, body: string, params: ForwardParams = {}): Promise<DeliveryOutcome> {
    const service = this.serviceOf(arn);
    if (!service) return failed('ValidationException', `not a valid ARN: ${arn}`, false);
    if (!isForwardService(service)) {
      return { ok: true, captured: true, detail: `Switchyard does not forward ${service} targets; recorded only` };
    }
    const endpoint = this.endpoints[service];
    if (!endpoint) return { ok: true, captured: true, detail: `no endpoint configured for ${service}; recorded only` };
    if (this.closed) return failed('ForwarderClosed', 'Switchyard is stopping; the delivery was not attempted', true);

    // Everything after the account id: 'function:name[:qualifier]', 'stream/name', ...
    const resource = arn.split(':').slice(5).join(':');
    let driver: ServiceDriver;
    try {
      driver = await this.driver(service, endpoint);
    } catch (err) {
      // A missing or broken SDK package is a fault of the installation, not of this event.
      return failed('ForwarderUnavailable', `could not load the ${service} client: ${messageOf(err)}`, false);
    }
    try {
      return await driver.deliver(arn, resource, body, params);
    } catch (err) {
      return outcomeOfError(err);
    }
  }

  /** Destroy the SDK clients (closing their sockets). Deliveries after this fail, retryably. */
  close(): void {
    this.closed = true;
    for (const pending of this.drivers.values()) {
      pending.then(
        (d) => d.client.destroy(),
        () => undefined,
      );
    }
    this.drivers.clear();
  }

  private driver(service: ForwardService, endpoint: string): Promise<ServiceDriver> {
    let pending = this.drivers.get(service);
    if (!pending) {
      pending = this.load(service, endpoint);
      // A failed load is not cached: the next delivery tries again.
      pending.catch(() => this.drivers.get(service) === pending && this.drivers.delete(service));
      this.drivers.set(service, pending);
    }
    return pending;
  }

  private async load(service: ForwardService, endpoint: string): Promise<ServiceDriver> {
    const { NodeHttpHandler } = await import('@smithy/node-http-handler');
    const config = {
      endpoint,
      region: this.region,
      credentials: this.credentials,
      maxAttempts: 1,
      // HTTP/1.1 for every service: the Kinesis client defaults to an HTTP/2 handler, which local
      // Kinesis implementations served over plain HTTP (kinesalite, ...) do not speak.
      requestHandler: new NodeHttpHandler({
        connectionTimeout: this.connectionTimeoutMs,
        requestTimeout: this.requestTimeoutMs,
        throwOnRequestTimeout: true,
      }),
    };
    switch (service) {
      case 'lambda':
        return lambdaDriver(config);
      case 'states':
        return statesDriver(config);
      case 'kinesis':
        return kinesisDriver(config);
      case 'firehose':
        return firehoseDriver(config);
      case 'logs':
        return logsDriver(config, this.now);
    }
  }
}

function isForwardService(service: string): service is ForwardService {
  return (FORWARD_SERVICES as readonly string[]).includes(service);
}

type ClientConfig = {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  maxAttempts: number;
  requestHandler: NodeHttpHandler;
};

const utf8 = new TextEncoder();

/** `arn:aws:lambda:region:account:function:name[:qualifier]` -> Invoke, asynchronously. */
async function lambdaDriver(config: ClientConfig): Promise<ServiceDriver> {
  const { LambdaClient, InvokeCommand } = await import('@aws-sdk/client-lambda');
  const client = new LambdaClient(config);
  return {
    client,
    async deliver(arn, resource, body) {
      if (!resource.startsWith('function:')) return badTarget('Lambda function', arn);
      // FunctionName takes the full ARN, qualifier included.
      const out = await client.send(new InvokeCommand({ FunctionName: arn, InvocationType: 'Event', Payload: utf8.encode(body) }));
      return { ok: true, detail: `lambda: invoked asynchronously (${out.StatusCode ?? 202})` };
    },
  };
}

/** `arn:aws:states:region:account:stateMachine:name` -> StartExecution. */
async function statesDriver(config: ClientConfig): Promise<ServiceDriver> {
  const { SFNClient, StartExecutionCommand } = await import('@aws-sdk/client-sfn');
  const client = new SFNClient(config);
  return {
    client,
    async deliver(arn, resource, body) {
      if (!resource.startsWith('stateMachine:')) return badTarget('Step Functions state machine', arn);
      const out = await client.send(new StartExecutionCommand({ stateMachineArn: arn, input: body }));
      return { ok: true, detail: `states: started ${out.executionArn ?? 'an execution'}` };
    },
  };
}

/** `arn:aws:kinesis:region:account:stream/name` -> PutRecord. */
async function kinesisDriver(config: ClientConfig): Promise<ServiceDriver> {
  const { KinesisClient, PutRecordCommand } = await import('@aws-sdk/client-kinesis');
  const client = new KinesisClient(config);
  return {
    client,
    async deliver(arn, resource, body, params) {
      if (!resource.startsWith('stream/')) return badTarget('Kinesis stream', arn);
      // StreamName rather than StreamARN: with StreamARN the endpoint rules route by account,
      // which a configured local endpoint must not be subject to.
      const out = await client.send(
        new PutRecordCommand({
          StreamName: resource.slice('stream/'.length),
          Data: utf8.encode(body),
          PartitionKey: params.partitionKey ?? params.eventId ?? uuid(),
        }),
      );
      return { ok: true, detail: `kinesis: ${out.ShardId ?? '?'} sequence ${out.SequenceNumber ?? '?'}` };
    },
  };
}

/** `arn:aws:firehose:region:account:deliverystream/name` -> PutRecord, data unchanged. */
async function firehoseDriver(config: ClientConfig): Promise<ServiceDriver> {
  const { FirehoseClient, PutRecordCommand } = await import('@aws-sdk/client-firehose');
  const client = new FirehoseClient(config);
  return {
    client,
    async deliver(arn, resource, body) {
      if (!resource.startsWith('deliverystream/')) return badTarget('Firehose delivery stream', arn);
      const out = await client.send(
        new PutRecordCommand({
          DeliveryStreamName: resource.slice('deliverystream/'.length),
          Record: { Data: utf8.encode(body) },
        }),
      );
      return { ok: true, detail: `firehose: record ${out.RecordId ?? '?'}` };
    },
  };
}

/** `arn:aws:logs:region:account:log-group:name[:*]` -> CreateLogStream + PutLogEvents. */
async function logsDriver(config: ClientConfig, now: () => number): Promise<ServiceDriver> {
  const { CloudWatchLogsClient, CreateLogStreamCommand, PutLogEventsCommand } = await import('@aws-sdk/client-cloudwatch-logs');
  const client = new CloudWatchLogsClient(config);
  return {
    client,
    async deliver(arn, resource, body, params) {
      if (!resource.startsWith('log-group:')) return badTarget('CloudWatch Logs log group', arn);
      let logGroupName = resource.slice('log-group:'.length);
      if (logGroupName.endsWith(':*')) logGroupName = logGroupName.slice(0, -2);
      // One stream per event, named after it: a retry of the same event finds its stream.
      const logStreamName = params.eventId ?? uuid();
      try {
        await client.send(new CreateLogStreamCommand({ logGroupName, logStreamName }));
      } catch (err) {
        if (nameOf(err) !== 'ResourceAlreadyExistsException') throw err;
      }
      const event = logEventOf(body, params.timestamp ?? now());
      await client.send(new PutLogEventsCommand({ logGroupName, logStreamName, logEvents: [event] }));
      return { ok: true, detail: `logs: ${logGroupName} / ${logStreamName}` };
    },
  };
}

/**
 * The log event for a target input. An input transformer for a log group target must produce
 * `{"timestamp": <timestamp>, "message": <message>}`; then those are the event's fields (the
 * timestamp as epoch ms, or an ISO 8601 string such as the event's `time`). Any other input is
 * the message as it stands, stamped with the event's time.
 */
export function logEventOf(body: string, fallbackTimestamp: number): { timestamp: number; message: string } {
  if (body.startsWith('{')) {
    try {
      const parsed = JSON.parse(body) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        const o = parsed as Record<string, unknown>;
        const keys = Object.keys(o);
        if (keys.length === 2 && 'timestamp' in o && typeof o.message === 'string') {
          const ts = timestampOf(o.timestamp);
          if (ts !== undefined) return { timestamp: ts, message: o.message };
        }
      }
    } catch {
      // Not JSON: the body is the message.
    }
  }
  return { timestamp: fallbackTimestamp, message: body };
}

function timestampOf(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === 'string' && v !== '') {
    if (/^\d+$/.test(v)) return Number(v);
    const ms = Date.parse(v);
    if (!Number.isNaN(ms)) return ms;
  }
  return undefined;
}

function badTarget(kind: string, arn: string): DeliveryOutcome {
  return failed('ValidationException', `${arn} is not a ${kind} ARN`, false);
}

/** Error names that mean "too much, too fast": worth another attempt later. */
const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'KMSThrottlingException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'SlowDown',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
]);

/** Errors that never reached a response: the endpoint is down, slow or restarting. */
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

/**
 * An SDK error as an outcome: throttling, 5xx and network failures are retryable; anything the
 * target said no to (ResourceNotFound, validation, other 4xx) is not, and goes to the DLQ.
 */
export function outcomeOfError(err: unknown): DeliveryOutcome {
  const e = (err ?? {}) as {
    name?: string;
    code?: string;
    message?: string;
    $fault?: 'client' | 'server';
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  const code = nameOf(err);
  const message = messageOf(err);
  const status = e.$metadata?.httpStatusCode;
  const retryable =
    THROTTLING.has(code) ||
    NETWORK.has(code) ||
    (typeof e.code === 'string' && NETWORK.has(e.code)) ||
    !!e.$retryable ||
    (status !== undefined ? status === 429 || status >= 500 : e.$fault !== 'client');
  return failed(code, message, retryable, status);
}

/** The error's name, or its Node error code when the name says nothing ('Error'). */
function nameOf(err: unknown): string {
  const e = (err ?? {}) as { name?: unknown; code?: unknown };
  const name = typeof e.name === 'string' ? e.name : '';
  if ((name === '' || name === 'Error') && typeof e.code === 'string') return e.code;
  return name || 'Error';
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message || String(err.name);
  return String(err);
}
