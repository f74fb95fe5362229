import type { Exchange } from '../../broker/exchange.js';
import type { Json, JsonObject } from '../json.js';
import { EXCHANGE_FIELDS } from '../stats/fields.js';
import { tableJson } from './arguments.js';
import { addCounters, anyActivity } from './counters.js';
import type { FormatContext } from './format-context.js';

export const EXCHANGE_BASIC_COLUMNS = ['name', 'vhost', 'type', 'durable', 'auto_delete', 'internal'];

/** Exchanges the broker declares itself: RabbitMQ names `rmq-internal` as their creator. */
function isBuiltIn(x: Exchange): boolean {
  return x.name === '' || x.name.startsWith('amq.');
}

export function exchangeBasic(vhost: string, x: Exchange): JsonObject {
  return { name: x.name, vhost, type: x.type, durable: x.durable, auto_delete: x.autoDelete, internal: x.internal };
}

/**
 * An exchange as /api/exchanges shows it; `detail` adds incoming and outgoing (per-channel
 * statistics, which Warren does not keep: always empty). The creator of a user-declared
 * exchange is not recorded, so user_who_performed_action is '' for those.
 */
export function formatExchange(fc: FormatContext, vhost: string, x: Exchange, detail = false): JsonObject {
  const out: Record<string, Json> = {
    arguments: tableJson(x.arguments),
    auto_delete: x.autoDelete,
    durable: x.durable,
  };
  if (detail) out['incoming'] = [];
  out['internal'] = x.internal;
  const counters = [x.stats.publishIn, x.stats.publishOut];
  if (anyActivity(counters, 0, counters.length)) {
    const stats: Record<string, Json> = {};
    addCounters(stats, EXCHANGE_FIELDS, counters, fc.stats.exchangeSeries(x), fc.ranges.msg_rates);
    out['message_stats'] = stats;
  }
  out['name'] = x.name;
  if (detail) out['outgoing'] = [];
  out['type'] = x.type;
  out['user_who_performed_action'] = isBuiltIn(x) ? 'rmq-internal' : '';
  out['vhost'] = vhost;
  return out;
}
