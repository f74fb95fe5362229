import type { QueueEntry } from '../../queue/message.js';
import { param, type ApiContext } from '../context.js';
import { badRequest } from '../http-error.js';
import { integerField, jsonBody, requireKeys, stringField } from '../json-body.js';
import type { Json, JsonObject } from '../json.js';
import { propertiesToJson } from '../message-properties.js';
import { channelErrorToHttp, withAmqpErrors } from '../channel-errors.js';
import { checkPermission, MANAGEMENT_OWNER, vhostOf } from './lookup.js';

type AckMode = 'ack_requeue_true' | 'ack_requeue_false' | 'reject_requeue_true' | 'reject_requeue_false';
const ACK_MODES: readonly string[] = ['ack_requeue_true', 'ack_requeue_false', 'reject_requeue_true', 'reject_requeue_false'];

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** `auto` shows a UTF-8 payload as a string and anything else in base64, as RabbitMQ does. */
function encodePayload(body: Buffer, encoding: 'auto' | 'base64'): { payload: string; payload_encoding: string } {
  if (encoding === 'auto') {
    try {
      return { payload: utf8.decode(body), payload_encoding: 'string' };
    } catch {
      // Not UTF-8: base64 below.
    }
  }
  return { payload: body.toString('base64'), payload_encoding: 'base64' };
}

function messageRow(entry: QueueEntry, remaining: number, encoding: 'auto' | 'base64', truncate: number | undefined): JsonObject {
  const m = entry.loadedMessage;
  const body = truncate === undefined ? m.body : m.body.subarray(0, truncate);
  const row: Record<string, Json> = {
    payload_bytes: m.body.length,
    redelivered: entry.redelivered,
    exchange: m.exchange,
    routing_key: m.routingKey,
    message_count: remaining,
    properties: propertiesToJson(m.properties),
  };
  return { ...row, ...encodePayload(body, encoding) };
}

/**
 * POST /api/queues/{vhost}/{name}/get: takes up to `count` messages. `ack_requeue_true` puts them
 * back when done (so they come back redelivered, in order), `reject_requeue_true` puts each back at
 * once, `ack_requeue_false` removes them, `reject_requeue_false` dead-letters them.
 */
export function getMessages(ctx: ApiContext): Json {
  const body = jsonBody(ctx);
  requireKeys(body, ['count', 'ackmode', 'encoding']);
  const count = integerField(body, 'count', 1);
  const ackmode = stringField(body, 'ackmode', '');
  if (!ACK_MODES.includes(ackmode)) throw badRequest(['unknown_ackmode', ackmode]);
  const mode = ackmode as AckMode;
  const encodingName = stringField(body, 'encoding', 'auto');
  if (encodingName !== 'auto' && encodingName !== 'base64') throw badRequest(['unsupported_encoding', encodingName]);
  const truncate = body['truncate'] === undefined || body['truncate'] === null ? undefined : integerField(body, 'truncate', 0);
  const v = vhostOf(ctx);
  const name = param(ctx, 'name');
  const q = withAmqpErrors(channelErrorToHttp, () => {
    checkPermission(ctx, v.name, 'read', 'queue', name);
    return v.getQueue(name, MANAGEMENT_OWNER);
  });
  const rows: Json[] = [];
  const requeueAfter: QueueEntry[] = [];
  for (let i = 0; i < count; i++) {
    const entry = q.take(mode === 'ack_requeue_false');
    if (entry === undefined) break;
    rows.push(messageRow(entry, q.messageCount, encodingName, truncate));
    if (mode === 'ack_requeue_true') requeueAfter.push(entry);
    else if (mode === 'reject_requeue_true') q.requeue([entry]);
    else if (mode === 'reject_requeue_false') q.discarded([entry]);
  }
  if (requeueAfter.length > 0) q.requeue(requeueAfter);
  return rows;
}
