import { createHash } from 'node:crypto';
import { encodeTable } from '../../protocol/field-table.js';
import type { FieldTable } from '../../protocol/field-types.js';
import { Exchange, type Destination } from '../../broker/exchange.js';
import type { VirtualHost } from '../../broker/vhost.js';
import type { Queue } from '../../queue/queue.js';
import type { JsonObject } from '../json.js';
import { tableJson } from './arguments.js';

/** One binding of a vhost, the implicit default-exchange bindings included. */
export interface BindingView {
  readonly vhost: string;
  readonly source: string;
  readonly destination: Destination;
  readonly routingKey: string;
  readonly arguments: FieldTable;
}

/**
 * mochiweb's quote_plus: alphanumerics and `-_.~` kept, space as `+`, the rest %XX. RabbitMQ's
 * binding keys also escape `~` (their separator), unless `keepTilde`.
 */
export function quotePlus(s: string, keepTilde = false): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9_.-]/.test(c) || (keepTilde && c === '~')) out += c;
    else if (c === ' ') out += '+';
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** mochiweb's unquote: `%XX` escapes and `+` as space. */
export function unquotePlus(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '+') bytes.push(0x20);
    else if (c === '%' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(c, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** A short digest of binding arguments, keys in order (6 base64url characters, as RabbitMQ's). */
export function argumentsHash(args: FieldTable): string {
  const sorted = new Map([...args].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return createHash('sha256').update(encodeTable(sorted)).digest().subarray(0, 4).toString('base64url');
}

/** RabbitMQ's properties_key: the quoted routing key, and `~` and an arguments hash if any. */
export function propertiesKey(routingKey: string, args: FieldTable): string {
  if (args.size === 0) return routingKey === '' ? '~' : quotePlus(routingKey);
  return `${quotePlus(routingKey)}~${quotePlus(argumentsHash(args))}`;
}

/** Whether a binding is the one a properties key names. */
export function matchesPropertiesKey(b: BindingView, key: string): boolean {
  const tilde = key.indexOf('~');
  const routingKey = unquotePlus(tilde < 0 ? key : key.slice(0, tilde));
  if (routingKey !== b.routingKey) return false;
  const hash = tilde < 0 ? '' : unquotePlus(key.slice(tilde + 1));
  return hash === '' ? b.arguments.size === 0 : hash === argumentsHash(b.arguments);
}

export function destinationType(d: Destination): 'queue' | 'exchange' {
  return d instanceof Exchange ? 'exchange' : 'queue';
}

export function formatBinding(b: BindingView): JsonObject {
  return {
    source: b.source,
    vhost: b.vhost,
    destination: b.destination.name,
    destination_type: destinationType(b.destination),
    routing_key: b.routingKey,
    arguments: tableJson(b.arguments),
    properties_key: propertiesKey(b.routingKey, b.arguments),
  };
}

const EMPTY: FieldTable = new Map();

/** The row of a queue's default-exchange binding, by the queue's name. */
export function defaultBindingRow(vhost: string, queue: string): JsonObject {
  return {
    source: '',
    vhost,
    destination: queue,
    destination_type: 'queue',
    routing_key: queue,
    arguments: {},
    properties_key: propertiesKey(queue, EMPTY),
  };
}

/** The implicit binding of a queue to the default exchange, by its name. */
export function defaultBinding(vhost: string, q: Queue): BindingView {
  return { vhost, source: '', destination: q, routingKey: q.name, arguments: EMPTY };
}

/** Every binding of a vhost: the default-exchange ones, then those of each exchange. */
export function* vhostBindings(v: VirtualHost): Generator<BindingView> {
  for (const q of v.queues.values()) yield defaultBinding(v.name, q);
  yield* exchangeBindings(v);
}

/** The explicit bindings of a vhost (exchange-to-queue and exchange-to-exchange). */
export function* exchangeBindings(v: VirtualHost, source?: Exchange): Generator<BindingView> {
  const sources = source === undefined ? v.exchanges.values() : [source];
  for (const x of sources) {
    if (x.name === '') continue;
    for (const b of x.router.bindings()) {
      yield { vhost: v.name, source: x.name, destination: b.destination, routingKey: b.routingKey, arguments: b.arguments };
    }
  }
}

/** Bindings of a vhost whose destination is `d` (for a queue: its default binding first). */
export function* bindingsTo(v: VirtualHost, d: Destination): Generator<BindingView> {
  if (!(d instanceof Exchange)) yield defaultBinding(v.name, d);
  for (const b of exchangeBindings(v)) if (b.destination === d) yield b;
}

export const BINDING_SORT = ['vhost', 'source', 'destination', 'destination_type', 'routing_key', 'properties_key'];
