/**
 * A growable ring buffer: O(1) push and pop at both ends, which is what a queue of visible
 * messages needs (new messages at the back, returned ones at the front). Array#shift is O(n)
 * on large arrays; this is not.
 */
export class Deque<T> {
  private buf: (T | undefined)[];
  private head = 0;
  private size = 0;

  constructor(capacity = 16) {
    let cap = 16;
    while (cap < capacity) cap <<= 1;
    this.buf = new Array(cap);
  }

  get length(): number {
    return this.size;
  }

  pushBack(item: T): void {
    if (this.size === this.buf.length) this.grow();
    this.buf[(this.head + this.size) & (this.buf.length - 1)] = item;
    this.size++;
  }

  pushFront(item: T): void {
    if (this.size === this.buf.length) this.grow();
    this.head = (this.head - 1 + this.buf.length) & (this.buf.length - 1);
    this.buf[this.head] = item;
    this.size++;
  }

  peekFront(): T | undefined {
    return this.size === 0 ? undefined : this.buf[this.head];
  }

  popFront(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) & (this.buf.length - 1);
    this.size--;
    return item;
  }

  at(i: number): T | undefined {
    if (i < 0 || i >= this.size) return undefined;
    return this.buf[(this.head + i) & (this.buf.length - 1)];
  }

  /** Insert before the first item for which `before(item)` holds (or at the back): O(position). */
  insertWhere(item: T, before: (existing: T) => boolean): void {
    let i = 0;
    while (i < this.size && !before(this.at(i)!)) i++;
    if (i === 0) return this.pushFront(item);
    if (i === this.size) return this.pushBack(item);
    this.pushBack(item); // grow by one, then shift the tail right
    for (let j = this.size - 1; j > i; j--) {
      this.buf[(this.head + j) & (this.buf.length - 1)] = this.buf[(this.head + j - 1) & (this.buf.length - 1)];
    }
    this.buf[(this.head + i) & (this.buf.length - 1)] = item;
  }

  clear(): void {
    this.buf = new Array(16);
    this.head = 0;
    this.size = 0;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.size; i++) yield this.buf[(this.head + i) & (this.buf.length - 1)] as T;
  }

  private grow(): void {
    const old = this.buf;
    const next = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this.size; i++) next[i] = old[(this.head + i) & (old.length - 1)];
    this.buf = next;
    this.head = 0;
  }
}
