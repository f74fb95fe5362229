import { route, type Route } from '../router.js';
import { FormatContext } from '../format/format-context.js';
import { formatOverview } from '../format/overview.js';
import { formatNode } from '../format/node.js';
import { NODE_NAME } from '../format/names.js';
import { param } from '../context.js';
import { notFound } from '../http-error.js';

/** /api/overview, /api/nodes, /api/whoami and the few small informational resources. */
export const overviewRoutes: readonly Route[] = [
  route('GET', '/api/overview', 'user', (ctx) => formatOverview(new FormatContext(ctx), ctx.user, ctx.broker.managementPort)),
  route('GET', '/api/cluster-name', 'user', (ctx) => ({ name: ctx.broker.settings.clusterName })),
  route('GET', '/api/whoami', 'user', (ctx) => ({ name: ctx.user.name, tags: [...ctx.user.tags] })),
  route('GET', '/api/extensions', 'user', () => []),
  route('GET', '/api/nodes', 'monitor', (ctx) => [formatNode(new FormatContext(ctx), ctx.broker.managementPort)]),
  route('GET', '/api/nodes/:node', 'monitor', (ctx) => {
    if (param(ctx, 'node') !== NODE_NAME) throw notFound();
    return formatNode(new FormatContext(ctx), ctx.broker.managementPort);
  }),
];
