/**
 * Transient messages in a long queue are paged out of memory too: past the resident limit their
 * bodies go to a store file marked transient, are read back in order when delivered, are never
 * recovered after a restart, and leave no files behind once consumed or when the queue goes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RESIDENT_BYTES } from '../../src/queue/queue.js';
import { bodyOf, drainNumbers, withBroker, withDataDir } from './helpers.js';
import { waitFor } from '../support/wait.js';

/** Bodies of 4 KiB: enough of them to pass the resident byte limit by 1,500 messages. */
const SIZE = 4096;
const COUNT = Math.ceil(RESIDENT_BYTES / SIZE) + 1500;

function queueDirs(dataDir: string): string[] {
  return readdirSync(join(dataDir, 'queues'));
}

function filesIn(dataDir: string, dir: string): string[] {
  const path = join(dataDir, 'queues', dir);
  return existsSync(path) ? readdirSync(path) : [];
}

test('a long transient queue pages bodies out, delivers them in order, and leaves no files', { timeout: 60_000 }, async () => {
  await withDataDir(async (dataDir) => {
    await withBroker(dataDir, async (b) => {
      const conn = await b.connect();
      const ch = await conn.createConfirmChannel();
      await ch.assertQueue('long-transient', { durable: false });
      for (let i = 0; i < COUNT; i++) ch.sendToQueue('long-transient', bodyOf(i, SIZE), { persistent: false });
      await ch.waitForConfirms();
      const paging = queueDirs(dataDir).filter((d) => d.startsWith('paging-'));
      assert.equal(paging.length, 1, 'one paging directory for the queue');
      assert.ok(filesIn(dataDir, paging[0]!).some((f) => f.endsWith('.seg')), 'paged-out bodies are in a segment file');
      assert.deepEqual(await drainNumbers(conn, 'long-transient'), Array.from({ length: COUNT }, (_, i) => i));
      await waitFor(() => filesIn(dataDir, paging[0]!).length === 0, 5000, 'the paging segments deleted after draining');
      await ch.deleteQueue('long-transient');
      await waitFor(() => !existsSync(join(dataDir, 'queues', paging[0]!)), 5000, 'the paging directory removed with its queue');
    });
  });
});

test('transient messages paged out of a durable queue are not recovered; persistent ones are', { timeout: 60_000 }, async () => {
  await withDataDir(async (dataDir) => {
    await withBroker(dataDir, async (b) => {
      const ch = await (await b.connect()).createConfirmChannel();
      await ch.assertQueue('mixed-long', { durable: true });
      for (let i = 0; i < COUNT; i++) ch.sendToQueue('mixed-long', bodyOf(i, SIZE), { persistent: i % 2 === 0 });
      await ch.waitForConfirms();
      assert.equal((await ch.checkQueue('mixed-long')).messageCount, COUNT);
    });
    await withBroker(dataDir, async (b) => {
      const conn = await b.connect();
      const expected = Array.from({ length: COUNT }, (_, i) => i).filter((i) => i % 2 === 0);
      assert.deepEqual(await drainNumbers(conn, 'mixed-long'), expected);
    });
  });
});
