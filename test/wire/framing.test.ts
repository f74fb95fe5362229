/**
 * Malformed framing after a successful handshake: frame-end octet, frame sizes, unknown
 * frame types, heartbeats in the wrong place, and content frames out of sequence.
 *
 * Reply texts are RabbitMQ 3.x's. Several embed the offending bytes the way Erlang prints a
 * binary (`<<0,20,0,10,0>>`, or `<<"hello">>` when every byte is printable); they are short
 * and deterministic, so they are compared exactly.
 */
import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startTestBroker } from '../support/broker.js';
import type { TestBroker } from '../support/broker.js';
import {
  RawClient,
  FRAME_BODY,
  FRAME_HEADER,
  FRAME_HEARTBEAT,
  FRAME_METHOD,
  enc,
  frame,
  contentHeaderPayload,
  assertBrokerHealthy,
} from '../support/raw-client.js';
import type { CloseReason, HandshakeOptions } from '../support/raw-client.js';

let broker: TestBroker;
const open: RawClient[] = [];

before(async () => {
  broker = await startTestBroker();
});
afterEach(async () => {
  for (const c of open.splice(0)) c.destroy();
  await assertBrokerHealthy(broker.port, broker.host);
});
after(() => broker?.close());

const T = { timeout: 15_000 };

/** A connection with channel 1 open. */
async function session(opts: HandshakeOptions = {}): Promise<RawClient> {
  const c = await RawClient.open(broker.port, broker.host, {
    username: broker.username,
    password: broker.password,
    ...opts,
  });
  open.push(c);
  await c.openChannel(1);
  return c;
}

function publishArgs(exchange: string, routingKey: string): Buffer {
  return Buffer.concat([enc.short(0), enc.shortstr(exchange), enc.shortstr(routingKey), enc.bits(false, false)]);
}

function declareArgs(queue: string): Buffer {
  return Buffer.concat([enc.short(0), enc.shortstr(queue), enc.bits(false, false, false, false, false), enc.table({})]);
}

/** Expects connection.close with exactly this reason, and (unless told otherwise) the socket closing. */
async function expectConnectionClose(c: RawClient, expected: CloseReason, socketCloses = true): Promise<void> {
  const close = await c.expectConnectionClose();
  assert.deepEqual(close, expected);
  if (socketCloses) await c.waitClosed();
}

describe('frame structure', () => {
  test('a bad frame-end octet: 501 FRAME_ERROR', T, async () => {
    const c = await session();
    c.write(frame(FRAME_METHOD, 1, Buffer.concat([enc.short(20), enc.short(10), enc.shortstr('')]), 0x00));
    // RabbitMQ cannot re-synchronise after a framing error, so it does not promptly close the
    // socket after close-ok; only the close method is checked.
    await expectConnectionClose(
      c,
      {
        replyCode: 501,
        replyText: 'FRAME_ERROR - type 1, all octets = <<0,20,0,10,0>>: {invalid_frame_end_marker,0}',
        classId: 0,
        methodId: 0,
      },
      false,
    );
  });

  test('a frame payload larger than frame_max: 501 FRAME_ERROR frame_too_large', T, async () => {
    const c = await session();
    c.write(frame(FRAME_BODY, 1, Buffer.alloc(131072 + 1)));
    await expectConnectionClose(
      c,
      {
        replyCode: 501,
        replyText: 'FRAME_ERROR - type 3, all octets = <<>>: {frame_too_large,131073,131064}',
        classId: 0,
        methodId: 0,
      },
      false,
    );
  });

  test('frame_max negotiated down to 4096 is enforced: 501 FRAME_ERROR', T, async () => {
    const c = await session({ frameMax: 4096 });
    c.write(frame(FRAME_BODY, 1, Buffer.alloc(4097)));
    await expectConnectionClose(
      c,
      {
        replyCode: 501,
        replyText: 'FRAME_ERROR - type 3, all octets = <<>>: {frame_too_large,4097,4088}',
        classId: 0,
        methodId: 0,
      },
      false,
    );
  });

  test('a payload of exactly frame_max bytes is tolerated (RabbitMQ allows the 8-byte overhead)', T, async () => {
    const c = await session({ frameMax: 4096 });
    const { queue } = await c.declareQueue(1, '', { exclusive: true });
    c.sendMethod(1, 60, 40, publishArgs('', queue));
    c.sendFrame(FRAME_HEADER, 1, contentHeaderPayload(4096));
    c.write(frame(FRAME_BODY, 1, Buffer.alloc(4096, 0x61)));
    const got = await c.basicGet(1, queue);
    assert.ok(got !== null);
    assert.equal(got.body.length, 4096);
    await c.close();
  });

  test('an unknown frame type: 501 FRAME_ERROR unknown_frame', T, async () => {
    const c = await session();
    c.write(frame(5, 1, Buffer.from('hello')));
    await expectConnectionClose(c, {
      replyCode: 501,
      replyText: 'FRAME_ERROR - type 5, all octets = <<"hello">>: unknown_frame',
      classId: 0,
      methodId: 0,
    });
  });

  test('a method frame too short to hold class and method ids: 501 FRAME_ERROR', T, async () => {
    const c = await session();
    c.write(frame(FRAME_METHOD, 1, Buffer.from([0, 50])));
    await expectConnectionClose(c, {
      replyCode: 501,
      replyText: 'FRAME_ERROR - type 1, all octets = <<0,50>>: unknown_frame',
      classId: 0,
      methodId: 0,
    });
  });
});

describe('heartbeat frames', () => {
  test('a heartbeat on a non-zero channel: 505 UNEXPECTED_FRAME', T, async () => {
    const c = await session();
    c.write(frame(FRAME_HEARTBEAT, 1, Buffer.alloc(0)));
    await expectConnectionClose(c, {
      replyCode: 505,
      replyText: 'UNEXPECTED_FRAME - type 8, all octets = <<>>',
      classId: 0,
      methodId: 0,
    });
  });

  test('a heartbeat with a payload: 501 FRAME_ERROR unknown_frame', T, async () => {
    const c = await session();
    c.write(frame(FRAME_HEARTBEAT, 0, Buffer.from('xx')));
    await expectConnectionClose(c, {
      replyCode: 501,
      replyText: 'FRAME_ERROR - type 8, all octets = <<"xx">>: unknown_frame',
      classId: 0,
      methodId: 0,
    });
  });

  test('a heartbeat on channel 0 is accepted at any time', T, async () => {
    const c = await session();
    c.write(frame(FRAME_HEARTBEAT, 0, Buffer.alloc(0)));
    const { queue } = await c.declareQueue(1, '', { exclusive: true });
    assert.match(queue, /^amq\.gen-/);
    await c.close();
  });
});

describe('content frames out of sequence', () => {
  const EXPECTED_METHOD: CloseReason = {
    replyCode: 505,
    replyText: 'UNEXPECTED_FRAME - expected method frame, got non method frame instead',
    classId: 0,
    methodId: 0,
  };

  test('a content header without a preceding basic.publish: 505 UNEXPECTED_FRAME', T, async () => {
    const c = await session();
    c.sendFrame(FRAME_HEADER, 1, contentHeaderPayload(3));
    await expectConnectionClose(c, EXPECTED_METHOD);
  });

  test('a content body without a preceding basic.publish: 505 UNEXPECTED_FRAME', T, async () => {
    const c = await session();
    c.sendFrame(FRAME_BODY, 1, Buffer.from('abc'));
    await expectConnectionClose(c, EXPECTED_METHOD);
  });

  test('a content header on a channel that is not open: 505 UNEXPECTED_FRAME', T, async () => {
    const c = await session();
    c.sendFrame(FRAME_HEADER, 2, contentHeaderPayload(3));
    await expectConnectionClose(c, EXPECTED_METHOD);
  });

  test('a body frame after a complete zero-length message: 505 UNEXPECTED_FRAME', T, async () => {
    const c = await session();
    c.sendMethod(1, 60, 40, publishArgs('', 'nowhere'));
    c.sendFrame(FRAME_HEADER, 1, contentHeaderPayload(0));
    c.sendFrame(FRAME_BODY, 1, Buffer.from('abc'));
    await expectConnectionClose(c, EXPECTED_METHOD);
  });

  test('a content header on channel 0: 505 UNEXPECTED_FRAME', T, async () => {
    const c = await session();
    c.sendFrame(FRAME_HEADER, 0, contentHeaderPayload(3));
    await expectConnectionClose(c, {
      replyCode: 505,
      replyText: 'UNEXPECTED_FRAME - type 2, all octets = <<0,60,0,0,0,0,0,0,0,0,0,3,0,0>>',
      classId: 0,
      methodId: 0,
    });
  });

  test('a method where the content header should be: 505 UNEXPECTED_FRAME (basic.publish)', T, async () => {
    const c = await session();
    c.sendMethod(1, 60, 40, publishArgs('', 'nowhere'));
    c.sendMethod(1, 50, 10, declareArgs('x'));
    await expectConnectionClose(c, {
      replyCode: 505,
      replyText: 'UNEXPECTED_FRAME - expected content header for class 60, got non content header frame instead',
      classId: 60,
      methodId: 40,
    });
  });

  test('a body where the content header should be: 505 UNEXPECTED_FRAME (basic.publish)', T, async () => {
    const c = await session();
    c.sendMethod(1, 60, 40, publishArgs('', 'nowhere'));
    c.sendFrame(FRAME_BODY, 1, Buffer.from('abc'));
    await expectConnectionClose(c, {
      replyCode: 505,
      replyText: 'UNEXPECTED_FRAME - expected content header for class 60, got non content header frame instead',
      classId: 60,
      methodId: 40,
    });
  });

  test('a content header for another class: 505 UNEXPECTED_FRAME', T, async () => {
    const c = await session();
    c.sendMethod(1, 60, 40, publishArgs('', 'nowhere'));
    const header = contentHeaderPayload(3);
    header.writeUInt16BE(50, 0);
    c.sendFrame(FRAME_HEADER, 1, header);
    await expectConnectionClose(c, {
      replyCode: 505,
      replyText: 'UNEXPECTED_FRAME - expected content header for class 60, got one for class 50 instead',
      classId: 60,
      methodId: 40,
    });
  });

  test('a method before the body is complete: 505 UNEXPECTED_FRAME (basic.publish)', T, async () => {
    const c = await session();
    c.sendMethod(1, 60, 40, publishArgs('', 'nowhere'));
    c.sendFrame(FRAME_HEADER, 1, contentHeaderPayload(10));
    c.sendFrame(FRAME_BODY, 1, Buffer.from('abc'));
    c.sendMethod(1, 60, 40, publishArgs('', 'nowhere'));
    await expectConnectionClose(c, {
      replyCode: 505,
      replyText: 'UNEXPECTED_FRAME - expected content body, got non content body frame instead',
      classId: 60,
      methodId: 40,
    });
  });

  test('a body longer than the header declared: RabbitMQ keeps waiting for body frames, so the next method is 505', T, async () => {
    const c = await session();
    const { queue } = await c.declareQueue(1, '', { exclusive: true });
    c.sendMethod(1, 60, 40, publishArgs('', queue));
    c.sendFrame(FRAME_HEADER, 1, contentHeaderPayload(3));
    c.sendFrame(FRAME_BODY, 1, Buffer.from('abcdef'));
    // basic.get
    c.sendMethod(1, 60, 70, Buffer.concat([enc.short(0), enc.shortstr(queue), enc.bits(true)]));
    await expectConnectionClose(c, {
      replyCode: 505,
      replyText: 'UNEXPECTED_FRAME - expected content body, got non content body frame instead',
      classId: 60,
      methodId: 40,
    });
  });

  test('content frames for one channel may interleave with frames of another channel', T, async () => {
    const c = await session();
    await c.openChannel(2);
    const { queue } = await c.declareQueue(1, '', { exclusive: true });
    c.sendMethod(1, 60, 40, publishArgs('', queue));
    c.sendFrame(FRAME_HEADER, 1, contentHeaderPayload(6));
    c.sendFrame(FRAME_BODY, 1, Buffer.from('abc'));
    const other = await c.declareQueue(2, '', { exclusive: true });
    assert.match(other.queue, /^amq\.gen-/);
    c.sendFrame(FRAME_BODY, 1, Buffer.from('def'));
    const got = await c.basicGet(1, queue);
    assert.equal(got?.body.toString(), 'abcdef');
    await c.close();
  });
});
