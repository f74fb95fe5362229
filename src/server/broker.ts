import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { pino, type Logger } from 'pino';
import type { AmqpSettings, BrokerContext } from '../amqp/context.js';
import { Connection } from '../amqp/connection.js';
import { DirectReplyRegistry } from '../amqp/direct-reply.js';
import { UserStore } from '../broker/users.js';
import { VirtualHost } from '../broker/vhost.js';
import { resolveOptions, type BrokerOptions, type ResolvedOptions } from './config.js';
import { MemoryMonitor } from './memory-monitor.js';

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
  /** Every accepted socket's connection, including those still in their handshake. */
  private readonly sockets = new Map<Socket, Connection>();
  private readonly servers: Server[] = [];
  private ticker: NodeJS.Timeout | null = null;
  private memory: MemoryMonitor;
  port = 0;

  constructor(options: BrokerOptions = {}, logger?: Logger) {
    this.options = resolveOptions(options);
    this.settings = this.options.amqp;
    this.log = logger ?? pino({ level: this.options.logLevel, base: null });
    this.users.addUser(this.options.defaultUser, this.options.defaultPass, ['administrator']);
    for (const u of this.options.loopbackUsers) this.users.loopbackUsers.add(u);
    const root = new VirtualHost('/');
    root.onError = (err, context) => this.log.error({ err, context }, 'internal error');
    this.vhosts.set('/', root);
    this.memory = new MemoryMonitor(this.options.memoryHighWatermark);
  }

  /** Counters of the storage engine, for warrenperf and the management API. */
  storageStats(): StorageStats {
    return { syncs: 0, bytesWritten: 0 };
  }

  vhost(name: string): VirtualHost | undefined {
    return this.vhosts.get(name);
  }

  connectionOpened(connection: Connection): void {
    this.connections.add(connection);
  }

  connectionClosed(connection: Connection): void {
    this.connections.delete(connection);
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
    this.sockets.set(socket, new Connection(socket, this));
    socket.on('close', () => this.sockets.delete(socket));
  };

  /** Listens on every bind address, all on the same port (a free one when port is 0). */
  async listen(): Promise<void> {
    let port = this.options.port;
    for (let attempt = 0; ; attempt++) {
      try {
        for (const host of this.options.bind) {
          const server = createServer({ noDelay: true }, this.onSocket);
          await listenOn(server, host, port);
          this.servers.push(server);
          if (port === 0) port = (server.address() as AddressInfo).port;
        }
        break;
      } catch (err) {
        await this.closeServers();
        const code = (err as NodeJS.ErrnoException).code;
        // With port 0 the second family may find the first one's port taken: try another.
        if (this.options.port === 0 && code === 'EADDRINUSE' && attempt < 10) {
          port = 0;
          continue;
        }
        throw err;
      }
    }
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
    }, TICK_MS);
    this.ticker.unref();
  }

  private async closeServers(): Promise<void> {
    const servers = this.servers.splice(0);
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  /** Stops listening, closes every connection with 320 CONNECTION_FORCED, and resolves when done. */
  async close(): Promise<void> {
    if (this.ticker !== null) clearInterval(this.ticker);
    const closing = this.closeServers();
    for (const c of [...this.connections]) c.close(320, 'CONNECTION_FORCED - broker forced connection closure with reason \'shutdown\'', 0, 0);
    for (const s of this.sockets.keys()) s.end();
    const deadline = setTimeout(() => {
      for (const s of this.sockets.keys()) s.destroy();
    }, 2000);
    await closing;
    clearTimeout(deadline);
  }
}

function listenOn(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen({ host, port, ipv6Only: host.includes(':') }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
