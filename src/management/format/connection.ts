import type { Connection } from '../../amqp/connection.js';
import type { Json, JsonObject } from '../json.js';
import { DATA_FIELDS } from '../stats/fields.js';
import { tableJson } from './arguments.js';
import { addCounters } from './counters.js';
import type { FormatContext } from './format-context.js';
import { connectionEndpoints, NODE_NAME } from './names.js';

export const CONNECTION_BASIC_COLUMNS = ['name', 'vhost', 'user', 'node', 'channels', 'peer_host', 'peer_port', 'host', 'port'];

export function connectionBasic(c: Connection): JsonObject {
  const e = connectionEndpoints(c);
  return {
    name: e.name,
    vhost: c.vhost?.name ?? '',
    user: c.user?.name ?? '',
    node: NODE_NAME,
    channels: c.channels.size,
    peer_host: e.peerHost,
    peer_port: e.peerPort,
    host: e.host,
    port: e.port,
  };
}

/**
 * An AMQP connection as /api/connections shows it. Socket byte counters are real; Warren does
 * not count socket reads and writes (recv_cnt, send_cnt are reported as 0) nor record the SASL
 * mechanism used (reported as PLAIN).
 */
export function formatConnection(fc: FormatContext, c: Connection): JsonObject {
  const e = connectionEndpoints(c);
  const clientProperties = tableJson(c.clientProperties);
  const out: Record<string, Json> = {
    auth_mechanism: 'PLAIN',
    channel_max: c.channelMax,
    channels: c.channels.size,
    client_properties: clientProperties,
    connected_at: fc.broker.connectedAt.get(c) ?? fc.stats.seenSince(c),
    frame_max: c.frameMax,
    host: e.host,
    name: e.name,
    node: NODE_NAME,
    peer_cert_issuer: null,
    peer_cert_subject: null,
    peer_cert_validity: null,
    peer_host: e.peerHost,
    peer_port: e.peerPort,
    port: e.port,
    protocol: 'AMQP 0-9-1',
    recv_cnt: 0,
  };
  const bytes = [c.socket.bytesRead, c.socket.bytesWritten];
  const data: Record<string, Json> = {};
  addCounters(data, DATA_FIELDS, bytes, fc.stats.connectionSeries(c), fc.ranges.data_rates);
  out['recv_oct'] = data['recv_oct']!;
  out['recv_oct_details'] = data['recv_oct_details']!;
  out['send_cnt'] = 0;
  out['send_oct'] = data['send_oct']!;
  out['send_oct_details'] = data['send_oct_details']!;
  out['send_pend'] = c.socket.writableLength;
  out['ssl'] = false;
  out['ssl_cipher'] = null;
  out['ssl_hash'] = null;
  out['ssl_key_exchange'] = null;
  out['ssl_protocol'] = null;
  out['state'] = c.isOpen ? 'running' : 'closing';
  out['timeout'] = c.heartbeat;
  out['type'] = 'network';
  out['user'] = c.user?.name ?? '';
  // RabbitMQ names a connection by the client's connection_name property, if given, as well.
  const provided = clientProperties['connection_name'];
  if (typeof provided === 'string') out['user_provided_name'] = provided;
  out['user_who_performed_action'] = c.user?.name ?? '';
  out['vhost'] = c.vhost?.name ?? '';
  return out;
}
