/**
 * EventBridge's operations (awsJson1_1, `X-Amz-Target: AWSEvents.*`). Each handler takes the
 * SDK's own request type and returns its response type, so the compiler checks every shape we
 * answer with. State lives per (account, region) in EventsRegion; what happens to an accepted
 * event is the router's business (router.ts), retries the deliverer's (src/delivery).
 */
import type * as eb from '@aws-sdk/client-eventbridge';
import type { Clock } from '../clock.js';
import type { RequestContext, ServiceHandler } from '../gateway/context.js';
import type { AwsError } from '../gateway/errors.js';
import { uuid } from '../ids.js';
import { Deliverer } from '../delivery/deliverer.js';
import { targetFaultSite } from '../delivery/faults.js';
import type { Faults } from '../faults/faults.js';
import { Forwarder, type ForwardEndpoints } from '../delivery/forward.js';
import { InvalidPatternError, MatchTooComplexError, compilePattern, matchesEvent, validatePatternText, type ValidatedPattern } from '../patterns/index.js';
import type { Queue } from '../sqs/queue.js';
import { TraceLog } from '../trace/trace.js';
import { Archive, Replay } from './archives.js';
import { archiveArn, busArn, parseArn, parseBusRef, parseRuleArn, replayArn, ruleArn } from './arn.js';
import { EventBus, type PolicyStatement } from './bus.js';
import {
  EventsErrors,
  illegalStatus,
  invalidEventPattern,
  limitExceeded,
  resourceAlreadyExists,
  resourceNotFound,
  validationException,
} from './errors.js';
import { parseTestEvent } from './event.js';
import { EVENTBRIDGE_OPERATIONS } from './operations.js';
import { page } from './paging.js';
import { EVENTS_LIMITS, buildEvent, checkPutEventsRequest } from './put-events.js';
import type { EventsPersistence } from './persistence.js';
import { EventsRegion } from './region.js';
import { EventRouter, type RestoredDelivery } from './router.js';
import { Rule, type RuleState } from './rule.js';
import { parseSchedule, scheduledEvent } from './schedule.js';
import { eventsShapes, type EventsOperation } from './shapes.js';
import { compileTargetInput } from './transform.js';

type Handler<I, O> = (input: I, ctx: RequestContext) => O | Promise<O>;
type Handlers = { [K in EventsOperation]: Handler<never, unknown> };

export interface EventsServiceOptions {
  clock: Clock;
  /** Queues by ARN, for SQS targets and dead-letter queues. */
  findQueue(arn: string): Queue | undefined;
  /** Endpoints for services Switchyard does not emulate (`lambda`, `states`, ...). */
  forward?: ForwardEndpoints;
  /** The trace this service writes to (shared with SNS); a new one of `traceCapacity` when absent. */
  trace?: TraceLog;
  /** Events kept in the trace. Default 10,000. */
  traceCapacity?: number;
  /** Rules per bus (AWS's default quota is 300, adjustable). */
  rulesPerBus?: number;
  /** Injected faults on target deliveries (failure, duplicate, latency; src/delivery/faults.ts). */
  faults?: Faults;
  onError?(err: unknown): void;
}

/**
 * With persistence: operations that change the catalog answer once it is on disk (after the
 * journal, as for SQS: an archive deleted is emptied in the journal before the catalog drops it).
 */
const CATALOG_OPERATIONS: ReadonlySet<string> = new Set([
  'CreateEventBus',
  'UpdateEventBus',
  'DeleteEventBus',
  'PutPermission',
  'RemovePermission',
  'PutRule',
  'DeleteRule',
  'EnableRule',
  'DisableRule',
  'PutTargets',
  'RemoveTargets',
  'TagResource',
  'UntagResource',
  'CreateArchive',
  'UpdateArchive',
  'DeleteArchive',
  'CancelReplay',
  'CreateConnection',
  'UpdateConnection',
  'DeleteConnection',
  'DeauthorizeConnection',
  'CreateApiDestination',
  'UpdateApiDestination',
  'DeleteApiDestination',
]);

/**
 * Resolves in the event loop's next check phase: by then every microtask has run, so every
 * delivery an operation started has made its in-process part (an SQS target's message is in the
 * SQS journal, a delivery waiting for I/O or a retry is in the events journal). Journals flush
 * in the check phase too, so this costs no extra sync.
 */
function afterDeliveriesStarted(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

const NAME_PATTERN = /^[.\-_A-Za-z0-9]+$/;
const BUS_NAME_PATTERN = /^[/.\-_A-Za-z0-9]+$/;
const RULE_STATES: ReadonlySet<string> = new Set(['ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS']);

/** AWS's generic constraint message (the one its model validation produces). */
function constraint(value: unknown, field: string, rule: string): AwsError {
  return validationException(`1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: ${rule}`);
}

function checkName(value: string | undefined, field: string, max: number, pattern = NAME_PATTERN, source = '[\\.\\-_A-Za-z0-9]+'): string {
  if (value === undefined || value.length === 0) throw constraint(value ?? 'null', field, 'Member must have length greater than or equal to 1');
  if (value.length > max) throw constraint(value, field, `Member must have length less than or equal to ${max}`);
  if (!pattern.test(value)) throw constraint(value, field, `Member must satisfy regular expression pattern: ${source}`);
  return value;
}

function compileEventPattern(text: string): ValidatedPattern {
  if (text.length > EVENTS_LIMITS.eventPatternLength)
    throw invalidEventPattern(`Event pattern is longer than the maximum of ${EVENTS_LIMITS.eventPatternLength} characters.`);
  try {
    return validatePatternText(text);
  } catch (err) {
    if (err instanceof InvalidPatternError) throw invalidEventPattern(err.message);
    throw err;
  }
}

export class EventsService implements ServiceHandler {
  readonly name = 'events' as const;
  readonly json = {
    version: '1.1' as const,
    contentType: 'application/x-amz-json-1.1',
    targetPrefix: 'AWSEvents',
    queryCompatible: false,
  };
  readonly operations = eventsShapes;
  readonly knownOperations = EVENTBRIDGE_OPERATIONS;

  readonly trace: TraceLog;
  readonly router: EventRouter;
  readonly deliverer: Deliverer;
  /** Also SNS's, for Lambda and Firehose subscriptions. */
  readonly forwarder: Forwarder;
  private readonly regions = new Map<string, EventsRegion>();
  readonly clock: Clock;
  private readonly rulesPerBus: number;
  private readonly onError: (err: unknown) => void;

  constructor(options: EventsServiceOptions) {
    this.clock = options.clock;
    this.rulesPerBus = options.rulesPerBus ?? EVENTS_LIMITS.rulesPerBus;
    const onError = (this.onError = options.onError ?? ((err: unknown) => console.error('switchyard: internal error:', err)));
    this.trace = options.trace ?? new TraceLog(options.traceCapacity ?? 10_000);
    this.forwarder = new Forwarder({ endpoints: options.forward ?? {}, now: () => this.clock.now() });
    this.deliverer = new Deliverer(this.clock, onError, options.faults && { registry: options.faults, siteOf: targetFaultSite });
    this.router = new EventRouter({
      clock: this.clock,
      trace: this.trace,
      deliverer: this.deliverer,
      forwarder: this.forwarder,
      findQueue: options.findQueue,
      region: (account, region) => this.region(account, region),
      hasRegion: (account, region) => this.regions.has(`${account}/${region}`),
    });
  }

  /**
   * EventBridge answers a missing required member with its model-validation message:
   * `Targets[0].Id` -> "Value null at 'targets.1.member.id' failed to satisfy constraint: Member must not be null".
   */
  missingParameter(path: string): AwsError {
    const field = path
      .split('.')
      .map((seg) => seg.replace(/\[(\d+)\]/g, (_, i: string) => `.${Number(i) + 1}.member`))
      .map((seg) => seg[0].toLowerCase() + seg.slice(1))
      .join('.');
    return validationException(`1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`);
  }

  /** Set by src/persist while Switchyard runs with a dataDir; undefined otherwise (no cost). */
  get persistence(): EventsPersistence | undefined {
    return this.router.persistence;
  }

  set persistence(p: EventsPersistence | undefined) {
    this.router.persistence = p;
  }

  handleNow(operation: string, input: Record<string, unknown>, ctx: RequestContext): unknown {
    return (this.handlers[operation as EventsOperation] as Handler<unknown, unknown>)(input, ctx);
  }

  handle(operation: string, input: Record<string, unknown>, ctx: RequestContext): unknown {
    const handler = this.handlers[operation as EventsOperation] as Handler<unknown, unknown>;
    const p = this.router.persistence;
    if (p === undefined) return handler(input, ctx);
    const output = handler(input, ctx);
    // An acknowledged event is on disk with everything it caused: its archive records, the
    // messages it put in SQS queues, its deliveries under way. A replay likewise, and its
    // outcome (COMPLETED) is in the catalog before StartReplay answers.
    if (operation === 'PutEvents') return afterDeliveriesStarted().then(() => p.durableAll()).then(() => output);
    if (operation === 'StartReplay')
      return afterDeliveriesStarted()
        .then(() => p.durableAll())
        .then(() => p.catalogChanged())
        .then(() => output);
    if (CATALOG_OPERATIONS.has(operation))
      return p
        .durableAll()
        .then(() => p.catalogChanged())
        .then(() => output);
    return output;
  }

  /** A change made outside a request (a replay ending, an OAuth token arriving): to the catalog. */
  private catalogChangedInBackground(): void {
    const p = this.router.persistence;
    if (p !== undefined) p.catalogChanged().catch(this.onError);
  }

  /** The state of one account and region, created (with its default bus) on first use. */
  region(account: string, region: string): EventsRegion {
    const key = `${account}/${region}`;
    let r = this.regions.get(key);
    if (!r) this.regions.set(key, (r = new EventsRegion(account, region, this.clock)));
    return r;
  }

  /** Every region touched so far (inspection). */
  allRegions(): IterableIterator<EventsRegion> {
    return this.regions.values();
  }

  /** An unexpected error (a bug), to wherever the options send them. */
  reportError(err: unknown): void {
    this.onError(err);
  }

  /** Drop all state (tests, the inspection API's reset). */
  reset(): void {
    for (const r of this.regions.values()) for (const bus of r.buses.values()) for (const rule of bus.rules.values()) this.clock.cancel(rule.timer);
    this.deliverer.cancelAll();
    this.regions.clear();
    this.trace.clear();
    this.router.persistence?.reset();
  }

  close(): void {
    this.reset();
    this.forwarder.close();
  }

  private regionOf(ctx: RequestContext): EventsRegion {
    return this.region(ctx.account, ctx.region);
  }

  /** A bus named by name or ARN in the caller's region; ResourceNotFound otherwise. */
  private bus(ctx: RequestContext, nameOrArn: string | undefined): { region: EventsRegion; bus: EventBus } {
    const ref = parseBusRef(nameOrArn ?? 'default');
    if (!ref) throw validationException(`Parameter ${nameOrArn} is not valid. Reason: Provided Arn is not in correct format.`);
    const region = ref.account && ref.region ? this.region(ref.account, ref.region) : this.regionOf(ctx);
    const bus = region.buses.get(ref.name);
    if (!bus) throw resourceNotFound(`Event bus ${ref.name} does not exist.`);
    return { region, bus };
  }

  private rule(ctx: RequestContext, name: string | undefined, busName: string | undefined): { region: EventsRegion; bus: EventBus; rule: Rule } {
    checkName(name, 'name', 64);
    const { region, bus } = this.bus(ctx, busName);
    const rule = bus.rules.get(name!);
    if (!rule) throw resourceNotFound(`Rule ${name} does not exist on EventBus ${bus.name}.`);
    return { region, bus, rule };
  }

  /** (Re)arm a scheduled rule's timer for its next firing. */
  private arm(region: EventsRegion, bus: EventBus, rule: Rule): void {
    this.clock.cancel(rule.timer);
    rule.timer = undefined;
    if (!rule.schedule || !rule.enabled) return;
    const next = rule.schedule.next(this.clock.now());
    if (next === undefined) return;
    rule.timer = this.clock.at(next, () => {
      rule.timer = undefined;
      if (bus.rules.get(rule.name) !== rule) return;
      const event = scheduledEvent({ id: uuid(), account: region.account, region: region.region, ruleArn: rule.arn, timeMs: next });
      this.router.fire(region, bus, rule, event);
      this.arm(region, bus, rule);
    });
  }

  private tagsOf(region: EventsRegion, arn: string): Map<string, string> {
    let tags = region.tags.get(arn);
    if (!tags) region.tags.set(arn, (tags = new Map()));
    return tags;
  }

  /** The bus or rule an ARN names, in the caller's account and region. */
  private taggable(ctx: RequestContext, arn: string | undefined): EventsRegion {
    const region = this.regionOf(ctx);
    const p = parseArn(arn ?? '');
    if (!p || p.service !== 'events') throw validationException(`Parameter ${arn} is not valid. Reason: Provided Arn is not in correct format.`);
    const owner = this.region(p.account, p.region);
    if (p.resource.startsWith('event-bus/')) {
      const name = p.resource.slice('event-bus/'.length);
      if (!owner.buses.has(name)) throw resourceNotFound(`Event bus ${name} does not exist.`);
      return owner;
    }
    const r = parseRuleArn(arn!);
    if (r) {
      const bus = owner.buses.get(r.bus);
      if (!bus?.rules.has(r.rule)) throw resourceNotFound(`Rule ${r.rule} does not exist on EventBus ${r.bus}.`);
      return owner;
    }
    void region;
    throw resourceNotFound(`Resource ${arn} does not exist.`);
  }

  private readonly handlers: Handlers = {
    // ---------------------------------------------------------------- event buses
    CreateEventBus: (input: eb.CreateEventBusRequest, ctx): eb.CreateEventBusResponse => {
      const name = checkName(input.Name, 'name', 256, BUS_NAME_PATTERN, '[/\\.\\-_A-Za-z0-9]+');
      const region = this.regionOf(ctx);
      if (region.buses.has(name)) throw resourceAlreadyExists(`Event bus ${name} already exists.`);
      if (name.includes('/') && !input.EventSourceName)
        throw validationException('Event bus name must not contain \'/\'.');
      if (region.buses.size - 1 >= EVENTS_LIMITS.busesPerAccount) throw limitExceeded();
      const bus = new EventBus(name, busArn(ctx.region, ctx.account, name), this.clock.now());
      bus.description = input.Description;
      bus.kmsKeyIdentifier = input.KmsKeyIdentifier;
      bus.deadLetterConfig = input.DeadLetterConfig;
      region.buses.set(name, bus);
      if (input.Tags?.length) this.putTags(region, bus.arn, input.Tags);
      return {
        EventBusArn: bus.arn,
        Description: bus.description,
        KmsKeyIdentifier: bus.kmsKeyIdentifier,
        DeadLetterConfig: bus.deadLetterConfig,
      };
    },

    DescribeEventBus: (input: eb.DescribeEventBusRequest, ctx): eb.DescribeEventBusResponse => {
      const { bus } = this.bus(ctx, input.Name);
      return {
        Name: bus.name,
        Arn: bus.arn,
        Description: bus.description,
        KmsKeyIdentifier: bus.kmsKeyIdentifier,
        DeadLetterConfig: bus.deadLetterConfig,
        Policy: bus.policy(),
        CreationTime: new Date(bus.createdAt),
        LastModifiedTime: new Date(bus.lastModified),
      };
    },

    UpdateEventBus: (input: eb.UpdateEventBusRequest, ctx): eb.UpdateEventBusResponse => {
      const { bus } = this.bus(ctx, input.Name);
      if (input.Description !== undefined) bus.description = input.Description;
      if (input.KmsKeyIdentifier !== undefined) bus.kmsKeyIdentifier = input.KmsKeyIdentifier || undefined;
      if (input.DeadLetterConfig !== undefined) bus.deadLetterConfig = input.DeadLetterConfig.Arn ? input.DeadLetterConfig : undefined;
      bus.lastModified = this.clock.now();
      return {
        Arn: bus.arn,
        Name: bus.name,
        Description: bus.description,
        KmsKeyIdentifier: bus.kmsKeyIdentifier,
        DeadLetterConfig: bus.deadLetterConfig,
      };
    },

    DeleteEventBus: (input: eb.DeleteEventBusRequest, ctx): void => {
      const name = checkName(input.Name, 'name', 256, BUS_NAME_PATTERN, '[/\\.\\-_A-Za-z0-9]+');
      if (name === 'default') throw validationException('Cannot delete event bus default.');
      const region = this.regionOf(ctx);
      const bus = region.buses.get(name);
      if (!bus) return; // AWS answers a missing bus with success
      if (bus.rules.size > 0) throw validationException("EventBus can't be deleted since it has rules.");
      region.buses.delete(name);
      region.tags.delete(bus.arn);
    },

    ListEventBuses: (input: eb.ListEventBusesRequest, ctx): eb.ListEventBusesResponse => {
      const buses = [...this.regionOf(ctx).buses.values()].filter((b) => !input.NamePrefix || b.name.startsWith(input.NamePrefix));
      const { items, nextToken } = page(buses, (b) => b.name, input.Limit, input.NextToken);
      return {
        EventBuses: items.map((b) => ({
          Name: b.name,
          Arn: b.arn,
          Description: b.description,
          Policy: b.policy(),
          CreationTime: new Date(b.createdAt),
          LastModifiedTime: new Date(b.lastModified),
        })),
        NextToken: nextToken,
      };
    },

    PutPermission: (input: eb.PutPermissionRequest, ctx): void => {
      const { bus } = this.bus(ctx, input.EventBusName);
      if (input.Policy !== undefined) {
        let policy: { Statement?: unknown };
        try {
          policy = JSON.parse(input.Policy);
        } catch {
          throw validationException('Policy is not valid JSON.');
        }
        const statements = Array.isArray(policy?.Statement) ? policy.Statement : policy?.Statement ? [policy.Statement] : undefined;
        if (!statements) throw validationException('Policy must contain at least one statement.');
        bus.statements = statements as PolicyStatement[];
      } else {
        if (input.Action !== 'events:PutEvents')
          throw validationException(`Provided value in parameter 'action' is not supported.`);
        if (!input.StatementId || !input.Principal)
          throw validationException('Parameter(s) StatementId and Principal must be specified.');
        if (input.Principal !== '*' && !/^\d{12}$/.test(input.Principal))
          throw validationException(`Value ${input.Principal} at 'principal' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\d{12}|\\*)`);
        if (input.Principal === '*' && !input.Condition)
          throw validationException('Condition must be specified when principal is *.');
        const statement: PolicyStatement = {
          Sid: input.StatementId,
          Effect: 'Allow',
          Principal: input.Principal === '*' ? '*' : { AWS: `arn:aws:iam::${input.Principal}:root` },
          Action: 'events:PutEvents',
          Resource: bus.arn,
        };
        if (input.Condition)
          statement.Condition = { [input.Condition.Type === 'StringEquals' ? 'StringEquals' : input.Condition.Type!]: { [input.Condition.Key!]: input.Condition.Value } };
        bus.statements = [...bus.statements.filter((s) => s.Sid !== input.StatementId), statement];
      }
      bus.lastModified = this.clock.now();
    },

    RemovePermission: (input: eb.RemovePermissionRequest, ctx): void => {
      const { bus } = this.bus(ctx, input.EventBusName);
      if (input.RemoveAllPermissions) {
        bus.statements = [];
        return;
      }
      if (!input.StatementId) throw validationException('Parameter StatementId must be specified.');
      if (bus.statements.length === 0) throw resourceNotFound(`EventBus does not have a policy.`);
      const kept = bus.statements.filter((s) => s.Sid !== input.StatementId);
      if (kept.length === bus.statements.length) throw resourceNotFound('Statement with the provided id does not exist.');
      bus.statements = kept;
      bus.lastModified = this.clock.now();
    },

    // ---------------------------------------------------------------- rules
    PutRule: (input: eb.PutRuleRequest, ctx): eb.PutRuleResponse => {
      const name = checkName(input.Name, 'name', 64);
      const { region, bus } = this.bus(ctx, input.EventBusName);
      if (input.EventPattern === undefined && input.ScheduleExpression === undefined)
        throw validationException('Parameter(s) EventPattern or ScheduleExpression must be specified.');
      if (input.State !== undefined && !RULE_STATES.has(input.State))
        throw constraint(input.State, 'state', 'Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]');
      if (input.Description !== undefined && input.Description.length > 512)
        throw constraint(input.Description, 'description', 'Member must have length less than or equal to 512');
      const pattern = input.EventPattern !== undefined ? compileEventPattern(input.EventPattern) : undefined;
      let schedule;
      if (input.ScheduleExpression !== undefined) {
        if (bus.name !== 'default') throw validationException('ScheduleExpression is supported only on the default event bus.');
        schedule = parseSchedule(input.ScheduleExpression, this.clock.now());
      }
      const anchor = schedule ? this.clock.now() : undefined;
      let rule = bus.rules.get(name);
      if (!rule) {
        if (bus.rules.size >= this.rulesPerBus) throw limitExceeded();
        rule = new Rule(name, ruleArn(ctx.region, region.account, bus.name, name), bus.name, ctx.account, this.clock.now());
        bus.rules.set(name, rule);
      }
      rule.eventPattern = input.EventPattern;
      rule.pattern = pattern;
      rule.scheduleExpression = input.ScheduleExpression;
      rule.schedule = schedule;
      rule.scheduleAnchor = anchor;
      rule.state = (input.State as RuleState | undefined) ?? rule.state;
      if (input.Description !== undefined) rule.description = input.Description;
      if (input.RoleArn !== undefined) rule.roleArn = input.RoleArn;
      if (input.Tags?.length) this.putTags(region, rule.arn, input.Tags);
      bus.reindex(rule);
      this.arm(region, bus, rule);
      return { RuleArn: rule.arn };
    },

    DescribeRule: (input: eb.DescribeRuleRequest, ctx): eb.DescribeRuleResponse => this.rule(ctx, input.Name, input.EventBusName).rule.describe(),

    DeleteRule: (input: eb.DeleteRuleRequest, ctx): void => {
      const name = checkName(input.Name, 'name', 64);
      const { region, bus } = this.bus(ctx, input.EventBusName);
      const rule = bus.rules.get(name);
      if (!rule) return; // AWS answers a missing rule with success
      if (rule.targets.size > 0) throw validationException("Rule can't be deleted since it has targets.");
      this.clock.cancel(rule.timer);
      bus.rules.delete(name);
      bus.index.delete(rule);
      region.tags.delete(rule.arn);
    },

    EnableRule: (input: eb.EnableRuleRequest, ctx): void => {
      const { region, bus, rule } = this.rule(ctx, input.Name, input.EventBusName);
      rule.state = 'ENABLED';
      bus.reindex(rule);
      this.arm(region, bus, rule);
    },

    DisableRule: (input: eb.DisableRuleRequest, ctx): void => {
      const { region, bus, rule } = this.rule(ctx, input.Name, input.EventBusName);
      rule.state = 'DISABLED';
      bus.reindex(rule);
      this.arm(region, bus, rule);
    },

    ListRules: (input: eb.ListRulesRequest, ctx): eb.ListRulesResponse => {
      const { bus } = this.bus(ctx, input.EventBusName);
      const rules = [...bus.rules.values()].filter((r) => !input.NamePrefix || r.name.startsWith(input.NamePrefix));
      const { items, nextToken } = page(rules, (r) => r.name, input.Limit, input.NextToken);
      return { Rules: items.map((r) => r.summary()), NextToken: nextToken };
    },

    ListRuleNamesByTarget: (input: eb.ListRuleNamesByTargetRequest, ctx): eb.ListRuleNamesByTargetResponse => {
      if (!input.TargetArn) throw constraint('null', 'targetArn', 'Member must not be null');
      const { bus } = this.bus(ctx, input.EventBusName);
      const rules = [...bus.rules.values()].filter((r) => [...r.targets.values()].some((t) => t.spec.Arn === input.TargetArn));
      const { items, nextToken } = page(rules, (r) => r.name, input.Limit, input.NextToken);
      return { RuleNames: items.map((r) => r.name), NextToken: nextToken };
    },

    // ---------------------------------------------------------------- targets
    PutTargets: (input: eb.PutTargetsRequest, ctx): eb.PutTargetsResponse => {
      const { rule } = this.rule(ctx, input.Rule, input.EventBusName);
      const targets = input.Targets ?? [];
      if (targets.length === 0) throw constraint('[]', 'targets', 'Member must have length greater than or equal to 1');
      if (targets.length > EVENTS_LIMITS.targetsPerCall)
        throw constraint(`[${targets.map(() => 'Target').join(', ')}]`, 'targets', `Member must have length less than or equal to ${EVENTS_LIMITS.targetsPerCall}`);
      targets.forEach((t, i) => checkName(t.Id, `targets.${i + 1}.member.id`, 64));
      const newIds = new Set(targets.map((t) => t.Id!).filter((id) => !rule.targets.has(id)));
      if (rule.targets.size + newIds.size > EVENTS_LIMITS.targetsPerRule) throw limitExceeded();
      // A malformed target fails the whole call, as on AWS (its per-entry failures are for
      // concurrent modification and throttling); nothing is stored unless every target passes.
      const compiled = targets.map((t, i) => ({ spec: t, render: this.checkTarget(t, i + 1) }));
      for (const t of compiled) rule.targets.set(t.spec.Id!, t);
      return { FailedEntryCount: 0, FailedEntries: [] };
    },

    RemoveTargets: (input: eb.RemoveTargetsRequest, ctx): eb.RemoveTargetsResponse => {
      const { rule } = this.rule(ctx, input.Rule, input.EventBusName);
      const ids = input.Ids ?? [];
      if (ids.length === 0) throw constraint('[]', 'ids', 'Member must have length greater than or equal to 1');
      if (ids.length > EVENTS_LIMITS.targetsPerCall)
        throw constraint(`[${ids.join(', ')}]`, 'ids', `Member must have length less than or equal to ${EVENTS_LIMITS.targetsPerCall}`);
      const failed: eb.RemoveTargetsResultEntry[] = [];
      for (const id of ids) {
        if (!rule.targets.delete(id))
          failed.push({ TargetId: id, ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Target ${id} does not exist on rule ${rule.name}.` });
      }
      return { FailedEntryCount: failed.length, FailedEntries: failed };
    },

    ListTargetsByRule: (input: eb.ListTargetsByRuleRequest, ctx): eb.ListTargetsByRuleResponse => {
      const { rule } = this.rule(ctx, input.Rule, input.EventBusName);
      const { items, nextToken } = page([...rule.targets.values()], (t) => t.spec.Id!, input.Limit, input.NextToken);
      return { Targets: items.map((t) => t.spec), NextToken: nextToken };
    },

    // ---------------------------------------------------------------- events
    PutEvents: (input: eb.PutEventsRequest, ctx): eb.PutEventsResponse => {
      const entries = checkPutEventsRequest(input.Entries);
      if (input.EndpointId !== undefined) throw validationException('Global endpoints are not supported by Switchyard.');
      const now = this.clock.now();
      const results: eb.PutEventsResultEntry[] = [];
      let failed = 0;
      for (const entry of entries) {
        const built = buildEvent(entry, { id: uuid(), account: ctx.account, region: ctx.region, now });
        if (!('event' in built)) {
          failed++;
          results.push(built);
          continue;
        }
        const ref = parseBusRef(entry.EventBusName ?? 'default');
        const region = ref?.account && ref.region ? this.region(ref.account, ref.region) : this.regionOf(ctx);
        const bus = ref ? region.buses.get(ref.name) : undefined;
        if (!bus) {
          failed++;
          results.push({ ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${ref?.name ?? entry.EventBusName} does not exist.` });
          continue;
        }
        if (!bus.allowsPutEventsFrom(ctx.account, region.account)) {
          failed++;
          results.push({ ErrorCode: 'AccessDeniedException', ErrorMessage: `Account ${ctx.account} is not authorized to put events on ${bus.arn}.` });
          continue;
        }
        this.router.ingest(region, bus, built.event, { via: 'PutEvents' });
        results.push({ EventId: built.event.id as string });
      }
      return { FailedEntryCount: failed, Entries: results };
    },

    TestEventPattern: (input: eb.TestEventPatternRequest): eb.TestEventPatternResponse => {
      const pattern = compilePattern(compileEventPattern(input.EventPattern!));
      // The pattern is judged first: AWS reports a bad pattern even when the event is bad too.
      const event = parseTestEvent(input.Event!);
      try {
        return { Result: matchesEvent(pattern, event) };
      } catch (err) {
        if (err instanceof MatchTooComplexError) throw validationException(err.message);
        throw err;
      }
    },

    // ---------------------------------------------------------------- tags
    TagResource: (input: eb.TagResourceRequest, ctx): void => {
      const region = this.taggable(ctx, input.ResourceARN);
      this.putTags(region, input.ResourceARN!, input.Tags ?? []);
    },

    UntagResource: (input: eb.UntagResourceRequest, ctx): void => {
      const region = this.taggable(ctx, input.ResourceARN);
      const tags = this.tagsOf(region, input.ResourceARN!);
      for (const k of input.TagKeys ?? []) tags.delete(k);
    },

    ListTagsForResource: (input: eb.ListTagsForResourceRequest, ctx): eb.ListTagsForResourceResponse => {
      const region = this.taggable(ctx, input.ResourceARN);
      return { Tags: [...(region.tags.get(input.ResourceARN!) ?? new Map()).entries()].map(([Key, Value]) => ({ Key, Value })) };
    },

    // ---------------------------------------------------------------- archives and replays
    CreateArchive: (input: eb.CreateArchiveRequest, ctx): eb.CreateArchiveResponse => {
      const name = checkName(input.ArchiveName, 'archiveName', 48);
      const region = this.regionOf(ctx);
      if (region.archives.has(name)) throw resourceAlreadyExists(`Archive ${name} already exists.`);
      const source = this.archiveSource(ctx, input.EventSourceArn);
      const validated = input.EventPattern !== undefined ? compileEventPattern(input.EventPattern) : undefined;
      if (input.RetentionDays !== undefined && input.RetentionDays < 0)
        throw constraint(input.RetentionDays, 'retentionDays', 'Member must have value greater than or equal to 0');
      const archive = new Archive(name, archiveArn(ctx.region, ctx.account, name), source.arn, this.clock.now());
      archive.setPattern(input.EventPattern, validated);
      archive.description = input.Description;
      archive.retentionDays = input.RetentionDays ?? 0;
      archive.kmsKeyIdentifier = input.KmsKeyIdentifier;
      region.archives.set(name, archive);
      // The ARN names the archive by name: events of an earlier archive of that name are not its.
      this.router.persistence?.archiveEmptied(archive.arn);
      return { ArchiveArn: archive.arn, State: archive.state, CreationTime: new Date(archive.createdAt) };
    },

    DescribeArchive: (input: eb.DescribeArchiveRequest, ctx): eb.DescribeArchiveResponse =>
      this.archive(ctx, input.ArchiveName).describe(this.clock.now()),

    UpdateArchive: (input: eb.UpdateArchiveRequest, ctx): eb.UpdateArchiveResponse => {
      const archive = this.archive(ctx, input.ArchiveName);
      if (input.EventPattern !== undefined) archive.setPattern(input.EventPattern, compileEventPattern(input.EventPattern));
      if (input.Description !== undefined) archive.description = input.Description;
      if (input.RetentionDays !== undefined) {
        if (input.RetentionDays < 0) throw constraint(input.RetentionDays, 'retentionDays', 'Member must have value greater than or equal to 0');
        archive.retentionDays = input.RetentionDays;
      }
      if (input.KmsKeyIdentifier !== undefined) archive.kmsKeyIdentifier = input.KmsKeyIdentifier || undefined;
      return { ArchiveArn: archive.arn, State: archive.state, CreationTime: new Date(archive.createdAt) };
    },

    DeleteArchive: (input: eb.DeleteArchiveRequest, ctx): void => {
      const archive = this.archive(ctx, input.ArchiveName);
      this.regionOf(ctx).archives.delete(archive.name);
      this.router.persistence?.archiveEmptied(archive.arn);
    },

    ListArchives: (input: eb.ListArchivesRequest, ctx): eb.ListArchivesResponse => {
      const now = this.clock.now();
      const archives = [...this.regionOf(ctx).archives.values()].filter(
        (a) =>
          (!input.NamePrefix || a.name.startsWith(input.NamePrefix)) &&
          (!input.EventSourceArn || a.sourceArn === input.EventSourceArn) &&
          (!input.State || a.state === input.State),
      );
      const { items, nextToken } = page(archives, (a) => a.name, input.Limit, input.NextToken);
      return { Archives: items.map((a) => a.summary(now)), NextToken: nextToken };
    },

    StartReplay: (input: eb.StartReplayRequest, ctx): eb.StartReplayResponse => {
      const name = checkName(input.ReplayName, 'replayName', 64);
      const region = this.regionOf(ctx);
      if (region.replays.has(name)) throw resourceAlreadyExists(`Replay ${name} already exists.`);
      const archiveName = /:archive\/(.+)$/.exec(input.EventSourceArn ?? '')?.[1];
      const archive = archiveName ? region.archives.get(archiveName) : undefined;
      if (!archive) throw resourceNotFound(`Archive ${archiveName ?? input.EventSourceArn} does not exist.`);
      const start = input.EventStartTime!.getTime();
      const end = input.EventEndTime!.getTime();
      if (start >= end) throw validationException('Parameter EventStartTime is not valid. Reason: EventStartTime must be before EventEndTime.');
      if (end > this.clock.now()) throw validationException('Parameter EventEndTime is not valid. Reason: EventEndTime cannot be in the future.');
      const destination: eb.ReplayDestination = input.Destination ?? { Arn: undefined };
      if (destination.Arn !== archive.sourceArn)
        throw validationException('Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.');
      for (const arn of destination.FilterArns ?? []) {
        const r = parseRuleArn(arn);
        if (!r || busArn(r.region, r.account, r.bus) !== archive.sourceArn)
          throw validationException(`Parameter Destination.FilterArns is not valid. Reason: Rule ${arn} does not belong to the destination event bus.`);
      }
      const replay = new Replay(name, replayArn(ctx.region, ctx.account, name), archive.arn, input.Description, start, end, destination);
      replay.replayStartTime = this.clock.now();
      region.replays.set(name, replay);
      // Replays run after the call answers, as on AWS (STARTING, then RUNNING, then COMPLETED).
      queueMicrotask(() => this.runReplay(region, archive, replay));
      return { ReplayArn: replay.arn, State: replay.state, ReplayStartTime: new Date(replay.replayStartTime) };
    },

    DescribeReplay: (input: eb.DescribeReplayRequest, ctx): eb.DescribeReplayResponse => this.replay(ctx, input.ReplayName).describe(),

    ListReplays: (input: eb.ListReplaysRequest, ctx): eb.ListReplaysResponse => {
      const replays = [...this.regionOf(ctx).replays.values()].filter(
        (r) =>
          (!input.NamePrefix || r.name.startsWith(input.NamePrefix)) &&
          (!input.EventSourceArn || r.archiveArn === input.EventSourceArn) &&
          (!input.State || r.state === input.State),
      );
      const { items, nextToken } = page(replays, (r) => r.name, input.Limit, input.NextToken);
      return { Replays: items.map((r) => r.summary()), NextToken: nextToken };
    },

    CancelReplay: (input: eb.CancelReplayRequest, ctx): eb.CancelReplayResponse => {
      const replay = this.replay(ctx, input.ReplayName);
      if (replay.state !== 'STARTING' && replay.state !== 'RUNNING')
        throw illegalStatus(`Replay ${replay.name} is not in a valid state for this operation.`);
      replay.state = 'CANCELLING';
      return { ReplayArn: replay.arn, State: replay.state };
    },

    // ---------------------------------------------------------------- connections and API destinations
    CreateConnection: (input: eb.CreateConnectionRequest, ctx) => {
      const region = this.regionOf(ctx);
      const out = region.connections.createConnection(input);
      this.authorize(region, out.ConnectionArn!);
      return out;
    },
    DescribeConnection: (input: eb.DescribeConnectionRequest, ctx) => this.regionOf(ctx).connections.describeConnection(input),
    UpdateConnection: (input: eb.UpdateConnectionRequest, ctx) => {
      const region = this.regionOf(ctx);
      const out = region.connections.updateConnection(input);
      this.authorize(region, out.ConnectionArn!);
      return out;
    },
    DeleteConnection: (input: eb.DeleteConnectionRequest, ctx) => this.regionOf(ctx).connections.deleteConnection(input),
    ListConnections: (input: eb.ListConnectionsRequest, ctx) => this.regionOf(ctx).connections.listConnections(input),
    DeauthorizeConnection: (input: eb.DeauthorizeConnectionRequest, ctx) => this.regionOf(ctx).connections.deauthorizeConnection(input),
    CreateApiDestination: (input: eb.CreateApiDestinationRequest, ctx) => this.regionOf(ctx).connections.createApiDestination(input),
    DescribeApiDestination: (input: eb.DescribeApiDestinationRequest, ctx) => this.regionOf(ctx).connections.describeApiDestination(input),
    UpdateApiDestination: (input: eb.UpdateApiDestinationRequest, ctx) => this.regionOf(ctx).connections.updateApiDestination(input),
    DeleteApiDestination: (input: eb.DeleteApiDestinationRequest, ctx) => this.regionOf(ctx).connections.deleteApiDestination(input),
    ListApiDestinations: (input: eb.ListApiDestinationsRequest, ctx) => this.regionOf(ctx).connections.listApiDestinations(input),
  };

  /** An OAuth connection's token request; its outcome (the connection's state) goes to the catalog. */
  private authorize(region: EventsRegion, connectionArn: string): void {
    const done = this.router.authorize(region, connectionArn);
    if (done !== undefined && this.router.persistence !== undefined) void done.then(() => this.catalogChangedInBackground());
  }

  // ---------------------------------------------------------------- persistence: taking over

  /** A rule an earlier process had (persistence): indexed, and its schedule armed. */
  restoreRule(region: EventsRegion, bus: EventBus, rule: Rule): void {
    bus.rules.set(rule.name, rule);
    bus.reindex(rule);
    this.arm(region, bus, rule);
  }

  /**
   * Once persistence is attached, take over what an earlier process left under way: deliveries
   * waiting for I/O or a retry, replays not finished, OAuth connections still AUTHORIZING.
   */
  resume(work: { deliveries: RestoredDelivery[]; replays: { region: EventsRegion; replay: Replay }[]; authorizing: { region: EventsRegion; arn: string }[] }): void {
    this.router.resume(work.deliveries);
    for (const { region, replay } of work.replays) this.resumeReplay(region, replay);
    for (const { region, arn } of work.authorizing) this.authorize(region, arn);
  }

  /**
   * A replay the earlier process had not finished. On AWS a replay is a job that runs to its end
   * whatever happens to the machines running it; so here: a replay STARTING or RUNNING runs
   * again from the last event it had replayed (that event included: at-least-once, as AWS's
   * delivery is), a replay CANCELLING becomes CANCELLED.
   */
  private resumeReplay(region: EventsRegion, replay: Replay): void {
    if (replay.state === 'CANCELLING') {
      replay.state = 'CANCELLED';
      replay.replayEndTime = this.clock.now();
      this.catalogChangedInBackground();
      return;
    }
    if (replay.state !== 'STARTING' && replay.state !== 'RUNNING') return;
    const archiveName = /:archive\/(.+)$/.exec(replay.archiveArn)?.[1];
    const archive = archiveName !== undefined ? region.archives.get(archiveName) : undefined;
    if (!archive) {
      replay.state = 'FAILED';
      replay.stateReason = `Archive ${archiveName ?? replay.archiveArn} does not exist.`;
      replay.replayEndTime = this.clock.now();
      this.catalogChangedInBackground();
      return;
    }
    queueMicrotask(() => this.runReplay(region, archive, replay, replay.lastReplayed ?? replay.eventStartTime));
  }

  private putTags(region: EventsRegion, arn: string, tags: eb.Tag[]): void {
    const current = this.tagsOf(region, arn);
    const added = tags.filter((t) => !current.has(t.Key!)).length;
    if (current.size + added > EVENTS_LIMITS.tagsPerResource) throw limitExceeded();
    for (const t of tags) current.set(t.Key!, t.Value ?? '');
  }

  /** PutTargets' checks of one target; the compiled input shaping when it passes. */
  private checkTarget(t: eb.Target, position: number): ReturnType<typeof compileTargetInput> {
    const arn = parseArn(t.Arn ?? '');
    if (!arn) throw validationException(`Parameter ${t.Arn} is not valid. Reason: Provided Arn is not in correct format.`);
    if (arn.service === 'sqs' && arn.resource.endsWith('.fifo') && !t.SqsParameters?.MessageGroupId)
      throw validationException(`Parameter(s) SqsParameters must be specified for target: ${t.Id}.`);
    if (t.DeadLetterConfig?.Arn !== undefined && parseArn(t.DeadLetterConfig.Arn)?.service !== 'sqs')
      throw validationException(`Parameter ${t.DeadLetterConfig.Arn} is not valid. Reason: Provided Arn is not in correct format.`);
    const rp = t.RetryPolicy;
    if (rp?.MaximumRetryAttempts !== undefined && (rp.MaximumRetryAttempts < 0 || rp.MaximumRetryAttempts > 185))
      throw constraint(rp.MaximumRetryAttempts, 'retryPolicy.maximumRetryAttempts', 'Member must have value between 0 and 185');
    if (rp?.MaximumEventAgeInSeconds !== undefined && (rp.MaximumEventAgeInSeconds < 60 || rp.MaximumEventAgeInSeconds > 86400))
      throw constraint(rp.MaximumEventAgeInSeconds, 'retryPolicy.maximumEventAgeInSeconds', 'Member must have value between 60 and 86400');
    // Checks Input / InputPath / InputTransformer as AWS does, then compiles the shaping once.
    return compileTargetInput(t, position);
  }

  private archiveSource(ctx: RequestContext, arn: string | undefined): EventBus {
    const ref = arn ? parseBusRef(arn) : undefined;
    if (!ref || !ref.account) throw validationException(`Parameter ${arn} is not valid. Reason: Provided Arn is not in correct format.`);
    const bus = this.region(ref.account, ref.region!).buses.get(ref.name);
    if (!bus) throw resourceNotFound(`Event bus ${ref.name} does not exist.`);
    void ctx;
    return bus;
  }

  private archive(ctx: RequestContext, name: string | undefined): Archive {
    checkName(name, 'archiveName', 48);
    const archive = this.regionOf(ctx).archives.get(name!);
    if (!archive) throw resourceNotFound(`Archive ${name} does not exist.`);
    return archive;
  }

  private replay(ctx: RequestContext, name: string | undefined): Replay {
    checkName(name, 'replayName', 64);
    const replay = this.regionOf(ctx).replays.get(name!);
    if (!replay) throw resourceNotFound(`Replay ${name} does not exist.`);
    return replay;
  }

  /** Send the archive's events in the replay's window back to its bus, marked with `replay-name`. */
  private runReplay(region: EventsRegion, archive: Archive, replay: Replay, from = replay.eventStartTime): void {
    this.replayEvents(region, archive, replay, from);
    // Whatever the outcome, the replay's new state belongs in the catalog (which is read when
    // its write starts: so after the change).
    this.catalogChangedInBackground();
  }

  private replayEvents(region: EventsRegion, archive: Archive, replay: Replay, from: number): void {
    if (replay.state === 'CANCELLING') {
      replay.state = 'CANCELLED';
      replay.replayEndTime = this.clock.now();
      return;
    }
    replay.state = 'RUNNING';
    const ref = parseBusRef(archive.sourceArn)!;
    const bus = this.region(ref.account!, ref.region!).buses.get(ref.name);
    if (!bus) {
      replay.state = 'FAILED';
      replay.stateReason = `Event bus ${ref.name} does not exist.`;
      replay.replayEndTime = this.clock.now();
      return;
    }
    const filter = replay.destination.FilterArns?.length ? new Set(replay.destination.FilterArns) : undefined;
    archive.prune(this.clock.now());
    for (const stored of [...archive.events]) {
      if (stored.at < from || stored.at >= replay.eventEndTime) continue;
      const event = { ...stored.event, 'replay-name': replay.name };
      this.router.ingest(region, bus, event, { via: 'replay', ruleArns: filter, archive: false });
      replay.lastReplayed = stored.at;
    }
    replay.state = 'COMPLETED';
    replay.replayEndTime = this.clock.now();
  }
}

export { EventsErrors };
