import type { Json } from '../json.js';
import { details } from '../stats/details.js';
import type { SampleRange } from '../stats/ranges.js';
import type { Series } from '../stats/series.js';

/**
 * Adds `name` and `name_details` for each counter: `values[i]` is the current value of
 * `names[i]`, which is field `offset + i` of the series.
 */
export function addCounters(
  out: Record<string, Json>,
  names: readonly string[],
  values: ArrayLike<number>,
  series: Series | undefined,
  range: SampleRange | undefined,
  offset = 0,
): void {
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    out[name] = values[offset + i] ?? 0;
    out[`${name}_details`] = details(series, offset + i, range);
  }
}

/** True when any of the counters is non-zero (RabbitMQ shows message_stats only after activity). */
export function anyActivity(values: ArrayLike<number>, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if ((values[i] ?? 0) !== 0) return true;
  return false;
}

/**
 * message_stats as RabbitMQ shows them: counters come in groups (publishing, delivering) and a
 * group appears once one of its counters has moved. `fields` is the series layout.
 */
export function messageStats(
  fields: readonly string[],
  groups: readonly (readonly string[])[],
  values: ArrayLike<number>,
  series: Series | undefined,
  range: SampleRange | undefined,
): Record<string, Json> | undefined {
  const shown = groups.filter((g) => g.some((name) => (values[fields.indexOf(name)] ?? 0) !== 0)).flat();
  if (shown.length === 0) return undefined;
  const out: Record<string, Json> = {};
  for (const name of [...fields].filter((f) => shown.includes(f))) {
    const i = fields.indexOf(name);
    out[name] = values[i] ?? 0;
    out[`${name}_details`] = details(series, i, range);
  }
  return out;
}
