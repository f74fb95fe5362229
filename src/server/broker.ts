import { createServer, type Server, type Socket } from 'node:net';
import { pino, type Logger } from 'pino';
import type { AmqpSettings, BrokerContext } from '../amqp/context.js';
import { Connection } from '../amqp/connection.js';
import { DirectReplyRegistry } from '../amqp/direct-reply.js';
import { UserStore } from '../broker/users.js';
import { VirtualHost } from '../broker/vhost.js';
import { resolveOptions, type BrokerOptions, type ResolvedOptions } from './config.js';
import { MemoryMonitor } from './memory-monitor.js';
import { DiskStore } from '../store/disk-store.js';
import { DefinitionsJournal } from '../broker/definitions.js';
import { DiskMonitor } from './disk-monitor.js';
import { join } from 'node:path';
import { ManagementServer } from '../management/server.js';
import { MetricsServer } from '../metrics/server.js';
import { MessageCounters } from '../broker/message-counters.js';
import { listenOnAll } from './listen.js';

/** Counters of the storage engine since the broker started. */
export interface StorageStats {
  /** fdatasync batches completed (group commits). */
  readonly syncs: number;
  /** Bytes appended to message segments, ack files and the definitions log. */
  readonly bytesWritten: number;
}

/** The one coarse timer: heartbeats (half an interval of 1 s at the least), handshake timeouts, alarms. */
const TICK_MS = 500;

/**
 * The broker process: listeners, connections, virtual hosts, users and the one coarse timer
 * that drives heartbeats and handshake timeouts.
 */
export class Broker implements BrokerContext {
  readonly options: ResolvedOptions;
  readonly settings: AmqpSettings;
  readonly log: Logger;
  readonly users = new UserStore();
  readonly directReply = new DirectReplyRegistry();
  readonly alarms = new Set<string>();
  readonly vhosts = new Map<string, VirtualHost>();
  readonly connections = new Set<Connection>();
  /** When each connection's socket was accepted (the management API's connected_at). */
  readonly connectedAt = new WeakMap<Connection, number>();
  /** Every accepted socket's connection, including those still in their handshake. */
  private readonly sockets = new Map<Socket, Connection>();
  private readonly servers: Server[] = [];
  private ticker: NodeJS.Timeout | null = null;
  private memory: MemoryMonitor;
  /** The storage engine; null for a broker that keeps everything in memory. */
  readonly store: DiskStore | null = null;
  private readonly journal: DefinitionsJournal | null = null;
  private readonly disk: DiskMonitor | null = null;
  /** The management HTTP API (and its UNIX socket); null until listen(), or when neither is on. */
  management: ManagementServer | null = null;
  /** Prometheus metrics (`/metrics`); null until listen(), or when prometheusPort is null. */
  metrics: MetricsServer | null = null;
  /** Message counters of deleted virtual hosts (their vhost's totals at deletion). */
  readonly retired = new MessageCounters();
  /** AMQP connections that completed connection.open, and those of them that have closed. */
  connectionsOpened = 0;
  connectionsClosed = 0;
  /** Free disk space (bytes) below which publishers are blocked. */
  diskFreeLimit: number;
  port = 0;

  constructor(options: BrokerOptions = {}, logger?: Logger) {
    this.options = resolveOptions(options);
    this.settings = this.options.amqp;
    this.log = logger ?? pino({ level: this.options.logLevel, base: null });
    for (const u of this.options.loopbackUsers) this.users.loopbackUsers.add(u);
    this.users.onUserDeleted = (name) => {
      for (const c of [...this.connections]) {
        if (c.user?.name === name) c.close(320, `CONNECTION_FORCED - user '${name}' is deleted`, 0, 0);
      }
    };
    this.memory = new MemoryMonitor(this.options.memoryHighWatermark);
    this.diskFreeLimit = this.options.diskFreeLimit;
    const dataDir = this.options.dataDir;
    if (dataDir === null) {
      this.createDefaults();
      return;
    }
    const started = Date.now();
    this.store = new DiskStore({ dir: dataDir, fsync: this.options.fsync, segmentSize: this.options.segmentSize, log: this.log });
    const journal = new DefinitionsJournal(this.store);
    // Replay with journaling off: recreating objects must not log them again.
    const recovered = journal.restore(this.vhosts, this.users, (name) => this.makeVhost(name), this.log);
    this.journal = journal;
    for (const v of this.vhosts.values()) v.journal = journal;
    this.users.journal = journal;
    if (!recovered.initialized) {
      this.createDefaults();
      journal.initialized();
    }
    this.disk = new DiskMonitor(dataDir, this.options.diskFreeLimit);
    this.log.info(
      { dataDir, ...recovered, cleanShutdown: this.store.cleanStart, ms: Date.now() - started },
      this.store.cleanStart ? 'recovered durable state' : 'recovered durable state after an unclean shutdown: recovered messages are marked redelivered',
    );
  }

  /** A fresh broker's defaults, as RabbitMQ's: vhost '/', the default user with all rights there. */
  private createDefaults(): void {
    this.addVhost('/', { description: 'Default virtual host' });
    const user = this.options.defaultUser;
    this.users.putUser(user, this.options.defaultPass, ['administrator']);
    this.users.setPermissions({ user, vhost: '/', configure: '.*', write: '.*', read: '.*' });
  }

  /** Creates a virtual host (or updates its metadata); returns it. */
  addVhost(name: string, meta: { description?: string; tags?: readonly string[] } = {}): VirtualHost {
    let v = this.vhosts.get(name);
    if (v === undefined) this.vhosts.set(name, (v = this.makeVhost(name)));
    if (meta.description !== undefined) v.description = meta.description;
    if (meta.tags !== undefined) v.tags = [...meta.tags];
    this.journal?.vhostAdded(v);
    return v;
  }

  /**
   * Deletes a virtual host: its connections are closed, its queues (and their messages) and
   * exchanges deleted, and its permissions removed. False if there is no such vhost.
   */
  deleteVhost(name: string): boolean {
    const v = this.vhosts.get(name);
    if (v === undefined) return false;
    for (const c of [...this.connections]) {
      if (c.vhost === v) c.close(320, `CONNECTION_FORCED - vhost '${name}' is deleted`, 0, 0);
    }
    this.journal?.vhostDeleted(v);
    v.journal = null;
    for (const q of [...v.queues.values()]) v.removeQueue(q);
    v.addTotals(this.retired);
    this.vhosts.delete(name);
    this.users.dropVhost(name);
    return true;
  }

  private makeVhost(name: string): VirtualHost {
    const v = new VirtualHost(name);
    v.onError = (err, context) => this.log.error({ err, context }, 'internal error');
    v.journal = this.journal;
    return v;
  }

  definitionsGeneration(): number {
    return this.store?.definitionsGeneration ?? 0;
  }

  /** Rewrites the definitions log as a snapshot of what exists now (done when it has grown 4×). */
  compactDefinitions(): void {
    if (this.store === null || this.journal === null) return;
    const started = Date.now();
    try {
      this.store.rewriteDefinitions(this.journal.snapshot(this.vhosts, this.users, true));
      this.log.info({ ms: Date.now() - started }, 'compacted the definitions log');
    } catch (err) {
      // The old log is intact until the rename; appending to it goes on.
      this.log.error({ err }, 'compacting the definitions log failed');
    }
  }

  /** Calls `done` once everything stored so far is on disk (at once without a data directory). */
  whenDurable(done: (ok: boolean) => void): void {
    if (this.store === null) done(true);
    else this.store.whenDurable(done);
  }

  /** Changes the free-disk limit (bytes) at run time, as rabbitmqctl set_disk_free_limit. */
  setDiskFreeLimit(bytes: number): void {
    this.diskFreeLimit = bytes;
    this.disk?.setLimit(bytes);
    this.checkDisk();
  }

  private checkDisk(): void {
    this.disk?.check((low, free, limit) => {
      if (low === this.alarms.has('disk')) return;
      this.log.warn({ free, limit }, low ? 'disk alarm set: free disk space is below the limit, publishers are blocked' : 'disk alarm cleared');
      this.setAlarm('disk', low);
    });
  }

  /** Counters of the storage engine, for warrenperf and the management API. */
  storageStats(): StorageStats {
    return this.store?.stats() ?? { syncs: 0, bytesWritten: 0 };
  }

  vhost(name: string): VirtualHost | undefined {
    return this.vhosts.get(name);
  }

  connectionOpened(connection: Connection): void {
    this.connections.add(connection);
    this.connectionsOpened++;
  }

  connectionClosed(connection: Connection): void {
    if (this.connections.delete(connection)) this.connectionsClosed++;
  }

  /** Accepted AMQP sockets, those still in their handshake included. */
  get openSockets(): number {
    return this.sockets.size;
  }

  /** The memory alarm's threshold in bytes. */
  get memoryLimit(): number {
    return this.memory.limitBytes;
  }

  /** The port the management API listens on; 0 when it is off. */
  get managementPort(): number {
    return this.management?.port ?? 0;
  }

  /** The port Prometheus metrics are served on; 0 when they are off. */
  get prometheusPort(): number {
    return this.metrics?.port ?? 0;
  }

  /** Changes the memory alarm threshold (a fraction of the machine's memory) at run time. */
  setMemoryHighWatermark(relative: number): void {
    this.memory = new MemoryMonitor(relative);
  }

  /** Starts or ends a resource alarm; publishers are blocked while any alarm is in effect. */
  setAlarm(name: string, active: boolean): void {
    if (active === this.alarms.has(name)) return;
    if (active) this.alarms.add(name);
    else this.alarms.delete(name);
    if (this.alarms.size === 0) for (const c of this.connections) c.setBlocked(null);
  }

  private readonly onSocket = (socket: Socket): void => {
    const connection = new Connection(socket, this);
    this.connectedAt.set(connection, Date.now());
    this.sockets.set(socket, connection);
    socket.on('close', () => this.sockets.delete(socket));
  };

  /** Listens on every bind address, all on the same port (a free one when port is 0). */
  async listen(): Promise<void> {
    const { servers, port } = await listenOnAll(this.options.bind, this.options.port, () => createServer({ noDelay: true }, this.onSocket));
    this.servers.push(...servers);
    this.port = port;
    this.ticker = setInterval(() => {
      for (const c of this.sockets.values()) {
        try {
          c.tick(TICK_MS);
        } catch (err) {
          this.log.error({ err }, 'internal error in connection timer');
        }
      }
      const over = this.memory.overLimit();
      if (over !== this.alarms.has('memory')) {
        this.log.warn({ limit: this.memory.limitBytes, rss: process.memoryUsage().rss }, over ? 'memory alarm set: publishers are blocked' : 'memory alarm cleared');
        this.setAlarm('memory', over);
      }
      this.checkDisk();
      this.store?.reclaim();
      if (this.store?.definitionsNeedCompaction() === true) this.compactDefinitions();
    }, TICK_MS);
    this.ticker.unref();
    this.checkDisk();
    try {
      await this.startManagement();
      await this.startMetrics();
    } catch (err) {
      // A taken management or Prometheus port: nothing of this broker stays open behind the error.
      await this.close();
      throw err;
    }
  }

  /**
   * The management API on the management port (same bind addresses as AMQP), and with a data
   * directory also on `<dataDir>/management.sock` (no login, owner-only) for warrenctl.
   */
  private async startManagement(): Promise<void> {
    const port = this.options.managementPort;
    const dataDir = this.options.dataDir;
    if (port === null && dataDir === null) return;
    const management = new ManagementServer(this);
    this.management = management;
    if (port !== null) await management.listen(this.options.bind, port);
    if (dataDir !== null) await management.listenUnix(join(dataDir, 'management.sock'));
  }

  /** Prometheus metrics on the prometheus port (same bind addresses as AMQP), unless it is null. */
  private async startMetrics(): Promise<void> {
    const port = this.options.prometheusPort;
    if (port === null) return;
    const metrics = new MetricsServer(this);
    this.metrics = metrics;
    await metrics.listen(this.options.bind, port);
  }

  private async closeServers(): Promise<void> {
    const servers = this.servers.splice(0);
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  /** Stops listening, closes every connection with 320 CONNECTION_FORCED, and resolves when done. */
  async close(): Promise<void> {
    if (this.ticker !== null) clearInterval(this.ticker);
    const closing = Promise.all([this.closeServers(), this.management?.close(), this.metrics?.close()]);
    for (const c of [...this.connections]) c.close(320, 'CONNECTION_FORCED - broker forced connection closure with reason \'shutdown\'', 0, 0);
    for (const s of this.sockets.keys()) s.end();
    const deadline = setTimeout(() => {
      for (const s of this.sockets.keys()) s.destroy();
    }, 2000);
    await closing;
    clearTimeout(deadline);
    this.closeStore();
  }

  /** Writes and syncs everything, and notes which ready messages were delivered before. */
  private closeStore(): void {
    this.store?.close(() => {
      for (const v of this.vhosts.values()) for (const q of v.queues.values()) q.saveRedeliveredMarks();
    });
  }
}
