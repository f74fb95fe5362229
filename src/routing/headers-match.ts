import type { FieldTable, FieldValue } from '../protocol/field-types.js';
import { erlangTypeName, formatErlangBinary, formatErlangValue } from './erlang-format.js';
import { fieldValuesEqual } from '../protocol/field-table.js';

/*
 * Headers matching as RabbitMQ 3.13/4.x does it (deps/rabbit/src/rabbit_exchange_type_headers.erl
 * with mc_amqpl:routing_headers/2):
 *
 * - x-match is read only when it is a longstr ('S'): "any", "any-with-x", "all-with-x"; anything
 *   else, including no x-match, means "all". (Bind-time validation rejects other values; see
 *   validateHeadersBindingArgs.)
 * - all / any skip every binding argument whose key begins with "x-"; all-with-x / any-with-x skip
 *   only "x-match". Message headers are never filtered: an "x-" header can match under -with-x.
 * - A binding argument of type void ('V') matches when the header is present, whatever its value.
 * - Otherwise the header's value must be exactly equal (=:=) to the argument's value as decoded
 *   Erlang terms, where the type letter is dropped at the top level: integers of any width are
 *   equal when numerically equal ('I' 1 = 'l' 1 = 'b' 1), floats ('f', 'd') equal floats only
 *   (1 ≠ 1.0), longstr and binary ('S', 'x') are both binaries and equal by bytes, booleans equal
 *   booleans, decimals are {scale, value}. Nested tables and arrays keep their type atoms and
 *   order, so inside them values compare by type and value. An empty table equals an empty array
 *   (both are [] in Erlang).
 * - A timestamp header ('T') takes part in routing multiplied by 1000 (mc_amqpl routing_value/2
 *   converts seconds to milliseconds) while the binding's value is taken as is; so a timestamp
 *   header T only matches a binding value of T × 1000. This is what RabbitMQ does.
 * - all with no argument left to compare matches every message; any with none matches nothing.
 * - Messages without headers match as if they had an empty table.
 */

export type XMatch = 'all' | 'any' | 'all-with-x' | 'any-with-x';

/** A headers binding prepared for routing: the arguments to test, in arrays. */
export interface CompiledHeadersMatch {
  readonly mode: XMatch;
  /** true: every key must match; false: one is enough. */
  readonly all: boolean;
  readonly keys: readonly string[];
  /** undefined means the argument was void: presence of the header is enough. */
  readonly values: readonly (FieldValue | undefined)[];
}

/** The x-match mode that routing uses for these binding arguments. */
export function xMatchMode(args: FieldTable): XMatch {
  const xm = args.get('x-match');
  if (xm !== undefined && xm.type === 'S') {
    switch (xm.value) {
      case 'any':
        return 'any';
      case 'any-with-x':
        return 'any-with-x';
      case 'all-with-x':
        return 'all-with-x';
    }
  }
  return 'all';
}

export function compileHeadersMatch(args: FieldTable): CompiledHeadersMatch {
  const mode = xMatchMode(args);
  const withX = mode === 'all-with-x' || mode === 'any-with-x';
  const keys: string[] = [];
  const values: (FieldValue | undefined)[] = [];
  for (const [k, v] of args) {
    if (k === 'x-match') continue;
    if (!withX && k.startsWith('x-')) continue;
    keys.push(k);
    values.push(v.type === 'V' ? undefined : v);
  }
  return { mode, all: mode === 'all' || mode === 'all-with-x', keys, values };
}

export function matchCompiled(c: CompiledHeadersMatch, headers: FieldTable | undefined): boolean {
  const { keys, values } = c;
  const n = keys.length;
  if (c.all) {
    for (let i = 0; i < n; i++) {
      const h = headers?.get(keys[i] as string);
      if (h === undefined) return false;
      const v = values[i];
      if (v !== undefined && !routingValuesEqual(v, h)) return false;
    }
    return true;
  }
  for (let i = 0; i < n; i++) {
    const h = headers?.get(keys[i] as string);
    if (h === undefined) continue;
    const v = values[i];
    if (v === undefined || routingValuesEqual(v, h)) return true;
  }
  return false;
}

/** Whether a message with these headers matches a headers binding with these arguments. */
export function headersMatch(bindingArgs: FieldTable, headers: FieldTable | undefined): boolean {
  return matchCompiled(compileHeadersMatch(bindingArgs), headers);
}

/**
 * RabbitMQ's check of a headers binding's arguments at bind time. Returns undefined when valid,
 * otherwise the reason text; the reply is 406 with "PRECONDITION_FAILED - " + this text, e.g.
 * `Invalid x-match field value <<"foo">>; expected all, any, all-with-x, or any-with-x` or
 * `Invalid x-match field type byte (value 1); expected longstr`.
 */
export function validateHeadersBindingArgs(args: FieldTable): string | undefined {
  const xm = args.get('x-match');
  if (xm === undefined) return undefined;
  if (xm.type === 'S') {
    switch (xm.value) {
      case 'all':
      case 'any':
      case 'all-with-x':
      case 'any-with-x':
        return undefined;
    }
    return (
      `Invalid x-match field value ${formatErlangBinary(Buffer.from(xm.value, 'utf8'))}; ` +
      'expected all, any, all-with-x, or any-with-x'
    );
  }
  return `Invalid x-match field type ${erlangTypeName(xm.type)} (value ${formatErlangValue(xm)}); expected longstr`;
}

// ---------------------------------------------------------------------------------------------
// =:= between a binding argument's value and a header's routing value (see the notes above)

/** Timestamp headers are routed in milliseconds (mc_amqpl:routing_value(timestamp, V) -> V * 1000). */
const TIMESTAMP_ROUTING_SCALE = 1000;

function routingValuesEqual(binding: FieldValue, header: FieldValue): boolean {
  switch (binding.type) {
    case 'b':
    case 'B':
    case 's':
    case 'u':
    case 'I':
    case 'i':
    case 'T':
    case 'l':
      return integersEqual(binding.value, headerInteger(header));
    case 'f':
    case 'd':
      return (header.type === 'f' || header.type === 'd') && Object.is(binding.value, header.value);
    case 'S':
      if (header.type === 'S') return binding.value === header.value;
      return header.type === 'x' && header.value.equals(Buffer.from(binding.value, 'utf8'));
    case 'x':
      if (header.type === 'x') return binding.value.equals(header.value);
      return header.type === 'S' && binding.value.equals(Buffer.from(header.value, 'utf8'));
    case 't':
      return header.type === 't' && binding.value === header.value;
    case 'D':
      return header.type === 'D' && binding.value.scale === header.value.scale && binding.value.value === header.value.value;
    case 'A':
      if (header.type === 'A') return fieldValuesEqual(binding, header);
      return header.type === 'F' && binding.value.length === 0 && header.value.size === 0;
    case 'F':
      if (header.type === 'F') return fieldValuesEqual(binding, header);
      return header.type === 'A' && binding.value.size === 0 && header.value.length === 0;
    case 'V':
      return header.type === 'V';
  }
}

/** The integer a header stands for in routing, or undefined when it is not an integer. */
function headerInteger(h: FieldValue): number | bigint | undefined {
  switch (h.type) {
    case 'b':
    case 'B':
    case 's':
    case 'u':
    case 'I':
    case 'i':
    case 'l':
      return h.value;
    case 'T': {
      const ms = h.value * TIMESTAMP_ROUTING_SCALE;
      return Number.isSafeInteger(ms) || !Number.isInteger(h.value)
        ? ms
        : BigInt(h.value) * BigInt(TIMESTAMP_ROUTING_SCALE);
    }
    default:
      return undefined;
  }
}

function integersEqual(a: number | bigint, b: number | bigint | undefined): boolean {
  if (b === undefined) return false;
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  if (typeof a === 'number' && !Number.isInteger(a)) return false;
  if (typeof b === 'number' && !Number.isInteger(b)) return false;
  return BigInt(a) === BigInt(b);
}
