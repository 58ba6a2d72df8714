/**
 * SNS's operations (query protocol, `Version=2010-03-31`). Each handler takes the SDK's own
 * request type and returns its response type. State lives per (account, region) in SnsRegion;
 * what happens to a published message is the fan-out's business (fanout.ts), retries the
 * deliverer's (src/delivery).
 */
import { createHash, randomBytes } from 'node:crypto';
import type * as sns from '@aws-sdk/client-sns';
import type { Clock } from '../clock.js';
import { Deliverer, type DeliveryRequest } from '../delivery/deliverer.js';
import { subscriptionFaultSite } from '../delivery/faults.js';
import type { Faults } from '../faults/faults.js';
import type { DeliveryOutcome } from '../delivery/outcome.js';
import type { Forwarder } from '../delivery/forward.js';
import type { RequestContext, ServiceHandler } from '../gateway/context.js';
import { AwsError } from '../gateway/errors.js';
import { uuid } from '../ids.js';
import type { Queue } from '../sqs/queue.js';
import type { PublishTrace, SubscriptionDelivery, TraceLog } from '../trace/trace.js';
import { FIFO_TOPIC_NAME, TOPIC_NAME, parseSubscriptionArn, parseTopicArn, topicArn } from './arn.js';
import { effectiveDeliveryPolicy, parseDeliveryPolicy, retryDelaysMs } from './delivery-policy.js';
import { SnsErrors, invalidParameter, notFound } from './errors.js';
import { Fanout, signingCertUrl } from './fanout.js';
import { FilterPolicyError, compileFilterPolicy, type FilterPolicy } from './filter-policy.js';
import { postToHttpEndpoint } from './http-delivery.js';
import { checkAttributes, checkMessage, isoMillis, parseMessageStructure, publishSize, renderEnvelope, type Published } from './message.js';
import { recordedJournal, restoredAttempts, type PendingDelivery, type SnsPersistence, type StoredConfirmation } from './persistence.js';
import { SnsRegion } from './region.js';
import { snsAllOperations, snsShapes, type SnsOperation } from './shapes.js';
import { SnsSigner } from './signing.js';
import { PROTOCOLS, RAW_PROTOCOLS, SUBSCRIPTION_ATTRIBUTES, Subscription } from './subscription.js';
import { SNS_LIMITS, TOPIC_ATTRIBUTES, Topic } from './topic.js';

type Handler<I, O> = (input: I, ctx: RequestContext) => O | Promise<O>;
type Handlers = { [K in SnsOperation]: Handler<never, unknown> };

export interface SnsServiceOptions {
  clock: Clock;
  trace: TraceLog;
  /** Queues by ARN, for SQS subscriptions and dead-letter queues. */
  findQueue(arn: string): Queue | undefined;
  /** Lambda and Firehose subscriptions go through the same forwarder as EventBridge targets. */
  forwarder: Forwarder;
  /** Largest message (with its attributes) Publish accepts; AWS's 256 KiB by default. */
  maxMessageBytes?: number;
  /** Injected faults on subscription deliveries (failure, duplicate, latency; src/delivery/faults.ts). */
  faults?: Faults;
  onError?(err: unknown): void;
}

const PENDING = 'pending confirmation';

/** Operations whose answer waits until what they accepted is on disk (with a data directory). */
const PUBLISH_OPERATIONS: ReadonlySet<string> = new Set(['Publish', 'PublishBatch']);
/** Operations that change the catalog; their answer waits for it to be written. */
const CATALOG_OPERATIONS: ReadonlySet<string> = new Set([
  'CreateTopic',
  'DeleteTopic',
  'SetTopicAttributes',
  'Subscribe',
  'ConfirmSubscription',
  'Unsubscribe',
  'SetSubscriptionAttributes',
  'TagResource',
  'UntagResource',
  'AddPermission',
  'RemovePermission',
  'PutDataProtectionPolicy',
]);

export class SnsService implements ServiceHandler {
  readonly name = 'sns' as const;
  readonly query = { version: '2010-03-31', namespace: 'http://sns.amazonaws.com/doc/2010-03-31/' };
  readonly operations = snsShapes;
  readonly knownOperations = snsAllOperations;

  readonly deliverer: Deliverer;
  readonly signer: SnsSigner;
  /**
   * Where messages that are not answers to a request point back at us (SigningCertURL,
   * UnsubscribeURL of a publish from an EventBridge rule): set once the server listens.
   */
  publicUrl = 'http://localhost:4566';
  /** Set by src/persist when Switchyard runs with a data directory; undefined otherwise (no cost). */
  persistence: SnsPersistence | undefined;
  /**
   * While a Publish or PublishBatch handler runs with persistence: the first attempts of its
   * in-process deliveries, which the answer waits for (then for the journals).
   */
  private publishWork: Promise<void>[] | undefined;
  private readonly fanout: Fanout;
  private readonly regions = new Map<string, SnsRegion>();
  readonly clock: Clock;
  private readonly maxMessageBytes: number;
  private readonly onError: (err: unknown) => void;

  constructor(private readonly options: SnsServiceOptions) {
    this.clock = options.clock;
    this.maxMessageBytes = options.maxMessageBytes ?? SNS_LIMITS.maxMessageBytes;
    this.onError = options.onError ?? ((err: unknown) => console.error('switchyard: internal error:', err));
    this.deliverer = new Deliverer(this.clock, this.onError, options.faults && { registry: options.faults, siteOf: subscriptionFaultSite });
    this.signer = SnsSigner.create();
    this.fanout = new Fanout({
      clock: this.clock,
      trace: options.trace,
      deliverer: this.deliverer,
      forwarder: options.forwarder,
      signer: this.signer,
      findQueue: options.findQueue,
      onError: this.onError,
      persistence: () => this.persistence,
    });
  }

  /** SNS's query API answers a missing required member with a ValidationError. */
  missingParameter(path: string): AwsError {
    const field = path
      .split('.')
      .map((seg) => (/^\d+$/.test(seg) ? seg : seg[0].toLowerCase() + seg.slice(1)))
      .join('.');
    return new AwsError(SnsErrors.ValidationError, `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`);
  }

  handleNow(operation: string, input: Record<string, unknown>, ctx: RequestContext): unknown {
    return (this.handlers[operation as SnsOperation] as Handler<unknown, unknown>)(input, ctx);
  }

  handle(operation: string, input: Record<string, unknown>, ctx: RequestContext): unknown {
    const handler = this.handlers[operation as SnsOperation] as Handler<unknown, unknown>;
    const persistence = this.persistence;
    if (persistence === undefined) return handler(input, ctx);
    if (PUBLISH_OPERATIONS.has(operation)) {
      // Acknowledged only once on disk: the dedup entries and pending HTTP deliveries in SNS's
      // journal, and what the fan-out put into queues in SQS's (after it ran).
      const work: Promise<void>[] = [];
      this.publishWork = work;
      let output: unknown;
      try {
        output = handler(input, ctx);
      } finally {
        this.publishWork = undefined;
      }
      const written = work.length === 0 ? persistence.durableAll() : Promise.all(work).then(() => persistence.durableAll());
      return written.then(() => output);
    }
    const output = handler(input, ctx);
    if (CATALOG_OPERATIONS.has(operation))
      return persistence
        .durableAll()
        .then(() => persistence.catalogChanged())
        .then(() => output);
    return output;
  }

  region(account: string, region: string): SnsRegion {
    const key = `${account}/${region}`;
    let r = this.regions.get(key);
    if (!r) this.regions.set(key, (r = new SnsRegion(account, region)));
    return r;
  }

  allRegions(): IterableIterator<SnsRegion> {
    return this.regions.values();
  }

  /** A topic by ARN, in whichever account and region it lives. */
  topicByArn(arn: string): Topic | undefined {
    const ref = parseTopicArn(arn);
    if (!ref) return undefined;
    return this.regions.get(`${ref.account}/${ref.region}`)?.topics.get(ref.name);
  }

  subscriptionByArn(arn: string): Subscription | undefined {
    const ref = parseSubscriptionArn(arn);
    if (!ref) return undefined;
    return this.regions.get(`${ref.account}/${ref.region}`)?.subscriptions.get(arn);
  }

  /** An EventBridge rule's SNS target: the target's input is published as the message. */
  publishFromEvents = (arn: string, body: string, event: Record<string, unknown>): DeliveryOutcome | Promise<DeliveryOutcome> => {
    const topic = this.topicByArn(arn);
    if (!topic) return { ok: false, code: 'NotFound', message: `Topic ${arn} does not exist.`, retryable: false };
    const now = this.clock.now();
    const p: Published = { messageId: uuid(), topicArn: arn, message: body, timestamp: now };
    if (topic.fifo) {
      // EventBridge gives no group for an SNS target; the event id deduplicates retries.
      p.groupId = String(event.source ?? 'events');
      p.dedupId = String(event.id);
      const dup = topic.duplicateOf(p.dedupId, now);
      if (dup) return { ok: true, detail: `duplicate of ${dup.messageId}` };
      p.sequenceNumber = topic.accept(p.dedupId, p.messageId, now);
      this.persistence?.deduplicated(topic, p.dedupId, p.messageId, p.sequenceNumber, now + SNS_LIMITS.dedupWindowMs);
    }
    const ref = parseTopicArn(arn)!;
    // With persistence, the target's delivery ends once the fan-out into queues ran (PutEvents
    // then waits for the journals, SNS's pending HTTP deliveries included).
    const work = this.persistence ? ([] as Promise<void>[]) : undefined;
    this.fanout.publish(topic, p, 'events', ref.account, ref.region, this.publicUrl, work);
    const outcome: DeliveryOutcome = { ok: true, detail: p.messageId };
    return work && work.length > 0 ? Promise.all(work).then(() => outcome) : outcome;
  };

  reset(): void {
    this.deliverer.cancelAll();
    this.regions.clear();
    this.persistence?.cleared();
  }

  /**
   * Deliveries recorded before a restart (src/persist/sns-store.ts), resumed on the clock with
   * their attempt counts. Returns those that cannot be: their topic or subscription is gone (a
   * notification to a deleted subscription is not made, as on AWS), or the confirmation they
   * carry no longer matters.
   */
  resumeDeliveries(deliveries: PendingDelivery[]): PendingDelivery[] {
    const dropped: PendingDelivery[] = [];
    const notifications: Array<{ topic: Topic; sub: Subscription; delivery: PendingDelivery }> = [];
    for (const d of deliveries) {
      const topic = this.topicByArn(d.topicArn);
      const sub = this.subscriptionByArn(d.subscriptionArn);
      if (!topic) dropped.push(d);
      else if (d.confirmation) {
        if (d.confirmation.type === 'SubscriptionConfirmation' && !sub?.pendingConfirmation) dropped.push(d);
        else this.sendConfirmation(topic, d.confirmation, d.subscriptionArn, d.baseUrl, d.eventTime, d);
      } else if (!sub || sub.topicArn !== topic.arn || sub.pendingConfirmation) dropped.push(d);
      else notifications.push({ topic, sub, delivery: d });
    }
    this.fanout.resume(notifications);
    return dropped;
  }

  // --- helpers ---

  private topicFor(arn: string | undefined, ctx: RequestContext, what = 'TopicArn'): Topic {
    if (!arn) throw invalidParameter(`Invalid parameter: ${what}`);
    const ref = parseTopicArn(arn);
    if (!ref) throw invalidParameter(`Invalid parameter: ${what}`);
    if (ref.region !== ctx.region) throw invalidParameter(`Invalid parameter: ${what}`);
    const topic = this.regions.get(`${ref.account}/${ref.region}`)?.topics.get(ref.name);
    if (!topic) throw notFound('Topic does not exist');
    return topic;
  }

  private subscriptionFor(arn: string): Subscription {
    const ref = parseSubscriptionArn(arn);
    if (!ref) throw invalidParameter('Invalid parameter: SubscriptionArn');
    const sub = this.regions.get(`${ref.account}/${ref.region}`)?.subscriptions.get(arn);
    if (!sub) throw notFound('Subscription does not exist');
    return sub;
  }

  private regionOfTopic(topic: Topic): SnsRegion {
    const ref = parseTopicArn(topic.arn)!;
    return this.region(ref.account, ref.region);
  }

  private checkTopicAttribute(name: string, value: string, fifo: boolean, creating: boolean): void {
    if (!TOPIC_ATTRIBUTES.has(name) || (!creating && name === 'FifoTopic')) throw invalidParameter('Invalid parameter: AttributeName');
    if (name === 'ContentBasedDeduplication' || name === 'FifoThroughputScope') {
      if (!fifo) throw invalidParameter(`Invalid parameter: Attributes Reason: ${name} is only valid for FIFO topics`);
      if (name === 'ContentBasedDeduplication' && !/^(true|false)$/i.test(value))
        throw invalidParameter('Invalid parameter: Attributes Reason: ContentBasedDeduplication must be true or false');
      if (name === 'FifoThroughputScope' && value !== 'Topic' && value !== 'MessageGroup')
        throw invalidParameter('Invalid parameter: Attributes Reason: FifoThroughputScope must be Topic or MessageGroup');
    }
    if (name === 'SignatureVersion' && value !== '1' && value !== '2')
      throw invalidParameter('Invalid parameter: SignatureVersion');
    if (name === 'DeliveryPolicy' && value !== '') parseDeliveryPolicy(value, 'topic', { inAttributes: creating });
    if (name === 'Policy') {
      try {
        JSON.parse(value);
      } catch {
        throw invalidParameter('Invalid parameter: Policy Error: null');
      }
    }
  }

  /** Subscription attributes, checked as SNS checks them; FilterPolicy compiled. */
  private checkSubscriptionAttribute(sub: { protocol: string; scope: 'MessageAttributes' | 'MessageBody' }, name: string, value: string, creating = false): FilterPolicy | null | undefined {
    if (!SUBSCRIPTION_ATTRIBUTES.has(name)) throw invalidParameter('Invalid parameter: AttributeName');
    switch (name) {
      case 'RawMessageDelivery':
        if (!/^(true|false)$/i.test(value)) throw invalidParameter('Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value [' + value + ']. Must be true or false.');
        if (!RAW_PROTOCOLS.has(sub.protocol)) throw invalidParameter(`Invalid parameter: Attributes Reason: Delivery protocol [${sub.protocol}] does not support raw message delivery.`);
        return undefined;
      case 'FilterPolicyScope':
        if (value !== 'MessageAttributes' && value !== 'MessageBody')
          throw invalidParameter(`Invalid parameter: FilterPolicyScope: Invalid value [${value}]. Please use either MessageBody or MessageAttributes`);
        return undefined;
      case 'FilterPolicy':
        if (value === '') return null;
        try {
          return compileFilterPolicy(value, sub.scope, { call: creating ? 'Subscribe' : 'SetSubscriptionAttributes' });
        } catch (err) {
          if (err instanceof FilterPolicyError) throw invalidParameter(err.message);
          throw err;
        }
      case 'RedrivePolicy': {
        if (value === '') return undefined;
        let parsed: unknown;
        try {
          parsed = JSON.parse(value);
        } catch {
          throw invalidParameter('Invalid parameter: RedrivePolicy: failed to parse JSON.');
        }
        const arn = (parsed as { deadLetterTargetArn?: unknown } | null)?.deadLetterTargetArn;
        if (typeof arn !== 'string' || !/^arn:aws[\w-]*:sqs:[a-z0-9-]+:\d{12}:[\w.-]+$/.test(arn))
          throw invalidParameter('Invalid parameter: RedrivePolicy: deadLetterTargetArn is an invalid arn');
        return undefined;
      }
      case 'DeliveryPolicy':
        if (value !== '') {
          if (sub.protocol !== 'http' && sub.protocol !== 'https')
            throw invalidParameter(`Invalid parameter: DeliveryPolicy: Delivery protocol [${sub.protocol}] does not support delivery policies`);
          parseDeliveryPolicy(value, 'subscription', { inAttributes: creating });
        }
        return undefined;
      default:
        return undefined;
    }
  }

  /** SubscriptionConfirmation / UnsubscribeConfirmation to an HTTP(S) endpoint, retried per the policy. */
  private confirmationTo(topic: Topic, sub: Subscription, type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation', baseUrl: string): void {
    const confirmation: StoredConfirmation = { type, messageId: uuid(), token: sub.token, endpoint: sub.endpoint, protocol: sub.protocol, owner: sub.owner };
    const policy = sub.attributes.get('DeliveryPolicy');
    if (policy !== undefined) confirmation.deliveryPolicy = policy;
    this.sendConfirmation(topic, confirmation, sub.arn, baseUrl, this.clock.now(), undefined);
  }

  /** A confirmation's delivery: a new one (recorded with persistence), or one resumed after a restart. */
  private sendConfirmation(topic: Topic, c: StoredConfirmation, subscriptionArn: string, baseUrl: string, now: number, resumed: PendingDelivery | undefined): void {
    const { type, messageId, token } = c;
    const subscribeUrl = `${baseUrl}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(topic.arn)}&Token=${token}`;
    const message =
      type === 'SubscriptionConfirmation'
        ? `You have chosen to subscribe to the topic ${topic.arn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`
        : `You have chosen to deactivate subscription ${subscriptionArn}.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.`;
    const fields = { Type: type, MessageId: messageId, Token: token, TopicArn: topic.arn, Message: message, SubscribeURL: subscribeUrl, Timestamp: isoMillis(now) };
    const trace = this.options.trace.add<PublishTrace>({
      id: messageId,
      kind: 'publish',
      at: now,
      account: topic.account,
      region: parseTopicArn(topic.arn)!.region,
      topicArn: topic.arn,
      via: 'Publish',
      message: { body: message, subject: type },
      deliveries: [],
      filteredOut: [],
    });
    const restored = resumed && restoredAttempts(resumed);
    const record: SubscriptionDelivery = {
      subscriptionArn,
      protocol: c.protocol,
      targetArn: c.endpoint,
      input: '',
      state: restored && restored.attempts.length > 0 ? 'retrying' : 'pending',
      attempts: restored ? restored.attempts : [],
    };
    trace.deliveries.push(record);
    const policy = effectiveDeliveryPolicy(topic.attributes.get('DeliveryPolicy'), c.deliveryPolicy);
    const delays = retryDelaysMs(policy.policy);
    const request: DeliveryRequest = {
      send: async () => {
        const signature = await this.signer.sign(fields, topic.signatureVersion);
        record.input = renderEnvelope([
          ['Type', type],
          ['MessageId', messageId],
          ['Token', token],
          ['TopicArn', topic.arn],
          ['Message', message],
          ['SubscribeURL', subscribeUrl],
          ['Timestamp', fields.Timestamp],
          ['SignatureVersion', topic.signatureVersion],
          ['Signature', signature],
          ['SigningCertURL', signingCertUrl(baseUrl)],
        ]);
        return postToHttpEndpoint({
          endpoint: c.endpoint,
          messageType: type,
          messageId,
          topicArn: topic.arn,
          subscriptionArn: type === 'UnsubscribeConfirmation' ? subscriptionArn : undefined,
          body: record.input,
          contentType: policy.headerContentType,
        });
      },
      eventTime: now,
      maximumRetryAttempts: delays.length,
      backoff: (retry) => delays[retry - 1] ?? 0,
      record,
    };
    const persistence = this.persistence;
    if (persistence) {
      const id = resumed?.id ?? uuid();
      if (!resumed)
        persistence.deliveryStarted({ id, subscriptionArn, topicArn: topic.arn, baseUrl, eventTime: now, attempts: 0, nextAt: now, via: 'Publish', confirmation: c });
      request.journal = recordedJournal(id, () => this.persistence);
    }
    if (restored) {
      request.priorAttempts = restored.prior;
      this.deliverer.resume(request, resumed!.nextAt);
    } else this.deliverer.start(request);
  }

  /** Validate one message and make it a Published (FIFO: group, dedup, sequence), or answer as a duplicate. */
  private accept(
    topic: Topic,
    e: { Message?: string; Subject?: string; MessageStructure?: string; MessageAttributes?: Record<string, sns.MessageAttributeValue>; MessageGroupId?: string; MessageDeduplicationId?: string },
    now: number,
  ): { published: Published; duplicate: boolean } {
    checkMessage(e.Message, e.Subject, this.maxMessageBytes);
    const attributes = checkAttributes(e.MessageAttributes);
    if (publishSize(e.Message!, attributes) > this.maxMessageBytes) throw invalidParameter('Invalid parameter: Message too long');
    if (e.MessageStructure !== undefined && e.MessageStructure !== 'json') throw invalidParameter('Invalid parameter: MessageStructure');
    const perProtocol = e.MessageStructure === 'json' ? parseMessageStructure(e.Message!) : undefined;
    const published: Published = {
      messageId: uuid(),
      topicArn: topic.arn,
      message: e.Message!,
      perProtocol,
      subject: e.Subject,
      attributes,
      timestamp: now,
    };
    if (!topic.fifo) {
      if (e.MessageDeduplicationId !== undefined)
        throw invalidParameter('Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type');
      return { published, duplicate: false };
    }
    if (!e.MessageGroupId) throw invalidParameter('Invalid parameter: The MessageGroupId parameter is required for FIFO topics');
    if (!/^[\x21-\x7e]{1,128}$/.test(e.MessageGroupId)) throw invalidParameter('Invalid parameter: MessageGroupId Reason: MessageGroupId must be 1-128 characters from alphanumeric and punctuation.');
    if (!e.MessageDeduplicationId && !topic.contentBasedDeduplication)
      throw invalidParameter('Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
    if (e.MessageDeduplicationId !== undefined && !/^[\x21-\x7e]{1,128}$/.test(e.MessageDeduplicationId))
      throw invalidParameter('Invalid parameter: MessageDeduplicationId Reason: MessageDeduplicationId must be 1-128 characters from alphanumeric and punctuation.');
    published.groupId = e.MessageGroupId;
    const dedupId = e.MessageDeduplicationId ?? createHash('sha256').update(e.Message!, 'utf8').digest('hex');
    published.dedupId = dedupId;
    // FifoThroughputScope=MessageGroup dedups within a group, as SQS's high-throughput mode does.
    const key = topic.attributes.get('FifoThroughputScope') === 'MessageGroup' ? `${e.MessageGroupId}\u0000${dedupId}` : dedupId;
    const seen = topic.duplicateOf(key, now);
    if (seen) {
      published.messageId = seen.messageId;
      published.sequenceNumber = seen.sequenceNumber;
      return { published, duplicate: true };
    }
    published.sequenceNumber = topic.accept(key, published.messageId, now);
    this.persistence?.deduplicated(topic, key, published.messageId, published.sequenceNumber, now + SNS_LIMITS.dedupWindowMs);
    return { published, duplicate: false };
  }

  // --- handlers ---

  private readonly handlers: Handlers = {
    CreateTopic: (input: sns.CreateTopicInput, ctx): sns.CreateTopicResponse => {
      const region = this.region(ctx.account, ctx.region);
      const attrs = input.Attributes ?? {};
      const fifo = (attrs.FifoTopic ?? '').toLowerCase() === 'true';
      if (fifo) {
        if (!FIFO_TOPIC_NAME.test(input.Name!))
          throw new AwsError(
            SnsErrors.InvalidParameter,
            'Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.',
          );
      } else if (!TOPIC_NAME.test(input.Name!)) throw invalidParameter('Invalid parameter: Topic Name');
      for (const [k, v] of Object.entries(attrs)) this.checkTopicAttribute(k, v, fifo, true);
      const tags = input.Tags ?? [];
      this.checkTags(tags);
      const existing = region.topics.get(input.Name!);
      if (existing) {
        for (const [k, v] of Object.entries(attrs)) {
          if (k === 'FifoTopic') continue;
          if ((existing.attributes.get(k) ?? '') !== v)
            throw invalidParameter('Invalid parameter: Attributes Reason: Topic already exists with different attributes');
        }
        for (const t of tags)
          if (existing.tags.get(t.Key!) !== t.Value) throw invalidParameter('Invalid parameter: Tags Reason: Topic already exists with different tags');
        return { TopicArn: existing.arn };
      }
      const topic = new Topic(input.Name!, topicArn(ctx.region, ctx.account, input.Name!), ctx.account, fifo, this.clock.now());
      for (const [k, v] of Object.entries(attrs)) if (k !== 'FifoTopic') topic.attributes.set(k, normalizedTopicAttribute(k, v));
      for (const t of tags) topic.tags.set(t.Key!, t.Value!);
      if (input.DataProtectionPolicy !== undefined) topic.dataProtectionPolicy = input.DataProtectionPolicy;
      region.topics.set(topic.name, topic);
      return { TopicArn: topic.arn };
    },

    DeleteTopic: (input: sns.DeleteTopicInput, ctx): void => {
      const ref = parseTopicArn(input.TopicArn!);
      if (!ref || ref.region !== ctx.region) throw invalidParameter('Invalid parameter: TopicArn');
      const region = this.regions.get(`${ref.account}/${ref.region}`);
      const topic = region?.topics.get(ref.name);
      // Deleting a topic that is not there succeeds, as on AWS.
      if (!region || !topic) return;
      for (const sub of topic.subscriptions.values()) {
        region.subscriptions.delete(sub.arn);
        region.tokens.delete(sub.token);
      }
      region.topics.delete(ref.name);
      if (topic.fifo) this.persistence?.topicDeleted(topic);
    },

    ListTopics: (input: sns.ListTopicsInput, ctx): sns.ListTopicsResponse => {
      const region = this.region(ctx.account, ctx.region);
      const { items, nextToken } = pageOf([...region.topics.values()].map((t) => t.arn), (a) => a, input.NextToken);
      return { Topics: items.map((TopicArn) => ({ TopicArn })), NextToken: nextToken };
    },

    GetTopicAttributes: (input: sns.GetTopicAttributesInput, ctx): sns.GetTopicAttributesResponse => {
      const topic = this.topicFor(input.TopicArn, ctx);
      let confirmed = 0;
      let pending = 0;
      for (const s of topic.subscriptions.values()) s.pendingConfirmation ? pending++ : confirmed++;
      const attributes: Record<string, string> = {
        TopicArn: topic.arn,
        Owner: topic.account,
        SubscriptionsConfirmed: String(confirmed),
        SubscriptionsPending: String(pending),
        SubscriptionsDeleted: String(topic.subscriptionsDeleted),
        EffectiveDeliveryPolicy: effectiveDeliveryPolicy(topic.attributes.get('DeliveryPolicy'), undefined).topicJson,
      };
      for (const [k, v] of topic.attributes) attributes[k] = v;
      return { Attributes: attributes };
    },

    SetTopicAttributes: (input: sns.SetTopicAttributesInput, ctx): void => {
      const topic = this.topicFor(input.TopicArn, ctx);
      const value = input.AttributeValue ?? '';
      this.checkTopicAttribute(input.AttributeName!, value, topic.fifo, false);
      if (value === '' && input.AttributeName !== 'DisplayName') topic.attributes.delete(input.AttributeName!);
      else topic.attributes.set(input.AttributeName!, normalizedTopicAttribute(input.AttributeName!, value));
    },

    Subscribe: (input: sns.SubscribeInput, ctx): sns.SubscribeResponse => {
      const topic = this.topicFor(input.TopicArn, ctx);
      const region = this.regionOfTopic(topic);
      const protocol = input.Protocol!;
      const endpoint = input.Endpoint;
      if (!PROTOCOLS.has(protocol)) throw invalidParameter(`Invalid parameter: Amazon SNS does not support this protocol string: ${protocol}`);
      if (!endpoint) throw invalidParameter('Invalid parameter: Endpoint');
      checkEndpoint(protocol, endpoint);
      if (topic.fifo && protocol !== 'sqs')
        throw invalidParameter(`Invalid parameter: Invalid protocol type: ${protocol} Reason: FIFO topics only support SQS subscriptions`);
      if (!topic.fifo && protocol === 'sqs' && endpoint.endsWith('.fifo'))
        throw invalidParameter('Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics');
      const attrs = input.Attributes ?? {};
      const scope = attrs.FilterPolicyScope === 'MessageBody' ? 'MessageBody' : 'MessageAttributes';
      let filter: FilterPolicy | null = null;
      for (const [k, v] of Object.entries(attrs)) {
        const compiled = this.checkSubscriptionAttribute({ protocol, scope }, k, v, true);
        if (k === 'FilterPolicy' && compiled) filter = compiled;
      }
      for (const existing of topic.subscriptions.values()) {
        if (existing.protocol !== protocol || existing.endpoint !== endpoint) continue;
        for (const [k, v] of Object.entries(attrs))
          if ((existing.attributes.get(k) ?? (k === 'RawMessageDelivery' ? 'false' : '')).toLowerCase() !== v.toLowerCase())
            throw invalidParameter('Invalid parameter: Attributes Reason: Subscription already exists with different attributes');
        return { SubscriptionArn: existing.pendingConfirmation && !input.ReturnSubscriptionArn ? PENDING : existing.arn };
      }
      if (filter && topic.filterPolicyCount >= SNS_LIMITS.filterPoliciesPerTopic)
        throw new AwsError(SnsErrors.FilterPolicyLimitExceeded, 'Filter policy limit exceeded');
      const needsConfirmation = protocol === 'http' || protocol === 'https' || protocol === 'email' || protocol === 'email-json';
      const sub = new Subscription(`${topic.arn}:${uuid()}`, topic.arn, protocol, endpoint, ctx.account, needsConfirmation, randomBytes(144).toString('hex'));
      if (!needsConfirmation) sub.confirmationWasAuthenticated = true;
      for (const [k, v] of Object.entries(attrs)) sub.attributes.set(k, normalizedSubscriptionAttribute(k, v));
      if (filter) sub.attributes.set('FilterPolicyScope', scope);
      sub.filter = filter;
      topic.subscriptions.set(sub.arn, sub);
      region.subscriptions.set(sub.arn, sub);
      region.tokens.set(sub.token, sub);
      if (protocol === 'http' || protocol === 'https') this.confirmationTo(topic, sub, 'SubscriptionConfirmation', ctx.baseUrl);
      return { SubscriptionArn: needsConfirmation && !input.ReturnSubscriptionArn ? PENDING : sub.arn };
    },

    ConfirmSubscription: (input: sns.ConfirmSubscriptionInput): sns.ConfirmSubscriptionResponse => {
      // The SubscribeURL is fetched by whatever HTTP client the subscriber uses, unsigned: the
      // topic's ARN, not the request, says which account and region.
      const ref = parseTopicArn(input.TopicArn!);
      if (!ref) throw invalidParameter('Invalid parameter: Topic');
      const region = this.regions.get(`${ref.account}/${ref.region}`);
      if (!region?.topics.has(ref.name)) throw notFound('Topic does not exist');
      const sub = region.tokens.get(input.Token!);
      if (!sub || sub.topicArn !== input.TopicArn) throw invalidParameter('Invalid parameter: Token');
      if (sub.pendingConfirmation) {
        sub.pendingConfirmation = false;
        sub.confirmationWasAuthenticated = input.AuthenticateOnUnsubscribe === 'true';
      }
      return { SubscriptionArn: sub.arn };
    },

    Unsubscribe: (input: sns.UnsubscribeInput, ctx): void => {
      const ref = parseSubscriptionArn(input.SubscriptionArn!);
      if (!ref) throw invalidParameter('Invalid parameter: SubscriptionArn');
      const region = this.regions.get(`${ref.account}/${ref.region}`);
      const sub = region?.subscriptions.get(input.SubscriptionArn!);
      if (!region || !sub) throw notFound('Subscription does not exist');
      const topic = region.topics.get(ref.name);
      region.subscriptions.delete(sub.arn);
      region.tokens.delete(sub.token);
      if (topic) {
        topic.subscriptions.delete(sub.arn);
        topic.subscriptionsDeleted++;
        if ((sub.protocol === 'http' || sub.protocol === 'https') && !sub.pendingConfirmation)
          this.confirmationTo(topic, sub, 'UnsubscribeConfirmation', ctx.baseUrl);
      }
    },

    ListSubscriptions: (input: sns.ListSubscriptionsInput, ctx): sns.ListSubscriptionsResponse => {
      const region = this.region(ctx.account, ctx.region);
      const { items, nextToken } = pageOf([...region.subscriptions.values()], (s) => s.arn, input.NextToken);
      return { Subscriptions: items.map(listed), NextToken: nextToken };
    },

    ListSubscriptionsByTopic: (input: sns.ListSubscriptionsByTopicInput, ctx): sns.ListSubscriptionsByTopicResponse => {
      const topic = this.topicFor(input.TopicArn, ctx);
      const { items, nextToken } = pageOf([...topic.subscriptions.values()], (s) => s.arn, input.NextToken);
      return { Subscriptions: items.map(listed), NextToken: nextToken };
    },

    GetSubscriptionAttributes: (input: sns.GetSubscriptionAttributesInput): sns.GetSubscriptionAttributesResponse => {
      const sub = this.subscriptionFor(input.SubscriptionArn!);
      const topic = this.topicByArn(sub.topicArn);
      const attributes: Record<string, string> = {
        SubscriptionArn: sub.arn,
        TopicArn: sub.topicArn,
        Owner: sub.owner,
        Protocol: sub.protocol,
        Endpoint: sub.endpoint,
        PendingConfirmation: String(sub.pendingConfirmation),
        ConfirmationWasAuthenticated: String(sub.confirmationWasAuthenticated),
        RawMessageDelivery: 'false',
        SubscriptionPrincipal: `arn:aws:iam::${sub.owner}:root`,
      };
      if (sub.protocol === 'http' || sub.protocol === 'https')
        attributes.EffectiveDeliveryPolicy = effectiveDeliveryPolicy(topic?.attributes.get('DeliveryPolicy'), sub.attributes.get('DeliveryPolicy')).subscriptionJson;
      for (const [k, v] of sub.attributes) attributes[k] = v;
      if (!sub.filter) {
        delete attributes.FilterPolicy;
        delete attributes.FilterPolicyScope;
      }
      return { Attributes: attributes };
    },

    SetSubscriptionAttributes: (input: sns.SetSubscriptionAttributesInput): void => {
      const sub = this.subscriptionFor(input.SubscriptionArn!);
      const name = input.AttributeName!;
      const value = input.AttributeValue ?? '';
      const scope = name === 'FilterPolicyScope' ? (value as 'MessageAttributes' | 'MessageBody') : sub.filterPolicyScope;
      const compiled = this.checkSubscriptionAttribute({ protocol: sub.protocol, scope }, name, value);
      if (name === 'FilterPolicyScope' && sub.filter && sub.filterPolicyScope !== value) {
        // The policy must hold in its new scope.
        const recompiled = this.checkSubscriptionAttribute({ protocol: sub.protocol, scope }, 'FilterPolicy', sub.attributes.get('FilterPolicy')!);
        // (a policy valid in one scope can be invalid in the other: the scope change is refused then)
        sub.filter = recompiled ?? null;
      }
      if (name === 'FilterPolicy') {
        const topic = this.topicByArn(sub.topicArn);
        if (compiled && !sub.filter && topic && topic.filterPolicyCount >= SNS_LIMITS.filterPoliciesPerTopic)
          throw new AwsError(SnsErrors.FilterPolicyLimitExceeded, 'Filter policy limit exceeded');
        sub.filter = compiled ?? null;
        if (compiled && !sub.attributes.has('FilterPolicyScope')) sub.attributes.set('FilterPolicyScope', 'MessageAttributes');
      }
      if (value === '') sub.attributes.delete(name);
      else sub.attributes.set(name, normalizedSubscriptionAttribute(name, value));
    },

    Publish: (input: sns.PublishInput, ctx): sns.PublishResponse => {
      if (input.PhoneNumber !== undefined && input.TopicArn === undefined && input.TargetArn === undefined) {
        // SMS straight to a number: nothing to send it to on a laptop; accepted and recorded.
        checkMessage(input.Message, input.Subject, this.maxMessageBytes);
        if (!/^\+?[1-9]\d{1,14}$/.test(input.PhoneNumber))
          throw invalidParameter(`Invalid parameter: PhoneNumber Reason: ${input.PhoneNumber} is not valid to publish to`);
        return { MessageId: uuid() };
      }
      const arn = input.TopicArn ?? input.TargetArn;
      if (arn === undefined) throw invalidParameter('Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter');
      if (input.TargetArn !== undefined && input.TopicArn === undefined && !parseTopicArn(arn))
        throw invalidParameter('Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified');
      const topic = this.topicFor(arn, ctx, input.TopicArn !== undefined ? 'TopicArn' : 'TargetArn');
      const { published, duplicate } = this.accept(topic, input, this.clock.now());
      if (!duplicate) this.fanout.publish(topic, published, 'Publish', topic.account, ctx.region, ctx.baseUrl, this.publishWork);
      return topic.fifo ? { MessageId: published.messageId, SequenceNumber: published.sequenceNumber } : { MessageId: published.messageId };
    },

    PublishBatch: (input: sns.PublishBatchInput, ctx): sns.PublishBatchResponse => {
      const entries = input.PublishBatchRequestEntries ?? [];
      if (entries.length === 0) throw new AwsError(SnsErrors.EmptyBatchRequest, "The batch request doesn't contain any entries.");
      if (entries.length > SNS_LIMITS.batchEntries)
        throw new AwsError(SnsErrors.TooManyEntriesInBatchRequest, 'The batch request contains more entries than permissible.');
      const ids = new Set<string>();
      for (const e of entries) {
        if (!e.Id || !/^[A-Za-z0-9_-]{1,80}$/.test(e.Id))
          throw new AwsError(SnsErrors.InvalidBatchEntryId, 'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.');
        if (ids.has(e.Id)) throw new AwsError(SnsErrors.BatchEntryIdsNotDistinct, 'Two or more batch entries in the request have the same Id.');
        ids.add(e.Id);
      }
      let total = 0;
      for (const e of entries) total += Buffer.byteLength(e.Message ?? '') + attributesSize(e.MessageAttributes);
      if (total > this.maxMessageBytes)
        throw new AwsError(SnsErrors.BatchRequestTooLong, 'The length of all the messages put together is more than the limit.');
      const topic = this.topicFor(input.TopicArn, ctx);
      const now = this.clock.now();
      const Successful: sns.PublishBatchResultEntry[] = [];
      const Failed: sns.BatchResultErrorEntry[] = [];
      for (const e of entries) {
        try {
          const { published, duplicate } = this.accept(topic, e, now);
          if (!duplicate) this.fanout.publish(topic, published, 'PublishBatch', topic.account, ctx.region, ctx.baseUrl, this.publishWork);
          Successful.push(topic.fifo ? { Id: e.Id, MessageId: published.messageId, SequenceNumber: published.sequenceNumber } : { Id: e.Id, MessageId: published.messageId });
        } catch (err) {
          if (!(err instanceof AwsError)) throw err;
          Failed.push({ Id: e.Id!, Code: err.queryCode, Message: err.message, SenderFault: err.sender });
        }
      }
      return { Successful, Failed };
    },

    TagResource: (input: sns.TagResourceRequest, ctx): sns.TagResourceResponse => {
      const topic = this.taggable(input.ResourceArn!, ctx);
      const tags = input.Tags ?? [];
      this.checkTags(tags);
      const keys = new Set([...topic.tags.keys(), ...tags.map((t) => t.Key!)]);
      if (keys.size > SNS_LIMITS.tagsPerTopic)
        throw new AwsError(SnsErrors.TagLimitExceeded, 'Could not complete request: tag quota of per resource exceeded');
      for (const t of tags) topic.tags.set(t.Key!, t.Value!);
      return {};
    },

    UntagResource: (input: sns.UntagResourceRequest, ctx): sns.UntagResourceResponse => {
      const topic = this.taggable(input.ResourceArn!, ctx);
      for (const k of input.TagKeys ?? []) topic.tags.delete(k);
      return {};
    },

    ListTagsForResource: (input: sns.ListTagsForResourceRequest, ctx): sns.ListTagsForResourceResponse => {
      const topic = this.taggable(input.ResourceArn!, ctx);
      return { Tags: [...topic.tags].map(([Key, Value]) => ({ Key, Value })) };
    },

    AddPermission: (input: sns.AddPermissionInput, ctx): void => {
      const topic = this.topicFor(input.TopicArn, ctx);
      const policy = JSON.parse(topic.attributes.get('Policy') ?? '{"Version":"2008-10-17","Statement":[]}') as { Statement?: Array<Record<string, unknown>> };
      policy.Statement ??= [];
      if (policy.Statement.some((s) => s.Sid === input.Label)) throw invalidParameter('Invalid parameter: Statement already exists');
      const actions = input.ActionName ?? [];
      if (actions.some((a) => !SNS_POLICY_ACTIONS.has(a))) throw invalidParameter('Invalid parameter: Policy statement action out of service scope!');
      const principals = (input.AWSAccountId ?? []).map((a) => `arn:aws:iam::${a}:root`);
      policy.Statement.push({
        Sid: input.Label,
        Effect: 'Allow',
        Principal: { AWS: principals.length === 1 ? principals[0] : principals },
        Action: actions.length === 1 ? `SNS:${actions[0]}` : actions.map((a) => `SNS:${a}`),
        Resource: topic.arn,
      });
      topic.attributes.set('Policy', JSON.stringify(policy));
    },

    RemovePermission: (input: sns.RemovePermissionInput, ctx): void => {
      const topic = this.topicFor(input.TopicArn, ctx);
      const policy = JSON.parse(topic.attributes.get('Policy') ?? '{"Statement":[]}') as { Statement?: Array<Record<string, unknown>> };
      policy.Statement = (policy.Statement ?? []).filter((s) => s.Sid !== input.Label);
      topic.attributes.set('Policy', JSON.stringify(policy));
    },

    GetDataProtectionPolicy: (input: sns.GetDataProtectionPolicyInput, ctx): sns.GetDataProtectionPolicyResponse => {
      const topic = this.topicFor(input.ResourceArn, ctx, 'ResourceArn');
      return { DataProtectionPolicy: topic.dataProtectionPolicy };
    },

    PutDataProtectionPolicy: (input: sns.PutDataProtectionPolicyInput, ctx): void => {
      const topic = this.topicFor(input.ResourceArn, ctx, 'ResourceArn');
      try {
        JSON.parse(input.DataProtectionPolicy!);
      } catch {
        throw invalidParameter('Invalid parameter: DataProtectionPolicy');
      }
      topic.dataProtectionPolicy = input.DataProtectionPolicy;
    },
  };

  private taggable(arn: string, ctx: RequestContext): Topic {
    const ref = parseTopicArn(arn);
    if (!ref || ref.region !== ctx.region) throw invalidParameter('Invalid parameter: ResourceArn');
    const topic = this.regions.get(`${ref.account}/${ref.region}`)?.topics.get(ref.name);
    if (!topic) throw new AwsError({ type: 'ResourceNotFound', status: 404 }, 'Resource does not exist');
    return topic;
  }

  private checkTags(tags: sns.Tag[]): void {
    const keys = new Set<string>();
    for (const t of tags) {
      if (keys.has(t.Key!)) throw invalidParameter('Invalid parameter: Duplicated keys are not allowed.');
      keys.add(t.Key!);
      if (t.Key!.length < 1 || t.Key!.length > 128) throw invalidParameter('Invalid parameter: Tags Reason: Tag key must be between 1 and 128 characters');
      if (t.Value!.length > 256) throw invalidParameter('Invalid parameter: Tags Reason: Tag value must be at most 256 characters');
    }
    if (keys.size > SNS_LIMITS.tagsPerTopic) throw new AwsError(SnsErrors.TagLimitExceeded, 'Could not complete request: tag quota of per resource exceeded');
  }
}

/** Attributes as AWS stores and returns them: booleans lower-cased, delivery policies in AWS's form. */
function normalizedTopicAttribute(name: string, value: string): string {
  if (name === 'ContentBasedDeduplication') return value.toLowerCase();
  if (name === 'DeliveryPolicy' && value !== '') return parseDeliveryPolicy(value, 'topic').json;
  return value;
}

function normalizedSubscriptionAttribute(name: string, value: string): string {
  if (name === 'RawMessageDelivery') return value.toLowerCase();
  if (name === 'DeliveryPolicy' && value !== '') return parseDeliveryPolicy(value, 'subscription').json;
  return value;
}

const SNS_POLICY_ACTIONS: ReadonlySet<string> = new Set([
  'GetTopicAttributes',
  'SetTopicAttributes',
  'AddPermission',
  'RemovePermission',
  'DeleteTopic',
  'Subscribe',
  'ListSubscriptionsByTopic',
  'Publish',
  'Receive',
]);

/** The endpoint must fit the protocol, as SNS checks at Subscribe. */
function checkEndpoint(protocol: string, endpoint: string): void {
  switch (protocol) {
    case 'http':
    case 'https': {
      let url: URL | undefined;
      try {
        url = new URL(endpoint);
      } catch {
        url = undefined;
      }
      if (!url || url.protocol !== `${protocol}:`) throw invalidParameter('Invalid parameter: Endpoint must match the specified protocol');
      return;
    }
    case 'sqs':
      if (!/^arn:aws[\w-]*:sqs:[a-z0-9-]+:\d{12}:[\w.-]+$/.test(endpoint)) throw invalidParameter('Invalid parameter: SQS endpoint ARN');
      return;
    case 'lambda':
      if (!/^arn:aws[\w-]*:lambda:[a-z0-9-]+:\d{12}:function:[\w-]+(:[\w$-]+)?$/.test(endpoint)) throw invalidParameter('Invalid parameter: Lambda endpoint ARN');
      return;
    case 'firehose':
      if (!/^arn:aws[\w-]*:firehose:[a-z0-9-]+:\d{12}:deliverystream\/[\w.-]+$/.test(endpoint)) throw invalidParameter('Invalid parameter: Firehose endpoint ARN');
      return;
    case 'email':
    case 'email-json':
      if (!/^[^@\s]+@[^@\s]+$/.test(endpoint)) throw invalidParameter('Invalid parameter: Email address');
      return;
    case 'sms':
      if (!/^\+?[1-9]\d{1,14}$/.test(endpoint.replace(/[\s().-]/g, ''))) throw invalidParameter(`Invalid SMS endpoint: ${endpoint}`);
      return;
    case 'application':
      if (!/^arn:aws[\w-]*:sns:/.test(endpoint)) throw invalidParameter('Invalid parameter: ApplicationEndpoint ARN');
      return;
  }
}

function listed(s: Subscription): sns.Subscription {
  return {
    SubscriptionArn: s.pendingConfirmation ? 'PendingConfirmation' : s.arn,
    Owner: s.owner,
    Protocol: s.protocol,
    Endpoint: s.endpoint,
    TopicArn: s.topicArn,
  };
}

function attributesSize(attributes: Record<string, sns.MessageAttributeValue> | undefined): number {
  if (!attributes) return 0;
  let n = 0;
  for (const [k, a] of Object.entries(attributes))
    n += Buffer.byteLength(k) + Buffer.byteLength(a.DataType ?? '') + (a.BinaryValue ? a.BinaryValue.length : Buffer.byteLength(a.StringValue ?? ''));
  return n;
}

/** 100 per page, in ARN order; the token is the last ARN of the page, opaque to the client. */
function pageOf<T>(items: T[], keyOf: (item: T) => string, token: string | undefined): { items: T[]; nextToken?: string } {
  const sorted = [...items].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  let start = 0;
  if (token !== undefined && token !== '') {
    let after: string;
    try {
      after = Buffer.from(token, 'base64url').toString('utf8');
    } catch {
      throw invalidParameter('Invalid parameter: NextToken');
    }
    if (!after.startsWith('arn:')) throw invalidParameter('Invalid parameter: NextToken');
    start = sorted.findIndex((i) => keyOf(i) > after);
    if (start < 0) start = sorted.length;
  }
  const slice = sorted.slice(start, start + 100);
  return start + 100 < sorted.length ? { items: slice, nextToken: Buffer.from(keyOf(slice[slice.length - 1])).toString('base64url') } : { items: slice };
}
