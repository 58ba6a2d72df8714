/**
 * Fault injection (issue 7): the failures AWS produces now and then, on demand.
 *
 * A fault is a rule: what happens (`kind`), where (`resource`: an ARN, a glob over ARNs, or `*`;
 * for API faults `service` and `operation`), how often (`probability`, default 1) and how many
 * times at most (`count`; then it is spent). The places that can misbehave ask `pick(kind,
 * keys)` at the moment AWS would misbehave: a queue when it receives, a deliverer before an
 * attempt, the gateway before a call. `keys` are the names of what is being done there (for an
 * EventBridge target: its bus, its rule, `ruleArn#targetId` and the target's ARN), so one fault
 * can name a whole bus or a single target.
 *
 * Determinism: every fault draws from its own seeded stream (the registry's seed mixed with the
 * fault's number), so whether a fault fires depends only on the seed and on the calls that
 * reached that fault, not on other faults or on the wall clock. No seed: one is chosen at random
 * and shown in `list()`, so a failing run can be replayed.
 *
 * Nothing here costs anything while no fault is set: callers check `active` first.
 */
import { mixSeed, seededRandom, type Random } from './random.js';

export const FAULT_KINDS = ['duplicate', 'reorder', 'failure', 'latency', 'api-error', 'quota'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
export const FAULT_SERVICES = ['sqs', 'sns', 'events'] as const;
export type FaultService = (typeof FAULT_SERVICES)[number];

export interface FaultSpec {
  kind: FaultKind;
  /** ARN (or `arn:...:orders-*` glob, or `*`) of the queue, topic, subscription, bus, rule or target (`<ruleArn>#<targetId>`). */
  resource?: string;
  /** api-error, latency on calls, quota: the service and (optionally) the operation. */
  service?: FaultService;
  operation?: string;
  /** Chance that the fault fires each time it is asked, 0 to 1. Default 1. */
  probability?: number;
  /** Fire at most this many times, then the fault is spent (api-error: "the next N calls"). */
  count?: number;
  /** duplicate: deliveries in all, the original included. Default 2. */
  copies?: number;
  /** api-error: the error code (`ThrottlingException`, `RequestThrottled`, `Throttled`, `InternalError`, `ServiceUnavailable`, ...); failure: the code recorded for the failed attempt. */
  error?: string;
  message?: string;
  /** latency: milliseconds added; with `service`, to API calls (real time), without, to deliveries (on the clock). */
  delayMs?: number;
  /** quota: calls per second allowed (default: AWS's quota for the operation). */
  perSecond?: number;
}

export interface Fault extends Readonly<FaultSpec> {
  readonly id: string;
  /** Times it fired. */
  fired: number;
  /** Times it was asked (fired or not). */
  asked: number;
}

export class FaultSpecError extends Error {
  override name = 'FaultSpecError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}

/** One fault that fired, for the trace: what is shown as "injected". */
export interface InjectedFault {
  faultId: string;
  kind: FaultKind;
}

/** The API errors a fault can answer with: code, HTTP status, and the message AWS sends. */
export const API_ERRORS: Record<string, { status: number; message: string; queryCode?: string }> = {
  ThrottlingException: { status: 400, message: 'Rate exceeded' },
  RequestThrottled: { status: 403, message: 'Request is throttled.' },
  Throttled: { status: 429, message: 'Rate exceeded' },
  InternalError: { status: 500, message: 'We encountered an internal error. Please try again.' },
  InternalFailure: { status: 500, message: 'We encountered an internal error. Please try again.' },
  InternalException: { status: 500, message: 'An internal error occurred.' },
  ServiceUnavailable: { status: 503, message: 'Service is unable to handle request.' },
};

/** What "throttling" is called by each service (SQS: RequestThrottled, SNS: Throttled, EventBridge: ThrottlingException). */
export const THROTTLING_ERROR: Record<FaultService, string> = { sqs: 'RequestThrottled', sns: 'Throttled', events: 'ThrottlingException' };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const SPEC_KEYS = new Set(['kind', 'resource', 'service', 'operation', 'probability', 'count', 'copies', 'error', 'message', 'delayMs', 'perSecond']);

/** Check a fault as given in a config file, over HTTP or in code; `path` names it in errors. */
export function checkFaultSpec(value: unknown, path: string): FaultSpec {
  if (!isObject(value)) throw new FaultSpecError(path, 'must be a mapping with at least `kind`');
  for (const key of Object.keys(value)) if (!SPEC_KEYS.has(key)) throw new FaultSpecError(`${path}.${key}`, `unknown key (known: ${[...SPEC_KEYS].join(', ')})`);
  const kind = value.kind;
  if (typeof kind !== 'string' || !(FAULT_KINDS as readonly string[]).includes(kind))
    throw new FaultSpecError(`${path}.kind`, `must be one of ${FAULT_KINDS.join(', ')}, got ${JSON.stringify(kind)}`);
  const spec: FaultSpec = { kind: kind as FaultKind };
  const str = (key: 'resource' | 'operation' | 'error' | 'message'): void => {
    const v = value[key];
    if (v === undefined) return;
    if (typeof v !== 'string' || v === '') throw new FaultSpecError(`${path}.${key}`, `must be a non-empty string, got ${JSON.stringify(v)}`);
    spec[key] = v;
  };
  const num = (key: 'probability' | 'count' | 'copies' | 'delayMs' | 'perSecond', min: number, max: number, integer: boolean): void => {
    const v = value[key];
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v)))
      throw new FaultSpecError(`${path}.${key}`, `must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(v)}`);
    spec[key] = v;
  };
  str('resource');
  str('operation');
  str('error');
  str('message');
  num('probability', 0, 1, false);
  num('count', 1, 1_000_000_000, true);
  num('copies', 2, 100, true);
  num('delayMs', 0, 3_600_000, true);
  num('perSecond', 1, 1_000_000, false);
  if (value.service !== undefined) {
    if (typeof value.service !== 'string' || !(FAULT_SERVICES as readonly string[]).includes(value.service))
      throw new FaultSpecError(`${path}.service`, `must be one of ${FAULT_SERVICES.join(', ')}, got ${JSON.stringify(value.service)}`);
    spec.service = value.service as FaultService;
  }
  if (spec.kind === 'api-error') {
    if (spec.service === undefined) throw new FaultSpecError(`${path}.service`, 'an api-error fault needs the service (sqs, sns or events)');
    if (spec.error !== undefined && !Object.hasOwn(API_ERRORS, spec.error))
      throw new FaultSpecError(`${path}.error`, `must be one of ${Object.keys(API_ERRORS).join(', ')}, got ${JSON.stringify(spec.error)}`);
  }
  if (spec.kind === 'quota' && spec.service === undefined) throw new FaultSpecError(`${path}.service`, 'a quota needs the service (sqs, sns or events)');
  if (spec.kind === 'latency' && spec.delayMs === undefined) throw new FaultSpecError(`${path}.delayMs`, 'a latency fault needs delayMs');
  if ((spec.kind === 'duplicate' || spec.kind === 'reorder' || spec.kind === 'failure') && spec.resource === undefined)
    throw new FaultSpecError(`${path}.resource`, `a ${spec.kind} fault needs the resource it applies to (an ARN, a glob, or "*")`);
  if (spec.kind === 'reorder' && spec.resource !== undefined && spec.resource.endsWith('.fifo'))
    throw new FaultSpecError(`${path}.resource`, 'FIFO queues keep their order: reordering applies to standard queues only');
  return spec;
}

/** `*` matches any run of characters; everything else literally. */
function globMatcher(glob: string): (key: string) => boolean {
  if (glob === '*') return () => true;
  if (!glob.includes('*')) return (key) => key === glob;
  const re = new RegExp(`^${glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return (key) => re.test(key);
}

interface Entry {
  fault: Fault;
  matches: (key: string) => boolean;
  random: Random;
}

/** A fault that fired: when (Switchyard's clock), which, and where (`sqs.SendMessage`, a resource ARN). */
export interface FiredFault {
  at: number;
  faultId: string;
  kind: FaultKind;
  where: string;
}

/** How many fired faults `recent` keeps (a ring: the oldest go first). */
const RECENT = 200;

export class Faults {
  private entries: Entry[] = [];
  private next = 1;
  private seedValue: number;
  /**
   * The faults that fired lately, newest last: the record of injected API errors, which answer
   * before any trace record exists (deliveries and messages carry their own `injected` marks).
   */
  readonly recent: FiredFault[] = [];

  constructor(
    seed?: number,
    private readonly now: () => number = Date.now,
  ) {
    this.seedValue = seed ?? Math.floor(Math.random() * 2 ** 32);
  }

  /** True when any fault is set: the hot paths ask nothing otherwise. */
  get active(): boolean {
    return this.entries.length > 0;
  }

  get seed(): number {
    return this.seedValue;
  }

  /** Replace the seed: every fault's stream starts again from it. */
  reseed(seed: number): void {
    this.seedValue = seed >>> 0;
    for (const e of this.entries) e.random = seededRandom(mixSeed(this.seedValue, Number(e.fault.id.slice(6))));
  }

  add(spec: FaultSpec): Fault {
    const n = this.next++;
    const fault: Fault = { ...spec, id: `fault-${n}`, fired: 0, asked: 0 };
    this.entries.push({ fault, matches: globMatcher(spec.resource ?? '*'), random: seededRandom(mixSeed(this.seedValue, n)) });
    return fault;
  }

  remove(id: string): boolean {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => e.fault.id !== id);
    return this.entries.length < before;
  }

  /** Remove every fault and what fired; numbering starts again (reset between tests). */
  clear(): void {
    this.entries = [];
    this.next = 1;
    this.recent.length = 0;
  }

  list(): Fault[] {
    return this.entries.map((e) => e.fault);
  }

  /** Count a fault as fired at `where` (pick does this; quotas, decided elsewhere, call it). */
  fired(fault: Fault, where: string): void {
    fault.fired++;
    if (this.recent.length >= RECENT) this.recent.shift();
    this.recent.push({ at: this.now(), faultId: fault.id, kind: fault.kind, where });
  }

  /**
   * The first fault of `kind` that applies to one of `keys` (and to `service`/`operation` when
   * given) and fires this time. A fault that applies draws from its stream whether or not it
   * fires; a spent fault (count reached) is removed.
   */
  pick(kind: FaultKind, keys: readonly string[], call?: { service: FaultService; operation: string }): Fault | undefined {
    for (let i = 0; i < this.entries.length; i++) {
      const e = this.entries[i];
      const f = e.fault;
      if (f.kind !== kind) continue;
      if (call) {
        // A fault about calls names its service; one without is about deliveries.
        if (f.service !== call.service) continue;
        if (f.operation !== undefined && f.operation !== call.operation) continue;
      } else if (f.service !== undefined || f.operation !== undefined) continue;
      if (f.resource !== undefined && f.resource !== '*' && !keys.some(e.matches)) continue;
      f.asked++;
      const p = f.probability ?? 1;
      if (p < 1 && e.random() >= p) continue;
      this.fired(f, call ? `${call.service}.${call.operation}` : (keys[0] ?? ''));
      if (f.count !== undefined && f.fired >= f.count) this.entries.splice(i, 1);
      return f;
    }
    return undefined;
  }

  /** A fault's own stream, for what it decides beyond firing (a shuffle's order). */
  randomOf(fault: Fault): Random {
    return this.entries.find((e) => e.fault === fault)?.random ?? seededRandom(mixSeed(this.seedValue, Number(fault.id.slice(6))));
  }
}
