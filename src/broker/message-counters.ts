import type { QueueStats } from '../queue/queue.js';

/** An exchange's counters (see Exchange.stats). */
export interface ExchangeStats {
  readonly publishIn: number;
  readonly publishOut: number;
}

/**
 * What a virtual host's channels count on the publishing side, as RabbitMQ 3.10.8's channels do
 * (its management API's `confirm`, `return_unroutable` and `drop_unroutable`, and the Prometheus
 * counters `rabbitmq_global_messages_confirmed_total`, `_received_confirm_total`,
 * `_unroutable_returned_total` and `_unroutable_dropped_total`). Channels come and go, so the
 * vhost keeps them (VirtualHost.publishing) and the broker those of deleted vhosts. A channel adds
 * to them once per batch of confirms and once per unroutable message, never per routed message.
 */
export class PublishCounters {
  /** Messages confirmed to publishers with basic.ack (a nacked one is not counted). */
  confirm = 0;
  /** Messages received on channels in confirm mode or in a transaction (RabbitMQ counts both). */
  receivedConfirm = 0;
  /** Unroutable mandatory messages sent back with basic.return. */
  returnUnroutable = 0;
  /** Unroutable messages that were not mandatory, dropped. */
  dropUnroutable = 0;

  addPublishing(s: PublishCounters): void {
    this.confirm += s.confirm;
    this.receivedConfirm += s.receivedConfirm;
    this.returnUnroutable += s.returnUnroutable;
    this.dropUnroutable += s.dropUnroutable;
  }
}

/**
 * Message counters summed over queues, exchanges and vhosts: a queue's QueueStats fields, an
 * exchange's publishIn/publishOut and a vhost's PublishCounters. A virtual host keeps one for the
 * queues and exchanges it deleted, and the broker one for the virtual hosts it deleted, so that
 * totals taken at any moment (live objects plus these) never go down. Added to once per deleted
 * object, never per message.
 */
export class MessageCounters extends PublishCounters implements QueueStats, ExchangeStats {
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
    this.addPublishing(other);
  }
}

/**
 * One channel's message counters: RabbitMQ's channel `message_stats` (publish, confirm,
 * return_unroutable, drop_unroutable, deliver, deliver_no_ack, get, get_no_ack, get_empty,
 * redeliver, ack). Kept by the channel (Channel.counters) and gone with it, as in RabbitMQ; the
 * vhost's totals come from queues, exchanges and PublishCounters, not from these. At most one
 * increment per message; confirms and acks are added once per batch.
 */
export class ChannelCounters {
  publish = 0;
  confirm = 0;
  returnUnroutable = 0;
  dropUnroutable = 0;
  deliver = 0;
  deliverNoAck = 0;
  get = 0;
  getNoAck = 0;
  getEmpty = 0;
  redeliver = 0;
  ack = 0;
}
