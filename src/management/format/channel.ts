import type { Channel } from '../../amqp/channel.js';
import type { Json, JsonObject } from '../json.js';
import { CHANNEL_FIELDS, MESSAGE_GROUPS } from '../stats/fields.js';
import { channelCounters } from '../stats/stats-db.js';
import { formatConsumer } from './consumer.js';
import { messageStats } from './counters.js';
import type { FormatContext } from './format-context.js';
import { channelName, connectionEndpoints, formatTimestamp, NODE_NAME } from './names.js';

export const CHANNEL_BASIC_COLUMNS = ['name', 'vhost', 'user', 'node', 'number'];

export function channelBasic(ch: Channel): JsonObject {
  return { name: channelName(ch), vhost: ch.vhost.name, user: ch.connection.user?.name ?? '', node: NODE_NAME, number: ch.id };
}

/**
 * A channel as /api/channels shows it. message_stats are the channel's own counters (read live,
 * rates and samples from the statistics database), in RabbitMQ's two groups: the publishing one
 * (publish, confirm, return_unroutable, drop_unroutable) once the channel has published, the
 * delivering one (deliver, get, ack, redeliver...) once it has received, acked or got empty.
 */
export function formatChannel(fc: FormatContext, ch: Channel, detail = false): JsonObject {
  const e = connectionEndpoints(ch.connection);
  const user = ch.connection.user?.name ?? '';
  const perConsumer: Record<string, Json> = detail ? { consumer_details: [...ch.consumers.values()].map(formatConsumer), deliveries: [] } : {};
  const stats = messageStats(CHANNEL_FIELDS, MESSAGE_GROUPS, channelCounters(ch), fc.stats.channelSeries(ch), fc.ranges.msg_rates);
  return {
    acks_uncommitted: ch.tx?.settles.length ?? 0,
    confirm: ch.confirmMode,
    connection_details: { name: e.name, peer_host: e.peerHost, peer_port: e.peerPort },
    consumer_count: ch.consumers.size,
    ...perConsumer,
    global_prefetch_count: ch.globalPrefetch,
    idle_since: formatTimestamp(fc.stats.seenSince(ch)),
    ...(stats === undefined ? {} : { message_stats: stats }),
    messages_unacknowledged: ch.unacked.size,
    messages_uncommitted: ch.tx?.publishes.length ?? 0,
    messages_unconfirmed: 0,
    name: channelName(ch),
    node: NODE_NAME,
    number: ch.id,
    pending_raft_commands: 0,
    prefetch_count: ch.prefetchCount,
    ...(detail ? { publishes: [] } : {}),
    state: ch.state === 'open' ? 'running' : 'closing',
    transactional: ch.tx !== null,
    user,
    user_who_performed_action: user,
    vhost: ch.vhost.name,
  };
}
