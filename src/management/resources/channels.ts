import type { Channel } from '../../amqp/channel.js';
import { isMonitor, ownedOrMonitored } from '../api-user.js';
import { param, type ApiContext } from '../context.js';
import { notAuthorised, notFound } from '../http-error.js';
import { replyList } from '../list.js';
import { route, type Route } from '../router.js';
import { FormatContext } from '../format/format-context.js';
import { CHANNEL_BASIC_COLUMNS, channelBasic, formatChannel } from '../format/channel.js';
import { channelName } from '../format/names.js';
import { vhostOf } from './lookup.js';

export function listChannels(ctx: ApiContext, items: Channel[]) {
  const fc = new FormatContext(ctx);
  return replyList(ctx.query, { items, format: (ch) => formatChannel(fc, ch), basic: channelBasic, basicColumns: CHANNEL_BASIC_COLUMNS });
}

function visibleChannels(ctx: ApiContext, vhost?: string): Channel[] {
  const out: Channel[] = [];
  for (const c of ctx.broker.connections) {
    if (vhost !== undefined && c.vhost?.name !== vhost) continue;
    if (!ownedOrMonitored(ctx.user, c.user?.name ?? '')) continue;
    out.push(...c.channels.values());
  }
  return out;
}

export const channelRoutes: readonly Route[] = [
  route('GET', '/api/channels', 'user', (ctx) => listChannels(ctx, visibleChannels(ctx))),
  route('GET', '/api/vhosts/:vhost/channels', 'vhost', (ctx) => listChannels(ctx, visibleChannels(ctx, vhostOf(ctx).name))),
  route('GET', '/api/channels/:name', 'user', (ctx) => {
    const name = param(ctx, 'name');
    for (const c of ctx.broker.connections) {
      for (const ch of c.channels.values()) {
        if (channelName(ch) !== name) continue;
        if (!isMonitor(ctx.user) && c.user?.name !== ctx.user.name) throw notAuthorised('User not authorised to access object');
        return formatChannel(new FormatContext(ctx), ch, true);
      }
    }
    throw notFound();
  }),
];
