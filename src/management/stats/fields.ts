/**
 * The counters sampled for each kind of object, by their JSON names in RabbitMQ's API. A series
 * stores them in this order; `*_details` are computed from the series by index.
 */

/** A queue's message_stats counters (deliver_get is their sum; get_empty is not counted). */
export const QUEUE_MESSAGE_FIELDS = ['ack', 'deliver', 'deliver_get', 'deliver_no_ack', 'get', 'get_empty', 'get_no_ack', 'publish', 'redeliver'] as const;

/** Queue lengths; a queue's series holds them after its message counters. */
export const LENGTH_FIELDS = ['messages', 'messages_ready', 'messages_unacknowledged'] as const;

export const QUEUE_FIELDS = [...QUEUE_MESSAGE_FIELDS, ...LENGTH_FIELDS] as const;

/** Counters that move together in RabbitMQ (a group shows once one of them is non-zero). */
export const PUBLISH_GROUP = ['publish', 'confirm', 'return_unroutable', 'drop_unroutable'] as const;
export const DELIVER_GROUP = ['ack', 'deliver', 'deliver_get', 'deliver_no_ack', 'get', 'get_empty', 'get_no_ack', 'redeliver'] as const;
export const MESSAGE_GROUPS: readonly (readonly string[])[] = [PUBLISH_GROUP, DELIVER_GROUP];

export const EXCHANGE_FIELDS = ['publish_in', 'publish_out'] as const;

/** Bytes received and sent: a connection's series, and the data part of vhost and global series. */
export const DATA_FIELDS = ['recv_oct', 'send_oct'] as const;

/** A vhost's (and the overview's) message_stats: channel-side publish counters, then the queues'. */
export const VHOST_MESSAGE_FIELDS = [
  'ack',
  'confirm',
  'deliver',
  'deliver_get',
  'deliver_no_ack',
  'drop_unroutable',
  'get',
  'get_empty',
  'get_no_ack',
  'publish',
  'redeliver',
  'return_unroutable',
] as const;

export const VHOST_FIELDS = [...VHOST_MESSAGE_FIELDS, ...LENGTH_FIELDS, ...DATA_FIELDS] as const;

/** A channel's message_stats: the same counters as a vhost's, counted by the channel itself. */
export const CHANNEL_FIELDS = VHOST_MESSAGE_FIELDS;

/** The overview adds the store's counters to the vhost fields. */
export const GLOBAL_MESSAGE_FIELDS = [...VHOST_MESSAGE_FIELDS, 'disk_reads', 'disk_writes'] as const;

export const GLOBAL_FIELDS = [...GLOBAL_MESSAGE_FIELDS, ...LENGTH_FIELDS, ...DATA_FIELDS] as const;

/** Objects created and removed (the overview's churn_rates, also on the node). */
export const CHURN_FIELDS = [
  'channel_closed',
  'channel_created',
  'connection_closed',
  'connection_created',
  'queue_created',
  'queue_declared',
  'queue_deleted',
] as const;

/** The node's resource gauges and the storage engine's counters. */
export const NODE_FIELDS = [
  'mem_used',
  'fd_used',
  'sockets_used',
  'disk_free',
  'io_sync_count',
  'io_write_bytes',
  ...CHURN_FIELDS,
] as const;

/** Index of `name` in a field list (the lists are short; callers index once per response). */
export function fieldIndex<T extends string>(fields: readonly T[], name: T): number {
  return fields.indexOf(name);
}
