import { isJsonObject, type Json, type JsonObject } from './json.js';

/** `?columns=name,message_stats.publish` as paths: [['name'], ['message_stats', 'publish']]. */
export type Columns = readonly (readonly string[])[];

export function parseColumns(query: URLSearchParams): Columns | undefined {
  const raw = query.get('columns');
  if (raw === null) return undefined;
  return raw
    .split(',')
    .filter((c) => c !== '')
    .map((c) => c.split('.').filter((s) => s !== ''));
}

/** Keeps only the wanted columns of an object (or of each object of a list), as RabbitMQ does. */
export function extractColumns(value: Json, columns: Columns | 'all'): Json {
  if (columns === 'all') return value;
  if (Array.isArray(value)) return (value as readonly Json[]).map((v) => extractColumns(v, columns));
  if (!isJsonObject(value)) return value;
  const out: Record<string, Json> = {};
  for (const [key, v] of Object.entries(value)) {
    if (!columns.some((c) => c[0] === key)) continue;
    out[key] = extractColumns(v, descend(key, columns));
  }
  return out;
}

function descend(key: string, columns: Columns): Columns | 'all' {
  const deeper: string[][] = [];
  for (const c of columns) {
    if (c[0] !== key) continue;
    if (c.length === 1) return 'all';
    deeper.push(c.slice(1));
  }
  return deeper;
}

/** The value at a dotted path (`message_stats.publish`), undefined if absent. */
export function dottedValue(row: JsonObject, path: readonly string[]): Json | undefined {
  let v: Json | undefined = row;
  for (const key of path) {
    if (!isJsonObject(v)) return undefined;
    v = v[key];
  }
  return v;
}
