/**
 * Model-based property test of a durable queue, in the style of RabbitMQ's
 * classic_queue_prop_SUITE: random command sequences run against a broker child process and
 * against a pure model of one durable queue (ready messages in publish order, unacked messages
 * per channel), and whatever can be observed is compared after every command: the ready count
 * (passive declare, get-ok, purge-ok), and the body, order and redelivered flag of every delivery.
 *
 * The contract the model encodes: requeued messages (nack/reject with requeue, closing their
 * channel) go back to their place in publish order, marked redelivered. A clean restart
 * (SIGTERM) keeps persistent messages, requeues unacked ones, drops transient ones and keeps
 * the redelivered flags exactly. A kill (SIGKILL) keeps persistent messages, drops transient
 * ones and marks everything it recovers redelivered. Acks and no-ack gets are not confirmed to
 * the client, so before a kill the test makes them durable with a confirmed persistent publish
 * (the broker processed them before that publish, whose confirm waits for a group commit that
 * also writes them); crash.test.ts covers kills at arbitrary moments.
 *
 * On failure fast-check prints the seed, the path and the (shrunk) command list; rerun it with
 * WARREN_MODEL_SEED=<seed> WARREN_MODEL_PATH=<path>.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ChannelModel, ConfirmChannel, GetMessage, Message } from 'amqplib';
import { Clients, startConsumer, text } from '../support/amqp.js';
import { makeDataDir, removeDataDir, startBrokerProcess } from '../support/broker-process.js';
import type { BrokerProcess } from '../support/broker-process.js';
import { withTimeout } from '../support/wait.js';

const SLOTS = 3;
const NUM_RUNS = 20;
const MAX_COMMANDS = 30;
/** fast-check stops starting new runs (or shrinking) after this long. */
const TIME_LIMIT_MS = 75_000;
const OP_MS = 10_000;

/**
 * A bulk publish is more than a durable queue keeps in memory (RESIDENT_BYTES, 8 MiB, reached by
 * about 1,900 of these padded bodies): the later ones are paged out and read back from disk. Their padded bodies also fill more than a
 * segment file (8 MiB), so segments roll over and are deleted once all their messages are gone.
 */
const BULK = { min: 2050, max: 2300 };
const PAD = 'x'.repeat(4500);

type Command =
  | { readonly kind: 'publish'; readonly persistent: boolean; readonly n: number; readonly padded: boolean }
  | { readonly kind: 'get'; readonly slot: number; readonly n: number; readonly noAck: boolean }
  /** With noAck the consumer takes every ready message; otherwise at most n (its prefetch). */
  | { readonly kind: 'consume'; readonly slot: number; readonly n: number; readonly noAck: boolean }
  | { readonly kind: 'ack'; readonly picks: readonly number[] }
  | { readonly kind: 'nack'; readonly picks: readonly number[]; readonly requeue: boolean; readonly reject: boolean }
  | { readonly kind: 'close'; readonly slot: number }
  | { readonly kind: 'purge' }
  | { readonly kind: 'restart'; readonly closeClientsFirst: boolean }
  | { readonly kind: 'kill' };

const slot = fc.integer({ min: 0, max: SLOTS - 1 });
const picks = fc.array(fc.nat({ max: 40 }), { minLength: 1, maxLength: 4 });
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('publish' as const), persistent: fc.boolean(), n: fc.integer({ min: 1, max: 5 }), padded: fc.constant(false) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('publish' as const), persistent: fc.boolean(), n: fc.integer(BULK), padded: fc.constant(true) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('get' as const), slot, n: fc.integer({ min: 1, max: 3 }), noAck: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('consume' as const), slot, n: fc.integer({ min: 1, max: 4 }), noAck: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('ack' as const), picks }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('nack' as const), picks, requeue: fc.boolean(), reject: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), slot }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('purge' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('restart' as const), closeClientsFirst: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('kill' as const) }) },
);

// ---- the model ----

interface ModelMessage {
  /** Publish order; the body is `m<id>`, or `m<id>:` and PAD. */
  readonly id: number;
  readonly persistent: boolean;
  readonly padded: boolean;
  redelivered: boolean;
}

/** A delivered, unacked message: which channel slot holds it, and amqplib's handle to ack it. */
interface Held {
  readonly msg: ModelMessage;
  readonly slot: number;
  readonly delivery: Message;
}

const label = (m: ModelMessage): string => `m${m.id}`;
const bodyOf = (m: ModelMessage): string => (m.padded ? `m${m.id}:${PAD}` : `m${m.id}`);
/** A delivered body as the model's labels show it (the padding checked separately). */
const labelOf = (body: string): string => body.replace(/:x+$/, '');

class QueueModel {
  /** Ready messages, always in publish order (requeues go back to their place). */
  ready: ModelMessage[] = [];
  unacked: Held[] = [];
  nextId = 0;

  publish(persistent: boolean, padded: boolean): ModelMessage {
    const m: ModelMessage = { id: this.nextId++, persistent, padded, redelivered: false };
    this.ready.push(m);
    return m;
  }

  /** Distinct unacked entries chosen by `picks` (indices modulo their number), removed from unacked. */
  take(picks: readonly number[]): Held[] {
    if (this.unacked.length === 0) return [];
    const indices = [...new Set(picks.map((p) => p % this.unacked.length))];
    const chosen = indices.map((i) => this.unacked[i]!);
    this.unacked = this.unacked.filter((_, i) => !indices.includes(i));
    return chosen;
  }

  requeue(held: readonly Held[]): void {
    for (const h of held) {
      h.msg.redelivered = true;
      const at = this.ready.findIndex((m) => m.id > h.msg.id);
      if (at < 0) this.ready.push(h.msg);
      else this.ready.splice(at, 0, h.msg);
    }
  }

  closeSlot(slot: number): void {
    this.requeue(this.unacked.filter((h) => h.slot === slot));
    this.unacked = this.unacked.filter((h) => h.slot !== slot);
  }

  /** A broker restart: unacked messages come back, transient ones are gone. */
  restart(crashed: boolean): void {
    this.requeue(this.unacked);
    this.unacked = [];
    this.ready = this.ready.filter((m) => m.persistent);
    if (crashed) for (const m of this.ready) m.redelivered = true;
  }

  describe(): string {
    const show = (m: ModelMessage): string => `${label(m)}${m.persistent ? '' : 't'}${m.redelivered ? '*' : ''}`;
    const ready = this.ready.length > 40 ? [...this.ready.slice(0, 20).map(show), `...${this.ready.length - 40} more...`, ...this.ready.slice(-20).map(show)] : this.ready.map(show);
    return `ready [${ready.join(' ')}] unacked [${this.unacked.map((h) => `${show(h.msg)}@${h.slot}`).join(' ')}] (t transient, * redelivered)`;
  }
}

// ---- the broker side ----

let dataDir = '';
let broker: BrokerProcess | undefined;
/**
 * Set by the after hook. A run that outlived the test (a timeout) must not start a broker any more:
 * nothing would stop it, and it would keep this process alive.
 */
let tornDown = false;

async function startBroker(): Promise<BrokerProcess> {
  if (tornDown) throw new Error('the test is over: not starting another broker');
  broker = await startBrokerProcess(dataDir);
  if (tornDown) await broker.kill();
  return broker;
}

let runNumber = 0;
/** Commands run, by kind (shrinking included), for the test's diagnostics. */
const executed = new Map<string, number>();

/** One run's connection to the broker: a control channel and lazily opened consumer channels. */
class Session {
  clients: Clients;
  conn!: ChannelModel;
  control!: ConfirmChannel;
  slots: (ConfirmChannel | undefined)[] = [];

  private constructor(
    readonly queue: string,
    readonly barrierQueue: string,
    b: BrokerProcess,
  ) {
    this.clients = new Clients(b);
  }

  static async open(queue: string): Promise<Session> {
    const b = broker === undefined || broker.hasExited() ? await startBroker() : broker;
    const s = new Session(queue, `${queue}-barrier`, b);
    await s.connect();
    for (const q of [s.queue, s.barrierQueue]) await withTimeout(s.control.assertQueue(q, { durable: true }), OP_MS, `declare ${q}`);
    return s;
  }

  private async connect(): Promise<void> {
    this.conn = await this.clients.connect();
    this.control = await this.clients.confirmChannel(this.conn);
    this.slots = [];
  }

  async slot(i: number): Promise<ConfirmChannel> {
    return (this.slots[i] ??= await this.clients.confirmChannel(this.conn));
  }

  /** The ready count by passive declare, on `ch` (a round trip there: earlier acks are processed). */
  async count(ch: ConfirmChannel = this.control): Promise<number> {
    return (await withTimeout(ch.checkQueue(this.queue), OP_MS, `passive declare ${this.queue}`)).messageCount;
  }

  /** A confirmed persistent publish: everything the broker processed before it is on disk. */
  async barrier(): Promise<void> {
    this.control.publish('', this.barrierQueue, Buffer.from('barrier'), { persistent: true });
    await withTimeout(this.control.waitForConfirms(), OP_MS, 'barrier confirm');
  }

  /** Replaces the broker (already stopped) with a new one on the same data directory. */
  async reconnect(): Promise<void> {
    await this.clients.closeAll();
    this.clients = new Clients(await startBroker());
    await this.connect();
  }

  async close(): Promise<void> {
    try {
      if (broker !== undefined && !broker.hasExited()) {
        const ch = await this.clients.channel();
        await withTimeout(ch.deleteQueue(this.queue), OP_MS, 'delete queue');
        await withTimeout(ch.deleteQueue(this.barrierQueue), OP_MS, 'delete barrier queue');
      }
    } finally {
      await this.clients.closeAll();
    }
  }
}

function expectDelivery(got: Message, expected: ModelMessage, what: string): void {
  assert.equal(labelOf(text(got)), label(expected), `${what}: message`);
  assert.ok(text(got) === bodyOf(expected), `${what} ${label(expected)}: body damaged (${got.content.length} bytes)`);
  assert.equal(got.fields.redelivered, expected.redelivered, `${what} ${label(expected)}: redelivered`);
}

/** Runs one command on both sides; returns the channel on which to read the ready count. */
async function step(cmd: Command, model: QueueModel, s: Session): Promise<ConfirmChannel[]> {
  switch (cmd.kind) {
    case 'publish': {
      for (let i = 0; i < cmd.n; i++) {
        const m = model.publish(cmd.persistent, cmd.padded);
        s.control.publish('', s.queue, Buffer.from(bodyOf(m)), { persistent: cmd.persistent, messageId: label(m) });
      }
      await withTimeout(s.control.waitForConfirms(), OP_MS, 'publish confirms');
      return [s.control];
    }
    case 'get': {
      const ch = await s.slot(cmd.slot);
      for (let i = 0; i < cmd.n; i++) {
        const expected = model.ready.shift();
        const got: GetMessage | false = await withTimeout(ch.get(s.queue, { noAck: cmd.noAck }), OP_MS, 'basic.get');
        if (expected === undefined) {
          assert.equal(got, false, 'basic.get on an empty queue');
          break;
        }
        assert.ok(got !== false, `basic.get returned get-empty; expected ${label(expected)}`);
        expectDelivery(got, expected, 'basic.get');
        assert.equal(got.fields.messageCount, model.ready.length, 'get-ok message-count');
        if (!cmd.noAck) model.unacked.push({ msg: expected, slot: cmd.slot, delivery: got });
      }
      return [ch];
    }
    case 'consume': {
      const k = cmd.noAck ? model.ready.length : Math.min(cmd.n, model.ready.length);
      if (k === 0) return [s.control];
      const ch = await s.slot(cmd.slot);
      await withTimeout(ch.prefetch(cmd.n), OP_MS, 'basic.qos');
      const consumer = await startConsumer(ch, s.queue, { noAck: cmd.noAck });
      const got = await consumer.next(k, 30_000);
      await withTimeout(ch.cancel(consumer.tag), OP_MS, 'basic.cancel');
      assert.equal(consumer.messages.length, k, `consumer (prefetch ${cmd.n}, no-ack ${cmd.noAck}) got more than ${k} deliveries`);
      const expected = model.ready.splice(0, k);
      got.forEach((m, i) => expectDelivery(m, expected[i]!, `delivery ${i + 1} of ${k}`));
      if (!cmd.noAck) for (let i = 0; i < k; i++) model.unacked.push({ msg: expected[i]!, slot: cmd.slot, delivery: got[i]! });
      return [ch];
    }
    case 'ack':
    case 'nack': {
      const chosen = model.take(cmd.picks);
      const touched = new Set<ConfirmChannel>();
      for (const h of chosen) {
        const ch = s.slots[h.slot]!;
        touched.add(ch);
        if (cmd.kind === 'ack') ch.ack(h.delivery);
        else if (cmd.reject) ch.reject(h.delivery, cmd.requeue);
        else ch.nack(h.delivery, false, cmd.requeue);
      }
      if (cmd.kind === 'nack' && cmd.requeue) model.requeue(chosen);
      return touched.size === 0 ? [s.control] : [...touched];
    }
    case 'close': {
      const ch = s.slots[cmd.slot];
      if (ch === undefined) return [s.control];
      s.slots[cmd.slot] = undefined;
      await withTimeout(ch.close(), OP_MS, 'channel.close');
      model.closeSlot(cmd.slot);
      return [s.control];
    }
    case 'purge': {
      const { messageCount } = await withTimeout(s.control.purgeQueue(s.queue), OP_MS, 'queue.purge');
      assert.equal(messageCount, model.ready.length, 'purge-ok message-count');
      model.ready = [];
      return [s.control];
    }
    case 'restart': {
      if (cmd.closeClientsFirst) await s.clients.closeAll();
      const status = await broker!.terminate();
      assert.deepEqual(status, { code: 0, signal: null }, `clean shutdown:\n${broker!.output()}`);
      await s.reconnect();
      model.restart(false);
      return [s.control];
    }
    case 'kill': {
      await s.barrier();
      await broker!.kill();
      await s.reconnect();
      model.restart(true);
      return [s.control];
    }
  }
}

/** Requeues everything unacked (by closing the channels), then takes every message and compares. */
async function finalCheck(model: QueueModel, s: Session): Promise<void> {
  for (let i = 0; i < s.slots.length; i++) {
    const ch = s.slots[i];
    if (ch === undefined) continue;
    s.slots[i] = undefined;
    await withTimeout(ch.close(), OP_MS, 'channel.close');
    model.closeSlot(i);
  }
  assert.equal(await s.count(), model.ready.length, 'ready count (passive declare) at the end');
  const ch = await s.clients.channel(s.conn);
  const consumer = await startConsumer(ch, s.queue, { noAck: true });
  const got = await consumer.next(model.ready.length, 30_000);
  await withTimeout(ch.cancel(consumer.tag), OP_MS, 'basic.cancel');
  const show = (body: string, redelivered: boolean): string => `${labelOf(body)}${redelivered ? '*' : ''}`;
  assert.deepEqual(
    got.map((m) => show(text(m), m.fields.redelivered)),
    model.ready.map((m) => show(label(m), m.redelivered)),
    'the whole queue at the end (* redelivered)',
  );
  const damaged = got.filter((m, i) => text(m) !== bodyOf(model.ready[i]!));
  assert.deepEqual(damaged.map((m) => labelOf(text(m))), [], 'messages with damaged bodies at the end');
  assert.equal(consumer.messages.length, model.ready.length, 'more deliveries than messages at the end');
  assert.equal(await s.count(), 0, 'ready count after taking everything');
}

async function runCommands(commands: readonly Command[]): Promise<void> {
  const model = new QueueModel();
  const s = await Session.open(`warren-model-${process.pid}-${++runNumber}`);
  try {
    for (const [i, cmd] of commands.entries()) {
      try {
        const kind = cmd.kind === 'publish' && cmd.padded ? 'bulk publish' : cmd.kind;
        executed.set(kind, (executed.get(kind) ?? 0) + 1);
        const observeOn = await step(cmd, model, s);
        for (const ch of observeOn) assert.equal(await s.count(ch), model.ready.length, 'ready count (passive declare)');
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        const output = broker?.hasExited() === true ? `\nthe broker exited; its output:\n${broker.output()}` : '';
        throw new Error(`command ${i} ${JSON.stringify(cmd)}: ${message}\nmodel after it: ${model.describe()}${output}`, { cause: err });
      }
    }
    await finalCheck(model, s);
  } finally {
    await s.close().catch(() => undefined);
  }
}

before(async () => {
  dataDir = makeDataDir('warren-model-');
  await startBroker();
});

after(async () => {
  tornDown = true;
  await broker?.kill();
  removeDataDir(dataDir);
});

test('a durable queue behaves like its model across acks, requeues, restarts and kills', { timeout: 150_000 }, async (t) => {
  const seedEnv = process.env['WARREN_MODEL_SEED'];
  const pathEnv = process.env['WARREN_MODEL_PATH'];
  const started = Date.now();
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(commandArb, { minLength: 1, maxLength: MAX_COMMANDS, size: 'max' }), async (commands) => {
      runs++;
      await runCommands(commands);
    }),
    {
      numRuns: NUM_RUNS,
      interruptAfterTimeLimit: TIME_LIMIT_MS,
      includeErrorInReport: true,
      ...(seedEnv !== undefined && seedEnv !== '' ? { seed: Number(seedEnv) } : {}),
      ...(pathEnv !== undefined && pathEnv !== '' ? { path: pathEnv } : {}),
    },
  );
  t.diagnostic(`${runs} runs in ${Date.now() - started} ms; commands: ${[...executed].map(([k, n]) => `${k} ${n}`).join(', ')}`);
});
