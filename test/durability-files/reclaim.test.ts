/**
 * Disk space comes back: segments whose messages are all gone (acked, purged, expired, dropped)
 * are deleted with their ack files, a deleted queue's directory goes, and nothing deleted comes
 * back after a restart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Channel, ConsumeMessage } from 'amqplib';
import {
  allFiles,
  bodyOf,
  diskUsage,
  drainNumbers,
  filesWithExt,
  logged,
  numberOf,
  publishConfirmed,
  queueDir,
  queueIds,
  range,
  withBroker,
  withDataDir,
} from './helpers.js';
import { serverClose } from '../support/amqp.js';
import { withTimeout, waitFor } from '../support/wait.js';

const TIMEOUT = { timeout: 120_000 };

/** No segment or ack file left in the queue's directory (deletes run in the background). */
async function waitNoSegments(qdir: string, label: string): Promise<void> {
  await waitFor(
    () => filesWithExt(qdir, 'seg').length === 0 && filesWithExt(qdir, 'ack').length === 0,
    10_000,
    `${label}: no .seg/.ack files in ${qdir} (have ${readdirSafe(qdir).join(', ')})`,
    20,
  );
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return ['<gone>'];
  }
}

/** Consumes `n` messages with manual acks (one ack per message) and returns their numbers in order. */
async function consumeAndAck(ch: Channel, queue: string, n: number): Promise<number[]> {
  const got: number[] = [];
  await ch.prefetch(200);
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const { consumerTag } = await ch.consume(queue, (m: ConsumeMessage | null) => {
    if (m === null) return;
    got.push(numberOf(m.content));
    ch.ack(m);
    if (got.length === n) done();
  });
  await withTimeout(finished, 60_000, `${n} deliveries from ${queue} (got ${got.length})`);
  await ch.cancel(consumerTag);
  return got;
}

test('consuming and acking every message deletes every segment and ack file; disk usage returns to its baseline', TIMEOUT, async () => {
  await withDataDir(async (dir) => {
    const q = 'reclaim-all';
    // Enough messages for several 64 KiB segments.
    const n = 3000;
    await withBroker(dir, async (b) => {
      const conn = await b.connect();
      const ch = await conn.createConfirmChannel();
      await ch.assertQueue(q, { durable: true });
      const baselineFiles = allFiles(dir);
      const baseline = diskUsage(dir);
      const qdir = queueDir(dir, q);
      assert.deepEqual(readdirSync(qdir), [], 'a new queue has an empty directory');

      await publishConfirmed(ch, q, range(n).map((i) => bodyOf(i, 100)));
      const segs = filesWithExt(qdir, 'seg');
      assert.ok(segs.length >= 5, `several segments: ${segs.join(', ')}`);
      assert.ok(diskUsage(dir) > baseline + n * 100);

      const got = await consumeAndAck(await conn.createChannel(), q, n);
      assert.deepEqual(got, range(n));
      await waitNoSegments(qdir, 'after acking everything');
      await waitFor(() => diskUsage(dir) === baseline, 10_000, `disk usage back to ${baseline} (is ${diskUsage(dir)})`, 20);
      assert.deepEqual(allFiles(dir), baselineFiles);
      assert.deepEqual(readdirSync(qdir), [], "a drained queue's directory is empty");
    });
    await withBroker(dir, async (b) => {
      const ch = await (await b.connect()).createChannel();
      const ok = await withTimeout(ch.checkQueue(q), 5000, 'checkQueue');
      assert.equal(ok.messageCount, 0, 'acked messages do not come back');
    });
  });
});

test('acks in the ack files survive a restart: acking every other message keeps the segments, the rest come back in order', TIMEOUT, async () => {
  await withDataDir(async (dir) => {
    const q = 'half-acked';
    const n = 400;
    let segCount = 0;
    await withBroker(dir, async (b) => {
      const conn = await b.connect();
      const ch = await conn.createConfirmChannel();
      await ch.assertQueue(q, { durable: true });
      await publishConfirmed(ch, q, range(n).map((i) => bodyOf(i)));
      segCount = filesWithExt(queueDir(dir, q), 'seg').length;
      assert.ok(segCount >= 3);
      const cch = await conn.createChannel();
      await cch.prefetch(0);
      const messages: ConsumeMessage[] = [];
      await cch.consume(q, (m) => {
        if (m !== null) messages.push(m);
      });
      await waitFor(() => messages.length === n, 30_000, `${n} deliveries`);
      for (const m of messages) if (numberOf(m.content) % 2 === 0) cch.ack(m);
      // amqplib writes each channel's frames through its own buffer, so a connection.close can
      // overtake acks still queued there: a round trip on the channel makes sure they arrived.
      await withTimeout(cch.checkQueue(q), 5000, 'checkQueue after the acks');
      // The other half is requeued when the connection closes.
    });
    const qdir = queueDir(dir, q);
    assert.equal(filesWithExt(qdir, 'seg').length, segCount, 'every segment still has live messages');
    assert.equal(filesWithExt(qdir, 'ack').length, segCount, 'every segment has an ack file');
    await withBroker(dir, async (b) => {
      const ch = await (await b.connect()).createChannel();
      const odd = range(n).filter((i) => i % 2 === 1);
      const seen: number[] = [];
      for (;;) {
        const m = await withTimeout(ch.get(q, { noAck: true }), 5000, 'get');
        if (m === false) break;
        assert.equal(m.fields.redelivered, true, `message ${numberOf(m.content)} was delivered before the shutdown`);
        seen.push(numberOf(m.content));
      }
      assert.deepEqual(seen, odd);
      await waitNoSegments(qdir, 'after draining the rest');
    });
  });
});

test('purge deletes the segment files; a segment holding an unacked message stays until it is acked', TIMEOUT, async () => {
  await withDataDir(async (dir) => {
    const q = 'purged';
    const n = 400;
    await withBroker(dir, async (b) => {
      const conn = await b.connect();
      const ch = await conn.createConfirmChannel();
      await ch.assertQueue(q, { durable: true });
      await publishConfirmed(ch, q, range(n).map((i) => bodyOf(i)));
      const qdir = queueDir(dir, q);
      assert.ok(filesWithExt(qdir, 'seg').length >= 3);

      const held = await withTimeout(ch.get(q), 5000, 'get');
      assert.ok(held !== false);
      const { messageCount } = await withTimeout(ch.purgeQueue(q), 5000, 'purge');
      assert.equal(messageCount, n - 1);
      await waitFor(() => filesWithExt(qdir, 'seg').length === 1, 10_000, `one segment left in ${qdir}: ${readdirSafe(qdir).join(', ')}`, 20);
      ch.ack(held);
      await waitNoSegments(qdir, 'after acking the held message');

      // A second purge of a refilled queue, with nothing held.
      await publishConfirmed(ch, q, range(n).map((i) => bodyOf(i)));
      assert.ok(filesWithExt(qdir, 'seg').length >= 3);
      await withTimeout(ch.purgeQueue(q), 5000, 'purge');
      await waitNoSegments(qdir, 'after the second purge');
    });
    await withBroker(dir, async (b) => {
      const ch = await (await b.connect()).createChannel();
      assert.equal((await withTimeout(ch.checkQueue(q), 5000, 'checkQueue')).messageCount, 0, 'purged messages do not come back');
    });
  });
});

test('queue.delete removes the queue directory; after a restart the deleted queue does not come back', TIMEOUT, async () => {
  await withDataDir(async (dir) => {
    const gone = 'deleted-queue';
    const kept = 'kept-queue';
    const recreated = 'recreated-queue';
    let keptId = '';
    let recreatedId = '';
    await withBroker(dir, async (b) => {
      const conn = await b.connect();
      const ch = await conn.createConfirmChannel();
      for (const q of [gone, kept, recreated]) {
        await ch.assertQueue(q, { durable: true });
        await publishConfirmed(ch, q, range(200).map((i) => bodyOf(i)));
      }
      const goneDir = queueDir(dir, gone);
      const recreatedOld = queueDir(dir, recreated);
      assert.ok(filesWithExt(goneDir, 'seg').length >= 2);
      const { messageCount } = await withTimeout(ch.deleteQueue(gone), 5000, 'delete');
      assert.equal(messageCount, 200);
      await waitFor(() => !existsSync(goneDir), 10_000, `${goneDir} removed`, 20);

      // Deleted and declared again under the same name: a new, empty queue with a new directory.
      await withTimeout(ch.deleteQueue(recreated), 5000, 'delete');
      await ch.assertQueue(recreated, { durable: true });
      await waitFor(() => !existsSync(recreatedOld), 10_000, `${recreatedOld} removed`, 20);
      await publishConfirmed(ch, recreated, [bodyOf(1000)]);
      keptId = queueIds(dir).get(kept)!;
      recreatedId = queueIds(dir).get(recreated)!;
      assert.deepEqual(readdirSync(join(dir, 'queues')).sort(), [keptId, recreatedId].sort());
    });
    await withBroker(dir, async (b) => {
      const conn = await b.connect();
      const ch = await conn.createChannel();
      ch.on('error', () => {});
      const err = await ch.checkQueue(gone).then(
        () => assert.fail('the deleted queue came back'),
        (e: unknown) => serverClose(e),
      );
      assert.equal(err.code, 404);
      assert.deepEqual(readdirSync(join(dir, 'queues')).sort(), [keptId, recreatedId].sort());
      assert.deepEqual(await drainNumbers(conn, kept), range(200));
      assert.deepEqual(await drainNumbers(conn, recreated), [1000], 'only the new incarnation\'s message');
    });
  });
});

test('a deleted queue whose directory survived (a crash before the delete finished) is removed at startup', TIMEOUT, async () => {
  await withDataDir(async (dir) => {
    const q = 'crash-during-delete';
    let stale = '';
    await withBroker(dir, async (b) => {
      const ch = await (await b.connect()).createConfirmChannel();
      await ch.assertQueue(q, { durable: true });
      await publishConfirmed(ch, q, range(100).map((i) => bodyOf(i)));
      const qdir = queueDir(dir, q);
      stale = join(dir, 'stale-copy');
      cpSync(qdir, stale, { recursive: true });
      await withTimeout(ch.deleteQueue(q), 5000, 'delete');
      await waitFor(() => !existsSync(qdir), 10_000, `${qdir} removed`, 20);
      // Put the files back, as if the broker had died before removing them.
      cpSync(stale, qdir, { recursive: true });
      stale = qdir;
    });
    await withBroker(dir, async (b) => {
      assert.equal(existsSync(stale), false, 'the stale directory is removed at startup');
      assert.equal(logged(b.logs, 'removing the files of a deleted queue').length, 1);
      const ch = await (await b.connect()).createChannel();
      ch.on('error', () => {});
      const code = await ch.checkQueue(q).then(
        () => 0,
        (e: unknown) => serverClose(e).code,
      );
      assert.equal(code, 404);
    });
  });
});

test('messages dropped by x-max-length or expired by TTL give their segments back', TIMEOUT, async () => {
  await withDataDir(async (dir) => {
    await withBroker(dir, async (b) => {
      const ch = await (await b.connect()).createConfirmChannel();
      await ch.assertQueue('max-len', { durable: true, arguments: { 'x-max-length': 5 } });
      await ch.assertQueue('ttl', { durable: true, arguments: { 'x-message-ttl': 50 } });
      await publishConfirmed(ch, 'max-len', range(400).map((i) => bodyOf(i)));
      await publishConfirmed(ch, 'ttl', range(400).map((i) => bodyOf(i)));
      const maxLenDir = queueDir(dir, 'max-len');
      // The last 5 messages fit in at most two segments; every earlier segment is deleted.
      await waitFor(() => filesWithExt(maxLenDir, 'seg').length <= 2, 10_000, `old segments of ${maxLenDir} deleted: ${readdirSafe(maxLenDir).join(', ')}`, 20);
      await waitNoSegments(queueDir(dir, 'ttl'), 'after every message expired');
      assert.deepEqual(await drainNumbers(await b.connect(), 'max-len'), range(5, 395));
      await waitNoSegments(maxLenDir, 'after draining max-len');
    });
  });
});

test('transient messages in a durable queue never touch the disk', TIMEOUT, async () => {
  await withDataDir(async (dir) => {
    await withBroker(dir, async (b) => {
      const ch = await (await b.connect()).createConfirmChannel();
      await ch.assertQueue('transient-msgs', { durable: true });
      await publishConfirmed(ch, 'transient-msgs', range(300).map((i) => bodyOf(i)), { persistent: false });
      assert.deepEqual(readdirSync(queueDir(dir, 'transient-msgs')), []);
      // Nor do persistent messages in queues that are not saved (exclusive, or not durable).
      const before = readdirSync(join(dir, 'queues')).sort();
      const { queue: exclusive } = await ch.assertQueue('', { durable: true, exclusive: true });
      await ch.assertQueue('not-durable', { durable: false });
      await publishConfirmed(ch, exclusive, range(100).map((i) => bodyOf(i)));
      await publishConfirmed(ch, 'not-durable', range(100).map((i) => bodyOf(i)));
      assert.deepEqual(readdirSync(join(dir, 'queues')).sort(), before);
    });
  });
});

test('queues deleted by x-expires or auto-delete lose their files and do not come back', TIMEOUT, async () => {
  await withDataDir(async (dir) => {
    let expiringDir = '';
    let autoDir = '';
    await withBroker(dir, async (b) => {
      const conn = await b.connect();
      const ch = await conn.createConfirmChannel();
      await ch.assertQueue('expiring', { durable: true, arguments: { 'x-expires': 1500 } });
      await publishConfirmed(ch, 'expiring', range(100).map((i) => bodyOf(i)));
      await ch.assertQueue('auto', { durable: true, autoDelete: true });
      await publishConfirmed(ch, 'auto', range(100).map((i) => bodyOf(i)));
      expiringDir = queueDir(dir, 'expiring');
      autoDir = queueDir(dir, 'auto');
      assert.ok(filesWithExt(expiringDir, 'seg').length > 0 && filesWithExt(autoDir, 'seg').length > 0);
      // A queue with a consumer does not expire, however slow this run is; the consumer holds
      // one unacked message, requeued when the broker shuts down.
      const cch = await conn.createChannel();
      await cch.prefetch(1);
      await cch.consume('expiring', () => {}, { noAck: false });
      // The auto-delete queue goes when its last consumer does.
      const { consumerTag } = await cch.consume('auto', () => {}, { noAck: true });
      await cch.cancel(consumerTag);
      await waitFor(() => !existsSync(autoDir), 10_000, `${autoDir} removed`, 20);
    });
    // The expiry period starts again at the restart: the queue is recovered, then it expires.
    await withBroker(dir, async (b) => {
      const recovered = logged(b.logs, 'recovered durable state');
      assert.deepEqual(recovered.map((l) => [l['queues'], l['messages']]), [[1, 100]]);
      await waitFor(() => b.broker.vhost('/')?.queues.has('expiring') === false, 10_000, 'the queue expired', 50);
      await waitFor(() => !existsSync(expiringDir), 10_000, `${expiringDir} removed`, 20);
    });
    await withBroker(dir, async (b) => {
      const queues = b.broker.vhost('/')?.queues;
      assert.equal(queues?.has('expiring'), false, 'the expired queue stays deleted');
      assert.equal(queues?.has('auto'), false, 'the auto-deleted queue stays deleted');
      assert.deepEqual(readdirSync(join(dir, 'queues')), []);
    });
  });
});
