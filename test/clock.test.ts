import { afterEach, describe, expect, it, vi } from 'vitest';
import { Clock } from '../src/clock.js';
import { rng } from './support.js';

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5);

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** A small deterministic PRNG (mulberry32), so the randomized cases repeat exactly. */

describe('frozen clock', () => {
  it('stands still until advanced or set', () => {
    const c = new Clock({ frozen: true, start: T0 });
    expect(c.frozen).toBe(true);
    expect(c.now()).toBe(T0);
    expect(c.now()).toBe(T0);
    c.advance(1500);
    expect(c.now()).toBe(T0 + 1500);
    c.set(T0 + 10_000);
    expect(c.now()).toBe(T0 + 10_000);
    expect(() => c.set(T0)).toThrow(RangeError);
    expect(() => c.advance(-1)).toThrow(RangeError);
    expect(() => c.advance(Number.NaN)).toThrow(RangeError);
    expect(c.now()).toBe(T0 + 10_000);
  });

  it('fires timers in deadline order on advance, each seeing its own deadline as now', () => {
    const c = new Clock({ frozen: true, start: T0 });
    const fired: [string, number][] = [];
    const log = (name: string) => () => fired.push([name, c.now()]);
    c.after(300, log('c'));
    c.after(100, log('a'));
    c.at(T0 + 200, log('b'));
    c.after(1000, log('late'));
    expect(c.pending).toBe(4);

    c.advance(99);
    expect(fired).toEqual([]);
    c.advance(301); // now T0+400
    // Time moves timer by timer: each callback runs at its own deadline, then the clock reaches the target.
    expect(fired).toEqual([
      ['a', T0 + 100],
      ['b', T0 + 200],
      ['c', T0 + 300],
    ]);
    expect(c.now()).toBe(T0 + 400);
    expect(c.pending).toBe(1);
    c.advance(600);
    expect(fired.map(([n]) => n)).toEqual(['a', 'b', 'c', 'late']);
    expect(c.pending).toBe(0);
  });

  it('fires timers with the same deadline in the order they were scheduled', () => {
    const c = new Clock({ frozen: true, start: T0 });
    const fired: number[] = [];
    for (let i = 0; i < 50; i++) c.after(10, () => fired.push(i));
    c.advance(10);
    expect(fired).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('fires a timer at or before now on the next advance, even advance(0)', () => {
    const c = new Clock({ frozen: true, start: T0 });
    let fired = 0;
    c.at(T0 - 5, () => fired++);
    c.after(0, () => fired++);
    expect(fired).toBe(0); // scheduling never runs a callback synchronously
    c.advance(0);
    expect(fired).toBe(2);
  });

  it('cancels timers, including from inside another callback; cancelling twice is harmless', () => {
    const c = new Clock({ frozen: true, start: T0 });
    const fired: string[] = [];
    const a = c.after(10, () => fired.push('a'));
    c.after(20, () => {
      fired.push('b');
      c.cancel(d);
    });
    c.after(30, () => fired.push('c'));
    const d = c.after(40, () => fired.push('d'));
    c.cancel(a);
    c.cancel(a);
    c.cancel(undefined);
    expect(a.index).toBe(-1);
    expect(c.pending).toBe(3);
    c.advance(100);
    expect(fired).toEqual(['b', 'c']);
    expect(c.pending).toBe(0);
    // Cancelling a timer that already fired does nothing.
    c.cancel(d);
    expect(c.pending).toBe(0);
  });

  it('runs timers scheduled during a callback: in the same advance when due, later otherwise', () => {
    const c = new Clock({ frozen: true, start: T0 });
    const fired: string[] = [];
    c.after(10, () => {
      fired.push('first');
      c.after(5, () => fired.push('next')); // now is T0+10 in this callback: due at T0+15
      c.at(T0 + 20, () => fired.push('at 20'));
      c.after(0, () => fired.push('immediately due'));
      c.at(T0 + 31, () => fired.push('after the target'));
    });
    c.after(25, () => fired.push('second'));
    c.advance(30);
    expect(fired).toEqual(['first', 'immediately due', 'next', 'at 20', 'second']);
    expect(c.now()).toBe(T0 + 30);
    c.advance(1);
    expect(fired).toEqual(['first', 'immediately due', 'next', 'at 20', 'second', 'after the target']);
  });

  it('keeps firing the other timers when one callback throws, and reports the error', () => {
    const reported: (() => void)[] = [];
    vi.spyOn(globalThis, 'queueMicrotask').mockImplementation((cb) => {
      reported.push(cb);
    });
    const c = new Clock({ frozen: true, start: T0 });
    const fired: string[] = [];
    c.after(1, () => fired.push('before'));
    c.after(2, () => {
      throw new Error('boom');
    });
    c.after(3, () => fired.push('after'));
    c.after(3, () => {
      throw new Error('bang');
    });
    c.after(4, () => fired.push('last'));
    c.advance(10); // does not throw: the loop went on
    expect(fired).toEqual(['before', 'after', 'last']);
    expect(c.pending).toBe(0);
    // Each error is rethrown on its own microtask, so it surfaces without unwinding the loop.
    expect(reported).toHaveLength(2);
    expect(reported[0]).toThrow('boom');
    expect(reported[1]).toThrow('bang');
    // The clock still works afterwards.
    c.after(1, () => fired.push('again'));
    c.advance(1);
    expect(fired.at(-1)).toBe('again');
  });

  it('lets a callback advance time: the outer advance carries on in order', () => {
    const c = new Clock({ frozen: true, start: T0 });
    const fired: [string, number][] = [];
    c.after(10, () => {
      fired.push(['a', c.now()]);
      c.advance(100); // nested: extends the outer advance, which fires what is due in order
    });
    c.after(50, () => fired.push(['b', c.now()]));
    c.after(200, () => fired.push(['c', c.now()]));
    c.advance(10);
    expect(fired).toEqual([
      ['a', T0 + 10],
      ['b', T0 + 50],
    ]);
    expect(c.now()).toBe(T0 + 110);
    c.advance(90);
    expect(fired.map(([n]) => n)).toEqual(['a', 'b', 'c']);
  });

  it('keeps heap order through thousands of random schedules and cancels', () => {
    const random = rng(42);
    const c = new Clock({ frozen: true, start: T0 });
    const fired: { at: number; seq: number }[] = [];
    const live = new Map<number, { at: number; timer: ReturnType<Clock['at']> }>();
    for (let seq = 0; seq < 5000; seq++) {
      const at = T0 + Math.floor(random() * 1000);
      const timer = c.at(at, () => fired.push({ at, seq }));
      live.set(seq, { at, timer });
      if (random() < 0.4) {
        const victims = [...live.keys()];
        const victim = victims[Math.floor(random() * victims.length)];
        c.cancel(live.get(victim)!.timer);
        live.delete(victim);
      }
    }
    expect(c.pending).toBe(live.size);
    c.advance(500);
    c.advance(500);
    expect(c.pending).toBe(0);
    const expected = [...live.entries()]
      .map(([seq, { at }]) => ({ at, seq }))
      .sort((x, y) => x.at - y.at || x.seq - y.seq);
    expect(fired).toEqual(expected);
  });

  it('never arms a real timer while frozen', () => {
    const spy = vi.spyOn(globalThis, 'setTimeout');
    const c = new Clock({ frozen: true, start: T0 });
    c.after(10, () => undefined);
    c.advance(5);
    expect(spy).not.toHaveBeenCalled();
  });
});

describe('running clock', () => {
  it('follows wall time plus the offset that advance adds', () => {
    vi.useFakeTimers({ now: T0 });
    const c = new Clock();
    expect(c.frozen).toBe(false);
    expect(c.now()).toBe(T0);
    vi.setSystemTime(T0 + 1000);
    expect(c.now()).toBe(T0 + 1000);
    c.advance(60_000);
    expect(c.now()).toBe(T0 + 61_000);
    vi.setSystemTime(T0 + 2000);
    expect(c.now()).toBe(T0 + 62_000);
  });

  it('starts at a given instant and keeps running from there', () => {
    vi.useFakeTimers({ now: T0 });
    const c = new Clock({ start: T0 - 86_400_000 });
    expect(c.now()).toBe(T0 - 86_400_000);
    vi.setSystemTime(T0 + 5);
    expect(c.now()).toBe(T0 - 86_400_000 + 5);
  });

  it('fires timers when real time reaches them, and at once on advance', () => {
    vi.useFakeTimers({ now: T0 });
    const c = new Clock();
    const fired: string[] = [];
    c.after(1000, () => fired.push('1s'));
    c.after(5000, () => fired.push('5s'));
    c.after(60_000, () => fired.push('60s'));
    vi.advanceTimersByTime(999);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['1s']);
    c.advance(10_000); // jumps past 5 s without waiting
    expect(fired).toEqual(['1s', '5s']);
    vi.advanceTimersByTime(48_999); // 1 s real + 10 s advanced + 48.999 s real
    expect(fired).toEqual(['1s', '5s']);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(['1s', '5s', '60s']);
  });

  it('re-arms for an earlier timer and after a cancel of the earliest', () => {
    vi.useFakeTimers({ now: T0 });
    const c = new Clock();
    const fired: string[] = [];
    const late = c.after(10_000, () => fired.push('late'));
    c.after(100, () => fired.push('early'));
    vi.advanceTimersByTime(100);
    expect(fired).toEqual(['early']);
    const soon = c.after(50, () => fired.push('cancelled'));
    c.cancel(soon);
    vi.advanceTimersByTime(9_800);
    expect(fired).toEqual(['early']);
    vi.advanceTimersByTime(100);
    expect(fired).toEqual(['early', 'late']);
    expect(late.index).toBe(-1);
  });

  it('re-arms after an advance past the armed deadline: later timers fire on time, not when the old one would have', () => {
    vi.useFakeTimers({ now: T0 });
    const c = new Clock();
    const fired: string[] = [];
    c.after(86_400_000, () => fired.push('1d')); // later deadlines stay pending (retention)
    c.after(3_600_000, () => fired.push('1h')); // the real timer is armed for an hour
    c.advance(7_200_000);
    expect(fired).toEqual(['1h']);
    c.after(1000, () => fired.push('1s')); // a long poll's deadline
    vi.advanceTimersByTime(1000);
    expect(fired).toEqual(['1h', '1s']);
  });

  it('freezes and unfreezes without losing time or timers', () => {
    vi.useFakeTimers({ now: T0 });
    const c = new Clock();
    const fired: number[] = [];
    c.after(1000, () => fired.push(c.now()));
    c.freeze();
    expect(c.frozen).toBe(true);
    vi.advanceTimersByTime(5000);
    expect(fired).toEqual([]);
    expect(c.now()).toBe(T0);
    c.unfreeze();
    expect(c.now()).toBe(T0);
    vi.advanceTimersByTime(1000);
    expect(fired).toEqual([T0 + 1000]);
  });

  it('stop() drops the real timer but keeps the pending ones for a later advance', () => {
    vi.useFakeTimers({ now: T0 });
    const c = new Clock();
    let fired = 0;
    c.after(100, () => fired++);
    c.stop();
    vi.advanceTimersByTime(1000);
    expect(fired).toBe(0);
    expect(c.pending).toBe(1);
    c.advance(0);
    expect(fired).toBe(1);
  });
});
