/**
 * The path of an event once a bus has accepted it: open its trace, store it in the bus's
 * archives, find the enabled rules it matches through the bus's index, shape each target's
 * input, and hand each delivery to the Deliverer (which retries and dead-letters).
 *
 * Targets by ARN: SQS queues and other buses are delivered in-process; API destinations over
 * HTTP with their connection's auth; SNS topics through a port the SNS service plugs in; every
 * other service through the Forwarder (a configured local endpoint, or recorded as captured).
 */
import type { Clock } from '../clock.js';
import { uuid } from '../ids.js';
import { authorizeOAuthConnection, invokeApiDestination, OAuthTokenCache } from '../delivery/api-destination.js';
import type { Deliverer, DeliveryJournal, DeliveryRequest } from '../delivery/deliverer.js';
import type { Forwarder } from '../delivery/forward.js';
import { failed, type DeliveryOutcome } from '../delivery/outcome.js';
import { flattenEvent } from '../patterns/index.js';
import type { Queue } from '../sqs/queue.js';
import type { DeliveryAttempt, EventTrace, TargetDelivery, TraceLog } from '../trace/trace.js';
import { parseArn, parseBusRef } from './arn.js';
import type { EventBus } from './bus.js';
import { isoSeconds } from './put-events.js';
import type { DeliveryOrigin, EventsPersistence } from './persistence.js';
import type { EventsRegion } from './region.js';
import type { Rule, Target } from './rule.js';

/** A service that accepts EventBridge deliveries in-process (SNS plugs in here). */
export type TargetPort = (arn: string, body: string, event: Record<string, unknown>) => DeliveryOutcome | Promise<DeliveryOutcome>;

export interface RouterDeps {
  clock: Clock;
  trace: TraceLog;
  deliverer: Deliverer;
  forwarder: Forwarder;
  findQueue(arn: string): Queue | undefined;
  region(account: string, region: string): EventsRegion;
  /** Whether the account/region has been touched (a bus in an untouched account does not exist yet). */
  hasRegion(account: string, region: string): boolean;
}

export interface IngestOptions {
  via: EventTrace['via'];
  /** Replays: only these rules. */
  ruleArns?: ReadonlySet<string>;
  /** Replayed events are not archived again. */
  archive?: boolean;
  /** Bus-to-bus hops so far; a loop of buses stops here. */
  hops?: number;
}

/** A delivery an earlier process started and did not end (persistence), to be taken over. */
export interface RestoredDelivery {
  origin: DeliveryOrigin;
  /** Attempts made so far. */
  attempts: number;
  /** The last of them, for the trace. */
  last?: DeliveryAttempt;
  /** When the next attempt is due (epoch ms; past: at once). */
  nextAttemptAt: number;
  journal: DeliveryJournal;
}

/** AWS stops events that hop across too many buses (THIRD_ACCOUNT_HOP_DETECTED and kin); so do we. */
const MAX_BUS_HOPS = 5;

const EVENTBRIDGE_SENDER = 'AIDAEVENTBRIDGESERVICE';

export class EventRouter {
  /** Service name (ARN segment) to an in-process target. */
  readonly ports = new Map<string, TargetPort>();
  private readonly tokens = new OAuthTokenCache();
  /** Set while a data directory is attached (the service's own); undefined: nothing recorded. */
  persistence: EventsPersistence | undefined;

  constructor(private readonly deps: RouterDeps) {}

  /**
   * An OAuth connection asks its authorization endpoint for a token, as AWS does on create and
   * update. Resolves once the connection's state says how that went (undefined: not OAuth).
   */
  authorize(region: EventsRegion, connectionArn: string): Promise<unknown> | undefined {
    const connection = region.connections.connectionByArn(connectionArn);
    if (connection?.authorizationType !== 'OAUTH_CLIENT_CREDENTIALS') return undefined;
    return authorizeOAuthConnection(region.connections, connectionArn, { tokens: this.tokens, now: () => this.deps.clock.now() });
  }

  ingest(region: EventsRegion, bus: EventBus, event: Record<string, unknown>, opts: IngestOptions): EventTrace {
    const now = this.deps.clock.now();
    const trace = this.deps.trace.add<EventTrace>({
      id: event.id as string,
      kind: 'event',
      at: now,
      account: region.account,
      region: region.region,
      busArn: bus.arn,
      via: opts.via,
      event,
      matchedRules: [],
      deliveries: [],
      archivedIn: [],
    });
    if (opts.archive !== false) {
      // Archives match by their own patterns, outside the bus's index: they need the event flat.
      let flat: ReturnType<typeof flattenEvent> | undefined;
      let json: string | undefined;
      for (const archive of region.archivesOf(bus.arn)) {
        flat ??= flattenEvent(event);
        json ??= JSON.stringify(event);
        if (archive.offer(flat, event, json, now)) {
          trace.archivedIn.push(archive.arn);
          this.persistence?.archived(archive, archive.events[archive.events.length - 1]);
        }
      }
    }
    for (const rule of bus.index.matchEvent(event)) {
      if (opts.ruleArns && !opts.ruleArns.has(rule.arn)) continue;
      this.deliverToTargets(region, rule, event, trace, now, opts.hops ?? 0);
    }
    return trace;
  }

  /** A scheduled rule's firing: its targets only, no other rule sees a scheduled event. */
  fire(region: EventsRegion, bus: EventBus, rule: Rule, event: Record<string, unknown>): EventTrace {
    const now = this.deps.clock.now();
    const trace = this.deps.trace.add<EventTrace>({
      id: event.id as string,
      kind: 'event',
      at: now,
      account: region.account,
      region: region.region,
      busArn: bus.arn,
      via: 'schedule',
      event,
      matchedRules: [],
      deliveries: [],
      archivedIn: [],
    });
    this.deliverToTargets(region, rule, event, trace, now, 0);
    return trace;
  }

  private deliverToTargets(
    region: EventsRegion,
    rule: Rule,
    event: Record<string, unknown>,
    trace: EventTrace,
    now: number,
    hops: number,
  ): void {
    trace.matchedRules.push(rule.arn);
    const ctx = { ruleArn: rule.arn, ruleName: rule.name, ingestionTime: isoSeconds(trace.at) };
    for (const target of rule.targets.values()) {
      const spec = target.spec;
      let body: string;
      try {
        body = target.render(event, ctx);
      } catch (err) {
        body = '';
        trace.deliveries.push(this.record(rule, target, body, 'dropped', now, 'INVALID_JSON', (err as Error).message));
        continue;
      }
      const record = this.record(rule, target, body, 'pending', now);
      trace.deliveries.push(record);
      const p = this.persistence;
      const journal =
        p === undefined
          ? undefined
          : p.delivery({
              account: region.account,
              region: region.region,
              busArn: trace.busArn,
              via: trace.via,
              ruleArn: rule.arn,
              ruleName: rule.name,
              spec,
              event,
              body,
              eventTime: trace.at,
              hops,
            });
      this.deps.deliverer.start(this.request(region, trace.busArn, rule.arn, spec, body, event, trace.at, hops, record, journal));
    }
  }

  /** One delivery of `body` to the target, for the Deliverer. */
  private request(
    region: EventsRegion,
    busArn: string,
    ruleArn: string,
    spec: Target['spec'],
    body: string,
    event: Record<string, unknown>,
    eventTime: number,
    hops: number,
    record: TargetDelivery,
    journal: DeliveryJournal | undefined,
  ): DeliveryRequest {
    return {
      send: () => this.send(region, spec.Arn!, spec, body, event, hops),
      eventTime,
      maximumRetryAttempts: spec.RetryPolicy?.MaximumRetryAttempts,
      maximumEventAgeInSeconds: spec.RetryPolicy?.MaximumEventAgeInSeconds,
      deadLetter: spec.DeadLetterConfig?.Arn
        ? {
            arn: spec.DeadLetterConfig.Arn,
            write: (failure, retries, exhausted) => {
              // AWS's attributes on an EventBridge DLQ message; the body is the event.
              const attributes: Record<string, string> = {
                RULE_ARN: ruleArn,
                TARGET_ARN: spec.Arn!,
                ERROR_CODE: failure.code,
                ERROR_MESSAGE: failure.message,
                RETRY_ATTEMPTS: String(retries),
              };
              if (exhausted) attributes.EXHAUSTED_RETRY_CONDITION = exhausted;
              return this.sendToQueue(spec.DeadLetterConfig!.Arn!, JSON.stringify(event), undefined, uuid(), attributes);
            },
          }
        : undefined,
      record,
      journal,
      // Injected faults name the delivery by its bus, rule, target (src/delivery/faults.ts).
      faultScope: busArn,
      // A FIFO queue keeps a target's events in order (one group per target) while faults delay or fail some.
      orderKey: spec.Arn!.endsWith('.fifo') ? `${ruleArn}#${spec.Id!}` : undefined,
    };
  }

  /**
   * Take over deliveries an earlier process left under way or waiting for a retry: each goes on
   * from its attempt count, on the clock. The deliveries of one event on one bus share one
   * trace, as when the event was routed.
   */
  resume(deliveries: Iterable<RestoredDelivery>): void {
    const traces = new Map<string, EventTrace>();
    for (const d of deliveries) {
      const o = d.origin;
      const key = `${o.busArn} ${String(o.event.id)} ${o.via}`;
      let trace = traces.get(key);
      if (!trace) {
        trace = this.deps.trace.add<EventTrace>({
          id: String(o.event.id),
          kind: 'event',
          at: o.eventTime,
          account: o.account,
          region: o.region,
          busArn: o.busArn,
          via: o.via,
          event: o.event,
          matchedRules: [],
          deliveries: [],
          archivedIn: [],
        });
        traces.set(key, trace);
      }
      if (!trace.matchedRules.includes(o.ruleArn)) trace.matchedRules.push(o.ruleArn);
      const record: TargetDelivery = {
        ruleArn: o.ruleArn,
        ruleName: o.ruleName,
        targetId: o.spec.Id!,
        targetArn: o.spec.Arn!,
        input: o.body,
        state: d.last ? 'retrying' : 'pending',
        attempts: d.last ? [d.last] : [],
      };
      trace.deliveries.push(record);
      const region = this.deps.region(o.account, o.region);
      const req = this.request(region, o.busArn, o.ruleArn, o.spec, o.body, o.event, o.eventTime, o.hops, record, d.journal);
      req.priorAttempts = d.attempts - record.attempts.length;
      this.deps.deliverer.resume(req, d.nextAttemptAt);
    }
  }

  private record(
    rule: Rule,
    target: Target,
    input: string,
    state: TargetDelivery['state'],
    at: number,
    code?: string,
    message?: string,
  ): TargetDelivery {
    return {
      ruleArn: rule.arn,
      ruleName: rule.name,
      targetId: target.spec.Id!,
      targetArn: target.spec.Arn!,
      input,
      state,
      attempts: code ? [{ at, ok: false, code, message }] : [],
    };
  }

  /** One delivery attempt to the target's ARN. */
  private send(
    region: EventsRegion,
    arn: string,
    spec: Target['spec'],
    body: string,
    event: Record<string, unknown>,
    hops: number,
  ): DeliveryOutcome | Promise<DeliveryOutcome> {
    const p = parseArn(arn);
    if (!p) return failed('INVALID_PARAMETER', `Invalid target ARN ${arn}.`, false);
    if (p.service === 'sqs') return this.sendToQueue(arn, body, spec.SqsParameters?.MessageGroupId, event.id as string);
    if (p.service === 'events' && p.resource.startsWith('event-bus/')) return this.sendToBus(region, arn, event, hops);
    if (p.service === 'events' && p.resource.startsWith('api-destination/')) {
      const owner = this.deps.region(p.account, p.region);
      const destination = owner.connections.apiDestinationByArn(arn);
      if (!destination) return failed('RESOURCE_NOT_FOUND', `API destination ${arn} does not exist.`, false);
      const connection = owner.connections.connectionByArn(destination.connectionArn);
      if (!connection) return failed('RESOURCE_NOT_FOUND', `Connection ${destination.connectionArn} does not exist.`, false);
      return invokeApiDestination(
        {
          endpoint: destination.endpoint,
          method: destination.method,
          connection,
          body,
          httpParameters: spec.HttpParameters,
        },
        { tokens: this.tokens, now: () => this.deps.clock.now() },
      );
    }
    const port = this.ports.get(p.service);
    if (port) return port(arn, body, event);
    return this.deps.forwarder.deliver(arn, body, {
      eventId: event.id as string,
      partitionKey: partitionKey(spec.KinesisParameters?.PartitionKeyPath, event),
      timestamp: Date.parse(event.time as string),
    });
  }

  /** Also the dead-letter writer: AWS's DLQ attributes arrive as String message attributes. */
  sendToQueue(arn: string, body: string, groupId: string | undefined, eventId: string, attributes?: Record<string, string>): DeliveryOutcome {
    const q = this.deps.findQueue(arn);
    if (!q) return failed('RESOURCE_NOT_FOUND', `Queue ${arn} does not exist.`, false);
    const max = Number(q.attributes.get('MaximumMessageSize') ?? 1048576);
    if (Buffer.byteLength(body) > max)
      return failed('INVALID_PARAMETER', `The message is larger than the queue's MaximumMessageSize of ${max} bytes.`, false);
    if (q.fifo && !groupId) return failed('INVALID_PARAMETER', 'The request must contain the parameter MessageGroupId.', false);
    const { message, injectedCopies } = q.send({
      body,
      attributes: attributes
        ? Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]))
        : undefined,
      groupId: q.fifo ? groupId : undefined,
      // FIFO queues without content-based deduplication deduplicate on the event id.
      dedupId: q.fifo && !q.contentBasedDedup ? eventId : undefined,
      senderId: EVENTBRIDGE_SENDER,
    });
    const outcome: DeliveryOutcome = { ok: true, detail: `MessageId ${message.id}` };
    // The queue's own duplicate fault (it delivers the message again after a DeleteMessage).
    if (injectedCopies !== undefined) outcome.injected = { faultId: injectedCopies.faultId, kind: 'duplicate', copies: injectedCopies.copies };
    return outcome;
  }

  private sendToBus(from: EventsRegion, arn: string, event: Record<string, unknown>, hops: number): DeliveryOutcome {
    const ref = parseBusRef(arn);
    if (!ref?.account || !ref.region) return failed('INVALID_PARAMETER', `Invalid event bus ARN ${arn}.`, false);
    if (hops + 1 > MAX_BUS_HOPS) return failed('THIRD_ACCOUNT_HOP_DETECTED', `The event crossed more than ${MAX_BUS_HOPS} event buses.`, false);
    const owner = this.deps.region(ref.account, ref.region);
    const bus = owner.buses.get(ref.name);
    if (!bus) return failed('RESOURCE_NOT_FOUND', `Event bus ${ref.name} does not exist.`, false);
    if (!bus.allowsPutEventsFrom(from.account, owner.account))
      return failed('NO_PERMISSIONS', `Account ${from.account} is not authorized to put events on ${arn}.`, false);
    this.ingest(owner, bus, event, { via: 'bus', hops: hops + 1 });
    return { ok: true, detail: `to ${arn}` };
  }
}

/** KinesisParameters.PartitionKeyPath (`$.detail.x`) read from the event; undefined means the event id. */
function partitionKey(path: string | undefined, event: Record<string, unknown>): string | undefined {
  if (!path) return undefined;
  let v: unknown = event;
  for (const key of path.replace(/^\$\.?/, '').split('.').filter(Boolean)) v = (v as Record<string, unknown> | undefined)?.[key];
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : JSON.stringify(v);
}
