import type { FieldTable, FieldValue } from '../protocol/field-types.js';
import { badRequest } from './http-error.js';
import { isJsonObject, type Json } from './json.js';

/**
 * JSON to AMQP field values as RabbitMQ's to_amqp_table does: integers are longs (`l`), other
 * numbers doubles, strings longstrs, objects tables, arrays arrays, null void.
 */
export function jsonToFieldValue(v: Json): FieldValue {
  if (v === null) return { type: 'V', value: null };
  if (typeof v === 'boolean') return { type: 't', value: v };
  if (typeof v === 'string') return { type: 'S', value: v };
  if (typeof v === 'number') return Number.isSafeInteger(v) ? { type: 'l', value: BigInt(v) } : { type: 'd', value: v };
  if (Array.isArray(v)) return { type: 'A', value: (v as readonly Json[]).map(jsonToFieldValue) };
  return { type: 'F', value: jsonToTable(v as Json) };
}

/** A JSON object as a field table; `{}`, `[]`, null or absent give an empty table. */
export function jsonToTable(v: Json | undefined): FieldTable {
  const out = new Map<string, FieldValue>();
  if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) return out;
  if (!isJsonObject(v)) throw badRequest(['not_a_table', JSON.stringify(v)]);
  for (const [k, value] of Object.entries(v)) out.set(k, jsonToFieldValue(value));
  return out;
}
