/**
 * Applying a checked config to the running services, through their own handlers: each request
 * is built as a client would send it, decoded by the operation's shape exactly as the gateway
 * decodes a JSON request (so required members and types are checked as AWS checks them), and
 * handed to `service.handle(operation, input, ctx)` with a context for the resource's account
 * and region. Every AWS validation therefore applies, and an error is AWS's own, reported with
 * the path of the resource in the file.
 *
 * Two passes. First, nothing changes: every reference is resolved (to a resource the file
 * declares, or one that already exists, e.g. restored by persistence), duplicates and DLQ
 * cycles are found, and the queues are put in dependency order. Then the resources are created
 * in order: queues (dead-letter queues before the queues that use them), topics, subscriptions,
 * buses, connections, API destinations, rules, targets.
 *
 * Idempotent: a resource that does not exist is created; one that exists gets the attributes
 * the file declares (the file wins), and attributes the file does not mention are left as they
 * are. What cannot change on AWS either (a queue's or topic's FIFO type) is an error.
 */
import type { EventsService } from '../events/service.js';
import { busArn } from '../events/arn.js';
import type { RequestContext, ServiceHandler } from '../gateway/context.js';
import { AwsError } from '../gateway/errors.js';
import { decodeJsonInput } from '../gateway/json-codec.js';
import { uuid } from '../ids.js';
import { topicArn } from '../sns/arn.js';
import type { SnsService } from '../sns/service.js';
import type { SqsService } from '../sqs/service.js';
import type { Stacks } from '../templates/stacks.js';
import { Checker, type Mapping } from './check.js';
import { joinPath } from './errors.js';
import type { ApiDestinationDecl, BusDecl, ConfigModel, ConnectionDecl, QueueDecl, QueueRef, RuleDecl, SubscriptionDecl, TargetDecl, TopicDecl } from './schema.js';

export interface ConfigServices {
  sqs: SqsService;
  sns: SnsService;
  events: EventsService;
  /** Where the `templates:` entries' stacks are recorded (the inspection API, `sy.stacks`). */
  stacks?: Stacks;
}

export interface ApplyOptions {
  /** The server's account and region: resources without `account:` / `region:` go there. */
  account: string;
  region: string;
  /** Scheme, host and port clients reach the server at (queue URLs, SNS confirmation URLs). */
  baseUrl: string;
  /** Values for the `templates:` entries' parameters, for every template that declares them (`--parameter`). */
  templateParameters?: Record<string, string>;
}

/** What applying did, one line per resource (`queue orders`, `rule big-orders`). */
export interface ApplyReport {
  created: string[];
  updated: string[];
  unchanged: string[];
}

/** An AWS error from one operation, on its way to becoming an error naming the resource (also templates'). */
export class OperationError extends Error {
  constructor(
    readonly operation: string,
    readonly error: AwsError,
  ) {
    super(`${operation} failed with ${error.type}: ${error.message}`);
  }
}

type Out = Record<string, unknown>;

interface Where {
  account: string;
  region: string;
}

/** A queue to create: one of the file's, or a dead-letter queue the file names without declaring. */
interface QueuePlan {
  decl: QueueDecl;
  where: Where;
  arn: string;
}

export function applyConfig(model: ConfigModel, services: ConfigServices, options: ApplyOptions): ApplyReport {
  return new Applier(model, services, options).run();
}

class Applier {
  private readonly c: Checker;
  private readonly report: ApplyReport = { created: [], updated: [], unchanged: [] };
  private readonly queues = new Map<string, QueuePlan>();
  private readonly topics = new Map<string, string>();
  private readonly buses = new Map<string, string>();
  private readonly connections = new Map<string, string>();
  private readonly apiDestinations = new Map<string, string>();

  constructor(
    private readonly model: ConfigModel,
    private readonly services: ConfigServices,
    private readonly options: ApplyOptions,
  ) {
    this.c = new Checker(model.label);
  }

  run(): ApplyReport {
    const order = this.resolve();
    const m = this.model;
    for (const q of order) this.attempt(q.decl.path, () => this.applyQueue(q));
    for (const t of m.topics) this.attempt(t.path, () => this.applyTopic(t));
    for (const t of m.topics) for (const s of t.subscriptions) this.attempt(s.path, () => this.applySubscription(t, s));
    for (const b of m.buses) this.attempt(b.path, () => this.applyBus(b));
    for (const conn of m.connections) this.attempt(conn.path, () => this.applyConnection(conn));
    for (const d of m.apiDestinations) this.attempt(d.path, () => this.applyApiDestination(d));
    for (const r of m.rules) this.attempt(r.path, () => this.applyRule(r));
    for (const r of m.rules) for (const t of r.targets) this.attempt(t.path, () => this.applyTarget(r, t));
    return this.report;
  }

  // ------------------------------------------------------------------ first pass: resolve

  /** Check every reference and duplicate; the queues in creation order (DLQs first). */
  private resolve(): QueuePlan[] {
    const m = this.model;
    const declared = (map: Map<string, string>, kind: string, key: string, path: string) => {
      const seen = map.get(key);
      if (seen !== undefined) this.c.fail(joinPath(path, 'name'), `${kind} "${key.split('/').slice(2).join('/')}" is declared twice (also at ${seen})`);
      map.set(key, path);
    };
    for (const q of m.queues) {
      const where = this.where(q);
      const key = this.key(where, q.name);
      const seen = this.queues.get(key);
      if (seen) this.c.fail(joinPath(q.path, 'name'), `queue "${q.name}" is declared twice (also at ${seen.decl.path})`);
      this.queues.set(key, { decl: q, where, arn: queueArn(where, q.name) });
    }
    for (const t of m.topics) {
      const where = this.where(t);
      declared(this.topics, 'topic', this.key(where, t.name), t.path);
      const seen = new Map<string, string>();
      for (const s of t.subscriptions) {
        const id = `${s.protocol} ${s.endpoint ?? queueArn(where, s.queue!.name)}`;
        const before = seen.get(id);
        if (before) this.c.fail(s.path, `the same subscription (${s.protocol} to ${s.endpoint ?? s.queue!.name}) is declared twice in this topic (also at ${before})`);
        seen.set(id, s.path);
      }
    }
    for (const b of m.buses) declared(this.buses, 'bus', this.key(this.where(b), b.name), b.path);
    for (const conn of m.connections) declared(this.connections, 'connection', this.key(this.where(conn), conn.name), conn.path);
    for (const d of m.apiDestinations) declared(this.apiDestinations, 'API destination', this.key(this.where(d), d.name), d.path);
    const rules = new Map<string, string>();
    for (const r of m.rules) {
      const where = this.where(r);
      const bus = r.bus.startsWith('arn:') ? r.bus : this.key(where, r.bus);
      const seen = rules.get(`${bus} ${r.name}`);
      if (seen) this.c.fail(joinPath(r.path, 'name'), `rule "${r.name}" is declared twice on bus ${r.bus} (also at ${seen})`);
      rules.set(`${bus} ${r.name}`, r.path);
    }

    // References. Dead-letter queues named by name are created when neither declared nor existing.
    for (const q of m.queues) if (q.deadLetter) this.deadLetterQueue(q.deadLetter, this.where(q));
    for (const t of m.topics) {
      const where = this.where(t);
      for (const s of t.subscriptions) {
        if (s.queue) this.need('queue', where, s.queue.name, s.queue.path);
        if (s.deadLetter) this.deadLetterQueue(s.deadLetter, where);
      }
    }
    for (const b of m.buses) if (b.deadLetter) this.deadLetterQueue(b.deadLetter, this.where(b));
    for (const d of m.apiDestinations) if (d.connection) this.need('connection', this.where(d), d.connection.name, d.connection.path);
    for (const r of m.rules) {
      const where = this.where(r);
      if (r.busPath && !r.bus.startsWith('arn:') && r.bus !== 'default') this.need('bus', where, r.bus, r.busPath);
      for (const t of r.targets) {
        if (t.ref.kind !== 'arn') this.need(t.ref.kind, where, t.ref.name, t.ref.path);
        if (t.deadLetter) this.deadLetterQueue(t.deadLetter, where);
      }
    }
    return this.queueOrder();
  }

  /** A resource the file refers to by name: declared in the file, or existing already. */
  private need(kind: 'queue' | 'topic' | 'bus' | 'apiDestination' | 'connection', where: Where, name: string, path: string): void {
    const key = this.key(where, name);
    const declared =
      kind === 'queue'
        ? this.queues.has(key)
        : kind === 'topic'
          ? this.topics.has(key)
          : kind === 'bus'
            ? this.buses.has(key)
            : kind === 'connection'
              ? this.connections.has(key)
              : this.apiDestinations.has(key);
    if (declared || this.exists(kind, where, name)) return;
    const noun = kind === 'apiDestination' ? 'API destination' : kind;
    const elsewhere = where.account !== this.options.account || where.region !== this.options.region;
    this.c.fail(path, `no ${noun} named "${name}" is declared${elsewhere ? ` in account ${where.account}, region ${where.region}` : ''}`);
  }

  /** A DLQ given by name that is neither declared nor existing is created, FIFO when its name says so. */
  private deadLetterQueue(ref: QueueRef, where: Where): void {
    if (ref.name === undefined) return;
    const key = this.key(where, ref.name);
    if (this.queues.has(key) || this.exists('queue', where, ref.name)) return;
    const fifo = ref.name.endsWith('.fifo');
    const decl: QueueDecl = { path: ref.path, name: ref.name, fifo, attributes: fifo ? { FifoQueue: 'true' } : {}, tags: {} };
    this.queues.set(key, { decl, where, arn: queueArn(where, ref.name) });
  }

  /** Queues in an order where each one's dead-letter queue comes first; a cycle is an error. */
  private queueOrder(): QueuePlan[] {
    const order: QueuePlan[] = [];
    const state = new Map<QueuePlan, 'visiting' | 'done'>();
    const byArn = new Map([...this.queues.values()].map((p) => [p.arn, p]));
    const dlqOf = (p: QueuePlan): QueuePlan | undefined => {
      const d = p.decl.deadLetter;
      if (d) return d.name !== undefined ? this.queues.get(this.key(p.where, d.name)) : byArn.get(d.arn!);
      const redrive = p.decl.attributes.RedrivePolicy;
      if (redrive === undefined) return undefined;
      try {
        const arn = (JSON.parse(redrive) as { deadLetterTargetArn?: unknown } | null)?.deadLetterTargetArn;
        return typeof arn === 'string' ? byArn.get(arn) : undefined;
      } catch {
        return undefined; // SQS says what is wrong with it when the queue is created
      }
    };
    const visit = (p: QueuePlan, chain: QueuePlan[]): void => {
      const s = state.get(p);
      if (s === 'done') return;
      if (s === 'visiting') {
        const cycle = [...chain.slice(chain.indexOf(p)), p].map((x) => x.decl.name).join(' -> ');
        const from = chain[chain.length - 1].decl;
        this.c.fail(from.deadLetter ? joinPath(from.path, 'deadLetterQueue') : joinPath(joinPath(from.path, 'attributes'), 'RedrivePolicy'), `dead-letter queues form a cycle: ${cycle}`);
      }
      state.set(p, 'visiting');
      const dlq = dlqOf(p);
      if (dlq) visit(dlq, [...chain, p]);
      state.set(p, 'done');
      order.push(p);
    };
    for (const p of this.queues.values()) visit(p, []);
    return order;
  }

  private exists(kind: 'queue' | 'topic' | 'bus' | 'apiDestination' | 'connection', where: Where, name: string): boolean {
    switch (kind) {
      case 'queue':
        return this.tryCall(this.services.sqs, 'GetQueueUrl', { QueueName: name, QueueOwnerAWSAccountId: where.account }, where, 'QueueDoesNotExist') !== undefined;
      case 'topic':
        return this.tryCall(this.services.sns, 'GetTopicAttributes', { TopicArn: topicArn(where.region, where.account, name) }, where, 'NotFound') !== undefined;
      case 'bus':
        return this.tryCall(this.services.events, 'DescribeEventBus', { Name: name }, where, 'ResourceNotFoundException') !== undefined;
      case 'connection':
        return this.tryCall(this.services.events, 'DescribeConnection', { Name: name }, where, 'ResourceNotFoundException') !== undefined;
      case 'apiDestination':
        return this.tryCall(this.services.events, 'DescribeApiDestination', { Name: name }, where, 'ResourceNotFoundException') !== undefined;
    }
  }

  // ------------------------------------------------------------------ second pass: apply

  private applyQueue(plan: QueuePlan): void {
    const { decl: q, where } = plan;
    const sqs = this.services.sqs;
    const label = `queue ${q.name}`;
    const attributes = { ...q.attributes };
    if (q.deadLetter)
      attributes.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: this.queueArnOf(q.deadLetter, where), maxReceiveCount: q.deadLetter.maxReceiveCount });
    const found = this.tryCall(sqs, 'GetQueueUrl', { QueueName: q.name, QueueOwnerAWSAccountId: where.account }, where, 'QueueDoesNotExist');
    if (!found) {
      const input: Out = { QueueName: q.name, Attributes: attributes };
      if (Object.keys(q.tags).length) input.tags = q.tags;
      this.call(sqs, 'CreateQueue', input, where);
      this.report.created.push(label);
      return;
    }
    const QueueUrl = found.QueueUrl as string;
    const current = ((this.call(sqs, 'GetQueueAttributes', { QueueUrl, AttributeNames: ['All'] }, where).Attributes ?? {}) as Record<string, string>);
    const fifo = current.FifoQueue === 'true';
    if (fifo !== q.fifo)
      this.c.fail(q.path, `queue "${q.name}" already exists as a ${fifo ? 'FIFO' : 'standard'} queue; the file declares a ${q.fifo ? 'FIFO' : 'standard'} queue, and a queue's type cannot change`);
    const changed: Record<string, string> = {};
    for (const [k, v] of Object.entries(attributes)) if (k !== 'FifoQueue' && !sameValue(current[k], v)) changed[k] = v;
    if (Object.keys(changed).length) this.call(sqs, 'SetQueueAttributes', { QueueUrl, Attributes: changed }, where);
    let updated = changedAfter(current, Object.keys(changed), () =>
      (this.call(sqs, 'GetQueueAttributes', { QueueUrl, AttributeNames: ['All'] }, where).Attributes ?? {}) as Record<string, string>,
    );
    const tags = (this.call(sqs, 'ListQueueTags', { QueueUrl }, where).Tags ?? {}) as Record<string, string>;
    const newTags = Object.fromEntries(Object.entries(q.tags).filter(([k, v]) => tags[k] !== v));
    if (Object.keys(newTags).length) {
      this.call(sqs, 'TagQueue', { QueueUrl, Tags: newTags }, where);
      updated = true;
    }
    (updated ? this.report.updated : this.report.unchanged).push(label);
  }

  private applyTopic(t: TopicDecl): void {
    const where = this.where(t);
    const sns = this.services.sns;
    const TopicArn = topicArn(where.region, where.account, t.name);
    const label = `topic ${t.name}`;
    const found = this.tryCall(sns, 'GetTopicAttributes', { TopicArn }, where, 'NotFound');
    if (!found) {
      const input: Out = { Name: t.name, Attributes: t.attributes };
      if (Object.keys(t.tags).length) input.Tags = tagList(t.tags);
      this.call(sns, 'CreateTopic', input, where);
      this.report.created.push(label);
      return;
    }
    const current = (found.Attributes ?? {}) as Record<string, string>;
    const fifo = current.FifoTopic === 'true';
    if (fifo !== t.fifo)
      this.c.fail(t.path, `topic "${t.name}" already exists as a ${fifo ? 'FIFO' : 'standard'} topic; the file declares a ${t.fifo ? 'FIFO' : 'standard'} topic, and a topic's type cannot change`);
    const set: string[] = [];
    for (const [k, v] of Object.entries(t.attributes)) {
      if (k === 'FifoTopic' || sameValue(current[k], v)) continue;
      this.call(sns, 'SetTopicAttributes', { TopicArn, AttributeName: k, AttributeValue: v }, where);
      set.push(k);
    }
    let updated = changedAfter(current, set, () => (this.call(sns, 'GetTopicAttributes', { TopicArn }, where).Attributes ?? {}) as Record<string, string>);
    const tags = Object.fromEntries(((this.call(sns, 'ListTagsForResource', { ResourceArn: TopicArn }, where).Tags ?? []) as Array<{ Key: string; Value: string }>).map((x) => [x.Key, x.Value]));
    const newTags = Object.entries(t.tags).filter(([k, v]) => tags[k] !== v);
    if (newTags.length) {
      this.call(sns, 'TagResource', { ResourceArn: TopicArn, Tags: tagList(Object.fromEntries(newTags)) }, where);
      updated = true;
    }
    (updated ? this.report.updated : this.report.unchanged).push(label);
  }

  private applySubscription(t: TopicDecl, s: SubscriptionDecl): void {
    const where = this.where(t);
    const sns = this.services.sns;
    const TopicArn = topicArn(where.region, where.account, t.name);
    const Endpoint = s.endpoint ?? queueArn(where, s.queue!.name);
    const label = `subscription ${t.name} -> ${s.protocol}:${s.queue ? s.queue.name : Endpoint}`;
    const attributes = { ...s.attributes };
    if (s.deadLetter) attributes.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: this.queueArnOf(s.deadLetter, where) });
    let existing: string | undefined;
    let NextToken: string | undefined;
    do {
      const page = this.call(sns, 'ListSubscriptionsByTopic', NextToken ? { TopicArn, NextToken } : { TopicArn }, where);
      const subs = (page.Subscriptions ?? []) as Array<{ Protocol: string; Endpoint: string; SubscriptionArn: string }>;
      existing = subs.find((x) => x.Protocol === s.protocol && x.Endpoint === Endpoint)?.SubscriptionArn;
      NextToken = page.NextToken as string | undefined;
    } while (!existing && NextToken);
    if (existing === undefined) {
      const input: Out = { TopicArn, Protocol: s.protocol, Endpoint, ReturnSubscriptionArn: true };
      if (Object.keys(attributes).length) input.Attributes = attributes;
      this.call(sns, 'Subscribe', input, where);
      this.report.created.push(label);
      return;
    }
    // A subscription pending confirmation is listed without its ARN; Subscribe again (without
    // attributes, which changes nothing) answers with it.
    const SubscriptionArn = existing.startsWith('arn:')
      ? existing
      : (this.call(sns, 'Subscribe', { TopicArn, Protocol: s.protocol, Endpoint, ReturnSubscriptionArn: true }, where).SubscriptionArn as string);
    const read = () => (this.call(sns, 'GetSubscriptionAttributes', { SubscriptionArn }, where).Attributes ?? {}) as Record<string, string>;
    const current = read();
    const set: string[] = [];
    for (const [k, v] of Object.entries(attributes)) {
      if (sameValue(current[k], v, k === 'RawMessageDelivery')) continue;
      this.call(sns, 'SetSubscriptionAttributes', { SubscriptionArn, AttributeName: k, AttributeValue: v }, where);
      set.push(k);
    }
    (changedAfter(current, set, read) ? this.report.updated : this.report.unchanged).push(label);
  }

  private applyBus(b: BusDecl): void {
    const where = this.where(b);
    const events = this.services.events;
    const label = `bus ${b.name}`;
    const request: Out = { ...b.request };
    if (b.deadLetter) request.DeadLetterConfig = { Arn: this.queueArnOf(b.deadLetter, where) };
    const found = this.tryCall(events, 'DescribeEventBus', { Name: b.name }, where, 'ResourceNotFoundException');
    if (!found) {
      const input: Out = { Name: b.name, ...request };
      if (Object.keys(b.tags).length) input.Tags = tagList(b.tags);
      this.call(events, 'CreateEventBus', input, where);
      this.report.created.push(label);
      return;
    }
    const changed: Out = {};
    for (const [k, v] of Object.entries(request)) if (!sameValue(found[k], v)) changed[k] = v;
    let updated = false;
    if (Object.keys(changed).length) {
      this.call(events, 'UpdateEventBus', { Name: b.name, ...changed }, where);
      updated = true;
    }
    if (this.tagEvents(busArn(where.region, where.account, b.name), b.tags, where)) updated = true;
    (updated ? this.report.updated : this.report.unchanged).push(label);
  }

  private applyConnection(conn: ConnectionDecl): void {
    const where = this.where(conn);
    const events = this.services.events;
    const label = `connection ${conn.name}`;
    const found = this.tryCall(events, 'DescribeConnection', { Name: conn.name }, where, 'ResourceNotFoundException');
    if (!found) {
      this.call(events, 'CreateConnection', { Name: conn.name, ...conn.request }, where);
      this.report.created.push(label);
      return;
    }
    // Secrets cannot be read back to compare, so an existing connection is always updated to the file's.
    this.call(events, 'UpdateConnection', { Name: conn.name, ...conn.request }, where);
    this.report.updated.push(label);
  }

  private applyApiDestination(d: ApiDestinationDecl): void {
    const where = this.where(d);
    const events = this.services.events;
    const label = `API destination ${d.name}`;
    const request: Out = { ...d.request };
    if (d.connection) request.ConnectionArn = this.call(events, 'DescribeConnection', { Name: d.connection.name }, where).ConnectionArn;
    const found = this.tryCall(events, 'DescribeApiDestination', { Name: d.name }, where, 'ResourceNotFoundException');
    if (!found) {
      this.call(events, 'CreateApiDestination', { Name: d.name, ...request }, where);
      this.report.created.push(label);
      return;
    }
    const changed: Out = {};
    for (const [k, v] of Object.entries(request)) if (!sameValue(found[k], v)) changed[k] = v;
    if (Object.keys(changed).length) {
      this.call(events, 'UpdateApiDestination', { Name: d.name, ...changed }, where);
      this.report.updated.push(label);
    } else this.report.unchanged.push(label);
  }

  private applyRule(r: RuleDecl): void {
    const where = this.where(r);
    const events = this.services.events;
    const label = `rule ${r.name}`;
    const found = this.tryCall(events, 'DescribeRule', { Name: r.name, EventBusName: r.bus }, where, 'ResourceNotFoundException');
    const same = found && Object.entries(r.request).every(([k, v]) => sameValue(found[k], v));
    let updated = false;
    if (!same) {
      const input: Out = { Name: r.name, EventBusName: r.bus, ...r.request };
      if (Object.keys(r.tags).length) input.Tags = tagList(r.tags);
      this.call(events, 'PutRule', input, where);
      updated = true;
    } else if (this.tagEvents(found.Arn as string, r.tags, where)) updated = true;
    (!found ? this.report.created : updated ? this.report.updated : this.report.unchanged).push(label);
  }

  private applyTarget(r: RuleDecl, t: TargetDecl): void {
    const where = this.where(r);
    const events = this.services.events;
    const label = `target ${t.id} of rule ${r.name}`;
    const target: Out = { Id: t.id, Arn: this.targetArn(t, where), ...t.request };
    if (t.deadLetter) target.DeadLetterConfig = { Arn: this.queueArnOf(t.deadLetter, where) };
    const current = ((this.call(events, 'ListTargetsByRule', { Rule: r.name, EventBusName: r.bus }, where).Targets ?? []) as Out[]).find((x) => x.Id === t.id);
    if (current && canonical(current) === canonical(target)) {
      this.report.unchanged.push(label);
      return;
    }
    const out = this.call(events, 'PutTargets', { Rule: r.name, EventBusName: r.bus, Targets: [target] }, where);
    const failed = (out.FailedEntries ?? []) as Array<{ ErrorCode?: string; ErrorMessage?: string }>;
    if (failed.length) this.c.fail(t.path, `PutTargets failed with ${failed[0].ErrorCode}: ${failed[0].ErrorMessage}`);
    (current ? this.report.updated : this.report.created).push(label);
  }

  // ------------------------------------------------------------------ helpers

  private targetArn(t: TargetDecl, where: Where): string {
    const ref = t.ref;
    switch (ref.kind) {
      case 'arn':
        return ref.arn;
      case 'queue':
        return queueArn(where, ref.name);
      case 'topic':
        return topicArn(where.region, where.account, ref.name);
      case 'bus':
        return busArn(where.region, where.account, ref.name);
      case 'apiDestination':
        return this.call(this.services.events, 'DescribeApiDestination', { Name: ref.name }, where).ApiDestinationArn as string;
    }
  }

  /** Tags an EventBridge resource with the file's tags that differ; whether any did. */
  private tagEvents(ResourceARN: string, tags: Record<string, string>, where: Where): boolean {
    if (Object.keys(tags).length === 0) return false;
    const events = this.services.events;
    const current = Object.fromEntries(((this.call(events, 'ListTagsForResource', { ResourceARN }, where).Tags ?? []) as Array<{ Key: string; Value: string }>).map((x) => [x.Key, x.Value]));
    const changed = Object.entries(tags).filter(([k, v]) => current[k] !== v);
    if (changed.length === 0) return false;
    this.call(events, 'TagResource', { ResourceARN, Tags: tagList(Object.fromEntries(changed)) }, where);
    return true;
  }

  private queueArnOf(ref: QueueRef, where: Where): string {
    return ref.arn ?? queueArn(where, ref.name!);
  }

  private where(d: { account?: string; region?: string }): Where {
    return { account: d.account ?? this.options.account, region: d.region ?? this.options.region };
  }

  private key(where: Where, name: string): string {
    return `${where.account}/${where.region}/${name}`;
  }

  private context(where: Where): RequestContext {
    return { account: where.account, region: where.region, requestId: uuid(), baseUrl: this.options.baseUrl, protocol: 'json', onAbort() {} };
  }

  /** One operation, as the gateway would run a JSON request for it. */
  private call(service: ServiceHandler, operation: string, input: Out, where: Where): Out {
    return runOperation(service, operation, input, this.context(where));
  }

  /** Like call, but undefined when the operation fails with the not-found error `missing`. */
  private tryCall(service: ServiceHandler, operation: string, input: Out, where: Where, missing: string): Out | undefined {
    try {
      return this.call(service, operation, input, where);
    } catch (err) {
      if (err instanceof OperationError && err.error.type === missing) return undefined;
      throw err;
    }
  }

  /** Run one resource's step; an AWS error becomes the file's error at the resource's path. */
  private attempt(path: string, step: () => void): void {
    try {
      step();
    } catch (err) {
      if (err instanceof OperationError) this.c.fail(path, err.message);
      throw err;
    }
  }
}

/**
 * One operation, as the gateway would run a JSON request for it: the input is encoded and decoded
 * by the operation's shape (so required members and types are checked as AWS checks them), then
 * handed to the service's handler. An AwsError comes out as an OperationError. Shared with the
 * templates (src/templates), which create their resources the same way.
 */
export function runOperation(service: ServiceHandler, operation: string, input: Out, ctx: RequestContext): Out {
  const shapes = service.operations[operation];
  if (!shapes) throw new Error(`config-file: ${service.name} has no operation ${operation}`);
  try {
    const decoded = decodeJsonInput(JSON.stringify(input), shapes.input, service.missingParameter?.bind(service));
    // handleNow: with a data directory, handle() answers once the disk has the change; the
    // caller of applyConfig waits for the disk once, after every call (src/index.ts).
    const out = service.handleNow ? service.handleNow(operation, decoded, ctx) : service.handle(operation, decoded, ctx);
    if (out instanceof Promise) throw new Error(`config-file: ${operation} answered asynchronously`);
    return (out ?? {}) as Out;
  } catch (err) {
    if (err instanceof AwsError) throw new OperationError(operation, err);
    throw err;
  }
}

/**
 * Whether setting the attributes `set` changed any of them: services store some values in a
 * normal form (SNS's delivery policies), so a value that differed as text may be the same one.
 */
export function changedAfter(before: Record<string, string>, set: string[], read: () => Record<string, string>): boolean {
  if (set.length === 0) return false;
  const after = read();
  return set.some((k) => before[k] !== after[k]);
}

function queueArn(where: Where, name: string): string {
  return `arn:aws:sqs:${where.region}:${where.account}:${name}`;
}

export function tagList(tags: Record<string, string>): Array<{ Key: string; Value: string }> {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/**
 * Whether a current value is the one the file wants: equal as text, as JSON documents (key
 * order aside), or, for booleans, in any case.
 */
export function sameValue(current: unknown, wanted: unknown, ignoreCase = false): boolean {
  if (current === wanted) return true;
  if (current === undefined || current === null) return false;
  if (typeof current === 'string' && typeof wanted === 'string') {
    if (ignoreCase && current.toLowerCase() === wanted.toLowerCase()) return true;
    try {
      return canonical(JSON.parse(current)) === canonical(JSON.parse(wanted));
    } catch {
      return false;
    }
  }
  return canonical(current) === canonical(wanted);
}

/** JSON with object keys sorted, for comparing documents. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_key, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value as Mapping).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  );
}
