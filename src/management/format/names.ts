import { hostname } from 'node:os';
import type { Connection } from '../../amqp/connection.js';
import type { Channel } from '../../amqp/channel.js';

/** The node name, RabbitMQ-style: `warren@<short host name>`. */
export const NODE_NAME = `warren@${hostname().split('.')[0] ?? 'localhost'}`;

/** RabbitMQ's rabbit_misc:ntoa: an IPv4-mapped IPv6 address as plain IPv4. */
export function ntoa(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** RabbitMQ's ntoab: like ntoa, with IPv6 addresses in brackets. */
export function ntoab(address: string): string {
  const a = ntoa(address);
  return a.includes(':') ? `[${a}]` : a;
}

export interface Endpoints {
  readonly name: string;
  readonly peerHost: string;
  readonly peerPort: number;
  readonly host: string;
  readonly port: number;
}

const endpoints = new WeakMap<Connection, Endpoints>();

/**
 * A connection's addresses and RabbitMQ's name for it, `PEER:PORT -> LOCAL:PORT`. Kept from the
 * first look, since a closed socket forgets its addresses.
 */
export function connectionEndpoints(c: Connection): Endpoints {
  let e = endpoints.get(c);
  if (e === undefined) {
    const s = c.socket;
    const peerHost = ntoa(s.remoteAddress ?? '');
    const host = ntoa(s.localAddress ?? '');
    const peerPort = s.remotePort ?? 0;
    const port = s.localPort ?? 0;
    e = { name: `${ntoab(peerHost)}:${peerPort} -> ${ntoab(host)}:${port}`, peerHost, peerPort, host, port };
    endpoints.set(c, e);
  }
  return e;
}

/** RabbitMQ's channel name: the connection's name and the channel number in parentheses. */
export function channelName(ch: Channel): string {
  return `${connectionEndpoints(ch.connection).name} (${ch.id})`;
}

/** Timestamps as RabbitMQ 3.10 writes idle_since: `2026-11-22T03:38:11.662+00:00`. */
export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00');
}
