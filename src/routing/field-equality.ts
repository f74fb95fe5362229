import type { FieldTable, FieldValue } from '../protocol/field-types.js';

/*
 * Private equality of field values for the routing layer (to be deduplicated with
 * src/protocol/field-table.ts later).
 *
 * RabbitMQ identifies a binding by {source, key, destination, args} where args is the field table
 * with its top level sorted by key (rabbit_binding:binding_action calls
 * rabbit_misc:sort_field_table) and compared as an Erlang term: same type atoms, same values.
 * Nested tables are not sorted, so their order matters.
 */

/** Same type letter and the same value; nested tables and arrays compare in order. */
export function fieldValueEqual(a: FieldValue, b: FieldValue): boolean {
  if (a === b) return true;
  switch (a.type) {
    case 't':
      return b.type === 't' && a.value === b.value;
    case 'b':
    case 'B':
    case 's':
    case 'u':
    case 'I':
    case 'i':
    case 'T':
      return b.type === a.type && a.value === b.value;
    case 'f':
    case 'd':
      // Erlang's exact term equality: 0.0 and -0.0 differ (OTP 27+)
      return b.type === a.type && Object.is(a.value, b.value);
    case 'l':
      return b.type === 'l' && a.value === b.value;
    case 'D':
      return b.type === 'D' && a.value.scale === b.value.scale && a.value.value === b.value.value;
    case 'S':
      return b.type === 'S' && a.value === b.value;
    case 'x':
      return b.type === 'x' && a.value.equals(b.value);
    case 'A':
      return b.type === 'A' && arraysEqual(a.value, b.value);
    case 'F':
      return b.type === 'F' && orderedTablesEqual(a.value, b.value);
    case 'V':
      return b.type === 'V';
  }
}

export function arraysEqual(a: readonly FieldValue[], b: readonly FieldValue[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (!fieldValueEqual(a[i] as FieldValue, b[i] as FieldValue)) return false;
  }
  return true;
}

/** Same keys in the same order with equal values (a nested table, as Erlang compares lists). */
export function orderedTablesEqual(a: FieldTable, b: FieldTable): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  const ib = b.entries();
  for (const [ka, va] of a) {
    const eb = ib.next();
    if (eb.done === true) return false;
    const [kb, vb] = eb.value;
    if (ka !== kb || !fieldValueEqual(va, vb)) return false;
  }
  return true;
}

/**
 * Equality of two bindings' argument tables: top level in any order (RabbitMQ sorts it), values
 * by type and value, nested tables in order.
 */
export function bindingArgsEqual(a: FieldTable, b: FieldTable): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  for (const [k, va] of a) {
    const vb = b.get(k);
    if (vb === undefined || !fieldValueEqual(va, vb)) return false;
  }
  return true;
}
