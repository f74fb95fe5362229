/**
 * DiskStore and QueueStore on real files, without a broker: segments and ack files, recovery
 * (order, acks, redelivered marks, tidying up), paged-out reads, clean-shutdown detection and
 * the data-directory lock.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { DiskStore } from '../../src/store/disk-store.js';
import type { QueueStore } from '../../src/store/queue-store.js';
import { encodeRecord, scanRecords } from '../../src/store/record.js';
import { Message, QueueEntry } from '../../src/queue/message.js';
import { encodeHeaderWithProperties } from '../../src/queue/content-header.js';
import type { BasicProperties } from '../../src/protocol/generated/properties.js';
import { waitFor, withTimeout } from '../support/wait.js';

const silent: Logger = pino({ level: 'silent' });

function withDir(body: (dir: string) => Promise<void> | void): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'warren-store-'));
    try {
      await body(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

function open(dir: string, segmentSize = 4096, fsync = true): DiskStore {
  return new DiskStore({ dir, fsync, segmentSize, log: silent });
}

function durable(store: DiskStore): Promise<void> {
  return withTimeout(
    new Promise<void>((resolve, reject) => store.whenDurable((ok) => (ok ? resolve() : reject(new Error('commit failed'))))),
    10_000,
    'whenDurable',
  );
}

function message(body: Buffer, props: BasicProperties = { deliveryMode: 2 }): Message {
  return new Message('an-exchange', 'a.routing.key', props, encodeHeaderWithProperties(body.length, props), body);
}

function bodyOf(i: number, size = 200): Buffer {
  return Buffer.from(`body-${String(i).padStart(5, '0')}|`.padEnd(size, '.'));
}

/** Appends messages 0..n-1 (seq i, priority i % 3, expiresAt 0 or a fixed time) and returns their entries. */
function appendAll(qs: QueueStore, n: number, size = 200): QueueEntry[] {
  const entries: QueueEntry[] = [];
  for (let i = 0; i < n; i++) {
    const m = message(bodyOf(i, size), { deliveryMode: 2, priority: i % 3, correlationId: `c${i}` });
    const e = new QueueEntry(m, i, i % 2 === 0 ? 0 : 4_102_444_800_000, i % 3, size);
    qs.append(e, m);
    entries.push(e);
  }
  return entries;
}

const segFiles = (dir: string): string[] => readdirSync(dir).filter((n) => n.endsWith('.seg')).sort();
const ackFiles = (dir: string): string[] => readdirSync(dir).filter((n) => n.endsWith('.ack')).sort();

describe('QueueStore files', () => {
  it('messages go to numbered segments of about segmentSize and come back in order after a clean restart', withDir(async (dir) => {
    let store = open(dir);
    const qs = store.createQueueStore('q1');
    const qdir = join(dir, 'queues', 'q1');
    const entries = appendAll(qs, 60);
    await durable(store);
    const segs = segFiles(qdir);
    assert.ok(segs.length >= 3, segs.join(','));
    assert.deepEqual(segs, segs.map((_, i) => `${String(i + 1).padStart(8, '0')}.seg`));
    assert.deepEqual(new Set(entries.map((e) => e.segment)).size, segs.length);
    store.close();
    assert.ok(existsSync(join(dir, 'clean-shutdown')));
    assert.equal(existsSync(join(dir, 'warren.pid')), false, 'the lock is released');

    store = open(dir);
    try {
      assert.equal(store.cleanStart, true);
      const { store: recovered, entries: back } = store.recoverQueueStore('q1');
      assert.deepEqual(back.map((e) => e.seq), entries.map((e) => e.seq));
      assert.deepEqual(back.map((e) => [e.priority, e.expiresAt, e.size, e.redelivered]), entries.map((e) => [e.priority, e.expiresAt, e.size, false]));
      assert.ok(back.every((e) => e.message === null), 'bodies stay on disk');
      // Read back in order, in reverse and at random: the read-ahead block must not mix records up.
      const order = [...back.keys(), ...[...back.keys()].reverse(), 17, 3, 44, 3, 59, 0, 30];
      for (const i of order) {
        const m = recovered.load(back[i]!);
        assert.ok(m.body.equals(bodyOf(i)), `body ${i}`);
        assert.equal(m.exchange, 'an-exchange');
        assert.equal(m.routingKey, 'a.routing.key');
        assert.equal(m.properties.correlationId, `c${i}`);
        assert.ok(m.header.equals(entries[i]!.message!.header), `header ${i}`);
      }
    } finally {
      store.close();
    }
  }));

  it('acking every message of a segment deletes it and its ack file; partial acks are recorded and survive a restart', withDir(async (dir) => {
    let store = open(dir);
    const qs = store.createQueueStore('q');
    const qdir = join(dir, 'queues', 'q');
    const entries = appendAll(qs, 60);
    await durable(store);
    const first = entries.filter((e) => e.segment === entries[0]!.segment);
    // Ack some of the first segment, then the rest of it.
    for (const e of first.slice(0, 3)) qs.remove(e);
    await durable(store);
    assert.deepEqual(ackFiles(qdir), ['00000001.ack']);
    for (const e of first.slice(3)) qs.remove(e);
    await durable(store);
    await waitFor(() => !segFiles(qdir).includes('00000001.seg') && ackFiles(qdir).length === 0, 5000, 'segment 1 and its ack file deleted');
    // Every other message of the second segment.
    const secondSeg = entries.filter((e) => e.segment === 2);
    const acked = new Set(secondSeg.filter((_, i) => i % 2 === 0).map((e) => e.seq));
    for (const e of secondSeg) if (acked.has(e.seq)) qs.remove(e);
    store.close();
    assert.deepEqual(ackFiles(qdir), ['00000002.ack'], 'acks pending at close are written');

    store = open(dir);
    try {
      const { store: rqs, entries: back } = store.recoverQueueStore('q');
      const expected = entries.filter((e) => e.segment !== 1 && !acked.has(e.seq)).map((e) => e.seq);
      assert.deepEqual(back.map((e) => e.seq), expected);
      // The recovered store counts live messages right: acking them all empties the directory.
      for (const e of back) rqs.remove(e);
      await durable(store);
      await waitFor(() => readdirSync(qdir).length === 0, 5000, `empty ${qdir}: ${readdirSync(qdir).join(',')}`);
    } finally {
      store.close();
    }
  }));

  it('an emptied head segment is reused by the next append and deleted by reclaim() if it stays empty', withDir(async (dir) => {
    const store = open(dir, 1 << 20);
    try {
      const qs = store.createQueueStore('q');
      const qdir = join(dir, 'queues', 'q');
      const first = appendAll(qs, 5);
      await durable(store);
      for (const e of first) qs.remove(e);
      await durable(store);
      assert.deepEqual(segFiles(qdir), ['00000001.seg'], 'the head is kept for the next append');
      const m = message(bodyOf(99));
      const again = new QueueEntry(m, 99, 0, 0, 200);
      qs.append(again, m);
      await durable(store);
      assert.equal(again.segment, 1, 'the emptied head is reused');
      qs.remove(again);
      await durable(store);
      store.reclaim();
      await waitFor(() => readdirSync(qdir).length === 0, 5000, `empty ${qdir}: ${readdirSync(qdir).join(',')}`);
      // A head emptied, then used again before reclaim(), is not deleted under its new message.
      const next = appendAll(qs, 2);
      await durable(store);
      qs.remove(next[0]!);
      qs.remove(next[1]!);
      const third = message(bodyOf(3));
      const thirdEntry = new QueueEntry(third, 3, 0, 0, 200);
      qs.append(thirdEntry, third);
      store.reclaim();
      await durable(store);
      assert.equal(segFiles(qdir).length, 1);
      assert.ok(qs.load(thirdEntry).body.equals(bodyOf(3)));
    } finally {
      store.close();
    }
  }));

  it('redelivered marks written at a clean shutdown come back; everything is redelivered after an unclean one', withDir(async (dir) => {
    const crashCopy = mkdtempSync(join(tmpdir(), 'warren-store-crash-'));
    try {
      const store = open(dir);
      store.appendDefinition({ kind: 'marker' });
      const qs = store.createQueueStore('q');
      const entries = appendAll(qs, 20);
      await durable(store);
      cpSync(dir, crashCopy, { recursive: true });
      store.close(() => {
        for (const e of entries) e.redelivered = e.seq % 5 === 0;
        qs.markRedelivered(entries);
      });

      const clean = open(dir);
      try {
        assert.equal(clean.cleanStart, true);
        const back = clean.recoverQueueStore('q').entries;
        assert.deepEqual(back.filter((e) => e.redelivered).map((e) => e.seq), [0, 5, 10, 15]);
      } finally {
        clean.close();
      }
      const crashed = open(crashCopy);
      try {
        assert.equal(crashed.cleanStart, false, 'no clean-shutdown marker: the previous run crashed');
        const back = crashed.recoverQueueStore('q').entries;
        assert.equal(back.length, 20);
        assert.ok(back.every((e) => e.redelivered));
      } finally {
        crashed.close();
      }
    } finally {
      rmSync(crashCopy, { recursive: true, force: true });
    }
  }));

  it('recovery deletes orphan ack files, empty segments and fully acked segments, and keeps numbering after the highest', withDir(async (dir) => {
    let store = open(dir);
    const qs = store.createQueueStore('q');
    const qdir = join(dir, 'queues', 'q');
    appendAll(qs, 30);
    store.close();
    const segs = segFiles(qdir);
    assert.ok(segs.length >= 2);
    // Segment 1 fully acked by its ack file (a crash between the last ack and the delete).
    const offsets: number[] = [];
    scanRecords(readFileSync(join(qdir, segs[0]!)), (_, offset) => offsets.push(offset));
    const ackPayload = Buffer.alloc(1 + 4 * offsets.length);
    ackPayload[0] = 2;
    offsets.forEach((o, i) => ackPayload.writeUInt32LE(o, 1 + 4 * i));
    writeFileSync(join(qdir, '00000001.ack'), encodeRecord(ackPayload));
    // An orphan ack file (its segment was deleted first), an empty segment and a stranger.
    writeFileSync(join(qdir, '00000007.ack'), encodeRecord(Buffer.from([2, 0, 0, 0, 0])));
    writeFileSync(join(qdir, '00000009.seg'), Buffer.alloc(0));
    writeFileSync(join(qdir, 'NOTES.txt'), 'not a store file');

    store = open(dir);
    try {
      const { store: rqs, entries } = store.recoverQueueStore('q');
      assert.ok(entries.every((e) => e.segment !== 1), 'nothing from the fully acked segment');
      assert.equal(entries.length, 30 - offsets.length);
      await waitFor(
        () => !existsSync(join(qdir, '00000001.seg')) && !existsSync(join(qdir, '00000001.ack')) && !existsSync(join(qdir, '00000007.ack')) && !existsSync(join(qdir, '00000009.seg')),
        5000,
        `leftovers deleted: ${readdirSync(qdir).join(',')}`,
      );
      assert.ok(existsSync(join(qdir, 'NOTES.txt')), 'files that are not the store\'s are left alone');
      const m = message(Buffer.from('new'));
      const e = new QueueEntry(m, 1000, 0, 0, 3);
      rqs.append(e, m);
      await durable(store);
      assert.ok(e.segment > 9, `a new segment numbered after every existing one (got ${e.segment})`);
    } finally {
      store.close();
    }
  }));

  it('a record larger than a segment and than the read-ahead block is read back exactly', withDir(async (dir) => {
    let store = open(dir);
    const qs = store.createQueueStore('big');
    const sizes = [0, 1, 70_000, 300_000, 5, 1_100_000, 10];
    const bodies = sizes.map((n, i) => Buffer.alloc(n, 97 + i));
    bodies.forEach((b, i) => {
      const m = message(b);
      qs.append(new QueueEntry(m, i, 0, 0, b.length), m);
    });
    await durable(store);
    store.close();
    store = open(dir);
    try {
      const { store: rqs, entries } = store.recoverQueueStore('big');
      assert.equal(entries.length, sizes.length);
      for (const i of [...entries.keys(), 3, 5, 1, 6]) assert.ok(rqs.load(entries[i]!).body.equals(bodies[i]!), `body of ${sizes[i]} bytes`);
    } finally {
      store.close();
    }
  }));

  it('with fsync off, committed records are written all the same', withDir(async (dir) => {
    let store = open(dir, 4096, false);
    appendAll(store.createQueueStore('q'), 10);
    await durable(store);
    store.close();
    store = open(dir, 4096, false);
    try {
      assert.equal(store.recoverQueueStore('q').entries.length, 10);
    } finally {
      store.close();
    }
  }));

  it('destroy deletes the queue directory', withDir(async (dir) => {
    const store = open(dir);
    try {
      const qs = store.createQueueStore('gone');
      appendAll(qs, 40);
      await durable(store);
      qs.destroy();
      await waitFor(() => !existsSync(join(dir, 'queues', 'gone')), 5000, 'queue directory removed');
      await durable(store);
    } finally {
      store.close();
    }
  }));

  it('removeQueueDirsExcept deletes the directories of unknown queues only', withDir((dir) => {
    const store = open(dir);
    try {
      store.createQueueStore('keep');
      mkdirSync(join(dir, 'queues', 'stale'));
      writeFileSync(join(dir, 'queues', 'stale', '00000001.seg'), encodeRecord(Buffer.from('x')));
      store.removeQueueDirsExcept(new Set(['keep']));
      assert.deepEqual(readdirSync(join(dir, 'queues')), ['keep']);
    } finally {
      store.close();
    }
  }));
});

describe('DiskStore data-directory lock', () => {
  it('refuses a directory locked by another live process and takes over one whose process is gone', withDir(async (dir) => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      assert.ok(child.pid !== undefined);
      writeFileSync(join(dir, 'warren.pid'), `${child.pid}\n`);
      assert.throws(() => open(dir), /in use by another broker/);
    } finally {
      child.kill('SIGKILL');
    }
    await withTimeout(new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r()))), 5000, 'child exit');
    const store = open(dir);
    try {
      assert.equal(readFileSync(join(dir, 'warren.pid'), 'utf8').trim(), String(process.pid));
    } finally {
      store.close();
    }
  }));

  it('a garbled lock file does not stop startup', withDir((dir) => {
    writeFileSync(join(dir, 'warren.pid'), Buffer.from([0x57, 0x52, 0xff, 0x00, 0x31]));
    open(dir).close();
  }));
});
