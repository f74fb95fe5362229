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

/** Where a queue's persisted copy of a message lives: a segment file and the record's offset. */
export const NOT_STORED = -1;

/**
 * A message's place in one queue (the same Message may sit in many queues). A long durable queue
 * keeps only this entry in memory for most of its messages: `message` is null while the body is
 * paged out to the queue's segment files, and the queue reads it back before delivering it.
 */
export class QueueEntry {
  redelivered = false;
  /** Segment number of the persisted copy, or NOT_STORED. */
  segment = NOT_STORED;
  /** Offset of the persisted record in its segment. */
  offset = 0;

  constructor(
    public message: Message | null,
    /** Position in the queue's publish order, used to requeue unacked messages in order. */
    readonly seq: number,
    /** When the message expires in this queue (ms since the epoch), or 0 for never. */
    readonly expiresAt: number,
    readonly priority: number,
    /** Body size in bytes (known even while the body is paged out). */
    readonly size: number,
  ) {}

  get stored(): boolean {
    return this.segment !== NOT_STORED;
  }

  /** The message of an entry the queue has handed out (queues read paged-out bodies back first). */
  get loadedMessage(): Message {
    if (this.message === null) throw new Error(`message ${this.seq} was handed out without its body`);
    return this.message;
  }
}

/**
 * A durable queue's persistent storage (implemented by the storage engine in store/). Appends and
 * acks are buffered and written in the next group commit; `load` reads a paged-out message back.
 */
export interface MessageStore {
  /**
   * Writes the entry's message; sets entry.segment and entry.offset. A transient one is only
   * paged out: it is never recovered after a restart.
   */
  append(entry: QueueEntry, message: Message, transient?: boolean): void;
  /** The entry left the queue for good (acked, dropped, expired, purged, dead-lettered). */
  remove(entry: QueueEntry): void;
  /** Reads a paged-out message back from disk. */
  load(entry: QueueEntry): Message;
  /** At a clean shutdown: remember which of these entries were delivered before. */
  markRedelivered(entries: Iterable<QueueEntry>): void;
  /** The queue was deleted: its files go too. */
  destroy(): void;
}

/** Why a message left its queue without being acked: RabbitMQ's dead-letter reasons. */
export type DeadLetterReason = 'rejected' | 'expired' | 'maxlen';
