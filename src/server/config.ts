import { hostname } from 'node:os';
import type { AmqpSettings } from '../amqp/context.js';

/** Options of an in-process or command-line broker. Every field has a default. */
export interface BrokerOptions {
  /** AMQP port; 0 picks a free one. Default 5672. */
  port?: number;
  /** Addresses to listen on. Default: the loopback address of both families. */
  bind?: readonly string[];
  /**
   * Port of the management HTTP API (0 picks a free one). Off when null or absent, so that
   * in-process brokers do not compete for 15672; bin/warren defaults it to 15672.
   */
  managementPort?: number | null;
  /**
   * Port of the Prometheus metrics endpoint (`/metrics`; 0 picks a free one). Off when null or
   * absent, so that in-process brokers do not compete for 15692; bin/warren defaults it to 15692.
   */
  prometheusPort?: number | null;
  /**
   * Directory for durable data: definitions, and the messages of durable queues. Without one the
   * broker keeps everything in memory (the default of startBroker(); bin/warren uses ./warren-data).
   */
  dataDir?: string | null;
  /**
   * fdatasync before a publisher confirm or declare-ok is sent (default true). Off: confirmed once
   * written to the OS, which survives a crash of the broker but not of the machine.
   */
  fsync?: boolean;
  /** Free disk space (bytes) below which publishers are blocked (disk_free_limit). Default 50 MB. */
  diskFreeLimit?: number;
  /** Size in bytes at which a durable queue starts a new segment file. Default 8 MiB. */
  segmentSize?: number;
  /** pino level: fatal, error, warn, info, debug, trace, silent. */
  logLevel?: string;
  /** Heartbeat interval the server proposes, in seconds (0 disables). Default 60. */
  heartbeat?: number;
  /** Largest frame the server accepts, in bytes. Default 131072. */
  frameMax?: number;
  /** Highest channel number per connection. Default 2047. */
  channelMax?: number;
  /** Largest message body accepted, in bytes. Default 128 MiB (RabbitMQ 3.x's max_message_size). */
  maxMessageSize?: number;
  /**
   * Memory alarm threshold as a fraction of the machine's memory (RabbitMQ's
   * vm_memory_high_watermark.relative). Default 0.4. Publishers are blocked above it.
   */
  memoryHighWatermark?: number;
  /** Users allowed to log in from loopback addresses only. Default ['guest']. */
  loopbackUsers?: readonly string[];
  /** The user created at start. Default guest/guest. */
  defaultUser?: string;
  defaultPass?: string;
}

export interface ResolvedOptions {
  readonly port: number;
  readonly bind: readonly string[];
  readonly managementPort: number | null;
  readonly prometheusPort: number | null;
  readonly dataDir: string | null;
  readonly fsync: boolean;
  readonly diskFreeLimit: number;
  readonly segmentSize: number;
  readonly logLevel: string;
  readonly loopbackUsers: readonly string[];
  readonly memoryHighWatermark: number;
  readonly defaultUser: string;
  readonly defaultPass: string;
  readonly amqp: AmqpSettings;
}

export const VERSION = '0.1.0';
export const DEFAULT_BIND: readonly string[] = ['127.0.0.1', '::1'];

export function resolveOptions(o: BrokerOptions): ResolvedOptions {
  const frameMax = o.frameMax ?? 131072;
  if (frameMax < 4096) throw new Error(`frameMax must be at least 4096, got ${frameMax}`);
  return {
    port: o.port ?? 5672,
    bind: o.bind !== undefined && o.bind.length > 0 ? o.bind : DEFAULT_BIND,
    managementPort: o.managementPort ?? null,
    prometheusPort: o.prometheusPort ?? null,
    dataDir: o.dataDir ?? null,
    fsync: o.fsync ?? true,
    diskFreeLimit: o.diskFreeLimit ?? 50_000_000,
    segmentSize: o.segmentSize ?? 8 * 1024 * 1024,
    logLevel: o.logLevel ?? 'info',
    loopbackUsers: o.loopbackUsers ?? ['guest'],
    memoryHighWatermark: o.memoryHighWatermark ?? 0.4,
    defaultUser: o.defaultUser ?? 'guest',
    defaultPass: o.defaultPass ?? 'guest',
    amqp: {
      frameMax,
      channelMax: o.channelMax ?? 2047,
      heartbeat: o.heartbeat ?? 60,
      maxMessageSize: o.maxMessageSize ?? 128 * 1024 * 1024,
      handshakeTimeoutMs: 10_000,
      product: 'Warren',
      version: VERSION,
      clusterName: `warren@${hostname()}`,
    },
  };
}
