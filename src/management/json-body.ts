import type { ApiContext } from './context.js';
import { badRequest, keysMissing } from './http-error.js';
import { isJsonObject, type Json, type JsonObject } from './json.js';

/**
 * The request body as a JSON object, as RabbitMQ decodes it: an empty body (or `null`) is `{}`,
 * anything but a JSON object is 400 `not_json`.
 */
export function jsonBody(ctx: ApiContext): JsonObject {
  const text = ctx.body.toString('utf8').trim();
  if (text === '' || text === 'null' || text === 'undefined') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badRequest('not_json');
  }
  if (typeof parsed === 'string') {
    throw badRequest('invalid payload: the request body JSON-decoded to a string. Is the input doubly-JSON-encoded?');
  }
  if (!isJsonObject(parsed as Json)) throw badRequest('not_json');
  return parsed as JsonObject;
}

/** Throws RabbitMQ's `[{key_missing,k},...]` for required keys that are absent. */
export function requireKeys(body: JsonObject, keys: readonly string[]): void {
  const missing = keys.filter((k) => body[k] === undefined);
  if (missing.length > 0) throw keysMissing(missing);
}

/** A boolean field: true, false, "true" or "false"; anything else is `["not_boolean", v]`. */
export function boolField(body: JsonObject, key: string, fallback: boolean): boolean {
  const v = body[key];
  if (v === undefined || v === null) return fallback;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw badRequest(['not_boolean', typeof v === 'string' ? v : JSON.stringify(v)]);
}

/** A string field (numbers are taken as their decimal form). */
export function stringField(body: JsonObject, key: string, fallback: string): string {
  const v = body[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  throw badRequest(['not_a_string', JSON.stringify(v)]);
}

/** An integer field, as a number or a numeric string. */
export function integerField(body: JsonObject, key: string, fallback: number): number {
  const v = body[key];
  if (v === undefined || v === null) return fallback;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isInteger(n)) throw badRequest(['not_integer', typeof v === 'string' ? v : JSON.stringify(v)]);
  return n;
}

/** Tags as RabbitMQ accepts them: a comma-separated string or a list of strings. */
export function tagsField(body: JsonObject, key: string): string[] | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  const list = Array.isArray(v) ? (v as readonly Json[]).map((t) => (typeof t === 'string' ? t : JSON.stringify(t))) : [String(v)];
  return list.flatMap((t) => t.split(',')).map((t) => t.trim()).filter((t) => t !== '');
}
