import { MethodId, type Method } from '../protocol/generated/methods.js';
import { REPLY_QUEUE } from './direct-reply.js';
import { checkHeadersArgs } from './exchange-methods.js';
import { accessRefused } from '../broker/errors.js';
import type { Channel } from './channel.js';

/** queue.declare / bind / unbind / purge / delete. Returns false for methods of other classes. */
export function handleQueueMethod(ch: Channel, method: Method): boolean {
  const vhost = ch.vhost;
  const owner = ch.connection;
  switch (method.id) {
    case MethodId.QueueDeclare: {
      if (method.passive && method.queue === REPLY_QUEUE) {
        ch.send({ id: MethodId.QueueDeclareOk, queue: REPLY_QUEUE, messageCount: 0, consumerCount: 0 });
        return true;
      }
      const q = vhost.declareQueue(
        {
          name: method.queue,
          passive: method.passive,
          durable: method.durable,
          exclusive: method.exclusive,
          autoDelete: method.autoDelete,
          arguments: method.arguments,
        },
        owner,
      );
      ch.mostRecentQueue = q.name;
      if (!method.noWait) {
        ch.send({ id: MethodId.QueueDeclareOk, queue: q.name, messageCount: q.messageCount, consumerCount: q.consumerCount });
      }
      return true;
    }
    case MethodId.QueueBind: {
      const name = ch.queueName(method.queue);
      const routingKey = method.routingKey === '' && method.queue === '' ? name : method.routingKey;
      const source = vhost.getExchange(method.exchange);
      const q = vhost.getQueue(name, owner);
      if (source.type === 'headers') checkHeadersArgs(method.arguments);
      vhost.bind(source, q, routingKey, method.arguments);
      if (!method.noWait) ch.send({ id: MethodId.QueueBindOk });
      return true;
    }
    case MethodId.QueueUnbind: {
      // Unbinding succeeds whether or not the binding, queue or exchange exists, and other
      // connections may unbind an exclusive queue, as in RabbitMQ.
      const name = ch.queueName(method.queue);
      const routingKey = method.routingKey === '' && method.queue === '' ? name : method.routingKey;
      if (method.exchange === '') throw accessRefused('operation not permitted on the default exchange');
      const source = vhost.exchanges.get(method.exchange);
      const q = vhost.queues.get(name);
      if (source !== undefined && q !== undefined) vhost.unbind(source, q, routingKey, method.arguments);
      ch.send({ id: MethodId.QueueUnbindOk });
      return true;
    }
    case MethodId.QueuePurge: {
      const q = vhost.getQueue(ch.queueName(method.queue), owner);
      const count = q.purge();
      if (!method.noWait) ch.send({ id: MethodId.QueuePurgeOk, messageCount: count });
      return true;
    }
    case MethodId.QueueDelete: {
      const name = ch.queueName(method.queue);
      const count = vhost.queues.has(name) ? vhost.deleteQueue(name, owner, method.ifUnused, method.ifEmpty) : 0;
      if (!method.noWait) ch.send({ id: MethodId.QueueDeleteOk, messageCount: count });
      return true;
    }
    default:
      return false;
  }
}
