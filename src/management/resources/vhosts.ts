import { visibleVhosts } from '../api-user.js';
import { createdOrUpdated, noContent, param, type ApiContext } from '../context.js';
import { jsonBody, stringField, tagsField } from '../json-body.js';
import { replyList } from '../list.js';
import { route, type Route } from '../router.js';
import { FormatContext } from '../format/format-context.js';
import { formatVhost, VHOST_BASIC_COLUMNS, vhostBasic } from '../format/vhost.js';
import { permissionsOfRoutes } from './permissions.js';
import { vhostOf } from './lookup.js';

/**
 * PUT replaces the vhost's metadata (an empty body clears it), as RabbitMQ 3.10 does. Creating one
 * gives the user who created it full permissions there, as RabbitMQ does (not the UNIX socket's
 * warrenctl, which is no user: `rabbitmqctl add_vhost` grants none either).
 */
function putVhost(ctx: ApiContext) {
  const name = param(ctx, 'vhost');
  const body = jsonBody(ctx);
  const existed = ctx.broker.vhosts.has(name);
  ctx.broker.addVhost(name, { description: stringField(body, 'description', ''), tags: tagsField(body, 'tags') ?? [] });
  if (!existed && ctx.user.user !== null) ctx.broker.users.setPermissions({ user: ctx.user.name, vhost: name, configure: '.*', write: '.*', read: '.*' });
  return createdOrUpdated(existed);
}

function deleteVhost(ctx: ApiContext) {
  ctx.broker.deleteVhost(vhostOf(ctx).name);
  return noContent();
}

export const vhostRoutes: readonly Route[] = [
  route('GET', '/api/vhosts', 'user', (ctx) => {
    const fc = new FormatContext(ctx);
    const visible = visibleVhosts(ctx.broker, ctx.user);
    return replyList(ctx.query, {
      items: [...ctx.broker.vhosts.values()].filter((v) => visible.has(v.name)),
      format: (v) => formatVhost(fc, v),
      basic: vhostBasic,
      basicColumns: VHOST_BASIC_COLUMNS,
      defaultSort: ['name'],
    });
  }),
  route('GET', '/api/vhosts/:vhost', 'admin', (ctx) => formatVhost(new FormatContext(ctx), vhostOf(ctx))),
  route('PUT', '/api/vhosts/:vhost', 'admin', putVhost),
  route('DELETE', '/api/vhosts/:vhost', 'admin', deleteVhost),
  ...permissionsOfRoutes('/api/vhosts/:vhost', (ctx) => ({ vhost: vhostOf(ctx).name })),
];
