/**
 * The disk alarm (RabbitMQ's disk_free_limit): with free space on the data dir's file system
 * below the limit, publishing connections get connection.blocked and are no longer read,
 * consumers keep consuming; once free space is above the limit again they are unblocked.
 * Mirrors test/interop/alarms.test.ts (the memory alarm).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConsumeMessage } from 'amqplib';
import { bodyOf, logged, numberOf, publishConfirmed, range, withBroker, withDataDir } from './helpers.js';
import { delay, once, SETTLE_MS, waitFor, withTimeout } from '../support/wait.js';

const TIMEOUT = { timeout: 60_000 };

test('below the free-disk limit publishers are blocked, consumers keep consuming; above it they are unblocked', TIMEOUT, async () => {
  await withDataDir(async (dir) => {
    await withBroker(dir, async (b) => {
      const publisher = await b.connect();
      const consumer = await b.connect();
      const pch = await publisher.createChannel();
      const cch = await consumer.createChannel();
      const q = 'disk-alarm';
      await cch.assertQueue(q, { durable: true });
      // Messages queued before the alarm.
      const setup = await (await b.connect()).createConfirmChannel();
      await publishConfirmed(setup, q, range(20).map((i) => bodyOf(i, 100)));

      b.broker.setDiskFreeLimit(Number.MAX_SAFE_INTEGER);
      await waitFor(() => b.broker.alarms.has('disk'), 5000, 'the disk alarm');
      assert.equal(logged(b.logs, 'disk alarm set').length, 1);

      // The publish that runs into the alarm blocks its connection (and is still routed).
      const blocked = once(publisher, 'blocked');
      pch.sendToQueue(q, bodyOf(100, 100), { persistent: true });
      const [reason] = await blocked;
      assert.equal(typeof reason, 'string');
      assert.match(reason as string, /disk/);

      // A consumer connection still receives the queued messages and can ack them.
      const received: number[] = [];
      await cch.consume(q, (m: ConsumeMessage | null) => {
        if (m === null) return;
        received.push(numberOf(m.content));
        cch.ack(m);
      });
      await waitFor(() => received.length === 21, 5000, `the queued messages (have ${received.length})`);
      assert.deepEqual(received, [...range(20), 100]);

      // Later publishes are held while the alarm lasts.
      for (const i of range(5, 101)) pch.sendToQueue(q, bodyOf(i, 100), { persistent: true });
      await delay(SETTLE_MS);
      // Checked across a tick of the broker's 500 ms disk check too: the alarm is still on.
      await delay(600);
      assert.deepEqual(received, [...range(20), 100], 'nothing published while blocked arrives');
      assert.ok(b.broker.alarms.has('disk'));

      const unblocked = once(publisher, 'unblocked', 5000);
      b.broker.setDiskFreeLimit(1);
      await unblocked;
      await waitFor(() => !b.broker.alarms.has('disk'), 5000, 'the disk alarm cleared');
      assert.equal(logged(b.logs, 'disk alarm cleared').length, 1);
      await waitFor(() => received.length === 26, 5000, `the held publishes (have ${received.length})`);
      assert.deepEqual(received, [...range(20), 100, ...range(5, 101)]);

      // Unblocked for good: a new publish goes straight through.
      pch.sendToQueue(q, bodyOf(200, 100), { persistent: true });
      await waitFor(() => received.length === 27, 5000, 'a publish after the alarm');
    });
  });
});

test('a broker started with a free-disk limit above the free space blocks publishers from the start', TIMEOUT, async () => {
  await withDataDir(async (dir) => {
    await withBroker(dir, async (b) => {
      await waitFor(() => b.broker.alarms.has('disk'), 5000, 'the disk alarm at startup');
      const publisher = await b.connect();
      const pch = await publisher.createChannel();
      // Declaring is not publishing: it works under the alarm.
      await withTimeout(pch.assertQueue('q', { durable: true }), 5000, 'assertQueue');
      const blocked = once(publisher, 'blocked');
      pch.sendToQueue('q', bodyOf(1, 10), { persistent: true });
      const [reason] = await blocked;
      assert.match(String(reason), /disk/);
      pch.sendToQueue('q', bodyOf(2, 10), { persistent: true });

      const reader = await (await b.connect()).createChannel();
      await waitFor(async () => (await reader.checkQueue('q')).messageCount === 1, 5000, 'the first publish');
      await delay(SETTLE_MS);
      assert.equal((await reader.checkQueue('q')).messageCount, 1, 'the second publish is held');

      const unblocked = once(publisher, 'unblocked', 5000);
      b.broker.setDiskFreeLimit(1);
      await unblocked;
      await waitFor(async () => (await reader.checkQueue('q')).messageCount === 2, 5000, 'the held publish');
    }, { diskFreeLimit: Number.MAX_SAFE_INTEGER });
  });
});

test('with the memory alarm also on, clearing the disk alarm alone does not unblock publishers', TIMEOUT, async () => {
  await withDataDir(async (dir) => {
    await withBroker(dir, async (b) => {
      const publisher = await b.connect();
      const pch = await publisher.createChannel();
      await pch.assertQueue('both', { durable: true });
      b.broker.setDiskFreeLimit(Number.MAX_SAFE_INTEGER);
      b.broker.setMemoryHighWatermark(0.000001);
      await waitFor(() => b.broker.alarms.has('disk') && b.broker.alarms.has('memory'), 5000, 'both alarms');
      const blocked = once(publisher, 'blocked');
      pch.sendToQueue('both', bodyOf(1, 10), { persistent: true });
      const [reason] = await blocked;
      assert.match(String(reason), /disk/);
      assert.match(String(reason), /memory/);
      pch.sendToQueue('both', bodyOf(2, 10), { persistent: true });

      let unblocked = false;
      publisher.on('unblocked', () => (unblocked = true));
      b.broker.setDiskFreeLimit(1);
      await waitFor(() => !b.broker.alarms.has('disk'), 5000, 'the disk alarm cleared');
      await delay(SETTLE_MS);
      assert.equal(unblocked, false, 'still blocked by the memory alarm');
      const reader = await (await b.connect()).createChannel();
      assert.equal((await reader.checkQueue('both')).messageCount, 1);

      b.broker.setMemoryHighWatermark(0.99);
      await waitFor(() => unblocked, 5000, 'unblocked once both alarms are clear');
      await waitFor(async () => (await reader.checkQueue('both')).messageCount === 2, 5000, 'the held publish');
    });
  });
});
