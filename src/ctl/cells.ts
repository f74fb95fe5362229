/**
 * A value in one cell of a listing, rendered both ways rabbitmqctl prints it: as text in a
 * table row (Erlang-flavoured: `[a, b]`, `[{"x-max-priority",5}]`) and as JSON.
 */
import type { JsonObject, JsonValue } from './json.js';
import { isJsonObject } from './json.js';

export interface Cell {
  readonly text: string;
  readonly json: JsonValue;
}

/** A plain value: strings as they are, numbers and booleans written out, missing as ''. */
export function plainCell(value: JsonValue | undefined): Cell {
  if (value === undefined || value === null) return { text: '', json: '' };
  if (typeof value === 'object') return termCell(value);
  return { text: String(value), json: value };
}

/** A list of names (user tags, vhost tags): `[monitoring, policymaker]`. */
export function nameListCell(value: JsonValue | undefined): Cell {
  const names = Array.isArray(value) ? value.map((v: JsonValue) => String(v)) : typeof value === 'string' && value !== '' ? value.split(',') : [];
  return { text: `[${names.join(', ')}]`, json: names };
}

/** An Erlang term's text for a nested JSON value: binaries quoted, tables as [{"k",v}]. */
export function termText(value: JsonValue): string {
  if (value === null) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value !== 'object') return String(value);
  if (!isJsonObject(value)) return `[${value.map((v: JsonValue) => termText(v)).join(',')}]`;
  return `[${Object.entries(value).map(([k, v]) => `{${JSON.stringify(k)},${termText(v)}}`).join(',')}]`;
}

/** A nested value (client properties): the term's text, and the JSON as the API gave it. */
export function termCell(value: JsonValue | undefined): Cell {
  if (value === undefined) return { text: '', json: '' };
  return { text: termText(value), json: value };
}

/** The AMQP field type rabbitmqctl names for a JSON value (the API does not carry the wire type). */
function fieldType(value: JsonValue): string {
  if (typeof value === 'string') return 'longstr';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'long' : 'double';
  if (value === null) return 'void';
  return Array.isArray(value) ? 'array' : 'table';
}

function typedEntries(table: JsonObject): JsonValue[] {
  return Object.entries(table).map(([k, v]): JsonValue => [k, fieldType(v), isJsonObject(v) ? typedEntries(v) : v]);
}

/** x-arguments: `[{"x-max-priority",5}]` in a table, `[["x-max-priority","long",5]]` in JSON. */
export function argumentsCell(value: JsonValue | undefined): Cell {
  const table = isJsonObject(value) ? value : {};
  return { text: termText(table), json: typedEntries(table) };
}

/** A vhost's cluster_state {node: state}: `[{rabbit@host, running}]`. */
export function nodeStatesCell(value: JsonValue | undefined): Cell {
  const states = isJsonObject(value) ? value : {};
  const text = `[${Object.entries(states).map(([node, state]) => `{${node}, ${String(state)}}`).join(',')}]`;
  return { text, json: states };
}

/** An IP address in JSON as Erlang's tuple: [127,0,0,1], or 8 numbers for IPv6. */
export function addressCell(value: JsonValue | undefined): Cell {
  if (typeof value !== 'string') return plainCell(value);
  return { text: value, json: addressTuple(value) ?? value };
}

export function addressTuple(address: string): number[] | null {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(address)) return address.split('.').map(Number);
  if (!address.includes(':')) return null;
  const mapped = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  let text = address;
  if (mapped !== null) {
    const [a = 0, b = 0, c = 0, d = 0] = mapped[2]!.split('.').map(Number);
    text = `${mapped[1]!}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((h) => parseInt(h, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const groups = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}
