/**
 * The definitions log is compacted while the broker runs (after enough declares and deletes), so
 * churn does not grow it without bound; the compacted log recovers the same state.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { withBroker, withDataDir } from './helpers.js';

test('compacting the definitions log while running shrinks it and keeps every definition', { timeout: 60_000 }, async () => {
  await withDataDir(async (dir) => {
    const log = join(dir, 'definitions.log');
    await withBroker(dir, async (b) => {
      const ch = await (await b.connect()).createChannel();
      await ch.assertExchange('kept-x', 'topic', { durable: true });
      await ch.assertQueue('kept-q', { durable: true, arguments: { 'x-max-length': 5 } });
      await ch.bindQueue('kept-q', 'kept-x', 'a.#');
      for (let i = 0; i < 200; i++) {
        await ch.assertQueue(`churn-${i}`, { durable: true });
        await ch.deleteQueue(`churn-${i}`);
      }
      // Records waiting to be written when the snapshot replaces the log are covered by it.
      await ch.assertQueue('just-before', { durable: true });
      const grown = statSync(log).size;
      b.broker.compactDefinitions();
      const compacted = statSync(log).size;
      assert.ok(compacted < grown / 10, `compacted ${compacted} bytes, from ${grown}`);
      await ch.assertQueue('after-compaction', { durable: true });
    });
    await withBroker(dir, async (b) => {
      const ch = await (await b.connect()).createChannel();
      for (const q of ['kept-q', 'just-before', 'after-compaction']) await ch.checkQueue(q);
      await ch.checkExchange('kept-x');
      ch.publish('kept-x', 'a.b', Buffer.from('routed'));
      const got = await ch.get('kept-q', { noAck: true });
      assert.ok(got !== false && got.content.toString() === 'routed', 'the binding survived the compaction');
      const names = [...b.broker.vhosts.get('/')!.queues.keys()].filter((n) => n.startsWith('churn-'));
      assert.deepEqual(names, []);
    });
  });
});
