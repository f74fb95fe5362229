/**
 * Publisher confirms (amqplib ConfirmChannel) and transactions (@cloudamqp/amqp-client,
 * since amqplib has no tx API).
 */
import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { AMQPMessage } from '@cloudamqp/amqp-client';
import { startTestBroker, uniqueName } from '../support/broker.js';
import type { TestBroker } from '../support/broker.js';
import { Clients, getAll } from '../support/amqp.js';
import { AmqpClients, clientRejection } from '../support/amqp-client.js';
import { Collector, SETTLE_MS, delay, waitFor } from '../support/wait.js';

let broker: TestBroker;
let clients: Clients;
let acClients: AmqpClients;

before(async () => {
  broker = await startTestBroker();
  clients = new Clients(broker);
  acClients = new AmqpClients(broker);
});
afterEach(async () => {
  await clients.closeAll();
  await acClients.closeAll();
});
after(() => broker?.close());

const T = { timeout: 15_000 };

interface Confirm {
  readonly kind: 'ack' | 'nack';
  readonly deliveryTag: number;
  readonly multiple: boolean;
}

/** Expands (possibly multiple=true) confirms into the set of tags each one covers. */
function coveredTags(confirms: readonly Confirm[]): Map<number, 'ack' | 'nack'> {
  const covered = new Map<number, 'ack' | 'nack'>();
  let highest = 0;
  for (const c of confirms) {
    if (c.multiple) {
      for (let t = 1; t <= c.deliveryTag; t++) if (!covered.has(t)) covered.set(t, c.kind);
    } else {
      assert.equal(covered.has(c.deliveryTag), false, `tag ${c.deliveryTag} confirmed twice`);
      covered.set(c.deliveryTag, c.kind);
    }
    assert.ok(c.deliveryTag > highest || !c.multiple, 'multiple confirms only move forward');
    highest = Math.max(highest, c.deliveryTag);
  }
  return covered;
}

describe('publisher confirms', () => {
  test('every publish is confirmed; tags run 1..n; multiple acks cover earlier tags', T, async () => {
    const ch = await clients.confirmChannel();
    const confirms: Confirm[] = [];
    ch.on('ack', (f: { deliveryTag: number; multiple: boolean }) => confirms.push({ kind: 'ack', ...f }));
    ch.on('nack', (f: { deliveryTag: number; multiple: boolean }) => confirms.push({ kind: 'nack', ...f }));
    const q = (await ch.assertQueue('', { exclusive: true })).queue;
    const callbacks: unknown[] = [];
    const n = 300;
    for (let i = 0; i < n; i++) ch.sendToQueue(q, Buffer.from(String(i)), {}, (err: unknown) => callbacks.push(err));
    await ch.waitForConfirms();
    assert.equal(callbacks.length, n);
    assert.ok(callbacks.every((e) => e === null || e === undefined), 'all acked');
    const covered = coveredTags(confirms);
    assert.deepEqual([...covered.keys()].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i + 1));
    assert.ok([...covered.values()].every((k) => k === 'ack'));
    assert.equal((await ch.checkQueue(q)).messageCount, n);
  });

  test('unroutable messages are acked too; tags continue across exchanges and queues', T, async () => {
    const ch = await clients.confirmChannel();
    const confirms: Confirm[] = [];
    ch.on('ack', (f: { deliveryTag: number; multiple: boolean }) => confirms.push({ kind: 'ack', ...f }));
    ch.publish('amq.direct', uniqueName('unbound'), Buffer.from('a'));
    ch.publish('', uniqueName('no-queue'), Buffer.from('b'));
    ch.publish('amq.fanout', '', Buffer.from('c'));
    await ch.waitForConfirms();
    assert.deepEqual([...coveredTags(confirms).keys()].sort(), [1, 2, 3]);
  });

  test('each confirm channel numbers its own publishes from 1', T, async () => {
    const conn = await clients.connect();
    for (let i = 0; i < 2; i++) {
      const ch = await clients.confirmChannel(conn);
      const confirms: Confirm[] = [];
      ch.on('ack', (f: { deliveryTag: number; multiple: boolean }) => confirms.push({ kind: 'ack', ...f }));
      ch.publish('amq.fanout', '', Buffer.from('x'));
      await ch.waitForConfirms();
      assert.deepEqual(confirms, [{ kind: 'ack', deliveryTag: 1, multiple: false }]);
    }
  });

  test('a queue at x-max-length with x-overflow reject-publish nacks further publishes', T, async () => {
    const ch = await clients.confirmChannel();
    const q = (
      await ch.assertQueue('', { exclusive: true, arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' } })
    ).queue;
    const results = new Collector<string>();
    for (let i = 0; i < 3; i++) {
      ch.sendToQueue(q, Buffer.from(`m${i}`), {}, (err: unknown) => results.push(err === null || err === undefined ? 'ack' : 'nack'));
    }
    // (amqplib's waitForConfirms rejects at the first nack, so wait for every callback instead)
    assert.deepEqual(await results.waitForCount(3), ['ack', 'nack', 'nack']);
    assert.deepEqual(await getAll(ch, q), ['m0']);
  });

  test('persistent messages to a durable queue are confirmed', T, async () => {
    const ch = await clients.confirmChannel();
    const q = uniqueName('q-durable-confirm');
    await ch.assertQueue(q, { durable: true });
    for (let i = 0; i < 10; i++) ch.sendToQueue(q, Buffer.from(String(i)), { persistent: true });
    await ch.waitForConfirms();
    assert.deepEqual(await ch.deleteQueue(q), { messageCount: 10 });
  });

  test('@cloudamqp/amqp-client: basicPublish resolves with the delivery tag once confirmed', T, async () => {
    const conn = await acClients.connect();
    const ch = await conn.channel();
    await ch.confirmSelect();
    const q = await ch.queueDeclare('', { exclusive: true });
    const tags = await Promise.all([1, 2, 3].map((i) => ch.basicPublish('', q.name, `m${i}`)));
    assert.deepEqual(tags, [1, 2, 3]);
  });
});

describe('transactions', () => {
  async function txChannel(): Promise<{
    tx: Awaited<ReturnType<Awaited<ReturnType<AmqpClients['connect']>>['channel']>>;
    obs: Awaited<ReturnType<Awaited<ReturnType<AmqpClients['connect']>>['channel']>>;
    q: string;
  }> {
    const conn = await acClients.connect();
    const obs = await conn.channel();
    await obs.confirmSelect(); // its publishes resolve once enqueued
    const q = (await obs.queueDeclare('', { exclusive: true })).name;
    const tx = await conn.channel();
    await tx.txSelect();
    return { tx, obs, q };
  }

  test('published messages are enqueued only on commit', T, async () => {
    const { tx, obs, q } = await txChannel();
    await tx.basicPublish('', q, 'a');
    await tx.basicPublish('', q, 'b');
    await delay(SETTLE_MS);
    assert.equal((await obs.queueDeclare(q, { passive: true })).messageCount, 0);
    await tx.txCommit();
    await waitFor(async () => (await obs.queueDeclare(q, { passive: true })).messageCount === 2, 5000, 'committed messages');
    const first = await obs.basicGet(q);
    assert.equal(first?.bodyToString(), 'a');
  });

  test('rollback discards uncommitted publishes', T, async () => {
    const { tx, obs, q } = await txChannel();
    await tx.basicPublish('', q, 'kept');
    await tx.txCommit();
    await tx.basicPublish('', q, 'discarded');
    await tx.txRollback();
    await tx.txCommit();
    const got: string[] = [];
    for (;;) {
      const m = await obs.basicGet(q);
      if (m === null) break;
      got.push(m.bodyToString() ?? '');
    }
    assert.deepEqual(got, ['kept']);
  });

  test('acks inside a transaction take effect on commit', T, async () => {
    const { tx, obs, q } = await txChannel();
    await obs.basicPublish('', q, 'x');
    const m = await tx.basicGet(q, { noAck: false });
    assert.ok(m !== null);
    await m.ack();
    await tx.txCommit();
    await tx.basicRecover(true);
    assert.equal(await tx.basicGet(q, { noAck: false }), null, 'nothing left to redeliver');
  });

  test('a rolled-back ack leaves the message unacked; recover redelivers it', T, async () => {
    const { tx, obs, q } = await txChannel();
    await obs.basicPublish('', q, 'x');
    const m = await tx.basicGet(q, { noAck: false });
    assert.ok(m !== null);
    await m.ack();
    await tx.txRollback();
    assert.equal((await obs.queueDeclare(q, { passive: true })).messageCount, 0, 'still unacked, not requeued');
    await tx.basicRecover(true);
    const again = await tx.basicGet(q, { noAck: false });
    assert.equal(again?.bodyToString(), 'x');
    assert.equal(again?.redelivered, true);
  });

  test('a reject with requeue inside a transaction is applied on commit', T, async () => {
    const { tx, obs, q } = await txChannel();
    await obs.basicPublish('', q, 'x');
    const m = await tx.basicGet(q, { noAck: false });
    assert.ok(m !== null);
    await m.reject(true);
    await delay(SETTLE_MS);
    assert.equal((await obs.queueDeclare(q, { passive: true })).messageCount, 0);
    await tx.txCommit();
    await waitFor(async () => (await obs.queueDeclare(q, { passive: true })).messageCount === 1, 5000, 'requeued message');
    const again = await obs.basicGet(q);
    assert.equal(again?.redelivered, true);
  });

  test('a mandatory unroutable message is returned at commit, not before', T, async () => {
    const { tx } = await txChannel();
    const returned = new Collector<AMQPMessage>();
    tx.onReturn = returned.push;
    await tx.basicPublish('', uniqueName('nowhere'), 'ret', {}, true);
    await delay(SETTLE_MS);
    assert.equal(returned.length, 0);
    await tx.txCommit();
    const [m] = await returned.waitForCount(1);
    assert.equal(m?.replyCode, 312);
    assert.equal(m?.replyText, 'NO_ROUTE');
    assert.equal(m?.bodyToString(), 'ret');
  });

  test('publishing to a missing exchange in a transaction fails at once: 404', T, async () => {
    const { tx } = await txChannel();
    await tx.basicPublish('warren-no-such-exchange', 'k', 'x');
    const close = await clientRejection(tx.txCommit());
    assert.deepEqual(close, {
      scope: 'channel',
      code: 404,
      text: "NOT_FOUND - no exchange 'warren-no-such-exchange' in vhost '/'",
    });
  });

  test('commit and rollback with nothing pending are fine, repeatedly', T, async () => {
    const { tx } = await txChannel();
    await tx.txCommit();
    await tx.txRollback();
    await tx.txCommit();
    await tx.txSelect(); // selecting again is allowed
  });
});
