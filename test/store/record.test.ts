/** Record framing (magic | crc32 | length | payload) and recovery scanning of damaged files. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { encodeRecord, RECORD_HEADER_SIZE, RECORD_MAGIC, scanRecords, sealRecord, type ScanResult } from '../../src/store/record.js';

interface Found {
  readonly offset: number;
  readonly payload: Buffer;
}

function scan(buf: Buffer): ScanResult & { found: Found[] } {
  const found: Found[] = [];
  const result = scanRecords(buf, (payload, offset) => found.push({ offset, payload: Buffer.from(payload) }));
  assert.equal(result.records, found.length, 'records counts the callbacks');
  return { ...result, found };
}

/** A file of records around `payloads`, with each record's [start, end). */
function fileOf(payloads: readonly Buffer[]): { buf: Buffer; spans: { start: number; end: number }[] } {
  const spans: { start: number; end: number }[] = [];
  let at = 0;
  for (const p of payloads) {
    spans.push({ start: at, end: at + RECORD_HEADER_SIZE + p.length });
    at += RECORD_HEADER_SIZE + p.length;
  }
  return { buf: Buffer.concat(payloads.map((p) => encodeRecord(p))), spans };
}

const payloadsOf = (...texts: string[]): Buffer[] => texts.map((t) => Buffer.from(t));

/** Independent of src/store: is there an intact record at `i`? */
function intactAt(buf: Buffer, i: number): boolean {
  if (i + 10 > buf.length || buf[i] !== 0x57 || buf[i + 1] !== 0x52) return false;
  const length = buf.readUInt32BE(i + 6);
  if (i + 10 + length > buf.length) return false;
  return crc32(buf.subarray(i + 6, i + 10 + length)) === buf.readUInt32BE(i + 2);
}

/**
 * The scan's findings partition the file: from 0, each piece is either a record it returned or a
 * skipped range that ends where a returned record starts, up to validEnd; after validEnd there is
 * no intact record at any offset (so truncating there loses nothing).
 */
function assertConsistent(buf: Buffer, r: ReturnType<typeof scan>): void {
  let at = 0;
  let skippedIdx = 0;
  for (const f of r.found) {
    const s = r.skipped[skippedIdx];
    if (s !== undefined && s.from === at) {
      assert.ok(s.to > s.from, `empty skipped range at ${at}`);
      assert.equal(s.to, f.offset, 'a skipped range ends where the next record starts');
      skippedIdx++;
      at = s.to;
    }
    assert.equal(f.offset, at, `record at ${f.offset} follows the previous piece (ends at ${at})`);
    assert.ok(intactAt(buf, f.offset), `returned record at ${f.offset} is intact`);
    assert.ok(f.payload.equals(buf.subarray(f.offset + 10, f.offset + 10 + f.payload.length)));
    at = f.offset + RECORD_HEADER_SIZE + f.payload.length;
  }
  assert.equal(skippedIdx, r.skipped.length, 'every skipped range is followed by a record');
  assert.equal(r.validEnd, at, 'validEnd is the end of the last record');
  for (let i = r.validEnd; i < buf.length; i++) assert.ok(!intactAt(buf, i), `intact record at ${i} after validEnd ${r.validEnd}`);
}

describe('record framing', () => {
  it('encodeRecord writes magic, crc32 over length+payload, length, payload', () => {
    const payload = Buffer.from('hello, warren');
    const rec = encodeRecord(payload);
    assert.equal(rec.length, RECORD_HEADER_SIZE + payload.length);
    assert.equal(rec.readUInt16BE(0), RECORD_MAGIC);
    assert.equal(rec.readUInt16BE(0), 0x5752);
    assert.equal(rec.readUInt32BE(6), payload.length);
    assert.equal(rec.readUInt32BE(2), crc32(rec.subarray(6)));
    assert.ok(rec.subarray(RECORD_HEADER_SIZE).equals(payload));
  });

  it('sealRecord in place gives the same bytes as encodeRecord', () => {
    const payload = Buffer.from('sealed in place');
    const buf = Buffer.alloc(7 + RECORD_HEADER_SIZE + payload.length + 5, 0xaa);
    payload.copy(buf, 7 + RECORD_HEADER_SIZE);
    sealRecord(buf, 7, payload.length);
    assert.ok(buf.subarray(7, 7 + RECORD_HEADER_SIZE + payload.length).equals(encodeRecord(payload)));
    assert.equal(buf[6], 0xaa);
    assert.equal(buf[7 + RECORD_HEADER_SIZE + payload.length], 0xaa);
  });
});

describe('scanRecords', () => {
  it('round trip: every record, in order, at its offset; nothing skipped', () => {
    const payloads = [Buffer.alloc(0), Buffer.from('a'), Buffer.alloc(100_000, 7), Buffer.from([0x57, 0x52, 0, 0]), Buffer.from('last')];
    const { buf, spans } = fileOf(payloads);
    const r = scan(buf);
    assert.equal(r.records, payloads.length);
    assert.deepEqual(r.found.map((f) => f.offset), spans.map((s) => s.start));
    r.found.forEach((f, i) => assert.ok(f.payload.equals(payloads[i]!), `payload ${i}`));
    assert.deepEqual(r.skipped, []);
    assert.equal(r.validEnd, buf.length);
    assertConsistent(buf, r);
  });

  it('empty file: no records, validEnd 0', () => {
    const r = scan(Buffer.alloc(0));
    assert.deepEqual({ records: r.records, skipped: r.skipped, validEnd: r.validEnd }, { records: 0, skipped: [], validEnd: 0 });
  });

  it('a file of garbage only: no records, validEnd 0, nothing reported skipped (it is all tail)', () => {
    const garbage = Buffer.from('WRWR\x57\x52garbage\x00\x00\x00\x05hello'.repeat(20), 'latin1');
    const r = scan(garbage);
    assert.equal(r.records, 0);
    assert.equal(r.validEnd, 0);
    assert.deepEqual(r.skipped, []);
    assertConsistent(garbage, r);
  });

  it('torn tail: cut anywhere inside the last record → validEnd at the end of the last intact one', () => {
    const { buf, spans } = fileOf(payloadsOf('first', 'second record', 'the third and last record'));
    const last = spans[2]!;
    for (let cut = last.start + 1; cut < last.end; cut++) {
      const r = scan(buf.subarray(0, cut));
      assert.equal(r.records, 2, `cut at ${cut}`);
      assert.equal(r.validEnd, last.start, `cut at ${cut}`);
      assert.deepEqual(r.skipped, [], `cut at ${cut}`);
      assertConsistent(buf.subarray(0, cut), r);
    }
  });

  it('torn tail inside the first record → no records, validEnd 0', () => {
    const { buf } = fileOf(payloadsOf('only record'));
    for (let cut = 1; cut < buf.length; cut++) {
      const r = scan(buf.subarray(0, cut));
      assert.equal(r.records, 0);
      assert.equal(r.validEnd, 0);
    }
  });

  it('garbage appended: every record kept, validEnd at the end of the records', () => {
    const { buf, spans } = fileOf(payloadsOf('one', 'two', 'three'));
    const garbages = [
      Buffer.from([0]),
      Buffer.alloc(3, 0xff),
      Buffer.from('random bytes that are not a record'),
      Buffer.from([0x57]),
      Buffer.from([0x57, 0x52]),
      // A header with the magic whose length runs past the end of the file.
      Buffer.from([0x57, 0x52, 1, 2, 3, 4, 0, 0, 1, 0, 9, 9]),
      // A complete-looking header with the magic, a fitting length and a wrong checksum.
      Buffer.concat([Buffer.from([0x57, 0x52, 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 4]), Buffer.from('abcd')]),
    ];
    for (const g of garbages) {
      const damaged = Buffer.concat([buf, g]);
      const r = scan(damaged);
      assert.equal(r.records, 3, `garbage ${g.toString('hex')}`);
      assert.equal(r.validEnd, spans[2]!.end);
      assert.deepEqual(r.skipped, []);
      assertConsistent(damaged, r);
    }
  });

  it('a flipped byte anywhere in a middle record: that record is skipped, later ones kept, the range reported', () => {
    const payloads = payloadsOf('record zero', 'record one', 'record two, the damaged one', 'record three', 'record four');
    const { buf, spans } = fileOf(payloads);
    const hit = spans[2]!;
    for (let at = hit.start; at < hit.end; at++) {
      for (const xor of [0x01, 0x80, 0xff]) {
        const damaged = Buffer.from(buf);
        damaged[at] = damaged[at]! ^ xor;
        const r = scan(damaged);
        const where = `byte ${at - hit.start} of the record ^ ${xor}`;
        assert.deepEqual(r.found.map((f) => f.payload.toString()), ['record zero', 'record one', 'record three', 'record four'], where);
        assert.deepEqual(r.skipped, [{ from: hit.start, to: hit.end }], where);
        assert.equal(r.validEnd, buf.length, where);
        assertConsistent(damaged, r);
      }
    }
  });

  it('several damaged records: each damaged run is one skipped range', () => {
    const payloads = Array.from({ length: 10 }, (_, i) => Buffer.from(`payload number ${i}`));
    const { buf, spans } = fileOf(payloads);
    const damaged = Buffer.from(buf);
    for (const k of [0, 3, 4, 8]) damaged[spans[k]!.start + 12] = damaged[spans[k]!.start + 12]! ^ 0x20;
    const r = scan(damaged);
    assert.deepEqual(r.found.map((f) => f.payload.toString()), [1, 2, 5, 6, 7, 9].map((i) => `payload number ${i}`));
    assert.deepEqual(r.skipped, [
      { from: spans[0]!.start, to: spans[1]!.start },
      { from: spans[3]!.start, to: spans[5]!.start },
      { from: spans[8]!.start, to: spans[9]!.start },
    ]);
    assert.equal(r.validEnd, buf.length);
    assertConsistent(damaged, r);
  });

  it('damage in the last record is a tail: validEnd before it, nothing skipped', () => {
    const { buf, spans } = fileOf(payloadsOf('a', 'b', 'c'));
    const damaged = Buffer.from(buf);
    damaged[spans[2]!.start + 10] = damaged[spans[2]!.start + 10]! ^ 1;
    const r = scan(damaged);
    assert.equal(r.records, 2);
    assert.equal(r.validEnd, spans[2]!.start);
    assert.deepEqual(r.skipped, []);
  });

  it('garbage containing the magic between records is skipped exactly', () => {
    const { buf: head } = fileOf(payloadsOf('before'));
    const { buf: tail } = fileOf(payloadsOf('after one', 'after two'));
    const garbage = Buffer.concat([
      Buffer.from('WRWRWR', 'latin1'),
      Buffer.from([0x57, 0x52, 0, 0, 0, 0, 0, 0, 0, 0]), // magic, crc 0, length 0: wrong crc
      Buffer.from([0x57, 0x52, 1, 2, 3, 4, 0x7f, 0xff, 0xff, 0xff]), // length past the end
      Buffer.from([0x57, 0x52, 1, 2, 3, 4, 0, 0, 0, 12]), // a length that ends inside the next record
      Buffer.from([0x57]),
    ]);
    const damaged = Buffer.concat([head, garbage, tail]);
    const r = scan(damaged);
    assert.deepEqual(r.found.map((f) => f.payload.toString()), ['before', 'after one', 'after two']);
    assert.deepEqual(r.skipped, [{ from: head.length, to: head.length + garbage.length }]);
    assert.equal(r.validEnd, damaged.length);
    assertConsistent(damaged, r);
  });

  it('garbage before the first record is reported as a skipped range from 0', () => {
    const { buf } = fileOf(payloadsOf('x', 'y'));
    const damaged = Buffer.concat([Buffer.from('junk\x57\x52junk', 'latin1'), buf]);
    const r = scan(damaged);
    assert.deepEqual(r.found.map((f) => f.payload.toString()), ['x', 'y']);
    assert.deepEqual(r.skipped, [{ from: 0, to: 10 }]);
    assertConsistent(damaged, r);
  });

  it('a torn record followed by intact ones (a write that was cut short, then appended to) is skipped', () => {
    const { buf: a } = fileOf(payloadsOf('intact'));
    const torn = encodeRecord(Buffer.from('torn record payload')).subarray(0, 15);
    const { buf: b } = fileOf(payloadsOf('later'));
    const damaged = Buffer.concat([a, torn, b]);
    const r = scan(damaged);
    assert.deepEqual(r.found.map((f) => f.payload.toString()), ['intact', 'later']);
    assert.deepEqual(r.skipped, [{ from: a.length, to: a.length + torn.length }]);
  });

  it('a record whose payload is itself a record is one record while intact', () => {
    const inner = encodeRecord(Buffer.from('inner'));
    const { buf } = fileOf([inner, Buffer.from('next')]);
    const r = scan(buf);
    assert.equal(r.records, 2);
    assert.ok(r.found[0]!.payload.equals(inner));
  });
});

// ---- property: random damage ----

type Damage =
  | { kind: 'overwrite'; at: number; bytes: Uint8Array }
  | { kind: 'flip'; at: number; mask: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'append'; bytes: Uint8Array };

const MAGIC = [0x57, 0x52];

/** Garbage that often looks like the start of a record. */
const garbage: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 40 }),
  fc.constant(Uint8Array.from(MAGIC)),
  fc.tuple(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.nat({ max: 64 }), fc.uint8Array({ maxLength: 64 })).map(([crc, length, rest]) => {
    const b = Buffer.alloc(10);
    b.writeUInt16BE(RECORD_MAGIC, 0);
    Buffer.from(crc).copy(b, 2);
    b.writeUInt32BE(length, 6);
    return Uint8Array.from(Buffer.concat([b, rest]));
  }),
  fc.array(fc.constantFrom(0x57, 0x52, 0x00), { minLength: 1, maxLength: 30 }).map((a) => Uint8Array.from(a)),
);

const damage: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant('overwrite' as const), at: fc.nat(), bytes: garbage }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: garbage }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 30 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('append' as const), bytes: garbage }),
);

/**
 * Applies damage to a file while tracking, for every byte, its offset in the original file
 * (-1 for a byte that was written by the damage).
 */
function applyDamage(original: Buffer, damages: readonly Damage[]): { buf: Buffer; origin: number[] } {
  let bytes = [...original];
  let origin = bytes.map((_, i) => i);
  for (const d of damages) {
    const pos = (at: number): number => (bytes.length === 0 ? 0 : at % (bytes.length + 1));
    switch (d.kind) {
      case 'overwrite': {
        const at = bytes.length === 0 ? 0 : d.at % bytes.length;
        d.bytes.forEach((v, k) => {
          if (at + k < bytes.length) {
            bytes[at + k] = v;
            origin[at + k] = -1;
          }
        });
        break;
      }
      case 'flip': {
        if (bytes.length === 0) break;
        const at = d.at % bytes.length;
        bytes[at] = bytes[at]! ^ d.mask;
        origin[at] = -1;
        break;
      }
      case 'insert': {
        const at = pos(d.at);
        bytes = [...bytes.slice(0, at), ...d.bytes, ...bytes.slice(at)];
        origin = [...origin.slice(0, at), ...Array.from(d.bytes, () => -1), ...origin.slice(at)];
        break;
      }
      case 'delete': {
        const at = pos(d.at);
        bytes.splice(at, d.length);
        origin.splice(at, d.length);
        break;
      }
      case 'truncate': {
        const at = pos(d.at);
        bytes = bytes.slice(0, at);
        origin = origin.slice(0, at);
        break;
      }
      case 'append':
        bytes = [...bytes, ...d.bytes];
        origin = [...origin, ...Array.from(d.bytes, () => -1)];
        break;
    }
  }
  return { buf: Buffer.from(bytes), origin };
}

/** Where original bytes [start, end) lie contiguous and unmodified in the damaged file, or -1. */
function untouchedAt(origin: readonly number[], start: number, end: number): number {
  const at = origin.indexOf(start);
  if (at < 0) return -1;
  for (let k = 0; k < end - start; k++) if (origin[at + k] !== start + k) return -1;
  return at;
}

describe('scanRecords property: random damage', () => {
  it('never throws, stays consistent, and returns every record whose bytes are untouched', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 120 }), { maxLength: 16 }),
        fc.array(damage, { maxLength: 5 }),
        (raw, damages) => {
          const payloads = raw.map((u) => Buffer.from(u));
          const { buf: original, spans } = fileOf(payloads);
          const { buf, origin } = applyDamage(original, damages);
          const r = scan(buf);
          assertConsistent(buf, r);
          const offsets = new Set(r.found.map((f) => f.offset));
          spans.forEach((s, i) => {
            const at = untouchedAt(origin, s.start, s.end);
            if (at < 0) return;
            assert.ok(offsets.has(at), `untouched record ${i} (now at ${at}) was not recovered; found ${[...offsets].join(',')}; skipped ${JSON.stringify(r.skipped)}`);
            assert.ok(r.found.find((f) => f.offset === at)!.payload.equals(payloads[i]!));
          });
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('a file cut anywhere keeps exactly the records that end before the cut', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 60 }), { minLength: 1, maxLength: 10 }), fc.nat(), (raw, cutSeed) => {
        const payloads = raw.map((u) => Buffer.from(u));
        const { buf, spans } = fileOf(payloads);
        const cut = cutSeed % (buf.length + 1);
        const r = scan(buf.subarray(0, cut));
        const whole = spans.filter((s) => s.end <= cut);
        assert.deepEqual(r.found.map((f) => f.offset), whole.map((s) => s.start));
        assert.equal(r.validEnd, whole.at(-1)?.end ?? 0);
        assert.deepEqual(r.skipped, []);
      }),
      { numRuns: 500 },
    );
  });
});
