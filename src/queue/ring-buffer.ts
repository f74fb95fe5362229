/**
 * A growable double-ended queue over a power-of-two circular array.
 *
 * push / unshift / shift / peek / at are O(1) (push and unshift amortised: the array doubles when
 * full). The array halves when it is at most a quarter full, never below MIN_CAPACITY, so a queue
 * that once held a million messages gives that memory back after it drains. Removed slots are set
 * to `undefined` so that the garbage collector can reclaim what they pointed to.
 *
 * Iterating while mutating the buffer is not supported (the iterator sees whatever the slots hold).
 */
const MIN_CAPACITY = 16;

export class RingBuffer<T> {
  private buf: (T | undefined)[];
  private head = 0;
  private len = 0;
  private mask: number;

  constructor(initialCapacity: number = MIN_CAPACITY) {
    let cap = MIN_CAPACITY;
    while (cap < initialCapacity) cap *= 2;
    this.buf = new Array<T | undefined>(cap).fill(undefined);
    this.mask = cap - 1;
  }

  get length(): number {
    return this.len;
  }

  /** The current size of the backing array (for tests and memory accounting). */
  get capacity(): number {
    return this.mask + 1;
  }

  /** Appends at the tail. */
  push(v: T): void {
    if (this.len > this.mask) this.resize((this.mask + 1) * 2);
    this.buf[(this.head + this.len) & this.mask] = v;
    this.len++;
  }

  /** Inserts at the head. */
  unshift(v: T): void {
    if (this.len > this.mask) this.resize((this.mask + 1) * 2);
    this.head = (this.head - 1) & this.mask;
    this.buf[this.head] = v;
    this.len++;
  }

  /** Inserts so that `v` ends up at position `index` (clamped to 0..length); O(index). */
  insertAt(index: number, v: T): void {
    if (index >= this.len) {
      this.push(v);
      return;
    }
    this.unshift(v);
    const buf = this.buf;
    const mask = this.mask;
    const head = this.head;
    for (let k = 0; k < index; k++) {
      const a = (head + k) & mask;
      const b = (head + k + 1) & mask;
      const t = buf[a];
      buf[a] = buf[b];
      buf[b] = t;
    }
  }

  /** Removes and returns the head, or undefined when empty. */
  shift(): T | undefined {
    if (this.len === 0) return undefined;
    const h = this.head;
    const v = this.buf[h];
    this.buf[h] = undefined;
    this.head = (h + 1) & this.mask;
    this.len--;
    this.maybeShrink();
    return v;
  }

  /** Removes and returns the tail, or undefined when empty. */
  pop(): T | undefined {
    if (this.len === 0) return undefined;
    const i = (this.head + this.len - 1) & this.mask;
    const v = this.buf[i];
    this.buf[i] = undefined;
    this.len--;
    this.maybeShrink();
    return v;
  }

  /** The head without removing it. */
  peek(): T | undefined {
    return this.len === 0 ? undefined : this.buf[this.head];
  }

  /** The element at position i from the head (negative i counts from the tail), or undefined. */
  at(i: number): T | undefined {
    if (i < 0) i += this.len;
    if (!(i >= 0 && i < this.len)) return undefined; // also rejects NaN
    return this.buf[(this.head + Math.floor(i)) & this.mask];
  }

  /** Removes everything and releases the backing array. */
  clear(): void {
    this.buf = new Array<T | undefined>(MIN_CAPACITY).fill(undefined);
    this.mask = MIN_CAPACITY - 1;
    this.head = 0;
    this.len = 0;
  }

  /** Removes everything and returns it in head-to-tail order. */
  drain(): T[] {
    const out = this.toArray();
    this.clear();
    return out;
  }

  /** The elements in head-to-tail order, as a new array; the buffer is unchanged. */
  toArray(): T[] {
    const out = new Array<T>(this.len);
    for (let i = 0; i < this.len; i++) out[i] = this.buf[(this.head + i) & this.mask] as T;
    return out;
  }

  /**
   * Removes every element for which pred returns true, keeping the order of the others.
   * O(n); returns how many were removed.
   */
  removeWhere(pred: (v: T) => boolean): number {
    const n = this.len;
    const mask = this.mask;
    const buf = this.buf;
    let w = 0;
    for (let r = 0; r < n; r++) {
      const ri = (this.head + r) & mask;
      const v = buf[ri] as T;
      if (pred(v)) continue;
      if (w !== r) buf[(this.head + w) & mask] = v;
      w++;
    }
    for (let k = w; k < n; k++) buf[(this.head + k) & mask] = undefined;
    this.len = w;
    const removed = n - w;
    if (removed > 0) this.maybeShrink();
    return removed;
  }

  *[Symbol.iterator](): Iterator<T> {
    for (let i = 0; i < this.len; i++) yield this.buf[(this.head + i) & this.mask] as T;
  }

  private maybeShrink(): void {
    const cap = this.mask + 1;
    if (cap > MIN_CAPACITY && this.len <= cap >>> 2) {
      let newCap = cap >>> 1;
      while (newCap > MIN_CAPACITY && this.len <= newCap >>> 2) newCap >>>= 1;
      this.resize(newCap);
    }
  }

  private resize(newCap: number): void {
    const next = new Array<T | undefined>(newCap).fill(undefined);
    for (let i = 0; i < this.len; i++) next[i] = this.buf[(this.head + i) & this.mask];
    this.buf = next;
    this.head = 0;
    this.mask = newCap - 1;
  }
}
