/**
 * Per-vhost configure / write / read permissions on every AMQP operation, as RabbitMQ 3.10
 * enforces them. Every expected code, text and order of checks below was first observed on
 * RabbitMQ 3.10.8; the comments say what it answered. To run this file against RabbitMQ:
 *
 *   WARREN_TEST_AMQP_URL=amqp://guest:guest@127.0.0.1:36673 \
 *   WARREN_TEST_RABBITMQCTL='rabbitmqctl -n refp@localhost' node --test dist/test/interop/permissions.test.js
 *
 * A refusal is channel.close 403 with `ACCESS_REFUSED - access to <kind> '<name>' in vhost
 * '<vhost>' refused for user '<user>'`, naming the resource whose check failed. The default
 * exchange is checked under the name `amq.default`. Permission checks come before the
 * resources are looked up, so a refused user gets 403 rather than 404 for what does not exist.
 */
import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import amqp from 'amqplib';
import { AMQPClient } from '@cloudamqp/amqp-client';
import { brokerUrl, uniqueName } from '../support/broker.js';
import type { TestBroker } from '../support/broker.js';
import { Clients, channelError, connectionError, rejection, startConsumer } from '../support/amqp.js';
import type { Channel, ServerClose } from '../support/amqp.js';
import { clientRejection } from '../support/amqp-client.js';
import { RawClient, PROTOCOL_HEADER, enc } from '../support/raw-client.js';
import { delay, withTimeout } from '../support/wait.js';
import { startManagedBroker, userAdminUnavailable } from '../support/user-admin.js';
import type { UserAdmin } from '../support/user-admin.js';

let broker: TestBroker;
let admin: UserAdmin;
let clients: Clients;

/** Every name this file creates starts with P, so users' patterns can select them. */
const P = uniqueName('perm');
const mine = (s: string): string => `${P}-mine-${s}`;
const other = (s: string): string => `${P}-other-${s}`;
const MINE = `^${P}-mine-`;
const NONE = '^$';

/** configure, write and read on `${P}-mine-*` only. */
const bob = `${P}-bob`;
/** configure on mine-*, write anything, read nothing (for the order of the extra declare checks). */
const carl = `${P}-carl`;
/** everything, but write only on the default exchange. */
const dora = `${P}-dora`;
/** configure on server-named queues only. */
const eve = `${P}-eve`;
/** everything, and the impersonator tag. */
const ivan = `${P}-ivan`;
/** no password at all. */
const nopass = `${P}-nopass`;
/** for permission changes while connected. */
const dyn = `${P}-dyn`;
/** a vhost where nobody but guest has permissions at first. */
const vhost2 = `${P}-vhost`;

const setupExchanges: ReadonlyArray<readonly [string, { internal?: boolean }]> = [
  [mine('x'), {}],
  [mine('x2'), {}],
  [other('x'), {}],
  [other('int'), { internal: true }],
];
const setupQueues = [mine('q'), other('q')];

before(async () => {
  ({ broker, admin } = await startManagedBroker());
  clients = new Clients(broker);
  if (userAdminUnavailable !== false) return;
  const all = { configure: '.*', write: '.*', read: '.*' };
  for (const user of [bob, carl, dora, eve, dyn]) await admin.addUser(user, user);
  await admin.addUser(ivan, ivan, ['impersonator']);
  await admin.addUser(nopass, null);
  await admin.setPermissions(bob, '/', { configure: MINE, write: MINE, read: MINE });
  await admin.setPermissions(carl, '/', { configure: MINE, write: '.*', read: NONE });
  await admin.setPermissions(dora, '/', { configure: '.*', write: '^amq\\.default$', read: '.*' });
  await admin.setPermissions(eve, '/', { configure: '^amq\\.gen-', write: NONE, read: NONE });
  await admin.setPermissions(ivan, '/', all);
  await admin.setPermissions(nopass, '/', all);
  await admin.addVhost(vhost2);
  const ch = await clients.channel();
  for (const [name, o] of setupExchanges) await ch.assertExchange(name, 'fanout', { durable: false, ...o });
  for (const name of setupQueues) await ch.assertQueue(name, { durable: false });
  await clients.closeAll();
});

afterEach(() => clients.closeAll());

after(async () => {
  try {
    if (userAdminUnavailable === false) {
      const ch = await clients.channel();
      for (const name of [...setupExchanges.map(([x]) => x), mine('x3'), mine('x4')]) await ch.deleteExchange(name);
      for (const name of [...setupQueues, mine('q2'), mine('q3')]) await ch.deleteQueue(name);
      await clients.closeAll();
      for (const user of [bob, carl, dora, eve, ivan, nopass, dyn]) await admin.deleteUser(user).catch(() => undefined);
      await admin.deleteVhost(vhost2).catch(() => undefined);
    }
  } finally {
    await broker?.close();
  }
});

const T = { timeout: 15_000 };
const suite = { skip: userAdminUnavailable };

function refusal(kind: 'exchange' | 'queue', name: string, user: string, vhost = '/'): string {
  return `ACCESS_REFUSED - access to ${kind} '${name}' in vhost '${vhost}' refused for user '${user}'`;
}

const DEFAULT_EXCHANGE_REFUSED = 'ACCESS_REFUSED - operation not permitted on the default exchange';

/** The close as a comparable tuple: code, text, class id, method id. */
function reply(c: ServerClose): [number, string, number | undefined, number | undefined] {
  return [c.code, c.text, c.classId, c.methodId];
}

/** A fresh connection and channel as `user` (whose password is its name). */
async function as(user: string): Promise<Channel> {
  return clients.channel(await clients.connect({ username: user, password: user }));
}

/** Publishes and returns the channel.close the server answers with. */
async function publishRefused(ch: Channel, exchange: string, routingKey: string): Promise<ServerClose> {
  ch.publish(exchange, routingKey, Buffer.from('m'));
  return channelError(ch);
}

/** Publishes, then proves the channel still works (the publish was accepted). */
async function publishAccepted(ch: Channel, exchange: string, routingKey: string, options: amqp.Options.Publish = {}): Promise<void> {
  ch.publish(exchange, routingKey, Buffer.from('m'), options);
  await ch.checkExchange(mine('x'));
}

/** Class and method ids of the methods a close names. */
const EXCHANGE_DECLARE = [40, 10] as const;
const EXCHANGE_DELETE = [40, 20] as const;
const EXCHANGE_BIND = [40, 30] as const;
const EXCHANGE_UNBIND = [40, 40] as const;
const QUEUE_DECLARE = [50, 10] as const;
const QUEUE_BIND = [50, 20] as const;
const QUEUE_PURGE = [50, 30] as const;
const QUEUE_DELETE = [50, 40] as const;
const QUEUE_UNBIND = [50, 50] as const;
const BASIC_CONSUME = [60, 20] as const;
const BASIC_PUBLISH = [60, 40] as const;
const BASIC_GET = [60, 70] as const;

describe('exchange.declare', suite, () => {
  test('needs configure on the exchange, new or existing', T, async () => {
    // RabbitMQ: 403 "access to exchange '<name>' ... refused for user 'bob'" for both.
    for (const name of [other('new'), other('x')]) {
      const ch = await as(bob);
      assert.deepEqual(reply(await rejection(ch.assertExchange(name, 'fanout', { durable: false }))), [403, refusal('exchange', name, bob), ...EXCHANGE_DECLARE]);
    }
    const ch = await as(bob);
    await ch.assertExchange(mine('x3'), 'fanout', { durable: false });
    await ch.assertExchange(mine('x'), 'fanout', { durable: false });
  });

  test('passive needs no permission: an existing exchange is ok, a missing one 404', T, async () => {
    const ch = await as(bob);
    await ch.checkExchange(other('x'));
    assert.deepEqual(reply(await rejection(ch.checkExchange(other('missing')))), [404, `NOT_FOUND - no exchange '${other('missing')}' in vhost '/'`, ...EXCHANGE_DECLARE]);
  });

  test('configure is checked before the reserved amq. prefix, and for existing amq. exchanges', T, async () => {
    // RabbitMQ: a new amq.* name and amq.direct are both refused as access, not as reserved.
    for (const name of [`amq.${P}`, 'amq.direct']) {
      const ch = await as(bob);
      assert.deepEqual(reply(await rejection(ch.assertExchange(name, 'direct'))), [403, refusal('exchange', name, bob), ...EXCHANGE_DECLARE]);
    }
  });

  test('the default exchange is refused whatever the permissions', T, async () => {
    const ch = await as(bob);
    assert.deepEqual(reply(await rejection(ch.assertExchange('', 'direct'))), [403, DEFAULT_EXCHANGE_REFUSED, ...EXCHANGE_DECLARE]);
  });

  test('an unknown type is 503 on the connection before any permission check', T, async () => {
    const conn = await clients.connect({ username: bob, password: bob });
    const ch = await clients.channel(conn);
    ch.assertExchange(other('new'), 'no-such-type').catch(() => undefined);
    const close = await connectionError(conn);
    assert.deepEqual([close.code, close.text], [503, "COMMAND_INVALID - unknown exchange type 'no-such-type'"]);
  });

  test('a new exchange with an alternate-exchange also needs write on the alternate', T, async () => {
    // RabbitMQ names the alternate when write on it is refused; '' is checked as amq.default.
    let ch = await as(bob);
    assert.deepEqual(
      reply(await rejection(ch.assertExchange(mine('x4'), 'fanout', { durable: false, alternateExchange: other('x') }))),
      [403, refusal('exchange', other('x'), bob), ...EXCHANGE_DECLARE],
    );
    ch = await as(bob);
    assert.deepEqual(
      reply(await rejection(ch.assertExchange(mine('x4'), 'fanout', { durable: false, alternateExchange: '' }))),
      [403, refusal('exchange', 'amq.default', bob), ...EXCHANGE_DECLARE],
    );
    ch = await as(bob);
    await ch.assertExchange(mine('x4'), 'fanout', { durable: false, alternateExchange: mine('x') });
  });

  test('... and read on the new exchange, checked first', T, async () => {
    // carl may configure mine-* and write anywhere but read nothing: RabbitMQ names the new exchange.
    const ch = await as(carl);
    assert.deepEqual(
      reply(await rejection(ch.assertExchange(mine('x-carl'), 'fanout', { durable: false, alternateExchange: other('x') }))),
      [403, refusal('exchange', mine('x-carl'), carl), ...EXCHANGE_DECLARE],
    );
  });

  test('the alternate-exchange is not checked when the exchange exists (equivalence fails instead)', T, async () => {
    const ch = await as(bob);
    assert.deepEqual(
      reply(await rejection(ch.assertExchange(mine('x'), 'fanout', { durable: false, alternateExchange: other('x') }))),
      [
        406,
        `PRECONDITION_FAILED - inequivalent arg 'alternate-exchange' for exchange '${mine('x')}' in vhost '/': received the value '${other('x')}' of type 'longstr' but current is none`,
        ...EXCHANGE_DECLARE,
      ],
    );
  });

  test('an alternate-exchange that is not a string is 406 before the permission checks', T, async () => {
    const ch = await as(bob);
    assert.deepEqual(
      reply(await rejection(ch.assertExchange(mine('x5'), 'fanout', { durable: false, arguments: { 'alternate-exchange': 5 } }))),
      [406, `PRECONDITION_FAILED - invalid type 'byte' for arg 'alternate-exchange' in exchange '${mine('x5')}' in vhost '/'`, ...EXCHANGE_DECLARE],
    );
  });
});

describe('exchange.delete', suite, () => {
  test('needs configure, whether or not the exchange exists', T, async () => {
    for (const name of [other('x'), other('missing')]) {
      const ch = await as(bob);
      assert.deepEqual(reply(await rejection(ch.deleteExchange(name))), [403, refusal('exchange', name, bob), ...EXCHANGE_DELETE]);
    }
    const ch = await as(bob);
    await ch.deleteExchange(mine('x3'));
    await ch.deleteExchange(mine('missing'));
  });

  test('system and default exchanges are refused before the permission check', T, async () => {
    // RabbitMQ refuses any amq.* name, even one that does not exist.
    let ch = await as(bob);
    assert.deepEqual(reply(await rejection(ch.deleteExchange('amq.direct'))), [403, "ACCESS_REFUSED - deletion of system exchange 'amq.direct' in vhost '/' not allowed", ...EXCHANGE_DELETE]);
    ch = await as(bob);
    assert.deepEqual(reply(await rejection(ch.deleteExchange(''))), [403, DEFAULT_EXCHANGE_REFUSED, ...EXCHANGE_DELETE]);
  });
});

describe('queue.declare', suite, () => {
  test('needs configure on the queue, new or existing; passive needs nothing', T, async () => {
    for (const name of [other('new'), other('q')]) {
      const ch = await as(bob);
      assert.deepEqual(reply(await rejection(ch.assertQueue(name, { durable: false }))), [403, refusal('queue', name, bob), ...QUEUE_DECLARE]);
    }
    const ch = await as(bob);
    assert.equal((await ch.checkQueue(other('q'))).queue, other('q'));
    assert.deepEqual(reply(await rejection(ch.checkQueue(other('missing')))), [404, `NOT_FOUND - no queue '${other('missing')}' in vhost '/'`, ...QUEUE_DECLARE]);
    const ok = await (await as(bob)).assertQueue(mine('q2'), { durable: false });
    assert.equal(ok.queue, mine('q2'));
  });

  test('a server-named queue is checked under its amq.gen- name', T, async () => {
    // RabbitMQ: "access to queue 'amq.gen-uD-dk0ZvE6iRIwB6dLyPAg' in vhost '/' refused for user 'bob'".
    const close = await rejection((await as(bob)).assertQueue('', { exclusive: true }));
    assert.deepEqual([close.code, close.classId, close.methodId], [403, ...QUEUE_DECLARE]);
    assert.match(close.text, new RegExp(`^ACCESS_REFUSED - access to queue 'amq\\.gen-[A-Za-z0-9_-]{22}' in vhost '/' refused for user '${bob}'$`));
    const ok = await (await as(eve)).assertQueue('', { exclusive: true });
    assert.match(ok.queue, /^amq\.gen-/);
  });

  test('the reserved amq. prefix is refused before the permission check', T, async () => {
    const ch = await as(bob);
    assert.deepEqual(reply(await rejection(ch.assertQueue(`amq.${P}`))), [403, `ACCESS_REFUSED - queue name 'amq.${P}' contains reserved prefix 'amq.*'`, ...QUEUE_DECLARE]);
  });

  test('a new queue with a dead-letter exchange also needs write on it', T, async () => {
    let ch = await as(bob);
    assert.deepEqual(reply(await rejection(ch.assertQueue(mine('q3'), { durable: false, deadLetterExchange: other('x') }))), [403, refusal('exchange', other('x'), bob), ...QUEUE_DECLARE]);
    ch = await as(bob);
    assert.deepEqual(reply(await rejection(ch.assertQueue(mine('q3'), { durable: false, deadLetterExchange: '' }))), [403, refusal('exchange', 'amq.default', bob), ...QUEUE_DECLARE]);
    ch = await as(bob);
    await ch.assertQueue(mine('q3'), { durable: false, deadLetterExchange: mine('x') });
  });

  test('... and read on the new queue, checked first', T, async () => {
    const ch = await as(carl);
    assert.deepEqual(reply(await rejection(ch.assertQueue(mine('q-carl'), { durable: false, deadLetterExchange: other('x') }))), [403, refusal('queue', mine('q-carl'), carl), ...QUEUE_DECLARE]);
  });

  test('the dead-letter exchange is checked before the other arguments are validated', T, async () => {
    const ch = await as(bob);
    const args = { 'x-dead-letter-exchange': other('x'), 'x-message-ttl': 'not a number' };
    assert.deepEqual(reply(await rejection(ch.assertQueue(mine('dl'), { durable: false, arguments: args }))), [403, refusal('exchange', other('x'), bob), ...QUEUE_DECLARE]);
  });

  test('a dead-letter exchange that is not a string is 406 (after configure on the queue)', T, async () => {
    let ch = await as(bob);
    const args = { 'x-dead-letter-exchange': 5 };
    assert.deepEqual(reply(await rejection(ch.assertQueue(other('dl'), { durable: false, arguments: args }))), [403, refusal('queue', other('dl'), bob), ...QUEUE_DECLARE]);
    ch = await as(bob);
    assert.deepEqual(
      reply(await rejection(ch.assertQueue(mine('dl'), { durable: false, arguments: args }))),
      [406, `PRECONDITION_FAILED - invalid type 'byte' for arg 'x-dead-letter-exchange' in queue '${mine('dl')}' in vhost '/'`, ...QUEUE_DECLARE],
    );
  });

  test('the dead-letter exchange is not checked when the queue exists (equivalence fails instead)', T, async () => {
    const ch = await as(bob);
    assert.deepEqual(
      reply(await rejection(ch.assertQueue(mine('q'), { durable: false, deadLetterExchange: other('x') }))),
      [
        406,
        `PRECONDITION_FAILED - inequivalent arg 'x-dead-letter-exchange' for queue '${mine('q')}' in vhost '/': received the value '${other('x')}' of type 'longstr' but current is none`,
        ...QUEUE_DECLARE,
      ],
    );
  });

  test("another connection's exclusive queue: 403 without configure, 405 with it", T, async () => {
    const owner = await clients.channel();
    await owner.assertQueue(other('excl'), { exclusive: true });
    await owner.assertQueue(mine('excl'), { exclusive: true });
    let ch = await as(bob);
    assert.deepEqual(reply(await rejection(ch.assertQueue(other('excl'), { exclusive: true }))), [403, refusal('queue', other('excl'), bob), ...QUEUE_DECLARE]);
    ch = await as(bob);
    const close = await rejection(ch.assertQueue(mine('excl'), { exclusive: true }));
    assert.equal(close.code, 405);
  });

  test('the direct reply-to pseudo-queue needs no permission and reports one consumer', T, async () => {
    const ch = await as(eve);
    for (const declare of [() => ch.checkQueue('amq.rabbitmq.reply-to'), () => ch.assertQueue('amq.rabbitmq.reply-to')]) {
      const ok = await declare();
      assert.deepEqual([ok.queue, ok.messageCount, ok.consumerCount], ['amq.rabbitmq.reply-to', 0, 1]);
    }
    const name = 'amq.rabbitmq.reply-to.no-such-consumer';
    assert.deepEqual(reply(await rejection(ch.assertQueue(name))), [404, `NOT_FOUND - no queue '${name}' in vhost '/'`, ...QUEUE_DECLARE]);
  });
});

describe('queue.delete and queue.purge', suite, () => {
  test('delete needs configure on the queue, whether or not it exists', T, async () => {
    for (const name of [other('q'), other('missing')]) {
      const ch = await as(bob);
      assert.deepEqual(reply(await rejection(ch.deleteQueue(name))), [403, refusal('queue', name, bob), ...QUEUE_DELETE]);
    }
    assert.equal((await (await as(bob)).deleteQueue(mine('missing'))).messageCount, 0);
  });

  test('purge needs read on the queue, whether or not it exists', T, async () => {
    for (const name of [other('q'), other('missing')]) {
      const ch = await as(bob);
      assert.deepEqual(reply(await rejection(ch.purgeQueue(name))), [403, refusal('queue', name, bob), ...QUEUE_PURGE]);
    }
    assert.equal((await (await as(bob)).purgeQueue(mine('q'))).messageCount, 0);
  });

  test("another connection's exclusive queue: 403 without the permission, 405 with it", T, async () => {
    const owner = await clients.channel();
    await owner.assertQueue(other('excl-d'), { exclusive: true });
    await owner.assertQueue(mine('excl-d'), { exclusive: true });
    assert.deepEqual(reply(await rejection((await as(bob)).deleteQueue(other('excl-d')))), [403, refusal('queue', other('excl-d'), bob), ...QUEUE_DELETE]);
    assert.equal((await rejection((await as(bob)).deleteQueue(mine('excl-d')))).code, 405);
  });
});

type BindingOp = (ch: Channel, destination: string, source: string) => Promise<unknown>;

/** As bob, each [destination, source, refusal text] is refused on `method`; then `allowed` succeeds. */
async function expectBindingRefusals(
  op: BindingOp,
  method: readonly [number, number],
  refusals: ReadonlyArray<readonly [string, string, string]>,
  allowed: readonly [string, string],
): Promise<void> {
  for (const [destination, source, text] of refusals) {
    assert.deepEqual(reply(await rejection(op(await as(bob), destination, source))), [403, text, ...method], `${destination} <- ${source}`);
  }
  await op(await as(bob), ...allowed);
}

describe('queue.bind and queue.unbind', suite, () => {
  const refusals = (): Array<readonly [string, string, string]> => [
    [other('q'), mine('x'), refusal('queue', other('q'), bob)],
    [mine('q'), other('x'), refusal('exchange', other('x'), bob)],
    [other('q'), other('x'), refusal('queue', other('q'), bob)],
    // Both checks come before either is looked up.
    [mine('missing'), other('x'), refusal('exchange', other('x'), bob)],
    [other('missing'), mine('missing'), refusal('queue', other('missing'), bob)],
    // The default exchange is refused after write on the queue, before read on it.
    [mine('q'), '', DEFAULT_EXCHANGE_REFUSED],
    [other('q'), '', refusal('queue', other('q'), bob)],
  ];
  test('bind: write on the queue first, then read on the exchange', T, () =>
    expectBindingRefusals((ch, q, x) => ch.bindQueue(q, x, 'k'), QUEUE_BIND, refusals(), [mine('q'), mine('x')]));
  test('unbind: the same checks in the same order', T, () =>
    expectBindingRefusals((ch, q, x) => ch.unbindQueue(q, x, 'k'), QUEUE_UNBIND, refusals(), [mine('q'), mine('x')]));

  test('bind: with both permissions, a missing exchange is still 404', T, async () => {
    assert.deepEqual(reply(await rejection((await as(bob)).bindQueue(mine('q'), mine('missing'), 'k'))), [404, `NOT_FOUND - no exchange '${mine('missing')}' in vhost '/'`, ...QUEUE_BIND]);
  });

  test('an empty queue name with no queue declared before is 404 before any permission check', T, async () => {
    assert.deepEqual(reply(await rejection((await as(bob)).bindQueue('', other('x'), ''))), [404, 'NOT_FOUND - no previously declared queue', ...QUEUE_BIND]);
  });
});

describe('exchange.bind and exchange.unbind', suite, () => {
  const refusals = (): Array<readonly [string, string, string]> => [
    [other('x'), mine('x'), refusal('exchange', other('x'), bob)],
    [mine('x'), other('x'), refusal('exchange', other('x'), bob)],
    [other('x'), other('missing'), refusal('exchange', other('x'), bob)],
    // A default-exchange destination is checked for write (as amq.default) before being refused.
    ['', mine('x'), refusal('exchange', 'amq.default', bob)],
    [mine('x'), '', DEFAULT_EXCHANGE_REFUSED],
  ];
  test('bind: write on the destination first, then read on the source', T, () =>
    expectBindingRefusals((ch, dest, src) => ch.bindExchange(dest, src, 'k'), EXCHANGE_BIND, refusals(), [mine('x2'), mine('x')]));
  test('unbind: the same checks in the same order', T, () =>
    expectBindingRefusals((ch, dest, src) => ch.unbindExchange(dest, src, 'k'), EXCHANGE_UNBIND, refusals(), [mine('x2'), mine('x')]));

  test('the default exchange as destination, with write on amq.default, is refused as the default exchange', T, async () => {
    assert.deepEqual(reply(await rejection((await as(dora)).bindExchange('', other('x'), 'k'))), [403, DEFAULT_EXCHANGE_REFUSED, ...EXCHANGE_BIND]);
  });
});

describe('basic.consume and basic.get', suite, () => {
  test('consume needs read on the queue, whether or not it exists', T, async () => {
    for (const name of [other('q'), other('missing')]) {
      const ch = await as(bob);
      assert.deepEqual(reply(await rejection(ch.consume(name, () => undefined))), [403, refusal('queue', name, bob), ...BASIC_CONSUME]);
    }
    const ok = await (await as(bob)).consume(mine('q'), () => undefined);
    assert.match(ok.consumerTag, /^amq\.ctag-/);
  });

  test('get needs read on the queue', T, async () => {
    for (const name of [other('q'), other('missing')]) {
      const ch = await as(bob);
      assert.deepEqual(reply(await rejection(ch.get(name))), [403, refusal('queue', name, bob), ...BASIC_GET]);
    }
    assert.equal(await (await as(bob)).get(mine('q')), false);
  });

  test("another connection's exclusive queue: 403 without read, 405 with it", T, async () => {
    const owner = await clients.channel();
    await owner.assertQueue(other('excl-g'), { exclusive: true });
    await owner.assertQueue(mine('excl-g'), { exclusive: true });
    assert.deepEqual(reply(await rejection((await as(bob)).get(other('excl-g')))), [403, refusal('queue', other('excl-g'), bob), ...BASIC_GET]);
    assert.equal((await rejection((await as(bob)).get(mine('excl-g')))).code, 405);
  });

  test('consuming direct reply-to needs no permission', T, async () => {
    const ch = await as(eve);
    const ok = await ch.consume('amq.rabbitmq.reply-to', () => undefined, { noAck: true });
    assert.match(ok.consumerTag, /^amq\.ctag-/);
  });
});

describe('basic.publish', suite, () => {
  test('needs write on the exchange, checked before it must exist', T, async () => {
    for (const name of [other('x'), other('missing'), 'amq.direct']) {
      assert.deepEqual(reply(await publishRefused(await as(bob), name, 'k')), [403, refusal('exchange', name, bob), ...BASIC_PUBLISH]);
    }
    await publishAccepted(await as(bob), mine('x'), 'k');
  });

  test('the default exchange is checked as amq.default', T, async () => {
    assert.deepEqual(reply(await publishRefused(await as(bob), '', mine('q'))), [403, refusal('exchange', 'amq.default', bob), ...BASIC_PUBLISH]);
    // dora may write on ^amq\.default$ only: the default exchange yes, amq.direct no.
    const q = (await (await as(dora)).assertQueue(mine('dora'), { durable: false, autoDelete: false })).queue;
    const ch = await as(dora);
    ch.publish('', q, Buffer.from('via default'));
    const got = await ch.get(q, { noAck: true });
    assert.ok(got !== false);
    assert.equal(got.content.toString(), 'via default');
    await ch.deleteQueue(q);
    assert.deepEqual(reply(await publishRefused(await as(dora), 'amq.direct', 'k')), [403, refusal('exchange', 'amq.direct', dora), ...BASIC_PUBLISH]);
  });

  test('write is checked before the internal flag', T, async () => {
    assert.deepEqual(reply(await publishRefused(await as(bob), other('int'), 'k')), [403, refusal('exchange', other('int'), bob), ...BASIC_PUBLISH]);
    assert.deepEqual(reply(await publishRefused(await as(ivan), other('int'), 'k')), [403, `ACCESS_REFUSED - cannot publish to internal exchange '${other('int')}' in vhost '/'`, ...BASIC_PUBLISH]);
  });

  test('in a transaction the publish itself is refused, not the commit', T, async () => {
    const client = new AMQPClient(brokerUrl(broker, { username: bob, password: bob }));
    const conn = await withTimeout(client.connect(), 10_000, 'amqp-client connect');
    conn.onerror = () => undefined;
    try {
      const ch = await conn.channel();
      await ch.txSelect();
      await ch.basicPublish(other('x'), 'k', 'in tx');
      const close = await clientRejection(ch.txCommit());
      assert.deepEqual([close.scope, close.code, close.text], ['channel', 403, refusal('exchange', other('x'), bob)]);
    } finally {
      if (!conn.closed) await conn.close().catch(() => undefined);
    }
  });

  test('user_id may name another user only with the impersonator tag', T, async () => {
    const ch = await as(ivan);
    const q = (await ch.assertQueue(mine('imp'), { exclusive: true })).queue;
    ch.sendToQueue(q, Buffer.from('m'), { userId: 'someone-else' });
    const got = await ch.get(q, { noAck: true });
    assert.ok(got !== false);
    assert.equal(got.properties.userId, 'someone-else');
    const refused = await as(bob);
    refused.publish(mine('x'), '', Buffer.from('m'), { userId: 'someone-else' });
    assert.deepEqual(reply(await channelError(refused)), [406, `PRECONDITION_FAILED - user_id property set to 'someone-else' but authenticated user was '${bob}'`, ...BASIC_PUBLISH]);
  });
});

describe('connections', suite, () => {
  /** Logs in as `user` and opens `vhost`; returns the connection.close the server answers with. */
  async function openRefused(user: string, vhost: string): Promise<{ replyCode: number; replyText: string; classId: number; methodId: number }> {
    const c = await RawClient.connect(broker.port, broker.host);
    try {
      c.write(PROTOCOL_HEADER);
      await c.expectMethod(10, 10, 0);
      const response = `\u0000${user}\u0000${user}`;
      c.sendMethod(0, 10, 11, Buffer.concat([enc.table({ capabilities: { authentication_failure_close: true } }), enc.shortstr('PLAIN'), enc.longstr(response), enc.shortstr('en_US')]));
      await c.expectMethod(10, 30, 0);
      c.sendMethod(0, 10, 31, Buffer.concat([enc.short(2047), enc.long(131072), enc.short(0)]));
      c.sendMethod(0, 10, 40, Buffer.concat([enc.shortstr(vhost), enc.shortstr(''), enc.bits(false)]));
      return await c.expectConnectionClose();
    } finally {
      c.destroy();
    }
  }

  test('a vhost where the user has no permissions: 530 NOT_ALLOWED on connection.open', T, async () => {
    assert.deepEqual(await openRefused(bob, vhost2), { replyCode: 530, replyText: `NOT_ALLOWED - access to vhost '${vhost2}' refused for user '${bob}'`, classId: 10, methodId: 40 });
  });

  test('permissions that match nothing still open the vhost (and allow passive declares)', T, async () => {
    const ch = await as(eve);
    assert.equal((await ch.checkQueue(other('q'))).queue, other('q'));
  });

  test('permissions in another vhost do not count', T, async () => {
    const user = `${P}-vh-user`;
    await admin.addUser(user, user);
    try {
      await admin.setPermissions(user, vhost2, { configure: '.*', write: '.*', read: '.*' });
      const conn = await amqp.connect(brokerUrl(broker, { username: user, password: user, vhost: vhost2 }));
      try {
        const ch = await conn.createChannel();
        await ch.assertQueue(mine('vh'), { durable: false, exclusive: true });
      } finally {
        await conn.close();
      }
      assert.deepEqual((await openRefused(user, '/')).replyText, `NOT_ALLOWED - access to vhost '/' refused for user '${user}'`);
    } finally {
      await admin.deleteUser(user);
    }
  });

  test('a user without a password cannot log in, with or without one given', T, async () => {
    for (const password of ['', 'anything']) {
      await assert.rejects(amqp.connect(brokerUrl(broker, { username: nopass, password })), (err: unknown) => {
        assert.ok(err instanceof Error);
        assert.equal(
          err.message,
          'Handshake terminated by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN. For details see the broker logfile."',
        );
        return true;
      });
    }
  });

  test('permissions changed while connected apply to the next operation', T, async () => {
    const all = { configure: '.*', write: '.*', read: '.*' };
    await admin.setPermissions(dyn, '/', all);
    const conn = await clients.connect({ username: dyn, password: dyn });
    const ch = await clients.channel(conn);
    const q = (await ch.assertQueue(mine('dyn'), { durable: false })).queue;
    await ch.bindQueue(q, mine('x'), '');
    ch.publish(mine('x'), '', Buffer.from('1'));
    assert.ok((await ch.get(q, { noAck: true })) !== false);

    await admin.setPermissions(dyn, '/', { configure: NONE, write: NONE, read: NONE });
    // RabbitMQ keeps the grants it already checked on a channel until the channel has been idle
    // for about a second (it forgets them when the channel hibernates); Warren refuses at once.
    if (broker.external) await delay(1500);
    assert.deepEqual(reply(await publishRefused(ch, mine('x'), '')), [403, refusal('exchange', mine('x'), dyn), ...BASIC_PUBLISH]);
    // A new channel on the same connection is refused too; the connection stays open.
    assert.deepEqual(reply(await rejection((await clients.channel(conn)).get(q))), [403, refusal('queue', q, dyn), ...BASIC_GET]);

    // Without any permission the connection is not closed, and channels still open.
    await admin.clearPermissions(dyn, '/');
    const bare = await clients.channel(conn);
    assert.equal((await bare.checkQueue(q)).queue, q);
    assert.deepEqual(reply(await rejection(bare.purgeQueue(q))), [403, refusal('queue', q, dyn), ...QUEUE_PURGE]);

    await admin.setPermissions(dyn, '/', all);
    const again = await clients.channel(conn);
    const consumer = await startConsumer(again, q, { noAck: true });
    again.publish(mine('x'), '', Buffer.from('2'));
    const [m] = await consumer.next(1);
    assert.equal(m?.content.toString(), '2');
    await again.deleteQueue(q);
  });
});
