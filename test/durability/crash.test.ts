/**
 * Crash test: a broker child process takes confirmed publishes (persistent, and some transient)
 * from several publishers into two durable queues while a consumer acks, requeues or holds the
 * deliveries, and is killed with SIGKILL at a random moment. A new broker on the same data
 * directory must then hold every persistent message that was confirmed and not acked (nothing
 * lost), nothing that was never published or was transient, nothing whose ack was known to be on
 * disk, each message once with its body intact, each publisher's messages in publish order, and
 * all of them marked redelivered (the shutdown was unclean). Afterwards the recovered broker must
 * keep working across a clean restart.
 *
 * A consumer ack is known to be on disk once a persistent publish sent after it on the same
 * channel (amqplib orders frames per channel only) has been confirmed: the broker confirms after
 * the group commit that also wrote every ack it had processed before.
 *
 * Kill points and ack choices come from a seed, printed with every failure; rerun an iteration
 * with WARREN_CRASH_SEED=<seed>. Process timing still varies from run to run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfirmChannel } from 'amqplib';
import { Clients, startConsumer, text } from '../support/amqp.js';
import { makeDataDir, removeDataDir, startBrokerProcess } from '../support/broker-process.js';
import type { BrokerProcess } from '../support/broker-process.js';
import { delay, waitFor, withTimeout } from '../support/wait.js';

const QUEUES = ['crash-a', 'crash-b'] as const;
const BARRIER_QUEUE = 'crash-barrier';
const PUBLISHERS = 3;
const ITERATIONS = 5;
/** Bounds the work of one iteration whatever the machine's speed. */
const MAX_PER_PUBLISHER = 4000;
/** Unconfirmed publishes a publisher keeps in flight. */
const WINDOW = 64;
/**
 * The kill comes when this many publishes (a random number up to the total) have been confirmed,
 * plus a random delay up to KILL_JITTER_MS: mid-stream however fast the machine is.
 */
const KILL_JITTER_MS = 40;
/**
 * What the consumer does, alternating between iterations. 'mixed': small messages from both
 * queues; it acks 60%, rejects 10% with requeue (they come back redelivered) and leaves the rest
 * unacked. 'all': 3 KB messages, so a queue fills several 8 MiB segment files; it acks every
 * message of the first queue (whose segments are deleted once all their messages are acked) and
 * leaves the second one alone (a backlog, mostly paged out of memory).
 */
const PROFILES = {
  mixed: { queues: QUEUES, ackShare: 0.6, requeueShare: 0.1, bodyPad: 0 },
  all: { queues: [QUEUES[0]], ackShare: 1, requeueShare: 0, bodyPad: 3000 },
} as const;
type Profile = (typeof PROFILES)[keyof typeof PROFILES];
/** A barrier publish follows every this many acks. */
const ACKS_PER_BARRIER = 16;
/** Messages published after recovery, per queue, to check a clean restart of the recovered data. */
const AFTER_RECOVERY = 50;

/** xorshift32: a tiny seeded PRNG, so a failing iteration's random choices can be replayed. */
function prng(seed: number): () => number {
  let x = Math.imul(seed, 0x9e3779b1) || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

interface Sent {
  readonly queue: string;
  readonly persistent: boolean;
  readonly publisher: number;
  readonly n: number;
}

/** What the clients saw before the kill. */
interface Journal {
  /** Every message handed to amqplib, by id (it may or may not have reached the broker). */
  readonly sent: Map<string, Sent>;
  readonly confirmed: Set<string>;
  /** Deliveries before the kill, in order, with the number of requeues sent for the message before. */
  readonly delivered: { id: string; queue: string; redelivered: boolean; requeuesBefore: number }[];
  /** Rejects with requeue sent, by id. */
  readonly requeues: Map<string, number>;
  /** Acks handed to amqplib (they may or may not have reached the broker, or its disk). */
  readonly ackSent: Set<string>;
  /** Acks followed by a confirmed barrier publish on their channel: on disk. */
  readonly ackDurable: Set<string>;
}

function messageId(publisher: number, n: number): string {
  return `p${publisher}-${n}`;
}

/** Publishes persistent (and every seventh, transient) messages until the channel dies or the cap. */
async function publish(ch: ConfirmChannel, publisher: number, journal: Journal, pad: string): Promise<void> {
  let inflight = 0;
  let closed = false;
  let wake: (() => void) | undefined;
  const poke = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  ch.on('close', () => {
    closed = true;
    poke();
  });
  for (let n = 0; n < MAX_PER_PUBLISHER && !closed; n++) {
    while (inflight >= WINDOW && !closed) await new Promise<void>((resolve) => (wake = resolve));
    if (closed) return;
    const id = messageId(publisher, n);
    const queue = QUEUES[n % QUEUES.length]!;
    const persistent = n % 7 !== 3;
    journal.sent.set(id, { queue, persistent, publisher, n });
    inflight++;
    try {
      ch.publish('', queue, Buffer.from(id + pad), { persistent, messageId: id }, (err: unknown) => {
        inflight--;
        if (err === null || err === undefined) journal.confirmed.add(id);
        poke();
      });
    } catch {
      return; // the channel closed under us
    }
  }
}

/** Consumes on one confirm channel as the profile says, with barrier publishes. */
async function consume(ch: ConfirmChannel, random: () => number, profile: Profile, journal: Journal): Promise<void> {
  let sinceBarrier: string[] = [];
  const barrier = (): void => {
    const batch = sinceBarrier;
    sinceBarrier = [];
    try {
      ch.publish('', BARRIER_QUEUE, Buffer.from('barrier'), { persistent: true }, (err: unknown) => {
        if (err === null || err === undefined) for (const id of batch) journal.ackDurable.add(id);
      });
    } catch {
      // the channel closed under us: these acks stay uncertain
    }
  };
  for (const queue of profile.queues) {
    await ch.consume(queue, (msg) => {
      if (msg === null) return;
      const id = messageIdOf(msg);
      journal.delivered.push({ id, queue, redelivered: msg.fields.redelivered, requeuesBefore: journal.requeues.get(id) ?? 0 });
      const r = random();
      if (r >= profile.ackShare) {
        if (r < profile.ackShare + profile.requeueShare) {
          try {
            ch.reject(msg, true);
            journal.requeues.set(id, (journal.requeues.get(id) ?? 0) + 1);
          } catch {
            // the channel closed under us
          }
        }
        return;
      }
      try {
        ch.ack(msg);
      } catch {
        return; // the channel closed under us
      }
      journal.ackSent.add(id);
      sinceBarrier.push(id);
      if (sinceBarrier.length >= ACKS_PER_BARRIER) barrier();
    });
  }
}

/** The id a body starts with (the rest is padding). */
function messageIdOf(msg: { content: Buffer }): string {
  return text(msg).replace(/ +$/, '');
}

/** The segment files each queue left behind (for the log: which files recovery starts from). */
function segmentFiles(dataDir: string): string {
  const queues = join(dataDir, 'queues');
  if (!existsSync(queues)) return 'none';
  return readdirSync(queues)
    .map((q) => readdirSync(join(queues, q)).filter((f) => f.endsWith('.seg')).sort().map((f) => f.replace(/^0+/, '')).join(' '))
    .filter((list) => list !== '')
    .join(' | ');
}

function sample(ids: Iterable<string>, max = 10): string {
  const all = [...ids];
  return all.slice(0, max).join(', ') + (all.length > max ? `, ... (${all.length} in all)` : '');
}

interface Recovered {
  readonly id: string;
  readonly queue: string;
  readonly redelivered: boolean;
  /** Body length in bytes. */
  readonly size: number;
}

/** Takes every message of every queue (no-ack) on a fresh connection; returns them in order. */
async function drain(clients: Clients): Promise<Recovered[]> {
  const ch = await clients.channel();
  const out: Recovered[] = [];
  for (const queue of QUEUES) {
    const { messageCount } = await withTimeout(ch.checkQueue(queue), 10_000, `passive declare ${queue}`);
    const consumer = await startConsumer(ch, queue, { noAck: true });
    const msgs = await consumer.next(messageCount, 30_000);
    await withTimeout(ch.cancel(consumer.tag), 5000, 'cancel');
    for (const m of msgs) out.push({ id: messageIdOf(m), queue, redelivered: m.fields.redelivered, size: m.content.length });
    const after = await withTimeout(ch.checkQueue(queue), 5000, `passive declare ${queue}`);
    assert.equal(after.messageCount, 0, `${queue} still has messages after taking the ${messageCount} it reported`);
    assert.equal(consumer.messages.length, messageCount, `${queue} delivered more than the ${messageCount} it reported`);
  }
  return out;
}

/** Messages that must survive the crash: persistent, confirmed, and never acked. */
function required(journal: Journal): string[] {
  return [...journal.confirmed].filter((id) => journal.sent.get(id)?.persistent === true && !journal.ackSent.has(id));
}

/** The recovery invariants; `where` (seed, iteration, kill delay) goes into every message. */
function checkRecovery(journal: Journal, recovered: readonly Recovered[], padLength: number, where: string): void {
  const seen = new Set<string>();
  const twice = recovered.filter((r) => seen.has(r.id) || !seen.add(r.id));
  assert.deepEqual(twice.map((r) => r.id), [], `${where}: recovered more than once`);

  const unknown = recovered.filter((r) => !journal.sent.has(r.id));
  assert.deepEqual(unknown.map((r) => r.id), [], `${where}: recovered messages that were never published`);

  const wrongQueue = recovered.filter((r) => journal.sent.get(r.id)?.queue !== r.queue);
  assert.deepEqual(wrongQueue.map((r) => `${r.id} in ${r.queue}`), [], `${where}: recovered into the wrong queue`);

  const damaged = recovered.filter((r) => r.size !== Buffer.byteLength(r.id) + padLength);
  assert.deepEqual(damaged.map((r) => `${r.id} (${r.size} bytes)`), [], `${where}: recovered bodies of the wrong size`);

  const transient = recovered.filter((r) => journal.sent.get(r.id)?.persistent === false);
  assert.deepEqual(transient.map((r) => r.id), [], `${where}: transient messages survived a crash`);

  const lost = required(journal).filter((id) => !seen.has(id));
  assert.equal(lost.length, 0, `${where}: ${lost.length} confirmed, unacked persistent messages lost: ${sample(lost)}`);

  const resurrected = recovered.filter((r) => journal.ackDurable.has(r.id));
  assert.equal(resurrected.length, 0, `${where}: messages whose ack was on disk came back: ${sample(resurrected.map((r) => r.id))}`);

  const notRedelivered = recovered.filter((r) => !r.redelivered);
  assert.equal(notRedelivered.length, 0, `${where}: recovered after a crash without redelivered=true: ${sample(notRedelivered.map((r) => r.id))}`);

  // Each publisher's messages keep their publish order within a queue.
  const last = new Map<string, { n: number; id: string }>();
  for (const r of recovered) {
    const s = journal.sent.get(r.id)!;
    const key = `${r.queue}/${s.publisher}`;
    const prev = last.get(key);
    assert.ok(prev === undefined || prev.n < s.n, `${where}: ${r.id} was recovered after ${prev?.id ?? ''} in ${r.queue}`);
    last.set(key, { n: s.n, id: r.id });
  }
}

/**
 * Before the kill: every delivery is of a published message; a message is delivered again only
 * after a reject with requeue, and then (only then) marked redelivered.
 */
function checkLiveDeliveries(journal: Journal, where: string): void {
  const times = new Map<string, number>();
  for (const d of journal.delivered) {
    assert.ok(journal.sent.has(d.id), `${where}: delivered ${d.id}, which was never published`);
    const before = times.get(d.id) ?? 0;
    times.set(d.id, before + 1);
    assert.ok(before <= d.requeuesBefore, `${where}: ${d.id} delivered ${before + 1} times before the kill, after ${d.requeuesBefore} requeues`);
    assert.equal(d.redelivered, before > 0, `${where}: delivery ${before + 1} of ${d.id}: redelivered`);
  }
}

async function crashIteration(seed: number, iteration: number, log: (line: string) => void): Promise<void> {
  const random = prng(seed);
  const killAfterConfirms = Math.floor(random() * PUBLISHERS * MAX_PER_PUBLISHER * 0.95);
  const killJitter = Math.floor(random() * KILL_JITTER_MS);
  const profileName = seed % 2 === 0 ? 'mixed' : 'all';
  const profile = PROFILES[profileName];
  const where = `iteration ${iteration}, seed ${seed} (WARREN_CRASH_SEED=${seed}), ${profileName} acks, kill ${killJitter} ms after ${killAfterConfirms} confirms`;
  const dataDir = makeDataDir('warren-crash-');
  let broker: BrokerProcess | undefined;
  let clients: Clients | undefined;
  try {
    broker = await startBrokerProcess(dataDir);
    clients = new Clients(broker);
    const setup = await clients.confirmChannel();
    for (const q of [...QUEUES, BARRIER_QUEUE]) await withTimeout(setup.assertQueue(q, { durable: true }), 10_000, `declare ${q}`);

    const journal: Journal = { sent: new Map(), confirmed: new Set(), delivered: [], requeues: new Map(), ackSent: new Set(), ackDurable: new Set() };
    const consumerChannel = await clients.confirmChannel();
    await consume(consumerChannel, random, profile, journal);
    const channels: ConfirmChannel[] = [];
    for (let p = 0; p < PUBLISHERS; p++) channels.push(await clients.confirmChannel());
    const pad = ' '.repeat(profile.bodyPad);
    const publishing = Promise.all(channels.map((ch, p) => publish(ch, p, journal, pad)));

    await waitFor(() => journal.confirmed.size >= killAfterConfirms, 30_000, `${killAfterConfirms} confirms`, 1);
    await delay(killJitter);
    await broker.kill();
    await withTimeout(publishing, 10_000, 'publishers to stop after the kill');
    await clients.closeAll();
    log(
      `${where}: ${journal.sent.size} sent, ${journal.confirmed.size} confirmed, ${journal.delivered.length} delivered, ` +
        `${journal.requeues.size} requeued, ${journal.ackSent.size} acks sent, ${journal.ackDurable.size} on disk; segments ${segmentFiles(dataDir)}`,
    );
    checkLiveDeliveries(journal, where);

    broker = await startBrokerProcess(dataDir);
    clients = new Clients(broker);
    const recovered = await drain(clients);
    log(`${where}: ${recovered.length} recovered, ${required(journal).length} of them required`);
    checkRecovery(journal, recovered, pad.length, where);

    // The recovered queues keep working: new messages survive a clean restart, not redelivered,
    // and the drained ones stay gone.
    const ch = await clients.confirmChannel();
    for (let i = 0; i < AFTER_RECOVERY; i++) {
      for (const q of QUEUES) ch.publish('', q, Buffer.from(`after-${i}`), { persistent: true });
    }
    await withTimeout(ch.waitForConfirms(), 10_000, 'confirms after recovery');
    await clients.closeAll();
    const status = await broker.terminate();
    assert.deepEqual(status, { code: 0, signal: null }, `${where}: clean shutdown after recovery`);
    broker = await startBrokerProcess(dataDir);
    clients = new Clients(broker);
    const again = await drain(clients);
    const expected = QUEUES.flatMap((queue) => Array.from({ length: AFTER_RECOVERY }, (_, i) => ({ id: `after-${i}`, queue, redelivered: false, size: `after-${i}`.length })));
    assert.deepEqual(again, expected, `${where}: after recovery, then a clean restart`);
  } catch (err) {
    if (broker !== undefined) log(`${where}: broker output:\n${broker.output()}`);
    throw err;
  } finally {
    await clients?.closeAll();
    await broker?.kill();
    removeDataDir(dataDir);
  }
}

test('confirmed messages survive SIGKILL at random moments; acked ones on disk do not come back', { timeout: 120_000 }, async (t) => {
  const fromEnv = process.env['WARREN_CRASH_SEED'];
  const base = fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) : Math.floor(Math.random() * 2 ** 31);
  const iterations = fromEnv !== undefined && fromEnv !== '' ? 1 : ITERATIONS;
  for (let i = 0; i < iterations; i++) {
    await crashIteration(base + i, i, (line) => t.diagnostic(line));
  }
});
