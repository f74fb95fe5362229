import type { QueueStats } from '../queue/queue.js';

/** An exchange's counters (see Exchange.stats). */
export interface ExchangeStats {
  readonly publishIn: number;
  readonly publishOut: number;
}

/**
 * Message counters summed over queues and exchanges: a queue's QueueStats fields and an
 * exchange's publishIn/publishOut. A virtual host keeps one for the queues and exchanges it
 * deleted, and the broker one for the virtual hosts it deleted, so that totals taken at any
 * moment (live objects plus these) never go down. Added to once per deleted object, never per
 * message.
 */
export class MessageCounters implements QueueStats, ExchangeStats {
  publishIn = 0;
  publishOut = 0;
  publish = 0;
  deliver = 0;
  deliverNoAck = 0;
  get = 0;
  getNoAck = 0;
  ack = 0;
  redeliver = 0;

  addQueue(s: QueueStats): void {
    this.publish += s.publish;
    this.deliver += s.deliver;
    this.deliverNoAck += s.deliverNoAck;
    this.get += s.get;
    this.getNoAck += s.getNoAck;
    this.ack += s.ack;
    this.redeliver += s.redeliver;
  }

  addExchange(s: ExchangeStats): void {
    this.publishIn += s.publishIn;
    this.publishOut += s.publishOut;
  }

  add(other: MessageCounters): void {
    this.addQueue(other);
    this.addExchange(other);
  }
}
