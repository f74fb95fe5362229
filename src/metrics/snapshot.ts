import type { Broker } from '../server/broker.js';
import { MessageCounters } from '../broker/message-counters.js';

/** The figures of one queue that its series show. */
export interface QueueRow {
  /** `{ vhost, queue }`, shared by the queue's series. */
  readonly labels: Readonly<{ vhost: string; queue: string }>;
  readonly ready: number;
  readonly unacked: number;
  readonly consumers: number;
  readonly readyBytes: number;
}

export interface ObjectCounts {
  readonly connections: number;
  readonly channels: number;
  readonly consumers: number;
  readonly queues: number;
}

/**
 * A value computed at most once per scrape: prom-client calls every metric's collect() in one
 * synchronous pass, so the first call computes it and a microtask forgets it once that pass is
 * over. Several metrics then share one walk over the broker's objects and agree with each other
 * (messages = ready + unacked).
 */
class PerScrape<T> {
  private value: T | undefined;

  constructor(private readonly compute: () => T) {}

  get(): T {
    let v = this.value;
    if (v === undefined) {
      v = this.value = this.compute();
      queueMicrotask(() => {
        this.value = undefined;
      });
    }
    return v;
  }
}

/** What the metrics read from the broker, walked once per scrape. */
export class BrokerSnapshot {
  readonly totals = new PerScrape(() => messageTotals(this.broker));
  readonly counts = new PerScrape(() => objectCounts(this.broker));
  readonly queues = new PerScrape(() => queueRows(this.broker));

  constructor(private readonly broker: Broker) {}
}

/**
 * Message counters of the whole broker since it started: every live queue and exchange plus those
 * deleted (kept by their vhost), every vhost's publishing counters, and those of deleted vhosts
 * (kept by the broker).
 */
export function messageTotals(broker: Broker): MessageCounters {
  const t = new MessageCounters();
  t.add(broker.retired);
  for (const v of broker.vhosts.values()) v.addTotals(t);
  return t;
}

function objectCounts(broker: Broker): ObjectCounts {
  let channels = 0;
  let consumers = 0;
  for (const c of broker.connections) {
    channels += c.channels.size;
    for (const ch of c.channels.values()) consumers += ch.consumers.size;
  }
  let queues = 0;
  for (const v of broker.vhosts.values()) queues += v.queues.size;
  return { connections: broker.connections.size, channels, consumers, queues };
}

function queueRows(broker: Broker): QueueRow[] {
  const rows: QueueRow[] = [];
  for (const v of broker.vhosts.values()) {
    for (const q of v.queues.values()) {
      rows.push({ labels: { vhost: v.name, queue: q.name }, ready: q.messageCount, unacked: q.unackedCount, consumers: q.consumerCount, readyBytes: q.messageBytes });
    }
  }
  return rows;
}
