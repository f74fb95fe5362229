/**
 * Connections with real clients: open/close, what the server advertises, many channels,
 * addressing by host name, and refused logins / vhosts.
 */
import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import amqp from 'amqplib';
import { AMQPClient } from '@cloudamqp/amqp-client';
import { startTestBroker, brokerUrl, uniqueName, EXTERNAL } from '../support/broker.js';
import type { TestBroker } from '../support/broker.js';
import { Clients, connectionClosed } from '../support/amqp.js';
import { withTimeout } from '../support/wait.js';

let broker: TestBroker;
let clients: Clients;

before(async () => {
  broker = await startTestBroker();
  clients = new Clients(broker);
});
afterEach(() => clients.closeAll());
after(() => broker?.close());

const T = { timeout: 15_000 };

/** RabbitMQ 3.x advertises exactly these nine capabilities, all true. */
const RABBITMQ_CAPABILITIES = {
  publisher_confirms: true,
  exchange_exchange_bindings: true,
  'basic.nack': true,
  consumer_cancel_notify: true,
  'connection.blocked': true,
  consumer_priorities: true,
  authentication_failure_close: true,
  per_consumer_qos: true,
  direct_reply_to: true,
};

describe('connection', () => {
  test('connects and closes cleanly with amqplib', T, async () => {
    const conn = await clients.connect();
    const closed = connectionClosed(conn);
    await conn.close();
    await closed;
  });

  test('server properties: product, version and the nine RabbitMQ capabilities', T, async () => {
    const conn = await clients.connect();
    const props: Record<string, unknown> = conn.connection.serverProperties as unknown as Record<string, unknown>;
    assert.equal(typeof props['product'], 'string');
    assert.ok(String(props['product']).length > 0);
    assert.equal(typeof props['version'], 'string');
    assert.ok(String(props['version']).length > 0);
    assert.deepEqual(props['capabilities'], RABBITMQ_CAPABILITIES);
  });

  test('opens many channels on one connection and uses each', T, async () => {
    const conn = await clients.connect();
    const q = uniqueName('many-ch');
    const first = await clients.channel(conn);
    await first.assertQueue(q, { autoDelete: false });
    const channels = await Promise.all(Array.from({ length: 100 }, () => clients.channel(conn)));
    assert.equal(channels.length, 100);
    await Promise.all(channels.map((ch, i) => ch.checkQueue(q).then(() => ch.sendToQueue(q, Buffer.from(String(i))))));
    await Promise.all(channels.slice(0, 50).map((ch) => ch.close()));
    // the remaining channels still work after half of them were closed
    const ok = await channels[99]?.checkQueue(q);
    assert.equal(ok?.messageCount, 100);
    await first.deleteQueue(q);
  });

  test('amqp://localhost connects (Node tries ::1 first)', { ...T, skip: EXTERNAL ? 'external broker address' : false }, async () => {
    const conn = await clients.connect({ host: 'localhost' });
    const ch = await clients.channel(conn);
    const ok = await ch.assertQueue('', { exclusive: true });
    assert.match(ok.queue, /^amq\.gen-/);
  });

  test('connects over IPv4 127.0.0.1 with the @cloudamqp/amqp-client', T, async () => {
    const client = new AMQPClient(brokerUrl(broker, { host: '127.0.0.1' }));
    const conn = await withTimeout(client.connect(), 10_000, 'amqp-client connect');
    try {
      const ch = await conn.channel();
      const q = await ch.queueDeclare('', { exclusive: true });
      assert.match(q.name, /^amq\.gen-/);
    } finally {
      await conn.close();
    }
  });

  test('wrong password is refused with ACCESS_REFUSED 403', T, async () => {
    await assert.rejects(
      amqp.connect(brokerUrl(broker, { password: 'definitely-wrong' })),
      (err: unknown) => {
        assert.ok(err instanceof Error);
        assert.equal(
          err.message,
          'Handshake terminated by server: 403 (ACCESS-REFUSED) with message ' +
            '"ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN. For details see the broker logfile."',
        );
        return true;
      },
    );
  });

  test('unknown user is refused with the same ACCESS_REFUSED 403', T, async () => {
    await assert.rejects(amqp.connect(brokerUrl(broker, { username: uniqueName('nobody'), password: 'x' })), (err: unknown) => {
      assert.ok(err instanceof Error);
      assert.match(err.message, /^Handshake terminated by server: 403 \(ACCESS-REFUSED\) with message "ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN\./);
      return true;
    });
  });

  test('a missing vhost is refused at connection.open', T, async () => {
    // amqplib reports only that the handshake was closed; the exact
    // 530 "NOT_ALLOWED - vhost no-such-vhost not found" is checked in test/wire/handshake.test.ts.
    await assert.rejects(amqp.connect(brokerUrl(broker, { vhost: 'no-such-vhost' })), (err: unknown) => {
      assert.ok(err instanceof Error);
      assert.equal(err.message, 'Expected ConnectionOpenOk; got <ConnectionClose channel:0>');
      return true;
    });
  });

  test('the broker keeps serving after a refused login', T, async () => {
    await assert.rejects(amqp.connect(brokerUrl(broker, { password: 'nope' })));
    const ch = await clients.channel();
    const ok = await ch.assertQueue('', { exclusive: true });
    assert.match(ok.queue, /^amq\.gen-/);
  });
});
