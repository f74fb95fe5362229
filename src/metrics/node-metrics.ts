import { fileDescriptorLimit, openFileDescriptors } from '../server/process-info.js';
import { statfs } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Gauge, type Registry } from 'prom-client';
import type { Broker } from '../server/broker.js';
import { VERSION } from '../server/config.js';
import { NODE_NAME } from '../management/format/names.js';
import { RABBITMQ_COMPAT_VERSION } from '../management/format/overview.js';
import { metric, single } from './define.js';

/**
 * The node's figures, as RabbitMQ's core collector names them: memory and its alarm limit, free
 * disk and its limit, alarms, file descriptors, sockets, storage I/O, connection churn, and the
 * build and identity info series.
 */
export function nodeMetrics(registry: Registry, broker: Broker): void {
  const gauge = (name: string, help: string, read: () => number) => single(registry, name, help, 'gauge', read);
  gauge('rabbitmq_process_resident_memory_bytes', 'Memory used in bytes', () => process.memoryUsage.rss());
  gauge('rabbitmq_resident_memory_limit_bytes', 'Memory high watermark in bytes', () => broker.memoryLimit);
  diskFree(registry, broker);
  gauge('rabbitmq_disk_space_available_limit_bytes', 'Free disk space low watermark in bytes', () => broker.diskFreeLimit);
  if (process.platform === 'linux') {
    gauge('rabbitmq_process_open_fds', 'Open file descriptors', () => openFileDescriptors() ?? Number.NaN);
    gauge('rabbitmq_process_max_fds', 'Open file descriptors limit', () => fileDescriptorLimit() ?? Number.NaN);
  }
  gauge('rabbitmq_process_open_tcp_sockets', 'Open TCP sockets', () => broker.openSockets);
  const alarm = (name: string, help: string, alarmName: string) => single(registry, name, help, 'untyped', () => (broker.alarms.has(alarmName) ? 1 : 0));
  alarm('rabbitmq_alarms_memory_used_watermark', 'is 1 if VM memory watermark alarm is in effect', 'memory');
  alarm('rabbitmq_alarms_free_disk_space_watermark', 'is 1 if free disk space watermark alarm is in effect', 'disk');
  const total = (name: string, help: string, read: () => number) => single(registry, name, help, 'counter', read);
  total('rabbitmq_io_sync_ops_total', 'Total number of I/O sync operations', () => broker.storageStats().syncs);
  total('rabbitmq_io_write_bytes_total', 'Total number of I/O bytes written', () => broker.storageStats().bytesWritten);
  total('rabbitmq_connections_opened_total', 'Total number of connections opened', () => broker.connectionsOpened);
  total('rabbitmq_connections_closed_total', 'Total number of connections closed or terminated', () => broker.connectionsClosed);
  const info = (name: string, help: string, labels: Readonly<Record<string, string>>) =>
    metric(registry, { name, help, kind: 'untyped', labelNames: Object.keys(labels) }, () => [{ labels, value: 1 }]);
  info('rabbitmq_build_info', 'RabbitMQ & Erlang/OTP version info', {
    rabbitmq_version: RABBITMQ_COMPAT_VERSION,
    prometheus_plugin_version: VERSION,
    prometheus_client_version: promClientVersion(),
  });
  info('rabbitmq_identity_info', 'RabbitMQ node & cluster identity info', { rabbitmq_node: NODE_NAME, rabbitmq_cluster: broker.settings.clusterName });
}

/** Free space on the data directory's file system (the working directory's without one). */
function diskFree(registry: Registry, broker: Broker): void {
  const dir = broker.options.dataDir ?? process.cwd();
  new Gauge({
    name: 'rabbitmq_disk_space_available_bytes',
    help: 'Disk space available in bytes',
    registers: [registry],
    async collect() {
      try {
        const s = await statfs(dir);
        this.set(s.bavail * s.bsize);
      } catch {
        this.set(Number.NaN);
      }
    },
  });
}

function promClientVersion(): string {
  try {
    const pkg: unknown = createRequire(import.meta.url)('prom-client/package.json');
    const version = typeof pkg === 'object' && pkg !== null ? (pkg as { version?: unknown }).version : undefined;
    return typeof version === 'string' ? version : '';
  } catch {
    return '';
  }
}
