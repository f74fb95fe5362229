/**
 * Message content on the wire: the content header is passed through byte for byte (all 14
 * basic properties, every field-table type), an empty body has no body frame, and the
 * server splits bodies at the frame_max the client negotiated.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestBroker } from '../support/broker.js';
import type { TestBroker } from '../support/broker.js';
import { RawClient, FRAME_BODY, FRAME_HEADER, FRAME_METHOD, enc, frame, contentHeaderPayload } from '../support/raw-client.js';
import type { HandshakeOptions } from '../support/raw-client.js';

let broker: TestBroker;
const open: RawClient[] = [];

before(async () => {
  broker = await startTestBroker();
});
after(async () => {
  for (const c of open.splice(0)) c.destroy();
  await broker?.close();
});

const T = { timeout: 20_000 };

async function session(opts: HandshakeOptions = {}): Promise<{ c: RawClient; queue: string }> {
  const c = await RawClient.open(broker.port, broker.host, { username: broker.username, password: broker.password, ...opts });
  open.push(c);
  await c.openChannel(1);
  const { queue } = await c.declareQueue(1, '', { exclusive: true });
  return { c, queue };
}

function publishMethod(c: RawClient, queue: string): void {
  c.sendMethod(1, 60, 40, Buffer.concat([enc.short(0), enc.shortstr(''), enc.shortstr(queue), enc.bits(false, false)]));
}

function getMethod(c: RawClient, queue: string): void {
  c.sendMethod(1, 60, 70, Buffer.concat([enc.short(0), enc.shortstr(queue), enc.bits(true)]));
}

const tagged = (tag: string, body: Buffer): Buffer => Buffer.concat([Buffer.from(tag, 'latin1'), body]);
function int(size: 1 | 2 | 4 | 8, n: number | bigint, signed: boolean): Buffer {
  const b = Buffer.alloc(size);
  if (size === 1) (signed ? b.writeInt8(Number(n)) : b.writeUInt8(Number(n)));
  else if (size === 2) (signed ? b.writeInt16BE(Number(n)) : b.writeUInt16BE(Number(n)));
  else if (size === 4) (signed ? b.writeInt32BE(Number(n)) : b.writeUInt32BE(Number(n)));
  else (signed ? b.writeBigInt64BE(BigInt(n)) : b.writeBigUInt64BE(BigInt(n)));
  return b;
}
function float(n: number, size: 4 | 8): Buffer {
  const b = Buffer.alloc(size);
  if (size === 4) b.writeFloatBE(n);
  else b.writeDoubleBE(n);
  return b;
}
function sized(items: Buffer): Buffer {
  return Buffer.concat([enc.long(items.length), items]);
}

/** A field table using every type tag RabbitMQ knows. */
function everyTypeTable(): Buffer {
  const entries: [string, Buffer][] = [
    ['bool', tagged('t', Buffer.from([1]))],
    ['i8', tagged('b', int(1, -3, true))],
    ['u8', tagged('B', int(1, 250, false))],
    ['i16', tagged('s', int(2, -300, true))],
    ['u16', tagged('u', int(2, 65000, false))],
    ['i32', tagged('I', int(4, -70000, true))],
    ['u32', tagged('i', int(4, 4000000000, false))],
    ['i64', tagged('l', int(8, -(2n ** 40n), true))],
    ['f32', tagged('f', float(1.5, 4))],
    ['f64', tagged('d', float(-2.25, 8))],
    ['dec', tagged('D', Buffer.concat([Buffer.from([3]), enc.long(123456)]))],
    ['str', tagged('S', enc.longstr('héllo'))],
    ['bin', tagged('x', enc.longstr(Buffer.from([0, 255, 7])))],
    ['ts', tagged('T', enc.longlong(1700000000))],
    ['void', Buffer.from('V')],
    ['arr', tagged('A', sized(Buffer.concat([tagged('I', int(4, 1, true)), tagged('S', enc.longstr('a')), Buffer.from('V')])))],
    ['tbl', tagged('F', sized(Buffer.concat([enc.shortstr('k'), tagged('S', enc.longstr('v'))])))],
  ];
  return sized(Buffer.concat(entries.map(([k, v]) => Buffer.concat([enc.shortstr(k), v]))));
}

describe('content header', () => {
  test('all 14 basic properties and every field type come back byte for byte', T, async () => {
    const { c, queue } = await session();
    const props = Buffer.concat([
      enc.shortstr('text/plain'), // content-type
      enc.shortstr('utf-8'), // content-encoding
      everyTypeTable(), // headers
      Buffer.from([2]), // delivery-mode
      Buffer.from([5]), // priority
      enc.shortstr('corr'), // correlation-id
      enc.shortstr('reply-q'), // reply-to
      enc.shortstr('60000'), // expiration
      enc.shortstr('msg-1'), // message-id
      enc.longlong(1700000001), // timestamp
      enc.shortstr('type-x'), // type
      enc.shortstr(broker.username), // user-id
      enc.shortstr('app-y'), // app-id
      enc.shortstr('cluster-z'), // cluster-id (deprecated, still passed through)
    ]);
    const body = Buffer.from('hello');
    const header = Buffer.concat([enc.short(60), enc.short(0), enc.longlong(body.length), enc.short(0xfffc), props]);
    publishMethod(c, queue);
    c.sendFrame(FRAME_HEADER, 1, header);
    c.sendFrame(FRAME_BODY, 1, body);
    getMethod(c, queue);
    await c.expectMethod(60, 71, 1);
    const h = await c.nextFrame();
    assert.equal(h.type, FRAME_HEADER);
    assert.equal(h.channel, 1);
    assert.equal(h.payload.toString('hex'), header.toString('hex'));
    const b = await c.nextFrame();
    assert.equal(b.type, FRAME_BODY);
    assert.deepEqual(b.payload, body);
    await c.close();
  });

  test('get-ok fields: delivery tag, redelivered, exchange, routing key, message count', T, async () => {
    const { c, queue } = await session();
    c.publish(1, '', queue, 'a');
    c.publish(1, '', queue, 'b');
    getMethod(c, queue);
    const ok = await c.expectMethod(60, 71, 1);
    assert.equal(ok.args.longlong(), 1n);
    assert.equal(ok.args.octet(), 0);
    assert.equal(ok.args.shortstr(), '');
    assert.equal(ok.args.shortstr(), queue);
    assert.equal(ok.args.long(), 1);
    await c.nextFrame();
    await c.nextFrame();
    getMethod(c, queue);
    const ok2 = await c.expectMethod(60, 71, 1);
    assert.equal(ok2.args.longlong(), 2n);
    await c.nextFrame();
    await c.nextFrame();
    getMethod(c, queue);
    const empty = await c.expectMethod(60, 72, 1);
    assert.equal(empty.args.shortstr(), '', 'get-empty carries the reserved cluster-id shortstr');
    await c.close();
  });

  test('an empty body: the header says 0 and no body frame follows', T, async () => {
    const { c, queue } = await session();
    publishMethod(c, queue);
    c.sendFrame(FRAME_HEADER, 1, contentHeaderPayload(0));
    getMethod(c, queue);
    await c.expectMethod(60, 71, 1);
    const h = await c.nextFrame();
    assert.equal(h.type, FRAME_HEADER);
    assert.equal(h.payload.toString('hex'), contentHeaderPayload(0).toString('hex'));
    // the next frame is the reply to this declare, not a body frame
    c.sendMethod(1, 50, 10, Buffer.concat([enc.short(0), enc.shortstr(''), enc.bits(false, false, true, false, false), enc.table({})]));
    const next = await c.nextFrame();
    assert.equal(next.type, FRAME_METHOD);
    await c.close();
  });
});

describe('body framing', () => {
  test('the server splits a body at the negotiated frame_max (4096: 4088-byte payloads)', T, async () => {
    const { c, queue } = await session({ frameMax: 4096 });
    const body = Buffer.alloc(20000);
    for (let i = 0; i < body.length; i++) body[i] = i % 251;
    c.publish(1, '', queue, body);
    getMethod(c, queue);
    await c.expectMethod(60, 71, 1);
    const h = await c.nextFrame();
    assert.equal(h.type, FRAME_HEADER);
    const sizes: number[] = [];
    const parts: Buffer[] = [];
    let total = 0;
    while (total < body.length) {
      const f = await c.nextFrame();
      assert.equal(f.type, FRAME_BODY);
      sizes.push(f.payload.length);
      parts.push(f.payload);
      total += f.payload.length;
    }
    assert.deepEqual(sizes, [4088, 4088, 4088, 4088, 3648]);
    assert.deepEqual(Buffer.concat(parts), body);
    await c.close();
  });

  test('a body sent in many 1-byte frames is reassembled', T, async () => {
    const { c, queue } = await session();
    const body = Buffer.from('reassembled from single bytes');
    publishMethod(c, queue);
    c.sendFrame(FRAME_HEADER, 1, contentHeaderPayload(body.length));
    for (const byte of body) c.sendFrame(FRAME_BODY, 1, Buffer.from([byte]));
    const got = await c.basicGet(1, queue);
    assert.deepEqual(got?.body, body);
    await c.close();
  });

  test('a 1 MiB body in 4088-byte frames is stored and returned intact', T, async () => {
    const { c, queue } = await session({ frameMax: 4096 });
    const body = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7) % 256;
    c.publish(1, '', queue, body);
    const got = await c.basicGet(1, queue);
    assert.equal(got?.body.length, body.length);
    assert.ok(got?.body.equals(body));
    await c.close();
  });
});

/** Streams a body of `size` zero bytes in frame_max-sized body frames, honouring backpressure. */
async function streamBody(c: RawClient, size: number): Promise<void> {
  const max = (c.tune?.frameMax ?? 131072) - 8;
  const full = frame(FRAME_BODY, 1, Buffer.alloc(max));
  let sent = 0;
  while (sent < size) {
    const n = Math.min(max, size - sent);
    const ok = c.socket.write(n === max ? full : frame(FRAME_BODY, 1, Buffer.alloc(n)));
    sent += n;
    if (!ok && !c.isClosed) await new Promise<void>((resolve) => c.socket.once('drain', () => resolve()));
  }
}

describe('maximum message size', () => {
  // RabbitMQ 3.x: max_message_size defaults to 128 MiB (134217728 bytes); checked once the body is complete.
  const MAX = 134217728;

  test('a body of exactly the maximum size is accepted', { timeout: 60_000 }, async () => {
    const { c } = await session();
    publishMethod(c, 'warren-unroutable-max-size');
    c.sendFrame(FRAME_HEADER, 1, contentHeaderPayload(MAX));
    await streamBody(c, MAX);
    const { queue } = await c.declareQueue(1, '', { exclusive: true });
    assert.match(queue, /^amq\.gen-/);
    await c.close();
  });

  test('a body one byte over the maximum: 406 PRECONDITION_FAILED (channel)', { timeout: 60_000 }, async () => {
    const { c } = await session();
    publishMethod(c, 'warren-unroutable-max-size');
    c.sendFrame(FRAME_HEADER, 1, contentHeaderPayload(MAX + 1));
    await streamBody(c, MAX + 1);
    const close = await c.expectChannelClose(1, 20_000);
    assert.deepEqual(close, {
      replyCode: 406,
      replyText: `PRECONDITION_FAILED - message size ${MAX + 1} is larger than configured max size ${MAX}`,
      classId: 60,
      methodId: 40,
    });
    await c.openChannel(1);
    await c.close();
  });
});
