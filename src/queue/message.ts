import type { BasicProperties } from '../protocol/generated/properties.js';

/**
 * A published message as the broker keeps it: where it was published, its decoded properties,
 * the content-header payload exactly as received (sent back out unchanged unless a property is
 * rewritten) and its body.
 */
export class Message {
  constructor(
    readonly exchange: string,
    readonly routingKey: string,
    readonly properties: BasicProperties,
    /** Raw content-header frame payload: class id, weight, body size, flags, properties. */
    readonly header: Buffer,
    readonly body: Buffer,
    /** The `expiration` property parsed to milliseconds, if the message has one. */
    readonly ttl: number | undefined = undefined,
  ) {}

  get persistent(): boolean {
    return this.properties.deliveryMode === 2;
  }

  get priority(): number {
    return this.properties.priority ?? 0;
  }
}

/** A message's place in one queue: the same Message may sit in many queues. */
export interface QueueEntry {
  readonly message: Message;
  redelivered: boolean;
  /** Position in the queue's publish order, used to requeue unacked messages in order. */
  readonly seq: number;
  /** When the message expires in this queue (ms since the epoch), or 0 for never. */
  readonly expiresAt: number;
}

/** Why a message left its queue without being acked: RabbitMQ's dead-letter reasons. */
export type DeadLetterReason = 'rejected' | 'expired' | 'maxlen';
