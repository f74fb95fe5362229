import type { Registry } from 'prom-client';
import type { MessageCounters } from '../broker/message-counters.js';
import { metric, single, type Sample } from './define.js';
import type { BrokerSnapshot, QueueRow } from './snapshot.js';

const PROTOCOL = { protocol: 'amqp091' } as const;
/** Every Warren queue is a classic queue (x-queue-type is accepted and ignored). */
const CLASSIC = { protocol: 'amqp091', queue_type: 'rabbit_classic_queue' } as const;

/** RabbitMQ's rabbitmq_global_* counters that Warren keeps: name, HELP, labels, where the total is. */
const GLOBAL_COUNTERS: ReadonlyArray<readonly [string, string, typeof PROTOCOL | typeof CLASSIC, (t: MessageCounters) => number]> = [
  ['rabbitmq_global_messages_received_total', 'Total number of messages received from publishers', PROTOCOL, (t) => t.publishIn],
  [
    'rabbitmq_global_messages_received_confirm_total',
    'Total number of messages received from publishers expecting confirmations',
    PROTOCOL,
    (t) => t.receivedConfirm,
  ],
  // Warren counts a message once per queue it enters, as RabbitMQ counts routed messages.
  ['rabbitmq_global_messages_routed_total', 'Total number of messages routed to queues or streams', PROTOCOL, (t) => t.publish],
  [
    'rabbitmq_global_messages_unroutable_dropped_total',
    'Total number of messages published as non-mandatory into an exchange and dropped as unroutable',
    PROTOCOL,
    (t) => t.dropUnroutable,
  ],
  [
    'rabbitmq_global_messages_unroutable_returned_total',
    'Total number of messages published as mandatory into an exchange and returned to the publisher as unroutable',
    PROTOCOL,
    (t) => t.returnUnroutable,
  ],
  ['rabbitmq_global_messages_confirmed_total', 'Total number of messages confirmed to publishers', PROTOCOL, (t) => t.confirm],
  ['rabbitmq_global_messages_delivered_total', 'Total number of messages delivered to consumers', CLASSIC, (t) => t.deliver + t.deliverNoAck + t.get + t.getNoAck],
  [
    'rabbitmq_global_messages_delivered_consume_manual_ack_total',
    'Total number of messages delivered to consumers using basic.consume with manual acknowledgment',
    CLASSIC,
    (t) => t.deliver,
  ],
  [
    'rabbitmq_global_messages_delivered_consume_auto_ack_total',
    'Total number of messages delivered to consumers using basic.consume with automatic acknowledgment',
    CLASSIC,
    (t) => t.deliverNoAck,
  ],
  [
    'rabbitmq_global_messages_delivered_get_manual_ack_total',
    'Total number of messages delivered to consumers using basic.get with manual acknowledgment',
    CLASSIC,
    (t) => t.get,
  ],
  [
    'rabbitmq_global_messages_delivered_get_auto_ack_total',
    'Total number of messages delivered to consumers using basic.get with automatic acknowledgment',
    CLASSIC,
    (t) => t.getNoAck,
  ],
  ['rabbitmq_global_messages_redelivered_total', 'Total number of messages redelivered to consumers', CLASSIC, (t) => t.redeliver],
  ['rabbitmq_global_messages_acknowledged_total', 'Total number of messages acknowledged by consumers', CLASSIC, (t) => t.ack],
];

/** Per-queue gauges (labels vhost and queue, as RabbitMQ's per-object metrics): name, HELP, value. */
const QUEUE_GAUGES: ReadonlyArray<readonly [string, string, (q: QueueRow) => number]> = [
  ['rabbitmq_queue_messages_ready', 'Messages ready to be delivered to consumers', (q) => q.ready],
  ['rabbitmq_queue_messages_unacked', 'Messages delivered to consumers but not yet acknowledged', (q) => q.unacked],
  ['rabbitmq_queue_messages', 'Sum of ready and unacknowledged messages - total queue depth', (q) => q.ready + q.unacked],
  ['rabbitmq_queue_consumers', 'Consumers on a queue', (q) => q.consumers],
  ['rabbitmq_queue_messages_ready_bytes', 'Size in bytes of ready messages', (q) => q.readyBytes],
];

/** Object counts, the global message counters, and one series per queue. */
export function messageMetrics(registry: Registry, snapshot: BrokerSnapshot): void {
  const counts = () => snapshot.counts.get();
  single(registry, 'rabbitmq_connections', 'Connections currently open', 'gauge', () => counts().connections);
  single(registry, 'rabbitmq_channels', 'Channels currently open', 'gauge', () => counts().channels);
  single(registry, 'rabbitmq_consumers', 'Consumers currently connected', 'gauge', () => counts().consumers);
  single(registry, 'rabbitmq_queues', 'Queues available', 'gauge', () => counts().queues);
  metric(registry, { name: 'rabbitmq_global_consumers', help: 'Current number of consumers', kind: 'gauge', labelNames: ['protocol'] }, () => [
    { labels: PROTOCOL, value: counts().consumers },
  ]);
  for (const [name, help, labels, read] of GLOBAL_COUNTERS) {
    metric(registry, { name, help, kind: 'counter', labelNames: Object.keys(labels) }, () => [{ labels, value: read(snapshot.totals.get()) }]);
  }
  for (const [name, help, read] of QUEUE_GAUGES) {
    metric(registry, { name, help, kind: 'gauge', labelNames: ['vhost', 'queue'] }, () => queueSamples(snapshot.queues.get(), read));
  }
}

function queueSamples(rows: readonly QueueRow[], read: (q: QueueRow) => number): Sample[] {
  return rows.map((q) => ({ labels: q.labels, value: read(q) }));
}
