/**
 * The only source of time in Switchyard.
 *
 * Every deadline (visibility timeouts, delays, retention, dedup windows, long polls) is a
 * timer on one `Clock`. Timers live in a binary min-heap ordered by deadline, and at most one
 * real `setTimeout` is armed, for the earliest deadline; so a million pending timers cost
 * memory, not CPU, and moving time forward (`advance`) fires everything now due, in order.
 *
 * Two modes:
 * - running (default): now() is wall time plus an offset that `advance` grows;
 * - frozen (`{ frozen: true }`): time stands still until `advance` or `set` moves it, which is
 *   what tests want: a 30 s visibility timeout is tested in a millisecond.
 */

export interface ClockOptions {
  /** Start frozen at this epoch-millisecond instant (tests). */
  frozen?: boolean;
  start?: number;
}

export interface Timer {
  readonly at: number;
  /** Position in the heap; -1 once fired or cancelled. */
  index: number;
  readonly seq: number;
  readonly fn: () => void;
}

export class Clock {
  private frozenAt: number | undefined;
  private offset = 0;
  private heap: Timer[] = [];
  private seq = 0;
  private armed: ReturnType<typeof setTimeout> | undefined;
  private armedFor = Infinity;
  private firing = false;

  constructor(options: ClockOptions = {}) {
    if (options.frozen) this.frozenAt = options.start ?? Date.now();
    else if (options.start !== undefined) this.offset = options.start - Date.now();
  }

  /** Epoch milliseconds. */
  now(): number {
    return this.frozenAt ?? Date.now() + this.offset;
  }

  get frozen(): boolean {
    return this.frozenAt !== undefined;
  }

  /** Run `fn` when the clock reaches `at` (epoch ms). */
  at(at: number, fn: () => void): Timer {
    const timer: Timer = { at, index: this.heap.length, seq: this.seq++, fn };
    this.heap.push(timer);
    this.siftUp(timer.index);
    if (timer.index === 0) this.arm();
    return timer;
  }

  /** Run `fn` after `ms` milliseconds of clock time. */
  after(ms: number, fn: () => void): Timer {
    return this.at(this.now() + ms, fn);
  }

  cancel(timer: Timer | undefined): void {
    if (!timer || timer.index < 0) return;
    const i = timer.index;
    const last = this.heap.pop()!;
    timer.index = -1;
    if (last !== timer) {
      this.heap[i] = last;
      last.index = i;
      this.siftDown(i);
      this.siftUp(last.index);
    }
    if (i === 0) this.arm();
  }

  /** Move time forward by `ms` and fire every timer that is now due, in deadline order. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError('advance() takes a non-negative number of milliseconds');
    if (this.frozenAt === undefined) {
      this.offset += ms;
      // The armed real timer counts down to its deadline in the old offset, so it would now fire
      // `ms` late; kept (arm() keeps a timer armed for an earlier deadline), it would hold back
      // every later deadline, such as a long poll's, for as long as the advance.
      this.disarm();
      this.fireDue();
      return;
    }
    const to = this.frozenAt + ms;
    // A timer callback that advances time: the outer loop goes on to the later target.
    if (this.stepping !== undefined) {
      this.stepping = Math.max(this.stepping, to);
      return;
    }
    // Frozen time moves timer by timer, so each callback sees now() at its own deadline: a rule
    // firing every 5 minutes fires three times in a 15-minute advance, each at its own minute.
    this.stepping = to;
    try {
      for (;;) {
        const top = this.heap[0];
        if (!top || top.at > this.stepping) break;
        if (top.at > this.frozenAt) this.frozenAt = top.at;
        this.cancel(top);
        this.run(top);
      }
      this.frozenAt = Math.max(this.frozenAt, this.stepping);
    } finally {
      this.stepping = undefined;
    }
  }

  /** Target of the advance in progress on a frozen clock. */
  private stepping: number | undefined;

  private run(timer: Timer): void {
    try {
      timer.fn();
    } catch (err) {
      // A timer callback must not take the scheduler down with it.
      queueMicrotask(() => {
        throw err;
      });
    }
  }

  /** Set a frozen clock to an instant (never backwards). */
  set(epochMs: number): void {
    const now = this.now();
    if (epochMs < now) throw new RangeError('the clock never goes backwards');
    this.advance(epochMs - now);
  }

  freeze(): void {
    if (this.frozenAt === undefined) this.frozenAt = this.now();
    this.disarm();
  }

  unfreeze(): void {
    if (this.frozenAt === undefined) return;
    this.offset = this.frozenAt - Date.now();
    this.frozenAt = undefined;
    this.arm();
  }

  /** Number of pending timers (for tests and the inspection API). */
  get pending(): number {
    return this.heap.length;
  }

  /** Stop the real timer; pending timers stay (they fire on the next advance). */
  stop(): void {
    this.disarm();
  }

  private fireDue(): void {
    if (this.firing) return; // a timer callback that advances time: the outer loop continues
    this.firing = true;
    try {
      for (;;) {
        const top = this.heap[0];
        if (!top || top.at > this.now()) break;
        this.cancel(top);
        this.run(top);
      }
    } finally {
      this.firing = false;
    }
    this.arm();
  }

  private arm(): void {
    if (this.frozenAt !== undefined || this.firing) return;
    const top = this.heap[0];
    if (!top) return this.disarm();
    // An armed real timer that fires no later than the new earliest deadline is kept: when it
    // fires early it finds nothing due and re-arms. So cancelling the earliest timer (a deleted
    // in-flight message) costs no clearTimeout/setTimeout pair.
    if (this.armed && this.armedFor <= top.at) return;
    this.disarm();
    // setTimeout's ceiling is 2^31-1 ms; further deadlines re-arm when that fires.
    const delay = Math.min(Math.max(0, top.at - this.now()), 0x7fffffff);
    this.armedFor = top.at;
    this.armed = setTimeout(() => {
      this.armed = undefined;
      this.armedFor = Infinity;
      this.fireDue();
    }, delay);
    this.armed.unref?.();
  }

  private disarm(): void {
    if (this.armed) clearTimeout(this.armed);
    this.armed = undefined;
    this.armedFor = Infinity;
  }

  private less(a: Timer, b: Timer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    const item = heap[i];
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(item, heap[p])) break;
      heap[i] = heap[p];
      heap[i].index = i;
      i = p;
    }
    heap[i] = item;
    item.index = i;
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const item = heap[i];
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(heap[r], heap[l]) ? r : l;
      if (!this.less(heap[c], item)) break;
      heap[i] = heap[c];
      heap[i].index = i;
      i = c;
    }
    heap[i] = item;
    item.index = i;
  }
}
