import type { Consumer } from '../../amqp/consumer.js';
import type { Channel } from '../../amqp/channel.js';
import { tableJson } from './arguments.js';
import type { JsonObject } from '../json.js';
import { channelName, connectionEndpoints, NODE_NAME } from './names.js';

/** The short description of a channel that consumers carry. */
export function channelDetails(ch: Channel): JsonObject {
  const e = connectionEndpoints(ch.connection);
  return {
    connection_name: e.name,
    name: channelName(ch),
    node: NODE_NAME,
    number: ch.id,
    peer_host: e.peerHost,
    peer_port: e.peerPort,
    user: ch.connection.user?.name ?? '',
  };
}

/** A consumer as /api/consumers and a queue's consumer_details show it. */
export function formatConsumer(c: Consumer): JsonObject {
  return {
    arguments: tableJson(c.args),
    ack_required: !c.noAck,
    active: true,
    activity_status: 'up',
    channel_details: channelDetails(c.channel),
    consumer_tag: c.tag,
    exclusive: c.exclusive,
    prefetch_count: c.prefetch,
    queue: { name: c.queue.name, vhost: c.queue.vhost },
  };
}
