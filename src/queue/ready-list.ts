import { RingBuffer } from './ring-buffer.js';

/**
 * The ready (not yet delivered) messages of a queue, in delivery order.
 *
 * A classic queue is FIFO. A queue declared with `x-max-priority` delivers higher priorities first
 * and is FIFO within one priority, as RabbitMQ's rabbit_priority_queue: a message's priority is
 * clamped to the queue's maximum, and a message without a priority has priority 0.
 */
export interface ReadyList<T> {
  /** Appends m at the tail of its priority. */
  push(m: T, priority?: number | undefined): void;
  /** Puts m back at the head of its priority (requeue). */
  pushFront(m: T, priority?: number | undefined): void;
  /**
   * Puts m back near the head of its priority, before the first message for which `after`
   * holds (a requeue into the message's original position). O(messages skipped).
   */
  insertBefore(m: T, priority: number | undefined, after: (existing: T) => boolean): void;
  /** Removes and returns the next message to deliver. */
  shift(): T | undefined;
  /** The next message to deliver, without removing it. */
  peek(): T | undefined;
  readonly length: number;
  /** Removes everything; returns the removed messages in delivery order. */
  clear(): T[];
  /** The messages in delivery order. Do not mutate the list while iterating. */
  [Symbol.iterator](): Iterator<T>;
}

export const MAX_PRIORITY_LIMIT = 255;

function insertInRing<T>(ring: RingBuffer<T>, m: T, after: (existing: T) => boolean): void {
  let i = 0;
  const n = ring.length;
  while (i < n && !after(ring.at(i)!)) i++;
  ring.insertAt(i, m);
}

export class FifoReadyList<T> implements ReadyList<T> {
  private readonly ring = new RingBuffer<T>();

  push(m: T, _priority?: number | undefined): void {
    this.ring.push(m);
  }

  pushFront(m: T, _priority?: number | undefined): void {
    this.ring.unshift(m);
  }

  insertBefore(m: T, _priority: number | undefined, after: (existing: T) => boolean): void {
    insertInRing(this.ring, m, after);
  }

  shift(): T | undefined {
    return this.ring.shift();
  }

  peek(): T | undefined {
    return this.ring.peek();
  }

  get length(): number {
    return this.ring.length;
  }

  clear(): T[] {
    return this.ring.drain();
  }

  [Symbol.iterator](): Iterator<T> {
    return this.ring[Symbol.iterator]();
  }
}

export class PriorityReadyList<T> implements ReadyList<T> {
  readonly maxPriority: number;
  /** One ring per priority level, created on first use. */
  private readonly levels: (RingBuffer<T> | undefined)[];
  /** Highest level that may be non-empty; every level above it is empty. -1 when all are empty. */
  private top = -1;
  private count = 0;

  constructor(maxPriority: number) {
    if (!Number.isInteger(maxPriority) || maxPriority < 1 || maxPriority > MAX_PRIORITY_LIMIT) {
      throw new RangeError(`maxPriority must be an integer in 1..${MAX_PRIORITY_LIMIT}, got ${maxPriority}`);
    }
    this.maxPriority = maxPriority;
    this.levels = new Array<RingBuffer<T> | undefined>(maxPriority + 1).fill(undefined);
  }

  /** The level a message of this priority goes to: clamped to 0..maxPriority; undefined is 0. */
  levelOf(priority: number | undefined): number {
    if (priority === undefined || !(priority > 0)) return 0; // also NaN
    return priority >= this.maxPriority ? this.maxPriority : Math.floor(priority);
  }

  push(m: T, priority?: number | undefined): void {
    const level = this.levelOf(priority);
    this.ring(level).push(m);
    this.count++;
    if (level > this.top) this.top = level;
  }

  pushFront(m: T, priority?: number | undefined): void {
    const level = this.levelOf(priority);
    this.ring(level).unshift(m);
    this.count++;
    if (level > this.top) this.top = level;
  }

  insertBefore(m: T, priority: number | undefined, after: (existing: T) => boolean): void {
    const level = this.levelOf(priority);
    insertInRing(this.ring(level), m, after);
    this.count++;
    if (level > this.top) this.top = level;
  }

  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const ring = this.levels[this.top];
    // top always points at a non-empty level while count > 0 (see settleTop)
    const m = (ring as RingBuffer<T>).shift();
    this.count--;
    if ((ring as RingBuffer<T>).length === 0) this.settleTop();
    return m;
  }

  peek(): T | undefined {
    if (this.count === 0) return undefined;
    return this.levels[this.top]?.peek();
  }

  get length(): number {
    return this.count;
  }

  clear(): T[] {
    const out: T[] = [];
    for (let p = this.top; p >= 0; p--) {
      const ring = this.levels[p];
      if (ring === undefined || ring.length === 0) continue;
      for (const m of ring) out.push(m);
      ring.clear();
    }
    this.count = 0;
    this.top = -1;
    return out;
  }

  *[Symbol.iterator](): Iterator<T> {
    for (let p = this.top; p >= 0; p--) {
      const ring = this.levels[p];
      if (ring !== undefined) yield* ring;
    }
  }

  private ring(level: number): RingBuffer<T> {
    let r = this.levels[level];
    if (r === undefined) {
      r = new RingBuffer<T>();
      this.levels[level] = r;
    }
    return r;
  }

  /** Moves top down to the highest non-empty level (or -1). */
  private settleTop(): void {
    let p = this.top;
    while (p >= 0) {
      const r = this.levels[p];
      if (r !== undefined && r.length > 0) break;
      p--;
    }
    this.top = p;
  }
}

/**
 * A FIFO list for a classic queue, a priority list when the queue has x-max-priority.
 * maxPriority undefined or 0 gives a FIFO list; above 255 is clamped to 255 (the broker rejects
 * such declarations before they get here, as RabbitMQ does).
 */
export function createReadyList<T>(maxPriority: number | undefined): ReadyList<T> {
  if (maxPriority === undefined || !(maxPriority >= 1)) return new FifoReadyList<T>();
  return new PriorityReadyList<T>(Math.min(MAX_PRIORITY_LIMIT, Math.floor(maxPriority)));
}
