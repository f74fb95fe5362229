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
      if (method.exchange === '' && !method.passive) throw accessRefused('operation not permitted on the default exchange');
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
      if (vhost.exchanges.has(method.exchange) || method.exchange === '' || method.exchange.startsWith('amq.')) {
        vhost.deleteExchange(method.exchange, method.ifUnused);
      }
      if (!method.noWait) ch.send({ id: MethodId.ExchangeDeleteOk });
      return true;
    }
    case MethodId.ExchangeBind:
    case MethodId.ExchangeUnbind: {
      const source = vhost.getExchange(method.source);
      const destination: Destination = vhost.getExchange(method.destination);
      if (method.id === MethodId.ExchangeBind) {
        if (source.type === 'headers') checkHeadersArgs(method.arguments);
        vhost.bind(source, destination, method.routingKey, method.arguments);
        if (!method.noWait) ch.send({ id: MethodId.ExchangeBindOk });
      } else {
        vhost.unbind(source, destination, method.routingKey, method.arguments);
        if (!method.noWait) ch.send({ id: MethodId.ExchangeUnbindOk });
      }
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
