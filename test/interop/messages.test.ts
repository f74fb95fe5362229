/**
 * Message content with real clients: basic properties and header tables round trip, empty
 * and large bodies (split over small frames), RPC with reply_to/correlation_id, direct
 * reply-to, and the checks RabbitMQ applies to user_id and expiration.
 */
import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { startTestBroker, uniqueName } from '../support/broker.js';
import type { TestBroker } from '../support/broker.js';
import { Clients, channelError, getOne, rejection, startConsumer, text } from '../support/amqp.js';
import type { ConsumeMessage } from '../support/amqp.js';
import { deferred, withTimeout } from '../support/wait.js';

let broker: TestBroker;
let clients: Clients;

before(async () => {
  broker = await startTestBroker();
  clients = new Clients(broker);
});
afterEach(() => clients.closeAll());
after(() => broker?.close());

const T = { timeout: 30_000 };

function sha(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

describe('properties', () => {
  test('all basic properties amqplib can send round trip unchanged', T, async () => {
    const ch = await clients.confirmChannel();
    const q = (await ch.assertQueue('', { exclusive: true })).queue;
    const props = {
      contentType: 'application/json',
      contentEncoding: 'gzip',
      deliveryMode: 2,
      priority: 7,
      correlationId: 'corr-1',
      replyTo: 'reply-queue',
      expiration: '60000',
      messageId: 'msg-1',
      timestamp: 1700000001,
      type: 'order.created',
      userId: broker.username,
      appId: 'warren-tests',
    };
    ch.sendToQueue(q, Buffer.from('{}'), props);
    await ch.waitForConfirms();
    const m = await getOne(ch, q);
    assert.deepEqual(m.properties, { ...props, headers: {}, clusterId: undefined });
  });

  test('header tables with every value type round trip (nested tables, arrays, timestamps, decimals, bytes)', T, async () => {
    const ch = await clients.confirmChannel();
    const q = (await ch.assertQueue('', { exclusive: true })).queue;
    const headers = {
      s: 'str',
      utf: 'héllo ✓',
      emptyS: '',
      i8: 1,
      neg: -5,
      i16: 300,
      i32: 70000,
      i64: 2 ** 40,
      dbl: 1.5,
      f32: { '!': 'float', value: 2.5 },
      u8: { '!': 'uint8', value: 200 },
      u16: { '!': 'uint16', value: 60000 },
      u32: { '!': 'uint32', value: 4000000000 },
      t: true,
      fl: false,
      v: null,
      buf: Buffer.from([0, 1, 2, 255]),
      arr: [1, 'a', [true], { x: 1 }, null],
      emptyA: [],
      tbl: { nested: { deeper: 'yes' }, n: 1 },
      emptyT: {},
      ts: { '!': 'timestamp', value: 1700000000 },
      dec: { '!': 'decimal', value: { places: 2, digits: 12345 } },
    };
    ch.sendToQueue(q, Buffer.from('x'), { headers });
    await ch.waitForConfirms();
    const m = await getOne(ch, q);
    assert.deepEqual(m.properties.headers, {
      ...headers,
      // amqplib decodes these types to plain values
      f32: 2.5,
      u8: 200,
      u16: 60000,
      u32: 4000000000,
    });
  });

  test('a message published without properties has none on delivery', T, async () => {
    const ch = await clients.confirmChannel();
    const q = (await ch.assertQueue('', { exclusive: true })).queue;
    ch.sendToQueue(q, Buffer.from('bare'));
    await ch.waitForConfirms();
    const m = await getOne(ch, q);
    for (const [key, value] of Object.entries(m.properties)) {
      if (key === 'headers') assert.deepEqual(value, {}, 'amqplib always sends an empty header table');
      else assert.equal(value, undefined, key);
    }
  });

  test('a user_id other than the authenticated user: 406 PRECONDITION_FAILED', T, async () => {
    const ch = await clients.channel();
    ch.sendToQueue(uniqueName('q-any'), Buffer.from('x'), { userId: 'mallory' });
    const close = await channelError(ch);
    assert.equal(close.code, 406);
    assert.equal(close.classId, 60);
    assert.equal(close.methodId, 40);
    assert.equal(
      close.text,
      `PRECONDITION_FAILED - user_id property set to 'mallory' but authenticated user was '${broker.username}'`,
    );
  });

  for (const [expiration, detail] of [
    ['abc', 'no_integer'],
    ['-1', '{value_negative,-1}'],
  ] as const) {
    test(`expiration ${JSON.stringify(expiration)}: 406 invalid expiration`, T, async () => {
      const ch = await clients.channel();
      ch.sendToQueue(uniqueName('q-any'), Buffer.from('x'), { expiration });
      const close = await channelError(ch);
      assert.equal(close.code, 406);
      assert.equal(close.classId, 60);
      assert.equal(close.methodId, 40);
      assert.equal(close.text, `PRECONDITION_FAILED - invalid expiration '${expiration}': ${detail}`);
    });
  }
});

describe('bodies', () => {
  test('an empty body is delivered as an empty buffer (get and consume)', T, async () => {
    const ch = await clients.confirmChannel();
    const q = (await ch.assertQueue('', { exclusive: true })).queue;
    ch.sendToQueue(q, Buffer.alloc(0), { messageId: 'empty-1' });
    ch.sendToQueue(q, Buffer.alloc(0), { messageId: 'empty-2' });
    await ch.waitForConfirms();
    const got = await getOne(ch, q, { noAck: true });
    assert.equal(got.content.length, 0);
    assert.equal(got.properties.messageId, 'empty-1');
    const consumer = await startConsumer(ch, q, { noAck: true });
    const [m] = await consumer.next(1);
    assert.equal(m?.content.length, 0);
    assert.equal(m?.properties.messageId, 'empty-2');
  });

  test('a 1 MiB body survives frame_max 4096 in both directions', T, async () => {
    const conn = await clients.connect({ query: { frameMax: 4096 } });
    const ch = await clients.confirmChannel(conn);
    const q = (await ch.assertQueue('', { exclusive: true })).queue;
    const body = randomBytes(1024 * 1024);
    ch.sendToQueue(q, body, { messageId: 'big' });
    await ch.waitForConfirms();
    const consumer = await startConsumer(ch, q, { noAck: true });
    const [m] = await consumer.next(1, 20_000);
    assert.ok(m !== undefined);
    assert.equal(m.content.length, body.length);
    assert.equal(sha(m.content), sha(body));
    assert.equal(m.properties.messageId, 'big');
  });

  test('bodies of many sizes around frame boundaries arrive intact and in order', T, async () => {
    const conn = await clients.connect({ query: { frameMax: 4096 } });
    const ch = await clients.confirmChannel(conn);
    const q = (await ch.assertQueue('', { exclusive: true })).queue;
    const sizes = [0, 1, 4087, 4088, 4089, 8176, 8177, 65536, 131072, 300_001];
    const bodies = sizes.map((n) => randomBytes(n));
    for (const b of bodies) ch.sendToQueue(q, b);
    await ch.waitForConfirms();
    const consumer = await startConsumer(ch, q, { noAck: true });
    const got = await consumer.next(bodies.length, 20_000);
    assert.deepEqual(
      got.map((m) => sha(m.content)),
      bodies.map(sha),
    );
  });

  test('binary bodies are not altered (all 256 byte values)', T, async () => {
    const ch = await clients.confirmChannel();
    const q = (await ch.assertQueue('', { exclusive: true })).queue;
    const body = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    ch.sendToQueue(q, body);
    await ch.waitForConfirms();
    assert.deepEqual((await getOne(ch, q)).content, body);
  });
});

describe('request/reply', () => {
  test('RPC with reply_to and correlation_id', T, async () => {
    const server = await clients.channel();
    const requests = uniqueName('q-rpc');
    await server.assertQueue(requests, { autoDelete: true });
    await server.consume(requests, (msg) => {
      if (msg === null) return;
      server.sendToQueue(String(msg.properties.replyTo), Buffer.from(text(msg).toUpperCase()), {
        correlationId: String(msg.properties.correlationId),
      });
      server.ack(msg);
    });
    const client = await clients.channel(); // another connection
    const replyQueue = (await client.assertQueue('', { exclusive: true })).queue;
    const pending = new Map<string, (m: ConsumeMessage) => void>();
    await client.consume(
      replyQueue,
      (msg) => {
        if (msg !== null) pending.get(String(msg.properties.correlationId))?.(msg);
      },
      { noAck: true },
    );
    const ask = (body: string, id: string): Promise<ConsumeMessage> => {
      const d = deferred<ConsumeMessage>();
      pending.set(id, d.resolve);
      client.sendToQueue(requests, Buffer.from(body), { replyTo: replyQueue, correlationId: id });
      return withTimeout(d.promise, 5000, `reply ${id}`);
    };
    const [a, b] = await Promise.all([ask('ping', 'c-1'), ask('pong', 'c-2')]);
    assert.equal(text(a), 'PING');
    assert.equal(a.properties.correlationId, 'c-1');
    assert.equal(text(b), 'PONG');
    assert.equal(b.properties.correlationId, 'c-2');
  });

  test('direct reply-to: amq.rabbitmq.reply-to is rewritten and replies reach the no-ack consumer', T, async () => {
    const conn = await clients.connect();
    const client = await clients.confirmChannel(conn);
    const replies = await startConsumer(client, 'amq.rabbitmq.reply-to', { noAck: true });
    const requests = (await client.assertQueue('', { exclusive: true })).queue;
    client.sendToQueue(requests, Buffer.from('req'), { replyTo: 'amq.rabbitmq.reply-to', correlationId: 'c1' });
    await client.waitForConfirms();
    const req = await getOne(client, requests, { noAck: true });
    const replyTo = String(req.properties.replyTo);
    assert.match(replyTo, /^amq\.rabbitmq\.reply-to\..+/);
    const responder = await clients.channel(); // another connection answers
    responder.sendToQueue(replyTo, Buffer.from('resp'), { correlationId: 'c1' });
    const [reply] = await replies.next(1);
    assert.equal(text(reply ?? { content: Buffer.alloc(0) }), 'resp');
    assert.equal(reply?.properties.correlationId, 'c1');
    assert.equal(reply?.fields.routingKey, replyTo);
    assert.equal(reply?.fields.exchange, '');
  });

  test('direct reply-to requires a no-ack consumer: 406', T, async () => {
    const ch = await clients.channel();
    const close = await rejection(ch.consume('amq.rabbitmq.reply-to', () => {}, { noAck: false }));
    assert.equal(close.code, 406);
    assert.equal(close.classId, 60);
    assert.equal(close.methodId, 20);
    assert.equal(close.text, 'PRECONDITION_FAILED - reply consumer cannot acknowledge');
  });

  test('publishing with reply_to amq.rabbitmq.reply-to without consuming it first: 406', T, async () => {
    const ch = await clients.channel();
    const q = (await ch.assertQueue('', { exclusive: true })).queue;
    ch.sendToQueue(q, Buffer.from('req'), { replyTo: 'amq.rabbitmq.reply-to' });
    const close = await channelError(ch);
    assert.equal(close.code, 406);
    assert.equal(close.classId, 60);
    assert.equal(close.methodId, 40);
    assert.equal(close.text, 'PRECONDITION_FAILED - fast reply consumer does not exist');
  });

  test('a reply to an unknown direct reply-to name is unroutable (returned if mandatory)', T, async () => {
    const ch = await clients.confirmChannel();
    const returned = deferred<unknown>();
    ch.on('return', (m: { fields: unknown }) => returned.resolve(m.fields));
    ch.publish('', 'amq.rabbitmq.reply-to.bogus', Buffer.from('x'), { mandatory: true });
    await ch.waitForConfirms();
    assert.deepEqual(await withTimeout(returned.promise, 5000, 'basic.return'), {
      replyCode: 312,
      replyText: 'NO_ROUTE',
      exchange: '',
      routingKey: 'amq.rabbitmq.reply-to.bogus',
    });
  });
});
