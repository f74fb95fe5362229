import { availableParallelism } from 'node:os';
import { fileDescriptorLimit } from '../../server/process-info.js';
import { VERSION } from '../../server/config.js';
import type { Json, JsonObject } from '../json.js';
import { NODE_FIELDS } from '../stats/fields.js';
import { addCounters } from './counters.js';
import type { FormatContext } from './format-context.js';
import { NODE_NAME } from './names.js';

export const EXCHANGE_TYPES: readonly JsonObject[] = [
  { name: 'direct', description: 'AMQP direct exchange, as per the AMQP specification', enabled: true },
  { name: 'fanout', description: 'AMQP fanout exchange, as per the AMQP specification', enabled: true },
  { name: 'headers', description: 'AMQP headers exchange, as per the AMQP specification', enabled: true },
  { name: 'topic', description: 'AMQP topic exchange, as per the AMQP specification', enabled: true },
];

const AUTH_MECHANISMS: readonly JsonObject[] = [
  { name: 'PLAIN', description: 'SASL PLAIN authentication mechanism', enabled: true },
  { name: 'AMQPLAIN', description: 'QPid AMQPLAIN mechanism', enabled: true },
];

/** The management listener as RabbitMQ lists its web contexts. */
export function managementContexts(port: number, onNode = false): JsonObject[] {
  const context = { description: 'RabbitMQ Management', path: '/', cowboy_opts: '[{sendfile,false}]', port: String(port) };
  // The overview names the node of each context; a node's own list does not.
  return [onNode ? context : { ssl_opts: [], node: NODE_NAME, ...context }];
}

/**
 * The node as /api/nodes shows it: memory, file descriptors, disk, alarms, uptime, the storage
 * engine's I/O counters and object churn. Erlang VM figures (processes, garbage collection,
 * run queue, mnesia) have no Node.js counterpart and are not reported.
 */
export function formatNode(fc: FormatContext, managementPort: number): JsonObject {
  const broker = fc.broker;
  const node = fc.stats.node;
  const fdTotal = fileDescriptorLimit() ?? 1024;
  const live = node.last.slice();
  live[NODE_FIELDS.indexOf('mem_used')] = process.memoryUsage().rss;
  live[NODE_FIELDS.indexOf('sockets_used')] = broker.connections.size;
  const out: Record<string, Json> = {
    applications: [{ name: 'warren', description: 'Warren, an AMQP 0-9-1 broker', version: VERSION }],
    auth_mechanisms: [...AUTH_MECHANISMS],
    cluster_links: [],
    config_files: [],
    contexts: managementContexts(managementPort, true),
    db_dir: broker.options.dataDir ?? '',
    disk_free_alarm: broker.alarms.has('disk'),
    disk_free_limit: broker.diskFreeLimit,
    enabled_plugins: ['rabbitmq_management'],
    exchange_types: [...EXCHANGE_TYPES],
    fd_total: fdTotal,
    log_files: [],
    mem_alarm: broker.alarms.has('memory'),
    mem_calculation_strategy: 'rss',
    mem_limit: broker.memoryLimit,
    name: NODE_NAME,
    net_ticktime: 60,
    os_pid: String(process.pid),
    partitions: [],
    processors: availableParallelism(),
    rates_mode: 'basic',
    running: true,
    sockets_total: fdTotal,
    type: 'disc',
    uptime: Math.round(process.uptime() * 1000),
  };
  addCounters(out, NODE_FIELDS, live, node, fc.ranges.node_stats);
  return out;
}
