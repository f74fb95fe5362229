import type { Queue } from '../../queue/queue.js';
import { Consumer } from '../../amqp/consumer.js';
import { Connection } from '../../amqp/connection.js';
import { tableJson } from './arguments.js';
import type { Json, JsonObject } from '../json.js';
import { LENGTH_FIELDS, MESSAGE_GROUPS, QUEUE_MESSAGE_FIELDS } from '../stats/fields.js';
import { queueCounters } from '../stats/stats-db.js';
import { addCounters, messageStats } from './counters.js';
import { formatConsumer } from './consumer.js';
import type { FormatContext } from './format-context.js';
import { connectionEndpoints, formatTimestamp, NODE_NAME } from './names.js';

const LENGTHS_AT = QUEUE_MESSAGE_FIELDS.length;

/** Columns of a queue that cost nothing to compute (sorting and filtering use them). */
export const QUEUE_BASIC_COLUMNS = [
  'name', 'vhost', 'durable', 'auto_delete', 'exclusive', 'consumers', 'messages', 'messages_ready',
  'messages_unacknowledged', 'state', 'type', 'node', 'message_bytes_ready',
];

export function queueBasic(q: Queue): JsonObject {
  const ready = q.messageCount;
  return {
    name: q.name,
    vhost: q.vhost,
    durable: q.durable,
    auto_delete: q.autoDelete,
    exclusive: q.exclusiveOwner !== null,
    consumers: q.consumerCount,
    messages: ready + q.unackedCount,
    messages_ready: ready,
    messages_unacknowledged: q.unackedCount,
    state: 'running',
    type: 'classic',
    node: NODE_NAME,
    message_bytes_ready: q.messageBytes,
  };
}

/** A rough memory figure: per-message bookkeeping plus the bodies held (RabbitMQ reports the process's). */
function memoryEstimate(q: Queue): number {
  return 2048 + (q.messageCount + q.unackedCount) * 96 + q.messageBytes;
}

/**
 * A queue as /api/queues lists it; `detail` adds consumer_details, deliveries and incoming as
 * /api/queues/{vhost}/{name} does. Erlang process internals (garbage_collection, reductions,
 * backing_queue_status) are not reported, nor how many messages are persistent or paged out.
 */
export function formatQueue(fc: FormatContext, q: Queue, detail = false): JsonObject {
  const counters = queueCounters(q);
  const series = fc.stats.queueSeries(q);
  const lengthsRange = fc.ranges.lengths;
  const unackedBytes = fc.unackedBytesOf(q);
  const exclusive = q.exclusiveConsumer;
  const out: Record<string, Json> = {};
  if (detail) out['consumer_details'] = q.consumers.filter((c) => c instanceof Consumer).map((c) => formatConsumer(c as Consumer));
  out['arguments'] = tableJson(q.arguments);
  out['auto_delete'] = q.autoDelete;
  out['consumer_capacity'] = q.consumerCount > 0 ? 1 : 0;
  out['consumer_utilisation'] = q.consumerCount > 0 ? 1 : 0;
  out['consumers'] = q.consumerCount;
  if (detail) out['deliveries'] = [];
  out['durable'] = q.durable;
  out['effective_policy_definition'] = {};
  out['exclusive'] = q.exclusiveOwner !== null;
  out['exclusive_consumer_tag'] = exclusive?.tag ?? null;
  out['head_message_timestamp'] = null;
  if (detail && q.exclusiveOwner instanceof Connection) {
    const e = connectionEndpoints(q.exclusiveOwner);
    out['owner_pid_details'] = { name: e.name, peer_host: e.peerHost, peer_port: e.peerPort };
  }
  // RabbitMQ reports idle_since only while a queue is idle: not when the last sample saw it change.
  const active = series !== undefined && series.lastChange !== 0 && series.lastChange === series.lastTime && series.prevTime !== 0;
  if (!active) out['idle_since'] = formatTimestamp(series?.lastChange || fc.stats.seenSince(q));
  if (detail) out['incoming'] = [];
  out['memory'] = memoryEstimate(q);
  out['message_bytes'] = q.messageBytes + unackedBytes;
  out['message_bytes_ready'] = q.messageBytes;
  out['message_bytes_unacknowledged'] = unackedBytes;
  const stats = messageStats(QUEUE_MESSAGE_FIELDS, MESSAGE_GROUPS, counters, series, fc.ranges.msg_rates);
  if (stats !== undefined) out['message_stats'] = stats;
  addCounters(out, LENGTH_FIELDS, counters, series, lengthsRange, LENGTHS_AT);
  out['name'] = q.name;
  out['node'] = NODE_NAME;
  out['operator_policy'] = null;
  out['policy'] = null;
  out['recoverable_slaves'] = null;
  out['single_active_consumer_tag'] = q.limits.singleActiveConsumer ? (q.consumers[0]?.tag ?? null) : null;
  out['state'] = 'running';
  out['type'] = 'classic';
  out['vhost'] = q.vhost;
  return out;
}
