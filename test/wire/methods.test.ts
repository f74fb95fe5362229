/**
 * Well-framed but invalid methods: unknown class/method ids, undecodable arguments, methods
 * on channels that are not open, channel-0 misuse, methods a client must never send, and
 * the channel and connection closing handshakes. Texts are RabbitMQ 3.x's.
 */
import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startTestBroker } from '../support/broker.js';
import type { TestBroker } from '../support/broker.js';
import { RawClient, enc, assertBrokerHealthy } from '../support/raw-client.js';
import type { CloseReason } from '../support/raw-client.js';
import { delay, SETTLE_MS } from '../support/wait.js';

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

async function session(): Promise<RawClient> {
  const c = await RawClient.open(broker.port, broker.host, { username: broker.username, password: broker.password });
  open.push(c);
  await c.openChannel(1);
  return c;
}

function declareArgs(queue: string, flags: boolean[] = [false, false, false, false, false]): Buffer {
  return Buffer.concat([enc.short(0), enc.shortstr(queue), enc.bits(...flags), enc.table({})]);
}

function publishArgs(exchange: string, routingKey: string): Buffer {
  return Buffer.concat([enc.short(0), enc.shortstr(exchange), enc.shortstr(routingKey), enc.bits(false, false)]);
}

function closeArgs(code: number, text: string): Buffer {
  return Buffer.concat([enc.short(code), enc.shortstr(text), enc.short(0), enc.short(0)]);
}

async function expectConnectionClose(c: RawClient, expected: CloseReason): Promise<void> {
  assert.deepEqual(await c.expectConnectionClose(), expected);
  await c.waitClosed();
}

async function expectChannelClose(c: RawClient, channel: number, expected: CloseReason): Promise<void> {
  assert.deepEqual(await c.expectChannelClose(channel), expected);
}

/** RabbitMQ drops the TCP connection without any close frame for these. */
async function expectAbruptClose(c: RawClient): Promise<void> {
  await c.waitClosed();
  assert.equal(c.pending().length, 0, 'no frame expected before the socket closes');
}

describe('unknown methods and undecodable arguments', () => {
  test('an unknown class id: the socket is closed without a close frame', T, async () => {
    const c = await session();
    c.sendMethod(1, 99, 10);
    await expectAbruptClose(c);
  });

  test('an unknown method id of a known class: the socket is closed without a close frame', T, async () => {
    const c = await session();
    c.sendMethod(1, 60, 99);
    await expectAbruptClose(c);
  });

  test('an unknown connection method on channel 0: the socket is closed without a close frame', T, async () => {
    const c = await session();
    c.sendMethod(0, 10, 99);
    await expectAbruptClose(c);
  });

  test('a field table with an unknown value type: the socket is closed without a close frame', T, async () => {
    const c = await session();
    c.sendMethod(
      1,
      50,
      10,
      Buffer.concat([enc.short(0), enc.shortstr('x'), enc.bits(false), enc.long(3), enc.shortstr('a'), Buffer.from('Q')]),
    );
    await expectAbruptClose(c);
  });

  test('a field table whose length runs past the frame: 501 FRAME_ERROR cannot decode', T, async () => {
    const c = await session();
    c.sendMethod(1, 50, 10, Buffer.concat([enc.short(0), enc.shortstr('x'), enc.bits(false), enc.long(100), Buffer.from([1, 0x41])]));
    await expectConnectionClose(c, {
      replyCode: 501,
      replyText: 'FRAME_ERROR - cannot decode <<0,0,1,120,0,0,0,0,100,1,65>>',
      classId: 50,
      methodId: 10,
    });
  });

  test('truncated method arguments: 501 FRAME_ERROR cannot decode', T, async () => {
    const c = await session();
    c.sendMethod(1, 50, 10, Buffer.concat([enc.short(0), enc.shortstr('x')]));
    await expectConnectionClose(c, {
      replyCode: 501,
      replyText: 'FRAME_ERROR - cannot decode <<0,0,1,120>>',
      classId: 50,
      methodId: 10,
    });
  });

  test('a shortstr whose length runs past the frame: 501 FRAME_ERROR cannot decode', T, async () => {
    const c = await session();
    c.sendMethod(1, 50, 10, Buffer.concat([enc.short(0), Buffer.from([200]), Buffer.from('abc')]));
    await expectConnectionClose(c, {
      replyCode: 501,
      replyText: 'FRAME_ERROR - cannot decode <<0,0,200,97,98,99>>',
      classId: 50,
      methodId: 10,
    });
  });

  test('trailing bytes after the last argument: 501 FRAME_ERROR cannot decode', T, async () => {
    const c = await session();
    c.sendMethod(1, 50, 10, Buffer.concat([declareArgs('trail-x', [false, false, false, true, false]), Buffer.from([1, 2, 3])]));
    await expectConnectionClose(c, {
      replyCode: 501,
      replyText: 'FRAME_ERROR - cannot decode <<0,0,7,116,114,97,105,108,45,120,8,0,0,0,0,1,2,3>>',
      classId: 50,
      methodId: 10,
    });
  });
});

describe('channels that are not open', () => {
  test('a method on a channel that was never opened: 504 CHANNEL_ERROR', T, async () => {
    const c = await session();
    c.sendMethod(2, 50, 10, declareArgs('x'));
    await expectConnectionClose(c, {
      replyCode: 504,
      replyText: "CHANNEL_ERROR - expected 'channel.open'",
      classId: 50,
      methodId: 10,
    });
  });

  test('a second channel.open on an open channel: 504 CHANNEL_ERROR', T, async () => {
    const c = await session();
    c.sendMethod(1, 20, 10, enc.shortstr(''));
    await expectConnectionClose(c, {
      replyCode: 504,
      replyText: "CHANNEL_ERROR - second 'channel.open' seen",
      classId: 20,
      methodId: 10,
    });
  });

  test('a method after channel.close-ok (channel closed by the client): 504 CHANNEL_ERROR', T, async () => {
    const c = await session();
    c.sendMethod(1, 20, 40, closeArgs(200, 'bye'));
    await c.expectMethod(20, 41, 1);
    c.sendMethod(1, 50, 10, declareArgs('x'));
    await expectConnectionClose(c, {
      replyCode: 504,
      replyText: "CHANNEL_ERROR - expected 'channel.open'",
      classId: 50,
      methodId: 10,
    });
  });

  test('a closed channel number can be opened again', T, async () => {
    const c = await session();
    c.sendMethod(1, 20, 40, closeArgs(200, 'bye'));
    await c.expectMethod(20, 41, 1);
    await c.openChannel(1);
    const { queue } = await c.declareQueue(1, '', { exclusive: true });
    assert.match(queue, /^amq\.gen-/);
    await c.close();
  });
});

describe('channel 0 misuse', () => {
  for (const [name, classId, methodId, args] of [
    ['basic.publish', 60, 40, publishArgs('', 'nowhere')],
    ['queue.declare', 50, 10, declareArgs('x')],
    ['channel.open', 20, 10, enc.shortstr('')],
    ['connection.open (again)', 10, 40, Buffer.concat([enc.shortstr('/'), enc.shortstr(''), enc.bits(false)])],
    ['connection.tune-ok (again)', 10, 31, Buffer.concat([enc.short(2047), enc.long(131072), enc.short(0)])],
    ['an unsolicited connection.close-ok', 10, 51, Buffer.alloc(0)],
  ] as const) {
    test(`${name} on channel 0: 504 CHANNEL_ERROR`, T, async () => {
      const c = await session();
      c.sendMethod(0, classId, methodId, args);
      await expectConnectionClose(c, {
        replyCode: 504,
        replyText: 'CHANNEL_ERROR - unexpected method in connection state running',
        classId,
        methodId,
      });
    });
  }

  test('a connection method on a non-zero channel: 503 COMMAND_INVALID', T, async () => {
    const c = await session();
    c.sendMethod(1, 10, 40, Buffer.concat([enc.shortstr('/'), enc.shortstr(''), enc.bits(false)]));
    await expectConnectionClose(c, {
      replyCode: 503,
      replyText: 'COMMAND_INVALID - unimplemented method',
      classId: 10,
      methodId: 40,
    });
  });
});

describe('methods a client must not send', () => {
  for (const [name, classId, methodId, args] of [
    ['channel.open-ok', 20, 11, enc.longstr('')],
    ['an unsolicited channel.close-ok', 20, 41, Buffer.alloc(0)],
  ] as const) {
    test(`${name}: 503 COMMAND_INVALID`, T, async () => {
      const c = await session();
      c.sendMethod(1, classId, methodId, args);
      await expectConnectionClose(c, {
        replyCode: 503,
        replyText: 'COMMAND_INVALID - unimplemented method',
        classId,
        methodId,
      });
    });
  }

  test('basic.deliver from the client is content-bearing: the next method is 505 UNEXPECTED_FRAME', T, async () => {
    const c = await session();
    c.sendMethod(
      1,
      60,
      60,
      Buffer.concat([enc.shortstr('t'), enc.longlong(1), enc.bits(false), enc.shortstr(''), enc.shortstr('x')]),
    );
    c.sendMethod(1, 50, 10, declareArgs(''));
    await expectConnectionClose(c, {
      replyCode: 505,
      replyText: 'UNEXPECTED_FRAME - expected content header for class 60, got non content header frame instead',
      classId: 60,
      methodId: 60,
    });
  });
});

describe('channel-level method errors', () => {
  test('channel.flow active=false: 540 NOT_IMPLEMENTED (connection)', T, async () => {
    const c = await session();
    c.sendMethod(1, 20, 20, enc.bits(false));
    await expectConnectionClose(c, {
      replyCode: 540,
      replyText: 'NOT_IMPLEMENTED - active=false',
      classId: 20,
      methodId: 20,
    });
  });

  test('channel.flow active=true: flow-ok active=true', T, async () => {
    const c = await session();
    c.sendMethod(1, 20, 20, enc.bits(true));
    const ok = await c.expectMethod(20, 21, 1);
    assert.equal(ok.args.octet(), 1);
    await c.close();
  });

  test('basic.qos with prefetch_size: 540 NOT_IMPLEMENTED (connection)', T, async () => {
    const c = await session();
    c.sendMethod(1, 60, 10, Buffer.concat([enc.long(10), enc.short(0), enc.bits(false)]));
    await expectConnectionClose(c, {
      replyCode: 540,
      replyText: 'NOT_IMPLEMENTED - prefetch_size!=0 (10)',
      classId: 60,
      methodId: 10,
    });
  });

  test('access.request is answered with access.request-ok', T, async () => {
    const c = await session();
    c.sendMethod(1, 30, 10, Buffer.concat([enc.shortstr('/data'), enc.bits(false, false, false, false, false)]));
    const ok = await c.expectMethod(30, 11, 1);
    assert.equal(ok.args.short(), 1, 'ticket');
    await c.close();
  });

  test('tx.commit without tx.select: 406 PRECONDITION_FAILED (channel)', T, async () => {
    const c = await session();
    c.sendMethod(1, 90, 20);
    await expectChannelClose(c, 1, {
      replyCode: 406,
      replyText: 'PRECONDITION_FAILED - channel is not transactional',
      classId: 90,
      methodId: 20,
    });
    await c.close();
  });

  test('tx.rollback without tx.select: 406 PRECONDITION_FAILED (channel)', T, async () => {
    const c = await session();
    c.sendMethod(1, 90, 30);
    await expectChannelClose(c, 1, {
      replyCode: 406,
      replyText: 'PRECONDITION_FAILED - channel is not transactional',
      classId: 90,
      methodId: 30,
    });
    await c.close();
  });

  test('tx.select on a confirm channel: 406 PRECONDITION_FAILED (channel)', T, async () => {
    const c = await session();
    c.sendMethod(1, 85, 10, enc.bits(false));
    await c.expectMethod(85, 11, 1);
    c.sendMethod(1, 90, 10);
    await expectChannelClose(c, 1, {
      replyCode: 406,
      replyText: 'PRECONDITION_FAILED - cannot switch from confirm to tx mode',
      classId: 90,
      methodId: 10,
    });
    await c.close();
  });

  test('confirm.select on a transactional channel: 406 PRECONDITION_FAILED (channel)', T, async () => {
    const c = await session();
    c.sendMethod(1, 90, 10);
    await c.expectMethod(90, 11, 1);
    c.sendMethod(1, 85, 10, enc.bits(false));
    await expectChannelClose(c, 1, {
      replyCode: 406,
      replyText: 'PRECONDITION_FAILED - cannot switch from tx to confirm mode',
      classId: 85,
      methodId: 10,
    });
    await c.close();
  });
});

describe('closing handshakes', () => {
  test('after a server channel.close, methods are ignored until close-ok, then the channel can reopen', T, async () => {
    const c = await session();
    c.sendMethod(1, 90, 20);
    await c.expectMethod(20, 40, 1);
    c.sendMethod(1, 50, 10, declareArgs(''));
    await delay(SETTLE_MS);
    assert.equal(c.pending().length, 0, 'the declare sent before close-ok is dropped');
    c.sendMethod(1, 20, 41);
    await c.openChannel(1);
    await c.close();
  });

  test('after the client sends connection.close, the server answers close-ok and ignores further methods', T, async () => {
    const c = await session();
    c.sendMethod(0, 10, 50, closeArgs(200, 'bye'));
    c.sendMethod(1, 50, 10, declareArgs(''));
    await c.expectMethod(10, 51, 0);
    await delay(SETTLE_MS);
    assert.equal(c.pending().length, 0);
  });

  test('a client channel.close is answered with close-ok on that channel', T, async () => {
    const c = await session();
    await c.openChannel(2);
    c.sendMethod(2, 20, 40, closeArgs(200, 'bye'));
    await c.expectMethod(20, 41, 2);
    const { queue } = await c.declareQueue(1, '', { exclusive: true });
    assert.match(queue, /^amq\.gen-/);
    await c.close();
  });
});

describe('nowait', () => {
  test('methods sent with nowait get no reply, and take effect in order', T, async () => {
    const c = await session();
    const q = `warren-wire-nowait-${process.pid}-${Date.now()}`;
    const x = `${q}-x`;
    // exchange.declare(ticket, exchange, type, passive, durable, auto-delete, internal, nowait, arguments)
    c.sendMethod(1, 40, 10, Buffer.concat([enc.short(0), enc.shortstr(x), enc.shortstr('fanout'), enc.bits(false, false, true, false, true), enc.table({})]));
    // queue.declare(ticket, queue, passive, durable, exclusive, auto-delete, nowait, arguments)
    c.sendMethod(1, 50, 10, Buffer.concat([enc.short(0), enc.shortstr(q), enc.bits(false, false, true, false, true), enc.table({})]));
    // queue.bind(ticket, queue, exchange, routing-key, nowait, arguments)
    c.sendMethod(1, 50, 20, Buffer.concat([enc.short(0), enc.shortstr(q), enc.shortstr(x), enc.shortstr(''), enc.bits(true), enc.table({})]));
    // confirm.select(nowait)
    c.sendMethod(1, 85, 10, enc.bits(true));
    c.publish(1, x, 'any', 'via nowait bindings');
    // the first frame back is the confirm of that publish: nothing was answered before it
    const ack = await c.expectMethod(60, 80, 1);
    assert.equal(ack.args.longlong(), 1n);
    // basic.consume(ticket, queue, consumer-tag, no-local, no-ack, exclusive, nowait, arguments)
    c.sendMethod(1, 60, 20, Buffer.concat([enc.short(0), enc.shortstr(q), enc.shortstr('nowait-tag'), enc.bits(false, true, false, true), enc.table({})]));
    const deliver = await c.expectMethod(60, 60, 1);
    assert.equal(deliver.args.shortstr(), 'nowait-tag');
    await c.nextFrame(); // content header
    await c.nextFrame(); // body
    // basic.cancel(consumer-tag, nowait)
    c.sendMethod(1, 60, 30, Buffer.concat([enc.shortstr('nowait-tag'), enc.bits(true)]));
    // queue.purge(ticket, queue, nowait) and queue.delete(ticket, queue, if-unused, if-empty, nowait)
    c.sendMethod(1, 50, 30, Buffer.concat([enc.short(0), enc.shortstr(q), enc.bits(true)]));
    c.sendMethod(1, 50, 40, Buffer.concat([enc.short(0), enc.shortstr(q), enc.bits(false, false, true)]));
    // exchange.delete(ticket, exchange, if-unused, nowait)
    c.sendMethod(1, 40, 20, Buffer.concat([enc.short(0), enc.shortstr(x), enc.bits(false, true)]));
    // passive declare of the deleted queue: the next reply is its 404
    c.sendMethod(1, 50, 10, Buffer.concat([enc.short(0), enc.shortstr(q), enc.bits(true, false, false, false, false), enc.table({})]));
    await expectChannelClose(c, 1, {
      replyCode: 404,
      replyText: `NOT_FOUND - no queue '${q}' in vhost '/'`,
      classId: 50,
      methodId: 10,
    });
    await c.close();
  });
});
