import type { VirtualHost } from '../../broker/vhost.js';
import { listableVhosts } from '../api-user.js';
import { createdOrUpdated, noContent, param, type ApiContext } from '../context.js';
import { boolField, jsonBody } from '../json-body.js';
import { jsonToTable } from '../json-table.js';
import { replyList } from '../list.js';
import { route, type Route } from '../router.js';
import { FormatContext } from '../format/format-context.js';
import { formatQueue, QUEUE_BASIC_COLUMNS, queueBasic } from '../format/queue.js';
import { BINDING_SORT, bindingsTo, defaultBindingRow, formatBinding } from '../format/binding.js';
import { checkPermission, MANAGEMENT_OWNER, queueOf, vhostOf, vhostToWrite } from './lookup.js';
import { getMessages } from './queue-get.js';

function listQueues(ctx: ApiContext, vhosts: Iterable<VirtualHost>) {
  const fc = new FormatContext(ctx);
  function* items() {
    for (const v of vhosts) yield* v.queues.values();
  }
  return replyList(ctx.query, { items: items(), format: (q) => formatQueue(fc, q), basic: queueBasic, basicColumns: QUEUE_BASIC_COLUMNS });
}

function putQueue(ctx: ApiContext) {
  const v = vhostToWrite(ctx);
  const name = param(ctx, 'name');
  const body = jsonBody(ctx);
  const declaration = {
    name,
    passive: false,
    durable: boolField(body, 'durable', false),
    autoDelete: boolField(body, 'auto_delete', false),
    exclusive: false,
    arguments: jsonToTable(body['arguments']),
  };
  checkPermission(ctx, v.name, 'configure', 'queue', name);
  const existed = v.queues.has(name);
  v.declareQueue(declaration, MANAGEMENT_OWNER);
  return createdOrUpdated(existed);
}

function deleteQueue(ctx: ApiContext) {
  const v = vhostOf(ctx);
  const q = queueOf(ctx, v);
  checkPermission(ctx, v.name, 'configure', 'queue', q.name);
  v.deleteQueue(q.name, MANAGEMENT_OWNER, ctx.query.get('if-unused') === 'true', ctx.query.get('if-empty') === 'true');
  return noContent();
}

function purgeQueue(ctx: ApiContext) {
  const v = vhostOf(ctx);
  const q = queueOf(ctx, v);
  checkPermission(ctx, v.name, 'read', 'queue', q.name);
  v.getQueue(q.name, MANAGEMENT_OWNER).purge();
  return noContent();
}

function queueBindings(ctx: ApiContext) {
  const v = vhostOf(ctx);
  const q = v.queues.get(param(ctx, 'name'));
  // RabbitMQ lists the default-exchange binding even of a queue that does not exist.
  if (q === undefined) return [defaultBindingRow(v.name, param(ctx, 'name'))];
  const items = [...bindingsTo(v, q)];
  return replyList(ctx.query, { items, format: formatBinding, basic: formatBinding, basicColumns: BINDING_SORT, defaultSort: BINDING_SORT });
}

export const queueRoutes: readonly Route[] = [
  route('GET', '/api/queues', 'user', (ctx) => {
    const allowed = listableVhosts(ctx.broker, ctx.user);
    return listQueues(ctx, [...ctx.broker.vhosts.values()].filter((v) => allowed.has(v.name)));
  }),
  route('GET', '/api/queues/:vhost', 'vhost', (ctx) => listQueues(ctx, [vhostOf(ctx)])),
  route('GET', '/api/queues/:vhost/:name', 'vhost', (ctx) => formatQueue(new FormatContext(ctx), queueOf(ctx), true)),
  route('PUT', '/api/queues/:vhost/:name', 'vhost', putQueue),
  route('DELETE', '/api/queues/:vhost/:name', 'vhost', deleteQueue),
  route('DELETE', '/api/queues/:vhost/:name/contents', 'vhost', purgeQueue),
  route('GET', '/api/queues/:vhost/:name/bindings', 'vhost', queueBindings),
  route('POST', '/api/queues/:vhost/:name/get', 'vhost', getMessages),
];
