import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { FieldTable, FieldValue } from '../../src/protocol/field-types.js';
import { EMPTY_TABLE } from '../../src/protocol/field-types.js';
import {
  MAX_TABLE_DEPTH,
  decodeTable,
  encodeTable,
  fieldNumber,
  fieldString,
  fieldValuesEqual,
  tableFromObject,
  tableSize,
  tableToJSON,
  tablesEqual,
  writeTable,
} from '../../src/protocol/field-table.js';
import { ProtocolError } from '../../src/protocol/errors.js';
import { fieldTable, fieldValue } from './arbitraries.js';

function isSyntaxError(e: unknown): boolean {
  return e instanceof ProtocolError && e.code === 502 && e.text.startsWith('SYNTAX_ERROR - ');
}

function table(entries: [string, FieldValue][]): FieldTable {
  return new Map(entries);
}

describe('field tables', () => {
  it('round-trips arbitrary tables with every type, nested tables and arrays', () => {
    fc.assert(
      fc.property(fieldTable, fc.nat({ max: 16 }), (t, pad) => {
        const size = tableSize(t);
        const buf = Buffer.alloc(pad + size + 3);
        assert.equal(writeTable(buf, pad, t), pad + size);
        const d = decodeTable(buf, pad);
        assert.equal(d.offset, pad + size);
        assert.deepStrictEqual(d.table, t);
        assert.ok(tablesEqual(d.table, t));
        assert.deepStrictEqual(encodeTable(d.table), buf.subarray(pad, pad + size));
      }),
      { numRuns: 500 },
    );
  });

  it('pins the byte layout of each type letter', () => {
    const t = table([
      ['t', { type: 't', value: true }],
      ['b', { type: 'b', value: -2 }],
      ['B', { type: 'B', value: 254 }],
      ['s', { type: 's', value: -2 }],
      ['u', { type: 'u', value: 65534 }],
      ['I', { type: 'I', value: -2 }],
      ['i', { type: 'i', value: 0xfffffffe }],
      ['l', { type: 'l', value: -2n }],
      ['f', { type: 'f', value: 1.5 }],
      ['d', { type: 'd', value: 1.5 }],
      ['D', { type: 'D', value: { scale: 2, value: 12345 } }],
      ['S', { type: 'S', value: 'hé' }],
      ['T', { type: 'T', value: 1700000000 }],
      ['F', { type: 'F', value: table([['a', { type: 'V', value: null }]]) }],
      ['A', { type: 'A', value: [{ type: 'I', value: 1 }, { type: 'S', value: 'x' }] }],
      ['V', { type: 'V', value: null }],
      ['x', { type: 'x', value: Buffer.from([1, 2]) }],
    ]);
    const hex = encodeTable(t).toString('hex');
    const expected = [
      '0174' + '74' + '01',
      '0162' + '62' + 'fe',
      '0142' + '42' + 'fe',
      '0173' + '73' + 'fffe',
      '0175' + '75' + 'fffe',
      '0149' + '49' + 'fffffffe',
      '0169' + '69' + 'fffffffe',
      '016c' + '6c' + 'fffffffffffffffe',
      '0166' + '66' + '3fc00000',
      '0164' + '64' + '3ff8000000000000',
      '0144' + '44' + '02' + '00003039',
      '0153' + '53' + '00000003' + '68c3a9',
      '0154' + '54' + '000000006553f100',
      '0146' + '46' + '00000003' + '016156',
      '0141' + '41' + '0000000b' + '4900000001' + '530000000178',
      '0156' + '56',
      '0178' + '78' + '00000002' + '0102',
    ].join('');
    assert.equal(hex, (expected.length / 2).toString(16).padStart(8, '0') + expected);
  });

  it('reads L as a signed 64-bit long, as RabbitMQ does', () => {
    const body = Buffer.from('014c4c' + 'fffffffffffffffe', 'hex');
    const buf = Buffer.concat([Buffer.from([0, 0, 0, body.length]), body]);
    assert.deepStrictEqual(decodeTable(buf, 0).table, table([['L', { type: 'l', value: -2n }]]));
  });

  it('keeps the last value of a repeated key', () => {
    const body = Buffer.from('0161490000000101614900000002', 'hex');
    const buf = Buffer.concat([Buffer.from([0, 0, 0, body.length]), body]);
    assert.deepStrictEqual(decodeTable(buf, 0).table, table([['a', { type: 'I', value: 2 }]]));
  });

  it('decodes byte arrays as copies', () => {
    const buf = encodeTable(table([['x', { type: 'x', value: Buffer.from('abc') }]]));
    const t = decodeTable(buf, 0).table;
    buf.fill(0);
    assert.deepStrictEqual(t.get('x'), { type: 'x', value: Buffer.from('abc') });
  });

  it('rejects malformed tables with 502 SYNTAX_ERROR', () => {
    const bad = [
      '', // no length
      '000000', // truncated length
      '00000005', // length beyond buffer
      '00000002' + '0561', // truncated key
      '00000003' + '01615a', // unknown type letter Z
      '00000003' + '016100', // unknown type 0x00
      '00000004' + '016149' + '00', // truncated int
      '00000008' + '016153' + '00000005', // longstr longer than table
      '00000008' + '016146' + '00000009', // nested table longer than container
      '00000008' + '016141' + '00000001', // array longer than container
      '00000009' + '016141' + '00000001' + '5a', // unknown type in array
      '00000007' + '016178' + '00000001', // truncated byte array
    ];
    for (const h of bad) {
      assert.throws(() => decodeTable(Buffer.from(h, 'hex'), 0), isSyntaxError, h);
    }
    assert.throws(() => decodeTable(Buffer.alloc(8), 9), isSyntaxError);
  });

  it(`rejects nesting deeper than ${MAX_TABLE_DEPTH} levels but accepts ${MAX_TABLE_DEPTH}`, () => {
    const nest = (depth: number): FieldTable => {
      let t: FieldTable = table([['v', { type: 'V', value: null }]]);
      for (let i = 0; i < depth; i++) t = table([['n', { type: i % 2 === 0 ? 'F' : 'F', value: t }]]);
      return t;
    };
    assert.doesNotThrow(() => decodeTable(encodeTable(nest(MAX_TABLE_DEPTH)), 0));
    assert.throws(() => decodeTable(encodeTable(nest(MAX_TABLE_DEPTH + 1)), 0), isSyntaxError);
    // arrays count as levels too, and a deep structure never overflows the stack
    // (bytes built by hand: 3000 nested arrays 'A' <len> 'A' <len> ... 'V')
    const levels = 3000;
    const inner = Buffer.alloc(levels * 5 + 1);
    for (let i = 0; i < levels; i++) {
      inner[i * 5] = 0x41;
      inner.writeUInt32BE((levels - i - 1) * 5 + 1, i * 5 + 1);
    }
    inner[levels * 5] = 0x56;
    const body = Buffer.concat([Buffer.from([1, 0x61]), inner]);
    const wire = Buffer.concat([Buffer.alloc(4), body]);
    wire.writeUInt32BE(body.length, 0);
    assert.throws(() => decodeTable(wire, 0), (e: unknown) => isSyntaxError(e) && (e as ProtocolError).text.includes("nested deeper"));
  });

  it('compares values by type and value, tables regardless of key order', () => {
    assert.ok(fieldValuesEqual({ type: 'I', value: 1 }, { type: 'I', value: 1 }));
    assert.ok(!fieldValuesEqual({ type: 'I', value: 1 }, { type: 'i', value: 1 }));
    assert.ok(!fieldValuesEqual({ type: 'S', value: '1' }, { type: 'x', value: Buffer.from('1') }));
    assert.ok(fieldValuesEqual({ type: 'd', value: NaN }, { type: 'd', value: NaN }));
    assert.ok(fieldValuesEqual({ type: 'D', value: { scale: 1, value: 5 } }, { type: 'D', value: { scale: 1, value: 5 } }));
    assert.ok(!fieldValuesEqual({ type: 'D', value: { scale: 1, value: 5 } }, { type: 'D', value: { scale: 2, value: 5 } }));
    assert.ok(!fieldValuesEqual({ type: 'A', value: [] }, { type: 'A', value: [{ type: 'V', value: null }] }));
    const a = tableFromObject({ x: 1, y: 'b', z: { q: [true] } });
    const b = tableFromObject({ z: { q: [true] }, y: 'b', x: 1 });
    assert.ok(tablesEqual(a, b));
    assert.ok(!tablesEqual(a, tableFromObject({ x: 1, y: 'b' })));
    assert.ok(!tablesEqual(a, tableFromObject({ x: 2, y: 'b', z: { q: [true] } })));
    assert.ok(!tablesEqual(tableFromObject({ a: null }), tableFromObject({ b: null })));
    assert.ok(tablesEqual(EMPTY_TABLE, new Map()));
    fc.assert(
      fc.property(fieldValue, (v) => fieldValuesEqual(v, v)),
      { numRuns: 300 },
    );
  });

  it('extracts numbers and strings', () => {
    assert.equal(fieldNumber({ type: 'b', value: -3 }), -3);
    assert.equal(fieldNumber({ type: 'l', value: 10n }), 10);
    assert.equal(fieldNumber({ type: 'd', value: 1.25 }), 1.25);
    assert.equal(fieldNumber({ type: 'D', value: { scale: 2, value: 150 } }), 1.5);
    assert.equal(fieldNumber({ type: 'S', value: '1' }), undefined);
    assert.equal(fieldNumber(undefined), undefined);
    assert.equal(fieldString({ type: 'S', value: 'a' }), 'a');
    assert.equal(fieldString({ type: 'x', value: Buffer.from('b') }), 'b');
    assert.equal(fieldString({ type: 'I', value: 1 }), undefined);
  });

  it('builds tables from plain objects like RabbitMQ clients', () => {
    const t = tableFromObject({
      s: 'str',
      t: true,
      i: 42,
      neg: -2147483648,
      big: 2147483648,
      f: 1.5,
      bi: 5n,
      buf: Buffer.from('x'),
      nul: null,
      skip: undefined,
      arr: [1, 'a'],
      obj: { k: 'v' },
      map: new Map<string, FieldValue>([['m', { type: 'u', value: 7 }]]),
      date: new Date(1700000000123),
    });
    assert.deepStrictEqual(
      t,
      table([
        ['s', { type: 'S', value: 'str' }],
        ['t', { type: 't', value: true }],
        ['i', { type: 'I', value: 42 }],
        ['neg', { type: 'I', value: -2147483648 }],
        ['big', { type: 'l', value: 2147483648n }],
        ['f', { type: 'd', value: 1.5 }],
        ['bi', { type: 'l', value: 5n }],
        ['buf', { type: 'x', value: Buffer.from('x') }],
        ['nul', { type: 'V', value: null }],
        ['arr', { type: 'A', value: [{ type: 'I', value: 1 }, { type: 'S', value: 'a' }] }],
        ['obj', { type: 'F', value: table([['k', { type: 'S', value: 'v' }]]) }],
        ['map', { type: 'F', value: table([['m', { type: 'u', value: 7 }]]) }],
        ['date', { type: 'T', value: 1700000000 }],
      ]),
    );
  });

  it('converts tables to JSON', () => {
    const t = table([
      ['l', { type: 'l', value: 12n }],
      ['L', { type: 'l', value: 2n ** 60n }],
      ['D', { type: 'D', value: { scale: 1, value: 15 } }],
      ['x', { type: 'x', value: Buffer.from('bytes') }],
      ['F', { type: 'F', value: table([['a', { type: 'A', value: [{ type: 't', value: false }, { type: 'V', value: null }] }]]) }],
      ['T', { type: 'T', value: 5 }],
    ]);
    assert.deepStrictEqual(tableToJSON(t), {
      l: 12,
      L: (2n ** 60n).toString(),
      D: 1.5,
      x: 'bytes',
      F: { a: [false, null] },
      T: 5,
    });
    fc.assert(
      fc.property(fieldTable, (tb) => {
        JSON.stringify(tableToJSON(tb));
      }),
      { numRuns: 200 },
    );
  });
});
