import { Message } from '../../queue/message.js';
import { encodeHeaderWithProperties } from '../../queue/content-header.js';
import type { ApiContext } from '../context.js';
import type { Json } from '../json.js';
import { route, type Route } from '../router.js';
import { channelErrorToHttp, withAmqpErrors } from '../channel-errors.js';
import { checkPermission, MANAGEMENT_OWNER, vhostOf } from './lookup.js';

const QUEUE = 'aliveness-test';
const EMPTY = new Map();

/**
 * GET /api/aliveness-test/{vhost}: declares the queue `aliveness-test`, publishes a message to it
 * through the default exchange and gets it back, as RabbitMQ does (the queue stays).
 */
function alivenessTest(ctx: ApiContext): Json {
  const v = vhostOf(ctx);
  return withAmqpErrors(channelErrorToHttp, () => {
    for (const kind of ['configure', 'write', 'read'] as const) checkPermission(ctx, v.name, kind, 'queue', QUEUE);
    const q = v.declareQueue({ name: QUEUE, passive: false, durable: false, exclusive: false, autoDelete: false, arguments: EMPTY }, MANAGEMENT_OWNER);
    const body = Buffer.from('test_message');
    q.enqueue(new Message('', QUEUE, {}, encodeHeaderWithProperties(body.length, {}), body));
    const entry = q.take(true);
    return entry !== undefined && entry.loadedMessage.body.equals(body) ? { status: 'ok' } : { status: 'failed', reason: 'no message' };
  });
}

export const alivenessRoutes: readonly Route[] = [route('GET', '/api/aliveness-test/:vhost', 'vhost', alivenessTest)];
