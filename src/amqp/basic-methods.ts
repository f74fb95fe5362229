import { MethodId, type Method } from '../protocol/generated/methods.js';
import { generateName } from '../broker/vhost.js';
import { integerValue } from '../broker/arguments.js';
import { accessRefused, notAllowed, notImplemented, preconditionFailed } from '../broker/errors.js';
import { Consumer } from './consumer.js';
import { REPLY_QUEUE } from './direct-reply.js';
import type { Channel } from './channel.js';

/** basic.* except publish (which carries content and is handled by the channel). */
export function handleBasicMethod(ch: Channel, method: Method): boolean {
  switch (method.id) {
    case MethodId.BasicQos: {
      if (method.prefetchSize !== 0) throw notImplemented(`prefetch_size!=0 (${method.prefetchSize})`);
      if (method.global) ch.globalPrefetch = method.prefetchCount;
      else ch.prefetchCount = method.prefetchCount;
      ch.send({ id: MethodId.BasicQosOk });
      ch.resumeDeliveries();
      return true;
    }
    case MethodId.BasicConsume: {
      const tag = method.consumerTag === '' ? generateName('amq.ctag-') : method.consumerTag;
      if (ch.consumers.has(tag) || ch.replyConsumer?.tag === tag) throw notAllowed(`attempt to reuse consumer tag '${tag}'`);
      if (method.queue === REPLY_QUEUE) {
        if (!method.noAck) throw preconditionFailed('reply consumer cannot acknowledge');
        if (ch.replyConsumer !== null) throw preconditionFailed('reply consumer already set');
        ch.replyConsumer = { tag, name: ch.connection.broker.directReply.register(ch) };
        if (!method.noWait) ch.send({ id: MethodId.BasicConsumeOk, consumerTag: tag });
        return true;
      }
      const name = ch.queueName(method.queue);
      ch.access.check('queue', 'read', name);
      const q = ch.vhost.getQueue(name, ch.connection);
      if (q.exclusiveConsumer !== undefined || (method.exclusive && q.consumerCount > 0)) {
        throw accessRefused(`${ch.vhost.describeQueue(q.name)} in exclusive use`);
      }
      const priority = integerValue(method.arguments.get('x-priority')) ?? 0;
      const consumer = new Consumer(ch, q, tag, method.noAck, method.exclusive, priority, ch.prefetchCount, method.arguments);
      ch.consumers.set(tag, consumer);
      if (!method.noWait) ch.send({ id: MethodId.BasicConsumeOk, consumerTag: tag });
      q.addConsumer(consumer);
      return true;
    }
    case MethodId.BasicCancel: {
      const consumer = ch.consumers.get(method.consumerTag);
      if (consumer !== undefined) ch.removeConsumer(consumer);
      else if (ch.replyConsumer?.tag === method.consumerTag) {
        ch.connection.broker.directReply.unregister(ch.replyConsumer.name);
        ch.replyConsumer = null;
      }
      if (!method.noWait) ch.send({ id: MethodId.BasicCancelOk, consumerTag: method.consumerTag });
      return true;
    }
    case MethodId.BasicGet: {
      const name = ch.queueName(method.queue);
      ch.access.check('queue', 'read', name);
      const q = ch.vhost.getQueue(name, ch.connection);
      const entry = q.take(method.noAck);
      if (entry === undefined) {
        ch.counters.getEmpty++;
        ch.send({ id: MethodId.BasicGetEmpty, clusterId: '' });
        return true;
      }
      const tag = ch.nextDeliveryTag++;
      if (method.noAck) ch.counters.getNoAck++;
      else {
        ch.unacked.set(tag, { tag, queue: q, entry, consumer: null });
        ch.counters.get++;
      }
      if (entry.redelivered) ch.counters.redeliver++;
      const m = entry.loadedMessage;
      ch.send({
        id: MethodId.BasicGetOk,
        deliveryTag: tag,
        redelivered: entry.redelivered,
        exchange: m.exchange,
        routingKey: m.routingKey,
        messageCount: q.messageCount,
      });
      ch.connection.writer.sendContent(ch.id, m.header, m.body);
      return true;
    }
    case MethodId.BasicAck:
      settle(ch, method.deliveryTag, method.multiple, undefined);
      return true;
    case MethodId.BasicReject:
      settle(ch, method.deliveryTag, false, method.requeue);
      return true;
    case MethodId.BasicNack:
      settle(ch, method.deliveryTag, method.multiple, method.requeue);
      return true;
    case MethodId.BasicRecover:
    case MethodId.BasicRecoverAsync: {
      if (!method.requeue) throw notImplemented('requeue=false');
      const all = ch.takeUnacked(0, true);
      ch.settle(all, true);
      if (method.id === MethodId.BasicRecover) ch.send({ id: MethodId.BasicRecoverOk });
      return true;
    }
    default:
      return false;
  }
}

function settle(ch: Channel, deliveryTag: number, multiple: boolean, requeue: boolean | undefined): void {
  const deliveries = ch.takeUnacked(deliveryTag, multiple);
  if (ch.tx !== null) ch.tx.settles.push({ deliveries, requeue });
  else ch.settle(deliveries, requeue);
}
