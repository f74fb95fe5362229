import { statfs } from 'node:fs';
import { openFileDescriptors } from '../../server/process-info.js';
import type { Broker } from '../../server/broker.js';
import type { VirtualHost } from '../../broker/vhost.js';
import type { Exchange } from '../../broker/exchange.js';
import type { Queue } from '../../queue/queue.js';
import type { Connection } from '../../amqp/connection.js';
import type { Channel } from '../../amqp/channel.js';
import { Series } from './series.js';
import { CHANNEL_FIELDS, CHURN_FIELDS, DATA_FIELDS, EXCHANGE_FIELDS, GLOBAL_FIELDS, NODE_FIELDS, QUEUE_FIELDS, VHOST_FIELDS } from './fields.js';

export interface StatsOptions {
  /** How often counters are sampled (RabbitMQ's collect_statistics_interval). Default 5000 ms. */
  readonly intervalMs?: number;
  /** How much history is kept for `*_details.samples`. Default 600 s (RabbitMQ's basic policy). */
  readonly retentionMs?: number;
}

const Q = (name: (typeof QUEUE_FIELDS)[number]): number => QUEUE_FIELDS.indexOf(name);
const V = (name: (typeof VHOST_FIELDS)[number]): number => VHOST_FIELDS.indexOf(name);
/**
 * For each queue field, where it adds up in a vhost's totals. A queue's `publish` is not added: a
 * vhost's publishes are its exchanges' `publish_in` (a message routed to two queues is one publish,
 * and one routed nowhere is one too), as RabbitMQ counts them.
 */
const QUEUE_TO_VHOST = QUEUE_FIELDS.map((f) => (f === 'publish' ? -1 : VHOST_FIELDS.indexOf(f as (typeof VHOST_FIELDS)[number])));
const LENGTH_START = Q('messages');
const RECV = V('recv_oct');
const SEND = V('send_oct');
const PUBLISH = V('publish');
const CONFIRM = V('confirm');
const RETURN_UNROUTABLE = V('return_unroutable');
const DROP_UNROUTABLE = V('drop_unroutable');

/** A queue's counters in QUEUE_FIELDS order. */
export function queueCounters(q: Queue, out: Float64Array = new Float64Array(QUEUE_FIELDS.length)): Float64Array {
  const s = q.stats;
  const ready = q.messageCount;
  out[Q('ack')] = s.ack;
  out[Q('deliver')] = s.deliver;
  out[Q('deliver_get')] = s.deliver + s.deliverNoAck + s.get + s.getNoAck;
  out[Q('deliver_no_ack')] = s.deliverNoAck;
  out[Q('get')] = s.get;
  out[Q('get_empty')] = 0;
  out[Q('get_no_ack')] = s.getNoAck;
  out[Q('publish')] = s.publish;
  out[Q('redeliver')] = s.redeliver;
  out[Q('messages')] = ready + q.unackedCount;
  out[Q('messages_ready')] = ready;
  out[Q('messages_unacknowledged')] = q.unackedCount;
  return out;
}

const C = (name: (typeof CHANNEL_FIELDS)[number]): number => CHANNEL_FIELDS.indexOf(name);

/** A channel's message counters in CHANNEL_FIELDS order. */
export function channelCounters(ch: Channel, out: Float64Array = new Float64Array(CHANNEL_FIELDS.length)): Float64Array {
  const s = ch.counters;
  out[C('ack')] = s.ack;
  out[C('confirm')] = s.confirm;
  out[C('deliver')] = s.deliver;
  out[C('deliver_get')] = s.deliver + s.deliverNoAck + s.get + s.getNoAck;
  out[C('deliver_no_ack')] = s.deliverNoAck;
  out[C('drop_unroutable')] = s.dropUnroutable;
  out[C('get')] = s.get;
  out[C('get_empty')] = s.getEmpty;
  out[C('get_no_ack')] = s.getNoAck;
  out[C('publish')] = s.publish;
  out[C('redeliver')] = s.redeliver;
  out[C('return_unroutable')] = s.returnUnroutable;
  return out;
}

function connectionCounters(c: Connection, out: Float64Array): Float64Array {
  out[0] = c.socket.bytesRead;
  out[1] = c.socket.bytesWritten;
  return out;
}

/**
 * The management plugin's statistics database: one timer samples the counters of every queue,
 * exchange, connection, channel, vhost and the node, keeping the last two samples (rates) and, for
 * objects that changed recently, the samples of the retention window (charts). Counters are
 * read from the objects, never counted per message here. Counters of objects that are gone stay
 * in their vhost's totals, so totals only grow (a channel's own counters are not part of them).
 */
export class StatsDb {
  readonly intervalMs: number;
  readonly retentionMs: number;
  private readonly capacity: number;
  private tick = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly queues = new Map<Queue, Series>();
  private readonly exchanges = new Map<Exchange, Series>();
  private readonly exchangeVhost = new Map<Exchange, string>();
  private readonly connections = new Map<Connection, Series>();
  private readonly connectionVhost = new Map<Connection, string>();
  private readonly channels = new Map<Channel, Series>();
  private readonly vhosts = new Map<string, Series>();
  /** Cumulative counters of objects that are gone, per vhost (VHOST_FIELDS order). */
  private readonly retired = new Map<string, Float64Array>();
  /** Cumulative counters of deleted vhosts. */
  private readonly retiredGlobal = new Float64Array(VHOST_FIELDS.length);
  readonly global = new Series(GLOBAL_FIELDS.length);
  readonly node = new Series(NODE_FIELDS.length);
  private readonly churn = new Float64Array(CHURN_FIELDS.length);
  /** When each connection was first seen (Connection has no timestamp of its own). */
  private readonly firstSeen = new WeakMap<object, number>();
  private diskFree = 0;
  private readonly scratch = new Float64Array(Math.max(QUEUE_FIELDS.length, VHOST_FIELDS.length));

  constructor(
    private readonly broker: Broker,
    options: StatsOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 5000;
    this.retentionMs = options.retentionMs ?? 600_000;
    this.capacity = Math.ceil(this.retentionMs / this.intervalMs) + 1;
  }

  start(): void {
    if (this.timer !== null) return;
    this.sample();
    this.timer = setInterval(() => {
      try {
        this.sample();
      } catch (err) {
        this.broker.log.error({ err }, 'management statistics sampling failed');
      }
    }, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  queueSeries(q: Queue): Series | undefined {
    return this.queues.get(q);
  }

  exchangeSeries(x: Exchange): Series | undefined {
    return this.exchanges.get(x);
  }

  connectionSeries(c: Connection): Series | undefined {
    return this.connections.get(c);
  }

  channelSeries(ch: Channel): Series | undefined {
    return this.channels.get(ch);
  }

  vhostSeries(name: string): Series | undefined {
    return this.vhosts.get(name);
  }

  /** When an object was first seen by the statistics (its creation time, to the sampling interval). */
  seenSince(o: Connection | Channel | Queue): number {
    let t = this.firstSeen.get(o);
    if (t === undefined) this.firstSeen.set(o, (t = Date.now()));
    return t;
  }

  get freeDisk(): number {
    return this.diskFree;
  }

  churnCounters(): Float64Array {
    return this.churn;
  }

  /** A vhost's counters now (VHOST_FIELDS order): its live objects plus those that are gone. */
  vhostTotals(v: VirtualHost, out: Float64Array = new Float64Array(VHOST_FIELDS.length)): Float64Array {
    out.fill(0);
    const retired = this.retired.get(v.name);
    if (retired !== undefined) out.set(retired);
    const q = this.scratch;
    for (const queue of v.queues.values()) this.addQueue(out, queueCounters(queue, q));
    for (const [queue, series] of this.queues) if (queue.vhost === v.name && queue.deleted) this.addQueue(out, series.last, false);
    // Counted by the vhost itself (channels come and go), so nothing of them is ever retired here.
    const p = v.publishing;
    out[CONFIRM]! += p.confirm;
    out[RETURN_UNROUTABLE]! += p.returnUnroutable;
    out[DROP_UNROUTABLE]! += p.dropUnroutable;
    for (const x of v.exchanges.values()) out[PUBLISH]! += x.stats.publishIn;
    for (const [x, series] of this.exchanges) {
      if (this.exchangeVhost.get(x) === v.name && v.exchanges.get(x.name) !== x) out[PUBLISH]! += series.last[0]!;
    }
    for (const [c, series] of this.connections) {
      if (this.connectionVhost.get(c) !== v.name) continue;
      const live = this.broker.connections.has(c);
      out[RECV]! += live ? c.socket.bytesRead : series.last[0]!;
      out[SEND]! += live ? c.socket.bytesWritten : series.last[1]!;
    }
    for (const c of this.broker.connections) {
      if (c.vhost === v && !this.connections.has(c)) {
        out[RECV]! += c.socket.bytesRead;
        out[SEND]! += c.socket.bytesWritten;
      }
    }
    return out;
  }

  /** The whole broker's counters now (GLOBAL_FIELDS order). */
  globalTotals(vhosts: Iterable<VirtualHost> = this.broker.vhosts.values()): Float64Array {
    const out = new Float64Array(GLOBAL_FIELDS.length);
    const per = new Float64Array(VHOST_FIELDS.length);
    for (const v of vhosts) addToGlobal(out, this.vhostTotals(v, per));
    addToGlobal(out, this.retiredGlobal);
    return out;
  }

  private addQueue(out: Float64Array, counters: ArrayLike<number>, withLengths = true): void {
    for (let i = 0; i < QUEUE_FIELDS.length; i++) {
      const to = QUEUE_TO_VHOST[i]!;
      if (to >= 0 && (withLengths || i < LENGTH_START)) out[to]! += counters[i]!;
    }
  }

  /** Takes one sample of everything (the timer's work; tests call it to avoid waiting). */
  sample(now = Date.now()): void {
    const tick = ++this.tick;
    const window = this.retentionMs;
    const q = new Float64Array(QUEUE_FIELDS.length);
    const x = new Float64Array(EXCHANGE_FIELDS.length);
    const d = new Float64Array(DATA_FIELDS.length);
    const chv = new Float64Array(CHANNEL_FIELDS.length);
    for (const v of this.broker.vhosts.values()) {
      for (const queue of v.queues.values()) {
        let s = this.queues.get(queue);
        if (s === undefined) {
          this.queues.set(queue, (s = new Series(QUEUE_FIELDS.length)));
          this.seenSince(queue);
          this.count('queue_created');
          this.count('queue_declared');
        }
        s.seenTick = tick;
        s.record(now, queueCounters(queue, q), this.capacity, window);
      }
      for (const ex of v.exchanges.values()) {
        let s = this.exchanges.get(ex);
        if (s === undefined) {
          this.exchanges.set(ex, (s = new Series(EXCHANGE_FIELDS.length)));
          this.exchangeVhost.set(ex, v.name);
        }
        s.seenTick = tick;
        x[0] = ex.stats.publishIn;
        x[1] = ex.stats.publishOut;
        s.record(now, x, this.capacity, window);
      }
    }
    for (const c of this.broker.connections) {
      let s = this.connections.get(c);
      if (s === undefined) {
        this.connections.set(c, (s = new Series(DATA_FIELDS.length)));
        this.connectionVhost.set(c, c.vhost?.name ?? '');
        this.seenSince(c);
        this.count('connection_created');
      }
      s.seenTick = tick;
      s.record(now, connectionCounters(c, d), this.capacity, window);
      for (const ch of c.channels.values()) {
        let cs = this.channels.get(ch);
        if (cs === undefined) {
          this.channels.set(ch, (cs = new Series(CHANNEL_FIELDS.length)));
          this.seenSince(ch);
          this.count('channel_created');
        }
        cs.seenTick = tick;
        cs.record(now, channelCounters(ch, chv), this.capacity, window);
      }
    }
    // Totals include what just went away, then the objects that went are retired.
    const totals = new Float64Array(VHOST_FIELDS.length);
    const global = new Float64Array(GLOBAL_FIELDS.length);
    for (const v of this.broker.vhosts.values()) {
      let s = this.vhosts.get(v.name);
      if (s === undefined) this.vhosts.set(v.name, (s = new Series(VHOST_FIELDS.length)));
      s.seenTick = tick;
      s.record(now, this.vhostTotals(v, totals), this.capacity, window);
      addToGlobal(global, totals);
    }
    // Vhosts deleted since the last tick move their counters to retiredGlobal here.
    this.retireGone(tick);
    addToGlobal(global, this.retiredGlobal);
    this.global.record(now, global, this.capacity, window);
    this.sampleNode(now, window);
  }

  private count(name: (typeof CHURN_FIELDS)[number]): void {
    this.churn[CHURN_FIELDS.indexOf(name)]! += 1;
  }

  private retiredOf(vhost: string): Float64Array {
    let r = this.retired.get(vhost);
    if (r === undefined) this.retired.set(vhost, (r = new Float64Array(VHOST_FIELDS.length)));
    return r;
  }

  private retireGone(tick: number): void {
    for (const [queue, s] of this.queues) {
      if (s.seenTick === tick) continue;
      this.queues.delete(queue);
      this.addQueue(this.retiredOf(queue.vhost), s.last, false);
      this.count('queue_deleted');
    }
    for (const [ex, s] of this.exchanges) {
      if (s.seenTick === tick) continue;
      this.exchanges.delete(ex);
      this.retiredOf(this.exchangeVhost.get(ex) ?? '')[PUBLISH]! += s.last[0]!;
      this.exchangeVhost.delete(ex);
    }
    for (const [c, s] of this.connections) {
      if (s.seenTick === tick) continue;
      this.connections.delete(c);
      const r = this.retiredOf(this.connectionVhost.get(c) ?? '');
      r[RECV]! += s.last[0]!;
      r[SEND]! += s.last[1]!;
      this.connectionVhost.delete(c);
      this.count('connection_closed');
    }
    // A channel's counters go with it (RabbitMQ's do too): its vhost's totals never included them.
    for (const [ch, s] of this.channels) {
      if (s.seenTick === tick) continue;
      this.channels.delete(ch);
      this.count('channel_closed');
    }
    for (const [name, s] of this.vhosts) {
      if (s.seenTick === tick) continue;
      this.vhosts.delete(name);
      // Its last sample holds all its counters (those of its retired objects included).
      this.retired.delete(name);
      for (let i = 0; i < VHOST_FIELDS.length; i++) {
        if (i < V('messages') || i >= RECV) this.retiredGlobal[i]! += s.last[i]!;
      }
    }
  }

  private sampleNode(now: number, window: number): void {
    const n = new Float64Array(NODE_FIELDS.length);
    const set = (name: (typeof NODE_FIELDS)[number], value: number) => {
      n[NODE_FIELDS.indexOf(name)] = value;
    };
    const storage = this.broker.storageStats();
    set('mem_used', process.memoryUsage().rss);
    set('fd_used', openFileDescriptors() ?? 0);
    set('sockets_used', this.broker.connections.size);
    set('disk_free', this.diskFree);
    set('io_sync_count', storage.syncs);
    set('io_write_bytes', storage.bytesWritten);
    for (let i = 0; i < CHURN_FIELDS.length; i++) set(CHURN_FIELDS[i]!, this.churn[i]!);
    this.node.record(now, n, this.capacity, window);
    statfs(this.broker.options.dataDir ?? process.cwd(), (err, stats) => {
      if (err === null) this.diskFree = stats.bavail * stats.bsize;
    });
  }
}

/** Where each vhost field adds up in the global totals. */
const VHOST_TO_GLOBAL = VHOST_FIELDS.map((f) => GLOBAL_FIELDS.indexOf(f));

function addToGlobal(out: Float64Array, vhostValues: Float64Array): void {
  for (let i = 0; i < VHOST_TO_GLOBAL.length; i++) out[VHOST_TO_GLOBAL[i]!]! += vhostValues[i]!;
}
