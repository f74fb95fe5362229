/**
 * Bounded waiting helpers for behaviour tests. Nothing here waits forever: every helper
 * takes a timeout and rejects with a descriptive error when it expires.
 */
import type { EventEmitter } from 'node:events';

/** Rejects with `Error("timed out after Nms: label")` if `promise` has not settled in time. */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, label = 'operation'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs}ms: ${label}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/** Polls `predicate` (sync or async) until it returns true, or rejects after `timeoutMs`. */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
  label = 'condition',
  intervalMs = 10,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${label}`);
    await delay(intervalMs);
  }
}

/** Resolves with the arguments of the next `event` emitted by `emitter`. */
export function once(emitter: EventEmitter, event: string, timeoutMs = 5000): Promise<unknown[]> {
  return new Promise<unknown[]>((resolve, reject) => {
    const listener = (...args: unknown[]): void => {
      clearTimeout(timer);
      resolve(args);
    };
    const timer = setTimeout(() => {
      emitter.removeListener(event, listener);
      reject(new Error(`timed out after ${timeoutMs}ms waiting for '${event}' event`));
    }, timeoutMs);
    emitter.once(event, listener);
  });
}

/** A plain timer. Use only to show that something does NOT happen within a short window. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The ~200ms window used to show that nothing (more) arrives. */
export const SETTLE_MS = 200;

export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * Collects items pushed from callbacks and lets a test await "at least n items" with a bound.
 */
export class Collector<T> {
  readonly items: T[] = [];
  private waiters: { n: number; resolve: () => void }[] = [];

  push = (item: T): void => {
    this.items.push(item);
    this.waiters = this.waiters.filter((w) => {
      if (this.items.length >= w.n) {
        w.resolve();
        return false;
      }
      return true;
    });
  };

  get length(): number {
    return this.items.length;
  }

  /** Resolves with the first `n` items once at least `n` have been pushed. */
  async waitForCount(n: number, timeoutMs = 5000): Promise<T[]> {
    if (this.items.length < n) {
      const d = deferred<void>();
      this.waiters.push({ n, resolve: () => d.resolve() });
      await withTimeout(d.promise, timeoutMs, `${n} items (have ${this.items.length})`);
    }
    return this.items.slice(0, n);
  }
}
