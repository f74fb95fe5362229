import type { Connection } from '../../amqp/connection.js';
import { isAdmin, isMonitor, ownedOrMonitored } from '../api-user.js';
import { noContent, param, type ApiContext } from '../context.js';
import { notAuthorised, notFound } from '../http-error.js';
import { replyList } from '../list.js';
import { route, type Route } from '../router.js';
import { FormatContext } from '../format/format-context.js';
import { CONNECTION_BASIC_COLUMNS, connectionBasic, formatConnection } from '../format/connection.js';
import { connectionEndpoints } from '../format/names.js';
import { listChannels } from './channels.js';
import { vhostOf } from './lookup.js';

function visibleConnections(ctx: ApiContext, vhost?: string): Connection[] {
  const out: Connection[] = [];
  for (const c of ctx.broker.connections) {
    if (vhost !== undefined && c.vhost?.name !== vhost) continue;
    if (ownedOrMonitored(ctx.user, c.user?.name ?? '')) out.push(c);
  }
  return out;
}

function listConnections(ctx: ApiContext, items: Connection[]) {
  const fc = new FormatContext(ctx);
  return replyList(ctx.query, {
    items,
    format: (c) => formatConnection(fc, c),
    basic: connectionBasic,
    basicColumns: CONNECTION_BASIC_COLUMNS,
  });
}

/**
 * The connection named in the path, if the caller may act on it: reading needs the monitoring
 * tag or ownership, closing the administrator tag or ownership (RabbitMQ's is_authorized_user).
 */
function connectionOf(ctx: ApiContext, closing: boolean): Connection {
  const name = param(ctx, 'name');
  let found: Connection | undefined;
  for (const c of ctx.broker.connections) if (connectionEndpoints(c).name === name) found = c;
  if (found === undefined) throw notFound();
  const mayAll = closing ? isAdmin(ctx.user) : isMonitor(ctx.user);
  if (!mayAll && found.user?.name !== ctx.user.name) throw notAuthorised('User not authorised to access object');
  return found;
}

export const connectionRoutes: readonly Route[] = [
  route('GET', '/api/connections', 'user', (ctx) => listConnections(ctx, visibleConnections(ctx))),
  route('GET', '/api/vhosts/:vhost/connections', 'vhost', (ctx) => listConnections(ctx, visibleConnections(ctx, vhostOf(ctx).name))),
  route('GET', '/api/connections/:name', 'user', (ctx) => formatConnection(new FormatContext(ctx), connectionOf(ctx, false))),
  route('DELETE', '/api/connections/:name', 'user', (ctx) => {
    const c = connectionOf(ctx, true);
    const header = ctx.headers['x-reason'];
    const reason = typeof header === 'string' && header !== '' ? header : 'Closed via management plugin';
    c.close(320, `CONNECTION_FORCED - ${reason}`, 0, 0);
    return noContent();
  }),
  route('GET', '/api/connections/:name/channels', 'user', (ctx) => listChannels(ctx, [...connectionOf(ctx, false).channels.values()])),
];
