import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  PROPERTY_NAMES,
  PropertyFlag,
  contentHeaderFrameSize,
  decodeProperties,
  parseContentHeader,
  propertiesSize,
  writeContentHeaderFrame,
  writeContentHeaderFrameRaw,
  writeProperties,
} from '../../src/protocol/generated/properties.js';
import type { BasicProperties } from '../../src/protocol/generated/properties.js';
import { ProtocolError } from '../../src/protocol/errors.js';
import { tableFromObject } from '../../src/protocol/field-table.js';
import { basicProperties } from './arbitraries.js';

describe('basic content properties', () => {
  it('round-trips every combination of properties', () => {
    fc.assert(
      fc.property(basicProperties, fc.nat({ max: 8 }), (p, pad) => {
        const size = propertiesSize(p);
        const buf = Buffer.alloc(pad + size + 4, 0xee);
        assert.equal(writeProperties(buf, pad, p), pad + size);
        assert.deepStrictEqual(decodeProperties(buf, pad, pad + size), p);
        // trailing bytes are ignored
        assert.deepStrictEqual(decodeProperties(buf, pad, buf.length), p);
      }),
      { numRuns: 1000 },
    );
  });

  it('sets flag bits in spec order, 0x8000 first', () => {
    assert.equal(PropertyFlag.ContentType, 0x8000);
    assert.equal(PropertyFlag.ClusterId, 0x0004);
    assert.equal(PROPERTY_NAMES.length, 14);
    const buf = Buffer.alloc(64);
    const end = writeProperties(buf, 0, { deliveryMode: 2, contentType: 'a' });
    assert.equal(buf.subarray(0, end).toString('hex'), '9000' + '0161' + '02');
    assert.deepStrictEqual(decodeProperties(Buffer.from('0000', 'hex'), 0, 2), {});
  });

  it('decodes each single property alone', () => {
    for (let i = 0; i < PROPERTY_NAMES.length; i++) {
      const name = PROPERTY_NAMES[i]!;
      const p = {} as Record<string, unknown>;
      p[name] = name === 'headers' ? tableFromObject({ a: 1 }) : ['deliveryMode', 'priority', 'timestamp'].includes(name) ? 1 : 'v';
      const props = p as BasicProperties;
      const buf = Buffer.alloc(propertiesSize(props));
      writeProperties(buf, 0, props);
      assert.equal(buf.readUInt16BE(0), 1 << (15 - i));
      assert.deepStrictEqual(decodeProperties(buf, 0, buf.length), props);
    }
  });

  it('rejects truncated properties with 502', () => {
    const p: BasicProperties = {
      contentType: 'text/plain',
      headers: tableFromObject({ a: 'b' }),
      deliveryMode: 2,
      timestamp: 5,
      appId: 'app',
    };
    const buf = Buffer.alloc(propertiesSize(p));
    writeProperties(buf, 0, p);
    for (let n = 0; n < buf.length; n++) {
      assert.throws(
        () => decodeProperties(buf, 0, n),
        (e: unknown) => e instanceof ProtocolError && e.code === 502,
        `length ${n}`,
      );
    }
    const huge = Buffer.from('0040' + '0020000000000000', 'hex');
    assert.throws(() => decodeProperties(huge, 0, huge.length), (e: unknown) => e instanceof ProtocolError && e.code === 502);
  });

  it('writes and parses content header frames', () => {
    fc.assert(
      fc.property(basicProperties, fc.maxSafeNat(), fc.nat({ max: 65535 }), (p, bodySize, ch) => {
        const size = contentHeaderFrameSize(p);
        const buf = Buffer.alloc(size + 2);
        assert.equal(writeContentHeaderFrame(buf, 1, ch, 60, bodySize, p), 1 + size);
        const frame = buf.subarray(1, 1 + size);
        assert.equal(frame[0], 2);
        assert.equal(frame.readUInt16BE(1), ch);
        assert.equal(frame.readUInt32BE(3), size - 8);
        assert.equal(frame[size - 1], 0xce);
        const payload = frame.subarray(7, size - 1);
        const h = parseContentHeader(payload);
        assert.deepStrictEqual(h, { classId: 60, weight: 0, bodySize, propertiesOffset: 12 });
        assert.deepStrictEqual(decodeProperties(payload, h.propertiesOffset, payload.length), p);
        const raw = Buffer.alloc(size);
        assert.equal(writeContentHeaderFrameRaw(raw, 0, ch, payload), size);
        assert.deepStrictEqual(raw, frame);
      }),
      { numRuns: 300 },
    );
  });

  it('pins a content header layout', () => {
    const buf = Buffer.alloc(100);
    const end = writeContentHeaderFrame(buf, 0, 1, 60, 5, { contentType: 'text/plain', deliveryMode: 2 });
    assert.equal(
      buf.subarray(0, end).toString('hex'),
      '02' + '0001' + '0000001a' + '003c' + '0000' + '0000000000000005' + '9000' + '0a746578742f706c61696e' + '02' + 'ce',
    );
  });

  it('rejects bad content headers', () => {
    assert.throws(
      () => parseContentHeader(Buffer.alloc(11)),
      (e: unknown) => e instanceof ProtocolError && e.code === 501 && e.text.endsWith('unknown_frame'),
    );
    const big = Buffer.from('003c0000' + '0020000000000000' + '0000', 'hex');
    assert.throws(() => parseContentHeader(big), (e: unknown) => e instanceof ProtocolError && e.code === 502);
    const max = Buffer.from('003c0000' + '001fffffffffffff' + '0000', 'hex');
    assert.equal(parseContentHeader(max).bodySize, Number.MAX_SAFE_INTEGER);
  });
});
