/**
 * EventBridge schedule expressions (src/events/schedule.ts): the user guide's examples with
 * their next firings from fixed instants, what AWS refuses, L / W / # / steps / lists / names,
 * leap years, the 1970-2199 year bounds, rates anchored at rule creation, and the
 * "Scheduled Event" envelope. No real time: every instant is a literal.
 */
import { describe, expect, it } from 'vitest';
import { AwsError } from '../src/gateway/errors.js';
import { parseSchedule, scheduledEvent } from '../src/events/schedule.js';

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** The next `n` firings of `expression` strictly after `from` (ISO), as ISO strings. */
function firings(expression: string, from: string, n = 1, anchor?: string): (string | undefined)[] {
  const schedule = parseSchedule(expression, anchor === undefined ? undefined : Date.parse(anchor));
  const out: (string | undefined)[] = [];
  let t: number | undefined = Date.parse(from);
  for (let i = 0; i < n; i++) {
    t = t === undefined ? undefined : schedule.next(t);
    out.push(iso(t));
  }
  return out;
}

const next = (expression: string, from: string) => firings(expression, from)[0];

function rejects(expression: string): void {
  let caught: unknown;
  try {
    parseSchedule(expression);
  } catch (err) {
    caught = err;
  }
  expect(caught, `accepted: ${JSON.stringify(expression)}`).toBeInstanceOf(AwsError);
  const err = caught as AwsError;
  expect(err.type).toBe('ValidationException');
  expect(err.status).toBe(400);
  expect(err.message).toBe('Parameter ScheduleExpression is not valid.');
}

// Friday 17 January 2025, 17:52:30 UTC: mid-evening before a weekend.
const FRI = '2025-01-17T17:52:30.000Z';

describe('the user guide examples table', () => {
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html
  it('cron(0 10 * * ? *): 10:00 every day', () => {
    expect(firings('cron(0 10 * * ? *)', FRI, 2)).toEqual(['2025-01-18T10:00:00.000Z', '2025-01-19T10:00:00.000Z']);
  });

  it('cron(15 12 * * ? *): 12:15 every day', () => {
    expect(firings('cron(15 12 * * ? *)', FRI, 2)).toEqual(['2025-01-18T12:15:00.000Z', '2025-01-19T12:15:00.000Z']);
  });

  it('cron(0 18 ? * MON-FRI *): 18:00 Monday to Friday', () => {
    expect(firings('cron(0 18 ? * MON-FRI *)', FRI, 3)).toEqual([
      '2025-01-17T18:00:00.000Z',
      '2025-01-20T18:00:00.000Z',
      '2025-01-21T18:00:00.000Z',
    ]);
  });

  it('cron(0 8 1 * ? *): 08:00 on the 1st of every month', () => {
    expect(firings('cron(0 8 1 * ? *)', FRI, 3)).toEqual([
      '2025-02-01T08:00:00.000Z',
      '2025-03-01T08:00:00.000Z',
      '2025-04-01T08:00:00.000Z',
    ]);
  });

  it('cron(0/15 * * * ? *): every 15 minutes', () => {
    expect(firings('cron(0/15 * * * ? *)', FRI, 3)).toEqual([
      '2025-01-17T18:00:00.000Z',
      '2025-01-17T18:15:00.000Z',
      '2025-01-17T18:30:00.000Z',
    ]);
  });

  it('cron(0/10 * ? * MON-FRI *): every 10 minutes Monday to Friday', () => {
    expect(firings('cron(0/10 * ? * MON-FRI *)', '2025-01-17T23:41:00Z', 3)).toEqual([
      '2025-01-17T23:50:00.000Z',
      '2025-01-20T00:00:00.000Z',
      '2025-01-20T00:10:00.000Z',
    ]);
  });

  it('cron(0/5 8-17 ? * MON-FRI *): every 5 minutes, 08:00-17:55, Monday to Friday', () => {
    expect(firings('cron(0/5 8-17 ? * MON-FRI *)', FRI, 3)).toEqual([
      '2025-01-17T17:55:00.000Z',
      '2025-01-20T08:00:00.000Z',
      '2025-01-20T08:05:00.000Z',
    ]);
  });

  it('cron(0/30 20-2 ? * MON-FRI *): a wrapping hour range, each field on its own', () => {
    // The guide's "between 10:00 pm on the starting day to 2:00 am on the following day": the
    // hours 20-23 and 0-2 of days that are themselves Monday-Friday (Saturday 00:00 is not).
    expect(firings('cron(0/30 20-2 ? * MON-FRI *)', '2025-01-17T23:15:00Z', 8)).toEqual([
      '2025-01-17T23:30:00.000Z',
      '2025-01-20T00:00:00.000Z',
      '2025-01-20T00:30:00.000Z',
      '2025-01-20T01:00:00.000Z',
      '2025-01-20T01:30:00.000Z',
      '2025-01-20T02:00:00.000Z',
      '2025-01-20T02:30:00.000Z',
      '2025-01-20T20:00:00.000Z',
    ]);
  });

  // Every row again, over eight whole days, against a hand-written predicate: every minute the
  // predicate accepts is a firing, and nothing else is.
  const rows: [string, (d: Date) => boolean][] = [
    ['cron(0 10 * * ? *)', (d) => d.getUTCHours() === 10 && d.getUTCMinutes() === 0],
    ['cron(15 12 * * ? *)', (d) => d.getUTCHours() === 12 && d.getUTCMinutes() === 15],
    ['cron(0 18 ? * MON-FRI *)', (d) => weekday(d) && d.getUTCHours() === 18 && d.getUTCMinutes() === 0],
    ['cron(0 8 1 * ? *)', (d) => d.getUTCDate() === 1 && d.getUTCHours() === 8 && d.getUTCMinutes() === 0],
    ['cron(0/15 * * * ? *)', (d) => d.getUTCMinutes() % 15 === 0],
    ['cron(0/10 * ? * MON-FRI *)', (d) => weekday(d) && d.getUTCMinutes() % 10 === 0],
    ['cron(0/5 8-17 ? * MON-FRI *)', (d) => weekday(d) && d.getUTCHours() >= 8 && d.getUTCHours() <= 17 && d.getUTCMinutes() % 5 === 0],
    ['cron(0/30 20-2 ? * MON-FRI *)', (d) => weekday(d) && (d.getUTCHours() >= 20 || d.getUTCHours() <= 2) && d.getUTCMinutes() % 30 === 0],
  ];
  const weekday = (d: Date) => d.getUTCDay() >= 1 && d.getUTCDay() <= 5;

  it.each(rows)('%s fires on exactly the minutes it describes', (expression, matches) => {
    const schedule = parseSchedule(expression);
    const start = Date.parse('2025-01-28T00:00:00Z'); // the window crosses into February
    const end = start + 8 * 86_400_000;
    const expected: number[] = [];
    for (let t = start; t < end; t += 60_000) if (matches(new Date(t))) expected.push(t);
    const actual: number[] = [];
    let t = schedule.next(start - 1);
    // Bounded, so a next() that stalls or goes backwards fails here rather than looping forever.
    while (t !== undefined && t < end && actual.length <= expected.length) {
      actual.push(t);
      const after: number | undefined = schedule.next(t);
      expect(after === undefined || after > t).toBe(true);
      t = after;
    }
    expect(actual.map(iso)).toEqual(expected.map(iso));
  });
});

describe('the user guide CLI examples', () => {
  it('cron(0 12 * * ? *)', () => {
    expect(next('cron(0 12 * * ? *)', FRI)).toBe('2025-01-18T12:00:00.000Z');
  });

  it('cron(5,35 14 * * ? *): a firing instant itself is not "after"', () => {
    expect(firings('cron(5,35 14 * * ? *)', '2025-01-17T14:05:00Z', 3)).toEqual([
      '2025-01-17T14:35:00.000Z',
      '2025-01-18T14:05:00.000Z',
      '2025-01-18T14:35:00.000Z',
    ]);
  });

  it('cron(15 10 ? * 6L 2019-2022): the last Friday of each month, 2019 to 2022 only', () => {
    expect(firings('cron(15 10 ? * 6L 2019-2022)', '2018-06-01T00:00:00Z', 3)).toEqual([
      '2019-01-25T10:15:00.000Z',
      '2019-02-22T10:15:00.000Z',
      '2019-03-29T10:15:00.000Z',
    ]);
    expect(firings('cron(15 10 ? * 6L 2019-2022)', '2022-11-26T00:00:00Z', 2)).toEqual([
      '2022-12-30T10:15:00.000Z',
      undefined,
    ]);
    // Every year of the schedule is in the past.
    expect(next('cron(15 10 ? * 6L 2019-2022)', FRI)).toBeUndefined();
  });

  it('rate(1 minute), rate(5 minutes), rate(1 hour), rate(1 day)', () => {
    const created = '2025-01-17T17:52:30.250Z';
    expect(firings('rate(1 minute)', created, 2, created)).toEqual(['2025-01-17T17:53:30.250Z', '2025-01-17T17:54:30.250Z']);
    expect(firings('rate(5 minutes)', created, 2, created)).toEqual(['2025-01-17T17:57:30.250Z', '2025-01-17T18:02:30.250Z']);
    expect(firings('rate(1 hour)', created, 2, created)).toEqual(['2025-01-17T18:52:30.250Z', '2025-01-17T19:52:30.250Z']);
    expect(firings('rate(1 day)', created, 2, created)).toEqual(['2025-01-18T17:52:30.250Z', '2025-01-19T17:52:30.250Z']);
  });
});

describe('rate expressions', () => {
  const created = Date.parse('2025-01-17T17:52:30.250Z');

  it('fire at creation + k * period, k >= 1, from any instant', () => {
    const s = parseSchedule('rate(5 minutes)', created);
    expect(s.kind).toBe('rate');
    expect(iso(s.next(created - 3_600_000))).toBe('2025-01-17T17:57:30.250Z'); // never at the creation instant
    expect(iso(s.next(created))).toBe('2025-01-17T17:57:30.250Z');
    expect(iso(s.next(created + 5 * 60_000 - 1))).toBe('2025-01-17T17:57:30.250Z');
    expect(iso(s.next(created + 5 * 60_000))).toBe('2025-01-17T18:02:30.250Z');
    expect(iso(s.next(created + 12 * 60_000))).toBe('2025-01-17T18:07:30.250Z');
    expect(iso(s.next(Date.parse('2025-03-01T00:00:00Z')))).toBe('2025-03-01T00:02:30.250Z');
  });

  it('without an anchor, count from the epoch (UTC multiples of the period)', () => {
    expect(next('rate(5 minutes)', FRI)).toBe('2025-01-17T17:55:00.000Z');
    expect(next('rate(2 hours)', FRI)).toBe('2025-01-17T18:00:00.000Z');
    expect(next('rate(7 days)', FRI)).toBe('2025-01-23T00:00:00.000Z'); // 1970-01-01 was a Thursday
  });

  it('take large values and leading zeros', () => {
    expect(next('rate(365 days)', '2025-01-17T00:00:00Z')).toBe('2025-12-18T00:00:00.000Z');
    expect(next('rate(05 minutes)', FRI)).toBe('2025-01-17T17:55:00.000Z');
  });

  it.each([
    'rate(0 minutes)',
    'rate(0 minute)',
    'rate(5 minute)',
    'rate(1 minutes)',
    'rate(1 hours)',
    'rate(1 days)',
    'rate(10 hour)',
    'rate(10 day)',
    'rate(10 seconds)',
    'rate(1 second)',
    'rate(10 years)',
    'rate(2 weeks)',
    'rate()',
    'rate(10)',
    'rate(minutes)',
    'rate(10 minutess)',
    'rate(foo minutes)',
    'rate(-10 minutes)',
    'rate(+10 minutes)',
    'rate(1.5 hours)',
    'rate(1e3 minutes)',
    'rate(10 MINUTES)',
    'rate(10 Minutes)',
    'RATE(10 minutes)',
    'rate( 10 minutes )',
    'rate(10 minutes )',
    ' rate(10 minutes)',
    'rate(10 minutes) ',
    'rate(10minutes)',
    'rate(10 minutes',
    'rate 10 minutes',
    'rate(99999999999999999999 days)',
  ])('refuse %j', (expression) => rejects(expression));
});

describe('refused cron expressions', () => {
  it.each([
    // field counts
    'cron()',
    'cron(0 10 * * ?)',
    'cron(0 10 * * ? * *)',
    'cron(0 10 * * ? * 2025 1)',
    // day-of-month and day-of-week: exactly one is ?
    'cron(0 18 * * * *)',
    'cron(0 18 1 * MON *)',
    'cron(0 18 ? * ? *)',
    'cron(0 18 L * 6L *)',
    // out of range
    'cron(60 10 * * ? *)',
    'cron(0 24 * * ? *)',
    'cron(0 10 0 * ? *)',
    'cron(0 10 32 * ? *)',
    'cron(0 10 * 0 ? *)',
    'cron(0 10 * 13 ? *)',
    'cron(0 10 ? * 0 *)',
    'cron(0 10 ? * 8 *)',
    'cron(0 10 * * ? 1969)',
    'cron(0 10 * * ? 2200)',
    'cron(0 10 * * ? 2000-2200)',
    'cron(0 10 1-32 * ? *)',
    'cron(65/15 10 * * ? *)',
    'cron(0 10 ? * 3#0 *)',
    'cron(0 10 ? * 3#6 *)',
    'cron(0 10 ? * 8#2 *)',
    'cron(0 10 ? * 8L *)',
    'cron(0 10 0W * ? *)',
    'cron(0 10 32W * ? *)',
    // wildcards where the field does not take them
    'cron(? 10 * * ? *)',
    'cron(0 L * * ? *)',
    'cron(0 10 * L ? *)',
    'cron(1#2 10 * * ? *)',
    'cron(0 10 1#2 * ? *)',
    'cron(0 10 15W * ? L)',
    'cron(0 10 ? * 2W *)',
    'cron(0 10 W * ? *)',
    'cron(0 10 5L * ? *)',
    'cron(0 10 L-3 * ? *)',
    'cron(0 10 ?5 * ? *)',
    // # and L stand alone in their field
    'cron(0 10 ? * 3#1,6#3 *)',
    'cron(0 10 ? * MON#2,FRI *)',
    'cron(0 10 ? * 6L,2 *)',
    'cron(0 10 L,15 * ? *)',
    'cron(0 10 1W,15W * ? *)',
    // names belong to their own field, in three letters
    'cron(0 10 ? * JAN *)',
    'cron(0 10 * MON ? *)',
    'cron(0 10 * JANUARY ? *)',
    'cron(0 10 ? * MONDAY *)',
    'cron(0 10 MON * ? *)',
    // malformed lists, ranges and steps
    'cron(0,,5 10 * * ? *)',
    'cron(0, 10 * * ? *)',
    'cron(,0 10 * * ? *)',
    'cron(0- 10 * * ? *)',
    'cron(0-5-10 10 * * ? *)',
    'cron(*-5 10 * * ? *)',
    'cron(0/0 10 * * ? *)',
    'cron(0/ 10 * * ? *)',
    'cron(/5 10 * * ? *)',
    'cron(*/ 10 * * ? *)',
    'cron(5/* 10 * * ? *)',
    'cron(-1 10 * * ? *)',
    'cron(0 10 * * ? 2025-2020)',
    'cron(0 10 * * ? **)',
    // junk and padding
    '',
    'cron',
    'every day at ten',
    '0 10 * * ? *',
    'CRON(0 10 * * ? *)',
    'Cron(0 10 * * ? *)',
    'cron (0 10 * * ? *)',
    'cron(0 10 * * ? *',
    'cron(0 10 * * ? *))',
    ' cron(0 10 * * ? *)',
    'cron(0 10 * * ? *) ',
    'cron( 0 10 * * ? *)',
    'cron(0 10 * * ? * )',
    'cron(0 10 * * ? *)rate(1 day)',
    'at(2025-01-01T00:00:00)',
  ])('refuse %j', (expression) => rejects(expression));
});

describe('day-of-month L and W', () => {
  it('L is the last day of each month, leap years included', () => {
    expect(firings('cron(0 0 L * ? *)', '2024-01-15T00:00:00Z', 4)).toEqual([
      '2024-01-31T00:00:00.000Z',
      '2024-02-29T00:00:00.000Z',
      '2024-03-31T00:00:00.000Z',
      '2024-04-30T00:00:00.000Z',
    ]);
    expect(next('cron(0 0 L 2 ? *)', '2025-01-01T00:00:00Z')).toBe('2025-02-28T00:00:00.000Z');
    expect(next('cron(0 0 L 2 ? *)', '2100-01-01T00:00:00Z')).toBe('2100-02-28T00:00:00.000Z');
    expect(next('cron(0 0 L 2 ? *)', '2000-01-01T00:00:00Z')).toBe('2000-02-29T00:00:00.000Z');
  });

  it('LW is the last weekday of the month', () => {
    expect(next('cron(0 0 LW * ? *)', '2025-01-01T00:00:00Z')).toBe('2025-01-31T00:00:00.000Z'); // Friday 31
    expect(next('cron(0 0 LW * ? *)', '2025-05-01T00:00:00Z')).toBe('2025-05-30T00:00:00.000Z'); // 31 is a Saturday
    expect(next('cron(0 0 LW * ? *)', '2025-11-01T00:00:00Z')).toBe('2025-11-28T00:00:00.000Z'); // 30 is a Sunday
  });

  it('nW is the weekday nearest day n, without leaving the month', () => {
    expect(next('cron(0 9 15W * ? *)', '2025-01-01T00:00:00Z')).toBe('2025-01-15T09:00:00.000Z'); // a Wednesday
    expect(next('cron(0 9 15W * ? *)', '2025-02-01T00:00:00Z')).toBe('2025-02-14T09:00:00.000Z'); // Sat -> Fri
    expect(next('cron(0 9 15W * ? *)', '2025-06-01T00:00:00Z')).toBe('2025-06-16T09:00:00.000Z'); // Sun -> Mon
    expect(next('cron(0 9 1W * ? *)', '2025-01-31T00:00:00Z')).toBe('2025-02-03T09:00:00.000Z'); // Sat 1st -> Mon 3rd
    expect(next('cron(0 9 1W * ? *)', '2025-05-31T00:00:00Z')).toBe('2025-06-02T09:00:00.000Z'); // Sun 1st -> Mon 2nd
    expect(next('cron(0 9 30W * ? *)', '2025-11-01T00:00:00Z')).toBe('2025-11-28T09:00:00.000Z'); // Sun 30th, last day -> Fri
    expect(next('cron(0 9 3W * ? *)', '2025-01-01T00:00:00Z')).toBe('2025-01-03T09:00:00.000Z'); // the guide's 3W
  });

  it('nW skips a month without day n', () => {
    expect(next('cron(0 9 31W * ? *)', '2025-02-01T00:00:00Z')).toBe('2025-03-31T09:00:00.000Z');
    expect(next('cron(0 9 30W FEB ? *)', '2025-01-01T00:00:00Z')).toBeUndefined();
  });
});

describe('day-of-week L and #', () => {
  it('L alone is the last day of the week: every Saturday', () => {
    expect(firings('cron(0 12 ? * L *)', FRI, 2)).toEqual(['2025-01-18T12:00:00.000Z', '2025-01-25T12:00:00.000Z']);
  });

  it('nL and NAMEL are the last such weekday of the month', () => {
    expect(next('cron(0 12 ? * 6L *)', FRI)).toBe('2025-01-31T12:00:00.000Z');
    expect(next('cron(0 12 ? * FRIL *)', FRI)).toBe('2025-01-31T12:00:00.000Z');
    expect(next('cron(0 12 ? * 1L *)', FRI)).toBe('2025-01-26T12:00:00.000Z'); // last Sunday
    expect(next('cron(0 12 ? * 7L *)', '2025-05-01T00:00:00Z')).toBe('2025-05-31T12:00:00.000Z'); // on the last day
  });

  it('d#n is the nth such weekday (1 = Sunday, so 3#2 is the second Tuesday)', () => {
    expect(next('cron(0 9 ? * 3#2 *)', '2025-01-01T00:00:00Z')).toBe('2025-01-14T09:00:00.000Z');
    expect(next('cron(0 9 ? * 3#2 *)', FRI)).toBe('2025-02-11T09:00:00.000Z');
    expect(next('cron(0 9 ? * 2#1 *)', FRI)).toBe('2025-02-03T09:00:00.000Z'); // first Monday
    expect(next('cron(0 9 ? * TUE#2 *)', FRI)).toBe('2025-02-11T09:00:00.000Z');
    expect(next('cron(0 9 ? * 7#1 *)', '2025-01-31T00:00:00Z')).toBe('2025-02-01T09:00:00.000Z'); // on the 1st
  });

  it('a fifth weekday fires only in months that have one', () => {
    expect(firings('cron(0 9 ? * MON#5 *)', '2025-01-01T00:00:00Z', 2)).toEqual([
      '2025-03-31T09:00:00.000Z',
      '2025-06-30T09:00:00.000Z',
    ]);
  });
});

describe('steps, lists, ranges and names', () => {
  it('v/step runs from v to the end of the field; the guide says 1/10 is 1, 11, 21, ...', () => {
    expect(firings('cron(1/10 * * * ? *)', FRI, 3)).toEqual([
      '2025-01-17T18:01:00.000Z',
      '2025-01-17T18:11:00.000Z',
      '2025-01-17T18:21:00.000Z',
    ]);
    expect(firings('cron(50/10 * * * ? *)', FRI, 2)).toEqual(['2025-01-17T18:50:00.000Z', '2025-01-17T19:50:00.000Z']);
  });

  it('*/step, a-b/step and stepped lists', () => {
    expect(firings('cron(*/20 * * * ? *)', FRI, 2)).toEqual(['2025-01-17T18:00:00.000Z', '2025-01-17T18:20:00.000Z']);
    expect(firings('cron(10-50/20 * * * ? *)', FRI, 4)).toEqual([
      '2025-01-17T18:10:00.000Z',
      '2025-01-17T18:30:00.000Z',
      '2025-01-17T18:50:00.000Z',
      '2025-01-17T19:10:00.000Z',
    ]);
    expect(firings('cron(0 1-7/3,20-23/2 * * ? *)', FRI, 5)).toEqual([
      '2025-01-17T20:00:00.000Z',
      '2025-01-17T22:00:00.000Z',
      '2025-01-18T01:00:00.000Z',
      '2025-01-18T04:00:00.000Z',
      '2025-01-18T07:00:00.000Z',
    ]);
    expect(firings('cron(0 22-4/3 * * ? *)', FRI, 3)).toEqual([
      '2025-01-17T22:00:00.000Z',
      '2025-01-18T01:00:00.000Z',
      '2025-01-18T04:00:00.000Z',
    ]);
    // A step beyond the field only keeps its start.
    expect(firings('cron(15/65 10 * * ? *)', FRI, 2)).toEqual(['2025-01-18T10:15:00.000Z', '2025-01-19T10:15:00.000Z']);
  });

  it('month and year steps', () => {
    expect(firings('cron(0 0 1 1/3 ? *)', FRI, 3)).toEqual([
      '2025-04-01T00:00:00.000Z',
      '2025-07-01T00:00:00.000Z',
      '2025-10-01T00:00:00.000Z',
    ]);
    expect(firings('cron(0 0 1 1 ? 2025/4)', FRI, 2)).toEqual(['2029-01-01T00:00:00.000Z', '2033-01-01T00:00:00.000Z']);
  });

  it('lists of days, months and years', () => {
    expect(firings('cron(0 10 15 JAN,JUL,DEC ? *)', FRI, 3)).toEqual([
      '2025-07-15T10:00:00.000Z',
      '2025-12-15T10:00:00.000Z',
      '2026-01-15T10:00:00.000Z',
    ]);
    expect(firings('cron(0 10 1,15,31 * ? *)', FRI, 4)).toEqual([
      '2025-01-31T10:00:00.000Z',
      '2025-02-01T10:00:00.000Z',
      '2025-02-15T10:00:00.000Z',
      '2025-03-01T10:00:00.000Z',
    ]);
    expect(firings('cron(0 0 1 1 ? 2030,2027,2040-2041)', FRI, 5)).toEqual([
      '2027-01-01T00:00:00.000Z',
      '2030-01-01T00:00:00.000Z',
      '2040-01-01T00:00:00.000Z',
      '2041-01-01T00:00:00.000Z',
      undefined,
    ]);
  });

  it('names in any case, numbers and names mixed, ranges that wrap', () => {
    expect(next('cron(0 18 ? * Mon-Fri *)', '2025-01-18T00:00:00Z')).toBe('2025-01-20T18:00:00.000Z');
    expect(next('cron(0 18 ? * mon,wed *)', '2025-01-18T00:00:00Z')).toBe('2025-01-20T18:00:00.000Z');
    expect(next('cron(0 0 1 feb-4 ? *)', FRI)).toBe('2025-02-01T00:00:00.000Z');
    expect(next('cron(0 18 ? * 2-FRI *)', '2025-01-18T00:00:00Z')).toBe('2025-01-20T18:00:00.000Z');
    expect(firings('cron(0 12 ? * FRI-MON *)', '2025-01-20T13:00:00Z', 4)).toEqual([
      '2025-01-24T12:00:00.000Z',
      '2025-01-25T12:00:00.000Z',
      '2025-01-26T12:00:00.000Z',
      '2025-01-27T12:00:00.000Z',
    ]);
    expect(firings('cron(0 0 1 NOV-FEB ? *)', '2025-03-01T00:00:00Z', 4)).toEqual([
      '2025-11-01T00:00:00.000Z',
      '2025-12-01T00:00:00.000Z',
      '2026-01-01T00:00:00.000Z',
      '2026-02-01T00:00:00.000Z',
    ]);
    expect(next('cron(0 0 ? * 1,SAT *)', FRI)).toBe('2025-01-18T00:00:00.000Z');
  });

  it('leading zeros and extra white space between fields', () => {
    expect(next('cron(05 07 * * ? *)', FRI)).toBe('2025-01-18T07:05:00.000Z');
    expect(next('cron(0  10 *   * ? *)', FRI)).toBe('2025-01-18T10:00:00.000Z');
  });

  it('* in day-of-week with ? in day-of-month is every day', () => {
    expect(next('cron(0 10 ? * * *)', FRI)).toBe('2025-01-18T10:00:00.000Z');
  });
});

describe('leap years', () => {
  it('February 29 waits for the next leap year, skipping 2100', () => {
    expect(next('cron(0 0 29 2 ? *)', '2025-01-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
    expect(next('cron(0 0 29 FEB ? *)', '2096-03-01T00:00:00Z')).toBe('2104-02-29T00:00:00.000Z');
    expect(next('cron(0 0 29 2 ? *)', '1997-01-01T00:00:00Z')).toBe('2000-02-29T00:00:00.000Z');
  });

  it('the fifth Thursday of February exists only in leap years starting on a Thursday', () => {
    // 2024-02-01 was a Thursday; the next leap February starting on a Thursday is in 2052.
    expect(firings('cron(0 0 ? 2 THU#5 *)', '2020-01-01T00:00:00Z', 2)).toEqual([
      '2024-02-29T00:00:00.000Z',
      '2052-02-29T00:00:00.000Z',
    ]);
  });
});

describe('year bounds and schedules that never fire', () => {
  it('1970 is the first year and 2199 the last', () => {
    expect(next('cron(0 0 1 1 ? 1970)', '1960-01-01T00:00:00Z')).toBe('1970-01-01T00:00:00.000Z');
    expect(next('cron(0 0 1 1 ? 1970)', '1970-01-01T00:00:00Z')).toBeUndefined();
    expect(firings('cron(59 23 31 12 ? 2199)', '2199-12-31T23:58:00Z', 2)).toEqual(['2199-12-31T23:59:00.000Z', undefined]);
    expect(next('cron(0 10 * * ? *)', '2199-12-31T10:00:00Z')).toBeUndefined();
    expect(next('rate(1 day)', '2199-12-31T10:00:00Z')).toBe('2200-01-01T00:00:00.000Z'); // rates have no year field
  });

  it('impossible dates answer undefined, quickly', () => {
    const started = performance.now();
    expect(next('cron(0 0 30 2 ? *)', '1970-01-01T00:00:00Z')).toBeUndefined();
    expect(next('cron(0 0 31 APR,JUN,SEP,NOV ? *)', '1970-01-01T00:00:00Z')).toBeUndefined();
    expect(next('cron(0 0 30W 2 ? *)', '1970-01-01T00:00:00Z')).toBeUndefined();
    expect(next('cron(0 0 ? FEB MON#5 2025-2027)', '1970-01-01T00:00:00Z')).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(250);
  });

  it('far-apart firings are found without scanning minutes', () => {
    const s = parseSchedule('cron(59 23 29 2 ? 2196)');
    const started = performance.now();
    for (let i = 0; i < 100; i++) expect(iso(s.next(0))).toBe('2196-02-29T23:59:00.000Z');
    expect(performance.now() - started).toBeLessThan(250);
  });
});

describe('minute resolution', () => {
  it('fires at second 0, strictly after the given instant', () => {
    expect(next('cron(* * * * ? *)', '2025-01-17T17:52:00.000Z')).toBe('2025-01-17T17:53:00.000Z');
    expect(next('cron(* * * * ? *)', '2025-01-17T17:52:59.999Z')).toBe('2025-01-17T17:53:00.000Z');
    expect(next('cron(0 10 * * ? *)', '2025-01-18T09:59:59.999Z')).toBe('2025-01-18T10:00:00.000Z');
    expect(next('cron(0 10 * * ? *)', '2025-01-18T10:00:00.000Z')).toBe('2025-01-19T10:00:00.000Z');
  });

  it('rolls over the end of a day, month and year', () => {
    expect(next('cron(* * * * ? *)', '2024-12-31T23:59:30Z')).toBe('2025-01-01T00:00:00.000Z');
    expect(next('cron(0 0 * * ? *)', '2024-02-28T12:00:00Z')).toBe('2024-02-29T00:00:00.000Z');
  });

  it('keeps the expression and kind', () => {
    const s = parseSchedule('cron(0 10 * * ? *)');
    expect(s.expression).toBe('cron(0 10 * * ? *)');
    expect(s.kind).toBe('cron');
  });
});

describe('scheduledEvent', () => {
  it("is AWS's Scheduled Event, keys in AWS's order, time in whole seconds", () => {
    const event = scheduledEvent({
      id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
      account: '123456789012',
      region: 'us-east-1',
      ruleArn: 'arn:aws:events:us-east-1:123456789012:rule/my-scheduled-rule',
      timeMs: Date.parse('2015-10-08T16:53:06.789Z'),
    });
    expect(JSON.stringify(event)).toBe(
      '{"version":"0","id":"53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa","detail-type":"Scheduled Event",' +
        '"source":"aws.events","account":"123456789012","time":"2015-10-08T16:53:06Z","region":"us-east-1",' +
        '"resources":["arn:aws:events:us-east-1:123456789012:rule/my-scheduled-rule"],"detail":{}}',
    );
  });

  it('stamps the firing instant of a schedule', () => {
    const at = parseSchedule('cron(0 18 ? * MON-FRI *)').next(Date.parse(FRI))!;
    const event = scheduledEvent({ id: 'x', account: '000000000000', region: 'eu-west-1', ruleArn: 'arn', timeMs: at });
    expect(event.time).toBe('2025-01-17T18:00:00Z');
  });
});
