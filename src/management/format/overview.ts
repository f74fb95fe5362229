import { VERSION } from '../../server/config.js';
import type { VirtualHost } from '../../broker/vhost.js';
import { isMonitor, listableVhosts, type ApiUser } from '../api-user.js';
import type { Json, JsonObject } from '../json.js';
import { CHURN_FIELDS, GLOBAL_FIELDS, LENGTH_FIELDS, MESSAGE_GROUPS, NODE_FIELDS } from '../stats/fields.js';
import { addCounters, messageStats } from './counters.js';
import type { FormatContext } from './format-context.js';
import { EXCHANGE_TYPES, managementContexts } from './node.js';
import { NODE_NAME } from './names.js';

/** The RabbitMQ release whose management API Warren implements (clients check this). */
export const RABBITMQ_COMPAT_VERSION = '3.10.8';

const LENGTHS_AT = GLOBAL_FIELDS.indexOf('messages');
const CHURN_AT = NODE_FIELDS.indexOf(CHURN_FIELDS[0]);

function listeners(fc: FormatContext, managementPort: number): JsonObject[] {
  const out: JsonObject[] = [];
  for (const host of fc.broker.options.bind) {
    out.push({ node: NODE_NAME, protocol: 'amqp', ip_address: host, port: fc.broker.port, socket_opts: { backlog: 511, nodelay: true } });
  }
  if (managementPort !== 0) {
    for (const host of fc.broker.options.bind) {
      out.push({ node: NODE_NAME, protocol: 'http', ip_address: host, port: managementPort, socket_opts: { port: managementPort } });
    }
  }
  const prometheus = fc.broker.prometheusPort;
  if (prometheus !== 0) {
    for (const host of fc.broker.options.bind) {
      out.push({ node: NODE_NAME, protocol: 'http/prometheus', ip_address: host, port: prometheus, socket_opts: { port: prometheus, protocol: 'http/prometheus' } });
    }
  }
  return out;
}

/** Counts of objects in the vhosts the user may see (connections and channels: their own unless a monitor). */
function objectTotals(fc: FormatContext, user: ApiUser, vhosts: readonly VirtualHost[]): JsonObject {
  let queues = 0;
  let exchanges = 0;
  let consumers = 0;
  for (const v of vhosts) {
    queues += v.queues.size;
    exchanges += v.exchanges.size;
    for (const q of v.queues.values()) consumers += q.consumerCount;
  }
  let connections = 0;
  let channels = 0;
  for (const c of fc.broker.connections) {
    if (!isMonitor(user) && c.user?.name !== user.name) continue;
    connections++;
    channels += c.channels.size;
  }
  // RabbitMQ counts consumers for monitors only.
  return isMonitor(user) ? { channels, connections, consumers, exchanges, queues } : { channels, connections, exchanges, queues };
}

/** GET /api/overview: versions, totals, message rates, churn, listeners. */
export function formatOverview(fc: FormatContext, user: ApiUser, managementPort: number): JsonObject {
  const allowed = listableVhosts(fc.broker, user);
  const vhosts = [...fc.broker.vhosts.values()].filter((v) => isMonitor(user) || allowed.has(v.name));
  const everything = isMonitor(user);
  const totals = everything ? fc.stats.globalTotals() : fc.stats.globalTotals(vhosts);
  const series = everything ? fc.stats.global : undefined;
  const out: Record<string, Json> = {
    management_version: RABBITMQ_COMPAT_VERSION,
    rates_mode: 'basic',
    sample_retention_policies: { global: [600, 3600, 28800, 86400], basic: [600, 3600], detailed: [600] },
    exchange_types: [...EXCHANGE_TYPES],
    product_version: VERSION,
    product_name: 'Warren',
    rabbitmq_version: RABBITMQ_COMPAT_VERSION,
    cluster_name: fc.broker.settings.clusterName,
    erlang_version: process.versions.node,
    erlang_full_version: `Node.js ${process.version}`,
    release_series_support_status: 'supported',
    disable_stats: false,
    enable_queue_totals: false,
  };
  const groups = [...MESSAGE_GROUPS.map((g) => [...g, 'disk_reads', 'disk_writes'])];
  out['message_stats'] = messageStats(GLOBAL_FIELDS, groups, totals, series, fc.ranges.msg_rates) ?? {};
  const churn: Record<string, Json> = {};
  if (everything) addCounters(churn, CHURN_FIELDS, fc.stats.node.last, fc.stats.node, fc.ranges.msg_rates, CHURN_AT);
  out['churn_rates'] = churn;
  const queueTotals: Record<string, Json> = {};
  if (vhosts.some((v) => v.queues.size > 0)) addCounters(queueTotals, LENGTH_FIELDS, totals, series, fc.ranges.lengths, LENGTHS_AT);
  out['queue_totals'] = queueTotals;
  out['object_totals'] = objectTotals(fc, user, vhosts);
  out['statistics_db_event_queue'] = 0;
  out['node'] = NODE_NAME;
  out['listeners'] = listeners(fc, managementPort);
  out['contexts'] = managementContexts(managementPort);
  return out;
}
