/**
 * The sampled history of one object's counters (a queue's publishes, deliveries, lengths...):
 * the values at the last two sampler ticks, for the current rate, and, while the object is
 * active, a ring of the samples of the retention window for charts (`*_details.samples`).
 * An idle object keeps no ring: its history is its current values, constant.
 */
export class Series {
  /** Values at the latest tick. */
  readonly last: Float64Array;
  /** Values at the tick before. */
  readonly prev: Float64Array;
  lastTime = 0;
  prevTime = 0;
  /** When the sampler first saw the object: before that it did not exist, and its history is 0. */
  firstTime = 0;
  /** When the values last changed (ms since the epoch). */
  lastChange = 0;
  /** The sampler tick that last saw the object (objects not seen are gone). */
  seenTick = 0;
  private ring: SampleRing | null = null;

  constructor(readonly width: number) {
    this.last = new Float64Array(width);
    this.prev = new Float64Array(width);
  }

  /** Records the values at `time`; `capacity` is how many samples the window holds. */
  record(time: number, values: ArrayLike<number>, capacity: number, window: number): void {
    let changed = this.lastTime === 0;
    if (this.firstTime === 0) this.firstTime = time;
    for (let i = 0; i < this.width; i++) if (values[i] !== this.last[i]) changed = true;
    this.prev.set(this.last);
    this.prevTime = this.lastTime;
    for (let i = 0; i < this.width; i++) this.last[i] = values[i] ?? 0;
    this.lastTime = time;
    if (changed) {
      this.lastChange = time;
      if (this.ring === null && this.prevTime !== 0) {
        this.ring = new SampleRing(this.width, capacity);
        this.ring.push(this.prevTime, this.prev);
      }
    }
    if (this.ring !== null) {
      if (time - this.lastChange > window) this.ring = null;
      else this.ring.push(time, this.last);
    }
  }

  /** Change per second of field `i` between the last two ticks (0 before there are two). */
  rate(i: number): number {
    if (this.prevTime === 0 || this.lastTime <= this.prevTime) return 0;
    return ((this.last[i] ?? 0) - (this.prev[i] ?? 0)) / ((this.lastTime - this.prevTime) / 1000);
  }

  /** Field `i` as it was at `time`: the latest sample taken at or before it (0 before the first). */
  valueAt(i: number, time: number): number {
    // A chart of a queue made a minute ago starts at 0, not at its first count drawn backwards.
    if (time < this.firstTime) return 0;
    if (this.ring !== null) {
      const v = this.ring.valueAt(i, time);
      if (v !== undefined) return v;
    }
    return this.last[i] ?? 0;
  }
}

/** A fixed-capacity ring of (time, values) samples; the oldest is overwritten. */
class SampleRing {
  private readonly times: Float64Array;
  private readonly values: Float64Array;
  private start = 0;
  private length = 0;

  constructor(
    private readonly width: number,
    private readonly capacity: number,
  ) {
    this.times = new Float64Array(capacity);
    this.values = new Float64Array(capacity * width);
  }

  push(time: number, sample: ArrayLike<number>): void {
    const slot = (this.start + this.length) % this.capacity;
    if (this.length < this.capacity) this.length++;
    else this.start = (this.start + 1) % this.capacity;
    this.times[slot] = time;
    for (let i = 0; i < this.width; i++) this.values[slot * this.width + i] = sample[i] ?? 0;
  }

  /** The latest sample at or before `time`; the oldest one for an earlier time; undefined if empty. */
  valueAt(field: number, time: number): number | undefined {
    if (this.length === 0) return undefined;
    let found = this.start;
    for (let k = this.length - 1; k >= 0; k--) {
      const slot = (this.start + k) % this.capacity;
      if ((this.times[slot] ?? 0) <= time) {
        found = slot;
        break;
      }
    }
    return this.values[found * this.width + field];
  }
}
