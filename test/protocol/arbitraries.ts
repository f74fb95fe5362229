/** fast-check arbitraries for the protocol tests (not a test file itself). */
import fc from 'fast-check';
import type { FieldTable, FieldValue } from '../../src/protocol/field-types.js';
import { METHODS } from '../../src/protocol/generated/methods.js';
import type { ArgumentInfo, Method, MethodInfo } from '../../src/protocol/generated/methods.js';
import type { BasicProperties } from '../../src/protocol/generated/properties.js';

/** Unicode strings without lone surrogates, at most 255 UTF-8 bytes. */
export const shortStr: fc.Arbitrary<string> = fc
  .string({ unit: 'binary', maxLength: 60 })
  .filter((s) => Buffer.byteLength(s) <= 255);

export const anyStr: fc.Arbitrary<string> = fc.string({ unit: 'binary', maxLength: 300 });

export const bytes: fc.Arbitrary<Buffer> = fc.uint8Array({ maxLength: 64 }).map((u) => Buffer.from(u));

export const scalarValue: fc.Arbitrary<FieldValue> = fc.oneof(
  fc.boolean().map((value): FieldValue => ({ type: 't', value })),
  fc.integer({ min: -128, max: 127 }).map((value): FieldValue => ({ type: 'b', value })),
  fc.integer({ min: 0, max: 255 }).map((value): FieldValue => ({ type: 'B', value })),
  fc.integer({ min: -32768, max: 32767 }).map((value): FieldValue => ({ type: 's', value })),
  fc.integer({ min: 0, max: 65535 }).map((value): FieldValue => ({ type: 'u', value })),
  fc.integer().map((value): FieldValue => ({ type: 'I', value })),
  fc.nat({ max: 0xffff_ffff }).map((value): FieldValue => ({ type: 'i', value })),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((value): FieldValue => ({ type: 'l', value })),
  fc.float().map((value): FieldValue => ({ type: 'f', value })),
  fc.double().map((value): FieldValue => ({ type: 'd', value })),
  fc
    .record({ scale: fc.nat({ max: 255 }), value: fc.nat({ max: 0xffff_ffff }) })
    .map((v): FieldValue => ({ type: 'D', value: { scale: v.scale, value: v.value } })),
  anyStr.map((value): FieldValue => ({ type: 'S', value })),
  fc.maxSafeNat().map((value): FieldValue => ({ type: 'T', value })),
  bytes.map((value): FieldValue => ({ type: 'x', value })),
  fc.constant<FieldValue>({ type: 'V', value: null }),
);

const tree = fc.letrec<{ value: FieldValue; table: FieldTable; array: FieldValue[] }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalarValue,
    tie('table').map((value): FieldValue => ({ type: 'F', value })),
    tie('array').map((value): FieldValue => ({ type: 'A', value })),
  ),
  table: fc
    .array(fc.tuple(shortStr, tie('value')), { maxLength: 6 })
    .map((entries) => new Map(entries) as FieldTable),
  array: fc.array(tie('value'), { maxLength: 6 }),
}));

export const fieldValue: fc.Arbitrary<FieldValue> = tree.value;
export const fieldTable: fc.Arbitrary<FieldTable> = tree.table;
export const fieldArray: fc.Arbitrary<FieldValue[]> = tree.array;

function argArbitrary(a: ArgumentInfo): fc.Arbitrary<unknown> {
  switch (a.type) {
    case 'octet':
      return fc.nat({ max: 255 });
    case 'short':
      return fc.nat({ max: 65535 });
    case 'long':
      return fc.nat({ max: 0xffff_ffff });
    case 'longlong':
    case 'timestamp':
      return fc.oneof(fc.maxSafeNat(), fc.nat({ max: 1000 }));
    case 'bit':
      return fc.boolean();
    case 'shortstr':
      return shortStr;
    case 'longstr':
      return bytes;
    case 'table':
      return fieldTable;
  }
}

/** Arbitrary method objects of one kind. */
export function methodArbitrary(info: MethodInfo): fc.Arbitrary<Method> {
  const model: Record<string, fc.Arbitrary<unknown>> = { id: fc.constant(info.id) };
  for (const a of info.arguments) model[a.name] = argArbitrary(a);
  return fc.record(model).map((r) => ({ ...r }) as unknown as Method);
}

/** Arbitrary method of any kind. */
export const anyMethod: fc.Arbitrary<Method> = fc.oneof(...METHODS.map(methodArbitrary));

export const basicProperties: fc.Arbitrary<BasicProperties> = fc
  .record(
    {
      contentType: shortStr,
      contentEncoding: shortStr,
      headers: fieldTable,
      deliveryMode: fc.nat({ max: 255 }),
      priority: fc.nat({ max: 255 }),
      correlationId: shortStr,
      replyTo: shortStr,
      expiration: shortStr,
      messageId: shortStr,
      timestamp: fc.maxSafeNat(),
      type: shortStr,
      userId: shortStr,
      appId: shortStr,
      clusterId: shortStr,
    },
    { requiredKeys: [] },
  )
  .map((p) => ({ ...p }) as BasicProperties);
