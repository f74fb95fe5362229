import type { Logger } from 'pino';
import type { UserStore } from '../broker/users.js';
import type { VirtualHost } from '../broker/vhost.js';
import type { Connection } from './connection.js';
import type { DirectReplyRegistry } from './direct-reply.js';

/** Limits and identity the AMQP layer needs; see broker/config.ts for the defaults. */
export interface AmqpSettings {
  readonly frameMax: number;
  readonly channelMax: number;
  readonly heartbeat: number;
  readonly maxMessageSize: number;
  readonly handshakeTimeoutMs: number;
  readonly product: string;
  readonly version: string;
  readonly clusterName: string;
}

/** What a connection needs from the broker that owns it. */
export interface BrokerContext {
  readonly settings: AmqpSettings;
  readonly users: UserStore;
  readonly log: Logger;
  readonly directReply: DirectReplyRegistry;
  /** Names of the resource alarms in effect (memory, disk); publishers are blocked while any is. */
  readonly alarms: ReadonlySet<string>;
  vhost(name: string): VirtualHost | undefined;
  connectionOpened(connection: Connection): void;
  /** Calls `done` once everything stored so far is on disk (at once without a data directory). */
  whenDurable(done: (ok: boolean) => void): void;
  /** Changes whenever a definitions record is stored: a reply must then wait for the disk. */
  definitionsGeneration(): number;
  connectionClosed(connection: Connection): void;
}
