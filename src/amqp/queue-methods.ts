import { MethodId, type Method, type QueueDeclare } from '../protocol/generated/methods.js';
import { generateName } from '../broker/vhost.js';
import { notFound } from '../broker/errors.js';
import { REPLY_QUEUE } from './direct-reply.js';
import { checkHeadersArgs } from './exchange-methods.js';
import type { Channel } from './channel.js';

/**
 * queue.declare / bind / unbind / purge / delete. Returns false for methods of other classes.
 * Permission checks come in RabbitMQ's order, before the queue is looked up, so a refused user
 * learns nothing about what exists (RabbitMQ 3.10 answers the same way).
 */
export function handleQueueMethod(ch: Channel, method: Method): boolean {
  const vhost = ch.vhost;
  const owner = ch.connection;
  switch (method.id) {
    case MethodId.QueueDeclare: {
      if (method.queue.startsWith(REPLY_QUEUE)) {
        declareReplyQueue(ch, method);
        return true;
      }
      const serverName = method.queue === '' && !method.passive ? generateName('amq.gen-') : undefined;
      if (!method.passive) checkDeclareAccess(ch, method, serverName);
      const q = vhost.declareQueue(
        {
          ...(serverName !== undefined ? { serverName } : {}),
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
      ch.access.checkBinding('queue', name, method.exchange);
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
      ch.access.checkBinding('queue', name, method.exchange);
      const source = vhost.exchanges.get(method.exchange);
      const q = vhost.queues.get(name);
      if (source !== undefined && q !== undefined) vhost.unbind(source, q, routingKey, method.arguments);
      ch.send({ id: MethodId.QueueUnbindOk });
      return true;
    }
    case MethodId.QueuePurge: {
      const name = ch.queueName(method.queue);
      ch.access.check('queue', 'read', name);
      const count = vhost.getQueue(name, owner).purge();
      if (!method.noWait) ch.send({ id: MethodId.QueuePurgeOk, messageCount: count });
      return true;
    }
    case MethodId.QueueDelete: {
      const name = ch.queueName(method.queue);
      ch.access.check('queue', 'configure', name);
      const count = vhost.queues.has(name) ? vhost.deleteQueue(name, owner, method.ifUnused, method.ifEmpty) : 0;
      if (!method.noWait) ch.send({ id: MethodId.QueueDeleteOk, messageCount: count });
      return true;
    }
    default:
      return false;
  }
}

/**
 * A non-passive declare needs configure on the queue and, when it creates one with a
 * dead-letter exchange, read on the queue and write on that exchange. Reserved amq.* names are
 * refused before any permission (declareQueue raises that). A server-named queue is checked
 * under the amq.gen- name it will get, as RabbitMQ does.
 */
function checkDeclareAccess(ch: Channel, method: QueueDeclare, serverName: string | undefined): void {
  if (method.queue.startsWith('amq.')) return;
  const name = serverName ?? method.queue;
  ch.access.check('queue', 'configure', name);
  if (!ch.vhost.queues.has(name)) ch.access.checkExchangeArgument(method.arguments, 'x-dead-letter-exchange', 'queue', name);
}

/**
 * Direct reply-to's pseudo-queue, declared passively or not: it exists (with one consumer, as
 * RabbitMQ reports it) under its own name and under the private name of a live reply consumer;
 * any other name with that prefix is not found. No permission is needed.
 */
function declareReplyQueue(ch: Channel, method: QueueDeclare): void {
  const name = method.queue;
  if (name !== REPLY_QUEUE && ch.connection.broker.directReply.lookup(name) === undefined) {
    throw notFound(`no ${ch.vhost.describeQueue(name)}`);
  }
  ch.mostRecentQueue = name;
  if (!method.noWait) ch.send({ id: MethodId.QueueDeclareOk, queue: name, messageCount: 0, consumerCount: 1 });
}
