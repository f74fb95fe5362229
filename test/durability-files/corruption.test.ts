/**
 * Recovery from damaged files: a broker is shut down cleanly, its files are cut, overwritten or
 * appended to, and a new broker on the same directory must start, keep every intact message in
 * order, and log what it cut off or skipped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  allFiles,
  bodyOf,
  drainNumbers,
  filesWithExt,
  logged,
  numberOf,
  publishConfirmed,
  queueDir,
  range,
  recordsOf,
  tempDir,
  withBroker,
  withDataDir,
  type DurableBroker,
  type FileRecord,
} from './helpers.js';
import { withTimeout, waitFor } from '../support/wait.js';

const N = 300;
const TIMEOUT = { timeout: 120_000 };
const TORN = 'truncated a torn or corrupt tail';
const SKIPPED = 'skipped a corrupt region; records after it were kept';

/** A broker on `dir` with a durable queue holding messages 0..n-1; closed cleanly before returning. */
async function fill(dir: string, queue: string, n = N): Promise<void> {
  await withBroker(dir, async (b) => {
    const ch = await (await b.connect()).createConfirmChannel();
    await ch.assertQueue(queue, { durable: true });
    await publishConfirmed(ch, queue, range(n).map((i) => bodyOf(i)));
  });
}

/** The message number of a segment record (its body is at the end of the payload). */
function messageIn(rec: FileRecord): number {
  return numberOf(rec.payload.subarray(rec.payload.length - 1000));
}

/** The segment files of a queue, as absolute paths, oldest first; asserts there are several. */
function segments(dir: string, queue: string): string[] {
  const qdir = queueDir(dir, queue);
  const segs = filesWithExt(qdir, 'seg').map((n) => join(qdir, n));
  assert.ok(segs.length >= 3, `expected several segments, got ${segs.length}`);
  return segs;
}

async function drain(b: DurableBroker, queue: string): Promise<number[]> {
  return drainNumbers(await b.connect(), queue);
}

test('a segment cut in the middle of its last record: the intact prefix comes back in order and the file is truncated', TIMEOUT, async () => {
  await withDataDir(async (dir) => {
    const q = 'torn-tail';
    await fill(dir, q);
    const last = segments(dir, q).at(-1)!;
    const lastRecord = recordsOf(last).at(-1)!;
    assert.equal(messageIn(lastRecord), N - 1, 'the last record holds the last message');
    const cutAt = lastRecord.offset + Math.floor(lastRecord.length / 2);
    truncateSync(last, cutAt);

    await withBroker(dir, async (b) => {
      // Recovery happens in the constructor: the torn record is already cut off.
      assert.equal(statSync(last).size, lastRecord.offset, 'the torn tail is cut off the file');
      const torn = logged(b.logs, TORN);
      assert.equal(torn.length, 1, JSON.stringify(b.logs));
      assert.equal(torn[0]!['file'], last);
      assert.equal(torn[0]!['bytes'], cutAt - lastRecord.offset);
      assert.equal(torn[0]!.level, 40, 'logged as a warning');
      assert.deepEqual(logged(b.logs, SKIPPED), []);
      assert.deepEqual(await drain(b, q), range(N - 1));
    });
  });
});

test('a torn record at the end of an earlier segment loses only that record', TIMEOUT, async () => {
  await withDataDir(async (dir) => {
    const q = 'torn-earlier';
    await fill(dir, q);
    const first = segments(dir, q)[0]!;
    const rec = recordsOf(first).at(-1)!;
    const lost = messageIn(rec);
    truncateSync(first, rec.offset + 7);
    await withBroker(dir, async (b) => {
      assert.equal(statSync(first).size, rec.offset);
      assert.equal(logged(b.logs, TORN).length, 1);
      assert.deepEqual(await drain(b, q), range(N).filter((i) => i !== lost));
    });
  });
});

test('bytes overwritten inside a record in the middle of a segment: every other message comes back in order', TIMEOUT, async () => {
  await withDataDir(async (dir) => {
    const q = 'corrupt-middle';
    await fill(dir, q);
    const segs = segments(dir, q);
    const seg = segs[Math.floor(segs.length / 2)]!;
    const records = recordsOf(seg);
    const victim = records[Math.floor(records.length / 2)]!;
    const lost = messageIn(victim);
    const data = readFileSync(seg);
    const sizeBefore = data.length;
    data.fill(0xee, victim.offset + Math.floor(victim.length / 2), victim.offset + Math.floor(victim.length / 2) + 8);
    writeFileSync(seg, data);

    await withBroker(dir, async (b) => {
      const skipped = logged(b.logs, SKIPPED);
      assert.equal(skipped.length, 1, JSON.stringify(b.logs));
      assert.equal(skipped[0]!['file'], seg);
      assert.equal(skipped[0]!['from'], victim.offset);
      assert.equal(skipped[0]!['to'], victim.offset + victim.length);
      assert.deepEqual(logged(b.logs, TORN), []);
      assert.equal(statSync(seg).size, sizeBefore, 'a damaged middle is not cut off');
      assert.deepEqual(await drain(b, q), range(N).filter((i) => i !== lost));
      // The damaged record does not keep its segment alive once the others are consumed.
      const qdir = queueDir(dir, q);
      await waitFor(() => filesWithExt(qdir, 'seg').length === 0, 10_000, `segments of ${qdir} deleted`);
    });
  });
});

test('garbage after the definitions log and after an ack file: startup succeeds, objects and acks intact', TIMEOUT, async () => {
  await withDataDir(async (dir) => {
    const q = 'acked-some';
    const acked = 10;
    await withBroker(dir, async (b) => {
      const conn = await b.connect();
      const ch = await conn.createConfirmChannel();
      await ch.assertExchange('durable-topic', 'topic', { durable: true });
      await ch.assertQueue(q, { durable: true, arguments: { 'x-max-length': 100_000 } });
      await ch.bindQueue(q, 'durable-topic', 'k.#');
      for (const i of range(N)) ch.publish('durable-topic', `k.${i}`, bodyOf(i), { persistent: true });
      await withTimeout(ch.waitForConfirms(), 30_000, 'confirms');
      const cch = await conn.createChannel();
      for (let i = 0; i < acked; i++) {
        const m = await withTimeout(cch.get(q), 5000, 'get');
        assert.ok(m !== false);
        assert.equal(numberOf(m.content), i);
        cch.ack(m);
      }
      // A basic.get on the same channel orders after the acks: they have been processed.
      const probe = await withTimeout(cch.get(q), 5000, 'get');
      assert.ok(probe !== false);
      cch.nack(probe, false, true);
      await withTimeout(cch.close(), 5000, 'channel close');
    });
    const qdir = queueDir(dir, q);
    const acks = filesWithExt(qdir, 'ack');
    assert.ok(acks.length >= 1, `an ack file exists (files: ${allFiles(dir).join(', ')})`);
    const ackPath = join(qdir, acks[0]!);
    const definitions = join(dir, 'definitions.log');
    appendFileSync(definitions, Buffer.from('\x57\x52{"kind":"queue","vhost":"/","name":"ghost"}garbage', 'latin1'));
    appendFileSync(ackPath, Buffer.from([0x57, 0x52, 1, 2, 3, 4, 0, 0, 0, 8, 0xff, 0xff]));

    await withBroker(dir, async (b) => {
      const torn = logged(b.logs, TORN).map((l) => l['file']);
      assert.ok(torn.includes(definitions), `definitions tail logged: ${JSON.stringify(torn)}`);
      assert.ok(torn.includes(ackPath), `ack file tail logged: ${JSON.stringify(torn)}`);
      const conn = await b.connect();
      const ch = await conn.createChannel();
      await withTimeout(ch.checkExchange('durable-topic'), 5000, 'checkExchange');
      const ok = await withTimeout(ch.checkQueue(q), 5000, 'checkQueue');
      assert.equal(ok.messageCount, N - acked, 'acked messages stay acked');
      // Same arguments: the declaration is equivalent.
      await withTimeout(ch.assertQueue(q, { durable: true, arguments: { 'x-max-length': 100_000 } }), 5000, 'assertQueue');
      // The binding survived: a publish through the exchange reaches the queue.
      ch.publish('durable-topic', 'k.new', bodyOf(N), { persistent: true });
      await waitFor(async () => (await ch.checkQueue(q)).messageCount === N - acked + 1, 5000, 'routed publish');
      assert.deepEqual(await drainNumbers(conn, q), range(N + 1 - acked, acked));
      assert.equal(b.broker.vhost('/')?.queues.has('ghost'), false, 'nothing is read from the garbage');
    });
  });
});

test('a damaged record in the middle of the definitions log loses that definition only', TIMEOUT, async () => {
  await withDataDir(async (dir) => {
    await withBroker(dir, async (b) => {
      const ch = await (await b.connect()).createConfirmChannel();
      await ch.assertExchange('victim', 'fanout', { durable: true });
      await ch.assertExchange('survivor', 'fanout', { durable: true });
      await ch.assertQueue('q1', { durable: true });
      await ch.bindQueue('q1', 'victim', '');
      await ch.bindQueue('q1', 'survivor', '');
      await publishConfirmed(ch, 'q1', range(50).map((i) => bodyOf(i)));
    });
    // The broker rewrote the log as a snapshot at its start and appended to it since: find the
    // victim's record and flip a byte of its payload.
    const definitions = join(dir, 'definitions.log');
    const records = recordsOf(definitions);
    const victim = records.find((r) => {
      const d = JSON.parse(r.payload.toString()) as { kind?: unknown; name?: unknown };
      return d.kind === 'exchange' && d.name === 'victim';
    });
    assert.ok(victim !== undefined && victim !== records.at(-1), 'the victim is a middle record');
    const data = readFileSync(definitions);
    data[victim.offset + 12] = data[victim.offset + 12]! ^ 0x01;
    writeFileSync(definitions, data);

    await withBroker(dir, async (b) => {
      const skipped = logged(b.logs, SKIPPED);
      assert.deepEqual(skipped.map((l) => [l['file'], l['from'], l['to']]), [[definitions, victim.offset, victim.offset + victim.length]]);
      assert.equal(logged(b.logs, 'skipping a saved binding').length, 1, 'the binding from the lost exchange is dropped with a warning');
      const conn = await b.connect();
      const ch = await conn.createChannel();
      ch.on('error', () => {});
      await withTimeout(ch.checkExchange('survivor'), 5000, 'checkExchange survivor');
      assert.equal((await withTimeout(ch.checkQueue('q1'), 5000, 'checkQueue')).messageCount, 50);
      ch.publish('survivor', '', bodyOf(50));
      await waitFor(async () => (await ch.checkQueue('q1')).messageCount === 51, 5000, 'routed through the surviving binding');
      assert.deepEqual(await drainNumbers(conn, 'q1'), range(51));
      const gone = await conn.createChannel();
      gone.on('error', () => {});
      await assert.rejects(withTimeout(gone.checkExchange('victim'), 5000, 'checkExchange victim'), /404/);
    });
  });
});

/** A tiny deterministic PRNG (mulberry32), so a failing run can be repeated from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomGarbage(rand: () => number): Buffer {
  const out: number[] = [];
  const n = 1 + Math.floor(rand() * 300);
  for (let i = 0; i < n; i++) {
    // Plenty of magic bytes, so the scanner has headers to try.
    const r = rand();
    out.push(r < 0.1 ? 0x57 : r < 0.2 ? 0x52 : r < 0.3 ? 0 : Math.floor(rand() * 256));
  }
  return Buffer.from(out);
}

test('random garbage appended to every file of the data dir: the broker starts with everything intact', TIMEOUT, async () => {
  await withDataDir(async (dir) => {
    const q = 'garbage-everywhere';
    await withBroker(dir, async (b) => {
      const conn = await b.connect();
      const ch = await conn.createConfirmChannel();
      await ch.assertExchange('gx', 'direct', { durable: true });
      await ch.assertQueue(q, { durable: true });
      await ch.bindQueue(q, 'gx', 'rk');
      await publishConfirmed(ch, q, range(N).map((i) => bodyOf(i)));
      // Some acks, so ack files exist too.
      const cch = await conn.createChannel();
      for (let i = 0; i < 5; i++) {
        const m = await withTimeout(cch.get(q), 5000, 'get');
        assert.ok(m !== false);
        cch.ack(m);
      }
      await withTimeout(cch.checkQueue(q), 5000, 'checkQueue after acks');
    });
    const seed = Number(process.env['WARREN_GARBAGE_SEED'] ?? Date.now()) >>> 0;
    const rand = prng(seed);
    for (let round = 0; round < 3; round++) {
      const files = allFiles(dir);
      assert.ok(files.some((f) => f.endsWith('.ack')), `ack files present: ${files.join(', ')}`);
      for (const f of files) appendFileSync(join(dir, f), randomGarbage(rand));
      await withBroker(dir, async (b) => {
        const where = `seed ${seed} (rerun with WARREN_GARBAGE_SEED=${seed}), round ${round}`;
        const reported = new Set(logged(b.logs, TORN).map((l) => l['file']));
        const storeFiles = files.filter((f) => f.endsWith('.seg') || f.endsWith('.ack') || f === 'definitions.log');
        assert.deepEqual(storeFiles.filter((f) => !reported.has(join(dir, f))), [], `every damaged store file has its tail cut off and logged; ${where}`);
        const ch = await (await b.connect()).createChannel();
        await withTimeout(ch.checkExchange('gx'), 5000, 'checkExchange');
        const ok = await withTimeout(ch.checkQueue(q), 5000, 'checkQueue');
        assert.equal(ok.messageCount, N - 5, where);
      });
    }
    await withBroker(dir, async (b) => {
      assert.deepEqual(await drain(b, q), range(N - 5, 5));
    });
  });
});

test('a copy of the data dir taken while the broker runs (a crash) recovers every confirmed message, marked redelivered', TIMEOUT, async () => {
  const copy = tempDir('warren-crash-copy-');
  const q = 'crash';
  try {
    await withDataDir(async (dir) => {
      await withBroker(dir, async (b) => {
        const ch = await (await b.connect()).createConfirmChannel();
        await ch.assertQueue(q, { durable: true });
        await publishConfirmed(ch, q, range(N).map((i) => bodyOf(i)));
        // The management API's UNIX socket is not data (and cannot be copied).
        cpSync(dir, copy.path, { recursive: true, filter: (path) => !path.endsWith('.sock') });
      });
    });
    await withBroker(copy.path, async (b) => {
      assert.equal(logged(b.logs, 'after an unclean shutdown').length, 1, JSON.stringify(b.logs.map((l) => l.msg)));
      const ch = await (await b.connect()).createChannel();
      const numbers: number[] = [];
      for (;;) {
        const m = await withTimeout(ch.get(q, { noAck: true }), 5000, 'get');
        if (m === false) break;
        assert.equal(m.fields.redelivered, true, 'after a crash every recovered message may have been delivered');
        numbers.push(numberOf(m.content));
      }
      assert.deepEqual(numbers, range(N));
    });
  } finally {
    copy.remove();
  }
});
