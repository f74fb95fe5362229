import { MethodId, type Method } from '../protocol/generated/methods.js';
import { validateHeadersBindingArgs } from '../routing/headers-match.js';
import { isExchangeType } from '../routing/exchange-router.js';
import type { Destination } from '../broker/exchange.js';
import { preconditionFailed } from '../broker/errors.js';
import type { Channel } from './channel.js';

/**
 * exchange.declare / delete / bind / unbind. Returns false for methods of other classes.
 * Permission checks come in RabbitMQ's order, before the exchanges are looked up, so a refused
 * user learns nothing about what exists (RabbitMQ 3.10 answers the same way).
 */
export function handleExchangeMethod(ch: Channel, method: Method): boolean {
  const vhost = ch.vhost;
  switch (method.id) {
    case MethodId.ExchangeDeclare: {
      // A passive declare needs no permission. Otherwise configure on the exchange, after the
      // type and default-exchange checks (declareExchange raises those) and, for a new exchange
      // with an alternate-exchange (not a reserved amq.* name, refused below), read on it and
      // write on the alternate.
      if (!method.passive && isExchangeType(method.type) && method.exchange !== '') {
        ch.access.check('exchange', 'configure', method.exchange);
        if (!vhost.exchanges.has(method.exchange) && !method.exchange.startsWith('amq.')) {
          ch.access.checkExchangeArgument(method.arguments, 'alternate-exchange', 'exchange', method.exchange);
        }
      }
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
      // The default and amq.* exchanges are refused whatever the permissions (deleteExchange).
      if (method.exchange !== '' && !method.exchange.startsWith('amq.')) ch.access.check('exchange', 'configure', method.exchange);
      vhost.deleteExchange(method.exchange, method.ifUnused);
      if (!method.noWait) ch.send({ id: MethodId.ExchangeDeleteOk });
      return true;
    }
    case MethodId.ExchangeBind: {
      ch.access.checkBinding('exchange', method.destination, method.source);
      const source = vhost.getExchange(method.source);
      const destination: Destination = vhost.getExchange(method.destination);
      if (source.type === 'headers') checkHeadersArgs(method.arguments);
      vhost.bind(source, destination, method.routingKey, method.arguments);
      if (!method.noWait) ch.send({ id: MethodId.ExchangeBindOk });
      return true;
    }
    case MethodId.ExchangeUnbind: {
      ch.access.checkBinding('exchange', method.destination, method.source);
      // Unbinding what does not exist (binding, source or destination) succeeds, as in RabbitMQ.
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
