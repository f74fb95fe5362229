import { Reply, param, type ApiContext } from '../context.js';
import { badRequest } from '../http-error.js';
import type { JsonObject } from '../json.js';
import { route, type Route } from '../router.js';
import { NODE_NAME } from '../format/names.js';

const ok = (extra: JsonObject = {}): JsonObject => ({ status: 'ok', ...extra });
const failed = (body: JsonObject): Reply => new Reply(503, { status: 'failed', ...body });

function alarms(ctx: ApiContext, reason: string): JsonObject | Reply {
  if (ctx.broker.alarms.size === 0) return ok();
  return failed({ reason, alarms: [...ctx.broker.alarms].map((resource) => ({ node: NODE_NAME, resource })) });
}

/** The ports Warren listens on: AMQP and the management API. */
function activePorts(ctx: ApiContext): number[] {
  const ports = [ctx.broker.port];
  if (ctx.broker.managementPort !== 0) ports.push(ctx.broker.managementPort);
  return ports;
}

/** Protocol names as RabbitMQ normalises them for the protocol-listener check. */
function protocolName(raw: string): string {
  const p = raw.toLowerCase();
  if (['amqp', 'amqp091', 'amqp0-9-1', 'amqp0.9.1', 'amqp091', 'amqp0_9_1'].includes(p)) return 'amqp';
  if (['http', 'management', 'http/management'].includes(p)) return 'http';
  return p;
}

export const healthRoutes: readonly Route[] = [
  route('GET', '/api/health/checks/alarms', 'user', (ctx) => alarms(ctx, 'There are alarms in effect in the cluster')),
  route('GET', '/api/health/checks/local-alarms', 'user', (ctx) => alarms(ctx, 'There are alarms in effect on the node')),
  route('GET', '/api/health/checks/virtual-hosts', 'user', () => ok()),
  route('GET', '/api/health/checks/node-is-quorum-critical', 'user', () => ok({ reason: 'single node cluster' })),
  route('GET', '/api/health/checks/node-is-mirror-sync-critical', 'user', () => ok()),
  route('GET', '/api/health/checks/certificate-expiration/:within/:unit', 'user', () => ok()),
  route('GET', '/api/health/checks/port-listener/:port', 'user', (ctx) => {
    const raw = param(ctx, 'port');
    if (!/^\d+$/.test(raw)) throw badRequest('Invalid port');
    const port = Number(raw);
    const ports = activePorts(ctx);
    return ports.includes(port) ? ok({ port }) : failed({ reason: 'No active listener', missing: port, ports });
  }),
  route('GET', '/api/health/checks/protocol-listener/:protocol', 'user', (ctx) => {
    const protocol = protocolName(param(ctx, 'protocol'));
    const protocols = ctx.broker.managementPort !== 0 ? ['http', 'amqp'] : ['amqp'];
    return protocols.includes(protocol) ? ok({ protocol }) : failed({ reason: 'No active listener', missing: protocol, protocols });
  }),
  route('GET', '/api/healthchecks/node', 'user', () => ok()),
  route('GET', '/api/healthchecks/node/:node', 'user', () => ok()),
];
