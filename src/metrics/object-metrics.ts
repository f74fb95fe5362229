import type { Registry } from 'prom-client';
import type { Broker } from '../server/broker.js';
import type { Channel } from '../amqp/channel.js';
import type { Connection } from '../amqp/connection.js';
import { channelName, connectionEndpoints } from '../management/format/names.js';
import { metric, type Kind, type Sample } from './define.js';

/**
 * Series per connection and per channel, served on /metrics/per-object only. As in RabbitMQ 3.10
 * both are labelled `channel`: a connection by its name (`PEER:PORT -> LOCAL:PORT`), a channel by
 * its connection's name and number (`... (1)`), as the management API names them.
 */
export function objectMetrics(registry: Registry, broker: Broker): void {
  const perConnection = (read: (c: Connection) => number) =>
    function* (): Iterable<Sample> {
      for (const c of broker.connections) yield { labels: { channel: connectionEndpoints(c).name }, value: read(c) };
    };
  const perChannel = (read: (ch: Channel) => number) =>
    function* (): Iterable<Sample> {
      for (const c of broker.connections) for (const ch of c.channels.values()) yield { labels: { channel: channelName(ch) }, value: read(ch) };
    };
  const define = (name: string, help: string, kind: Kind, read: () => Iterable<Sample>) => metric(registry, { name, help, kind, labelNames: ['channel'] }, read);
  define('rabbitmq_connection_incoming_bytes_total', 'Total number of bytes received on a connection', 'counter', perConnection((c) => c.socket.bytesRead));
  define('rabbitmq_connection_outgoing_bytes_total', 'Total number of bytes sent on a connection', 'counter', perConnection((c) => c.socket.bytesWritten));
  define('rabbitmq_connection_channels', 'Channels on a connection', 'gauge', perConnection((c) => c.channels.size));
  define('rabbitmq_channel_consumers', 'Consumers on a channel', 'gauge', perChannel((ch) => ch.consumers.size));
  define('rabbitmq_channel_messages_unacked', 'Delivered but not yet acknowledged messages', 'gauge', perChannel((ch) => ch.unacked.size));
  define('rabbitmq_consumer_prefetch', 'Limit of unacknowledged messages for each consumer', 'gauge', perChannel((ch) => ch.prefetchCount));
  define('rabbitmq_channel_prefetch', 'Total limit of unacknowledged messages for all consumers on a channel', 'gauge', perChannel((ch) => ch.globalPrefetch));
}
