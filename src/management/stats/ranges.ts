import { HttpError } from '../http-error.js';

/** Which query parameters select the history returned with a statistic (RabbitMQ's four kinds). */
export type RangeKind = 'lengths' | 'msg_rates' | 'data_rates' | 'node_stats';

/** Samples wanted: every `incr` ms from `first` to `last` (aligned to `incr`). */
export interface SampleRange {
  readonly first: number;
  readonly last: number;
  readonly incr: number;
}

export type Ranges = Readonly<Partial<Record<RangeKind, SampleRange>>>;

const MAX_SAMPLES = 500;
const KINDS: readonly RangeKind[] = ['lengths', 'msg_rates', 'data_rates', 'node_stats'];

function integerParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || !/^-?\d+$/.test(raw)) return undefined;
  return Number(raw);
}

/** Parses `?lengths_age=60&lengths_incr=5&msg_rates_age=...` as RabbitMQ does (seconds). */
export function parseRanges(query: URLSearchParams, now: number): Ranges {
  const out: Partial<Record<RangeKind, SampleRange>> = {};
  for (const kind of KINDS) {
    const age = integerParam(query, `${kind}_age`);
    const incr = integerParam(query, `${kind}_incr`);
    if (age === undefined || incr === undefined) continue;
    if (!(age > 0 && incr > 0 && Math.floor(age / incr) <= MAX_SAMPLES)) {
      throw new HttpError(400, 'invalid_range_parameters', `Invalid range parameters: age ${age}, incr ${incr}`);
    }
    const step = incr * 1000;
    const last = Math.floor(now / step) * step;
    out[kind] = { first: last - age * 1000, last, incr: step };
  }
  return out;
}
