import { InvalidPermissionPattern } from '../../broker/users.js';
import { createdOrUpdated, noContent, param, type ApiContext } from '../context.js';
import { badRequest, notFound } from '../http-error.js';
import { jsonBody, requireKeys, stringField } from '../json-body.js';
import { route, type Route } from '../router.js';
import { replyList } from '../list.js';
import { formatPermission } from '../format/user.js';

function putPermission(ctx: ApiContext) {
  const vhost = param(ctx, 'vhost');
  const user = param(ctx, 'user');
  const body = jsonBody(ctx);
  requireKeys(body, ['configure', 'write', 'read']);
  if (!ctx.broker.vhosts.has(vhost) || ctx.broker.users.get(user) === undefined) throw badRequest('vhost_or_user_not_found');
  const existed = ctx.broker.users.permission(vhost, user) !== undefined;
  const p = { user, vhost, configure: stringField(body, 'configure', ''), write: stringField(body, 'write', ''), read: stringField(body, 'read', '') };
  try {
    ctx.broker.users.setPermissions(p);
  } catch (err) {
    if (err instanceof InvalidPermissionPattern) throw badRequest(['invalid_regexp', err.message]);
    throw err;
  }
  return createdOrUpdated(existed);
}

function permissionOf(ctx: ApiContext) {
  const p = ctx.broker.users.permission(param(ctx, 'vhost'), param(ctx, 'user'));
  if (p === undefined) throw notFound();
  return p;
}

/** Permissions sorted as RabbitMQ sorts them: by vhost, then user. */
function listPermissions(ctx: ApiContext, filter: { user?: string; vhost?: string }) {
  return replyList(ctx.query, {
    items: ctx.broker.users.listPermissions(filter),
    format: formatPermission,
    basic: formatPermission,
    basicColumns: ['user', 'vhost', 'configure', 'write', 'read'],
    defaultSort: ['vhost', 'user'],
  });
}

/**
 * `{base}/permissions` and `{base}/topic-permissions` of one user or one vhost (`of` names it,
 * throwing 404 when it does not exist). Warren has no topic permissions: always an empty list.
 */
export function permissionsOfRoutes(base: string, of: (ctx: ApiContext) => { user?: string; vhost?: string }): Route[] {
  return [
    route('GET', `${base}/permissions`, 'admin', (ctx) => listPermissions(ctx, of(ctx))),
    route('GET', `${base}/topic-permissions`, 'admin', (ctx) => {
      of(ctx);
      return [];
    }),
  ];
}

export const permissionRoutes: readonly Route[] = [
  route('GET', '/api/permissions', 'admin', (ctx) => listPermissions(ctx, {})),
  route('GET', '/api/permissions/:vhost/:user', 'admin', (ctx) => formatPermission(permissionOf(ctx))),
  route('PUT', '/api/permissions/:vhost/:user', 'admin', putPermission),
  route('DELETE', '/api/permissions/:vhost/:user', 'admin', (ctx) => {
    const p = permissionOf(ctx);
    ctx.broker.users.clearPermissions(p.vhost, p.user);
    return noContent();
  }),
  route('GET', '/api/topic-permissions', 'admin', () => []),
];
