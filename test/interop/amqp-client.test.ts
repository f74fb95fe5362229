/**
 * The same broker through a second client library, @cloudamqp/amqp-client: publish,
 * consume, ack/nack/reject, get, confirms, qos, header tables, and error reporting.
 */
import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { AMQPClient } from '@cloudamqp/amqp-client';
import type { AMQPMessage } from '@cloudamqp/amqp-client';
import { startTestBroker, brokerUrl, uniqueName } from '../support/broker.js';
import type { TestBroker } from '../support/broker.js';
import { AmqpClients, clientRejection } from '../support/amqp-client.js';
import { Collector, SETTLE_MS, delay, withTimeout } from '../support/wait.js';

let broker: TestBroker;
let clients: AmqpClients;

before(async () => {
  broker = await startTestBroker();
  clients = new AmqpClients(broker);
});
afterEach(() => clients.closeAll());
after(() => broker?.close());

const T = { timeout: 15_000 };

async function channelWithQueue(): Promise<{
  ch: Awaited<ReturnType<Awaited<ReturnType<AmqpClients['connect']>>['channel']>>;
  q: string;
}> {
  const conn = await clients.connect();
  const ch = await conn.channel();
  const q = (await ch.queueDeclare('', { exclusive: true })).name;
  return { ch, q };
}

describe('@cloudamqp/amqp-client basics', () => {
  test('declares queues, publishes and gets messages with counts', T, async () => {
    const { ch, q } = await channelWithQueue();
    assert.match(q, /^amq\.gen-/);
    await ch.confirmSelect();
    await ch.basicPublish('', q, 'one');
    await ch.basicPublish('', q, 'two');
    const first = await ch.basicGet(q);
    assert.equal(first?.bodyToString(), 'one');
    assert.equal(first?.messageCount, 1);
    assert.equal(first?.routingKey, q);
    assert.equal(first?.exchange, '');
    const second = await ch.basicGet(q);
    assert.equal(second?.messageCount, 0);
    assert.equal(await ch.basicGet(q), null);
  });

  test('consumes with a callback and acks', T, async () => {
    const { ch, q } = await channelWithQueue();
    await ch.confirmSelect();
    const got = new Collector<AMQPMessage>();
    const consumer = await ch.basicConsume(q, { noAck: false }, async (msg) => {
      got.push(msg);
      await msg.ack();
    });
    assert.match(consumer.tag, /^amq\.ctag-/);
    for (let i = 0; i < 5; i++) await ch.basicPublish('', q, `m${i}`);
    const msgs = await got.waitForCount(5);
    assert.deepEqual(
      msgs.map((m) => m.bodyToString()),
      ['m0', 'm1', 'm2', 'm3', 'm4'],
    );
    assert.deepEqual(
      msgs.map((m) => m.deliveryTag),
      [1, 2, 3, 4, 5],
    );
    assert.ok(msgs.every((m) => m.consumerTag === consumer.tag && !m.redelivered));
    assert.equal((await ch.queueDeclare(q, { passive: true })).messageCount, 0);
    // amqp-client declares server-named queues auto-delete: cancelling the only consumer deletes it
    await consumer.cancel();
    await assert.rejects(ch.queueDeclare(q, { passive: true }), /NOT_FOUND/);
  });

  test('consumes with the async generator API', T, async () => {
    const { ch, q } = await channelWithQueue();
    await ch.confirmSelect();
    for (const body of ['a', 'b', 'c']) await ch.basicPublish('', q, body);
    const consumer = await ch.basicConsume(q, { noAck: true });
    const bodies: string[] = [];
    await withTimeout(
      (async () => {
        for await (const msg of consumer.messages) {
          bodies.push(msg.bodyToString() ?? '');
          if (bodies.length === 3) break;
        }
      })(),
      5000,
      'three messages',
    );
    assert.deepEqual(bodies, ['a', 'b', 'c']);
  });

  test('prefetch 1: the next message comes only after the ack', T, async () => {
    const { ch, q } = await channelWithQueue();
    await ch.confirmSelect();
    await ch.prefetch(1);
    for (let i = 0; i < 3; i++) await ch.basicPublish('', q, `m${i}`);
    const got = new Collector<AMQPMessage>();
    await ch.basicConsume(q, { noAck: false }, (msg) => got.push(msg));
    const [first] = await got.waitForCount(1);
    await delay(SETTLE_MS);
    assert.equal(got.length, 1);
    await first?.ack();
    await got.waitForCount(2);
  });

  test('nack and reject with requeue redeliver; without requeue they drop', T, async () => {
    const { ch, q } = await channelWithQueue();
    await ch.confirmSelect();
    await ch.basicPublish('', q, 'x');
    await ch.basicPublish('', q, 'y');
    const x = await ch.basicGet(q, { noAck: false });
    await x?.nack(true);
    const x2 = await ch.basicGet(q, { noAck: false });
    assert.equal(x2?.bodyToString(), 'x');
    assert.equal(x2?.redelivered, true);
    await x2?.reject(false);
    const y = await ch.basicGet(q, { noAck: false });
    assert.equal(y?.bodyToString(), 'y');
    await y?.reject(true);
    const y2 = await ch.basicGet(q, { noAck: false });
    assert.equal(y2?.redelivered, true);
    await y2?.nack(false);
    assert.equal(await ch.basicGet(q), null);
  });

  test('properties and header tables round trip', T, async () => {
    const { ch, q } = await channelWithQueue();
    await ch.confirmSelect();
    const timestamp = new Date(1700000000 * 1000);
    await ch.basicPublish('', q, 'props', {
      contentType: 'application/json',
      contentEncoding: 'identity',
      deliveryMode: 2,
      priority: 3,
      correlationId: 'c-9',
      replyTo: 'r-9',
      expiration: '60000',
      messageId: 'm-9',
      timestamp,
      type: 't-9',
      userId: broker.username,
      appId: 'a-9',
      headers: {
        str: 'v',
        int: 42,
        big: 2n ** 40n,
        neg: -7,
        bool: true,
        float: 1.5,
        nil: null,
        date: timestamp,
        bytes: new Uint8Array([1, 2, 3]),
        list: [1, 'two', false],
        table: { inner: { deep: 'yes' } },
      },
    });
    const m = await ch.basicGet(q);
    assert.ok(m !== null);
    const p = m.properties;
    assert.equal(p.contentType, 'application/json');
    assert.equal(p.contentEncoding, 'identity');
    assert.equal(p.deliveryMode, 2);
    assert.equal(p.priority, 3);
    assert.equal(p.correlationId, 'c-9');
    assert.equal(p.replyTo, 'r-9');
    assert.equal(p.expiration, '60000');
    assert.equal(p.messageId, 'm-9');
    assert.equal(p.timestamp?.getTime(), timestamp.getTime());
    assert.equal(p.type, 't-9');
    assert.equal(p.userId, broker.username);
    assert.equal(p.appId, 'a-9');
    const h = p.headers ?? {};
    assert.equal(h['str'], 'v');
    assert.equal(h['int'], 42);
    assert.equal(Number(h['big']), 2 ** 40);
    assert.equal(h['neg'], -7);
    assert.equal(h['bool'], true);
    assert.equal(h['float'], 1.5);
    assert.equal(h['nil'], null);
    assert.ok(h['date'] instanceof Date && h['date'].getTime() === timestamp.getTime());
    assert.deepEqual([...new Uint8Array(h['bytes'] as Uint8Array)], [1, 2, 3]);
    assert.deepEqual(h['list'], [1, 'two', false]);
    assert.deepEqual(h['table'], { inner: { deep: 'yes' } });
  });

  test('publisher confirms for many concurrent publishes', T, async () => {
    const { ch, q } = await channelWithQueue();
    await ch.confirmSelect();
    const tags = await Promise.all(Array.from({ length: 100 }, (_, i) => ch.basicPublish('', q, `m${i}`)));
    assert.deepEqual(tags, Array.from({ length: 100 }, (_, i) => i + 1));
    assert.equal((await ch.queueDeclare(q, { passive: true })).messageCount, 100);
  });

  test('exchanges, bindings and routing', T, async () => {
    const { ch, q } = await channelWithQueue();
    await ch.confirmSelect();
    const x = uniqueName('ac-x');
    await ch.exchangeDeclare(x, 'topic', { autoDelete: true });
    await ch.queueBind(q, x, 'a.#');
    await ch.basicPublish(x, 'a.b.c', 'hit');
    await ch.basicPublish(x, 'b.a', 'miss');
    assert.equal((await ch.basicGet(q))?.bodyToString(), 'hit');
    assert.equal(await ch.basicGet(q), null);
    await ch.queueUnbind(q, x, 'a.#');
  });

  test('a 1 MiB message with frameMax 8192', T, async () => {
    const conn = await clients.connect({ frameMax: 8192 });
    const ch = await conn.channel();
    await ch.confirmSelect();
    const q = (await ch.queueDeclare('', { exclusive: true })).name;
    const body = new Uint8Array(1024 * 1024).map((_, i) => (i * 13) % 256);
    await ch.basicPublish('', q, body);
    const m = await ch.basicGet(q);
    assert.equal(m?.bodySize, body.length);
    assert.ok(m?.body !== null && Buffer.from(m?.body ?? new Uint8Array()).equals(Buffer.from(body)));
  });
});

describe('@cloudamqp/amqp-client error reporting', () => {
  test('passive declare of a missing queue rejects with the 404 channel close', T, async () => {
    const conn = await clients.connect();
    const ch = await conn.channel();
    const close = await clientRejection(ch.queueDeclare('warren-no-such-queue', { passive: true }));
    assert.deepEqual(close, { scope: 'channel', code: 404, text: "NOT_FOUND - no queue 'warren-no-such-queue' in vhost '/'" });
    assert.equal(ch.closed, true);
    await assert.rejects(ch.basicGet('x'), /Channel is closed/);
    const again = await conn.channel();
    await again.queueDeclare('', { exclusive: true });
  });

  test('an inequivalent exchange redeclare rejects with 406', T, async () => {
    const conn = await clients.connect();
    const ch = await conn.channel();
    const x = uniqueName('ac-ineq');
    await ch.exchangeDeclare(x, 'direct', { autoDelete: true });
    const ch2 = await conn.channel();
    const close = await clientRejection(ch2.exchangeDeclare(x, 'fanout', { autoDelete: true }));
    assert.deepEqual(close, {
      scope: 'channel',
      code: 406,
      text: `PRECONDITION_FAILED - inequivalent arg 'type' for exchange '${x}' in vhost '/': received 'fanout' but current is 'direct'`,
    });
    await ch.exchangeDelete(x);
  });

  test('acking an unknown delivery tag closes the channel with 406', T, async () => {
    const conn = await clients.connect();
    const ch = await conn.channel();
    await ch.basicAck(42);
    const close = await clientRejection(ch.queueDeclare('', { exclusive: true }));
    assert.deepEqual(close, { scope: 'channel', code: 406, text: 'PRECONDITION_FAILED - unknown delivery tag 42' });
  });

  test('deleting a consumed queue cancels the consumer', T, async () => {
    const conn = await clients.connect();
    const ch = await conn.channel();
    const q = (await ch.queueDeclare('', { exclusive: true })).name;
    const consumer = await ch.basicConsume(q, { noAck: true }, () => {});
    const other = await conn.channel();
    await other.queueDelete(q);
    await assert.rejects(consumer.wait(5000), /Consumer cancelled by the server/);
  });

  test('a wrong password rejects connect with the 403 connection close', T, async () => {
    const client = new AMQPClient(brokerUrl(broker, { password: 'wrong' }));
    const close = await clientRejection(client.connect());
    assert.deepEqual(close, {
      scope: 'connection',
      code: 403,
      text: 'ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN. For details see the broker logfile.',
    });
  });

  test('closing the connection rejects outstanding channel operations', T, async () => {
    const conn = await clients.connect();
    const ch = await conn.channel();
    await conn.close();
    await assert.rejects(ch.queueDeclare('', { exclusive: true }));
  });
});
