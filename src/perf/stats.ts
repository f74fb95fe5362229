import { HISTOGRAM_BUCKETS } from './histogram.js';

/**
 * Counters of one producer or consumer, in a SharedArrayBuffer: the worker thread that runs the
 * role is the only writer, and the main thread reads them every second (no messages needed, and
 * the figures at the end of the run are taken at one instant). Counters only grow.
 */
export const Counter = {
  /** basic.publish frames handed to the client library. */
  Published: 0,
  /** Publishes confirmed (basic.ack) by the broker, in confirm mode. */
  Confirmed: 1,
  /** Publishes refused (basic.nack) by the broker, in confirm mode. */
  Nacked: 2,
  /** Messages delivered to a consumer. */
  Received: 3,
  /** Times a producer waited for the broker (confirm window full, socket not drained, blocked). */
  Waits: 4,
  /** connection.blocked notifications seen. */
  Blocked: 5,
} as const;
export const COUNTERS = 6;

export interface RoleStats {
  readonly counters: Float64Array;
  /** Latency histogram (see histogram.ts); only consumers fill it. */
  readonly latency: Uint32Array;
}

export function newSharedStats(): { buffer: SharedArrayBuffer; stats: RoleStats } {
  const buffer = new SharedArrayBuffer(COUNTERS * 8 + HISTOGRAM_BUCKETS * 4);
  return { buffer, stats: statsOf(buffer) };
}

export function statsOf(buffer: SharedArrayBuffer): RoleStats {
  return {
    counters: new Float64Array(buffer, 0, COUNTERS),
    latency: new Uint32Array(buffer, COUNTERS * 8, HISTOGRAM_BUCKETS),
  };
}

/** Sums of all roles at one instant. */
export interface Snapshot {
  readonly atMs: number;
  readonly published: number;
  readonly confirmed: number;
  readonly nacked: number;
  readonly received: number;
  readonly waits: number;
  readonly blocked: number;
  readonly latency: Float64Array;
}

export function snapshot(all: readonly RoleStats[], atMs: number): Snapshot {
  const sums = new Float64Array(COUNTERS);
  const latency = new Float64Array(HISTOGRAM_BUCKETS);
  for (const s of all) {
    for (let i = 0; i < COUNTERS; i++) sums[i] = (sums[i] ?? 0) + (s.counters[i] ?? 0);
    for (let i = 0; i < HISTOGRAM_BUCKETS; i++) latency[i] = (latency[i] ?? 0) + (s.latency[i] ?? 0);
  }
  return {
    atMs,
    published: sums[Counter.Published] ?? 0,
    confirmed: sums[Counter.Confirmed] ?? 0,
    nacked: sums[Counter.Nacked] ?? 0,
    received: sums[Counter.Received] ?? 0,
    waits: sums[Counter.Waits] ?? 0,
    blocked: sums[Counter.Blocked] ?? 0,
    latency,
  };
}

/** A monotonic clock in ms that agrees across the worker threads of one process. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
