/**
 * Crash safety of segment deletion. A segment's ack file records which of its messages were
 * acked; if the ack file disappears while the segment file is still there, a crash at that moment
 * brings acked messages back. So (as the comment in QueueStore.removeSegment says) the segment
 * file must be gone before its ack file is unlinked. This test watches every unlink the store
 * makes (fs.unlink is wrapped, and syncBuiltinESMExports passes the wrapper to the store's named
 * import), delays each one a little, and checks, when an ack file is unlinked, that its segment
 * file no longer exists.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { pino } from 'pino';
import { DiskStore } from '../../src/store/disk-store.js';
import { encodeRecord } from '../../src/store/record.js';
import type { QueueStore } from '../../src/store/queue-store.js';
import { Message, QueueEntry } from '../../src/queue/message.js';
import { encodeHeaderWithProperties } from '../../src/queue/content-header.js';
import { waitFor, withTimeout } from '../support/wait.js';

/** Ack files unlinked while their segment file still existed. */
const violations: string[] = [];
const unlinked: string[] = [];
const originalUnlink = fs.unlink;
function watchedUnlink(path: fs.PathLike, callback: fs.NoParamCallback): void {
  const p = String(path);
  unlinked.push(basename(p));
  if (p.endsWith('.ack')) {
    const seg = join(dirname(p), basename(p, '.ack') + '.seg');
    if (fs.existsSync(seg)) violations.push(`${basename(p)} unlinked while ${basename(seg)} still exists`);
  }
  // Unlinks complete a little later than they are asked for, as they may under load: an ack
  // file unlinked without waiting for its segment's unlink to complete is then always caught.
  setTimeout(() => originalUnlink(path, callback), 10);
}
Object.defineProperty(fs, 'unlink', { value: watchedUnlink, writable: true, configurable: true });
syncBuiltinESMExports();
after(() => {
  Object.defineProperty(fs, 'unlink', { value: originalUnlink, writable: true, configurable: true });
  syncBuiltinESMExports();
});

function message(i: number): Message {
  const body = Buffer.from(`m${i}`);
  const props = { deliveryMode: 2 };
  return new Message('', 'q', props, encodeHeaderWithProperties(body.length, props), body);
}

function append(qs: QueueStore, i: number): QueueEntry {
  const m = message(i);
  const e = new QueueEntry(m, i, 0, 0, m.body.length);
  qs.append(e, m);
  return e;
}

function durable(store: DiskStore): Promise<void> {
  return withTimeout(new Promise<void>((resolve) => store.whenDurable(() => resolve())), 10_000, 'whenDurable');
}

describe('deleting a segment and its ack file', () => {
  it('the segment file is gone before its ack file is unlinked (else a crash in between brings acked messages back)', async () => {
    const dir = fs.mkdtempSync(join(tmpdir(), 'warren-delete-order-'));
    // Each record here is 56 bytes: three fill a 150-byte segment, the fourth starts the next one.
    const store = new DiskStore({ dir, fsync: true, segmentSize: 150, log: pino({ level: 'silent' }) });
    const file = (num: number, ext: string): string => join(dir, 'queues', 'q', `${String(num).padStart(8, '0')}.${ext}`);
    try {
      const qs = store.createQueueStore('q');

      // 1. No sync running: segment 1 has an ack file (m1 acked and synced), then its other
      //    messages are acked.
      const [m1, m2, m3, m4] = [1, 2, 3, 4].map((i) => append(qs, i)) as [QueueEntry, QueueEntry, QueueEntry, QueueEntry];
      assert.deepEqual([m1, m2, m3, m4].map((e) => e.segment), [1, 1, 1, 2]);
      await durable(store);
      qs.remove(m1);
      await durable(store);
      assert.ok(fs.existsSync(file(1, 'ack')));
      qs.remove(m2);
      qs.remove(m3);
      await durable(store);
      await waitFor(() => !fs.existsSync(file(1, 'ack')) && !fs.existsSync(file(1, 'seg')), 5000, 'segment 1 deleted');

      // 2. The last ack of a segment arrives while that segment's fdatasync is running. Segment 2
      //    holds m4 (acked, in its ack file) and m5; m6 is appended to it and m7 starts segment 3
      //    in one commit; m5 and m6 are acked right after that commit started its fdatasyncs.
      //    The segment's unlink waits for its sync; the ack file must wait for the segment.
      const m5 = append(qs, 5);
      await durable(store);
      qs.remove(m4);
      await durable(store);
      assert.ok(fs.existsSync(file(2, 'ack')));
      const m6 = append(qs, 6);
      const m7 = append(qs, 7);
      assert.deepEqual([m5.segment, m6.segment, m7.segment], [2, 2, 3]);
      const committed = durable(store);
      await new Promise<void>((resolve) =>
        setImmediate(() => {
          // The commit ran earlier in this check phase; its fdatasyncs are still in the thread pool.
          qs.remove(m5);
          qs.remove(m6);
          resolve();
        }),
      );
      await committed;
      await durable(store);
      await waitFor(() => !fs.existsSync(file(2, 'ack')) && !fs.existsSync(file(2, 'seg')), 5000, 'segment 2 deleted');

      // Before aedf3a4 QueueStore.removeSegment called seg.file.remove() and then
      // seg.acks.remove(): with an fdatasync of the segment in flight the segment's unlink waited
      // for the sync but the ack file went at once, and without one both unlinks raced in the
      // thread pool; either way a crash in between redelivered m1 / m4, whose acks were on disk.
      assert.deepEqual(violations, [], `unlink calls in order: ${unlinked.join(', ')}`);
    } finally {
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('at recovery too: a segment whose messages are all acked in its ack file is deleted before the ack file', async () => {
    const dir = fs.mkdtempSync(join(tmpdir(), 'warren-delete-order-'));
    const file = (num: number, ext: string): string => join(dir, 'queues', 'q', `${String(num).padStart(8, '0')}.${ext}`);
    try {
      let store = new DiskStore({ dir, fsync: true, segmentSize: 150, log: pino({ level: 'silent' }) });
      const qs = store.createQueueStore('q');
      const entries = [1, 2, 3, 4].map((i) => append(qs, i));
      await durable(store);
      // Acks of segment 1's first two messages, then a clean shutdown.
      qs.remove(entries[0]!);
      qs.remove(entries[1]!);
      store.close();
      // The third ack is added by hand, as if the broker had crashed after writing it but
      // before deleting the segment.
      const third = Buffer.alloc(5);
      third[0] = 2;
      third.writeUInt32LE(entries[2]!.offset, 1);
      fs.appendFileSync(file(1, 'ack'), encodeRecord(third));
      violations.length = 0;
      unlinked.length = 0;
      store = new DiskStore({ dir, fsync: true, segmentSize: 150, log: pino({ level: 'silent' }) });
      try {
        const { entries: back } = store.recoverQueueStore('q');
        assert.deepEqual(back.map((e) => e.seq), [4]);
        await waitFor(() => !fs.existsSync(file(1, 'ack')) && !fs.existsSync(file(1, 'seg')), 5000, 'segment 1 deleted');
        assert.deepEqual(violations, [], `unlink calls in order: ${unlinked.join(', ')}`);
      } finally {
        store.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
