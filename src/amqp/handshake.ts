import type { User, UserStore } from '../broker/users.js';
import type { FieldTable, FieldValue } from '../protocol/field-types.js';
import { decodeTable } from '../protocol/field-table.js';
import type { AmqpSettings } from './context.js';

const str = (value: string): FieldValue => ({ type: 'S', value });
const bool = (value: boolean): FieldValue => ({ type: 't', value });

/** The capabilities RabbitMQ announces; Warren honours each of them. */
export const SERVER_CAPABILITIES = [
  'publisher_confirms',
  'exchange_exchange_bindings',
  'basic.nack',
  'consumer_cancel_notify',
  'connection.blocked',
  'consumer_priorities',
  'authentication_failure_close',
  'per_consumer_qos',
  'direct_reply_to',
] as const;

export function serverProperties(settings: AmqpSettings): FieldTable {
  const capabilities = new Map<string, FieldValue>(SERVER_CAPABILITIES.map((c) => [c, bool(true)]));
  return new Map<string, FieldValue>([
    ['capabilities', { type: 'F', value: capabilities }],
    ['cluster_name', str(settings.clusterName)],
    ['copyright', str('Copyright (c) the Warren authors')],
    ['information', str('Licensed under the MIT license. An AMQP 0-9-1 broker in TypeScript.')],
    ['platform', str(`Node.js ${process.version}`)],
    ['product', str(settings.product)],
    ['version', str(settings.version)],
  ]);
}

export type AuthResult =
  | { readonly kind: 'ok'; readonly user: User }
  | { readonly kind: 'refused'; readonly username: string; readonly reason: string }
  | { readonly kind: 'unknown-mechanism' };

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

function fieldText(table: FieldTable, key: string): string | undefined {
  const v = table.get(key);
  if (v === undefined) return undefined;
  if (v.type === 'S') return v.value;
  if (v.type === 'x') return v.value.toString('utf8');
  return undefined;
}

/** Parses a PLAIN or AMQPLAIN response and checks the credentials. */
export function authenticate(users: UserStore, mechanism: string, response: Buffer, remoteAddress: string): AuthResult {
  let username: string;
  let password: string;
  if (mechanism === 'PLAIN') {
    // [authzid] NUL authcid NUL passwd
    const parts = response.toString('utf8').split('\0');
    if (parts.length !== 3) return { kind: 'refused', username: '', reason: 'malformed PLAIN response' };
    username = parts[1]!;
    password = parts[2]!;
  } else if (mechanism === 'AMQPLAIN') {
    // A field table without its length prefix.
    const framed = Buffer.allocUnsafe(response.length + 4);
    framed.writeUInt32BE(response.length, 0);
    response.copy(framed, 4);
    let table: FieldTable;
    try {
      table = decodeTable(framed, 0).table;
    } catch {
      return { kind: 'refused', username: '', reason: 'malformed AMQPLAIN response' };
    }
    const login = fieldText(table, 'LOGIN');
    const pass = fieldText(table, 'PASSWORD');
    if (login === undefined || pass === undefined) {
      return { kind: 'refused', username: login ?? '', reason: 'AMQPLAIN response lacks LOGIN or PASSWORD' };
    }
    username = login;
    password = pass;
  } else {
    return { kind: 'unknown-mechanism' };
  }
  const user = users.authenticate(username, password);
  if (user === undefined) return { kind: 'refused', username, reason: 'invalid credentials' };
  if (users.loopbackUsers.has(username) && !isLoopback(remoteAddress)) {
    return { kind: 'refused', username, reason: 'user can only log in via localhost' };
  }
  return { kind: 'ok', user };
}
