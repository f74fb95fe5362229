import { MethodId, type Method } from '../protocol/generated/methods.js';
import { validateHeadersBindingArgs } from '../routing/headers-match.js';
import type { Destination } from '../broker/exchange.js';
import { accessRefused, preconditionFailed } from '../broker/errors.js';
import type { Channel } from './channel.js';

/** exchange.declare / delete / bind / unbind. Returns false for methods of other classes. */
export function handleExchangeMethod(ch: Channel, method: Method): boolean {
  const vhost = ch.vhost;
  switch (method.id) {
    case MethodId.ExchangeDeclare: {
      vhost.declareExchange({
        name: method.exchange,
        type: method.type,
        passive: method.passive,
        durable: method.durable,
        autoDelete: method.autoDelete,
        internal: method.internal,
        arguments: method.arguments,
      });
      if (!method.noWait) ch.send({ id: MethodId.ExchangeDeclareOk });
      return true;
    }
    case MethodId.ExchangeDelete: {
      vhost.deleteExchange(method.exchange, method.ifUnused);
      if (!method.noWait) ch.send({ id: MethodId.ExchangeDeleteOk });
      return true;
    }
    case MethodId.ExchangeBind: {
      const source = vhost.getExchange(method.source);
      const destination: Destination = vhost.getExchange(method.destination);
      if (source.type === 'headers') checkHeadersArgs(method.arguments);
      vhost.bind(source, destination, method.routingKey, method.arguments);
      if (!method.noWait) ch.send({ id: MethodId.ExchangeBindOk });
      return true;
    }
    case MethodId.ExchangeUnbind: {
      // Unbinding what does not exist (binding, source or destination) succeeds, as in RabbitMQ.
      if (method.source === '' || method.destination === '') throw accessRefused('operation not permitted on the default exchange');
      const source = vhost.exchanges.get(method.source);
      const destination = vhost.exchanges.get(method.destination);
      if (source !== undefined && destination !== undefined) {
        vhost.unbind(source, destination, method.routingKey, method.arguments);
      }
      if (!method.noWait) ch.send({ id: MethodId.ExchangeUnbindOk });
      return true;
    }
    default:
      return false;
  }
}

export function checkHeadersArgs(args: Parameters<typeof validateHeadersBindingArgs>[0]): void {
  const error = validateHeadersBindingArgs(args);
  if (error !== undefined) throw preconditionFailed(error.replace(/^PRECONDITION_FAILED - /, ''));
}
