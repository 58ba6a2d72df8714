/**
 * EventBridge rule schedule expressions: `rate(value unit)` and six-field `cron(...)`, parsed
 * and validated the way PutRule does, and asked for their next firing on the clock.
 *
 * Sources: the EventBridge user guide's schedule pages
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html,
 * eb-cron-expressions.html, eb-rate-expressions.html). AWS's cron dialect is Quartz's, minus
 * seconds: day-of-week 1-7 with 1 = Sunday, `?` in exactly one of the two day fields, `L`, `W`
 * and `#`. Where the guide is silent we follow Quartz, and say so next to the code.
 *
 * Times are UTC and whole minutes. `next()` walks years -> months -> the month's matching days
 * -> the day's first matching hour and minute, so it costs at most a few thousand month
 * visits before it gives up at year 2199: an impossible schedule (Feb 30) answers `undefined`.
 */
import { validationException } from './errors.js';

export interface Schedule {
  /** The expression exactly as given. */
  readonly expression: string;
  readonly kind: 'rate' | 'cron';
  /** Epoch ms of the first firing strictly after `afterMs` (UTC); undefined if there is none. */
  next(afterMs: number): number | undefined;
}

/** The only message AWS gives for any malformed ScheduleExpression. */
const INVALID = 'Parameter ScheduleExpression is not valid.';

function invalid(): never {
  throw validationException(INVALID);
}

const MINUTE_MS = 60_000;
const UNIT_MS = { minute: MINUTE_MS, hour: 60 * MINUTE_MS, day: 24 * 60 * MINUTE_MS } as const;

/**
 * Parse and validate a ScheduleExpression. `anchorMs` is when the rule was created: AWS runs a
 * rate "from when you create the scheduled event rule", so a rate fires at anchor + k*period,
 * k >= 1. Without an anchor, rates are anchored at the epoch (so `rate(5 minutes)` fires on
 * UTC multiples of five minutes). Cron expressions ignore the anchor.
 */
export function parseSchedule(expression: string, anchorMs = 0): Schedule {
  if (typeof expression !== 'string') invalid();
  if (expression.startsWith('rate(')) return parseRate(expression, anchorMs);
  if (expression.startsWith('cron(')) return parseCron(expression);
  return invalid();
}

// ---------------------------------------------------------------------------------------------
// rate(value unit)

/**
 * Case-sensitive, no padding inside or outside the parentheses, singular unit exactly for 1:
 * AWS refuses `rate(10 MINUTES)`, `rate( 10 minutes )`, ` rate(10 minutes)`, `rate(1 minutes)`,
 * `rate(5 minute)`, `rate(0 minutes)`, `rate(10 seconds)` (LocalStack's AWS-validated cases).
 */
const RATE = /^rate\((\d+) +(minutes?|hours?|days?)\)$/;

function parseRate(expression: string, anchorMs: number): Schedule {
  const m = RATE.exec(expression);
  if (!m) invalid();
  const value = Number(m[1]);
  const unit = m[2];
  const plural = unit.endsWith('s');
  if (value < 1 || plural !== value > 1) invalid();
  const period = value * UNIT_MS[(plural ? unit.slice(0, -1) : unit) as keyof typeof UNIT_MS];
  // AWS documents no upper bound; past 2^53 ms (~285,000 years) the arithmetic stops being exact.
  if (!Number.isSafeInteger(period)) invalid();
  if (!Number.isFinite(anchorMs)) throw new RangeError('anchorMs must be a finite number');
  return {
    expression,
    kind: 'rate',
    next(afterMs: number): number | undefined {
      checkInstant(afterMs);
      const k = afterMs < anchorMs ? 1 : Math.floor((afterMs - anchorMs) / period) + 1;
      return anchorMs + k * period;
    },
  };
}

function checkInstant(ms: number): void {
  if (!Number.isFinite(ms)) throw new RangeError('next() takes a finite epoch-millisecond instant');
}

// ---------------------------------------------------------------------------------------------
// cron(minutes hours day-of-month month day-of-week year)

interface FieldSpec {
  readonly min: number;
  readonly max: number;
  /** Three-letter names for min..max, matched case-insensitively (AWS accepts `Mon-Fri`). */
  readonly names?: readonly string[];
  /** Whether a range may run backwards and wrap (`20-2` hours, `FRI-MON`); not for years. */
  readonly wraps: boolean;
}

const MINUTES: FieldSpec = { min: 0, max: 59, wraps: true };
const HOURS: FieldSpec = { min: 0, max: 23, wraps: true };
const DAYS_OF_MONTH: FieldSpec = { min: 1, max: 31, wraps: true };
const MONTHS: FieldSpec = {
  min: 1,
  max: 12,
  names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  wraps: true,
};
const DAYS_OF_WEEK: FieldSpec = { min: 1, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'], wraps: true };
const YEARS: FieldSpec = { min: 1970, max: 2199, wraps: false };

/** Which days of a month match: computed once per visited month. */
type DayRule =
  | { kind: 'days-of-month'; days: boolean[] }
  | { kind: 'last-day' }
  | { kind: 'last-weekday' }
  | { kind: 'nearest-weekday'; day: number }
  | { kind: 'days-of-week'; days: boolean[] }
  | { kind: 'last-of-week-day'; dow: number }
  | { kind: 'nth-week-day'; dow: number; nth: number };

interface CronSpec {
  minutes: number[];
  hours: number[];
  months: boolean[];
  years: boolean[];
  dayRule: DayRule;
}

const CRON = /^cron\((\S(?:.*\S)?)\)$/s;

function parseCron(expression: string): Schedule {
  const m = CRON.exec(expression);
  if (!m) invalid();
  const fields = m[1].split(/\s+/);
  if (fields.length !== 6) invalid();
  const [min, hour, dom, month, dow, year] = fields;

  // Exactly one of the day fields is `?` ("If you specify a value or a * in one of the fields,
  // you must use a ? in the other"); Quartz refuses `?` in both as well.
  if ((dom === '?') === (dow === '?')) invalid();

  const spec: CronSpec = {
    minutes: sorted(parseList(min, MINUTES)),
    hours: sorted(parseList(hour, HOURS)),
    months: parseList(month, MONTHS),
    years: parseList(year, YEARS),
    dayRule: dom === '?' ? parseDayOfWeek(dow) : parseDayOfMonth(dom),
  };
  return {
    expression,
    kind: 'cron',
    next: (afterMs: number) => {
      checkInstant(afterMs);
      return nextCron(spec, afterMs);
    },
  };
}

/** `L`, `LW` and `nW` stand alone in the day-of-month field (Quartz: not in lists or ranges). */
function parseDayOfMonth(field: string): DayRule {
  if (field === 'L') return { kind: 'last-day' };
  if (field === 'LW') return { kind: 'last-weekday' };
  const w = /^(\d+)W$/.exec(field);
  if (w) return { kind: 'nearest-weekday', day: inRange(Number(w[1]), DAYS_OF_MONTH) };
  return { kind: 'days-of-month', days: parseList(field, DAYS_OF_MONTH) };
}

/**
 * Day-of-week: `L` alone is the last day of the week (7, Saturday, as in Quartz); `6L` / `FRIL`
 * the last Friday of the month; `3#2` the second Tuesday. The guide: with `#` "you can define
 * only one expression in the day-of-week field", so `3#1,6#3` is refused; `L` forms likewise
 * stand alone.
 */
function parseDayOfWeek(field: string): DayRule {
  if (field === 'L') return { kind: 'days-of-week', days: parseList('7', DAYS_OF_WEEK) };
  const last = /^([0-9]+|[A-Za-z]{3})L$/.exec(field);
  if (last) return { kind: 'last-of-week-day', dow: parseValue(last[1], DAYS_OF_WEEK) };
  const nth = /^([0-9]+|[A-Za-z]{3})#([0-9]+)$/.exec(field);
  if (nth) {
    const n = Number(nth[2]);
    if (n < 1 || n > 5) invalid();
    return { kind: 'nth-week-day', dow: parseValue(nth[1], DAYS_OF_WEEK), nth: n };
  }
  return { kind: 'days-of-week', days: parseList(field, DAYS_OF_WEEK) };
}

/**
 * A comma-separated list of `*`, `v`, `a-b`, each optionally stepped with `/step` (`0/15`,
 * `10-50/10`, or a star and a step). `v/s` runs from v to the field's maximum (Quartz), so `1/10` in minutes is
 * 1, 11, ..., 51 as the guide says. Returns a lookup indexed by value.
 */
function parseList(field: string, spec: FieldSpec): boolean[] {
  const set: boolean[] = new Array<boolean>(spec.max + 1).fill(false);
  const value = spec.names ? '([0-9]+|[A-Za-z]{3})' : '([0-9]+)';
  const item = new RegExp(`^(?:(\\*)|${value}(?:-${value})?)(?:/([0-9]+))?$`);
  for (const part of field.split(',')) {
    const m = item.exec(part);
    if (!m) invalid();
    const [, star, a, b, stepText] = m;
    let start: number;
    let end: number;
    if (star) {
      start = spec.min;
      end = spec.max;
    } else {
      start = parseValue(a, spec);
      end = b !== undefined ? parseValue(b, spec) : stepText !== undefined ? spec.max : start;
    }
    // The guide bounds no step; Quartz caps it at the field's maximum, but a larger step only
    // means "the start value alone", so it is accepted.
    const step = stepText !== undefined ? Number(stepText) : 1;
    if (step < 1) invalid();
    if (end < start && !spec.wraps) invalid();
    // A backwards range wraps past the maximum (the guide's own example: hours `20-2`).
    const span = end >= start ? end - start : end - start + (spec.max - spec.min + 1);
    for (let offset = 0; offset <= span; offset += step) {
      let v = start + offset;
      if (v > spec.max) v -= spec.max - spec.min + 1;
      set[v] = true;
    }
  }
  return set;
}

function parseValue(text: string, spec: FieldSpec): number {
  if (/^[0-9]+$/.test(text)) return inRange(Number(text), spec);
  const i = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  return i < 0 ? invalid() : spec.min + i;
}

function inRange(v: number, spec: FieldSpec): number {
  return v >= spec.min && v <= spec.max ? v : invalid();
}

function sorted(set: boolean[]): number[] {
  const out: number[] = [];
  set.forEach((on, v) => on && out.push(v));
  return out;
}

// ---------------------------------------------------------------------------------------------
// next firing

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** 1 = Sunday ... 7 = Saturday, as in the cron day-of-week field. */
function dayOfWeek(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
}

/** The days of `year`-`month` the rule selects, ascending. */
function matchingDays(rule: DayRule, year: number, month: number): number[] {
  const dim = daysInMonth(year, month);
  const firstDow = dayOfWeek(year, month, 1);
  const dowOf = (d: number) => ((firstDow - 1 + d - 1) % 7) + 1;
  switch (rule.kind) {
    case 'days-of-month': {
      const out: number[] = [];
      for (let d = 1; d <= dim; d++) if (rule.days[d]) out.push(d);
      return out;
    }
    case 'last-day':
      return [dim];
    case 'last-weekday': {
      const dow = dowOf(dim);
      return [dow === 7 ? dim - 1 : dow === 1 ? dim - 2 : dim];
    }
    case 'nearest-weekday': {
      // Quartz: the weekday nearest the given day, never leaving the month ("1W" on a
      // Saturday is Monday the 3rd). A day the month lacks (31W in April) never fires: our
      // choice, where Quartz's answer depends on calendar leniency.
      const d = rule.day;
      if (d > dim) return [];
      const dow = dowOf(d);
      if (dow === 7) return [d === 1 ? 3 : d - 1];
      if (dow === 1) return [d === dim ? d - 2 : d + 1];
      return [d];
    }
    case 'days-of-week': {
      const out: number[] = [];
      for (let d = 1; d <= dim; d++) if (rule.days[dowOf(d)]) out.push(d);
      return out;
    }
    case 'last-of-week-day':
      return [dim - ((dowOf(dim) - rule.dow + 7) % 7)];
    case 'nth-week-day': {
      const d = 1 + ((rule.dow - firstDow + 7) % 7) + 7 * (rule.nth - 1);
      return d <= dim ? [d] : []; // no fifth Monday this month: no firing
    }
  }
}

function nextCron(spec: CronSpec, afterMs: number): number | undefined {
  // The first whole minute strictly after `afterMs`, and never before the year field's 1970.
  const from = new Date(Math.max(0, Math.floor(afterMs / MINUTE_MS) * MINUTE_MS + MINUTE_MS));
  let year = from.getUTCFullYear();
  let month = from.getUTCMonth() + 1;
  let day = from.getUTCDate();
  let hour = from.getUTCHours();
  let minute = from.getUTCMinutes();

  for (; year <= YEARS.max; year++, month = 1, day = 1, hour = 0, minute = 0) {
    if (!spec.years[year]) continue;
    for (; month <= 12; month++, day = 1, hour = 0, minute = 0) {
      if (!spec.months[month]) continue;
      for (const d of matchingDays(spec.dayRule, year, month)) {
        if (d < day) continue;
        const time = d === day ? firstTime(spec, hour, minute) : firstTime(spec, 0, 0);
        if (time !== undefined) return Date.UTC(year, month - 1, d) + time;
      }
    }
  }
  return undefined;
}

/** Milliseconds into the day of the first matching hour:minute at or after `hour`:`minute`. */
function firstTime(spec: CronSpec, hour: number, minute: number): number | undefined {
  for (const h of spec.hours) {
    if (h < hour) continue;
    const from = h === hour ? minute : 0;
    for (const m of spec.minutes) if (m >= from) return (h * 60 + m) * MINUTE_MS;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// the event a scheduled rule sends

/**
 * The event EventBridge sends to a scheduled rule's targets, keys in AWS's order (as in the
 * guide's example and LocalStack's AWS-recorded snapshot). `time` is the scheduled instant in
 * whole seconds, e.g. `2015-10-08T16:53:06Z`.
 */
export function scheduledEvent(opts: {
  id: string;
  account: string;
  region: string;
  ruleArn: string;
  timeMs: number;
}): Record<string, unknown> {
  return {
    version: '0',
    id: opts.id,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: opts.account,
    time: rfc3339Seconds(opts.timeMs),
    region: opts.region,
    resources: [opts.ruleArn],
    detail: {},
  };
}

function rfc3339Seconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
