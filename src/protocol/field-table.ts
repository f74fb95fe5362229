/**
 * AMQP 0-9-1 field tables and arrays, with RabbitMQ's type letters
 * (see rabbit_binary_parser / rabbit_binary_generator):
 *
 *   t bool · b int8 · B uint8 · s int16 · u uint16 · I int32 · i uint32 · l int64 (bigint)
 *   f float32 · d float64 · D decimal (scale octet + uint32) · S longstr (UTF-8 string)
 *   T timestamp (uint64, as number) · F table · A array · V void · x byte array (Buffer copy)
 *
 * `L` is accepted on decode and read as a signed 64-bit `l`, exactly as RabbitMQ does.
 * Every decode error is a {@link ProtocolError} 502 SYNTAX_ERROR.
 */
import type { Decimal, FieldTable, FieldValue } from './field-types.js';
import { EMPTY_TABLE } from './field-types.js';
import { ProtocolError, amqpError, replyText } from './errors.js';
import { readU32, readU64, writeLongStr, writeU32, writeU64 } from './codec-util.js';

/** Deepest nesting of tables/arrays accepted on decode. */
export const MAX_TABLE_DEPTH = 100;

const SYNTAX_ERROR = 502;

// Decode cursor shared by the recursive readers (decoding is synchronous and never re-entered).
let pos = 0;

function malformed(what: string): ProtocolError {
  return amqpError(SYNTAX_ERROR, `malformed field table: ${what}`);
}

/**
 * Decodes a field table at `offset` (starting with its 4-byte length) within `buf`.
 * Returns the table and the offset just after it.
 */
export function decodeTable(buf: Buffer, offset: number): { table: FieldTable; offset: number } {
  const end = buf.length;
  if (offset < 0 || offset + 4 > end) throw malformed('truncated table length');
  const len = readU32(buf, offset);
  const bodyEnd = offset + 4 + len;
  if (bodyEnd > end) throw malformed(`table length ${len} exceeds the ${end - offset - 4} bytes available`);
  return { table: len === 0 ? EMPTY_TABLE : decodeTableBody(buf, offset + 4, bodyEnd, 0), offset: bodyEnd };
}

/**
 * Decodes the entries of a table whose body occupies exactly [start, end) (no length prefix).
 * Used by the generated codec, which has already checked the 4-byte length.
 */
export function decodeTableBody(buf: Buffer, start: number, end: number, depth = 0): FieldTable {
  if (depth > MAX_TABLE_DEPTH) throw malformed(`nested deeper than ${MAX_TABLE_DEPTH} levels`);
  const table = new Map<string, FieldValue>();
  pos = start;
  while (pos < end) {
    const klen = buf[pos]!;
    const kstart = pos + 1;
    if (kstart + klen + 1 > end) throw malformed('truncated field name');
    const key = buf.toString('utf8', kstart, kstart + klen);
    const type = buf[kstart + klen]!;
    pos = kstart + klen + 1;
    const value = readValue(buf, type, end, depth);
    table.set(key, value);
  }
  return table;
}

function decodeArrayBody(buf: Buffer, start: number, end: number, depth: number): FieldValue[] {
  if (depth > MAX_TABLE_DEPTH) throw malformed(`nested deeper than ${MAX_TABLE_DEPTH} levels`);
  const arr: FieldValue[] = [];
  pos = start;
  while (pos < end) {
    const type = buf[pos]!;
    pos++;
    arr.push(readValue(buf, type, end, depth));
  }
  return arr;
}

function need(n: number, end: number): void {
  if (pos + n > end) throw malformed('truncated field value');
}

/** Reads one value of `type` at `pos` (which it advances); nested containers get depth + 1. */
function readValue(buf: Buffer, type: number, end: number, depth: number): FieldValue {
  const p = pos;
  switch (type) {
    case 0x53: { // S
      need(4, end);
      const len = readU32(buf, p);
      if (p + 4 + len > end) throw malformed('truncated long string');
      pos = p + 4 + len;
      return { type: 'S', value: buf.toString('utf8', p + 4, p + 4 + len) };
    }
    case 0x49: // I
      need(4, end);
      pos = p + 4;
      return { type: 'I', value: buf.readInt32BE(p) };
    case 0x74: // t
      need(1, end);
      pos = p + 1;
      return { type: 't', value: buf[p] !== 0 };
    case 0x54: { // T
      need(8, end);
      pos = p + 8;
      let v = readU64(buf, p);
      if (v < 0) v = Number(buf.readBigUInt64BE(p));
      return { type: 'T', value: v };
    }
    case 0x46: { // F
      need(4, end);
      const len = readU32(buf, p);
      const inner = p + 4 + len;
      if (inner > end) throw malformed('nested table length exceeds its container');
      const t = len === 0 ? EMPTY_TABLE : decodeTableBody(buf, p + 4, inner, depth + 1);
      pos = inner;
      return { type: 'F', value: t };
    }
    case 0x41: { // A
      need(4, end);
      const len = readU32(buf, p);
      const inner = p + 4 + len;
      if (inner > end) throw malformed('array length exceeds its container');
      const a = decodeArrayBody(buf, p + 4, inner, depth + 1);
      pos = inner;
      return { type: 'A', value: a };
    }
    case 0x62: // b
      need(1, end);
      pos = p + 1;
      return { type: 'b', value: buf.readInt8(p) };
    case 0x42: // B
      need(1, end);
      pos = p + 1;
      return { type: 'B', value: buf[p]! };
    case 0x73: // s
      need(2, end);
      pos = p + 2;
      return { type: 's', value: buf.readInt16BE(p) };
    case 0x75: // u
      need(2, end);
      pos = p + 2;
      return { type: 'u', value: buf.readUInt16BE(p) };
    case 0x69: // i
      need(4, end);
      pos = p + 4;
      return { type: 'i', value: readU32(buf, p) };
    case 0x6c: // l
    case 0x4c: // L (RabbitMQ reads it as signed 64-bit too)
      need(8, end);
      pos = p + 8;
      return { type: 'l', value: buf.readBigInt64BE(p) };
    case 0x66: // f
      need(4, end);
      pos = p + 4;
      return { type: 'f', value: buf.readFloatBE(p) };
    case 0x64: // d
      need(8, end);
      pos = p + 8;
      return { type: 'd', value: buf.readDoubleBE(p) };
    case 0x44: // D
      need(5, end);
      pos = p + 5;
      return { type: 'D', value: { scale: buf[p]!, value: readU32(buf, p + 1) } };
    case 0x78: { // x
      need(4, end);
      const len = readU32(buf, p);
      if (p + 4 + len > end) throw malformed('truncated byte array');
      pos = p + 4 + len;
      return { type: 'x', value: Buffer.from(buf.subarray(p + 4, p + 4 + len)) };
    }
    case 0x56: // V
      return { type: 'V', value: null };
    default: {
      const explanation =
        type >= 0x21 && type <= 0x7e
          ? `malformed field table: unknown field type '${String.fromCharCode(type)}'`
          : `malformed field table: unknown field type 0x${type.toString(16).padStart(2, '0')}`;
      // RabbitMQ's parser has no clause for an unknown type: the connection just drops.
      throw new ProtocolError(SYNTAX_ERROR, replyText(SYNTAX_ERROR, explanation), 0, 0, true);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding

/** Encoded size of a table including its 4-byte length. */
export function tableSize(t: FieldTable): number {
  let n = 4;
  for (const [k, v] of t) n += 1 + Buffer.byteLength(k, 'utf8') + 1 + valueSize(v);
  return n;
}

function arraySize(a: readonly FieldValue[]): number {
  let n = 4;
  for (const v of a) n += 1 + valueSize(v);
  return n;
}

/** Encoded size of a value without its type letter. */
export function valueSize(v: FieldValue): number {
  switch (v.type) {
    case 't':
    case 'b':
    case 'B':
      return 1;
    case 's':
    case 'u':
      return 2;
    case 'I':
    case 'i':
    case 'f':
      return 4;
    case 'l':
    case 'd':
    case 'T':
      return 8;
    case 'D':
      return 5;
    case 'S':
      return 4 + Buffer.byteLength(v.value, 'utf8');
    case 'x':
      return 4 + v.value.length;
    case 'F':
      return tableSize(v.value);
    case 'A':
      return arraySize(v.value);
    case 'V':
      return 0;
  }
}

/** Writes a table (with its 4-byte length) at `offset`; returns the offset after it. */
export function writeTable(buf: Buffer, offset: number, t: FieldTable): number {
  let p = offset + 4;
  for (const [k, v] of t) {
    const klen = Buffer.byteLength(k, 'utf8');
    if (klen > 255) throw new RangeError(`field table key too long (${klen} bytes)`);
    buf[p] = klen;
    buf.write(k, p + 1, klen, 'utf8');
    p += 1 + klen;
    p = writeValue(buf, p, v);
  }
  writeU32(buf, offset, p - offset - 4);
  return p;
}

function writeArray(buf: Buffer, offset: number, a: readonly FieldValue[]): number {
  let p = offset + 4;
  for (const v of a) p = writeValue(buf, p, v);
  writeU32(buf, offset, p - offset - 4);
  return p;
}

/** Writes a value with its type letter; returns the offset after it. */
export function writeValue(buf: Buffer, p: number, v: FieldValue): number {
  buf[p] = v.type.charCodeAt(0);
  p++;
  switch (v.type) {
    case 't':
      buf[p] = v.value ? 1 : 0;
      return p + 1;
    case 'b':
    case 'B':
      buf[p] = v.value & 0xff;
      return p + 1;
    case 's':
    case 'u':
      buf[p] = (v.value >>> 8) & 0xff;
      buf[p + 1] = v.value & 0xff;
      return p + 2;
    case 'I':
    case 'i':
      return writeU32(buf, p, v.value);
    case 'f':
      buf.writeFloatBE(v.value, p);
      return p + 4;
    case 'd':
      buf.writeDoubleBE(v.value, p);
      return p + 8;
    case 'l':
      buf.writeBigInt64BE(BigInt.asIntN(64, v.value), p);
      return p + 8;
    case 'T':
      return writeU64(buf, p, v.value);
    case 'D':
      buf[p] = v.value.scale & 0xff;
      return writeU32(buf, p + 1, v.value.value);
    case 'S': {
      const len = buf.write(v.value, p + 4, 'utf8');
      writeU32(buf, p, len);
      return p + 4 + len;
    }
    case 'x':
      return writeLongStr(buf, p, v.value);
    case 'F':
      return writeTable(buf, p, v.value);
    case 'A':
      return writeArray(buf, p, v.value);
    case 'V':
      return p;
  }
}

/** Encodes a table (with its length prefix) into a new Buffer. */
export function encodeTable(t: FieldTable): Buffer {
  const buf = Buffer.allocUnsafe(tableSize(t));
  writeTable(buf, 0, t);
  return buf;
}

// ---------------------------------------------------------------------------------------------
// Comparison and accessors

/*
 * Equality as RabbitMQ compares decoded field tables (Erlang terms): same type letter and the
 * same value; floats exactly (NaN equals itself, 0.0 and -0.0 differ); nested tables and arrays
 * in order. A binding's arguments are compared with their top level in any order, because
 * RabbitMQ sorts that level (rabbit_binding:binding_action); nested levels are not sorted.
 */

/** Same type letter and the same value; nested tables and arrays compare in order. */
export function fieldValuesEqual(a: FieldValue, b: FieldValue): boolean {
  if (a === b) return true;
  switch (a.type) {
    case 't':
    case 'b':
    case 'B':
    case 's':
    case 'u':
    case 'I':
    case 'i':
    case 'T':
    case 'l':
    case 'S':
      return b.type === a.type && a.value === b.value;
    case 'f':
    case 'd':
      return b.type === a.type && Object.is(a.value, b.value);
    case 'D':
      return b.type === 'D' && a.value.scale === b.value.scale && a.value.value === b.value.value;
    case 'x':
      return b.type === 'x' && a.value.equals(b.value);
    case 'A': {
      if (b.type !== 'A' || a.value.length !== b.value.length) return false;
      for (let i = 0; i < a.value.length; i++) if (!fieldValuesEqual(a.value[i]!, b.value[i]!)) return false;
      return true;
    }
    case 'F':
      return b.type === 'F' && orderedTablesEqual(a.value, b.value);
    case 'V':
      return b.type === 'V';
  }
}

/** Same keys in the same order with equal values (a nested table, as Erlang compares lists). */
function orderedTablesEqual(a: FieldTable, b: FieldTable): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  const ib = b.entries();
  for (const [ka, va] of a) {
    const eb = ib.next();
    if (eb.done === true) return false;
    const [kb, vb] = eb.value;
    if (ka !== kb || !fieldValuesEqual(va, vb)) return false;
  }
  return true;
}

/** Same keys, top level in any order, with equal values (binding arguments). */
export function tablesEqual(a: FieldTable, b: FieldTable): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (w === undefined || !fieldValuesEqual(v, w)) return false;
  }
  return true;
}

/** The numeric value of any integer/float/decimal/timestamp value (bigint → number); else undefined. */
export function fieldNumber(v: FieldValue | undefined): number | undefined {
  if (v === undefined) return undefined;
  switch (v.type) {
    case 'b':
    case 'B':
    case 's':
    case 'u':
    case 'I':
    case 'i':
    case 'f':
    case 'd':
    case 'T':
      return v.value;
    case 'l':
      return Number(v.value);
    case 'D':
      return v.value.value / 10 ** v.value.scale;
    default:
      return undefined;
  }
}

/** The string of an `S` value, or the UTF-8 decoding of an `x` value; else undefined. */
export function fieldString(v: FieldValue | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (v.type === 'S') return v.value;
  if (v.type === 'x') return v.value.toString('utf8');
  return undefined;
}

/** The boolean of a `t` value; else undefined. */
export function fieldBoolean(v: FieldValue | undefined): boolean | undefined {
  return v !== undefined && v.type === 't' ? v.value : undefined;
}

/** The table of an `F` value; else undefined. */
export function fieldTable(v: FieldValue | undefined): FieldTable | undefined {
  return v !== undefined && v.type === 'F' ? v.value : undefined;
}

// ---------------------------------------------------------------------------------------------
// Building and exporting

/** Plain JS input accepted by {@link tableFromObject}. `undefined` entries are skipped. */
export type FieldInput =
  | string
  | number
  | bigint
  | boolean
  | null
  | undefined
  | Buffer
  | Date
  | readonly FieldInput[]
  | ReadonlyMap<string, FieldInput | FieldValue>
  | { readonly [key: string]: FieldInput };

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function isFieldValue(x: unknown): x is FieldValue {
  if (typeof x !== 'object' || x === null || Buffer.isBuffer(x) || Array.isArray(x) || x instanceof Map) return false;
  const t = (x as { type?: unknown }).type;
  return typeof t === 'string' && t.length === 1 && 'value' in x && 'tbBsuIilfdDSTFAVx'.includes(t);
}

/**
 * Infers a typed value the way RabbitMQ's clients do: string → S, boolean → t,
 * integer within int32 → I, other integer within int64 → l, other number → d, bigint → l,
 * Buffer → x, Date → T (seconds), null → V, array → A, plain object / Map → F.
 * Values of a Map that already are FieldValues are kept as they are.
 */
export function fieldValueFrom(x: FieldInput | FieldValue): FieldValue {
  switch (typeof x) {
    case 'string':
      return { type: 'S', value: x };
    case 'boolean':
      return { type: 't', value: x };
    case 'number':
      if (Number.isInteger(x)) {
        if (x >= -0x8000_0000 && x <= 0x7fff_ffff) return { type: 'I', value: x };
        const big = BigInt(x);
        if (big >= INT64_MIN && big <= INT64_MAX) return { type: 'l', value: big };
      }
      return { type: 'd', value: x };
    case 'bigint':
      return { type: 'l', value: BigInt.asIntN(64, x) };
    case 'undefined':
      return { type: 'V', value: null };
    default:
      break;
  }
  if (x === null) return { type: 'V', value: null };
  if (Buffer.isBuffer(x)) return { type: 'x', value: Buffer.from(x) };
  if (x instanceof Date) return { type: 'T', value: Math.floor(x.getTime() / 1000) };
  if (Array.isArray(x)) return { type: 'A', value: (x as readonly FieldInput[]).map((e) => fieldValueFrom(e)) };
  if (x instanceof Map) return { type: 'F', value: tableFromObject(x as ReadonlyMap<string, FieldInput | FieldValue>) };
  if (isFieldValue(x)) return x;
  return { type: 'F', value: tableFromObject(x as { readonly [key: string]: FieldInput }) };
}

/** Builds a FieldTable from a plain object or Map, inferring types (see {@link fieldValueFrom}). */
export function tableFromObject(
  obj: { readonly [key: string]: FieldInput } | ReadonlyMap<string, FieldInput | FieldValue>,
): FieldTable {
  const t = new Map<string, FieldValue>();
  if (obj instanceof Map) {
    for (const [k, v] of obj as ReadonlyMap<string, FieldInput | FieldValue>) {
      if (v !== undefined) t.set(k, isFieldValue(v) ? v : fieldValueFrom(v));
    }
  } else {
    for (const k of Object.keys(obj)) {
      const v = (obj as { readonly [key: string]: FieldInput })[k];
      if (v !== undefined) t.set(k, fieldValueFrom(v));
    }
  }
  return t;
}

function decimalToNumber(d: Decimal): number {
  return d.value / 10 ** d.scale;
}

/** A JSON-friendly view of a value (see {@link tableToJSON}). */
export function fieldValueToJSON(v: FieldValue): unknown {
  switch (v.type) {
    case 'l':
      return v.value >= BigInt(Number.MIN_SAFE_INTEGER) && v.value <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(v.value)
        : v.value.toString();
    case 'D':
      return decimalToNumber(v.value);
    case 'x':
      return v.value.toString('utf8');
    case 'F':
      return tableToJSON(v.value);
    case 'A':
      return v.value.map(fieldValueToJSON);
    case 'f':
    case 'd':
      return Number.isFinite(v.value) ? v.value : String(v.value);
    default:
      return v.value;
  }
}

/**
 * Converts a table to plain JSON data (for the management API): numbers, strings, booleans,
 * null; bigint → number when safe else decimal string; Buffer → UTF-8 string; decimal → number.
 */
export function tableToJSON(t: FieldTable): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of t) out[k] = fieldValueToJSON(v);
  return out;
}
