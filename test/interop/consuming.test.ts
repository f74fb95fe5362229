/**
 * Consumers, basic.get, acknowledgements, prefetch, requeueing and cancellation (amqplib).
 */
import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { AMQPClient } from '@cloudamqp/amqp-client';
import { startTestBroker, uniqueName } from '../support/broker.js';
import type { TestBroker } from '../support/broker.js';
import { Clients, rejection, getAll, getOne, text, startConsumer, connectionError } from '../support/amqp.js';
import type { ChannelModel, ConfirmChannel, ConsumeMessage } from '../support/amqp.js';
import { SETTLE_MS, delay, waitFor, withTimeout } from '../support/wait.js';

let broker: TestBroker;
let clients: Clients;

before(async () => {
  broker = await startTestBroker();
  clients = new Clients(broker);
});
afterEach(() => clients.closeAll());
after(() => broker?.close());

const T = { timeout: 15_000 };

/** A confirm channel on `conn` (or a new connection) and an exclusive queue holding 1..n. */
async function filledQueue(n: number, conn?: ChannelModel): Promise<{ ch: ConfirmChannel; q: string; conn: ChannelModel }> {
  const c = conn ?? (await clients.connect());
  const ch = await clients.confirmChannel(c);
  const q = (await ch.assertQueue(uniqueName('q-consume'), { exclusive: true })).queue;
  for (let i = 1; i <= n; i++) ch.sendToQueue(q, Buffer.from(String(i)));
  await ch.waitForConfirms();
  return { ch, q, conn: c };
}

function mark(m: { content: Buffer; fields: { redelivered: boolean } }): string {
  return text(m) + (m.fields.redelivered ? '*' : '');
}

describe('consumers', () => {
  test('server-generated consumer tags are amq.ctag-…; a client tag is echoed', T, async () => {
    const { ch, q } = await filledQueue(0);
    const generated = await ch.consume(q, () => {});
    assert.match(generated.consumerTag, /^amq\.ctag-[A-Za-z0-9_-]{22}$/);
    const chosen = await ch.consume(q, () => {}, { consumerTag: 'my-tag' });
    assert.equal(chosen.consumerTag, 'my-tag');
    assert.equal((await ch.checkQueue(q)).consumerCount, 2);
  });

  test('deliveries arrive in order with consumer tag, delivery tags from 1, exchange and routing key', T, async () => {
    const { ch, q } = await filledQueue(3);
    const consumer = await startConsumer(ch, q);
    const msgs = await consumer.next(3);
    assert.deepEqual(msgs.map(text), ['1', '2', '3']);
    assert.deepEqual(
      msgs.map((m) => m.fields),
      [1, 2, 3].map((tag) => ({
        consumerTag: consumer.tag,
        deliveryTag: tag,
        redelivered: false,
        exchange: '',
        routingKey: q,
      })),
    );
  });

  test('reusing a consumer tag on a channel closes the connection: 530 NOT_ALLOWED', T, async () => {
    const { ch, q, conn } = await filledQueue(0);
    await ch.consume(q, () => {}, { consumerTag: 'dup' });
    await assert.rejects(ch.consume(q, () => {}, { consumerTag: 'dup' }));
    const close = await connectionError(conn);
    assert.equal(close.code, 530);
    assert.equal(close.text, "NOT_ALLOWED - attempt to reuse consumer tag 'dup'");
  });

  test('consuming from a missing queue: 404 NOT_FOUND', T, async () => {
    const ch = await clients.channel();
    const close = await rejection(ch.consume('warren-no-such-queue', () => {}));
    assert.equal(close.code, 404);
    assert.equal(close.classId, 60);
    assert.equal(close.methodId, 20);
    assert.equal(close.text, "NOT_FOUND - no queue 'warren-no-such-queue' in vhost '/'");
  });

  test('messages are distributed round-robin across consumers', T, async () => {
    const { ch, q, conn } = await filledQueue(0);
    const ch2 = await clients.channel(conn);
    const a = await startConsumer(ch, q, { noAck: true });
    const b = await startConsumer(ch2, q, { noAck: true });
    for (let i = 1; i <= 10; i++) ch.sendToQueue(q, Buffer.from(String(i)));
    await ch.waitForConfirms();
    const gotA = await a.next(5);
    const gotB = await b.next(5);
    assert.deepEqual(gotA.map(text), ['1', '3', '5', '7', '9']);
    assert.deepEqual(gotB.map(text), ['2', '4', '6', '8', '10']);
  });

  test('basic.cancel stops deliveries; cancel-ok echoes the tag; unacked messages can still be acked', T, async () => {
    const { ch, q } = await filledQueue(2);
    await ch.prefetch(1);
    const consumer = await startConsumer(ch, q);
    const [m] = await consumer.next(1);
    assert.ok(m !== undefined);
    assert.deepEqual(await ch.cancel(consumer.tag), { consumerTag: consumer.tag });
    ch.ack(m);
    await delay(SETTLE_MS);
    assert.equal(consumer.messages.length, 1, 'no delivery after cancel');
    const info = await ch.checkQueue(q);
    assert.equal(info.consumerCount, 0);
    assert.equal(info.messageCount, 1);
  });

  test('cancelling an unknown consumer tag is answered with cancel-ok', T, async () => {
    const ch = await clients.channel();
    assert.deepEqual(await ch.cancel('warren-unknown-tag'), { consumerTag: 'warren-unknown-tag' });
    await ch.assertQueue('', { exclusive: true }); // the channel is still usable
  });

  test('deleting the queue cancels its consumers (amqplib consume callback gets null)', T, async () => {
    const { ch, q, conn } = await filledQueue(0);
    const consumer = await startConsumer(ch, q);
    const other = await clients.channel(conn);
    await other.deleteQueue(q);
    await consumer.waitCancelled();
    await ch.assertQueue('', { exclusive: true }); // the consumer's channel stays open
  });

  test('the server basic.cancel carries the consumer tag', T, async () => {
    const { ch, q, conn } = await filledQueue(0);
    const { consumerTag } = await ch.consume(q, () => {});
    const cancelled = new Promise<unknown>((resolve) => ch.once('cancel', resolve));
    await (await clients.channel(conn)).deleteQueue(q);
    const fields = await withTimeout(cancelled, 5000, 'basic.cancel');
    assert.equal((fields as { consumerTag?: unknown }).consumerTag, consumerTag);
  });

  test('an exclusive consumer locks out other consumers: 403 ACCESS_REFUSED', T, async () => {
    const { ch, q, conn } = await filledQueue(0);
    await ch.consume(q, () => {}, { exclusive: true });
    const ch2 = await clients.channel(conn);
    const close = await rejection(ch2.consume(q, () => {}));
    assert.equal(close.code, 403);
    assert.equal(close.classId, 60);
    assert.equal(close.methodId, 20);
    assert.equal(close.text, `ACCESS_REFUSED - queue '${q}' in vhost '/' in exclusive use`);
  });

  test('an exclusive consumer cannot join a queue that has consumers: 403 ACCESS_REFUSED', T, async () => {
    const { ch, q, conn } = await filledQueue(0);
    await ch.consume(q, () => {});
    const ch2 = await clients.channel(conn);
    const close = await rejection(ch2.consume(q, () => {}, { exclusive: true }));
    assert.equal(close.code, 403);
    assert.equal(close.text, `ACCESS_REFUSED - queue '${q}' in vhost '/' in exclusive use`);
  });

  test('after the exclusive consumer cancels, others may consume', T, async () => {
    const { ch, q, conn } = await filledQueue(1);
    const { consumerTag } = await ch.consume(q, () => {}, { exclusive: true, noAck: true });
    await ch.cancel(consumerTag);
    const ch2 = await clients.channel(conn);
    await ch2.consume(q, () => {});
  });

  test('no-ack consumers: messages are gone once delivered, nothing is requeued on close', T, async () => {
    const { ch, q, conn } = await filledQueue(3);
    const ch2 = await clients.channel(conn);
    const consumer = await startConsumer(ch2, q, { noAck: true });
    await consumer.next(3);
    await ch2.close();
    assert.equal((await ch.checkQueue(q)).messageCount, 0);
  });

  test('consumer priorities: the highest-priority consumer with capacity gets the messages', T, async () => {
    const { ch, q, conn } = await filledQueue(0);
    const highCh = await clients.channel(conn);
    await highCh.prefetch(2);
    const lowCh = await clients.channel(conn);
    const low = await startConsumer(lowCh, q);
    const high = await startConsumer(highCh, q, { priority: 10 });
    for (let i = 1; i <= 6; i++) ch.sendToQueue(q, Buffer.from(String(i)));
    await ch.waitForConfirms();
    assert.deepEqual((await high.next(2)).map(text), ['1', '2']);
    assert.deepEqual((await low.next(4)).map(text), ['3', '4', '5', '6']);
  });
});

describe('single active consumer and no-local', () => {
  test('x-single-active-consumer: only the first consumer receives until it cancels', T, async () => {
    const conn = await clients.connect();
    const ch = await clients.confirmChannel(conn);
    const q = (await ch.assertQueue('', { exclusive: true, arguments: { 'x-single-active-consumer': true } })).queue;
    const first = await startConsumer(ch, q, { noAck: true });
    const ch2 = await clients.channel(conn);
    const second = await startConsumer(ch2, q, { noAck: true });
    for (let i = 0; i < 4; i++) ch.sendToQueue(q, Buffer.from(`m${i}`));
    await ch.waitForConfirms();
    assert.deepEqual((await first.next(4)).map(text), ['m0', 'm1', 'm2', 'm3']);
    assert.equal((await ch.checkQueue(q)).consumerCount, 2);
    await delay(SETTLE_MS);
    assert.equal(second.messages.length, 0);
    await ch.cancel(first.tag);
    for (let i = 4; i < 6; i++) ch.sendToQueue(q, Buffer.from(`m${i}`));
    await ch.waitForConfirms();
    assert.deepEqual((await second.next(2)).map(text), ['m4', 'm5']);
  });

  test('no-local is ignored: a consumer receives messages published on its own connection', T, async () => {
    const ch = await clients.confirmChannel();
    const q = (await ch.assertQueue('', { exclusive: true })).queue;
    const c = await startConsumer(ch, q, { noAck: true, noLocal: true });
    ch.sendToQueue(q, Buffer.from('own'));
    await ch.waitForConfirms();
    assert.deepEqual((await c.next(1)).map(text), ['own']);
  });
});

describe('prefetch (basic.qos)', () => {
  test('per-consumer prefetch limits unacked deliveries of each consumer', T, async () => {
    const { ch, q, conn } = await filledQueue(10);
    const cch = await clients.channel(conn);
    await cch.prefetch(2);
    const a = await startConsumer(cch, q);
    const b = await startConsumer(cch, q);
    await a.next(2);
    await b.next(2);
    await delay(SETTLE_MS);
    assert.equal(a.messages.length, 2);
    assert.equal(b.messages.length, 2);
    const first = a.messages[0];
    assert.ok(first !== undefined);
    cch.ack(first);
    await a.next(1);
    await delay(SETTLE_MS);
    assert.equal(a.messages.length, 3);
    assert.equal(b.messages.length, 2);
    assert.equal((await ch.checkQueue(q)).messageCount, 5);
  });

  test('global prefetch limits unacked deliveries across the channel', T, async () => {
    const { ch, q, conn } = await filledQueue(10);
    const cch = await clients.channel(conn);
    await cch.prefetch(3, true);
    const a = await startConsumer(cch, q);
    const b = await startConsumer(cch, q);
    await waitFor(() => a.messages.length + b.messages.length === 3, 5000, '3 deliveries');
    await delay(SETTLE_MS);
    assert.equal(a.messages.length + b.messages.length, 3);
    cch.ackAll();
    await waitFor(() => a.messages.length + b.messages.length === 6, 5000, '6 deliveries');
    await delay(SETTLE_MS);
    assert.equal(a.messages.length + b.messages.length, 6);
    assert.equal((await ch.checkQueue(q)).messageCount, 4);
  });

  test('per-consumer prefetch applies to consumers started after basic.qos', T, async () => {
    const { ch, q, conn } = await filledQueue(0);
    const cch = await clients.channel(conn);
    const unlimited = await startConsumer(cch, q);
    await cch.prefetch(1);
    const limited = await startConsumer(cch, q);
    for (let i = 1; i <= 8; i++) ch.sendToQueue(q, Buffer.from(String(i)));
    await ch.waitForConfirms();
    await limited.next(1);
    await unlimited.next(7);
    assert.deepEqual(limited.messages.map(text), ['2']);
  });

  test('prefetch 0 means unlimited', T, async () => {
    const { q, conn } = await filledQueue(20);
    const cch = await clients.channel(conn);
    await cch.prefetch(0);
    const c = await startConsumer(cch, q);
    await c.next(20);
  });
});

describe('acknowledgements', () => {
  test('ack with multiple acknowledges everything up to the tag', T, async () => {
    const { ch, q, conn } = await filledQueue(5);
    const cch = await clients.channel(conn);
    const c = await startConsumer(cch, q);
    const msgs = await c.next(5);
    const third = msgs[2];
    assert.ok(third !== undefined);
    cch.ack(third, true);
    await cch.close();
    assert.deepEqual((await getAll(ch, q)).sort(), ['4', '5']);
  });

  test('ackAll with nothing outstanding is fine', T, async () => {
    const ch = await clients.channel();
    ch.ackAll();
    await ch.assertQueue('', { exclusive: true });
  });

  test('nack with requeue puts messages back, flagged redelivered, in their original order', T, async () => {
    const { ch, q } = await filledQueue(4);
    const got = [await getOne(ch, q), await getOne(ch, q), await getOne(ch, q)];
    const [m1, m2, m3] = got;
    assert.ok(m1 !== undefined && m2 !== undefined && m3 !== undefined);
    ch.nack(m3, false, true);
    ch.nack(m1, false, true);
    ch.nack(m2, false, true);
    const again: string[] = [];
    for (let i = 0; i < 4; i++) again.push(mark(await getOne(ch, q, { noAck: true })));
    assert.deepEqual(again, ['1*', '2*', '3*', '4']);
  });

  test('nack multiple with requeue', T, async () => {
    const { ch, q } = await filledQueue(4);
    const ms = [await getOne(ch, q), await getOne(ch, q), await getOne(ch, q)];
    const last = ms[2];
    assert.ok(last !== undefined);
    ch.nack(last, true, true);
    const again: string[] = [];
    for (let i = 0; i < 4; i++) again.push(mark(await getOne(ch, q, { noAck: true })));
    assert.deepEqual(again, ['1*', '2*', '3*', '4']);
  });

  test('nack and reject without requeue drop the message', T, async () => {
    const { ch, q } = await filledQueue(4);
    const a = await getOne(ch, q);
    const b = await getOne(ch, q);
    const c = await getOne(ch, q);
    ch.nack(b, true, false); // drops 1 and 2
    ch.reject(c, false);
    void a;
    assert.deepEqual(await getAll(ch, q), ['4']);
  });

  test('reject with requeue redelivers', T, async () => {
    const { ch, q } = await filledQueue(1);
    const m = await getOne(ch, q);
    ch.reject(m, true);
    const again = await getOne(ch, q);
    assert.equal(mark(again), '1*');
    assert.equal(again.fields.deliveryTag, 2);
  });

  test('a redelivered message reaches a consumer with redelivered=true', T, async () => {
    const { ch, q } = await filledQueue(1);
    const c = await startConsumer(ch, q);
    const [m] = await c.next(1);
    assert.ok(m !== undefined);
    ch.nack(m, false, true);
    const [again] = await c.next(1);
    assert.ok(again !== undefined);
    assert.equal(mark(again), '1*');
    assert.equal(again.fields.deliveryTag, 2);
  });

  test('acking the same delivery twice: 406 PRECONDITION_FAILED unknown delivery tag', T, async () => {
    const { ch, q } = await filledQueue(1);
    const m = await getOne(ch, q);
    ch.ack(m);
    ch.ack(m);
    const close = await rejection(ch.checkQueue(q));
    assert.equal(close.code, 406);
    assert.equal(close.classId, 60);
    assert.equal(close.methodId, 80);
    assert.equal(close.text, 'PRECONDITION_FAILED - unknown delivery tag 1');
  });

  for (const [name, op, methodId] of [
    ['ack', 'ack', 80],
    ['nack', 'nack', 120],
    ['reject', 'reject', 90],
  ] as const) {
    test(`${name} of an unknown delivery tag: 406 unknown delivery tag`, T, async () => {
      const ch = await clients.channel();
      const fake = { fields: { deliveryTag: 7 } } as unknown as ConsumeMessage;
      if (op === 'ack') ch.ack(fake);
      else if (op === 'nack') ch.nack(fake);
      else ch.reject(fake);
      const close = await rejection(ch.assertQueue('', { exclusive: true }));
      assert.equal(close.code, 406);
      assert.equal(close.classId, 60);
      assert.equal(close.methodId, methodId);
      assert.equal(close.text, 'PRECONDITION_FAILED - unknown delivery tag 7');
    });
  }

  test('ack multiple with an unknown tag: 406 naming that tag', T, async () => {
    const ch = await clients.channel();
    ch.ack({ fields: { deliveryTag: 5 } } as unknown as ConsumeMessage, true);
    const close = await rejection(ch.assertQueue('', { exclusive: true }));
    assert.equal(close.text, 'PRECONDITION_FAILED - unknown delivery tag 5');
  });

  test('acking a no-ack delivery: 406 unknown delivery tag', T, async () => {
    const { ch, q } = await filledQueue(1);
    const m = await getOne(ch, q, { noAck: true });
    ch.ack(m);
    const close = await rejection(ch.checkQueue(q));
    assert.equal(close.code, 406);
    assert.equal(close.text, 'PRECONDITION_FAILED - unknown delivery tag 1');
  });

  test('delivery tags are per channel: acking on another channel fails', T, async () => {
    const { ch, q, conn } = await filledQueue(1);
    const m = await getOne(ch, q);
    const other = await clients.channel(conn);
    other.ack(m);
    const close = await rejection(other.checkQueue(q));
    assert.equal(close.text, 'PRECONDITION_FAILED - unknown delivery tag 1');
  });
});

describe('requeue on close', () => {
  test('unacked messages return in their original order when the channel closes', T, async () => {
    const { ch, q, conn } = await filledQueue(5);
    const c2 = await clients.channel(conn);
    const got = [await getOne(c2, q), await getOne(c2, q), await getOne(c2, q)];
    const second = got[1];
    assert.ok(second !== undefined);
    c2.ack(second);
    await c2.close();
    const again: string[] = [];
    for (let i = 0; i < 4; i++) again.push(mark(await getOne(ch, q, { noAck: true })));
    assert.deepEqual(again, ['1*', '3*', '4', '5']);
  });

  test('unacked deliveries to a consumer return when its connection closes', T, async () => {
    const owner = await clients.connect();
    const ch = await clients.confirmChannel(owner);
    const q = uniqueName('q-requeue-conn');
    await ch.assertQueue(q, { autoDelete: false });
    for (let i = 1; i <= 3; i++) ch.sendToQueue(q, Buffer.from(String(i)));
    await ch.waitForConfirms();
    const consumerConn = await clients.connect();
    const cch = await clients.channel(consumerConn);
    const c = await startConsumer(cch, q);
    await c.next(3);
    await consumerConn.close();
    await waitFor(async () => (await ch.checkQueue(q)).messageCount === 3, 5000, 'messages requeued');
    const again: string[] = [];
    for (let i = 0; i < 3; i++) again.push(mark(await getOne(ch, q, { noAck: true })));
    assert.deepEqual(again, ['1*', '2*', '3*']);
    await ch.deleteQueue(q);
  });
});

describe('basic.get', () => {
  test('get-ok carries the remaining message count; get-empty when none', T, async () => {
    const { ch, q } = await filledQueue(3);
    const counts: [string, number, number][] = [];
    for (let i = 0; i < 3; i++) {
      const m = await getOne(ch, q);
      counts.push([text(m), m.fields.messageCount, m.fields.deliveryTag]);
    }
    assert.deepEqual(counts, [
      ['1', 2, 1],
      ['2', 1, 2],
      ['3', 0, 3],
    ]);
    assert.equal(await ch.get(q), false);
  });

  test('get with no-ack removes the message; without it the message stays unacked', T, async () => {
    const { ch, q, conn } = await filledQueue(2);
    const c2 = await clients.channel(conn);
    await getOne(c2, q, { noAck: true });
    await getOne(c2, q);
    await c2.close();
    assert.deepEqual(await getAll(ch, q), ['2']);
  });

  test('get on a missing queue: 404', T, async () => {
    const ch = await clients.channel();
    const close = await rejection(ch.get('warren-no-such-queue'));
    assert.equal(close.code, 404);
    assert.equal(close.classId, 60);
    assert.equal(close.methodId, 70);
    assert.equal(close.text, "NOT_FOUND - no queue 'warren-no-such-queue' in vhost '/'");
  });
});

describe('basic.recover', () => {
  test('recover (requeue) redelivers unacked basic.get messages', T, async () => {
    const { ch, q } = await filledQueue(2);
    const m = await getOne(ch, q);
    assert.equal(text(m), '1');
    await ch.recover();
    const again = await getOne(ch, q);
    assert.equal(mark(again), '1*');
    assert.equal(again.fields.deliveryTag, 2);
  });

  test('recover (requeue) redelivers to consumers with new delivery tags', T, async () => {
    const { ch, q } = await filledQueue(2);
    const c = await startConsumer(ch, q);
    await c.next(2);
    await ch.recover();
    const again = await c.next(2);
    assert.deepEqual(
      again.map((m) => [mark(m), m.fields.deliveryTag]),
      [
        ['1*', 3],
        ['2*', 4],
      ],
    );
  });

  test('recover with requeue=false closes the connection: 540 NOT_IMPLEMENTED (amqp-client)', T, async () => {
    const client = new AMQPClient(broker.url);
    const conn = await withTimeout(client.connect(), 10_000, 'amqp-client connect');
    try {
      const ch = await conn.channel();
      const q = await ch.queueDeclare('', { exclusive: true });
      await ch.basicPublish('', q.name, 'x');
      await ch.basicGet(q.name);
      await assert.rejects(ch.basicRecover(false), (err: unknown) => {
        assert.ok(err instanceof Error);
        assert.match(err.message, /NOT_IMPLEMENTED - requeue=false/);
        assert.match(err.message, /540/);
        return true;
      });
    } finally {
      if (!conn.closed) await conn.close().catch(() => undefined);
    }
  });
});
