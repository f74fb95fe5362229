import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FrameReader } from '../../src/protocol/frame-reader.js';
import type { FrameSink } from '../../src/protocol/frame-reader.js';
import { ProtocolError } from '../../src/protocol/errors.js';
import { FRAME_BODY, FRAME_HEADER, FRAME_HEARTBEAT, FRAME_METHOD } from '../../src/protocol/constants.js';

interface Frame {
  type: number;
  channel: number;
  payload: Buffer;
}

function frameBytes(f: Frame): Buffer {
  const b = Buffer.alloc(8 + f.payload.length);
  b[0] = f.type;
  b.writeUInt16BE(f.channel, 1);
  b.writeUInt32BE(f.payload.length, 3);
  f.payload.copy(b, 7);
  b[b.length - 1] = 0xce;
  return b;
}

class Collector implements FrameSink {
  frames: Frame[] = [];
  views: boolean[] = [];
  constructor(private readonly chunk: () => Buffer | undefined = () => undefined) {}
  onFrame(type: number, channel: number, payload: Buffer): void {
    const c = this.chunk();
    this.views.push(
      c !== undefined &&
        payload.buffer === c.buffer &&
        payload.byteOffset >= c.byteOffset &&
        payload.byteOffset + payload.length <= c.byteOffset + c.length,
    );
    this.frames.push({ type, channel, payload: Buffer.from(payload) });
  }
}

const frameArb: fc.Arbitrary<Frame> = fc.oneof<fc.Arbitrary<Frame>[]>(
  fc.record({
    type: fc.constant(FRAME_METHOD),
    channel: fc.nat({ max: 65535 }),
    payload: fc.uint8Array({ minLength: 4, maxLength: 300 }).map((u) => Buffer.from(u)),
  }),
  fc.record({
    type: fc.constant(FRAME_HEADER),
    channel: fc.nat({ max: 65535 }),
    payload: fc.uint8Array({ minLength: 12, maxLength: 100 }).map((u) => Buffer.from(u)),
  }),
  fc.record({
    type: fc.constant(FRAME_BODY),
    channel: fc.nat({ max: 65535 }),
    payload: fc.uint8Array({ maxLength: 2000 }).map((u) => Buffer.from(u)),
  }),
  fc.record({ type: fc.constant(FRAME_HEARTBEAT), channel: fc.constant(0), payload: fc.constant(Buffer.alloc(0)) }),
).map((f) => ({ type: f.type, channel: f.channel, payload: f.payload }));

function isFrameError(text: string) {
  return (e: unknown): boolean => e instanceof ProtocolError && e.code === 501 && e.text === text;
}

describe('FrameReader', () => {
  it('yields the same frames whatever the chunking', () => {
    fc.assert(
      fc.property(fc.array(frameArb, { maxLength: 25 }), fc.array(fc.nat(), { maxLength: 40 }), (frames, cuts) => {
        const stream = Buffer.concat(frames.map(frameBytes));
        const points = [...new Set(cuts.map((c) => (stream.length === 0 ? 0 : c % stream.length)))].sort((a, b) => a - b);
        const reader = new FrameReader(4096);
        const sink = new Collector();
        let prev = 0;
        for (const p of [...points, stream.length]) {
          reader.push(stream.subarray(prev, p), sink);
          prev = p;
        }
        assert.equal(reader.bufferedBytes, 0);
        assert.deepStrictEqual(sink.frames, frames);
      }),
      { numRuns: 400 },
    );
  });

  it('yields the same frames when fed one byte at a time', () => {
    const frames: Frame[] = [
      { type: 1, channel: 1, payload: Buffer.from('003c0028000000', 'hex') },
      { type: 2, channel: 1, payload: Buffer.alloc(14, 1) },
      { type: 3, channel: 1, payload: Buffer.from('hello') },
      { type: 8, channel: 0, payload: Buffer.alloc(0) },
    ];
    const stream = Buffer.concat(frames.map(frameBytes));
    const reader = new FrameReader(4096);
    const sink = new Collector();
    for (let i = 0; i < stream.length; i++) {
      reader.push(stream.subarray(i, i + 1), sink);
      if (i < stream.length - 1) assert.ok(reader.bufferedBytes > 0 || sink.frames.length > 0);
    }
    assert.deepStrictEqual(sink.frames, frames);
  });

  it('hands out views of the chunk for frames that do not straddle', () => {
    const frames: Frame[] = [
      { type: 1, channel: 1, payload: Buffer.from('000a000b0000', 'hex') },
      { type: 3, channel: 1, payload: Buffer.from('body bytes') },
    ];
    const stream = Buffer.concat(frames.map(frameBytes));
    let current: Buffer | undefined = stream;
    const sink = new Collector(() => current);
    const reader = new FrameReader(4096);
    reader.push(stream, sink);
    assert.deepStrictEqual(sink.views, [true, true]);
    // split inside the second frame's header: the first is a view, the second was assembled
    const a = stream.subarray(0, 20);
    const b = Buffer.from(stream.subarray(20));
    const sink2 = new Collector(() => current);
    current = a;
    reader.push(a, sink2);
    current = b;
    reader.push(b, sink2);
    assert.equal(sink2.frames.length, 2);
    assert.equal(sink2.views[0], true);
    // header straddled but payload + frame-end entirely in the second chunk: still a view
    assert.equal(sink2.views[1], true);
    // split inside the payload: a copy
    const c = stream.subarray(0, 24);
    const d = Buffer.from(stream.subarray(24));
    const sink3 = new Collector(() => current);
    current = c;
    reader.push(c, sink3);
    assert.equal(reader.bufferedBytes, 24 - 14);
    current = d;
    reader.push(d, sink3);
    assert.deepStrictEqual(sink3.views, [true, false]);
    assert.deepStrictEqual(sink3.frames, frames);
  });

  it('rejects an oversized frame from its header, before buffering the payload', () => {
    const reader = new FrameReader(131072);
    const header = Buffer.from([1, 0, 1, 0, 3, 0x0d, 0x40]); // 200000 bytes
    assert.throws(
      () => reader.push(header, new Collector()),
      isFrameError('FRAME_ERROR - type 1, all octets = <<>>: {frame_too_large,200000,131064}'),
    );
    assert.equal(reader.bufferedBytes, 0);
    // RabbitMQ tolerates up to frame_max itself (its 8-byte fudge), rejects beyond
    const ok = new FrameReader(4096);
    const sink = new Collector();
    ok.push(frameBytes({ type: 3, channel: 1, payload: Buffer.alloc(4096) }), sink);
    assert.equal(sink.frames.length, 1);
    assert.throws(
      () => ok.push(frameBytes({ type: 3, channel: 1, payload: Buffer.alloc(4097) }), sink),
      isFrameError('FRAME_ERROR - type 3, all octets = <<>>: {frame_too_large,4097,4088}'),
    );
  });

  it('honours a maxFrameSize changed after tune, and 0 as unlimited', () => {
    const reader = new FrameReader(4096);
    const sink = new Collector();
    reader.maxFrameSize = 0;
    reader.push(frameBytes({ type: 3, channel: 1, payload: Buffer.alloc(10000) }), sink);
    reader.maxFrameSize = 8192;
    reader.push(frameBytes({ type: 3, channel: 1, payload: Buffer.alloc(8000) }), sink);
    assert.equal(sink.frames.length, 2);
    assert.throws(() => reader.push(frameBytes({ type: 3, channel: 1, payload: Buffer.alloc(9000) }), sink), ProtocolError);
  });

  it('rejects a bad frame-end octet', () => {
    const bytes = frameBytes({ type: 1, channel: 0, payload: Buffer.from([0, 10, 0, 11]) });
    bytes[bytes.length - 1] = 0;
    assert.throws(
      () => new FrameReader(4096).push(bytes, new Collector()),
      isFrameError('FRAME_ERROR - type 1, all octets = <<0,10,0,11>>: {invalid_frame_end_marker,0}'),
    );
    const long = frameBytes({ type: 3, channel: 0, payload: Buffer.from('abcdefghijklmnopqrstuvwxyz') });
    long[long.length - 1] = 0x41;
    // assembled across chunks too
    const reader = new FrameReader(4096);
    reader.push(long.subarray(0, 10), new Collector());
    assert.throws(
      () => reader.push(long.subarray(10), new Collector()),
      isFrameError('FRAME_ERROR - type 3, first 16 octets = <<"abcdefghijklmnop">>: {invalid_frame_end_marker,65}'),
    );
  });

  it('rejects unknown frame types and unparseable frames as RabbitMQ does', () => {
    const cases: [Frame, string][] = [
      [{ type: 9, channel: 0, payload: Buffer.alloc(0) }, 'FRAME_ERROR - type 9, all octets = <<>>: unknown_frame'],
      [{ type: 8, channel: 0, payload: Buffer.from([1]) }, 'FRAME_ERROR - type 8, all octets = <<1>>: unknown_frame'],
      [{ type: 1, channel: 0, payload: Buffer.from([0, 10, 0]) }, 'FRAME_ERROR - type 1, all octets = <<0,10,0>>: unknown_frame'],
      [{ type: 2, channel: 1, payload: Buffer.alloc(11) }, 'FRAME_ERROR - type 2, all octets = <<0,0,0,0,0,0,0,0,0,0,0>>: unknown_frame'],
    ];
    for (const [f, text] of cases) {
      assert.throws(() => new FrameReader(4096).push(frameBytes(f), new Collector()), isFrameError(text));
    }
  });

  it('stops processing the rest of the chunk when stop() is called from onFrame', () => {
    const stream = Buffer.concat([
      frameBytes({ type: 3, channel: 1, payload: Buffer.from('a') }),
      frameBytes({ type: 3, channel: 1, payload: Buffer.from('b') }),
      frameBytes({ type: 3, channel: 1, payload: Buffer.from('c') }),
    ]);
    const reader = new FrameReader(4096);
    const seen: string[] = [];
    const sink: FrameSink = {
      onFrame(_t, _c, payload) {
        seen.push(payload.toString());
        if (seen.length === 2) reader.stop();
      },
    };
    reader.push(stream, sink);
    reader.push(stream, sink);
    assert.deepStrictEqual(seen, ['a', 'b']);
    assert.ok(reader.isStopped);
  });

  it('never buffers more than one frame', () => {
    const reader = new FrameReader(1 << 20);
    const sink = new Collector();
    const big = frameBytes({ type: 3, channel: 1, payload: Buffer.alloc(1 << 20, 7) });
    for (let i = 0; i < big.length; i += 1000) {
      reader.push(big.subarray(i, i + 1000), sink);
      assert.ok(reader.bufferedBytes <= big.length);
    }
    assert.equal(sink.frames.length, 1);
    assert.equal(reader.bufferedBytes, 0);
  });
});
