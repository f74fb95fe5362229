import type { FieldTable } from '../protocol/field-types.js';
import type { Queue, QueueConsumer } from '../queue/queue.js';
import type { QueueEntry } from '../queue/message.js';
import type { Channel } from './channel.js';

/** A basic.consume subscription: a queue's view of one channel's consumer. */
export class Consumer implements QueueConsumer {
  /** Unacked deliveries made through this consumer (for per-consumer prefetch). */
  unacked = 0;

  constructor(
    readonly channel: Channel,
    readonly queue: Queue,
    readonly tag: string,
    readonly noAck: boolean,
    readonly exclusive: boolean,
    readonly priority: number,
    /** The channel's per-consumer prefetch when the consumer was created (0 = unlimited). */
    readonly prefetch: number,
    readonly args: FieldTable,
  ) {}

  canReceive(): boolean {
    const ch = this.channel;
    if (!ch.deliveriesAllowed()) return false;
    if (this.noAck) return true;
    if (this.prefetch !== 0 && this.unacked >= this.prefetch) return false;
    return ch.globalPrefetch === 0 || ch.unackedCount < ch.globalPrefetch;
  }

  deliver(queue: Queue, entry: QueueEntry): void {
    this.channel.deliver(this, queue, entry);
  }

  cancelledByQueue(): void {
    this.channel.consumerCancelledByQueue(this);
  }
}
