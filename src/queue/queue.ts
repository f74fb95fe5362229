import type { FieldTable } from '../protocol/field-types.js';
import { createReadyList, type ReadyList } from './ready-list.js';
import type { Message, QueueEntry } from './message.js';

/** What a queue needs from a consumer; the AMQP channel implements it. */
export interface QueueConsumer {
  readonly tag: string;
  readonly priority: number;
  readonly noAck: boolean;
  readonly exclusive: boolean;
  /** Credit, flow and socket back-pressure allow one more delivery now. */
  canReceive(): boolean;
  deliver(queue: Queue, entry: QueueEntry): void;
  /** The queue was deleted under the consumer (server-sent basic.cancel). */
  cancelledByQueue(queue: Queue): void;
}

export interface QueueOptions {
  readonly name: string;
  readonly vhost: string;
  readonly durable: boolean;
  readonly autoDelete: boolean;
  /** The connection that declared an exclusive queue; null otherwise. */
  readonly exclusiveOwner: object | null;
  readonly arguments: FieldTable;
  readonly maxPriority: number | undefined;
}

interface PriorityGroup {
  readonly priority: number;
  readonly start: number;
  readonly end: number;
  next: number;
}

/** Counters for the management API; rates are derived from them by sampling. */
export interface QueueStats {
  publish: number;
  deliver: number;
  deliverNoAck: number;
  get: number;
  getNoAck: number;
  ack: number;
  redeliver: number;
}

/**
 * A queue: ready messages in publish (or priority) order, consumers served round-robin within
 * the highest consumer priority that has credit, and a count of delivered-but-unacked messages
 * (the unacked messages themselves are held by the channels that received them).
 */
export class Queue {
  readonly name: string;
  readonly vhost: string;
  readonly durable: boolean;
  readonly autoDelete: boolean;
  readonly exclusiveOwner: object | null;
  readonly arguments: FieldTable;
  readonly maxPriority: number | undefined;
  private readonly ready: ReadyList<QueueEntry>;
  private consumerList: QueueConsumer[] = [];
  private groups: PriorityGroup[] = [];
  private nextSeq = 0;
  private dispatching = false;
  unackedCount = 0;
  hadConsumers = false;
  deleted = false;
  readonly stats: QueueStats = { publish: 0, deliver: 0, deliverNoAck: 0, get: 0, getNoAck: 0, ack: 0, redeliver: 0 };

  constructor(options: QueueOptions) {
    this.name = options.name;
    this.vhost = options.vhost;
    this.durable = options.durable;
    this.autoDelete = options.autoDelete;
    this.exclusiveOwner = options.exclusiveOwner;
    this.arguments = options.arguments;
    this.maxPriority = options.maxPriority;
    this.ready = createReadyList<QueueEntry>(options.maxPriority);
  }

  get messageCount(): number {
    return this.ready.length;
  }

  get consumerCount(): number {
    return this.consumerList.length;
  }

  get consumers(): readonly QueueConsumer[] {
    return this.consumerList;
  }

  get exclusiveConsumer(): QueueConsumer | undefined {
    const first = this.consumerList.length === 1 ? this.consumerList[0] : undefined;
    return first?.exclusive === true ? first : undefined;
  }

  enqueue(message: Message): void {
    this.stats.publish++;
    const entry: QueueEntry = { message, redelivered: false, seq: this.nextSeq++ };
    this.ready.push(entry, message.priority);
    this.dispatch();
  }

  /** basic.get: the next ready message, if any. */
  take(noAck: boolean): QueueEntry | undefined {
    const entry = this.ready.shift();
    if (entry === undefined) return undefined;
    if (noAck) this.stats.getNoAck++;
    else {
      this.stats.get++;
      this.unackedCount++;
    }
    if (entry.redelivered) this.stats.redeliver++;
    return entry;
  }

  /** An unacked message was acked or rejected without requeue. */
  settled(count: number): void {
    this.unackedCount -= count;
    this.stats.ack += count;
  }

  /**
   * Unacked messages come back to the head of the queue in their original order, marked
   * redelivered. `entries` must be in delivery order.
   */
  requeue(entries: readonly QueueEntry[]): void {
    if (this.deleted) return;
    const sorted = entries.length > 1 ? [...entries].sort((a, b) => a.seq - b.seq) : entries;
    for (let i = sorted.length - 1; i >= 0; i--) {
      const entry = sorted[i]!;
      entry.redelivered = true;
      this.ready.pushFront(entry, entry.message.priority);
    }
    this.unackedCount -= entries.length;
    this.dispatch();
  }

  purge(): number {
    return this.ready.clear().length;
  }

  addConsumer(consumer: QueueConsumer): void {
    this.consumerList.push(consumer);
    this.hadConsumers = true;
    this.regroup();
    this.dispatch();
  }

  /** Returns true when the queue should now be auto-deleted. */
  removeConsumer(consumer: QueueConsumer): boolean {
    const i = this.consumerList.indexOf(consumer);
    if (i < 0) return false;
    this.consumerList.splice(i, 1);
    this.regroup();
    return this.autoDelete && this.consumerList.length === 0;
  }

  /** Marks the queue deleted, cancels its consumers and returns the number of ready messages. */
  markDeleted(): number {
    this.deleted = true;
    const consumers = this.consumerList;
    this.consumerList = [];
    this.groups = [];
    for (const c of consumers) c.cancelledByQueue(this);
    return this.ready.clear().length;
  }

  /** Deliver ready messages while some consumer has credit. */
  dispatch(): void {
    if (this.dispatching || this.consumerList.length === 0) return;
    this.dispatching = true;
    try {
      while (this.ready.length > 0) {
        const consumer = this.nextConsumer();
        if (consumer === undefined) break;
        const entry = this.ready.shift()!;
        if (consumer.noAck) this.stats.deliverNoAck++;
        else {
          this.stats.deliver++;
          this.unackedCount++;
        }
        if (entry.redelivered) this.stats.redeliver++;
        consumer.deliver(this, entry);
      }
    } finally {
      this.dispatching = false;
    }
  }

  private nextConsumer(): QueueConsumer | undefined {
    const list = this.consumerList;
    for (const group of this.groups) {
      const size = group.end - group.start;
      for (let k = 0; k < size; k++) {
        const offset = (group.next + k) % size;
        const consumer = list[group.start + offset]!;
        if (consumer.canReceive()) {
          group.next = (offset + 1) % size;
          return consumer;
        }
      }
    }
    return undefined;
  }

  /** Consumers sorted by priority (stable), grouped so round-robin happens within a priority. */
  private regroup(): void {
    const list = this.consumerList;
    let sorted = true;
    for (let i = 1; i < list.length; i++) if (list[i]!.priority > list[i - 1]!.priority) sorted = false;
    if (!sorted) list.sort((a, b) => b.priority - a.priority);
    const groups: PriorityGroup[] = [];
    let start = 0;
    for (let i = 1; i <= list.length; i++) {
      if (i === list.length || list[i]!.priority !== list[start]!.priority) {
        const old = this.groups.find((g) => g.priority === list[start]!.priority);
        groups.push({ priority: list[start]!.priority, start, end: i, next: old === undefined ? 0 : old.next % (i - start) });
        start = i;
      }
    }
    this.groups = groups;
  }
}
