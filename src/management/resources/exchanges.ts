import type { Exchange } from '../../broker/exchange.js';
import type { VirtualHost } from '../../broker/vhost.js';
import { listableVhosts } from '../api-user.js';
import { createdOrUpdated, noContent, param, type ApiContext } from '../context.js';
import { boolField, jsonBody, stringField } from '../json-body.js';
import { jsonToTable } from '../json-table.js';
import { replyList } from '../list.js';
import { route, type Route } from '../router.js';
import { FormatContext } from '../format/format-context.js';
import { EXCHANGE_BASIC_COLUMNS, exchangeBasic, formatExchange } from '../format/exchange.js';
import { BINDING_SORT, bindingsTo, defaultBinding, exchangeBindings, formatBinding, type BindingView } from '../format/binding.js';
import { checkPermission, exchangeName, exchangeOf, vhostOf, vhostToWrite } from './lookup.js';
import { publishMessage } from './publish.js';

interface Placed {
  readonly vhost: string;
  readonly exchange: Exchange;
}

function listExchanges(ctx: ApiContext, vhosts: Iterable<VirtualHost>) {
  const fc = new FormatContext(ctx);
  const items: Placed[] = [];
  for (const v of vhosts) for (const x of v.exchanges.values()) items.push({ vhost: v.name, exchange: x });
  return replyList(ctx.query, {
    items,
    format: (p) => formatExchange(fc, p.vhost, p.exchange),
    basic: (p) => exchangeBasic(p.vhost, p.exchange),
    basicColumns: EXCHANGE_BASIC_COLUMNS,
  });
}

function putExchange(ctx: ApiContext) {
  const v = vhostToWrite(ctx);
  const name = exchangeName(param(ctx, 'name'));
  const body = jsonBody(ctx);
  const declaration = {
    name,
    type: stringField(body, 'type', 'direct'),
    passive: false,
    durable: boolField(body, 'durable', false),
    autoDelete: boolField(body, 'auto_delete', false),
    internal: boolField(body, 'internal', false),
    arguments: jsonToTable(body['arguments']),
  };
  checkPermission(ctx, v.name, 'configure', 'exchange', name);
  const existed = v.exchanges.has(name);
  v.declareExchange(declaration);
  return createdOrUpdated(existed);
}

function deleteExchange(ctx: ApiContext) {
  const v = vhostOf(ctx);
  const x = exchangeOf(ctx, v);
  checkPermission(ctx, v.name, 'configure', 'exchange', x.name);
  v.deleteExchange(x.name, ctx.query.get('if-unused') === 'true');
  return noContent();
}

function listBindings(ctx: ApiContext, items: Iterable<BindingView>) {
  return replyList(ctx.query, { items, format: formatBinding, basic: formatBinding, basicColumns: BINDING_SORT, defaultSort: BINDING_SORT });
}

/**
 * RabbitMQ lists no bindings (rather than 404) for an exchange that does not exist, and the
 * implicit bindings of every queue for the default exchange.
 */
function sourceBindings(ctx: ApiContext) {
  const v = vhostOf(ctx);
  const x = v.exchanges.get(exchangeName(param(ctx, 'name')));
  if (x === undefined) return listBindings(ctx, []);
  return listBindings(ctx, x.name === '' ? [...v.queues.values()].map((q) => defaultBinding(v.name, q)) : [...exchangeBindings(v, x)]);
}

function destinationBindings(ctx: ApiContext) {
  const v = vhostOf(ctx);
  const x = v.exchanges.get(exchangeName(param(ctx, 'name')));
  return listBindings(ctx, x === undefined ? [] : [...bindingsTo(v, x)]);
}

export const exchangeRoutes: readonly Route[] = [
  route('GET', '/api/exchanges', 'user', (ctx) => {
    const allowed = listableVhosts(ctx.broker, ctx.user);
    return listExchanges(ctx, [...ctx.broker.vhosts.values()].filter((v) => allowed.has(v.name)));
  }),
  route('GET', '/api/exchanges/:vhost', 'vhost', (ctx) => listExchanges(ctx, [vhostOf(ctx)])),
  route('GET', '/api/exchanges/:vhost/:name', 'vhost', (ctx) => {
    const v = vhostOf(ctx);
    return formatExchange(new FormatContext(ctx), v.name, exchangeOf(ctx, v), true);
  }),
  route('PUT', '/api/exchanges/:vhost/:name', 'vhost', putExchange),
  route('DELETE', '/api/exchanges/:vhost/:name', 'vhost', deleteExchange),
  route('GET', '/api/exchanges/:vhost/:name/bindings/source', 'vhost', sourceBindings),
  route('GET', '/api/exchanges/:vhost/:name/bindings/destination', 'vhost', destinationBindings),
  route('POST', '/api/exchanges/:vhost/:name/publish', 'vhost', publishMessage),
];
