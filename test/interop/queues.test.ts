/**
 * queue.declare / delete / purge with amqplib: server-named queues, declare-ok counts,
 * equivalence checks, exclusivity, auto-delete, and x-max-priority.
 */
import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startTestBroker, uniqueName } from '../support/broker.js';
import type { TestBroker } from '../support/broker.js';
import { Clients, rejection, getOne, text, startConsumer } from '../support/amqp.js';
import type { Channel } from '../support/amqp.js';
import { waitFor } from '../support/wait.js';

let broker: TestBroker;
let clients: Clients;

before(async () => {
  broker = await startTestBroker();
  clients = new Clients(broker);
});
afterEach(() => clients.closeAll());
after(() => broker?.close());

const T = { timeout: 15_000 };

const RESOURCE_LOCKED = (q: string): string =>
  `RESOURCE_LOCKED - cannot obtain exclusive access to locked queue '${q}' in vhost '/'. ` +
  'It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.';

async function queueExists(name: string): Promise<boolean> {
  const ch = await clients.channel();
  try {
    await ch.checkQueue(name);
    await ch.close();
    return true;
  } catch (err) {
    const close = await rejection(Promise.reject(err));
    assert.equal(close.code, 404, close.message);
    return false;
  }
}

async function drain(ch: Channel, q: string, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(text(await getOne(ch, q, { noAck: true })));
  return out;
}

describe('queue.declare', () => {
  test('declare-ok returns the name and message/consumer counts', T, async () => {
    const conn = await clients.connect();
    const ch = await clients.confirmChannel(conn);
    const q = uniqueName('q-counts');
    assert.deepEqual(await ch.assertQueue(q, { exclusive: true }), { queue: q, messageCount: 0, consumerCount: 0 });
    ch.sendToQueue(q, Buffer.from('1'));
    ch.sendToQueue(q, Buffer.from('2'));
    await ch.waitForConfirms();
    assert.deepEqual(await ch.assertQueue(q, { exclusive: true }), { queue: q, messageCount: 2, consumerCount: 0 });
    const first = await startConsumer(ch, q);
    await first.next(2);
    const ch2 = await clients.channel(conn);
    await ch2.consume(q, () => {});
    // delivered-but-unacked messages are not counted; both consumers are
    assert.deepEqual(await ch2.assertQueue(q, { exclusive: true }), { queue: q, messageCount: 0, consumerCount: 2 });
  });

  test('declare-ok counts ready messages', T, async () => {
    const ch = await clients.confirmChannel();
    const q = uniqueName('q-ready');
    await ch.assertQueue(q, { exclusive: true });
    for (let i = 0; i < 5; i++) ch.sendToQueue(q, Buffer.from(String(i)));
    await ch.waitForConfirms();
    assert.deepEqual(await ch.checkQueue(q), { queue: q, messageCount: 5, consumerCount: 0 });
    await getOne(ch, q); // unacked: no longer counted
    assert.equal((await ch.assertQueue(q, { exclusive: true })).messageCount, 4);
  });

  test('a server-named queue gets an amq.gen- name', T, async () => {
    const ch = await clients.channel();
    const a = await ch.assertQueue('', { exclusive: true });
    const b = await ch.assertQueue('', { exclusive: true });
    assert.match(a.queue, /^amq\.gen-[A-Za-z0-9_-]{22}$/);
    assert.notEqual(a.queue, b.queue);
    assert.equal(a.messageCount, 0);
    assert.equal(a.consumerCount, 0);
  });

  test('an empty queue name in later methods means the last queue declared on the channel', T, async () => {
    const ch = await clients.confirmChannel();
    const { queue } = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue('', 'amq.direct', 'last-declared');
    ch.publish('amq.direct', 'last-declared', Buffer.from('via default name'));
    await ch.waitForConfirms();
    assert.equal((await ch.checkQueue(queue)).messageCount, 1);
    assert.deepEqual(await ch.purgeQueue(''), { messageCount: 1 });
    assert.deepEqual(await ch.deleteQueue(''), { messageCount: 0 });
    assert.equal(await queueExists(queue), false);
  });

  test('an empty queue name with no queue declared on the channel: 404 no previously declared queue', T, async () => {
    for (const [op, classId, methodId] of [
      ['bind', 50, 20],
      ['purge', 50, 30],
      ['delete', 50, 40],
      ['consume', 60, 20],
      ['get', 60, 70],
    ] as const) {
      const ch = await clients.channel();
      const call =
        op === 'bind'
          ? ch.bindQueue('', 'amq.direct', 'k')
          : op === 'purge'
            ? ch.purgeQueue('')
            : op === 'delete'
              ? ch.deleteQueue('')
              : op === 'consume'
                ? ch.consume('', () => {})
                : ch.get('');
      const close = await rejection(call);
      assert.equal(close.code, 404, op);
      assert.equal(close.classId, classId, op);
      assert.equal(close.methodId, methodId, op);
      assert.equal(close.text, 'NOT_FOUND - no previously declared queue', op);
    }
  });

  test('passive declare of a missing queue: 404 NOT_FOUND', T, async () => {
    const ch = await clients.channel();
    const close = await rejection(ch.checkQueue('warren-no-such-queue'));
    assert.equal(close.code, 404);
    assert.equal(close.classId, 50);
    assert.equal(close.methodId, 10);
    assert.equal(close.text, "NOT_FOUND - no queue 'warren-no-such-queue' in vhost '/'");
  });

  test('declaring an amq.* queue name: 403 ACCESS_REFUSED reserved prefix', T, async () => {
    for (const name of ['amq.warren', 'amq.gen-abc']) {
      const ch = await clients.channel();
      const close = await rejection(ch.assertQueue(name));
      assert.equal(close.code, 403);
      assert.equal(close.classId, 50);
      assert.equal(close.methodId, 10);
      assert.equal(close.text, `ACCESS_REFUSED - queue name '${name}' contains reserved prefix 'amq.*'`);
    }
  });

  test('passive declare of a missing amq.* queue: 404, not 403', T, async () => {
    const ch = await clients.channel();
    const close = await rejection(ch.checkQueue('amq.warren-missing'));
    assert.equal(close.code, 404);
    assert.equal(close.text, "NOT_FOUND - no queue 'amq.warren-missing' in vhost '/'");
  });

  test('a 255-byte queue name is accepted', T, async () => {
    const ch = await clients.channel();
    const q = `${uniqueName('q-long')}-`.padEnd(255, 'q');
    assert.equal((await ch.assertQueue(q, { exclusive: true })).queue, q);
  });
});

describe('queue equivalence', () => {
  async function declared(options: Record<string, unknown>): Promise<string> {
    const ch = await clients.channel();
    const q = uniqueName('q-eq');
    await ch.assertQueue(q, { durable: false, autoDelete: false, ...options });
    return q;
  }

  test('redeclaring with a different durable flag: 406 inequivalent arg', T, async () => {
    const q = await declared({});
    const ch = await clients.channel();
    const close = await rejection(ch.assertQueue(q, { durable: true }));
    assert.equal(close.code, 406);
    assert.equal(close.classId, 50);
    assert.equal(close.methodId, 10);
    assert.equal(
      close.text,
      `PRECONDITION_FAILED - inequivalent arg 'durable' for queue '${q}' in vhost '/': received 'true' but current is 'false'`,
    );
    await (await clients.channel()).deleteQueue(q);
  });

  test('redeclaring with a different auto_delete flag: 406 inequivalent arg', T, async () => {
    const q = await declared({});
    const ch = await clients.channel();
    const close = await rejection(ch.assertQueue(q, { durable: false, autoDelete: true }));
    assert.equal(close.code, 406);
    assert.equal(
      close.text,
      `PRECONDITION_FAILED - inequivalent arg 'auto_delete' for queue '${q}' in vhost '/': received 'true' but current is 'false'`,
    );
    await (await clients.channel()).deleteQueue(q);
  });

  test('redeclaring a shared queue as exclusive: 405 RESOURCE_LOCKED', T, async () => {
    const q = await declared({});
    const ch = await clients.channel();
    const close = await rejection(ch.assertQueue(q, { durable: false, exclusive: true }));
    assert.equal(close.code, 405);
    assert.equal(close.text, RESOURCE_LOCKED(q));
    await (await clients.channel()).deleteQueue(q);
  });

  test('adding an argument on redeclare: 406 naming its value and type', T, async () => {
    const q = await declared({});
    const cases: [Record<string, unknown>, string][] = [
      [{ 'x-message-ttl': 1000 }, "'x-message-ttl' for queue '%q' in vhost '/': received the value '1000' of type 'short' but current is none"],
      [{ 'x-max-priority': 5 }, "'x-max-priority' for queue '%q' in vhost '/': received the value '5' of type 'byte' but current is none"],
      [{ 'x-max-length': { '!': 'long', value: 5 } }, "'x-max-length' for queue '%q' in vhost '/': received the value '5' of type 'long' but current is none"],
      [{ 'x-max-length': { '!': 'int', value: 5 } }, "'x-max-length' for queue '%q' in vhost '/': received the value '5' of type 'signedint' but current is none"],
      [{ 'x-dead-letter-exchange': 'dlx' }, "'x-dead-letter-exchange' for queue '%q' in vhost '/': received the value 'dlx' of type 'longstr' but current is none"],
    ];
    for (const [args, detail] of cases) {
      const ch = await clients.channel();
      const close = await rejection(ch.assertQueue(q, { durable: false, arguments: args }));
      assert.equal(close.code, 406);
      assert.equal(close.text, `PRECONDITION_FAILED - inequivalent arg ${detail.replace('%q', q)}`);
    }
    await (await clients.channel()).deleteQueue(q);
  });

  test('omitting or changing an argument on redeclare: 406', T, async () => {
    const q = await declared({ arguments: { 'x-message-ttl': 1000 } });
    let ch = await clients.channel();
    let close = await rejection(ch.assertQueue(q, { durable: false }));
    assert.equal(
      close.text,
      `PRECONDITION_FAILED - inequivalent arg 'x-message-ttl' for queue '${q}' in vhost '/': received none but current is the value '1000' of type 'short'`,
    );
    ch = await clients.channel();
    close = await rejection(ch.assertQueue(q, { durable: false, arguments: { 'x-message-ttl': 2000 } }));
    assert.equal(
      close.text,
      `PRECONDITION_FAILED - inequivalent arg 'x-message-ttl' for queue '${q}' in vhost '/': received '2000' but current is '1000'`,
    );
    await (await clients.channel()).deleteQueue(q);
  });

  test('the same numeric argument value in another integer type is equivalent', T, async () => {
    const q = await declared({ arguments: { 'x-message-ttl': { '!': 'int', value: 1000 } } });
    const ch = await clients.channel();
    await ch.assertQueue(q, { durable: false, arguments: { 'x-message-ttl': 1000 } });
    await ch.assertQueue(q, { durable: false, arguments: { 'x-message-ttl': { '!': 'long', value: 1000 } } });
    await ch.assertQueue(q, { durable: false, arguments: { 'x-message-ttl': { '!': 'uint32', value: 1000 } } });
    await ch.deleteQueue(q);
  });

  test('arguments RabbitMQ does not know are not compared', T, async () => {
    const q = await declared({ arguments: { 'x-warren-custom': 1 } });
    const ch = await clients.channel();
    await ch.assertQueue(q, { durable: false, arguments: { 'x-warren-custom': 2 } });
    await ch.assertQueue(q, { durable: false });
    await ch.deleteQueue(q);
  });

  test('passive declare ignores flags and arguments', T, async () => {
    const q = await declared({ arguments: { 'x-message-ttl': 1000 } });
    const ch = await clients.channel();
    assert.deepEqual(await ch.checkQueue(q), { queue: q, messageCount: 0, consumerCount: 0 });
    await ch.deleteQueue(q);
  });
});

describe('exclusive queues', () => {
  test('another connection cannot use an exclusive queue: 405 RESOURCE_LOCKED', T, async () => {
    const owner = await clients.channel();
    const q = uniqueName('q-excl');
    await owner.assertQueue(q, { exclusive: true });
    const ops: [string, (ch: Channel) => Promise<unknown>, number, number][] = [
      ['declare', (ch) => ch.assertQueue(q, { exclusive: true }), 50, 10],
      ['declare non-exclusive', (ch) => ch.assertQueue(q), 50, 10],
      ['passive declare', (ch) => ch.checkQueue(q), 50, 10],
      ['bind', (ch) => ch.bindQueue(q, 'amq.direct', 'k'), 50, 20],
      ['purge', (ch) => ch.purgeQueue(q), 50, 30],
      ['delete', (ch) => ch.deleteQueue(q), 50, 40],
      ['consume', (ch) => ch.consume(q, () => {}), 60, 20],
      ['get', (ch) => ch.get(q), 60, 70],
    ];
    for (const [name, op, classId, methodId] of ops) {
      const other = await clients.channel(); // a new connection each time
      const close = await rejection(op(other));
      assert.equal(close.code, 405, name);
      assert.equal(close.classId, classId, name);
      assert.equal(close.methodId, methodId, name);
      assert.equal(close.text, RESOURCE_LOCKED(q), name);
    }
  });

  test('other connections may still publish to an exclusive queue and unbind it', T, async () => {
    const owner = await clients.channel();
    const q = uniqueName('q-excl-pub');
    await owner.assertQueue(q, { exclusive: true });
    const other = await clients.confirmChannel();
    other.sendToQueue(q, Buffer.from('from elsewhere'));
    await other.waitForConfirms();
    await other.unbindQueue(q, 'amq.direct', 'never-bound');
    assert.equal(text(await getOne(owner, q)), 'from elsewhere');
  });

  test('other channels of the owning connection can use it', T, async () => {
    const conn = await clients.connect();
    const a = await clients.channel(conn);
    const b = await clients.channel(conn);
    const q = uniqueName('q-excl-same');
    await a.assertQueue(q, { exclusive: true });
    await b.assertQueue(q, { exclusive: true });
    b.sendToQueue(q, Buffer.from('x'));
    assert.equal(text(await getOne(b, q)), 'x');
  });

  test('an exclusive queue is deleted when its connection closes', T, async () => {
    const conn = await clients.connect();
    const ch = await clients.channel(conn);
    const q = uniqueName('q-excl-close');
    await ch.assertQueue(q, { exclusive: true });
    ch.sendToQueue(q, Buffer.from('lost'));
    await ch.checkQueue(q);
    await conn.close();
    await waitFor(async () => !(await queueExists(q)), 5000, 'exclusive queue deleted');
  });

  test('an exclusive queue survives the closing of the channel that declared it', T, async () => {
    const conn = await clients.connect();
    const ch = await clients.channel(conn);
    const q = uniqueName('q-excl-ch');
    await ch.assertQueue(q, { exclusive: true });
    await ch.close();
    const ch2 = await clients.channel(conn);
    assert.equal((await ch2.checkQueue(q)).queue, q);
  });
});

describe('auto-delete queues', () => {
  test('an auto-delete queue that never had a consumer is kept', T, async () => {
    const ch = await clients.channel();
    const q = uniqueName('q-ad-unused');
    await ch.assertQueue(q, { autoDelete: true });
    assert.equal(await queueExists(q), true);
    await ch.deleteQueue(q);
  });

  test('an auto-delete queue is deleted when its last consumer cancels', T, async () => {
    const ch = await clients.channel();
    const q = uniqueName('q-ad');
    await ch.assertQueue(q, { autoDelete: true });
    const c1 = await ch.consume(q, () => {});
    const c2 = await ch.consume(q, () => {});
    await ch.cancel(c1.consumerTag);
    assert.equal((await ch.checkQueue(q)).consumerCount, 1);
    await ch.cancel(c2.consumerTag);
    await waitFor(async () => !(await queueExists(q)), 5000, 'auto-delete queue deleted');
  });

  test('an auto-delete queue is deleted when the channel of its last consumer closes', T, async () => {
    const setup = await clients.channel();
    const q = uniqueName('q-ad-ch');
    await setup.assertQueue(q, { autoDelete: true });
    const ch = await clients.channel();
    await ch.consume(q, () => {});
    await ch.close();
    await waitFor(async () => !(await queueExists(q)), 5000, 'auto-delete queue deleted');
  });

  test('basic.get does not count as a consumer for auto-delete', T, async () => {
    const ch = await clients.confirmChannel();
    const q = uniqueName('q-ad-get');
    await ch.assertQueue(q, { autoDelete: true });
    ch.sendToQueue(q, Buffer.from('x'));
    await ch.waitForConfirms();
    await getOne(ch, q, { noAck: true });
    assert.equal(await queueExists(q), true);
    await ch.deleteQueue(q);
  });
});

describe('queue.purge and queue.delete', () => {
  test('purge returns the number of ready messages removed', T, async () => {
    const ch = await clients.confirmChannel();
    const q = uniqueName('q-purge');
    await ch.assertQueue(q, { exclusive: true });
    for (let i = 0; i < 7; i++) ch.sendToQueue(q, Buffer.from(String(i)));
    await ch.waitForConfirms();
    const unacked = await getOne(ch, q);
    assert.deepEqual(await ch.purgeQueue(q), { messageCount: 6 });
    assert.deepEqual(await ch.purgeQueue(q), { messageCount: 0 });
    // the unacked message survives a purge and comes back when rejected
    ch.reject(unacked, true);
    const again = await getOne(ch, q);
    assert.equal(text(again), '0');
    assert.equal(again.fields.redelivered, true);
  });

  test('purging a missing queue: 404', T, async () => {
    const ch = await clients.channel();
    const close = await rejection(ch.purgeQueue('warren-no-such-queue'));
    assert.equal(close.code, 404);
    assert.equal(close.classId, 50);
    assert.equal(close.methodId, 30);
    assert.equal(close.text, "NOT_FOUND - no queue 'warren-no-such-queue' in vhost '/'");
  });

  test('delete returns the number of ready messages and removes the queue', T, async () => {
    const ch = await clients.confirmChannel();
    const q = uniqueName('q-del');
    await ch.assertQueue(q, { exclusive: true });
    for (let i = 0; i < 3; i++) ch.sendToQueue(q, Buffer.from(String(i)));
    await ch.waitForConfirms();
    assert.deepEqual(await ch.deleteQueue(q), { messageCount: 3 });
    assert.equal(await queueExists(q), false);
  });

  test('deleting a missing queue succeeds with message count 0', T, async () => {
    const ch = await clients.channel();
    assert.deepEqual(await ch.deleteQueue('warren-no-such-queue'), { messageCount: 0 });
  });

  test('if-empty refuses a queue with messages: 406 not empty', T, async () => {
    const ch = await clients.confirmChannel();
    const q = uniqueName('q-ifempty');
    await ch.assertQueue(q, { exclusive: true });
    ch.sendToQueue(q, Buffer.from('x'));
    await ch.waitForConfirms();
    const close = await rejection(ch.deleteQueue(q, { ifEmpty: true }));
    assert.equal(close.code, 406);
    assert.equal(close.classId, 50);
    assert.equal(close.methodId, 40);
    assert.equal(close.text, `PRECONDITION_FAILED - queue '${q}' in vhost '/' not empty`);
  });

  test('if-unused refuses a queue with consumers: 406 in use', T, async () => {
    const conn = await clients.connect();
    const owner = await clients.channel(conn);
    const q = uniqueName('q-ifunused');
    await owner.assertQueue(q, { exclusive: true });
    await owner.consume(q, () => {});
    const ch = await clients.channel(conn);
    const close = await rejection(ch.deleteQueue(q, { ifUnused: true }));
    assert.equal(close.code, 406);
    assert.equal(close.classId, 50);
    assert.equal(close.methodId, 40);
    assert.equal(close.text, `PRECONDITION_FAILED - queue '${q}' in vhost '/' in use`);
  });

  test('if-unused and if-empty together: not empty is reported first', T, async () => {
    const conn = await clients.connect();
    const owner = await clients.confirmChannel(conn);
    const q = uniqueName('q-both');
    await owner.assertQueue(q, { exclusive: true });
    await owner.prefetch(1);
    owner.sendToQueue(q, Buffer.from('1'));
    owner.sendToQueue(q, Buffer.from('2'));
    await owner.waitForConfirms();
    const consumer = await startConsumer(owner, q);
    await consumer.next(1);
    const ch = await clients.channel(conn);
    const close = await rejection(ch.deleteQueue(q, { ifUnused: true, ifEmpty: true }));
    assert.equal(close.code, 406);
    assert.equal(close.text, `PRECONDITION_FAILED - queue '${q}' in vhost '/' not empty`);
  });

  test('if-unused and if-empty delete an idle empty queue', T, async () => {
    const ch = await clients.channel();
    const q = uniqueName('q-idle');
    await ch.assertQueue(q, { exclusive: true });
    assert.deepEqual(await ch.deleteQueue(q, { ifUnused: true, ifEmpty: true }), { messageCount: 0 });
  });
});

describe('x-max-priority', () => {
  test('higher priorities first, FIFO within a priority, above-max treated as max', T, async () => {
    const ch = await clients.confirmChannel();
    const q = uniqueName('q-prio');
    await ch.assertQueue(q, { exclusive: true, arguments: { 'x-max-priority': 5 } });
    const priorities: (number | undefined)[] = [0, 5, 1, 9, undefined, 3, 5, 1, 0, 200];
    priorities.forEach((p, i) => ch.sendToQueue(q, Buffer.from(String(i)), p === undefined ? {} : { priority: p }));
    await ch.waitForConfirms();
    const got: string[] = [];
    const props: unknown[] = [];
    const counts: number[] = [];
    for (let i = 0; i < priorities.length; i++) {
      const m = await getOne(ch, q, { noAck: true });
      got.push(text(m));
      props.push(m.properties.priority);
      counts.push(m.fields.messageCount);
    }
    // 5, 9 and 200 all count as 5 (the maximum) and keep their publish order
    assert.deepEqual(got, ['1', '3', '6', '9', '5', '2', '7', '0', '4', '8']);
    // the priority property itself is delivered unchanged
    assert.deepEqual(props, [5, 9, 5, 200, 3, 1, 1, 0, undefined, 0]);
    assert.deepEqual(counts, [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
  });

  test('consumers receive higher priorities first', T, async () => {
    const ch = await clients.confirmChannel();
    const q = uniqueName('q-prio-consume');
    await ch.assertQueue(q, { exclusive: true, arguments: { 'x-max-priority': 10 } });
    for (const p of [1, 10, 5, 10, 1]) ch.sendToQueue(q, Buffer.from(`p${p}`), { priority: p });
    await ch.waitForConfirms();
    const consumer = await startConsumer(ch, q, { noAck: true });
    const msgs = await consumer.next(5);
    assert.deepEqual(msgs.map(text), ['p10', 'p10', 'p5', 'p1', 'p1']);
  });

  test('a requeued message goes back to the front of its priority', T, async () => {
    const ch = await clients.confirmChannel();
    const q = uniqueName('q-prio-requeue');
    await ch.assertQueue(q, { exclusive: true, arguments: { 'x-max-priority': 5 } });
    ch.sendToQueue(q, Buffer.from('low'), { priority: 1 });
    ch.sendToQueue(q, Buffer.from('high'), { priority: 5 });
    await ch.waitForConfirms();
    const first = await getOne(ch, q);
    assert.equal(text(first), 'high');
    ch.sendToQueue(q, Buffer.from('high2'), { priority: 5 });
    await ch.waitForConfirms();
    ch.nack(first, false, true);
    assert.deepEqual(await drain(ch, q, 3), ['high', 'high2', 'low']);
  });

  test('without x-max-priority (or with 0) the priority property is ignored', T, async () => {
    for (const args of [{}, { 'x-max-priority': 0 }]) {
      const ch = await clients.confirmChannel();
      const q = uniqueName('q-noprio');
      await ch.assertQueue(q, { exclusive: true, arguments: args });
      for (const p of [0, 5, 1]) ch.sendToQueue(q, Buffer.from(String(p)), { priority: p });
      await ch.waitForConfirms();
      assert.deepEqual(await drain(ch, q, 3), ['0', '5', '1']);
    }
  });

  test('x-max-priority accepts 0..255 in any integer type', T, async () => {
    const ch = await clients.channel();
    for (const v of [0, 1, 10, 255, { '!': 'long', value: 5 }, { '!': 'uint8', value: 5 }, { '!': 'int', value: 7 }]) {
      await ch.assertQueue(uniqueName('q-prio-ok'), { exclusive: true, arguments: { 'x-max-priority': v } });
    }
  });

  for (const [value, detail] of [
    [256, '{max_value_exceeded,256}'],
    [300, '{max_value_exceeded,300}'],
    [-1, '{value_negative,-1}'],
    ['5', '"expected integer, got longstr"'],
    [1.5, '"expected integer, got double"'],
  ] as const) {
    test(`x-max-priority ${JSON.stringify(value)}: 406 invalid arg`, T, async () => {
      const ch = await clients.channel();
      const q = uniqueName('q-prio-bad');
      const close = await rejection(ch.assertQueue(q, { exclusive: true, arguments: { 'x-max-priority': value } }));
      assert.equal(close.code, 406);
      assert.equal(close.classId, 50);
      assert.equal(close.methodId, 10);
      assert.equal(close.text, `PRECONDITION_FAILED - invalid arg 'x-max-priority' for queue '${q}' in vhost '/': ${detail}`);
    });
  }
});

describe('other queue argument validation', () => {
  for (const [arg, value, detail] of [
    ['x-message-ttl', -1, '{value_negative,-1}'],
    ['x-message-ttl', 'soon', '"expected integer, got longstr"'],
    ['x-expires', 0, '{value_zero,0}'],
    ['x-max-length', -1, '{value_negative,-1}'],
    ['x-queue-type', 'bogus', `"unsupported queue type 'bogus'"`],
    ['x-overflow', 'bogus', 'invalid_overflow'],
  ] as const) {
    test(`${arg} ${JSON.stringify(value)}: 406 invalid arg`, T, async () => {
      const ch = await clients.channel();
      const q = uniqueName('q-arg-bad');
      const close = await rejection(ch.assertQueue(q, { exclusive: true, arguments: { [arg]: value } }));
      assert.equal(close.code, 406);
      assert.equal(close.text, `PRECONDITION_FAILED - invalid arg '${arg}' for queue '${q}' in vhost '/': ${detail}`);
    });
  }

  test('x-queue-type classic is accepted', T, async () => {
    const ch = await clients.channel();
    await ch.assertQueue(uniqueName('q-classic'), { exclusive: true, arguments: { 'x-queue-type': 'classic' } });
  });
});
