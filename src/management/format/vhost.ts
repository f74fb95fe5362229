import type { VirtualHost } from '../../broker/vhost.js';
import type { Json, JsonObject } from '../json.js';
import { DATA_FIELDS, LENGTH_FIELDS, MESSAGE_GROUPS, VHOST_FIELDS } from '../stats/fields.js';
import { addCounters, anyActivity, messageStats } from './counters.js';
import type { FormatContext } from './format-context.js';
import { NODE_NAME } from './names.js';

const LENGTHS_AT = VHOST_FIELDS.indexOf('messages');
const DATA_AT = VHOST_FIELDS.indexOf('recv_oct');

export const VHOST_BASIC_COLUMNS = ['name', 'description', 'tracing'];

export function vhostBasic(v: VirtualHost): JsonObject {
  return { name: v.name, description: v.description, tracing: false };
}

/** A vhost's own fields (also the whole of GET /api/vhosts/{name} before it has statistics). */
function vhostMetadata(v: VirtualHost): Record<string, Json> {
  return {
    cluster_state: { [NODE_NAME]: 'running' },
    default_queue_type: 'undefined',
    description: v.description,
    metadata: { description: v.description, tags: [...v.tags] },
    name: v.name,
    tags: [...v.tags],
    tracing: false,
  };
}

/** A vhost with its message statistics, queue totals and bytes through its connections. */
export function formatVhost(fc: FormatContext, v: VirtualHost): JsonObject {
  const totals = fc.stats.vhostTotals(v);
  const series = fc.stats.vhostSeries(v.name);
  const out = vhostMetadata(v);
  const stats = messageStats(VHOST_FIELDS, MESSAGE_GROUPS, totals, series, fc.ranges.msg_rates);
  if (stats !== undefined) out['message_stats'] = stats;
  // A vhost that never had queues or connections has no statistics yet, as in RabbitMQ.
  if (v.queues.size > 0 || anyActivity(totals, 0, VHOST_FIELDS.length)) {
    addCounters(out, LENGTH_FIELDS, totals, series, fc.ranges.lengths, LENGTHS_AT);
    addCounters(out, DATA_FIELDS, totals, series, fc.ranges.data_rates, DATA_AT);
  }
  return out;
}
