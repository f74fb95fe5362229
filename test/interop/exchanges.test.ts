/**
 * exchange.declare / delete / bind with amqplib, including RabbitMQ's exact refusal texts.
 */
import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startTestBroker, uniqueName } from '../support/broker.js';
import type { TestBroker } from '../support/broker.js';
import { Clients, rejection, getOne, text } from '../support/amqp.js';
import type { Channel } from '../support/amqp.js';

let broker: TestBroker;
let clients: Clients;

before(async () => {
  broker = await startTestBroker();
  clients = new Clients(broker);
});
afterEach(() => clients.closeAll());
after(() => broker?.close());

const T = { timeout: 15_000 };

async function exchangeExists(name: string): Promise<boolean> {
  const ch = await clients.channel();
  try {
    await ch.checkExchange(name);
    return true;
  } catch (err) {
    const close = await rejection(Promise.reject(err));
    assert.equal(close.code, 404, close.message);
    return false;
  }
}

async function tempQueue(ch: Channel): Promise<string> {
  return (await ch.assertQueue('', { exclusive: true })).queue;
}

describe('exchange.declare', () => {
  for (const type of ['direct', 'fanout', 'topic', 'headers']) {
    test(`declares a ${type} exchange, and redeclaring it equivalently is fine`, T, async () => {
      const ch = await clients.channel();
      const x = uniqueName(`x-${type}`);
      assert.deepEqual(await ch.assertExchange(x, type, { durable: false, autoDelete: false }), { exchange: x });
      assert.deepEqual(await ch.assertExchange(x, type, { durable: false, autoDelete: false }), { exchange: x });
      await ch.checkExchange(x);
      await ch.deleteExchange(x);
    });
  }

  test('durable exchanges can be declared and redeclared', T, async () => {
    const ch = await clients.channel();
    const x = uniqueName('x-durable');
    await ch.assertExchange(x, 'topic', { durable: true });
    await ch.assertExchange(x, 'topic', { durable: true });
    await ch.deleteExchange(x);
  });

  test('the predeclared exchanges exist', T, async () => {
    const ch = await clients.channel();
    for (const x of ['amq.direct', 'amq.fanout', 'amq.topic', 'amq.headers', 'amq.match']) await ch.checkExchange(x);
  });

  test('redeclaring a predeclared exchange equivalently is allowed', T, async () => {
    const ch = await clients.channel();
    await ch.assertExchange('amq.direct', 'direct', { durable: true });
    await ch.assertExchange('amq.topic', 'topic', { durable: true });
  });

  test('redeclaring with arbitrary different arguments is allowed', T, async () => {
    const ch = await clients.channel();
    const x = uniqueName('x-args');
    await ch.assertExchange(x, 'direct', { durable: false });
    await ch.assertExchange(x, 'direct', { durable: false, arguments: { foo: 'bar' } });
    await ch.deleteExchange(x);
  });

  const inequivalent: [string, Record<string, unknown>, string, string, string][] = [
    ['type', {}, 'fanout', "received 'fanout' but current is 'direct'", 'type'],
    ['durable', { durable: true }, 'direct', "received 'true' but current is 'false'", 'durable'],
    ['auto_delete', { autoDelete: true }, 'direct', "received 'true' but current is 'false'", 'auto_delete'],
    ['internal', { internal: true }, 'direct', "received 'true' but current is 'false'", 'internal'],
    [
      'alternate-exchange',
      { alternateExchange: 'ae' },
      'direct',
      "received the value 'ae' of type 'longstr' but current is none",
      'alternate-exchange',
    ],
  ];
  for (const [name, options, type, detail, arg] of inequivalent) {
    test(`redeclaring with a different ${name}: 406 PRECONDITION_FAILED inequivalent arg`, T, async () => {
      const setup = await clients.channel();
      const x = uniqueName('x-ineq');
      await setup.assertExchange(x, 'direct', { durable: false });
      const ch = await clients.channel();
      const close = await rejection(ch.assertExchange(x, type, { durable: false, ...options }));
      assert.equal(close.code, 406);
      assert.equal(close.classId, 40);
      assert.equal(close.methodId, 10);
      assert.equal(close.text, `PRECONDITION_FAILED - inequivalent arg '${arg}' for exchange '${x}' in vhost '/': ${detail}`);
      await setup.deleteExchange(x);
    });
  }

  test('redeclaring amq.direct as non-durable: 406 inequivalent arg durable', T, async () => {
    const ch = await clients.channel();
    const close = await rejection(ch.assertExchange('amq.direct', 'direct', { durable: false }));
    assert.equal(close.code, 406);
    assert.equal(
      close.text,
      "PRECONDITION_FAILED - inequivalent arg 'durable' for exchange 'amq.direct' in vhost '/': received 'false' but current is 'true'",
    );
  });

  test('declaring an amq.* name: 403 ACCESS_REFUSED reserved prefix', T, async () => {
    const ch = await clients.channel();
    const close = await rejection(ch.assertExchange('amq.warren-test', 'direct'));
    assert.equal(close.code, 403);
    assert.equal(close.classId, 40);
    assert.equal(close.methodId, 10);
    assert.equal(close.text, "ACCESS_REFUSED - exchange name 'amq.warren-test' contains reserved prefix 'amq.*'");
  });

  test('declaring the default exchange: 403 ACCESS_REFUSED', T, async () => {
    const ch = await clients.channel();
    const close = await rejection(ch.assertExchange('', 'direct'));
    assert.equal(close.code, 403);
    assert.equal(close.text, 'ACCESS_REFUSED - operation not permitted on the default exchange');
  });

  test('an unknown exchange type closes the connection: 503 COMMAND_INVALID', T, async () => {
    const conn = await clients.connect();
    const ch = await clients.channel(conn);
    const connClosed = new Promise<string>((resolve) => conn.once('error', (err: Error) => resolve(err.message)));
    await assert.rejects(ch.assertExchange(uniqueName('x-bogus'), 'bogus-type'));
    assert.equal(
      await connClosed,
      'Connection closed: 503 (COMMAND-INVALID) with message "COMMAND_INVALID - unknown exchange type \'bogus-type\'"',
    );
  });

  test('passive declare of a missing exchange: 404 NOT_FOUND', T, async () => {
    const ch = await clients.channel();
    const close = await rejection(ch.checkExchange('warren-no-such-exchange'));
    assert.equal(close.code, 404);
    assert.equal(close.classId, 40);
    assert.equal(close.methodId, 10);
    assert.equal(close.text, "NOT_FOUND - no exchange 'warren-no-such-exchange' in vhost '/'");
  });

  test('passive declare of the default exchange: 403 ACCESS_REFUSED', T, async () => {
    const ch = await clients.channel();
    const close = await rejection(ch.checkExchange(''));
    assert.equal(close.code, 403);
    assert.equal(close.text, 'ACCESS_REFUSED - operation not permitted on the default exchange');
  });

  test('"amq.default" is not a name for the default exchange: 404', T, async () => {
    const ch = await clients.channel();
    const close = await rejection(ch.checkExchange('amq.default'));
    assert.equal(close.code, 404);
    assert.equal(close.text, "NOT_FOUND - no exchange 'amq.default' in vhost '/'");
  });

  test('a reply text longer than 255 bytes is cut to 252 bytes plus "..."', T, async () => {
    const setup = await clients.channel();
    const x = `${uniqueName('x-long')}-${'y'.repeat(200)}`;
    await setup.assertExchange(x, 'direct', { durable: false });
    const ch = await clients.channel();
    const close = await rejection(ch.assertExchange(x, 'fanout', { durable: false }));
    const full = `PRECONDITION_FAILED - inequivalent arg 'type' for exchange '${x}' in vhost '/': received 'fanout' but current is 'direct'`;
    assert.equal(close.text, `${full.slice(0, 252)}...`);
    await setup.deleteExchange(x);
  });

  test('exchange names may be 255 bytes and contain any characters', T, async () => {
    const ch = await clients.channel();
    for (const x of ['x'.repeat(255), 'a b#*?.ü']) {
      await ch.assertExchange(x, 'direct', { durable: false });
      await ch.checkExchange(x);
      await ch.deleteExchange(x);
    }
  });
});

describe('exchange.delete', () => {
  test('deleting a missing exchange succeeds', T, async () => {
    const ch = await clients.channel();
    await ch.deleteExchange(uniqueName('x-missing'));
    await ch.checkExchange('amq.direct');
  });

  test('deleting a predeclared exchange: 403 ACCESS_REFUSED', T, async () => {
    const ch = await clients.channel();
    const close = await rejection(ch.deleteExchange('amq.direct'));
    assert.equal(close.code, 403);
    assert.equal(close.classId, 40);
    assert.equal(close.methodId, 20);
    assert.equal(close.text, "ACCESS_REFUSED - deletion of system exchange 'amq.direct' in vhost '/' not allowed");
  });

  test('deleting the default exchange: 403 ACCESS_REFUSED', T, async () => {
    const ch = await clients.channel();
    const close = await rejection(ch.deleteExchange(''));
    assert.equal(close.code, 403);
    assert.equal(close.text, 'ACCESS_REFUSED - operation not permitted on the default exchange');
  });

  test('if-unused refuses an exchange that is the source of a binding: 406 in use', T, async () => {
    const ch = await clients.channel();
    const x = uniqueName('x-used');
    await ch.assertExchange(x, 'fanout', { durable: false });
    const q = await tempQueue(ch);
    await ch.bindQueue(q, x, '');
    const ch2 = await clients.channel();
    const close = await rejection(ch2.deleteExchange(x, { ifUnused: true }));
    assert.equal(close.code, 406);
    assert.equal(close.classId, 40);
    assert.equal(close.methodId, 20);
    assert.equal(close.text, `PRECONDITION_FAILED - exchange '${x}' in vhost '/' in use`);
    await ch.unbindQueue(q, x, '');
    await ch.deleteExchange(x, { ifUnused: true });
    assert.equal(await exchangeExists(x), false);
  });

  test('if-unused deletes an exchange that is only a binding destination', T, async () => {
    const ch = await clients.channel();
    const dest = uniqueName('x-dest');
    await ch.assertExchange(dest, 'fanout', { durable: false });
    await ch.bindExchange(dest, 'amq.fanout', '');
    await ch.deleteExchange(dest, { ifUnused: true });
    assert.equal(await exchangeExists(dest), false);
  });

  test('deleting an exchange removes its bindings but not the queues', T, async () => {
    const ch = await clients.confirmChannel();
    const x = uniqueName('x-del');
    await ch.assertExchange(x, 'fanout', { durable: false });
    const q = await tempQueue(ch);
    await ch.bindQueue(q, x, '');
    await ch.deleteExchange(x);
    const ok = await ch.checkQueue(q);
    assert.equal(ok.queue, q);
    // re-creating the exchange does not resurrect the old binding
    await ch.assertExchange(x, 'fanout', { durable: false });
    ch.publish(x, '', Buffer.from('lost'));
    await ch.waitForConfirms();
    assert.equal((await ch.checkQueue(q)).messageCount, 0);
    await ch.deleteExchange(x);
  });
});

describe('auto-delete exchanges', () => {
  test('an auto-delete exchange is kept until it has had a binding', T, async () => {
    const ch = await clients.channel();
    const x = uniqueName('x-ad-unused');
    await ch.assertExchange(x, 'direct', { durable: false, autoDelete: true });
    assert.equal(await exchangeExists(x), true);
    await ch.deleteExchange(x);
  });

  test('an auto-delete exchange disappears when its last queue binding is removed', T, async () => {
    const ch = await clients.channel();
    const x = uniqueName('x-ad');
    await ch.assertExchange(x, 'direct', { durable: false, autoDelete: true });
    const q = await tempQueue(ch);
    await ch.bindQueue(q, x, 'a');
    await ch.bindQueue(q, x, 'b');
    await ch.unbindQueue(q, x, 'a');
    assert.equal(await exchangeExists(x), true, 'one binding left');
    await ch.unbindQueue(q, x, 'b');
    assert.equal(await exchangeExists(x), false);
  });

  test('an auto-delete exchange disappears when its only bound queue is deleted', T, async () => {
    const ch = await clients.channel();
    const x = uniqueName('x-ad-q');
    await ch.assertExchange(x, 'fanout', { durable: false, autoDelete: true });
    const q = await tempQueue(ch);
    await ch.bindQueue(q, x, '');
    await ch.deleteQueue(q);
    assert.equal(await exchangeExists(x), false);
  });

  test('an auto-delete exchange disappears when its last exchange-to-exchange binding is removed', T, async () => {
    const ch = await clients.channel();
    const src = uniqueName('x-ad-src');
    const dest = uniqueName('x-ad-dest');
    await ch.assertExchange(src, 'fanout', { durable: false, autoDelete: true });
    await ch.assertExchange(dest, 'fanout', { durable: false });
    await ch.bindExchange(dest, src, '');
    await ch.unbindExchange(dest, src, '');
    assert.equal(await exchangeExists(src), false);
    assert.equal(await exchangeExists(dest), true);
    await ch.deleteExchange(dest);
  });
});

describe('bindings', () => {
  test('binding a queue to the default exchange: 403 ACCESS_REFUSED', T, async () => {
    const ch = await clients.channel();
    const q = await tempQueue(ch);
    const close = await rejection(ch.bindQueue(q, '', 'key'));
    assert.equal(close.code, 403);
    assert.equal(close.classId, 50);
    assert.equal(close.methodId, 20);
    assert.equal(close.text, 'ACCESS_REFUSED - operation not permitted on the default exchange');
  });

  test('unbinding a queue from the default exchange: 403 ACCESS_REFUSED', T, async () => {
    const ch = await clients.channel();
    const q = await tempQueue(ch);
    const close = await rejection(ch.unbindQueue(q, '', q));
    assert.equal(close.code, 403);
    assert.equal(close.classId, 50);
    assert.equal(close.methodId, 50);
    assert.equal(close.text, 'ACCESS_REFUSED - operation not permitted on the default exchange');
  });

  test('exchange-to-exchange bindings with the default exchange: 403 ACCESS_REFUSED', T, async () => {
    for (const [dest, src] of [
      ['amq.fanout', ''],
      ['', 'amq.fanout'],
    ] as const) {
      const ch = await clients.channel();
      const close = await rejection(ch.bindExchange(dest, src, 'k'));
      assert.equal(close.code, 403);
      assert.equal(close.classId, 40);
      assert.equal(close.methodId, 30);
      assert.equal(close.text, 'ACCESS_REFUSED - operation not permitted on the default exchange');
    }
  });

  test('binding to a missing exchange: 404 NOT_FOUND', T, async () => {
    const setup = await clients.channel();
    const q = await tempQueue(setup);
    const ch = await clients.channel(); // exclusive queue: same connection
    const close = await rejection(ch.bindQueue(q, 'warren-no-such-exchange', 'k'));
    assert.equal(close.code, 404);
    assert.equal(close.classId, 50);
    assert.equal(close.methodId, 20);
    assert.equal(close.text, "NOT_FOUND - no exchange 'warren-no-such-exchange' in vhost '/'");
  });

  test('binding a missing queue: 404 NOT_FOUND', T, async () => {
    const ch = await clients.channel();
    const close = await rejection(ch.bindQueue('warren-no-such-queue', 'amq.direct', 'k'));
    assert.equal(close.code, 404);
    assert.equal(close.text, "NOT_FOUND - no queue 'warren-no-such-queue' in vhost '/'");
  });

  test('exchange.bind with a missing source or destination: 404 NOT_FOUND', T, async () => {
    for (const [dest, src] of [
      ['warren-no-such-exchange', 'amq.direct'],
      ['amq.fanout', 'warren-no-such-exchange'],
    ] as const) {
      const ch = await clients.channel();
      const close = await rejection(ch.bindExchange(dest, src, 'k'));
      assert.equal(close.code, 404);
      assert.equal(close.classId, 40);
      assert.equal(close.methodId, 30);
      assert.equal(close.text, "NOT_FOUND - no exchange 'warren-no-such-exchange' in vhost '/'");
    }
  });

  test('unbinding something that is not bound succeeds', T, async () => {
    const ch = await clients.channel();
    const q = await tempQueue(ch);
    await ch.unbindQueue(q, 'amq.direct', 'never-bound');
    await ch.unbindQueue('warren-no-such-queue', 'amq.direct', 'k');
    await ch.unbindQueue(q, 'warren-no-such-exchange', 'k');
    await ch.unbindExchange('amq.fanout', 'amq.direct', 'never-bound');
  });

  test('binding twice is idempotent: one copy is routed', T, async () => {
    const ch = await clients.confirmChannel();
    const q = await tempQueue(ch);
    await ch.bindQueue(q, 'amq.direct', q);
    await ch.bindQueue(q, 'amq.direct', q);
    ch.publish('amq.direct', q, Buffer.from('once'));
    await ch.waitForConfirms();
    const m = await getOne(ch, q);
    assert.equal(text(m), 'once');
    assert.equal(m.fields.messageCount, 0);
  });

  test('exchange-to-exchange bindings route through to queues', T, async () => {
    const ch = await clients.confirmChannel();
    const upstream = uniqueName('x-up');
    const downstream = uniqueName('x-down');
    await ch.assertExchange(upstream, 'topic', { durable: false });
    await ch.assertExchange(downstream, 'direct', { durable: false });
    await ch.bindExchange(downstream, upstream, 'orders.#');
    const q = await tempQueue(ch);
    await ch.bindQueue(q, downstream, 'orders.eu');
    ch.publish(upstream, 'orders.eu', Buffer.from('routed'));
    ch.publish(upstream, 'orders.us', Buffer.from('dropped by downstream'));
    ch.publish(upstream, 'invoices.eu', Buffer.from('dropped by upstream'));
    await ch.waitForConfirms();
    const m = await getOne(ch, q);
    assert.equal(text(m), 'routed');
    assert.equal(m.fields.exchange, upstream);
    assert.equal(m.fields.routingKey, 'orders.eu');
    assert.equal(m.fields.messageCount, 0);
    await ch.unbindExchange(downstream, upstream, 'orders.#');
    ch.publish(upstream, 'orders.eu', Buffer.from('after unbind'));
    await ch.waitForConfirms();
    assert.equal((await ch.checkQueue(q)).messageCount, 0);
    await ch.deleteExchange(upstream);
    await ch.deleteExchange(downstream);
  });

  test('a message reaching a queue by two exchange paths is delivered once', T, async () => {
    const ch = await clients.confirmChannel();
    const a = uniqueName('x-a');
    const b = uniqueName('x-b');
    await ch.assertExchange(a, 'fanout', { durable: false });
    await ch.assertExchange(b, 'fanout', { durable: false });
    await ch.bindExchange(b, a, '');
    const q = await tempQueue(ch);
    await ch.bindQueue(q, a, '');
    await ch.bindQueue(q, b, '');
    ch.publish(a, 'k', Buffer.from('one copy'));
    await ch.waitForConfirms();
    const m = await getOne(ch, q);
    assert.equal(m.fields.messageCount, 0);
    await ch.deleteExchange(a);
    await ch.deleteExchange(b);
  });

  test('exchange-to-exchange cycles do not loop', T, async () => {
    const ch = await clients.confirmChannel();
    const a = uniqueName('x-cyc-a');
    const b = uniqueName('x-cyc-b');
    await ch.assertExchange(a, 'fanout', { durable: false });
    await ch.assertExchange(b, 'fanout', { durable: false });
    await ch.bindExchange(b, a, '');
    await ch.bindExchange(a, b, '');
    const q = await tempQueue(ch);
    await ch.bindQueue(q, b, '');
    ch.publish(a, 'k', Buffer.from('cycle'));
    await ch.waitForConfirms();
    const m = await getOne(ch, q);
    assert.equal(text(m), 'cycle');
    assert.equal(m.fields.messageCount, 0);
    await ch.deleteExchange(a);
    await ch.deleteExchange(b);
  });
});

describe('publishing to exchanges', () => {
  test('publishing to a missing exchange: 404 NOT_FOUND (channel closed)', T, async () => {
    const ch = await clients.channel();
    ch.publish('warren-no-such-exchange', 'k', Buffer.from('x'));
    const close = await rejection(ch.assertQueue('', { exclusive: true }));
    assert.equal(close.code, 404);
    assert.equal(close.classId, 60);
    assert.equal(close.methodId, 40);
    assert.equal(close.text, "NOT_FOUND - no exchange 'warren-no-such-exchange' in vhost '/'");
  });

  test('publishing to an internal exchange: 403 ACCESS_REFUSED', T, async () => {
    const setup = await clients.channel();
    const x = uniqueName('x-internal');
    await setup.assertExchange(x, 'fanout', { durable: false, internal: true });
    const ch = await clients.channel();
    ch.publish(x, 'k', Buffer.from('x'));
    const close = await rejection(ch.assertQueue('', { exclusive: true }));
    assert.equal(close.code, 403);
    assert.equal(close.classId, 60);
    assert.equal(close.methodId, 40);
    assert.equal(close.text, `ACCESS_REFUSED - cannot publish to internal exchange '${x}' in vhost '/'`);
    await setup.deleteExchange(x);
  });

  test('an internal exchange still routes what reaches it through an exchange binding', T, async () => {
    const ch = await clients.confirmChannel();
    const front = uniqueName('x-front');
    const internal = uniqueName('x-int');
    await ch.assertExchange(front, 'fanout', { durable: false });
    await ch.assertExchange(internal, 'fanout', { durable: false, internal: true });
    await ch.bindExchange(internal, front, '');
    const q = await tempQueue(ch);
    await ch.bindQueue(q, internal, '');
    ch.publish(front, 'k', Buffer.from('via front'));
    await ch.waitForConfirms();
    assert.equal(text(await getOne(ch, q)), 'via front');
    await ch.deleteExchange(front);
    await ch.deleteExchange(internal);
  });
});
