/**
 * SNS state on disk (see ServiceStore in ./service-store.ts).
 *
 * The catalog section `sns` holds the resources, rewritten after every change that an operation
 * makes (its answer waits for the write):
 *   topics         in creation order per account and region: name, ARN, FIFO, creation time,
 *                  every attribute as stored (Policy with AddPermission's statements, DeliveryPolicy,
 *                  DisplayName, ContentBasedDeduplication, KmsMasterKeyId...), tags in order, the
 *                  data protection policy, the count of deleted subscriptions
 *   subscriptions  in creation order (fan-out order): ARN, topic, protocol, endpoint, owner, every
 *                  attribute (FilterPolicy and its scope, RawMessageDelivery, RedrivePolicy,
 *                  DeliveryPolicy...), the confirmation state and token (a pending HTTP or email
 *                  subscription can still be confirmed after a restart)
 *
 * The journal `sns-journal.log` (one JSON object per line, `t` the kind, `a` a topic ARN):
 *   K  a FIFO topic accepted a message: dedup key `k`, message `id`, sequence number `n`, the
 *      entry expires at `x` (the sequence counter is the largest number seen)
 *   N  (snapshot) a FIFO topic's sequence counter `n` (a decimal string)
 *   X  a FIFO topic was deleted: the entries before are forgotten
 *   P  a delivery out of the process (http, https, lambda, firehose; and HTTP confirmations)
 *      started, or (snapshot) is still pending: `d`, a PendingDelivery (src/sns/persistence.ts)
 *   R  delivery `id` failed attempt `n` and will be retried at `w`; the attempt `l`
 *   E  delivery `id` ended (delivered, dropped, or written to its dead-letter queue)
 * Publish answers only once its K and P records (and what its fan-out put into queues, in the SQS
 * journal) are on disk. R and E records are not waited for: losing one only repeats an attempt
 * after a restart, which at-least-once delivery allows.
 *
 * Recording starts at `attach`: until then the service has no persistence and nothing is written
 * (restoring appends nothing). Deliveries replayed from the journal are resumed at `attach` too,
 * when their progress can be recorded again.
 */
import type { DeliveryAttempt } from '../trace/trace.js';
import { FIFO_TOPIC_NAME, TOPIC_NAME, parseSubscriptionArn, topicArn } from '../sns/arn.js';
import { FilterPolicyError, compileFilterPolicy } from '../sns/filter-policy.js';
import type { PendingDelivery, SnsPersistence, StoredConfirmation, StoredMessage } from '../sns/persistence.js';
import type { SnsService } from '../sns/service.js';
import { PROTOCOLS, Subscription } from '../sns/subscription.js';
import { Topic, sequenceCounterOf, type Deduplicated } from '../sns/topic.js';
import { encodeRecord } from './journal.js';
import type { ServiceStore, StoreIo } from './service-store.js';

export interface TopicDef {
  account: string;
  region: string;
  name: string;
  arn: string;
  fifo: boolean;
  createdAt: number;
  attributes: Record<string, string>;
  tags: Array<{ Key: string; Value: string }>;
  dataProtectionPolicy?: string;
  subscriptionsDeleted: number;
}

export interface SubscriptionDef {
  arn: string;
  topicArn: string;
  protocol: string;
  endpoint: string;
  owner: string;
  attributes: Record<string, string>;
  pendingConfirmation: boolean;
  confirmationWasAuthenticated: boolean;
  token: string;
}

export interface SnsCatalog {
  topics: TopicDef[];
  subscriptions: SubscriptionDef[];
}

type Rec =
  | { t: 'K'; a: string; k: string; id: string; n: string; x: number }
  | { t: 'N'; a: string; n: string }
  | { t: 'X'; a: string }
  | { t: 'P'; d: PendingDelivery }
  | { t: 'R'; id: string; n: number; w: number; l?: DeliveryAttempt }
  | { t: 'E'; id: string };

export function createSnsStore(service: SnsService): ServiceStore {
  return new SnsStore(service);
}

// --- checks on what was read: each answers why an entry is malformed, or undefined ---

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const optional = (v: unknown, check: (v: unknown) => boolean): boolean => v === undefined || check(v);
const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z0-9-]+$/;
const SEQUENCE = /^\d{1,30}$/;
const VIA: ReadonlySet<string> = new Set(['Publish', 'PublishBatch', 'events']);
const CONFIRMATIONS: ReadonlySet<string> = new Set(['SubscriptionConfirmation', 'UnsubscribeConfirmation']);

function stringMap(v: unknown): v is Record<string, string> {
  return isObject(v) && Object.values(v).every(isString);
}

function firstFailure(checks: Array<[boolean, string]>): string | undefined {
  for (const [ok, why] of checks) if (!ok) return why;
  return undefined;
}

function topicProblem(t: unknown): string | undefined {
  if (!isObject(t)) return 'not an object';
  return firstFailure([
    [isString(t.account) && ACCOUNT.test(t.account), 'account is not a 12-digit account id'],
    [isString(t.region) && REGION.test(t.region), 'region is not a region name'],
    [typeof t.fifo === 'boolean', 'fifo is not true or false'],
    [isString(t.name) && (t.fifo ? FIFO_TOPIC_NAME : TOPIC_NAME).test(t.name), 'name is not a valid topic name'],
    [t.arn === undefined || t.arn === topicArn(String(t.region), String(t.account), String(t.name)), 'arn does not match the account, region and name'],
    [stringMap(t.attributes), 'attributes is not an object of strings'],
    [optional(t.tags, (v) => Array.isArray(v) && v.every((x) => isObject(x) && isString(x.Key) && isString(x.Value))), 'tags is not a list of {Key, Value}'],
    [optional(t.createdAt, isTime), 'createdAt is not a time'],
    [optional(t.dataProtectionPolicy, isString), 'dataProtectionPolicy is not a string'],
    [optional(t.subscriptionsDeleted, isCount), 'subscriptionsDeleted is not a count'],
  ]);
}

function subscriptionProblem(s: unknown): string | undefined {
  if (!isObject(s)) return 'not an object';
  const ref = isString(s.arn) ? parseSubscriptionArn(s.arn) : undefined;
  return firstFailure([
    [ref !== undefined, 'arn is not a subscription ARN'],
    [ref !== undefined && s.topicArn === topicArn(ref.region, ref.account, ref.name), "topicArn is not the topic of the subscription's ARN"],
    [isString(s.protocol) && PROTOCOLS.has(s.protocol), 'protocol is not an SNS protocol'],
    [isString(s.endpoint) && s.endpoint !== '', 'endpoint is missing'],
    [isString(s.owner) && ACCOUNT.test(s.owner), 'owner is not a 12-digit account id'],
    [stringMap(s.attributes), 'attributes is not an object of strings'],
    [typeof s.pendingConfirmation === 'boolean', 'pendingConfirmation is not true or false'],
    [optional(s.confirmationWasAuthenticated, (v) => typeof v === 'boolean'), 'confirmationWasAuthenticated is not true or false'],
    [isString(s.token) && s.token !== '', 'token is missing'],
  ]);
}

function attemptProblem(l: unknown): boolean {
  return isObject(l) && isTime(l.at) && typeof l.ok === 'boolean' && optional(l.code, isString) && optional(l.message, isString) && optional(l.status, isTime);
}

function messageOk(m: unknown): m is StoredMessage {
  return (
    isObject(m) &&
    isString(m.id) &&
    isString(m.text) &&
    optional(m.subject, isString) &&
    optional(m.groupId, isString) &&
    optional(m.dedupId, isString) &&
    optional(m.sequenceNumber, isString) &&
    optional(m.attributes, (a) => isObject(a) && Object.values(a).every((v) => isObject(v) && isString(v.DataType) && optional(v.StringValue, isString) && optional(v.BinaryValue, isString)))
  );
}

function confirmationOk(c: unknown): c is StoredConfirmation {
  return (
    isObject(c) &&
    isString(c.type) &&
    CONFIRMATIONS.has(c.type) &&
    isString(c.messageId) &&
    isString(c.token) &&
    isString(c.endpoint) &&
    isString(c.protocol) &&
    isString(c.owner) &&
    optional(c.deliveryPolicy, isString)
  );
}

function deliveryOk(d: unknown): d is PendingDelivery {
  return (
    isObject(d) &&
    isString(d.id) &&
    isString(d.subscriptionArn) &&
    isString(d.topicArn) &&
    isString(d.baseUrl) &&
    isTime(d.eventTime) &&
    isCount(d.attempts) &&
    isTime(d.nextAt) &&
    isString(d.via) &&
    VIA.has(d.via) &&
    optional(d.last, attemptProblem) &&
    (d.message === undefined) !== (d.confirmation === undefined) &&
    optional(d.message, messageOk) &&
    optional(d.confirmation, confirmationOk)
  );
}

function recordOk(r: unknown): r is Rec {
  if (!isObject(r)) return false;
  switch (r.t) {
    case 'K':
      return isString(r.a) && isString(r.k) && isString(r.id) && isString(r.n) && SEQUENCE.test(r.n) && isTime(r.x);
    case 'N':
      return isString(r.a) && isString(r.n) && SEQUENCE.test(r.n);
    case 'X':
      return isString(r.a);
    case 'P':
      return deliveryOk(r.d);
    case 'R':
      return isString(r.id) && isCount(r.n) && isTime(r.w) && optional(r.l, attemptProblem);
    case 'E':
      return isString(r.id);
    default:
      return false;
  }
}

function excerpt(v: unknown): string {
  return (JSON.stringify(v) ?? String(v)).slice(0, 120);
}

/** A FIFO topic's dedup window and counter as the journal describes them. */
interface ReplayedTopic {
  dedup: Map<string, Deduplicated>;
  sequence: bigint;
}

class SnsStore implements ServiceStore, SnsPersistence {
  readonly name = 'sns';
  private io: StoreIo | undefined;
  /** Deliveries that have not ended, by id: what a snapshot writes. */
  private readonly deliveries = new Map<string, PendingDelivery>();
  /** Replayed deliveries, resumed at attach. */
  private toResume: PendingDelivery[] = [];

  constructor(private readonly service: SnsService) {}

  // --- ServiceStore ---

  exportCatalog(): SnsCatalog {
    const topics: TopicDef[] = [];
    const subscriptions: SubscriptionDef[] = [];
    for (const region of this.service.allRegions()) {
      for (const t of region.topics.values()) {
        const def: TopicDef = {
          account: t.account,
          region: region.region,
          name: t.name,
          arn: t.arn,
          fifo: t.fifo,
          createdAt: t.createdAt,
          attributes: Object.fromEntries(t.attributes),
          tags: [...t.tags].map(([Key, Value]) => ({ Key, Value })),
          subscriptionsDeleted: t.subscriptionsDeleted,
        };
        if (t.dataProtectionPolicy !== undefined) def.dataProtectionPolicy = t.dataProtectionPolicy;
        topics.push(def);
      }
      for (const s of region.subscriptions.values())
        subscriptions.push({
          arn: s.arn,
          topicArn: s.topicArn,
          protocol: s.protocol,
          endpoint: s.endpoint,
          owner: s.owner,
          attributes: Object.fromEntries(s.attributes),
          pendingConfirmation: s.pendingConfirmation,
          confirmationWasAuthenticated: s.confirmationWasAuthenticated,
          token: s.token,
        });
    }
    return { topics, subscriptions };
  }

  importCatalog(section: unknown, warn: (message: string) => void): void {
    if (section === undefined) return;
    if (!isObject(section)) {
      warn(`catalog: the sns section is not an object (${excerpt(section)}); no topic or subscription could be read from it`);
      return;
    }
    const list = (key: 'topics' | 'subscriptions'): unknown[] => {
      const v = section[key];
      if (v === undefined) return [];
      if (Array.isArray(v)) return v;
      warn(`catalog: sns.${key} is not a list; no ${key} could be read from it`);
      return [];
    };
    list('topics').forEach((raw, i) => {
      const problem = topicProblem(raw);
      if (problem) return warn(`catalog: sns.topics[${i}] is malformed (${problem}: ${excerpt(raw)}); skipped`);
      const def = raw as TopicDef;
      const region = this.service.region(def.account, def.region);
      if (region.topics.has(def.name)) return warn(`catalog: sns.topics[${i}] is a second topic ${topicArn(def.region, def.account, def.name)}; skipped`);
      const topic = new Topic(def.name, topicArn(def.region, def.account, def.name), def.account, def.fifo, def.createdAt ?? this.service.clock.now());
      // Exactly the attributes stored: the constructor's defaults may have been removed since.
      topic.attributes.clear();
      for (const [k, v] of Object.entries(def.attributes)) topic.attributes.set(k, v);
      for (const { Key, Value } of def.tags ?? []) topic.tags.set(Key, Value);
      if (def.dataProtectionPolicy !== undefined) topic.dataProtectionPolicy = def.dataProtectionPolicy;
      topic.subscriptionsDeleted = def.subscriptionsDeleted ?? 0;
      region.topics.set(topic.name, topic);
    });
    list('subscriptions').forEach((raw, i) => {
      const problem = subscriptionProblem(raw);
      if (problem) return warn(`catalog: sns.subscriptions[${i}] is malformed (${problem}: ${excerpt(raw)}); skipped`);
      const def = raw as SubscriptionDef;
      const topic = this.service.topicByArn(def.topicArn);
      if (!topic) return warn(`catalog: sns.subscriptions[${i}] (${def.arn}) belongs to ${def.topicArn}, which is not in the catalog; skipped`);
      const ref = parseSubscriptionArn(def.arn)!;
      const region = this.service.region(ref.account, ref.region);
      if (region.subscriptions.has(def.arn)) return warn(`catalog: sns.subscriptions[${i}] is a second subscription ${def.arn}; skipped`);
      const sub = new Subscription(def.arn, def.topicArn, def.protocol, def.endpoint, def.owner, def.pendingConfirmation, def.token);
      sub.confirmationWasAuthenticated = def.confirmationWasAuthenticated ?? false;
      for (const [k, v] of Object.entries(def.attributes)) sub.attributes.set(k, v);
      const policy = def.attributes.FilterPolicy;
      if (policy !== undefined && policy !== '') {
        try {
          sub.filter = compileFilterPolicy(policy, sub.filterPolicyScope, { call: 'Subscribe' });
        } catch (err) {
          if (!(err instanceof FilterPolicyError)) throw err;
          // Delivering everything to a subscription that filtered would be worse than not at all.
          return warn(`catalog: sns.subscriptions[${i}] (${def.arn}) has a filter policy that does not compile (${err.message}); skipped`);
        }
      }
      topic.subscriptions.set(sub.arn, sub);
      region.subscriptions.set(sub.arn, sub);
      region.tokens.set(sub.token, sub);
    });
  }

  snapshot(): string[] {
    const lines: string[] = [];
    const now = this.service.clock.now();
    for (const region of this.service.allRegions())
      for (const topic of region.topics.values()) {
        if (!topic.fifo) continue;
        const { sequence, dedup } = topic.persistentState(now);
        if (sequence > 0n) lines.push(encodeRecord({ t: 'N', a: topic.arn, n: sequence.toString() }));
        for (const [k, e] of dedup) lines.push(encodeRecord({ t: 'K', a: topic.arn, k, id: e.messageId, n: e.sequenceNumber, x: e.expiresAt }));
      }
    for (const d of this.deliveries.values()) lines.push(encodeRecord({ t: 'P', d }));
    return lines;
  }

  replay(records: unknown[], warn: (message: string) => void): void {
    const topics = new Map<string, ReplayedTopic>();
    const topic = (arn: string): ReplayedTopic => {
      let t = topics.get(arn);
      if (!t) topics.set(arn, (t = { dedup: new Map(), sequence: 0n }));
      return t;
    };
    records.forEach((r, i) => {
      if (!recordOk(r)) {
        const kind = isObject(r) && isString(r.t) && 'KNXPRE'.includes(r.t) && r.t.length === 1 ? `a malformed ${r.t} record` : 'of an unknown kind';
        warn(`sns-journal.log: intact record ${i + 1} is ${kind} (${excerpt(r)}); skipped`);
        return;
      }
      switch (r.t) {
        case 'K': {
          const t = topic(r.a);
          t.dedup.delete(r.k);
          t.dedup.set(r.k, { messageId: r.id, sequenceNumber: r.n, expiresAt: r.x });
          const n = sequenceCounterOf(r.n);
          if (n > t.sequence) t.sequence = n;
          break;
        }
        case 'N': {
          const t = topic(r.a);
          const n = BigInt(r.n);
          if (n > t.sequence) t.sequence = n;
          break;
        }
        case 'X':
          topics.delete(r.a);
          break;
        case 'P':
          this.deliveries.set(r.d.id, r.d);
          break;
        case 'R': {
          const d = this.deliveries.get(r.id);
          if (d) {
            d.attempts = r.n;
            d.nextAt = r.w;
            if (r.l) d.last = r.l;
          }
          break;
        }
        case 'E':
          this.deliveries.delete(r.id);
          break;
      }
    });
    // Entries of topics no longer in the catalog (deleted) are dropped with them.
    for (const [arn, state] of topics) {
      const t = this.service.topicByArn(arn);
      if (!t?.fifo) continue;
      t.restoreSequence(state.sequence);
      for (const [k, e] of state.dedup) t.restoreDedup(k, e);
    }
    this.toResume = [...this.deliveries.values()];
  }

  attach(io: StoreIo | undefined): void {
    this.io = io;
    this.service.persistence = io ? this : undefined;
    if (!io) return;
    const resume = this.toResume;
    this.toResume = [];
    for (const d of this.service.resumeDeliveries(resume)) this.deliveryEnded(d.id);
  }

  // --- SnsPersistence: what the service tells us ---

  deduplicated(topic: Topic, key: string, messageId: string, sequenceNumber: string, expiresAt: number): void {
    this.io?.journal.append(encodeRecord({ t: 'K', a: topic.arn, k: key, id: messageId, n: sequenceNumber, x: expiresAt }));
  }

  topicDeleted(topic: Topic): void {
    this.io?.journal.append(encodeRecord({ t: 'X', a: topic.arn }));
  }

  deliveryStarted(d: PendingDelivery): void {
    if (!this.io) return;
    this.deliveries.set(d.id, d);
    this.io.journal.append(encodeRecord({ t: 'P', d }));
  }

  deliveryRetrying(id: string, attempts: number, nextAt: number, last: DeliveryAttempt): void {
    const d = this.deliveries.get(id);
    // Unknown: cancelled by reset() while its attempt ran.
    if (!d || !this.io) return;
    d.attempts = attempts;
    d.nextAt = nextAt;
    d.last = last;
    this.io.journal.append(encodeRecord({ t: 'R', id, n: attempts, w: nextAt, l: last }));
  }

  deliveryEnded(id: string): void {
    if (this.deliveries.delete(id)) this.io?.journal.append(encodeRecord({ t: 'E', id }));
  }

  cleared(): void {
    this.deliveries.clear();
    this.toResume = [];
  }

  catalogChanged(): Promise<void> {
    return this.io ? this.io.catalogChanged() : Promise.resolve();
  }

  durableAll(): Promise<void> {
    return this.io ? this.io.durableAll() : Promise.resolve();
  }
}
