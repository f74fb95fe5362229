import type { BasicProperties } from '../protocol/generated/properties.js';
import { badRequest } from './http-error.js';
import type { Json, JsonObject } from './json.js';
import { jsonToTable } from './json-table.js';
import { tableJson } from './format/arguments.js';

type StringProperty = 'contentType' | 'contentEncoding' | 'correlationId' | 'replyTo' | 'expiration' | 'messageId' | 'type' | 'userId' | 'appId' | 'clusterId';
type NumberProperty = 'deliveryMode' | 'priority' | 'timestamp';

/** AMQP basic properties by their JSON names, in the spec's order. */
const PROPERTIES: readonly (readonly [string, StringProperty | NumberProperty | 'headers'])[] = [
  ['content_type', 'contentType'],
  ['content_encoding', 'contentEncoding'],
  ['headers', 'headers'],
  ['delivery_mode', 'deliveryMode'],
  ['priority', 'priority'],
  ['correlation_id', 'correlationId'],
  ['reply_to', 'replyTo'],
  ['expiration', 'expiration'],
  ['message_id', 'messageId'],
  ['timestamp', 'timestamp'],
  ['type', 'type'],
  ['user_id', 'userId'],
  ['app_id', 'appId'],
  ['cluster_id', 'clusterId'],
];

const NUMERIC = new Set(['deliveryMode', 'priority', 'timestamp']);

/** The `properties` of a publish request as AMQP basic properties; 400 for a malformed one. */
export function propertiesFromJson(json: Json | undefined): BasicProperties {
  const out: BasicProperties = {};
  if (json === undefined || json === null || (Array.isArray(json) && json.length === 0)) return out;
  if (typeof json !== 'object' || Array.isArray(json)) throw badRequest(['invalid_properties', JSON.stringify(json)]);
  const obj = json as JsonObject;
  for (const [key, field] of PROPERTIES) {
    const v = obj[key];
    if (v === undefined || v === null) continue;
    if (field === 'headers') out.headers = jsonToTable(v);
    else if (NUMERIC.has(field)) {
      const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw badRequest(['invalid_property', key]);
      out[field as NumberProperty] = n;
    } else {
      if (typeof v !== 'string' && typeof v !== 'number') throw badRequest(['invalid_property', key]);
      out[field as StringProperty] = String(v);
    }
  }
  return out;
}

/** A message's properties as POST /api/queues/{vhost}/{name}/get shows them. */
export function propertiesToJson(p: BasicProperties): JsonObject {
  const out: Record<string, Json> = {};
  for (const [key, field] of PROPERTIES) {
    const v = p[field];
    if (v === undefined) continue;
    out[key] = field === 'headers' ? tableJson(p.headers!) : (v as string | number);
  }
  return out;
}
