import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { METHODS, decodeMethod, encodeMethodFrame } from '../../src/protocol/generated/methods.js';
import { decodeProperties, parseContentHeader, propertiesSize, writeProperties } from '../../src/protocol/generated/properties.js';
import { decodeTable, encodeTable } from '../../src/protocol/field-table.js';
import { FrameReader } from '../../src/protocol/frame-reader.js';
import { ProtocolError } from '../../src/protocol/errors.js';
import { anyMethod, basicProperties, fieldTable } from './arbitraries.js';

/** Runs f; any exception other than ProtocolError fails the property. */
function onlyProtocolErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw new Error(`escaped non-ProtocolError: ${String(e)}`, { cause: e });
    assert.ok([501, 502, 503].includes(e.code), `code ${e.code}`);
    assert.ok(Buffer.byteLength(e.text) <= 255, 'reply text fits a shortstr');
  }
}

const bytes = fc.uint8Array({ maxLength: 400 }).map((u) => Buffer.from(u));

/** A valid encoding with some bytes overwritten and possibly truncated. */
function mutated(valid: fc.Arbitrary<Buffer>): fc.Arbitrary<Buffer> {
  return fc
    .tuple(valid, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { maxLength: 6 }), fc.option(fc.nat()))
    .map(([buf, edits, cut]) => {
      const b = Buffer.from(buf);
      for (const [i, v] of edits) if (b.length > 0) b[i % b.length] = v;
      return cut === null || b.length === 0 ? b : b.subarray(0, cut % (b.length + 1));
    });
}

const methodIdPrefix = fc.constantFrom(...METHODS.map((m) => m.id));

describe('fuzz: malformed input only ever raises ProtocolError', () => {
  it('decodeMethod on random bytes', () => {
    fc.assert(
      fc.property(bytes, (b) => onlyProtocolErrors(() => decodeMethod(b))),
      { numRuns: 1000 },
    );
  });

  it('decodeMethod on random arguments of every known method', () => {
    fc.assert(
      fc.property(methodIdPrefix, bytes, (id, args) => {
        const b = Buffer.alloc(4 + args.length);
        b.writeUInt32BE(id, 0);
        args.copy(b, 4);
        onlyProtocolErrors(() => decodeMethod(b));
      }),
      { numRuns: 1000 },
    );
  });

  it('decodeMethod on mutated valid methods', () => {
    const valid = anyMethod.map((m) => {
      const f = encodeMethodFrame(1, m);
      return f.subarray(7, f.length - 1);
    });
    fc.assert(
      fc.property(mutated(valid), (b) => onlyProtocolErrors(() => decodeMethod(b))),
      { numRuns: 1000 },
    );
  });

  it('decodeTable on random and mutated bytes', () => {
    fc.assert(
      fc.property(bytes, fc.nat({ max: 8 }), (b, off) => onlyProtocolErrors(() => decodeTable(b, off))),
      { numRuns: 1000 },
    );
    fc.assert(
      fc.property(mutated(fieldTable.map(encodeTable)), (b) => onlyProtocolErrors(() => decodeTable(b, 0))),
      { numRuns: 1000 },
    );
    // a plausible length followed by random entries
    fc.assert(
      fc.property(bytes, (body) => {
        const b = Buffer.alloc(4 + body.length);
        b.writeUInt32BE(body.length, 0);
        body.copy(b, 4);
        onlyProtocolErrors(() => decodeTable(b, 0));
      }),
      { numRuns: 1000 },
    );
  });

  it('decodeProperties and parseContentHeader on random and mutated bytes', () => {
    fc.assert(
      fc.property(bytes, fc.nat({ max: 4 }), fc.nat({ max: 500 }), (b, off, end) => {
        onlyProtocolErrors(() => decodeProperties(b, off, end));
        onlyProtocolErrors(() => parseContentHeader(b));
      }),
      { numRuns: 1000 },
    );
    const valid = basicProperties.map((p) => {
      const b = Buffer.alloc(propertiesSize(p));
      writeProperties(b, 0, p);
      return b;
    });
    fc.assert(
      fc.property(mutated(valid), (b) => onlyProtocolErrors(() => decodeProperties(b, 0, b.length))),
      { numRuns: 1000 },
    );
  });

  it('FrameReader on random streams', () => {
    fc.assert(
      fc.property(fc.array(bytes, { maxLength: 8 }), (chunks) => {
        const reader = new FrameReader(4096);
        onlyProtocolErrors(() => {
          for (const c of chunks) {
            reader.push(c, {
              onFrame(type, _channel, payload) {
                if (type === 1) decodeMethod(payload);
                if (type === 2) {
                  const h = parseContentHeader(payload);
                  decodeProperties(payload, h.propertiesOffset, payload.length);
                }
              },
            });
          }
        });
        assert.ok(reader.bufferedBytes <= 4096 + 8);
      }),
      { numRuns: 500 },
    );
  });
});
