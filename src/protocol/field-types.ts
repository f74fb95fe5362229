/**
 * Typed AMQP field-table values, as RabbitMQ defines them (its type letters, not the spec's).
 * Every value carries its wire type so that a table survives decode/encode unchanged.
 */
export type FieldValue =
  | { readonly type: 't'; readonly value: boolean }
  | { readonly type: 'b' | 'B' | 's' | 'u' | 'I' | 'i' | 'f' | 'd' | 'T'; readonly value: number }
  | { readonly type: 'l'; readonly value: bigint }
  | { readonly type: 'D'; readonly value: Decimal }
  | { readonly type: 'S'; readonly value: string }
  | { readonly type: 'x'; readonly value: Buffer }
  | { readonly type: 'A'; readonly value: readonly FieldValue[] }
  | { readonly type: 'F'; readonly value: FieldTable }
  | { readonly type: 'V'; readonly value: null };

export interface Decimal {
  readonly scale: number;
  readonly value: number;
}

/** A decoded field table; insertion order is wire order; a repeated key keeps its last value. */
export type FieldTable = ReadonlyMap<string, FieldValue>;

export const EMPTY_TABLE: FieldTable = new Map();
