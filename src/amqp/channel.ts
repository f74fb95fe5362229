import type { Queue } from '../queue/queue.js';
import { Message, type QueueEntry } from '../queue/message.js';
import type { VirtualHost } from '../broker/vhost.js';
import { accessRefused, channelError, commandInvalid, frameError, notFound, notImplemented, preconditionFailed } from '../broker/errors.js';
import { FRAME_BODY, FRAME_HEADER, FRAME_METHOD } from '../protocol/constants.js';
import { classIdOf, decodeMethod, MethodId, methodHasContent, methodIdOf, type BasicPublish, type Method } from '../protocol/generated/methods.js';
import { truncateReplyText } from '../protocol/errors.js';
import type { BasicProperties } from '../protocol/generated/properties.js';
import type { FieldTable } from '../protocol/field-types.js';
import { parseExpiration } from '../broker/arguments.js';
import { ContentAssembler, type AssembledContent } from './content-assembler.js';
import type { Connection } from './connection.js';
import type { Consumer } from './consumer.js';
import { handleExchangeMethod } from './exchange-methods.js';
import { handleQueueMethod } from './queue-methods.js';
import { handleBasicMethod } from './basic-methods.js';
import { handleTxMethod, type Transaction } from './tx-methods.js';
import { encodeHeaderWithProperties } from '../queue/content-header.js';
import { ChannelAccess } from './access.js';
import { ChannelCounters } from '../broker/message-counters.js';

const NO_KEYS: readonly string[] = [];

/** RabbitMQ's answer to any method a client may not send on a channel. */
const UNIMPLEMENTED = () => commandInvalid('unimplemented method');

/** The extra routing keys of the `CC` and `BCC` headers (arrays of strings), as RabbitMQ. */
function extraRoutingKeys(headers: FieldTable): readonly string[] {
  const cc = headers.get('CC');
  const bcc = headers.get('BCC');
  if (cc === undefined && bcc === undefined) return NO_KEYS;
  const keys: string[] = [];
  for (const v of [cc, bcc]) {
    if (v !== undefined && v.type === 'A') for (const k of v.value) if (k.type === 'S') keys.push(k.value);
  }
  return keys;
}

/** A delivery waiting for ack: which queue it came from, and through which consumer. */
export interface Unacked {
  readonly tag: number;
  readonly queue: Queue;
  readonly entry: QueueEntry;
  readonly consumer: Consumer | null;
}

/** The pseudo-consumer of direct reply-to on this channel. */
export interface ReplyConsumer {
  readonly tag: string;
  readonly name: string;
}

/**
 * One AMQP channel: content assembly for publishes, consumers, unacked deliveries, publisher
 * confirms and transactions. Method handlers per AMQP class live in their own files.
 */
export class Channel {
  state: 'open' | 'closing' = 'open';
  readonly vhost: VirtualHost;
  readonly consumers = new Map<string, Consumer>();
  readonly unacked = new Map<number, Unacked>();
  nextDeliveryTag = 1;
  /** basic.qos global=false: the limit given to consumers created afterwards. */
  prefetchCount = 0;
  /** basic.qos global=true: the limit shared by all consumers on the channel. */
  globalPrefetch = 0;
  mostRecentQueue = '';
  confirmMode = false;
  private publishSeq = 0;
  private confirmedUpTo = 0;
  /** Highest publish sequence number whose confirm has been scheduled (sent or waiting for a sync). */
  private scheduledUpTo = 0;
  /** Highest publish sequence number that was written to a durable queue's store. */
  private storedUpTo = 0;
  /** Confirms waiting for a group commit; later confirms queue behind them to stay in order. */
  private syncWaits = 0;
  /** Publishes refused by a queue (x-overflow reject-publish), nacked in sequence order. */
  private nacks: number[] = [];
  tx: Transaction | null = null;
  replyConsumer: ReplyConsumer | null = null;
  /** Queues a publish was routed to (reused, never held across calls). */
  private readonly routed = new Set<Queue>();
  /** The user's permission checks, with the names already granted on this channel. */
  readonly access: ChannelAccess;
  /** This channel's message counters (the management API's channel message_stats). */
  readonly counters = new ChannelCounters();

  private readonly assembler: ContentAssembler;

  constructor(
    readonly connection: Connection,
    readonly id: number,
  ) {
    this.vhost = connection.vhost!;
    this.access = new ChannelAccess(connection.broker.users, connection.user!, this.vhost);
    this.assembler = new ContentAssembler(connection.broker.settings.maxMessageSize);
  }

  /** True between a basic.publish and the last frame of its content. */
  get assembling(): boolean {
    return this.assembler.busy;
  }

  get unackedCount(): number {
    return this.unacked.size;
  }

  deliveriesAllowed(): boolean {
    return this.state === 'open' && this.connection.writable;
  }

  send(method: Method): void {
    this.connection.send(this.id, method);
  }

  handleFrame(type: number, payload: Buffer): void {
    if (this.state === 'closing') {
      if (type !== FRAME_METHOD) return;
      const method = decodeMethod(payload);
      if (method.id === MethodId.ChannelCloseOk) this.connection.channels.delete(this.id);
      else if (method.id === MethodId.ChannelClose) this.send({ id: MethodId.ChannelCloseOk });
      return;
    }
    switch (type) {
      case FRAME_METHOD: {
        this.assembler.checkMethodAllowed();
        const method = decodeMethod(payload);
        if (methodHasContent(method.id)) {
          // Content comes first whatever the method; a client may only send basic.publish.
          this.assembler.start(method);
          return;
        }
        try {
          const generation = this.connection.broker.definitionsGeneration();
          this.dispatch(method);
          if (this.connection.broker.definitionsGeneration() !== generation) this.connection.holdOutputUntilDurable();
        } catch (err) {
          this.connection.handleError(err, classIdOf(method.id), methodIdOf(method.id), this.id);
        }
        return;
      }
      case FRAME_HEADER: {
        const content = this.assembler.onHeader(payload);
        if (content !== undefined) this.completePublish(content);
        return;
      }
      case FRAME_BODY: {
        const content = this.assembler.onBody(payload);
        if (content !== undefined) this.completePublish(content);
        return;
      }
      default:
        throw frameError(`unknown frame type ${type}`);
    }
  }

  private completePublish(content: AssembledContent): void {
    const method = content.method;
    try {
      if (method.id !== MethodId.BasicPublish) throw UNIMPLEMENTED();
      this.publish(method, content.properties, content.header, content.body);
    } catch (err) {
      // Errors raised while handling a publish are attributed to basic.publish.
      this.connection.handleError(err, classIdOf(method.id), methodIdOf(method.id), this.id);
    }
  }

  private publish(method: BasicPublish, properties: BasicProperties, header: Buffer, body: Buffer): void {
    const vhost = this.vhost;
    // RabbitMQ's order: immediate, write permission (before the exchange must exist), internal.
    if (method.immediate) throw notImplemented('immediate=true');
    this.access.check('exchange', 'write', method.exchange);
    const exchange = vhost.getExchange(method.exchange);
    if (exchange.internal) throw accessRefused(`cannot publish to internal ${vhost.describeExchange(exchange.name)}`);
    const user = this.connection.user!;
    if (properties.userId !== undefined && properties.userId !== user.name && !user.tags.includes('impersonator')) {
      throw preconditionFailed(`user_id property set to '${properties.userId}' but authenticated user was '${user.name}'`);
    }
    if (this.connection.broker.alarms.size > 0) this.connection.publisherBlocked();
    const ttl = parseExpiration(properties.expiration);
    if (properties.replyTo === 'amq.rabbitmq.reply-to') {
      if (this.replyConsumer === null) throw preconditionFailed('fast reply consumer does not exist');
      properties = { ...properties, replyTo: this.replyConsumer.name };
      header = encodeHeaderWithProperties(body.length, properties);
    }
    const extraKeys = properties.headers === undefined ? NO_KEYS : extraRoutingKeys(properties.headers);
    if (properties.headers?.has('BCC') === true) {
      // BCC routes like CC but is removed before delivery.
      const headers = new Map(properties.headers);
      headers.delete('BCC');
      properties = { ...properties, headers };
      header = encodeHeaderWithProperties(body.length, properties);
    }
    const message = new Message(method.exchange, method.routingKey, properties, header, body, ttl);
    if (this.tx !== null) {
      this.tx.publishes.push({ message, mandatory: method.mandatory, extraKeys });
      // RabbitMQ counts a publish in a transaction as received for confirmation, at publish.
      vhost.publishing.receivedConfirm++;
      return;
    }
    // Numbered once accepted: a publish refused above closes the channel, so it never needs one.
    if (this.confirmMode) this.publishSeq++;
    const outcome = this.route(message, method.mandatory, extraKeys);
    if (this.confirmMode) {
      if (outcome === 'rejected') this.nacks.push(this.publishSeq);
      else if (outcome === 'stored') this.storedUpTo = this.publishSeq;
      this.connection.confirmsPending.add(this);
    }
  }

  /**
   * Routes a message to its queues; an unroutable mandatory message comes back as basic.return.
   * 'rejected': a queue refused it (x-overflow reject-publish), which nacks a confirm; 'stored':
   * a durable queue wrote it to its store, so its confirm waits for the next sync.
   */
  route(message: Message, mandatory: boolean, extraKeys: readonly string[]): 'routed' | 'stored' | 'rejected' {
    const vhost = this.vhost;
    const exchange = vhost.exchanges.get(message.exchange);
    if (exchange === undefined) return 'routed';
    exchange.stats.publishIn++;
    this.counters.publish++;
    const broker = this.connection.broker;
    if (message.exchange === '' && broker.directReply.isReplyName(message.routingKey)) {
      const target = broker.directReply.lookup(message.routingKey);
      if (target !== undefined && target.deliverReply(message)) return 'routed';
      // A reply to a channel that is gone is unroutable, as in RabbitMQ.
      this.unroutable(message, mandatory);
      return 'routed';
    }
    const queues = this.routed;
    vhost.route(exchange, message.routingKey, message.properties.headers, queues);
    for (let i = 0; i < extraKeys.length; i++) vhost.route(exchange, extraKeys[i]!, message.properties.headers, queues);
    if (queues.size === 0) {
      this.unroutable(message, mandatory);
      return 'routed';
    }
    exchange.stats.publishOut++;
    let rejected = false;
    let stored = false;
    for (const q of queues) {
      const result = q.enqueue(message);
      if (result === 'rejected') rejected = true;
      else if (result === 'stored') stored = true;
    }
    queues.clear();
    return rejected ? 'rejected' : stored ? 'stored' : 'routed';
  }

  /** A message no queue took: returned if mandatory, else dropped; counted either way. */
  private unroutable(message: Message, mandatory: boolean): void {
    if (mandatory) {
      this.vhost.publishing.returnUnroutable++;
      this.counters.returnUnroutable++;
      this.basicReturn(message);
    } else {
      this.vhost.publishing.dropUnroutable++;
      this.counters.dropUnroutable++;
    }
  }

  private basicReturn(message: Message): void {
    this.send({ id: MethodId.BasicReturn, replyCode: 312, replyText: 'NO_ROUTE', exchange: message.exchange, routingKey: message.routingKey });
    this.connection.writer.sendContent(this.id, message.header, message.body);
  }

  /**
   * Confirms the publishes of one socket read, as one multiple ack: at once, or, when one of them
   * was written to a durable queue's store (or earlier confirms are still waiting), after the
   * group commit that puts it on disk. One callback per channel per read, never per message.
   * The vhost counts the read's publishes as received for confirmation here, also when the
   * channel closed after them (RabbitMQ counts them as they arrive).
   */
  flushConfirms(): void {
    const upTo = this.publishSeq;
    const from = this.scheduledUpTo;
    if (upTo <= from) return;
    this.scheduledUpTo = upTo;
    this.vhost.publishing.receivedConfirm += upTo - from;
    if (this.state !== 'open') return;
    if (this.storedUpTo <= this.confirmedUpTo && this.syncWaits === 0) {
      this.sendConfirms(upTo, true);
      return;
    }
    this.syncWaits++;
    this.connection.broker.whenDurable((ok) => {
      this.syncWaits--;
      this.sendConfirms(upTo, ok);
    });
  }

  /**
   * basic.ack (multiple) up to `upTo`, with the nacks of refused publishes in their places; the
   * acked ones (not the nacked) are counted as confirmed, once per call.
   */
  private sendConfirms(upTo: number, ok: boolean): void {
    if (this.state !== 'open') return;
    if (!ok) {
      // The store could not write or sync: these messages are not safe, so they are nacked.
      for (let seq = this.confirmedUpTo + 1; seq <= upTo; seq++) this.send({ id: MethodId.BasicNack, deliveryTag: seq, multiple: false, requeue: false });
      this.confirmedUpTo = upTo;
      this.nacks = this.nacks.filter((n) => n > upTo);
      return;
    }
    let acked = upTo - this.confirmedUpTo;
    while (this.nacks.length > 0 && this.nacks[0]! <= upTo) {
      const seq = this.nacks.shift()!;
      acked--;
      if (seq - 1 > this.confirmedUpTo) {
        this.send({ id: MethodId.BasicAck, deliveryTag: seq - 1, multiple: seq - 1 - this.confirmedUpTo > 1 });
      }
      this.send({ id: MethodId.BasicNack, deliveryTag: seq, multiple: false, requeue: false });
      this.confirmedUpTo = seq;
    }
    if (upTo > this.confirmedUpTo) {
      this.send({ id: MethodId.BasicAck, deliveryTag: upTo, multiple: upTo - this.confirmedUpTo > 1 });
      this.confirmedUpTo = upTo;
    }
    this.vhost.publishing.confirm += acked;
    this.counters.confirm += acked;
  }

  /** A direct reply-to message for this channel's reply consumer. */
  deliverReply(message: Message): boolean {
    const reply = this.replyConsumer;
    if (reply === null || this.state !== 'open') return false;
    const tag = this.nextDeliveryTag++;
    this.connection.writer.sendDeliver(this.id, reply.tag, tag, false, message.exchange, message.routingKey, message.header, message.body);
    return true;
  }

  private dispatch(method: Method): void {
    switch (method.id) {
      case MethodId.ChannelClose:
        this.release();
        this.send({ id: MethodId.ChannelCloseOk });
        this.connection.channels.delete(this.id);
        return;
      case MethodId.ChannelOpen:
        throw channelError("second 'channel.open' seen");
      case MethodId.ChannelFlow:
        // RabbitMQ never stops deliveries at a client's request.
        if (!method.active) throw notImplemented('active=false');
        this.send({ id: MethodId.ChannelFlowOk, active: true });
        return;
      case MethodId.AccessRequest:
        this.send({ id: MethodId.AccessRequestOk, reserved1: 1 });
        return;
      default:
        if (handleExchangeMethod(this, method)) return;
        if (handleQueueMethod(this, method)) return;
        if (handleBasicMethod(this, method)) return;
        if (handleTxMethod(this, method)) return;
        throw UNIMPLEMENTED();
    }
  }

  /** A queue name argument: empty means the queue most recently declared on this channel. */
  queueName(name: string): string {
    if (name !== '') return name;
    if (this.mostRecentQueue === '') throw notFound('no previously declared queue');
    return this.mostRecentQueue;
  }

  deliver(consumer: Consumer, queue: Queue, entry: QueueEntry): void {
    const tag = this.nextDeliveryTag++;
    if (!consumer.noAck) {
      this.unacked.set(tag, { tag, queue, entry, consumer });
      consumer.unacked++;
      this.counters.deliver++;
    } else this.counters.deliverNoAck++;
    const redelivered = entry.redelivered;
    if (redelivered) this.counters.redeliver++;
    const m = entry.loadedMessage;
    this.connection.writer.sendDeliver(this.id, consumer.tag, tag, redelivered, m.exchange, m.routingKey, m.header, m.body);
  }

  /** After acks, qos changes, flow or drain: let this channel's queues deliver again. */
  resumeDeliveries(): void {
    for (const c of this.consumers.values()) c.queue.dispatch();
  }

  /**
   * Removes and returns the deliveries an ack/nack/reject refers to, in delivery order, with
   * RabbitMQ's "unknown delivery tag" error for a tag that is not outstanding.
   */
  takeUnacked(deliveryTag: number, multiple: boolean): Unacked[] {
    if (multiple) {
      const taken: Unacked[] = [];
      if (deliveryTag !== 0 && !this.unacked.has(deliveryTag)) throw preconditionFailed(`unknown delivery tag ${deliveryTag}`);
      for (const [tag, u] of this.unacked) {
        if (deliveryTag !== 0 && tag > deliveryTag) break;
        taken.push(u);
        this.unacked.delete(tag);
      }
      return taken;
    }
    const u = this.unacked.get(deliveryTag);
    if (u === undefined) throw preconditionFailed(`unknown delivery tag ${deliveryTag}`);
    this.unacked.delete(deliveryTag);
    return [u];
  }

  /** Applies acks (requeue = undefined), or rejects with or without requeue. */
  settle(deliveries: readonly Unacked[], requeue: boolean | undefined): void {
    for (const d of deliveries) if (d.consumer !== null) d.consumer.unacked--;
    if (requeue === true) this.requeueDeliveries(deliveries);
    else if (requeue === undefined) {
      for (const d of deliveries) d.queue.acked(d.entry);
      this.counters.ack += deliveries.length;
    } else {
      for (const d of deliveries) d.queue.discarded([d.entry]);
    }
    this.resumeDeliveries();
  }

  /** Puts deliveries back on their queues, in order, marked redelivered. */
  requeueDeliveries(deliveries: readonly Unacked[]): void {
    if (deliveries.length === 1) {
      const d = deliveries[0]!;
      d.queue.requeue([d.entry]);
      return;
    }
    const byQueue = new Map<Queue, QueueEntry[]>();
    for (const d of deliveries) {
      let list = byQueue.get(d.queue);
      if (list === undefined) byQueue.set(d.queue, (list = []));
      list.push(d.entry);
    }
    for (const [q, entries] of byQueue) q.requeue(entries);
  }

  /** Removes a consumer; an auto-delete queue goes with its last consumer. */
  removeConsumer(consumer: Consumer): void {
    this.consumers.delete(consumer.tag);
    if (consumer.queue.removeConsumer(consumer)) this.vhost.removeQueue(consumer.queue);
  }

  consumerCancelledByQueue(consumer: Consumer): void {
    this.consumers.delete(consumer.tag);
    if (this.connection.capabilityCancelNotify && this.state === 'open') {
      this.send({ id: MethodId.BasicCancel, consumerTag: consumer.tag, noWait: true });
    }
  }

  /** Soft error: channel.close to the client; frames are discarded until close-ok. */
  closeWithError(code: number, text: string, classId: number, methodId: number): void {
    if (this.state === 'closing') return;
    this.send({ id: MethodId.ChannelClose, replyCode: code, replyText: truncateReplyText(text), classId, methodId });
    this.release();
  }

  private released = false;
  /** Requeues unacked messages, cancels consumers; the channel delivers nothing more. */
  release(): void {
    this.state = 'closing';
    if (this.released) return;
    this.released = true;
    this.assembler.reset();
    for (const c of [...this.consumers.values()]) this.removeConsumer(c);
    const pending: Unacked[] = [...this.unacked.values()];
    this.unacked.clear();
    if (this.tx !== null) {
      for (const s of this.tx.settles) pending.push(...s.deliveries);
      this.tx = null;
    }
    if (pending.length > 0) this.requeueDeliveries(pending);
    if (this.replyConsumer !== null) {
      this.connection.broker.directReply.unregister(this.replyConsumer.name);
      this.replyConsumer = null;
    }
  }
}
