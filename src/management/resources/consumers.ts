import { Consumer } from '../../amqp/consumer.js';
import type { VirtualHost } from '../../broker/vhost.js';
import { listableVhosts } from '../api-user.js';
import type { ApiContext } from '../context.js';
import { replyList } from '../list.js';
import { route, type Route } from '../router.js';
import { formatConsumer } from '../format/consumer.js';
import { vhostOf } from './lookup.js';

function consumersOf(vhosts: Iterable<VirtualHost>): Consumer[] {
  const out: Consumer[] = [];
  for (const v of vhosts) for (const q of v.queues.values()) for (const c of q.consumers) if (c instanceof Consumer) out.push(c);
  return out;
}

function listConsumers(ctx: ApiContext, vhosts: Iterable<VirtualHost>) {
  return replyList(ctx.query, {
    items: consumersOf(vhosts),
    format: formatConsumer,
    basic: formatConsumer,
    basicColumns: [],
    defaultSort: ['queue.vhost', 'queue.name', 'consumer_tag'],
  });
}

export const consumerRoutes: readonly Route[] = [
  route('GET', '/api/consumers', 'user', (ctx) => {
    const allowed = listableVhosts(ctx.broker, ctx.user);
    return listConsumers(ctx, [...ctx.broker.vhosts.values()].filter((v) => allowed.has(v.name)));
  }),
  // RabbitMQ answers an empty list, not 401, for a vhost the user may not see.
  route('GET', '/api/consumers/:vhost', 'user', (ctx) => {
    const v = vhostOf(ctx);
    return listConsumers(ctx, listableVhosts(ctx.broker, ctx.user).has(v.name) ? [v] : []);
  }),
];
