/**
 * SQS's operations. Each handler takes the SDK's own request type and returns its result type,
 * so the compiler checks every shape we answer with; the codecs do the wire format.
 */
import type { Faults } from '../faults/faults.js';
import type { SendTrace, TraceLog } from '../trace/trace.js';
import { uuid } from '../ids.js';
import type * as sqs from '@aws-sdk/client-sqs';
import type { Clock } from '../clock.js';
import type { RequestContext, ServiceHandler } from '../gateway/context.js';
import { AwsError, missingParameter } from '../gateway/errors.js';
import {
  SQS_LIMITS,
  allAttributeNames,
  parseRedriveAllowPolicy,
  parseRedrivePolicy,
  validateAttribute,
  validateQueueName,
} from './attributes.js';
import { invalidParameterValue, queueDoesNotExist, sqsError } from './errors.js';
import { md5Hex, md5OfAttributes } from './md5.js';
import type { AttributeMap, SqsMessage } from './message.js';
import { Queue, type QueueJournal, type Received } from './queue.js';
import { SqsRegion, parseQueueArn, parseQueueUrl, type MoveTask } from './region.js';
import { sqsShapes, type SqsOperation } from './shapes.js';
import { validateBatch, validateSend, type SendEntry } from './validate.js';

type Handler<I, O> = (input: I, ctx: RequestContext) => O | Promise<O>;

interface SqsHandlers {
  CreateQueue: Handler<sqs.CreateQueueRequest, sqs.CreateQueueResult>;
  DeleteQueue: Handler<sqs.DeleteQueueRequest, void>;
  GetQueueUrl: Handler<sqs.GetQueueUrlRequest, sqs.GetQueueUrlResult>;
  ListQueues: Handler<sqs.ListQueuesRequest, sqs.ListQueuesResult>;
  GetQueueAttributes: Handler<sqs.GetQueueAttributesRequest, sqs.GetQueueAttributesResult>;
  SetQueueAttributes: Handler<sqs.SetQueueAttributesRequest, void>;
  SendMessage: Handler<sqs.SendMessageRequest, sqs.SendMessageResult>;
  SendMessageBatch: Handler<sqs.SendMessageBatchRequest, sqs.SendMessageBatchResult>;
  ReceiveMessage: Handler<sqs.ReceiveMessageRequest, sqs.ReceiveMessageResult>;
  DeleteMessage: Handler<sqs.DeleteMessageRequest, void>;
  DeleteMessageBatch: Handler<sqs.DeleteMessageBatchRequest, sqs.DeleteMessageBatchResult>;
  ChangeMessageVisibility: Handler<sqs.ChangeMessageVisibilityRequest, void>;
  ChangeMessageVisibilityBatch: Handler<sqs.ChangeMessageVisibilityBatchRequest, sqs.ChangeMessageVisibilityBatchResult>;
  PurgeQueue: Handler<sqs.PurgeQueueRequest, void>;
  TagQueue: Handler<sqs.TagQueueRequest, void>;
  UntagQueue: Handler<sqs.UntagQueueRequest, void>;
  ListQueueTags: Handler<sqs.ListQueueTagsRequest, sqs.ListQueueTagsResult>;
  ListDeadLetterSourceQueues: Handler<sqs.ListDeadLetterSourceQueuesRequest, sqs.ListDeadLetterSourceQueuesResult>;
  AddPermission: Handler<sqs.AddPermissionRequest, void>;
  RemovePermission: Handler<sqs.RemovePermissionRequest, void>;
  StartMessageMoveTask: Handler<sqs.StartMessageMoveTaskRequest, sqs.StartMessageMoveTaskResult>;
  CancelMessageMoveTask: Handler<sqs.CancelMessageMoveTaskRequest, sqs.CancelMessageMoveTaskResult>;
  ListMessageMoveTasks: Handler<sqs.ListMessageMoveTasksRequest, sqs.ListMessageMoveTasksResult>;
}

const SYSTEM_ATTRIBUTE_NAMES = new Set([
  'All',
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'SequenceNumber',
  'MessageDeduplicationId',
  'MessageGroupId',
  'AWSTraceHeader',
  'DeadLetterQueueSourceArn',
]);

const DEFAULT_MOVE_RATE = 500;

/** Persistence (`dataDir`, src/persist): what the service needs from it. */
export interface SqsPersistence {
  /** Told of every change to every queue's messages. */
  readonly journal: QueueJournal;
  /** Resolves once everything journaled so far is on disk. */
  durable(): Promise<void>;
  /** The queues or their attributes or tags changed: resolves once the catalog on disk has it. */
  catalogChanged(): Promise<void>;
}

/**
 * Operations whose answer waits for the journal: an acknowledged send is on disk, and so is an
 * acknowledged delete (else a kill -9 brings the message back, and a FIFO queue hands it out twice).
 */
const DURABLE_OPERATIONS = new Set(['SendMessage', 'SendMessageBatch', 'DeleteMessage', 'DeleteMessageBatch']);
/** Operations that change the catalog; their answer waits for it to be written. */
const CATALOG_OPERATIONS = new Set(['CreateQueue', 'DeleteQueue', 'SetQueueAttributes', 'TagQueue', 'UntagQueue', 'AddPermission', 'RemovePermission']);

export interface SqsServiceOptions {
  clock: Clock;
  /** Sends through the API are recorded here (the debug UI's stream). */
  trace?: TraceLog;
  /** Injected faults (src/faults): duplicates and reordering on standard queues. */
  faults?: Faults;
}

export class SqsService implements ServiceHandler {
  readonly name = 'sqs' as const;
  readonly json = {
    version: '1.0' as const,
    contentType: 'application/x-amz-json-1.0',
    targetPrefix: 'AmazonSQS',
    queryCompatible: true,
  };
  readonly query = { version: '2012-11-05', namespace: 'http://queue.amazonaws.com/doc/2012-11-05/' };
  readonly operations = sqsShapes;
  private readonly regions = new Map<string, SqsRegion>();
  private readonly urlCache = new Map<string, Queue>();
  private readonly clock: Clock;
  private readonly trace: TraceLog | undefined;
  private readonly faults: Faults | undefined;
  /** Set by src/persist when Switchyard runs with a dataDir; undefined otherwise (no cost). */
  persistence: SqsPersistence | undefined;

  constructor(options: SqsServiceOptions) {
    this.clock = options.clock;
    this.trace = options.trace;
    this.faults = options.faults;
  }

  handleNow(operation: string, input: Record<string, unknown>, ctx: RequestContext): unknown {
    return (this.handlers[operation as SqsOperation] as Handler<unknown, unknown>)(input, ctx);
  }

  handle(operation: string, input: Record<string, unknown>, ctx: RequestContext): unknown {
    const handler = this.handlers[operation as SqsOperation] as Handler<unknown, unknown>;
    const persistence = this.persistence;
    if (persistence === undefined) return handler(input, ctx);
    const output = handler(input, ctx);
    if (DURABLE_OPERATIONS.has(operation)) return persistence.durable().then(() => output);
    if (CATALOG_OPERATIONS.has(operation))
      return persistence
        .durable()
        .then(() => persistence.catalogChanged())
        .then(() => output);
    return output;
  }

  /** The state of one account and region, created on first use. */
  region(account: string, region: string): SqsRegion {
    const key = `${account}/${region}`;
    let r = this.regions.get(key);
    if (!r) this.regions.set(key, (r = new SqsRegion(account, region, this.clock)));
    return r;
  }

  /** Every queue in every account and region (inspection). */
  *allQueues(): IterableIterator<Queue> {
    for (const r of this.regions.values()) yield* r.queues.values();
  }

  findByArn = (arn: string): Queue | undefined => {
    const p = parseQueueArn(arn);
    if (!p) return undefined;
    return this.regions.get(`${p.account}/${p.region}`)?.queues.get(p.name);
  };

  /** Drop all state (tests, the inspection API's reset). */
  reset(): void {
    for (const q of this.allQueues()) q.destroy();
    for (const r of this.regions.values()) for (const t of r.moveTasks.values()) this.clock.cancel(t.timer);
    this.regions.clear();
    this.urlCache.clear();
  }

  queueUrl(ctx: RequestContext, q: Queue): string {
    return `${ctx.baseUrl}/${q.id.account}/${q.name}`;
  }

  private queueFromUrl(url: string | undefined, ctx: RequestContext): Queue {
    if (!url) throw missingParameter('QueueUrl');
    // Clients send the same few URLs on every call: remember what each resolved to.
    const key = `${ctx.region} ${url}`;
    const cached = this.urlCache.get(key);
    if (cached && !cached.deleted) return cached;
    const q = this.lookupQueueUrl(url, ctx);
    if (this.urlCache.size >= 10_000) this.urlCache.clear();
    this.urlCache.set(key, q);
    return q;
  }

  private lookupQueueUrl(url: string, ctx: RequestContext): Queue {
    const parsed = parseQueueUrl(url);
    if (!parsed) throw queueDoesNotExist();
    const q = this.regions.get(`${parsed.account}/${ctx.region}`)?.queues.get(parsed.name);
    if (!q) throw queueDoesNotExist();
    return q;
  }

  private createQueue(region: SqsRegion, name: string, attributes: Record<string, string>, tags?: Record<string, string>): Queue {
    const fifo = attributes.FifoQueue === 'true';
    validateQueueName(name, fifo || name.endsWith('.fifo'));
    if (!fifo && name.endsWith('.fifo')) validateQueueName(name, false);
    for (const [k, v] of Object.entries(attributes)) validateAttribute(k, v, fifo, true);
    const existing = region.queues.get(name);
    if (existing) {
      for (const [k, v] of Object.entries(attributes)) {
        const current = existing.attributes.get(k) ?? (k === 'FifoQueue' ? 'false' : '');
        const same = k === 'RedrivePolicy' && v !== '' ? equalRedrive(current, v) : current === v;
        if (!same)
          throw sqsError('QueueNameExists', `A queue already exists with the same name and a different value for attribute ${k}`);
      }
      return existing;
    }
    const deletedAt = region.deletedAt.get(name);
    if (deletedAt !== undefined && this.clock.now() - deletedAt < SQS_LIMITS.recreateCooldownMs)
      throw sqsError('QueueDeletedRecently', 'You must wait 60 seconds after deleting a queue before you can create another with the same name.');
    this.checkRedrive(fifo, attributes);
    const q = new Queue({ account: region.account, region: region.region, name }, this.queueEnvironment(), fifo);
    const { FifoQueue: _fifo, ...rest } = attributes;
    q.setAttributes(rest);
    if (tags) {
      if (Object.keys(tags).length > SQS_LIMITS.maxTags) throw invalidParameterValue(`Too many tags added for queue ${name}.`);
      for (const [k, v] of Object.entries(tags)) q.tags.set(k, v);
    }
    region.queues.set(name, q);
    return q;
  }

  private queueEnvironment(): ConstructorParameters<typeof Queue>[1] {
    return { clock: this.clock, resolveArn: this.findByArn, journal: this.persistence?.journal, faults: this.faults };
  }

  /** Persistence: a queue as the catalog on disk describes it (no validation, no messages yet). */
  restoreQueue(def: { account: string; region: string; name: string; fifo: boolean; attributes: Record<string, string>; tags?: Record<string, string>; createdAt?: number; lastModifiedAt?: number }): Queue {
    const region = this.region(def.account, def.region);
    region.queues.get(def.name)?.destroy();
    const q = new Queue({ account: def.account, region: def.region, name: def.name }, this.queueEnvironment(), def.fifo, def.createdAt);
    const { FifoQueue: _fifo, ...rest } = def.attributes;
    q.setAttributes(rest);
    if (def.lastModifiedAt !== undefined) q.lastModifiedAt = def.lastModifiedAt;
    for (const [k, v] of Object.entries(def.tags ?? {})) q.tags.set(k, v);
    region.queues.set(def.name, q);
    return q;
  }

  /** A RedrivePolicy must name an existing queue of the same type that allows us as a source. */
  private checkRedrive(fifo: boolean, attributes: Record<string, string>, sourceArn?: string): void {
    const value = attributes.RedrivePolicy;
    if (value === undefined || value === '') return;
    const policy = parseRedrivePolicy(value)!;
    const dlq = this.findByArn(policy.deadLetterTargetArn);
    const reason = (r: string) => invalidParameterValue(`Value ${value} for parameter RedrivePolicy is invalid. Reason: ${r}`);
    if (!dlq) throw reason('Dead letter target does not exist.');
    if (dlq.fifo !== fifo) throw reason('Dead-letter queue must be same type of queue as the source.');
    const allow = dlq.redriveAllowPolicy;
    if (allow && sourceArn) {
      if (allow.redrivePermission === 'denyAll' || (allow.redrivePermission === 'byQueue' && !allow.sourceQueueArns?.includes(sourceArn)))
        throw reason(`Queue ${dlq.arn} does not allow this queue as a dead-letter source.`);
    }
  }

  private readonly handlers: SqsHandlers = {
    CreateQueue: (input, ctx) => {
      const region = this.region(ctx.account, ctx.region);
      const q = this.createQueue(region, input.QueueName!, input.Attributes ?? {}, input.tags);
      return { QueueUrl: this.queueUrl(ctx, q) };
    },

    DeleteQueue: (input, ctx) => {
      const q = this.queueFromUrl(input.QueueUrl, ctx);
      const region = this.region(q.id.account, q.id.region);
      region.queues.delete(q.name);
      // Names deleted longer ago than the cooldown are forgotten (the map is in deletion order),
      // and the URL cache lets go of the queue: else both grow with every queue ever deleted.
      const now = this.clock.now();
      for (const [name, at] of region.deletedAt) {
        if (now - at < SQS_LIMITS.recreateCooldownMs) break;
        region.deletedAt.delete(name);
      }
      region.deletedAt.delete(q.name);
      region.deletedAt.set(q.name, now);
      for (const [key, cached] of this.urlCache) if (cached === q) this.urlCache.delete(key);
      q.destroy();
    },

    GetQueueUrl: (input, ctx) => {
      const account = input.QueueOwnerAWSAccountId ?? ctx.account;
      const q = this.regions.get(`${account}/${ctx.region}`)?.queues.get(input.QueueName!);
      if (!q) throw queueDoesNotExist();
      return { QueueUrl: this.queueUrl(ctx, q) };
    },

    ListQueues: (input, ctx) => {
      const prefix = input.QueueNamePrefix ?? '';
      const names = [...this.region(ctx.account, ctx.region).queues.keys()].filter((n) => n.startsWith(prefix));
      const { page, nextToken } = paginate(names, input.MaxResults, input.NextToken);
      const result: sqs.ListQueuesResult = {};
      if (page.length) result.QueueUrls = page.map((n) => `${ctx.baseUrl}/${ctx.account}/${n}`);
      if (nextToken) result.NextToken = nextToken;
      return result;
    },

    GetQueueAttributes: (input, ctx) => {
      const q = this.queueFromUrl(input.QueueUrl, ctx);
      const wanted = input.AttributeNames ?? [];
      for (const n of wanted)
        if (n !== 'All' && !allAttributeNames.has(n)) throw sqsError('InvalidAttributeName', `Unknown Attribute ${n}.`);
      const all = wanted.includes('All');
      const counts = q.counts;
      const everything: Record<string, string> = {
        QueueArn: q.arn,
        ApproximateNumberOfMessages: String(counts.visible),
        ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
        ApproximateNumberOfMessagesDelayed: String(counts.delayed),
        CreatedTimestamp: String(Math.floor(q.createdAt / 1000)),
        LastModifiedTimestamp: String(Math.floor(q.lastModifiedAt / 1000)),
        ...Object.fromEntries(q.attributes),
      };
      const attributes: Record<string, string> = {};
      for (const [k, v] of Object.entries(everything)) if (all || (wanted as string[]).includes(k)) attributes[k] = v;
      return Object.keys(attributes).length ? { Attributes: attributes } : {};
    },

    SetQueueAttributes: (input, ctx) => {
      const q = this.queueFromUrl(input.QueueUrl, ctx);
      const attrs = input.Attributes ?? {};
      for (const [k, v] of Object.entries(attrs)) validateAttribute(k, v, q.fifo, false);
      this.checkRedrive(q.fifo, attrs, q.arn);
      q.setAttributes(attrs);
    },

    SendMessage: (input, ctx) => {
      const q = this.queueFromUrl(input.QueueUrl, ctx);
      validateSend(q, input);
      return this.send(q, input, ctx, 'SendMessage');
    },

    SendMessageBatch: (input, ctx) => {
      const q = this.queueFromUrl(input.QueueUrl, ctx);
      validateBatch(input.Entries, 'SendMessageBatchRequestEntry');
      const entries = input.Entries!;
      if (q.fifo) {
        // AWS fails the whole FIFO batch (not the entry) for these two.
        if (entries.some((e) => e.MessageGroupId === undefined))
          throw invalidParameterValue('The request must contain the parameter MessageGroupId.');
        if (!q.contentBasedDedup && entries.some((e) => e.MessageDeduplicationId === undefined))
          throw invalidParameterValue('The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
      }
      let total = 0;
      const sizes = entries.map((e) => {
        try {
          return validateSend(q, e);
        } catch (err) {
          return err as Error;
        }
      });
      for (const s of sizes) if (typeof s === 'number') total += s;
      // The batch total is capped by the service limit; AWS ignores the queue's MaximumMessageSize here.
      if (total > SQS_LIMITS.maxMessageSize)
        throw sqsError('BatchRequestTooLong', `Batch requests cannot be longer than ${SQS_LIMITS.maxMessageSize} bytes. You have sent ${total} bytes.`);
      const result: sqs.SendMessageBatchResult = { Successful: [], Failed: [] };
      entries.forEach((e, i) => {
        const s = sizes[i];
        if (s instanceof Error) {
          result.Failed!.push(batchFailure(e.Id!, s));
          return;
        }
        const sent = this.send(q, e, ctx, 'SendMessageBatch');
        result.Successful!.push({ Id: e.Id!, MessageId: sent.MessageId!, MD5OfMessageBody: sent.MD5OfMessageBody!, ...sent });
      });
      return result;
    },

    ReceiveMessage: async (input, ctx) => {
      const q = this.queueFromUrl(input.QueueUrl, ctx);
      const max = input.MaxNumberOfMessages ?? 1;
      if (max < 1 || max > 10)
        throw invalidParameterValue(`Value ${max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`);
      const visibility = input.VisibilityTimeout ?? q.visibilityTimeout;
      if (visibility < 0 || visibility > SQS_LIMITS.maxVisibilityTimeout)
        throw invalidParameterValue(`Value ${visibility} for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= ${SQS_LIMITS.maxVisibilityTimeout}, if provided.`);
      const wait = input.WaitTimeSeconds ?? q.waitTimeSeconds;
      if (wait < 0 || wait > SQS_LIMITS.maxWaitTimeSeconds)
        throw invalidParameterValue(`Value ${wait} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= ${SQS_LIMITS.maxWaitTimeSeconds}, if provided.`);
      const systemNames = [...(input.AttributeNames ?? []), ...(input.MessageSystemAttributeNames ?? [])];
      for (const n of systemNames)
        if (!SYSTEM_ATTRIBUTE_NAMES.has(n)) throw sqsError('InvalidAttributeName', `Unknown Attribute ${n}.`);
      const params = { max, visibilityTimeout: visibility, attemptId: input.ReceiveRequestAttemptId };
      let received = q.receive(params);
      if (received.length === 0 && wait > 0) {
        const poll = q.wait(params, wait * 1000);
        ctx.onAbort(poll.cancel);
        received = await poll.promise;
      }
      if (received.length === 0) return {};
      const selectSystem = systemAttributeSelector(systemNames);
      const selectUser = messageAttributeSelector(input.MessageAttributeNames);
      return { Messages: received.map((r) => toMessage(r, selectSystem, selectUser)) };
    },

    DeleteMessage: (input, ctx) => {
      const q = this.queueFromUrl(input.QueueUrl, ctx);
      q.deleteMessage(input.ReceiptHandle!);
    },

    DeleteMessageBatch: (input, ctx) => {
      const q = this.queueFromUrl(input.QueueUrl, ctx);
      validateBatch(input.Entries, 'DeleteMessageBatchRequestEntry');
      return eachEntry(input.Entries!, (e) => q.deleteMessage(e.ReceiptHandle!));
    },

    ChangeMessageVisibility: (input, ctx) => {
      const q = this.queueFromUrl(input.QueueUrl, ctx);
      checkVisibility(input.VisibilityTimeout!);
      q.changeVisibility(input.ReceiptHandle!, input.VisibilityTimeout!);
    },

    ChangeMessageVisibilityBatch: (input, ctx) => {
      const q = this.queueFromUrl(input.QueueUrl, ctx);
      validateBatch(input.Entries, 'ChangeMessageVisibilityBatchRequestEntry');
      return eachEntry(input.Entries!, (e) => {
        if (e.VisibilityTimeout === undefined) throw missingParameter('VisibilityTimeout');
        checkVisibility(e.VisibilityTimeout);
        q.changeVisibility(e.ReceiptHandle!, e.VisibilityTimeout);
      });
    },

    PurgeQueue: (input, ctx) => {
      const q = this.queueFromUrl(input.QueueUrl, ctx);
      const now = this.clock.now();
      if (now - q.lastPurgeAt < SQS_LIMITS.purgeCooldownMs)
        throw sqsError('PurgeQueueInProgress', `Only one PurgeQueue operation on ${q.name} is allowed every 60 seconds.`);
      q.lastPurgeAt = now;
      q.purge();
    },

    TagQueue: (input, ctx) => {
      const q = this.queueFromUrl(input.QueueUrl, ctx);
      const tags = input.Tags ?? {};
      const keys = new Set([...q.tags.keys(), ...Object.keys(tags)]);
      if (keys.size > SQS_LIMITS.maxTags) throw invalidParameterValue(`Too many tags added for queue ${q.name}.`);
      for (const [k, v] of Object.entries(tags)) {
        if (k.length === 0 || k.length > 128) throw invalidParameterValue(`Tag key must be between 1 and 128 characters: ${k}`);
        if (v.length > 256) throw invalidParameterValue(`Tag value must be at most 256 characters: ${k}`);
      }
      for (const [k, v] of Object.entries(tags)) q.tags.set(k, v);
    },

    UntagQueue: (input, ctx) => {
      const q = this.queueFromUrl(input.QueueUrl, ctx);
      for (const k of input.TagKeys ?? []) q.tags.delete(k);
    },

    ListQueueTags: (input, ctx) => {
      const q = this.queueFromUrl(input.QueueUrl, ctx);
      return q.tags.size ? { Tags: Object.fromEntries(q.tags) } : {};
    },

    ListDeadLetterSourceQueues: (input, ctx) => {
      const q = this.queueFromUrl(input.QueueUrl, ctx);
      // Keyed by URL path so that sources in other accounts sort and link correctly.
      const sources = [...this.allQueues()]
        .filter((s) => s.redrivePolicy?.deadLetterTargetArn === q.arn)
        .map((s) => `${s.id.account}/${s.name}`);
      const { page, nextToken } = paginate(sources, input.MaxResults, input.NextToken);
      const result: sqs.ListDeadLetterSourceQueuesResult = { queueUrls: page.map((p) => `${ctx.baseUrl}/${p}`) };
      if (nextToken) result.NextToken = nextToken;
      return result;
    },

    AddPermission: (input, ctx) => {
      const q = this.queueFromUrl(input.QueueUrl, ctx);
      const policy = readPolicy(q);
      if (!input.AWSAccountIds?.length) throw missingParameter('AWSAccountId');
      if (!input.Actions?.length) throw missingParameter('ActionName');
      if (input.Actions.length > 7)
        throw sqsError('OverLimit', `${input.Actions.length} Actions were found, maximum allowed is 7.`);
      if (policy.Statement.some((s) => s.Sid === input.Label))
        throw invalidParameterValue(`Value ${input.Label} for parameter Label is invalid. Reason: Already exists.`);
      policy.Statement.push({
        Sid: input.Label!,
        Effect: 'Allow',
        // As AWS writes it: a lone principal or action is a string, several are a list.
        Principal: { AWS: oneOrMany(input.AWSAccountIds.map((a) => `arn:aws:iam::${a}:root`)) },
        Action: oneOrMany(input.Actions.map((a) => (a === '*' ? 'SQS:*' : `SQS:${a}`))),
        Resource: q.arn,
      });
      q.setAttributes({ Policy: JSON.stringify(policy) });
    },

    RemovePermission: (input, ctx) => {
      const q = this.queueFromUrl(input.QueueUrl, ctx);
      const policy = readPolicy(q);
      const kept = policy.Statement.filter((s) => s.Sid !== input.Label);
      if (kept.length === policy.Statement.length)
        throw invalidParameterValue(`Value ${input.Label} for parameter Label is invalid. Reason: can't find label.`);
      policy.Statement = kept;
      q.setAttributes({ Policy: kept.length ? JSON.stringify(policy) : '' });
    },

    StartMessageMoveTask: (input) => {
      const source = this.findByArn(input.SourceArn!);
      if (!source) throw sqsError('ResourceNotFoundException', 'The resource that you specified for the SourceArn parameter doesn\'t exist.');
      const isDlq = [...this.allQueues()].some((s) => s.redrivePolicy?.deadLetterTargetArn === source.arn);
      if (!isDlq) throw invalidParameterValue('Source queue must be configured as a Dead Letter Queue.');
      let destination: Queue | undefined;
      if (input.DestinationArn) {
        destination = this.findByArn(input.DestinationArn);
        if (!destination) throw sqsError('ResourceNotFoundException', 'The resource that you specified for the DestinationArn parameter doesn\'t exist.');
      }
      const rate = input.MaxNumberOfMessagesPerSecond;
      if (rate !== undefined && (rate < 1 || rate > 500))
        throw invalidParameterValue(`Value ${rate} for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and 500.`);
      const region = this.region(source.id.account, source.id.region);
      for (const t of region.moveTasks.values())
        if (t.sourceArn === source.arn && t.status === 'RUNNING')
          throw invalidParameterValue('There is already a task running. Only one active task is allowed for a source queue arn at a given time.');
      const handle = Buffer.from(JSON.stringify({ taskId: uuid(), sourceArn: source.arn })).toString('base64');
      const task: MoveTask = {
        handle,
        status: 'RUNNING',
        sourceArn: source.arn,
        destinationArn: input.DestinationArn,
        ratePerSecond: rate,
        moved: 0,
        toMove: source.counts.visible,
        startedAt: this.clock.now(),
      };
      region.moveTasks.set(handle, task);
      // ListMessageMoveTasks shows a source's 10 most recent tasks: older ones are dropped.
      const ofSource = [...region.moveTasks.values()].filter((t) => t.sourceArn === source.arn);
      for (const t of ofSource.slice(0, Math.max(0, ofSource.length - 10))) region.moveTasks.delete(t.handle);
      this.stepMoveTask(task, source, destination);
      return { TaskHandle: handle };
    },

    CancelMessageMoveTask: (input) => {
      const task = this.findTask(input.TaskHandle!);
      if (!task) {
        // As AWS: a handle that does not decode is invalid; one naming a missing queue or task is not found.
        let sourceArn: unknown;
        try {
          sourceArn = JSON.parse(Buffer.from(input.TaskHandle!, 'base64').toString('utf8'))?.sourceArn;
        } catch {
          sourceArn = undefined;
        }
        if (typeof sourceArn !== 'string') throw invalidParameterValue('Value for parameter TaskHandle is invalid.');
        if (!this.findByArn(sourceArn))
          throw sqsError('ResourceNotFoundException', 'The resource that you specified for the SourceArn parameter doesn\'t exist.');
        throw sqsError('ResourceNotFoundException', 'Task does not exist.');
      }
      if (task.status !== 'RUNNING') throw sqsError('UnsupportedOperation', `Task is in ${task.status} status and cannot be cancelled.`);
      this.clock.cancel(task.timer);
      task.status = 'CANCELLED';
      return { ApproximateNumberOfMessagesMoved: task.moved };
    },

    ListMessageMoveTasks: (input) => {
      const max = input.MaxResults ?? 1;
      if (max < 1 || max > 10)
        throw invalidParameterValue(`Value ${max} for parameter MaxResults is invalid. Reason: Must be between 1 and 10.`);
      const source = this.findByArn(input.SourceArn!);
      if (!source) throw sqsError('ResourceNotFoundException', 'The resource that you specified for the SourceArn parameter doesn\'t exist.');
      const region = this.region(source.id.account, source.id.region);
      const tasks = [...region.moveTasks.values()]
        .filter((t) => t.sourceArn === source.arn)
        .sort((a, b) => b.startedAt - a.startedAt)
        .slice(0, max);
      return {
        Results: tasks.map((t) => {
          const entry: sqs.ListMessageMoveTasksResultEntry = {
            Status: t.status,
            SourceArn: t.sourceArn,
            ApproximateNumberOfMessagesMoved: t.moved,
            ApproximateNumberOfMessagesToMove: t.toMove,
            StartedTimestamp: t.startedAt,
          };
          if (t.status === 'RUNNING') entry.TaskHandle = t.handle;
          if (t.destinationArn) entry.DestinationArn = t.destinationArn;
          if (t.ratePerSecond !== undefined) entry.MaxNumberOfMessagesPerSecond = t.ratePerSecond;
          if (t.failureReason) entry.FailureReason = t.failureReason;
          return entry;
        }),
      };
    },
  };

  private findTask(handle: string): MoveTask | undefined {
    for (const r of this.regions.values()) {
      const t = r.moveTasks.get(handle);
      if (t) return t;
    }
    return undefined;
  }

  /** Move up to one second's worth of messages, then come back a second later (on the clock). */
  private stepMoveTask(task: MoveTask, source: Queue, destination: Queue | undefined): void {
    task.timer = undefined;
    if (task.status !== 'RUNNING') return;
    const budget = task.ratePerSecond ?? DEFAULT_MOVE_RATE;
    let moved = 0;
    for (const m of source.visibleMessages()) {
      if (moved >= budget) break;
      const target = destination ?? (m.deadLetterSourceArn ? this.findByArn(m.deadLetterSourceArn) : undefined);
      if (!target) {
        task.status = 'FAILED';
        task.failureReason = 'AWS.SimpleQueueService.NonExistentQueue';
        return;
      }
      if (source.moveTo(m, target)) {
        moved++;
        task.moved++;
      }
    }
    if (source.counts.visible === 0 || moved === 0) {
      task.status = 'COMPLETED';
      return;
    }
    task.timer = this.clock.after(1000, () => this.stepMoveTask(task, source, destination));
  }

  private send(q: Queue, e: SendEntry, ctx: RequestContext, via: SendTrace['via']): sqs.SendMessageResult {
    const { message, duplicate, injectedCopies } = q.send({
      body: e.MessageBody!,
      attributes: nonEmpty(e.MessageAttributes),
      systemAttributes: nonEmpty(e.MessageSystemAttributes),
      delaySeconds: e.DelaySeconds,
      groupId: e.MessageGroupId,
      dedupId: e.MessageDeduplicationId,
      senderId: ctx.accessKeyId ?? ctx.account,
    });
    const result: sqs.SendMessageResult = { MessageId: message.id, MD5OfMessageBody: md5Hex(e.MessageBody!) };
    const attrMd5 = md5OfAttributes(e.MessageAttributes);
    if (attrMd5) result.MD5OfMessageAttributes = attrMd5;
    const sysMd5 = md5OfAttributes(e.MessageSystemAttributes);
    if (sysMd5) result.MD5OfMessageSystemAttributes = sysMd5;
    if (message.sequenceNumber) result.SequenceNumber = message.sequenceNumber;
    if (this.trace) this.record(q, e, message.id, via, duplicate, injectedCopies);
    return result;
  }

  private record(q: Queue, e: SendEntry, id: string, via: SendTrace['via'], duplicate: boolean, injectedCopies?: { faultId: string; copies: number }): void {
    let attributes: SendTrace['message']['attributes'];
    if (e.MessageAttributes) {
      attributes = Object.create(null) as NonNullable<SendTrace['message']['attributes']>;
      for (const [k, a] of Object.entries(e.MessageAttributes))
        attributes[k] = a.BinaryValue ? { DataType: a.DataType!, BinaryValue: Buffer.from(a.BinaryValue).toString('base64') } : { DataType: a.DataType!, StringValue: a.StringValue };
    }
    this.trace!.add<SendTrace>({
      id,
      kind: 'send',
      at: this.clock.now(),
      account: q.id.account,
      region: q.id.region,
      queueArn: q.arn,
      via,
      message: { body: e.MessageBody!, attributes, groupId: e.MessageGroupId, dedupId: e.MessageDeduplicationId },
      duplicate: duplicate || undefined,
      injected: injectedCopies && { faultId: injectedCopies.faultId, kind: 'duplicate', copies: injectedCopies.copies },
    });
  }
}

function nonEmpty(m: AttributeMap | undefined): AttributeMap | undefined {
  return m && Object.keys(m).length > 0 ? m : undefined;
}

function equalRedrive(a: string, b: string): boolean {
  try {
    const x = parseRedrivePolicy(a);
    const y = parseRedrivePolicy(b);
    return x?.deadLetterTargetArn === y?.deadLetterTargetArn && x?.maxReceiveCount === y?.maxReceiveCount;
  } catch {
    return false;
  }
}

function checkVisibility(seconds: number): void {
  if (seconds < 0 || seconds > SQS_LIMITS.maxVisibilityTimeout)
    throw invalidParameterValue(
      `Value ${seconds} for parameter VisibilityTimeout is invalid. Reason: VisibilityTimeout must be an integer between 0 and ${SQS_LIMITS.maxVisibilityTimeout}.`,
    );
}

/** Run `fn` per batch entry; an entry that throws goes to Failed, the others to Successful. */
function eachEntry<E extends { Id: string | undefined }>(
  entries: E[],
  fn: (entry: E) => void,
): { Successful: { Id: string }[]; Failed: sqs.BatchResultErrorEntry[] } {
  const result = { Successful: [] as { Id: string }[], Failed: [] as sqs.BatchResultErrorEntry[] };
  for (const e of entries) {
    try {
      fn(e);
      result.Successful.push({ Id: e.Id! });
    } catch (err) {
      result.Failed.push(batchFailure(e.Id!, err as Error));
    }
  }
  return result;
}

function batchFailure(id: string, err: Error): sqs.BatchResultErrorEntry {
  if (err instanceof AwsError) return { Id: id, SenderFault: err.sender, Code: err.queryCode, Message: err.message };
  return { Id: id, SenderFault: false, Code: 'InternalError', Message: 'We encountered an internal error. Please try again.' };
}

/**
 * One page of `keys` in sorted order: at most MaxResults (1-1000) with a NextToken after the
 * last key, or, without MaxResults, up to 1000 and no token (as SQS's list operations do).
 */
function paginate(keys: string[], max: number | undefined, token: string | undefined): { page: string[]; nextToken?: string } {
  if (max !== undefined && (max < 1 || max > 1000))
    throw invalidParameterValue(`Value ${max} for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.`);
  const sorted = keys.sort();
  let start = 0;
  if (token) {
    const after = decodeToken(token);
    if (after === undefined) throw invalidParameterValue('Invalid NextToken value.');
    start = sorted.findIndex((n) => n > after);
    if (start < 0) start = sorted.length;
  }
  const limit = max ?? 1000;
  const page = sorted.slice(start, start + limit);
  const more = max !== undefined && start + limit < sorted.length;
  return more ? { page, nextToken: encodeToken(page[page.length - 1]) } : { page };
}

function encodeToken(name: string): string {
  return Buffer.from(JSON.stringify({ after: name })).toString('base64');
}

function decodeToken(token: string): string | undefined {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    return typeof v?.after === 'string' ? v.after : undefined;
  } catch {
    return undefined;
  }
}

function oneOrMany(values: string[]): string | string[] {
  return values.length === 1 ? values[0] : values;
}

interface PolicyDoc {
  Version: string;
  Id: string;
  Statement: { Sid?: string; [k: string]: unknown }[];
}

function readPolicy(q: Queue): PolicyDoc {
  const text = q.attributes.get('Policy');
  if (text) {
    try {
      const p = JSON.parse(text);
      if (Array.isArray(p.Statement)) return p as PolicyDoc;
      if (p.Statement) return { ...p, Statement: [p.Statement] };
    } catch {
      /* replaced below */
    }
  }
  return { Version: '2008-10-17', Id: `${q.arn}/SQSDefaultPolicy`, Statement: [] };
}

type Selector = (name: string) => boolean;

function systemAttributeSelector(names: string[]): Selector | undefined {
  if (names.length === 0) return undefined;
  if (names.includes('All')) return () => true;
  const set = new Set(names);
  return (n) => set.has(n);
}

/** `All`, `.*`, `prefix.*` and exact names, as ReceiveMessage's MessageAttributeNames allows. */
function messageAttributeSelector(names: string[] | undefined): Selector | undefined {
  if (!names || names.length === 0) return undefined;
  if (names.includes('All') || names.includes('.*') || names.includes('*')) return () => true;
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const n of names) {
    // AWS: `Hel.*` selects `Hello` and `Help.Me`, i.e. everything starting with `Hel`.
    if (n.endsWith('.*')) prefixes.push(n.slice(0, -2));
    else exact.add(n);
  }
  return (n) => exact.has(n) || prefixes.some((p) => n.startsWith(p));
}

function toMessage(r: Received, selectSystem: Selector | undefined, selectUser: Selector | undefined): sqs.Message {
  const m: SqsMessage = r.message;
  const out: sqs.Message = { MessageId: m.id, ReceiptHandle: r.receiptHandle, MD5OfBody: md5Hex(m.body), Body: m.body };
  if (selectSystem) {
    const all: Record<string, string | undefined> = {
      SenderId: m.senderId,
      SentTimestamp: String(m.sentAt),
      ApproximateReceiveCount: String(m.receiveCount),
      ApproximateFirstReceiveTimestamp: String(m.firstReceiveAt),
      SequenceNumber: m.sequenceNumber,
      MessageDeduplicationId: m.dedupId,
      MessageGroupId: m.groupId,
      AWSTraceHeader: m.systemAttributes?.AWSTraceHeader?.StringValue,
      DeadLetterQueueSourceArn: m.deadLetterSourceArn,
    };
    const attrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(all)) if (v !== undefined && selectSystem(k)) attrs[k] = v;
    out.Attributes = attrs;
  }
  if (selectUser && m.attributes) {
    const picked: AttributeMap = {};
    let any = false;
    for (const [k, v] of Object.entries(m.attributes)) {
      if (selectUser(k)) {
        // defineProperty: an attribute named __proto__ stays an ordinary key.
        Object.defineProperty(picked, k, { value: v, enumerable: true, writable: true, configurable: true });
        any = true;
      }
    }
    if (any) {
      out.MessageAttributes = picked;
      out.MD5OfMessageAttributes = md5OfAttributes(picked);
    }
  }
  return out;
}
