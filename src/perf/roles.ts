import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { AMQPClient } from '@cloudamqp/amqp-client';
import type { AMQPChannel, AMQPProperties } from '@cloudamqp/amqp-client';
import type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import { record } from './histogram.js';
import type { ClientName } from './options.js';
import { Counter, nowMs } from './stats.js';
import type { RoleStats } from './stats.js';

/** What every producer and consumer of a run shares. */
export interface RoleSettings {
  readonly url: string;
  readonly queue: string;
  readonly size: number;
  readonly persistent: boolean;
  readonly confirm: number;
  readonly prefetch: number;
  readonly autoAck: boolean;
  readonly multiAckEvery: number;
  readonly rate: number;
  readonly maxBacklog: number;
  readonly client: ClientName;
}

/** A connected producer or consumer. Consumers consume from the moment they are opened. */
export interface Role {
  /** Producers start publishing; `everyone` has the counters of all roles of the run. */
  start(everyone: readonly RoleStats[]): void;
  /** Stops publishing and closes the connection (bounded in time). */
  stop(): Promise<void>;
}

export type FatalHandler = (err: Error) => void;

/**
 * Without confirms, messages a producer may have handed to the socket but not yet seen written:
 * at most 2000, and at most ~4 MiB of them.
 */
function writeWindow(size: number): number {
  return Math.max(1, Math.min(2000, Math.floor((4 * 1024 * 1024) / (size + 64))));
}
/** Messages published in one go (one corked socket write) before yielding to the event loop. */
const BATCH = 200;
/** Longest wait for a connection to close at the end of a run. */
const CLOSE_TIMEOUT_MS = 2000;

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      () => {
        clearTimeout(timer);
        resolve(undefined);
      },
    );
  });
}

/**
 * amqplib is loaded only for --client amqplib: it is a development dependency of Warren, while
 * @cloudamqp/amqp-client ships with it.
 */
async function connectAmqplib(url: string, name: string): Promise<ChannelModel> {
  let mod: typeof import('amqplib');
  try {
    mod = await import('amqplib');
  } catch {
    throw new Error('--client amqplib needs the amqplib package: npm install amqplib');
  }
  const connect = mod.connect ?? (mod as unknown as { default: typeof import('amqplib') }).default.connect;
  return connect(url, { noDelay: true, clientProperties: { connection_name: name } });
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** A body of `size` bytes; bodies of 8 bytes or more start with the send time (float64 LE, ms). */
function makeBody(size: number): Buffer {
  return Buffer.alloc(size, 0x2e);
}

function stamp(body: Buffer): void {
  if (body.length >= 8) body.writeDoubleLE(nowMs(), 0);
}

/** Latency of a delivered body, or undefined when it carries no plausible timestamp. */
function latencyOf(body: Uint8Array): number | undefined {
  if (body.byteLength < 8) return undefined;
  const sent = new DataView(body.buffer, body.byteOffset, 8).getFloat64(0, true);
  const ms = nowMs() - sent;
  return ms > -1 && ms < 3_600_000 ? ms : undefined;
}

/**
 * The transport-independent part of a producer: pacing, the window of unsettled messages, waiting
 * while the broker blocks us or the socket is full, and yielding so that I/O can happen.
 */
abstract class Producer implements Role {
  protected running = false;
  protected inflight = 0;
  protected blocked = false;
  private waiter: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private stopping = false;

  /** The counters of every producer and consumer of the run, for --max-backlog. */
  private everyone: readonly RoleStats[] = [];

  constructor(
    protected readonly settings: RoleSettings,
    protected readonly stats: RoleStats,
    protected readonly onFatal: FatalHandler,
  ) {}

  /** Messages that may be unsettled at once. */
  protected abstract readonly window: number;
  /** False while the transport wants the socket to drain first. */
  protected abstract writable(): boolean;
  /** Publishes `count` messages (the caller has checked the window). */
  protected abstract publishBatch(count: number): void;
  protected abstract close(): Promise<void>;

  start(everyone: readonly RoleStats[]): void {
    this.everyone = everyone;
    this.running = true;
    this.loop = this.run().catch((err: unknown) => this.fatal(err));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.running = false;
    this.wake();
    await this.loop;
    // Let confirms of what was published arrive, briefly; then close.
    const until = Date.now() + 1000;
    while (this.settings.confirm > 0 && this.inflight > 0 && Date.now() < until) await delay(10);
    await withTimeout(this.close(), CLOSE_TIMEOUT_MS);
  }

  protected fatal(err: unknown): void {
    if (this.stopping) return;
    this.stopping = true;
    this.running = false;
    this.wake();
    this.onFatal(asError(err));
  }

  protected setBlocked(blocked: boolean): void {
    this.blocked = blocked;
    if (blocked) this.stats.counters[Counter.Blocked]! += 1;
    else this.wake();
  }

  /** Called when a message is settled (written or confirmed) or the socket drained. */
  protected wake(): void {
    const w = this.waiter;
    if (w !== undefined) {
      this.waiter = undefined;
      w();
    }
  }

  /** Messages sent but not yet received, over all producers and consumers of the run. */
  private backlog(): number {
    let n = 0;
    for (const s of this.everyone) n += s.counters[Counter.Published]! - s.counters[Counter.Received]!;
    return n;
  }

  private async run(): Promise<void> {
    const { rate } = this.settings;
    const counters = this.stats.counters;
    const startedAt = nowMs();
    let sentHere = 0;
    while (this.running) {
      if (this.blocked || this.inflight >= this.window || !this.writable()) {
        counters[Counter.Waits]! += 1;
        await new Promise<void>((resolve) => (this.waiter = resolve));
        continue;
      }
      let count = Math.min(BATCH, this.window - this.inflight);
      if (rate > 0) {
        const allowed = Math.floor((rate * (nowMs() - startedAt)) / 1000) - sentHere;
        if (allowed <= 0) {
          await delay(Math.max(1, Math.min(100, 1000 / rate)));
          continue;
        }
        count = Math.min(count, allowed);
      }
      if (this.settings.maxBacklog > 0) {
        const room = this.settings.maxBacklog - this.backlog();
        if (room <= 0) {
          counters[Counter.Waits]! += 1;
          await delay(1);
          continue;
        }
        count = Math.min(count, room);
      }
      this.publishBatch(count);
      sentHere += count;
      await yieldToLoop();
    }
  }
}

class AmqpClientProducer extends Producer {
  protected readonly window: number;
  private readonly body: Buffer;
  private readonly properties: AMQPProperties;
  private readonly settle = () => {
    this.inflight--;
    if (this.settings.confirm > 0) this.stats.counters[Counter.Confirmed]! += 1;
    if (this.inflight < this.window) this.wake();
  };
  private readonly failed = (err: unknown) => {
    this.inflight--;
    if (this.settings.confirm > 0 && !this.stoppingOrClosed() && /rejected/i.test(asError(err).message)) {
      this.stats.counters[Counter.Nacked]! += 1;
      this.wake();
      return;
    }
    this.fatal(err);
  };

  constructor(
    settings: RoleSettings,
    stats: RoleStats,
    onFatal: FatalHandler,
    private readonly conn: AMQPClient,
    private readonly channel: AMQPChannel,
  ) {
    super(settings, stats, onFatal);
    this.window = settings.confirm > 0 ? settings.confirm : writeWindow(settings.size);
    this.body = makeBody(settings.size);
    this.properties = settings.persistent ? { deliveryMode: 2 } : {};
    conn.onblocked = () => this.setBlocked(true);
    conn.onunblocked = () => this.setBlocked(false);
    conn.onerror = (err) => this.fatal(err);
    conn.ondisconnect = (err) => this.fatal(err ?? new Error('the producer connection was lost'));
  }

  static async open(settings: RoleSettings, stats: RoleStats, onFatal: FatalHandler): Promise<Producer> {
    const conn = new AMQPClient(settings.url);
    conn.name = 'warrenperf producer';
    await conn.connect();
    conn.socket?.setNoDelay(true); // as RabbitMQ's clients do; Node's default leaves Nagle on
    const channel = await conn.channel();
    if (settings.confirm > 0) await channel.confirmSelect();
    return new AmqpClientProducer(settings, stats, onFatal, conn, channel);
  }

  private stoppingOrClosed(): boolean {
    return !this.running || this.conn.closed;
  }

  protected writable(): boolean {
    return true; // the window counts messages not yet written, so it bounds the socket buffer
  }

  protected publishBatch(count: number): void {
    const { channel, body, properties } = this;
    const counters = this.stats.counters;
    const queue = this.settings.queue;
    const socket = this.conn.socket;
    socket?.cork();
    for (let i = 0; i < count; i++) {
      stamp(body); // basicPublish copies the body into its frame buffer before returning
      this.inflight++;
      channel.basicPublish('', queue, body, properties).then(this.settle, this.failed);
    }
    counters[Counter.Published]! += count;
    socket?.uncork();
  }

  protected async close(): Promise<void> {
    this.conn.onerror = () => {};
    try {
      await withTimeout(this.conn.close(), CLOSE_TIMEOUT_MS);
    } finally {
      this.conn.socket?.destroy();
    }
  }
}

class AmqplibProducer extends Producer {
  protected readonly window: number;
  private drained = true;
  private readonly template: Buffer;
  private readonly options: { persistent: boolean };
  private readonly confirmed = (err: unknown) => {
    this.inflight--;
    if (err === null || err === undefined) this.stats.counters[Counter.Confirmed]! += 1;
    else this.stats.counters[Counter.Nacked]! += 1;
    if (this.inflight < this.window) this.wake();
  };

  constructor(
    settings: RoleSettings,
    stats: RoleStats,
    onFatal: FatalHandler,
    private readonly conn: ChannelModel,
    private readonly channel: Channel | ConfirmChannel,
  ) {
    super(settings, stats, onFatal);
    this.window = settings.confirm > 0 ? settings.confirm : Number.MAX_SAFE_INTEGER;
    this.template = makeBody(settings.size);
    this.options = { persistent: settings.persistent };
    channel.on('drain', () => {
      this.drained = true;
      this.wake();
    });
    conn.on('blocked', () => this.setBlocked(true));
    conn.on('unblocked', () => this.setBlocked(false));
    conn.on('error', (err: Error) => this.fatal(err));
    conn.on('close', () => this.fatal(new Error('the broker closed the producer connection')));
    channel.on('error', (err: Error) => this.fatal(err));
  }

  static async open(settings: RoleSettings, stats: RoleStats, onFatal: FatalHandler): Promise<Producer> {
    const conn = await connectAmqplib(settings.url, 'warrenperf producer');
    const channel = settings.confirm > 0 ? await conn.createConfirmChannel() : await conn.createChannel();
    return new AmqplibProducer(settings, stats, onFatal, conn, channel);
  }

  protected writable(): boolean {
    return this.drained;
  }

  protected publishBatch(count: number): void {
    const { channel, template, options } = this;
    const queue = this.settings.queue;
    const confirm = this.settings.confirm > 0;
    let sent = 0;
    for (let i = 0; i < count; i++) {
      // amqplib may keep a reference to the body until it is written, so each message gets its own.
      const body = Buffer.from(template);
      stamp(body);
      sent++;
      let ok: boolean;
      if (confirm) {
        this.inflight++;
        ok = (channel as ConfirmChannel).publish('', queue, body, options, this.confirmed);
      } else {
        ok = channel.publish('', queue, body, options);
      }
      if (!ok) {
        this.drained = false;
        break;
      }
    }
    this.stats.counters[Counter.Published]! += sent;
  }

  protected async close(): Promise<void> {
    this.conn.removeAllListeners('close');
    this.conn.removeAllListeners('error');
    this.conn.on('error', () => {});
    this.channel.removeAllListeners('error');
    this.channel.on('error', () => {});
    await withTimeout(this.conn.close(), CLOSE_TIMEOUT_MS);
  }
}

/** Counts deliveries, records latency and decides when to ack; the transport sends the acks. */
abstract class Consumer implements Role {
  protected stopping = false;
  private unacked = 0;
  private lastTag = 0;
  private readonly flushTimer: NodeJS.Timeout | undefined;

  constructor(
    protected readonly settings: RoleSettings,
    protected readonly stats: RoleStats,
    protected readonly onFatal: FatalHandler,
  ) {
    if (!settings.autoAck && settings.multiAckEvery > 1) {
      // Ack stragglers when the flow slows down, so no message waits for a full batch forever.
      this.flushTimer = setInterval(() => this.flushAcks(), 100);
    }
  }

  protected abstract ack(deliveryTag: number, multiple: boolean): void;
  protected abstract close(): Promise<void>;

  start(_everyone: readonly RoleStats[]): void {}

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.flushTimer !== undefined) clearInterval(this.flushTimer);
    await withTimeout(this.close(), CLOSE_TIMEOUT_MS);
  }

  protected delivered(body: Uint8Array, deliveryTag: number): void {
    const stats = this.stats;
    stats.counters[Counter.Received]! += 1;
    const ms = latencyOf(body);
    if (ms !== undefined) record(stats.latency, ms);
    if (this.settings.autoAck || this.stopping) return;
    const every = this.settings.multiAckEvery;
    if (every <= 1) {
      this.ack(deliveryTag, false);
      return;
    }
    this.lastTag = deliveryTag;
    if (++this.unacked >= every) this.flushAcks();
  }

  private flushAcks(): void {
    if (this.unacked === 0 || this.stopping) return;
    this.unacked = 0;
    this.ack(this.lastTag, true);
  }

  protected fatal(err: unknown): void {
    if (this.stopping) return;
    this.stopping = true;
    this.onFatal(asError(err));
  }
}

class AmqpClientConsumer extends Consumer {
  private corked = false;
  private readonly uncork = () => {
    this.corked = false;
    this.conn.socket?.uncork();
  };
  private readonly ignore = () => {};

  constructor(
    settings: RoleSettings,
    stats: RoleStats,
    onFatal: FatalHandler,
    private readonly conn: AMQPClient,
    private readonly channel: AMQPChannel,
  ) {
    super(settings, stats, onFatal);
    conn.onerror = (err) => this.fatal(err);
    conn.ondisconnect = (err) => this.fatal(err ?? new Error('the consumer connection was lost'));
  }

  static async open(settings: RoleSettings, stats: RoleStats, onFatal: FatalHandler): Promise<Consumer> {
    const conn = new AMQPClient(settings.url);
    conn.name = 'warrenperf consumer';
    await conn.connect();
    conn.socket?.setNoDelay(true);
    const channel = await conn.channel();
    if (settings.prefetch > 0) await channel.basicQos(settings.prefetch);
    let consumer: AmqpClientConsumer | undefined;
    const early: Array<[Uint8Array, number]> = [];
    const empty = new Uint8Array(0);
    await channel.basicConsume(settings.queue, { noAck: settings.autoAck }, (msg) => {
      const body = msg.body ?? empty;
      if (consumer !== undefined) consumer.delivered(body, msg.deliveryTag);
      else early.push([body, msg.deliveryTag]);
    });
    consumer = new AmqpClientConsumer(settings, stats, onFatal, conn, channel);
    for (const [body, tag] of early) consumer.delivered(body, tag);
    return consumer;
  }

  protected ack(deliveryTag: number, multiple: boolean): void {
    // Acks of one read from the socket leave in one write.
    if (!this.corked) {
      this.corked = true;
      this.conn.socket?.cork();
      process.nextTick(this.uncork);
    }
    this.channel.basicAck(deliveryTag, multiple).catch(this.ignore);
  }

  protected async close(): Promise<void> {
    this.conn.onerror = () => {};
    try {
      await withTimeout(this.conn.close(), CLOSE_TIMEOUT_MS);
    } finally {
      this.conn.socket?.destroy();
    }
  }
}

class AmqplibConsumer extends Consumer {
  private readonly tags = new Map<number, ConsumeMessage>();

  constructor(
    settings: RoleSettings,
    stats: RoleStats,
    onFatal: FatalHandler,
    private readonly conn: ChannelModel,
    private readonly channel: Channel,
  ) {
    super(settings, stats, onFatal);
    conn.on('error', (err: Error) => this.fatal(err));
    conn.on('close', () => this.fatal(new Error('the broker closed the consumer connection')));
    channel.on('error', (err: Error) => this.fatal(err));
  }

  static async open(settings: RoleSettings, stats: RoleStats, onFatal: FatalHandler): Promise<Consumer> {
    const conn = await connectAmqplib(settings.url, 'warrenperf consumer');
    const channel = await conn.createChannel();
    if (settings.prefetch > 0) await channel.prefetch(settings.prefetch);
    let consumer: AmqplibConsumer | undefined;
    const early: ConsumeMessage[] = [];
    await channel.consume(
      settings.queue,
      (msg) => {
        if (msg === null) {
          consumer?.cancelled();
          return;
        }
        if (consumer !== undefined) consumer.onMessage(msg);
        else early.push(msg);
      },
      { noAck: settings.autoAck },
    );
    consumer = new AmqplibConsumer(settings, stats, onFatal, conn, channel);
    for (const msg of early) consumer.onMessage(msg);
    return consumer;
  }

  private onMessage(msg: ConsumeMessage): void {
    // amqplib acks take the message object; keep only the one an ack may need next.
    if (!this.settings.autoAck) {
      this.tags.clear();
      this.tags.set(msg.fields.deliveryTag, msg);
    }
    this.delivered(msg.content, msg.fields.deliveryTag);
  }

  private cancelled(): void {
    this.fatal(new Error('the broker cancelled the consumer'));
  }

  protected ack(deliveryTag: number, multiple: boolean): void {
    const msg = this.tags.get(deliveryTag);
    if (msg !== undefined) this.channel.ack(msg, multiple);
  }

  protected async close(): Promise<void> {
    this.conn.removeAllListeners('close');
    this.conn.removeAllListeners('error');
    this.conn.on('error', () => {});
    this.channel.removeAllListeners('error');
    this.channel.on('error', () => {});
    await withTimeout(this.conn.close(), CLOSE_TIMEOUT_MS);
  }
}

/** Connects one producer or consumer with the chosen client library. */
export function openRole(
  kind: 'producer' | 'consumer',
  settings: RoleSettings,
  stats: RoleStats,
  onFatal: FatalHandler,
): Promise<Role> {
  if (settings.client === 'amqplib') {
    return kind === 'producer'
      ? AmqplibProducer.open(settings, stats, onFatal)
      : AmqplibConsumer.open(settings, stats, onFatal);
  }
  return kind === 'producer'
    ? AmqpClientProducer.open(settings, stats, onFatal)
    : AmqpClientConsumer.open(settings, stats, onFatal);
}
