/**
 * What happens to a published message: every confirmed subscription whose filter policy it
 * passes gets one delivery, handed to the Deliverer (retries on the clock, then the
 * subscription's dead-letter queue). The publisher has already had its answer: fan-out costs it
 * nothing, however many subscriptions the topic has.
 *
 * Per protocol: `sqs` goes into the queue in-process (FIFO topics keep the group and dedup id);
 * `http`/`https` are POSTed with AWS's headers and retried per the delivery policy; `lambda` and
 * `firehose` are forwarded to the configured local endpoint (or recorded as captured); `email`,
 * `email-json`, `sms` and `application` are recorded as captured.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Deliverer, DeliveryRequest } from '../delivery/deliverer.js';
import type { Forwarder } from '../delivery/forward.js';
import { failed, type DeliveryOutcome } from '../delivery/outcome.js';
import type { Queue } from '../sqs/queue.js';
import { uuid } from '../ids.js';
import type { PublishTrace, SubscriptionDelivery, TraceLog } from '../trace/trace.js';
import { effectiveDeliveryPolicy, retryDelaysMs } from './delivery-policy.js';
import { postToHttpEndpoint } from './http-delivery.js';
import { envelopeAttributes, isoMillis, messageFor, ownRecord, renderEnvelope, type Published } from './message.js';
import {
  RECORDED_PROTOCOLS,
  decodeAttributes,
  encodeAttributes,
  firstAttemptJournal,
  recordedJournal,
  restoredAttempts,
  type PendingDelivery,
  type SnsPersistence,
} from './persistence.js';
import { SIGNING_CERT_PATH, type SnsSigner } from './signing.js';
import { FilterSubject } from './filter-policy.js';
import type { Subscription } from './subscription.js';
import { SNS_LIMITS, type Topic } from './topic.js';

export interface FanoutDeps {
  clock: Clock;
  trace: TraceLog;
  deliverer: Deliverer;
  forwarder: Forwarder;
  signer: SnsSigner;
  findQueue(arn: string): Queue | undefined;
  onError(err: unknown): void;
  /** Set when Switchyard runs with a data directory (persistence.ts). */
  persistence(): SnsPersistence | undefined;
}

/**
 * AWS's retry policy for AWS-managed endpoints (SQS, Lambda, Firehose): 3 immediate retries, 2 at
 * 1 s, 10 backing off from 1 s to 20 s, then 100,000 at 20 s (AWS docs, "Amazon SNS message
 * delivery retries").
 */
const MANAGED_RETRIES = 100_015;
function managedBackoffMs(retry: number): number {
  if (retry <= 3) return 0;
  if (retry <= 5) return 1000;
  if (retry <= 15) return Math.round(1000 * 20 ** ((retry - 5) / 10));
  return 20_000;
}

export class Fanout {
  constructor(private readonly deps: FanoutDeps) {}

  /**
   * Deliver `p` to every subscription of `topic` it passes; records the publish in the trace.
   * With persistence, `work` receives a promise per in-process delivery's first attempt.
   */
  publish(topic: Topic, p: Published, via: PublishTrace['via'], account: string, region: string, baseUrl: string, work?: Promise<void>[]): PublishTrace {
    const trace = this.traceOf(topic, p, via, account, region);
    const sign = this.signerFor(topic, p);
    const persistence = this.deps.persistence();
    let subject: FilterSubject | undefined;
    for (const sub of topic.subscriptions.values()) {
      if (sub.pendingConfirmation) continue;
      if (sub.filter) {
        let passes: boolean;
        try {
          passes = sub.filter.matchesMessage((subject ??= new FilterSubject(p.message, p.attributes)));
        } catch (err) {
          // A hostile body too complex to match is not delivered; the publisher already has its answer.
          this.deps.onError(err);
          passes = false;
        }
        if (!passes) {
          trace.filteredOut.push(sub.arn);
          continue;
        }
      }
      this.deliver(topic, sub, p, trace, sign, baseUrl, persistence, work, undefined);
    }
    return trace;
  }

  /**
   * Deliveries recorded before a restart, to subscriptions that still exist: each resumes its
   * retries where they were (attempt count, next attempt's time), one trace per message.
   */
  resume(deliveries: Array<{ topic: Topic; sub: Subscription; delivery: PendingDelivery }>): void {
    const traces = new Map<string, PublishTrace>();
    for (const { topic, sub, delivery: d } of deliveries) {
      const m = d.message!;
      const p: Published = {
        messageId: m.id,
        topicArn: topic.arn,
        message: m.text,
        subject: m.subject,
        attributes: decodeAttributes(m.attributes),
        groupId: m.groupId,
        dedupId: m.dedupId,
        sequenceNumber: m.sequenceNumber,
        timestamp: d.eventTime,
      };
      let trace = traces.get(m.id);
      if (!trace) traces.set(m.id, (trace = this.traceOf(topic, p, d.via, topic.account, parseRegion(topic.arn))));
      this.deliver(topic, sub, p, trace, this.signerFor(topic, p), d.baseUrl, this.deps.persistence(), undefined, d);
    }
  }

  private traceOf(topic: Topic, p: Published, via: PublishTrace['via'], account: string, region: string): PublishTrace {
    return this.deps.trace.add<PublishTrace>({
      id: p.messageId,
      kind: 'publish',
      at: p.timestamp,
      account,
      region,
      topicArn: topic.arn,
      via,
      message: {
        body: p.message,
        subject: p.subject,
        attributes: envelopeAttributesForTrace(p),
        groupId: p.groupId,
        dedupId: p.dedupId,
        sequenceNumber: p.sequenceNumber,
      },
      deliveries: [],
      filteredOut: [],
    });
  }

  /** One signature per distinct message text (MessageStructure=json gives each protocol its own). */
  private signerFor(topic: Topic, p: Published): (text: string) => Promise<string> {
    const signatures = new Map<string, Promise<string>>();
    return (text: string): Promise<string> => {
      let s = signatures.get(text);
      if (!s)
        signatures.set(
          text,
          (s = this.deps.signer.sign(
            { Message: text, MessageId: p.messageId, Subject: p.subject, Timestamp: isoMillis(p.timestamp), TopicArn: topic.arn, Type: 'Notification' },
            topic.signatureVersion,
          )),
        );
      return s;
    };
  }

  private deliver(
    topic: Topic,
    sub: Subscription,
    p: Published,
    trace: PublishTrace,
    sign: (text: string) => Promise<string>,
    baseUrl: string,
    persistence: SnsPersistence | undefined,
    work: Promise<void>[] | undefined,
    resumed: PendingDelivery | undefined,
  ): void {
    const text = messageFor(p, sub.protocol);
    const envelope = (signature: string | undefined): string =>
      notificationEnvelope(topic, sub, p, text, signature, baseUrl);
    const raw = sub.raw && sub.protocol !== 'lambda';
    const record: SubscriptionDelivery = {
      subscriptionArn: sub.arn,
      protocol: sub.protocol,
      targetArn: sub.endpoint,
      input: raw ? text : '',
      state: 'pending',
      attempts: [],
    };
    trace.deliveries.push(record);
    const restored = resumed && restoredAttempts(resumed);
    if (restored) {
      record.attempts = restored.attempts;
      if (restored.attempts.length > 0) record.state = 'retrying';
    }
    const signed = !topic.fifo;
    /** The body this subscription receives (the envelope needs the signature first). */
    const body = async (): Promise<string> => (raw ? text : envelope(signed ? await sign(text) : undefined));
    let send: () => DeliveryOutcome | Promise<DeliveryOutcome>;
    let backoff: ((retry: number) => number) | undefined = managedBackoffMs;
    let maximumRetryAttempts = MANAGED_RETRIES;
    switch (sub.protocol) {
      case 'sqs':
        // Unsigned bodies (raw, FIFO) go in synchronously: deliveries start in publish order,
        // so a FIFO queue receives a topic's messages in the order they were published.
        send = raw
          ? () => this.toQueue(sub, topic, p, text, true)
          : signed
            ? async () => this.toQueue(sub, topic, p, (record.input = envelope(await sign(text))), false)
            : () => this.toQueue(sub, topic, p, (record.input = envelope(undefined)), false);
        break;
      case 'http':
      case 'https': {
        const policy = effectiveDeliveryPolicy(topic.attributes.get('DeliveryPolicy'), sub.attributes.get('DeliveryPolicy'));
        const delays = retryDelaysMs(policy.policy);
        backoff = (retry) => delays[retry - 1] ?? delays[delays.length - 1] ?? 0;
        maximumRetryAttempts = delays.length;
        send = async () =>
          postToHttpEndpoint({
            endpoint: sub.endpoint,
            messageType: 'Notification',
            messageId: p.messageId,
            topicArn: topic.arn,
            subscriptionArn: sub.arn,
            body: (record.input = await body()),
            contentType: policy.headerContentType,
            rawDelivery: raw,
          });
        break;
      }
      case 'lambda':
        send = async () => {
          const event = lambdaEvent(sub, JSON.parse(envelope(signed ? await sign(text) : undefined)) as Record<string, unknown>);
          record.input = event;
          return this.deps.forwarder.deliver(sub.endpoint, event, { eventId: p.messageId, timestamp: p.timestamp });
        };
        break;
      case 'firehose':
        send = async () => this.deps.forwarder.deliver(sub.endpoint, (record.input = await body()), { eventId: p.messageId, timestamp: p.timestamp });
        break;
      default:
        // email, email-json, sms, application: nowhere to send on a laptop; recorded.
        send = async () => {
          record.input = sub.protocol === 'email' || sub.protocol === 'sms' ? text : await body();
          return { ok: true, captured: true, detail: `${sub.protocol} deliveries are recorded, not sent` };
        };
    }
    const dlq = sub.deadLetterArn;
    const request: DeliveryRequest = {
      send,
      eventTime: p.timestamp,
      maximumRetryAttempts,
      // AWS keeps retrying AWS-managed endpoints for 23 days; HTTP for as long as the policy says.
      maximumEventAgeInSeconds: 23 * 86_400,
      backoff,
      deadLetter: dlq
        ? {
            arn: dlq,
            write: () => this.toDeadLetter(dlq, sub, p, record.input || text),
            // Attempts failed by an injected fault send nothing: the DLQ still gets the notification.
            prepare: async () => {
              if (record.input === '') record.input = await body();
            },
          }
        : undefined,
      record,
      // Injected faults name the delivery by its topic, subscription and endpoint (src/delivery/faults.ts).
      faultScope: topic.arn,
      // A FIFO topic delivers each group in order: under injected failures and delays too.
      orderKey: topic.fifo ? `${sub.arn}\u0000${p.groupId ?? ''}` : undefined,
    };
    if (persistence) {
      if (RECORDED_PROTOCOLS.has(sub.protocol)) {
        const id = resumed?.id ?? uuid();
        if (!resumed)
          persistence.deliveryStarted({
            id,
            subscriptionArn: sub.arn,
            topicArn: topic.arn,
            baseUrl,
            eventTime: p.timestamp,
            attempts: 0,
            nextAt: this.deps.clock.now(),
            via: trace.via,
            message: {
              id: p.messageId,
              text,
              subject: p.subject,
              attributes: encodeAttributes(p.attributes),
              groupId: p.groupId,
              dedupId: p.dedupId,
              sequenceNumber: p.sequenceNumber,
            },
          });
        request.journal = recordedJournal(id, this.deps.persistence);
      } else if (work && sub.protocol === 'sqs') {
        request.journal = firstAttemptJournal(work);
      }
    }
    if (restored) {
      request.priorAttempts = restored.prior;
      this.deps.deliverer.resume(request, resumed!.nextAt);
    } else this.deps.deliverer.start(request);
  }

  /** One SQS delivery; a missing queue is a client-side error, which AWS does not retry. */
  private toQueue(sub: Subscription, topic: Topic, p: Published, body: string, raw: boolean): DeliveryOutcome {
    // The queue is looked up once and kept on the subscription until it is deleted.
    let q = sub.queue;
    if (!q || q.deleted) q = sub.queue = this.deps.findQueue(sub.endpoint);
    if (!q) return failed('NonExistentQueue', `The queue ${sub.endpoint} does not exist.`, false);
    const max = q.maximumMessageSize;
    // A UTF-16 unit is at most 3 UTF-8 bytes: short bodies need no byte count.
    if (body.length * 3 > max && Buffer.byteLength(body) > max)
      return failed('InvalidParameterValue', `The message is larger than the queue's MaximumMessageSize of ${max} bytes.`, false);
    const attributes = raw ? sqsAttributes(p) : undefined;
    const { message, duplicate, injectedCopies } = q.send({
      body,
      attributes,
      groupId: q.fifo ? (p.groupId ?? topic.name) : undefined,
      dedupId: q.fifo ? (p.dedupId ?? createHash('sha256').update(p.message).digest('hex')) : undefined,
      senderId: topic.account,
    });
    const outcome: DeliveryOutcome = { ok: true, detail: duplicate ? `duplicate of ${message.id} in the queue's dedup window` : message.id };
    // The queue's own duplicate fault (it delivers the message again after a DeleteMessage).
    if (injectedCopies !== undefined) outcome.injected = { faultId: injectedCopies.faultId, kind: 'duplicate', copies: injectedCopies.copies };
    return outcome;
  }

  /**
   * A delivery that failed for good, into the subscription's DLQ: the message exactly as the
   * subscriber would have received it (envelope, or raw with the attributes as SQS attributes),
   * FIFO group and dedup id kept. AWS adds no error attributes here (those are Lambda's DLQ's).
   */
  private toDeadLetter(dlqArn: string, sub: Subscription, p: Published, body: string): DeliveryOutcome {
    const q = this.deps.findQueue(dlqArn);
    if (!q) return failed('NonExistentQueue', `The dead-letter queue ${dlqArn} does not exist.`, false);
    const { message } = q.send({
      body,
      attributes: sub.raw ? sqsAttributes(p) : undefined,
      groupId: q.fifo ? (p.groupId ?? 'dlq') : undefined,
      dedupId: q.fifo ? (p.dedupId ?? `${p.messageId}:${sub.arn}`) : undefined,
      senderId: sub.owner,
    });
    return { ok: true, detail: message.id };
  }
}

/** The trace's view of the attributes (Binary base64). */
function envelopeAttributesForTrace(p: Published): PublishTrace['message']['attributes'] {
  if (!p.attributes) return undefined;
  const out: NonNullable<PublishTrace['message']['attributes']> = ownRecord();
  for (const [k, a] of Object.entries(p.attributes))
    out[k] = a.BinaryValue ? { DataType: a.DataType, BinaryValue: Buffer.from(a.BinaryValue).toString('base64') } : { DataType: a.DataType, StringValue: a.StringValue };
  return out;
}

/** Raw delivery to SQS: the SNS attributes become SQS message attributes (at most 10, as SQS allows). */
function sqsAttributes(p: Published) {
  if (!p.attributes) return undefined;
  // Built once per publish and shared by its raw deliveries (queues never modify them).
  if (p.sqsAttributes) return p.sqsAttributes;
  const out = ownRecord<{ DataType: string; StringValue?: string; BinaryValue?: Uint8Array }>();
  let n = 0;
  for (const [k, a] of Object.entries(p.attributes)) {
    if (n++ >= SNS_LIMITS.rawDeliveryAttributes) break;
    out[k] = a.BinaryValue ? { DataType: a.DataType, BinaryValue: a.BinaryValue } : { DataType: a.DataType, StringValue: a.StringValue };
  }
  return (p.sqsAttributes = out);
}

/**
 * Where the signing certificate is, over HTTPS on Switchyard's own port: verifiers such as
 * sns-validator fetch it with https only (the port speaks both, see server.ts).
 */
export function signingCertUrl(baseUrl: string): string {
  return `${baseUrl.replace(/^http:/, 'https:')}${SIGNING_CERT_PATH}`;
}

/** The JSON notification AWS delivers to SQS, HTTP and Lambda subscribers. */
export function notificationEnvelope(topic: Topic, sub: Subscription, p: Published, text: string, signature: string | undefined, baseUrl: string): string {
  const unsubscribe = `${baseUrl}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(sub.arn)}`;
  if (topic.fifo)
    return renderEnvelope([
      ['Type', 'Notification'],
      ['MessageId', p.messageId],
      ['SequenceNumber', p.sequenceNumber],
      ['TopicArn', topic.arn],
      ['Subject', p.subject],
      ['Message', text],
      ['Timestamp', isoMillis(p.timestamp)],
      ['UnsubscribeURL', unsubscribe],
      ['MessageAttributes', envelopeAttributes(p.attributes)],
    ]);
  return renderEnvelope([
    ['Type', 'Notification'],
    ['MessageId', p.messageId],
    ['TopicArn', topic.arn],
    ['Subject', p.subject],
    ['Message', text],
    ['Timestamp', isoMillis(p.timestamp)],
    ['SignatureVersion', topic.signatureVersion],
    ['Signature', signature],
    ['SigningCertURL', signingCertUrl(baseUrl)],
    ['UnsubscribeURL', unsubscribe],
    ['MessageAttributes', envelopeAttributes(p.attributes)],
  ]);
}

/** The event a Lambda function subscribed to a topic is invoked with. */
function lambdaEvent(sub: Subscription, n: Record<string, unknown>): string {
  return JSON.stringify({
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: sub.arn,
        Sns: {
          Type: n.Type,
          MessageId: n.MessageId,
          TopicArn: n.TopicArn,
          Subject: n.Subject ?? null,
          Message: n.Message,
          Timestamp: n.Timestamp,
          SignatureVersion: n.SignatureVersion,
          Signature: n.Signature,
          SigningCertUrl: n.SigningCertURL,
          UnsubscribeUrl: n.UnsubscribeURL,
          MessageAttributes: n.MessageAttributes ?? {},
        },
      },
    ],
  });
}

function parseRegion(topicArn: string): string {
  return topicArn.split(':')[3];
}
