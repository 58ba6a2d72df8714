/**
 * EventBridge state on disk (see ServiceStore in ./service-store.ts).
 *
 * The catalog section `events` (lowdb, catalog.json), rewritten whenever a resource changes:
 *   buses[]            account, region, name, arn, createdAt, lastModified, description,
 *                      kmsKeyIdentifier, deadLetterConfig, statements (the resource policy), tags
 *   rules[]            account, region, bus, name, arn, createdBy, createdAt, eventPattern or
 *                      scheduleExpression (with scheduleAnchor: a rate keeps its phase), state,
 *                      description, roleArn, tags, targets (each exactly as PutTargets took it)
 *   archives[]         account, region, name, arn, sourceArn, createdAt, eventPattern,
 *                      description, retentionDays, kmsKeyIdentifier, state
 *   replays[]          every field DescribeReplay answers, and its state
 *   connections[]      the connection records, credentials included: what AWS keeps in the
 *                      connection's Secrets Manager secret is in catalog.json, in clear
 *   apiDestinations[]  the API destination records
 * Times are epoch ms; tags are [key, value] pairs.
 *
 * The journal `events-journal.log` (one JSON object per line, `t` is the type):
 *   A  an event archived: archive ARN `a`, ingestion time `at`, the event `e`
 *   Z  an archive emptied (deleted, or created again under a name, hence an ARN, that had events)
 *   P  a delivery that may outlive the turn that started it (its attempt waits for I/O, or it
 *      failed and waits for a retry): id, its origin `o` (rule, target as routed, the event, the
 *      body, event time, bus, hops), attempts made `n`, next attempt due `x`, last attempt `l`
 *   W  that delivery waits again: id, `n`, `x`, `l`
 *   E  that delivery ended (delivered, dead-lettered or dropped): id
 * Deliveries that end within the turn that started them (an SQS queue, another bus, an SNS
 * topic: in-process) are never recorded: what they produced is in the SQS (or SNS) journal.
 *
 * On start: resources from the catalog, then the journal's archived events into their archives
 * and its unended deliveries; once attached, those deliveries go on from their attempt counts on
 * the clock (an attempt that was under way is made again: at-least-once), unfinished replays run
 * again, and OAuth connections still AUTHORIZING ask for a token again. OAuth tokens themselves
 * are not kept: the first delivery after a restart asks for a new one.
 */
import type * as eb from '@aws-sdk/client-eventbridge';
import type { DeliveryJournal } from '../delivery/deliverer.js';
import { Archive, Replay, type ArchivedEvent, type ArchiveState, type ReplayState } from '../events/archives.js';
import { EventBus, type PolicyStatement } from '../events/bus.js';
import type { ApiDestinationRecord, ConnectionRecord } from '../events/connections.js';
import type { DeliveryOrigin, EventsPersistence } from '../events/persistence.js';
import type { EventsRegion } from '../events/region.js';
import type { RestoredDelivery } from '../events/router.js';
import { Rule, type RuleState, type Target } from '../events/rule.js';
import { parseSchedule } from '../events/schedule.js';
import type { EventsService } from '../events/service.js';
import { compileTargetInput, type TargetInput } from '../events/transform.js';
import { uuid } from '../ids.js';
import { validatePatternText } from '../patterns/index.js';
import type { DeliveryAttempt } from '../trace/trace.js';
import { encodeRecord } from './journal.js';
import type { ServiceStore, StoreIo } from './service-store.js';

// ------------------------------------------------------------------------------ the catalog

type Pairs = [string, string][];

interface BusEntry {
  account: string;
  region: string;
  name: string;
  arn: string;
  createdAt: number;
  lastModified: number;
  description?: string;
  kmsKeyIdentifier?: string;
  deadLetterConfig?: eb.DeadLetterConfig;
  statements: PolicyStatement[];
  tags?: Pairs;
}

interface RuleEntry {
  account: string;
  region: string;
  bus: string;
  name: string;
  arn: string;
  createdBy: string;
  createdAt: number;
  eventPattern?: string;
  scheduleExpression?: string;
  scheduleAnchor?: number;
  state: RuleState;
  description?: string;
  roleArn?: string;
  tags?: Pairs;
  targets: eb.Target[];
}

interface ArchiveEntry {
  account: string;
  region: string;
  name: string;
  arn: string;
  sourceArn: string;
  createdAt: number;
  eventPattern?: string;
  description?: string;
  retentionDays: number;
  kmsKeyIdentifier?: string;
  state: ArchiveState;
}

interface ReplayEntry {
  account: string;
  region: string;
  name: string;
  arn: string;
  archiveArn: string;
  description?: string;
  eventStartTime: number;
  eventEndTime: number;
  destination: eb.ReplayDestination;
  state: ReplayState;
  stateReason?: string;
  replayStartTime?: number;
  replayEndTime?: number;
  lastReplayed?: number;
}

export interface EventsCatalog {
  version: 1;
  buses: BusEntry[];
  rules: RuleEntry[];
  archives: ArchiveEntry[];
  replays: ReplayEntry[];
  connections: ConnectionRecord[];
  apiDestinations: ApiDestinationRecord[];
}

// ------------------------------------------------------------------------------ the journal

interface PRecord {
  t: 'P';
  id: string;
  o: DeliveryOrigin;
  n: number;
  x: number;
  l?: DeliveryAttempt;
}

type Rec =
  | { t: 'A'; a: string; at: number; e: Record<string, unknown> }
  | { t: 'Z'; a: string }
  | PRecord
  | { t: 'W'; id: string; n: number; x: number; l?: DeliveryAttempt }
  | { t: 'E'; id: string };

// ------------------------------------------------------------------------------ checks

const RULE_STATES: ReadonlySet<string> = new Set(['ENABLED', 'DISABLED', 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS']);
const ARCHIVE_STATES: ReadonlySet<string> = new Set(['ENABLED', 'DISABLED']);
const REPLAY_STATES: ReadonlySet<string> = new Set(['STARTING', 'RUNNING', 'CANCELLING', 'COMPLETED', 'CANCELLED', 'FAILED']);
const AUTH_TYPES: ReadonlySet<string> = new Set(['BASIC', 'OAUTH_CLIENT_CREDENTIALS', 'API_KEY']);
const VIAS: ReadonlySet<string> = new Set(['PutEvents', 'schedule', 'replay', 'bus']);

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const optStr = (v: unknown): boolean => v === undefined || typeof v === 'string';
const optNum = (v: unknown): boolean => v === undefined || isNum(v);
const isAccount = (v: unknown): v is string => typeof v === 'string' && /^\d{12}$/.test(v);
const isPairs = (v: unknown): v is Pairs => Array.isArray(v) && v.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && typeof p[1] === 'string');
const hasIdentity = (e: Record<string, unknown>): boolean => isAccount(e.account) && isStr(e.region) && isStr(e.name) && isStr(e.arn);

function excerpt(v: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(v);
  } catch {
    text = String(v);
  }
  text ??= String(v);
  return text.length > 120 ? `${text.slice(0, 120)}...` : text;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function isOrigin(o: unknown): o is DeliveryOrigin {
  if (!isObj(o)) return false;
  const spec = o.spec;
  return (
    isAccount(o.account) &&
    isStr(o.region) &&
    isStr(o.busArn) &&
    VIAS.has(o.via as string) &&
    isStr(o.ruleArn) &&
    isStr(o.ruleName) &&
    isObj(spec) &&
    isStr(spec.Id) &&
    isStr(spec.Arn) &&
    isObj(o.event) &&
    typeof o.body === 'string' &&
    isNum(o.eventTime) &&
    isNum(o.hops)
  );
}

const isAttempt = (v: unknown): v is DeliveryAttempt => v === undefined || (isObj(v) && isNum(v.at) && typeof v.ok === 'boolean');

// ------------------------------------------------------------------------------ recording

/**
 * What the service calls while a data directory is attached: archived events and deliveries to
 * the journal, resource changes to the catalog. `generation` grows at every reset, so a delivery
 * of the state before a reset (an HTTP attempt still under way) records nothing afterwards.
 */
class EventsLedger implements EventsPersistence {
  io: StoreIo | undefined;
  /** Deliveries recorded and not ended, by id: what a snapshot must keep. */
  readonly live = new Map<string, PRecord>();
  generation = 0;

  constructor(private readonly now: () => number) {}

  private append(rec: Rec): void {
    this.io?.journal.append(encodeRecord(rec));
  }

  archived(archive: Archive, stored: ArchivedEvent): void {
    this.append({ t: 'A', a: archive.arn, at: stored.at, e: stored.event });
  }

  archiveEmptied(archiveArn: string): void {
    this.append({ t: 'Z', a: archiveArn });
  }

  delivery(origin: DeliveryOrigin): DeliveryJournal {
    return new JournaledDelivery(this, origin, this.generation, undefined);
  }

  /** The journal of a delivery read back from the journal (already recorded, as `id`). */
  restored(rec: PRecord): DeliveryJournal {
    this.live.set(rec.id, rec);
    return new JournaledDelivery(this, rec.o, this.generation, rec.id);
  }

  catalogChanged(): Promise<void> {
    return this.io ? this.io.catalogChanged() : Promise.resolve();
  }

  durableAll(): Promise<void> {
    return this.io ? this.io.durableAll() : Promise.resolve();
  }

  reset(): void {
    this.live.clear();
    this.generation++;
  }

  /** Record that a delivery is (still) pending; returns its id. */
  pending(d: JournaledDelivery, attempts: number, nextAttemptAt: number, last: DeliveryAttempt | undefined): void {
    if (d.generation !== this.generation || this.io === undefined) return;
    if (d.id === undefined) {
      const rec: PRecord = { t: 'P', id: uuid(), o: d.origin, n: attempts, x: nextAttemptAt };
      if (last) rec.l = last;
      d.id = rec.id;
      this.live.set(rec.id, rec);
      this.append(rec);
      return;
    }
    const rec = this.live.get(d.id);
    if (!rec) return;
    rec.n = attempts;
    rec.x = nextAttemptAt;
    rec.l = last;
    this.append({ t: 'W', id: rec.id, n: attempts, x: nextAttemptAt, l: last });
  }

  /**
   * A recorded delivery ended. The end is recorded once everything the delivery wrote (a message
   * in a dead-letter queue, in the SQS journal) is on disk: a crash in between retries it rather
   * than losing it.
   */
  ended(d: JournaledDelivery): void {
    const id = d.id;
    if (id === undefined || d.generation !== this.generation || this.io === undefined) return;
    this.io.durableAll().then(
      () => {
        if (d.generation === this.generation && this.live.delete(id)) this.append({ t: 'E', id });
      },
      () => {}, // the journal reported it; the delivery stays recorded and is retried after a restart
    );
  }

  nowMs(): number {
    return this.now();
  }
}

/** One delivery's journal: nothing is written until the delivery outlives its first turn. */
class JournaledDelivery implements DeliveryJournal {
  constructor(
    private readonly ledger: EventsLedger,
    readonly origin: DeliveryOrigin,
    readonly generation: number,
    public id: string | undefined,
  ) {}

  attempting(attempts: number): void {
    // Recorded already: its record says an attempt is due now or before, which a restart makes.
    if (this.id === undefined) this.ledger.pending(this, attempts, this.ledger.nowMs(), undefined);
  }

  waiting(attempts: number, nextAttemptAt: number, last: DeliveryAttempt): void {
    this.ledger.pending(this, attempts, nextAttemptAt, last);
  }

  ended(): void {
    this.ledger.ended(this);
  }
}

// ------------------------------------------------------------------------------ the store

export function createEventsStore(service: EventsService): ServiceStore {
  const ledger = new EventsLedger(() => service.clock.now());
  /** What to take over once attached (filled by importCatalog and replay). */
  let work: Parameters<EventsService['resume']>[0] = { deliveries: [], replays: [], authorizing: [] };

  const tagsOf = (region: EventsRegion, arn: string): Pairs | undefined => {
    const tags = region.tags.get(arn);
    return tags && tags.size > 0 ? [...tags] : undefined;
  };

  function exportCatalog(): EventsCatalog {
    const out: EventsCatalog = { version: 1, buses: [], rules: [], archives: [], replays: [], connections: [], apiDestinations: [] };
    for (const region of service.allRegions()) {
      const where = { account: region.account, region: region.region };
      for (const bus of region.buses.values()) {
        out.buses.push({
          ...where,
          name: bus.name,
          arn: bus.arn,
          createdAt: bus.createdAt,
          lastModified: bus.lastModified,
          description: bus.description,
          kmsKeyIdentifier: bus.kmsKeyIdentifier,
          deadLetterConfig: bus.deadLetterConfig,
          statements: bus.statements,
          tags: tagsOf(region, bus.arn),
        });
        for (const rule of bus.rules.values())
          out.rules.push({
            ...where,
            bus: bus.name,
            name: rule.name,
            arn: rule.arn,
            createdBy: rule.createdBy,
            createdAt: rule.createdAt,
            eventPattern: rule.eventPattern,
            scheduleExpression: rule.scheduleExpression,
            scheduleAnchor: rule.scheduleAnchor,
            state: rule.state,
            description: rule.description,
            roleArn: rule.roleArn,
            tags: tagsOf(region, rule.arn),
            targets: [...rule.targets.values()].map((t) => t.spec),
          });
      }
      for (const a of region.archives.values())
        out.archives.push({
          ...where,
          name: a.name,
          arn: a.arn,
          sourceArn: a.sourceArn,
          createdAt: a.createdAt,
          eventPattern: a.eventPattern,
          description: a.description,
          retentionDays: a.retentionDays,
          kmsKeyIdentifier: a.kmsKeyIdentifier,
          state: a.state,
        });
      for (const r of region.replays.values())
        out.replays.push({
          ...where,
          name: r.name,
          arn: r.arn,
          archiveArn: r.archiveArn,
          description: r.description,
          eventStartTime: r.eventStartTime,
          eventEndTime: r.eventEndTime,
          destination: r.destination,
          state: r.state,
          stateReason: r.stateReason,
          replayStartTime: r.replayStartTime,
          replayEndTime: r.replayEndTime,
          lastReplayed: r.lastReplayed,
        });
      for (const c of region.connections.allConnections()) out.connections.push({ ...c });
      for (const d of region.connections.allApiDestinations()) out.apiDestinations.push({ ...d });
    }
    return out;
  }

  function importCatalog(section: unknown, warn: (message: string) => void): void {
    if (section === undefined) return;
    if (!isObj(section)) {
      warn(`catalog: the events section is not an object (${excerpt(section)}); no EventBridge resources could be read from it`);
      return;
    }
    const list = (key: keyof EventsCatalog): unknown[] => {
      const v = section[key];
      if (v === undefined) return [];
      if (Array.isArray(v)) return v;
      warn(`catalog: events.${key} is not a list; nothing could be read from it`);
      return [];
    };
    const each = (key: keyof EventsCatalog, fn: (entry: Record<string, unknown>, path: string) => string | undefined): void => {
      list(key).forEach((entry, i) => {
        const path = `events.${key}[${i}]`;
        let problem: string | undefined;
        try {
          problem = isObj(entry) ? fn(entry, path) : 'not an object';
        } catch (err) {
          problem = messageOf(err);
        }
        if (problem !== undefined) warn(`catalog: ${path} is malformed (${problem}: ${excerpt(entry)}); skipped`);
      });
    };
    const setTags = (region: EventsRegion, arn: string, tags: unknown): void => {
      if (isPairs(tags) && tags.length > 0) region.tags.set(arn, new Map(tags));
    };

    each('buses', (b) => {
      if (!hasIdentity(b) || !isNum(b.createdAt) || !isNum(b.lastModified)) return 'missing account, region, name, arn or times';
      if (!optStr(b.description) || !optStr(b.kmsKeyIdentifier) || !(b.deadLetterConfig === undefined || isObj(b.deadLetterConfig))) return 'bad description, KMS key or dead-letter config';
      if (!Array.isArray(b.statements) || !b.statements.every(isObj)) return 'bad policy statements';
      if (!(b.tags === undefined || isPairs(b.tags))) return 'bad tags';
      const region = service.region(b.account as string, b.region as string);
      // Replaces the default bus the region was created with: its creation time is the one kept.
      const bus = new EventBus(b.name as string, b.arn as string, b.createdAt);
      bus.lastModified = b.lastModified;
      bus.description = b.description as string | undefined;
      bus.kmsKeyIdentifier = b.kmsKeyIdentifier as string | undefined;
      bus.deadLetterConfig = b.deadLetterConfig as eb.DeadLetterConfig | undefined;
      bus.statements = b.statements as unknown as PolicyStatement[];
      region.buses.set(bus.name, bus);
      setTags(region, bus.arn, b.tags);
      return undefined;
    });

    each('rules', (r, path) => {
      if (!hasIdentity(r) || !isStr(r.bus) || !isAccount(r.createdBy) || !isNum(r.createdAt)) return 'missing account, region, bus, name, arn, creator or creation time';
      if (!RULE_STATES.has(r.state as string)) return `unknown state ${String(r.state)}`;
      if (!optStr(r.eventPattern) || !optStr(r.scheduleExpression) || !optNum(r.scheduleAnchor) || !optStr(r.description) || !optStr(r.roleArn)) return 'bad pattern, schedule, description or role';
      if (r.eventPattern === undefined && r.scheduleExpression === undefined) return 'neither an event pattern nor a schedule';
      if (!Array.isArray(r.targets)) return 'targets is not a list';
      if (!(r.tags === undefined || isPairs(r.tags))) return 'bad tags';
      const region = service.region(r.account as string, r.region as string);
      const bus = region.buses.get(r.bus);
      if (!bus) return `its event bus ${r.bus} is not in the catalog`;
      const rule = new Rule(r.name as string, r.arn as string, r.bus, r.createdBy, r.createdAt);
      if (r.eventPattern !== undefined) {
        rule.eventPattern = r.eventPattern as string;
        rule.pattern = validatePatternText(rule.eventPattern);
      }
      if (r.scheduleExpression !== undefined) {
        rule.scheduleExpression = r.scheduleExpression as string;
        rule.scheduleAnchor = (r.scheduleAnchor as number | undefined) ?? r.createdAt;
        rule.schedule = parseSchedule(rule.scheduleExpression, rule.scheduleAnchor);
      }
      rule.state = r.state as RuleState;
      rule.description = r.description as string | undefined;
      rule.roleArn = r.roleArn as string | undefined;
      r.targets.forEach((t: unknown, j: number) => {
        let problem: string | undefined;
        if (!isObj(t) || !isStr(t.Id) || !isStr(t.Arn)) problem = 'missing Id or Arn';
        else {
          try {
            const target: Target = { spec: t as unknown as eb.Target, render: compileTargetInput(t as TargetInput, j + 1) };
            rule.targets.set(t.Id, target);
          } catch (err) {
            problem = messageOf(err);
          }
        }
        if (problem !== undefined) warn(`catalog: ${path}.targets[${j}] is malformed (${problem}: ${excerpt(t)}); skipped, the rule's other targets kept`);
      });
      service.restoreRule(region, bus, rule);
      setTags(region, rule.arn, r.tags);
      return undefined;
    });

    each('archives', (a) => {
      if (!hasIdentity(a) || !isStr(a.sourceArn) || !isNum(a.createdAt) || !isNum(a.retentionDays)) return 'missing account, region, name, arn, source, creation time or retention';
      if (!ARCHIVE_STATES.has(a.state as string)) return `unknown state ${String(a.state)}`;
      if (!optStr(a.eventPattern) || !optStr(a.description) || !optStr(a.kmsKeyIdentifier)) return 'bad pattern, description or KMS key';
      const archive = new Archive(a.name as string, a.arn as string, a.sourceArn, a.createdAt);
      const text = a.eventPattern as string | undefined;
      archive.setPattern(text, text !== undefined ? validatePatternText(text) : undefined);
      archive.description = a.description as string | undefined;
      archive.retentionDays = a.retentionDays;
      archive.kmsKeyIdentifier = a.kmsKeyIdentifier as string | undefined;
      archive.state = a.state as ArchiveState;
      service.region(a.account as string, a.region as string).archives.set(archive.name, archive);
      return undefined;
    });

    each('replays', (r) => {
      if (!hasIdentity(r) || !isStr(r.archiveArn) || !isNum(r.eventStartTime) || !isNum(r.eventEndTime) || !isObj(r.destination)) return 'missing account, region, name, arn, archive, window or destination';
      if (!REPLAY_STATES.has(r.state as string)) return `unknown state ${String(r.state)}`;
      if (!optStr(r.description) || !optStr(r.stateReason) || !optNum(r.replayStartTime) || !optNum(r.replayEndTime) || !optNum(r.lastReplayed)) return 'bad description, reason or times';
      const replay = new Replay(r.name as string, r.arn as string, r.archiveArn, r.description as string | undefined, r.eventStartTime, r.eventEndTime, r.destination as unknown as eb.ReplayDestination);
      replay.state = r.state as ReplayState;
      replay.stateReason = r.stateReason as string | undefined;
      replay.replayStartTime = r.replayStartTime as number | undefined;
      replay.replayEndTime = r.replayEndTime as number | undefined;
      replay.lastReplayed = r.lastReplayed as number | undefined;
      const region = service.region(r.account as string, r.region as string);
      region.replays.set(replay.name, replay);
      if (replay.state === 'STARTING' || replay.state === 'RUNNING' || replay.state === 'CANCELLING') work.replays.push({ region, replay });
      return undefined;
    });

    each('connections', (c) => {
      if (!hasIdentity(c) || !isNum(c.creationTime) || !isNum(c.lastModifiedTime) || !isNum(c.credentialsVersion)) return 'missing account, region, name, arn, times or credentials version';
      if (!AUTH_TYPES.has(c.authorizationType as string) || !isStr(c.state)) return 'bad authorization type or state';
      if (!(c.credentials === undefined || isObj(c.credentials)) || !optStr(c.secretArn) || !optStr(c.description) || !optStr(c.stateReason) || !optNum(c.lastAuthorizedTime))
        return 'bad credentials, secret, description or times';
      const record = { ...c } as unknown as ConnectionRecord;
      const region = service.region(record.account, record.region);
      region.connections.restoreConnection(record);
      // Its token request was under way: it is made again.
      if (record.state === 'AUTHORIZING' && record.credentials?.oauth) work.authorizing.push({ region, arn: record.arn });
      return undefined;
    });

    each('apiDestinations', (d) => {
      if (!hasIdentity(d) || !isStr(d.connectionArn) || !isStr(d.endpoint) || !isStr(d.method) || !isNum(d.invocationRateLimitPerSecond)) return 'missing account, region, name, arn, connection, endpoint, method or rate';
      if (!isNum(d.creationTime) || !isNum(d.lastModifiedTime) || !optStr(d.description)) return 'bad times or description';
      const record = { ...d } as unknown as ApiDestinationRecord;
      service.region(record.account, record.region).connections.restoreApiDestination(record);
      return undefined;
    });
  }

  function replay(records: unknown[], warn: (message: string) => void): void {
    const archived = new Map<string, { at: number; e: Record<string, unknown> }[]>();
    const deliveries = new Map<string, PRecord>();
    let malformed = 0;
    records.forEach((raw, i) => {
      const r = raw as Rec;
      let ok = isObj(r);
      if (ok)
        switch (r.t) {
          case 'A':
            ok = isStr(r.a) && isNum(r.at) && isObj(r.e);
            if (ok) {
              let list = archived.get(r.a);
              if (!list) archived.set(r.a, (list = []));
              list.push({ at: r.at, e: r.e });
            }
            break;
          case 'Z':
            ok = isStr(r.a);
            if (ok) archived.delete(r.a);
            break;
          case 'P':
            ok = isStr(r.id) && isOrigin(r.o) && isNum(r.n) && isNum(r.x) && isAttempt(r.l);
            if (ok) deliveries.set(r.id, { t: 'P', id: r.id, o: r.o, n: r.n, x: r.x, l: r.l });
            break;
          case 'W': {
            ok = isStr(r.id) && isNum(r.n) && isNum(r.x) && isAttempt(r.l);
            const d = ok ? deliveries.get(r.id) : undefined;
            if (d) {
              d.n = r.n;
              d.x = r.x;
              d.l = r.l;
            }
            break;
          }
          case 'E':
            ok = isStr(r.id);
            if (ok) deliveries.delete(r.id);
            break;
          default:
            ok = false;
        }
      if (!ok) {
        malformed++;
        if (malformed <= 10) warn(`events journal: intact record ${i + 1} of ${records.length} is not a record Switchyard knows (${excerpt(raw)}); skipped`);
      }
    });
    if (malformed > 10) warn(`events journal: ${malformed} records in all were skipped`);

    const archives = new Map<string, Archive>();
    for (const region of service.allRegions()) for (const a of region.archives.values()) archives.set(a.arn, a);
    for (const [arn, events] of archived) {
      const archive = archives.get(arn);
      if (!archive) {
        warn(`events journal: ${events.length} archived events of ${arn}, an archive missing from the catalog; dropped`);
        continue;
      }
      for (const { at, e } of events) archive.restore(at, e);
    }
    for (const rec of deliveries.values()) {
      work.deliveries.push({ origin: rec.o, attempts: rec.n, last: rec.l, nextAttemptAt: rec.x, journal: ledger.restored(rec) } satisfies RestoredDelivery);
    }
  }

  function snapshot(): string[] {
    const lines: string[] = [];
    const now = service.clock.now();
    for (const region of service.allRegions())
      for (const archive of region.archives.values()) {
        archive.prune(now);
        for (const s of archive.events) lines.push(encodeRecord({ t: 'A', a: archive.arn, at: s.at, e: s.event } satisfies Rec));
      }
    for (const rec of ledger.live.values()) lines.push(encodeRecord(rec));
    return lines;
  }

  return {
    name: 'events',
    exportCatalog,
    importCatalog,
    snapshot,
    replay,
    attach: (io) => {
      ledger.io = io;
      if (io === undefined) {
        service.persistence = undefined;
        return;
      }
      service.persistence = ledger;
      // What the earlier process left under way goes on now that it is recorded again.
      const taken = work;
      work = { deliveries: [], replays: [], authorizing: [] };
      service.resume(taken);
    },
  };
}
