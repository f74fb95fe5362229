import type { Json, JsonObject } from '../json.js';
import type { Series } from './series.js';
import type { SampleRange } from './ranges.js';

const round = (n: number): number => Math.round(n * 100) / 100;

/**
 * `{"rate": r}` for field `i` of a series, or with a range RabbitMQ's full form:
 * `{"avg": a, "avg_rate": ar, "rate": r, "samples": [{"sample": v, "timestamp": t}, ...]}`,
 * samples newest first.
 */
export function details(series: Series | undefined, i: number, range: SampleRange | undefined): JsonObject {
  const rate = series === undefined ? 0 : round(series.rate(i));
  if (range === undefined) return { rate };
  const samples: Json[] = [];
  let sum = 0;
  let newest = 0;
  let oldest = 0;
  let count = 0;
  for (let t = range.last; t >= range.first; t -= range.incr) {
    const v = series === undefined ? 0 : series.valueAt(i, t);
    samples.push({ sample: v, timestamp: t });
    if (count === 0) newest = v;
    oldest = v;
    sum += v;
    count++;
  }
  const span = (range.last - range.first) / 1000;
  return {
    avg: count === 0 ? 0 : round(sum / count),
    avg_rate: span > 0 ? round((newest - oldest) / span) : 0,
    rate,
    samples,
  };
}
