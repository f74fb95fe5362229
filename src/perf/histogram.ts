/**
 * A log-scale latency histogram kept in a Uint32Array, so a consumer thread can fill it in a
 * SharedArrayBuffer and the main thread can read it without messages. Bucket 0 holds latencies
 * under 1 µs; bucket i ≥ 1 holds [2^((i-1)/16), 2^(i/16)) µs, i.e. ~4.4 % wide, up to ~71 min.
 */

export const SUB_BUCKETS = 16;
export const HISTOGRAM_BUCKETS = 1 + SUB_BUCKETS * 32;

/** The bucket of a latency given in milliseconds. */
export function bucketOf(ms: number): number {
  const us = ms * 1000;
  if (!(us >= 1)) return 0; // also catches NaN and negative (clock skew) values
  const i = 1 + Math.floor(Math.log2(us) * SUB_BUCKETS);
  return i < HISTOGRAM_BUCKETS ? i : HISTOGRAM_BUCKETS - 1;
}

/** A representative latency (ms) of a bucket: the geometric middle of its range. */
export function bucketValueMs(i: number): number {
  if (i <= 0) return 0.0005;
  return 2 ** ((i - 0.5) / SUB_BUCKETS) / 1000;
}

/** Adds one latency (ms) to `counts`. */
export function record(counts: Uint32Array, ms: number): void {
  const i = bucketOf(ms);
  counts[i] = (counts[i] ?? 0) + 1;
}

export function total(counts: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < counts.length; i++) n += counts[i] ?? 0;
  return n;
}

/** The q-quantile (0 < q ≤ 1) in ms, or undefined when there are no samples. */
export function quantile(counts: ArrayLike<number>, q: number): number | undefined {
  const n = total(counts);
  if (n === 0) return undefined;
  const rank = Math.max(1, Math.ceil(q * n));
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i] ?? 0;
    if (seen >= rank) return bucketValueMs(i);
  }
  return bucketValueMs(counts.length - 1);
}

/** `a - b` element-wise (counts only grow, so this is what was added in an interval). */
export function difference(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] ?? 0) - (b[i] ?? 0);
  return out;
}

/** Adds `from` into `into` element-wise. */
export function addInto(into: Float64Array, from: ArrayLike<number>): void {
  for (let i = 0; i < into.length; i++) into[i] = (into[i] ?? 0) + (from[i] ?? 0);
}
