import type { VirtualHost } from '../../broker/vhost.js';
import type { Exchange } from '../../broker/exchange.js';
import type { Queue } from '../../queue/queue.js';
import type { PermissionKind } from '../../broker/users.js';
import { accessRefused } from '../../broker/errors.js';
import { param, type ApiContext } from '../context.js';
import { notFound, notFoundReason } from '../http-error.js';

/** Who the management API acts as for exclusive-queue checks: never a queue's owner. */
export const MANAGEMENT_OWNER: object = Object.freeze({ management: true });

/** The vhost named by the path; 404 if there is none. */
export function vhostOf(ctx: ApiContext): VirtualHost {
  const v = ctx.broker.vhosts.get(param(ctx, 'vhost'));
  if (v === undefined) throw notFound();
  return v;
}

/** The vhost of a PUT or POST that creates something: 404 `vhost_not_found` if there is none. */
export function vhostToWrite(ctx: ApiContext): VirtualHost {
  const v = ctx.broker.vhosts.get(param(ctx, 'vhost'));
  if (v === undefined) throw notFoundReason('vhost_not_found');
  return v;
}

/** Exchange names in paths: `amq.default` stands for the default exchange (''). */
export function exchangeName(raw: string): string {
  return raw === 'amq.default' ? '' : raw;
}

export function queueOf(ctx: ApiContext, v: VirtualHost = vhostOf(ctx), name = param(ctx, 'name')): Queue {
  const q = v.queues.get(name);
  if (q === undefined) throw notFound();
  return q;
}

export function exchangeOf(ctx: ApiContext, v: VirtualHost = vhostOf(ctx), raw = param(ctx, 'name')): Exchange {
  const x = v.exchanges.get(exchangeName(raw));
  if (x === undefined) throw notFound();
  return x;
}

/**
 * The caller's configure/write/read permission on a queue or exchange, checked as an AMQP client's
 * would be (the UNIX socket's administrator has every permission).
 */
export function checkPermission(ctx: ApiContext, vhost: string, kind: PermissionKind, type: 'queue' | 'exchange', name: string): void {
  const user = ctx.user.user;
  if (user === null || ctx.broker.users.allowed(user, vhost, kind, name)) return;
  const shown = type === 'exchange' && name === '' ? 'amq.default' : name;
  throw accessRefused(`access to ${type} '${shown}' in vhost '${vhost}' refused for user '${user.name}'`);
}
