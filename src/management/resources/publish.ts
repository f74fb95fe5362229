import type { Exchange } from '../../broker/exchange.js';
import type { VirtualHost } from '../../broker/vhost.js';
import { accessRefused, preconditionFailed } from '../../broker/errors.js';
import { parseExpiration } from '../../broker/arguments.js';
import { Message } from '../../queue/message.js';
import type { Queue } from '../../queue/queue.js';
import { encodeHeaderWithProperties } from '../../queue/content-header.js';
import type { FieldTable } from '../../protocol/field-types.js';
import { param, type ApiContext } from '../context.js';
import { badRequest } from '../http-error.js';
import { jsonBody, requireKeys, stringField } from '../json-body.js';
import type { Json } from '../json.js';
import { propertiesFromJson } from '../message-properties.js';
import { withAmqpErrors } from '../channel-errors.js';
import { checkPermission, exchangeName, vhostOf } from './lookup.js';

function decodePayload(payload: string, encoding: string): Buffer {
  if (encoding === 'string') return Buffer.from(payload, 'utf8');
  if (encoding === 'base64') {
    if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(payload)) throw badRequest(['not_base64', payload]);
    return Buffer.from(payload, 'base64');
  }
  throw badRequest(['unsupported_encoding', encoding]);
}

/** The routing keys a message's CC and BCC headers add. */
function extraKeys(headers: FieldTable | undefined): string[] {
  const keys: string[] = [];
  for (const name of ['CC', 'BCC']) {
    const v = headers?.get(name);
    if (v !== undefined && v.type === 'A') for (const k of v.value) if (k.type === 'S') keys.push(k.value);
  }
  return keys;
}

interface Routed {
  readonly routed: boolean;
  readonly stored: boolean;
  /** A queue refused it (x-overflow reject-publish): nacked, so not counted as confirmed. */
  readonly rejected: boolean;
}

/**
 * Routes a message as a mandatory basic.publish on a channel in confirm mode does (RabbitMQ's
 * management plugin publishes so): counted as received for confirmation, and as returned when
 * no queue takes it. Says whether some queue took it, stored it, or refused it.
 */
function routeMessage(v: VirtualHost, x: Exchange, message: Message, keys: readonly string[]): Routed {
  x.stats.publishIn++;
  v.publishing.receivedConfirm++;
  const queues = new Set<Queue>();
  for (const key of keys) v.route(x, key, message.properties.headers, queues);
  if (queues.size === 0) {
    v.publishing.returnUnroutable++;
    return { routed: false, stored: false, rejected: false };
  }
  x.stats.publishOut++;
  let stored = false;
  let rejected = false;
  for (const q of queues) {
    const result = q.enqueue(message);
    if (result === 'stored') stored = true;
    else if (result === 'rejected') rejected = true;
  }
  return { routed: true, stored, rejected };
}

/**
 * POST /api/exchanges/{vhost}/{name}/publish: publishes one message as a mandatory, confirmed
 * publish and answers `{"routed": bool}` once it is safe (on disk for a persistent message in a
 * durable queue). AMQP errors come back as 400 `"CODE TEXT"`, as in RabbitMQ.
 */
export async function publishMessage(ctx: ApiContext): Promise<Json> {
  const body = jsonBody(ctx);
  requireKeys(body, ['routing_key', 'properties', 'payload', 'payload_encoding']);
  const routingKey = stringField(body, 'routing_key', '');
  const payload = decodePayload(stringField(body, 'payload', ''), stringField(body, 'payload_encoding', 'string'));
  const v = vhostOf(ctx);
  const name = exchangeName(param(ctx, 'name'));
  const outcome = withAmqpErrors((err) => badRequest(`${err.code} ${err.text}`), () => {
    const x = v.getExchange(name);
    checkPermission(ctx, v.name, 'write', 'exchange', name);
    if (x.internal) throw accessRefused(`cannot publish to internal ${v.describeExchange(name)}`);
    let properties = propertiesFromJson(body['properties']);
    const user = ctx.user.user;
    if (user !== null && properties.userId !== undefined && properties.userId !== user.name) {
      throw preconditionFailed(`user_id property set to '${properties.userId}' but authenticated user was '${user.name}'`);
    }
    const ttl = parseExpiration(properties.expiration);
    const keys = [routingKey, ...extraKeys(properties.headers)];
    if (properties.headers?.has('BCC') === true) {
      const headers = new Map(properties.headers);
      headers.delete('BCC');
      properties = { ...properties, headers };
    }
    const message = new Message(name, routingKey, properties, encodeHeaderWithProperties(payload.length, properties), payload, ttl);
    return routeMessage(v, x, message, keys);
  });
  const safe = outcome.stored ? await new Promise<boolean>((resolve) => ctx.broker.whenDurable(resolve)) : true;
  // Confirmed (basic.ack) unless refused or not written: RabbitMQ counts those as nacked.
  if (safe && !outcome.rejected) v.publishing.confirm++;
  return { routed: outcome.routed };
}
