/**
 * What Warren's management API leaves out of RabbitMQ's answers, by scenario response (see
 * fixtures.test.ts), and the few answers that differ on purpose. README "Differences from
 * RabbitMQ" says the same in prose.
 */
import type { ShapeRules } from './shape.js';

/** Erlang process figures a Node.js broker does not have. */
const PROCESS = ['garbage_collection', 'reductions', 'reductions_details'];

/** A classic queue's storage internals and the split of its messages by persistence and paging. */
const QUEUE = [
  ...PROCESS,
  'backing_queue_status',
  'messages_ram',
  'messages_ready_ram',
  'messages_unacknowledged_ram',
  'messages_persistent',
  'messages_paged_out',
  'message_bytes_ram',
  'message_bytes_persistent',
  'message_bytes_paged_out',
];

/** Channels: only the Erlang process figures. */
const CHANNEL = PROCESS;

/** Erlang VM and mnesia counters of a node. */
const NODE = [
  'proc_total', 'proc_used', 'proc_used_details', 'run_queue', 'ra_open_file_metrics', 'metrics_gc_queue_length',
  'gc_num', 'gc_num_details', 'gc_bytes_reclaimed', 'gc_bytes_reclaimed_details', 'context_switches', 'context_switches_details',
  'io_read_count', 'io_read_count_details', 'io_read_bytes', 'io_read_bytes_details', 'io_read_avg_time', 'io_read_avg_time_details',
  'io_write_count', 'io_write_count_details', 'io_write_avg_time', 'io_write_avg_time_details', 'io_sync_avg_time', 'io_sync_avg_time_details',
  'io_seek_count', 'io_seek_count_details', 'io_seek_avg_time', 'io_seek_avg_time_details', 'io_reopen_count', 'io_reopen_count_details',
  'mnesia_ram_tx_count', 'mnesia_ram_tx_count_details', 'mnesia_disk_tx_count', 'mnesia_disk_tx_count_details',
  'msg_store_read_count', 'msg_store_read_count_details', 'msg_store_write_count', 'msg_store_write_count_details',
  'queue_index_write_count', 'queue_index_write_count_details', 'queue_index_read_count', 'queue_index_read_count_details',
];

const each = (keys: readonly string[], prefix = '*'): string[] => keys.map((k) => `${prefix}.${k}`);

export const NOT_REPORTED: Record<string, ShapeRules> = {
  queue: { missingOk: QUEUE },
  'queue-ranged': { missingOk: QUEUE },
  'queue-idle': { missingOk: QUEUE },
  queues: { missingOk: each(QUEUE) },
  'queues-vhost': { missingOk: each(QUEUE) },
  'queues-page': { missingOk: each(QUEUE, 'items.*') },
  channel: { missingOk: CHANNEL },
  channels: { missingOk: each(CHANNEL) },
  'vhost-channels': { missingOk: each(CHANNEL) },
  'connection-channels': { missingOk: each(CHANNEL) },
  connection: { missingOk: PROCESS },
  connections: { missingOk: each(PROCESS) },
  'vhost-connections': { missingOk: each(PROCESS) },
  node: { missingOk: NODE },
  nodes: { missingOk: each(NODE) },
  // RabbitMQ's queue_totals is a map, which ?columns does not descend into; Warren filters it.
  'overview-columns': { opaque: ['queue_totals'] },
};

export interface KnownDifference {
  readonly status?: number;
  readonly body?: unknown;
}

export const KNOWN_DIFFERENCES: Record<string, KnownDifference> = {
  // RabbitMQ says "unknown" the first time a type name is seen and "invalid" once the name is an
  // Erlang atom; Warren always gives the AMQP reply's wording.
  'put-exchange-bad-type': { body: { error: 'bad_request', reason: "unknown exchange type 'bogus'" } },
};
