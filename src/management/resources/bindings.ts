import { Exchange, type Destination } from '../../broker/exchange.js';
import type { VirtualHost } from '../../broker/vhost.js';
import { listableVhosts } from '../api-user.js';
import { created, noContent, param, type ApiContext, type Handler } from '../context.js';
import { HttpError, notFound } from '../http-error.js';
import { jsonBody, stringField } from '../json-body.js';
import { jsonToTable } from '../json-table.js';
import { replyList } from '../list.js';
import { route, type Method, type Route } from '../router.js';
import {
  BINDING_SORT,
  defaultBinding,
  exchangeBindings,
  formatBinding,
  matchesPropertiesKey,
  propertiesKey,
  quotePlus,
  vhostBindings,
  type BindingView,
} from '../format/binding.js';
import { checkPermission, exchangeName, MANAGEMENT_OWNER, vhostOf, vhostToWrite } from './lookup.js';

type DestinationKind = 'q' | 'e';

function listBindings(ctx: ApiContext, items: Iterable<BindingView>) {
  return replyList(ctx.query, { items, format: formatBinding, basic: formatBinding, basicColumns: BINDING_SORT, defaultSort: BINDING_SORT });
}

interface Ends {
  readonly vhost: VirtualHost;
  readonly source: Exchange;
  readonly destination: Destination;
}

/** The source exchange and destination named by the path; 404 if either is missing. */
function ends(ctx: ApiContext, kind: DestinationKind): Ends {
  const vhost = vhostOf(ctx);
  const source = vhost.exchanges.get(exchangeName(param(ctx, 'source')));
  const destName = param(ctx, 'destination');
  const destination = kind === 'q' ? vhost.queues.get(destName) : vhost.exchanges.get(exchangeName(destName));
  if (source === undefined || destination === undefined) throw notFound();
  return { vhost, source, destination };
}

/** The bindings from a source to a destination (the default exchange's implicit one included). */
function bindingsBetween(e: Ends): BindingView[] {
  if (e.source.name === '') return e.destination instanceof Exchange ? [] : [defaultBinding(e.vhost.name, e.destination)];
  return [...exchangeBindings(e.vhost, e.source)].filter((b) => b.destination === e.destination);
}

/** GET of the bindings between two objects: RabbitMQ lists none (not 404) when one is missing. */
function listBetween(ctx: ApiContext, kind: DestinationKind) {
  let e: Ends;
  try {
    e = ends(ctx, kind);
  } catch (err) {
    if (err instanceof HttpError && err.status === 404 && ctx.broker.vhosts.has(param(ctx, 'vhost'))) return listBindings(ctx, []);
    throw err;
  }
  return listBindings(ctx, bindingsBetween(e));
}

function checkBindPermissions(ctx: ApiContext, vhost: VirtualHost, source: string, destination: string, kind: DestinationKind): void {
  checkPermission(ctx, vhost.name, 'write', kind === 'q' ? 'queue' : 'exchange', destination);
  checkPermission(ctx, vhost.name, 'read', 'exchange', source);
}

/** POST: binds, and answers 201 with the new binding's URI relative to the request's. */
function bind(ctx: ApiContext, kind: DestinationKind) {
  const vhost = vhostToWrite(ctx);
  const sourceName = exchangeName(param(ctx, 'source'));
  const destName = param(ctx, 'destination');
  const body = jsonBody(ctx);
  const routingKey = stringField(body, 'routing_key', '');
  const args = jsonToTable(body['arguments']);
  checkBindPermissions(ctx, vhost, sourceName, destName, kind);
  const source = vhost.getExchange(sourceName);
  const destination = kind === 'q' ? vhost.getQueue(destName, MANAGEMENT_OWNER) : vhost.getExchange(exchangeName(destName));
  vhost.bind(source, destination, routingKey, args);
  const location = `${quotePlus(destName, true)}/${quotePlus(propertiesKey(routingKey, args), true)}`;
  return created({ location });
}

function oneBinding(ctx: ApiContext, kind: DestinationKind): { e: Ends; binding: BindingView } {
  const e = ends(ctx, kind);
  const key = param(ctx, 'props');
  const binding = bindingsBetween(e).find((b) => matchesPropertiesKey(b, key));
  if (binding === undefined) throw notFound();
  return { e, binding };
}

function unbind(ctx: ApiContext, kind: DestinationKind) {
  const { e, binding } = oneBinding(ctx, kind);
  checkBindPermissions(ctx, e.vhost, e.source.name, e.destination.name, kind);
  e.vhost.unbind(e.source, e.destination, binding.routingKey, binding.arguments);
  return noContent();
}

function routesFor(kind: DestinationKind): Route[] {
  const base = `/api/bindings/:vhost/e/:source/${kind}/:destination`;
  const r = (method: Method, path: string, handler: Handler) => route(method, path, 'vhost', handler);
  return [
    r('GET', base, (ctx) => listBetween(ctx, kind)),
    r('POST', base, (ctx) => bind(ctx, kind)),
    r('GET', `${base}/:props`, (ctx) => formatBinding(oneBinding(ctx, kind).binding)),
    r('DELETE', `${base}/:props`, (ctx) => unbind(ctx, kind)),
  ];
}

export const bindingRoutes: readonly Route[] = [
  route('GET', '/api/bindings', 'user', (ctx) => {
    const allowed = listableVhosts(ctx.broker, ctx.user);
    function* all() {
      for (const v of ctx.broker.vhosts.values()) if (allowed.has(v.name)) yield* vhostBindings(v);
    }
    return listBindings(ctx, all());
  }),
  route('GET', '/api/bindings/:vhost', 'vhost', (ctx) => listBindings(ctx, vhostBindings(vhostOf(ctx)))),
  ...routesFor('q'),
  ...routesFor('e'),
];
