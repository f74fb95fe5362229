/** list_connections, list_channels, list_consumers, close_connection. */
import type { Command } from '../command.js';
import { failure } from '../errors.js';
import { EXIT_UNAVAILABLE } from '../exit-codes.js';
import type { JsonObject, JsonValue } from '../json.js';
import { field } from '../json.js';
import type { Cell } from '../cells.js';
import { addressCell, argumentsCell, plainCell, termCell } from '../cells.js';
import type { ColumnSet } from '../listing.js';
import { column, fieldColumn, listingCommand, VHOST_LISTING_USAGE } from '../listing.js';
import { apiPath } from '../management-client.js';
import { reportDone } from '../results.js';

/** "AMQP 0-9-1" as rabbitmqctl prints a protocol version: {0,9,1}. */
function protocolCell(value: JsonValue | undefined): Cell {
  const m = typeof value === 'string' ? /(\d+)-(\d+)(?:-(\d+))?$/.exec(value) : null;
  if (m === null) return plainCell(value);
  const parts = [m[1], m[2], m[3]].filter((p): p is string => p !== undefined).map(Number);
  return { text: `{${parts.join(',')}}`, json: parts };
}

/** Warren has no Erlang pids: a connection or channel is identified by its name, which close_connection takes. */
const CONNECTION_COLUMNS: ColumnSet = {
  columns: [
    fieldColumn('auth_mechanism'),
    fieldColumn('channel_max'),
    fieldColumn('channels'),
    column('client_properties', (c: JsonObject) => termCell(field(c, 'client_properties') ?? {})),
    fieldColumn('connected_at'),
    fieldColumn('frame_max'),
    column('host', (c: JsonObject) => addressCell(field(c, 'host'))),
    fieldColumn('name'),
    fieldColumn('peer_cert_issuer'),
    fieldColumn('peer_cert_subject'),
    fieldColumn('peer_cert_validity'),
    column('peer_host', (c: JsonObject) => addressCell(field(c, 'peer_host'))),
    fieldColumn('peer_port'),
    fieldColumn('pid', 'name'),
    fieldColumn('port'),
    column('protocol', (c: JsonObject) => protocolCell(field(c, 'protocol'))),
    fieldColumn('recv_cnt'),
    fieldColumn('recv_oct'),
    fieldColumn('send_cnt'),
    fieldColumn('send_oct'),
    fieldColumn('send_pend'),
    column('ssl', (c: JsonObject) => plainCell(field(c, 'ssl') ?? false)),
    fieldColumn('ssl_cipher'),
    fieldColumn('ssl_hash'),
    fieldColumn('ssl_key_exchange'),
    fieldColumn('ssl_protocol'),
    fieldColumn('state'),
    fieldColumn('timeout'),
    fieldColumn('user'),
    fieldColumn('vhost'),
  ],
  defaults: ['user', 'peer_host', 'peer_port', 'state'],
};

export const listConnections: Command = listingCommand({
  name: 'list_connections',
  summary: 'Lists AMQP 0.9.1 connections for the node',
  usage: '[--no-table-headers] [<column> ...] [--timeout <timeout>]',
  columns: CONNECTION_COLUMNS,
  guides: ['connections'],
  banner: () => ['Listing connections ...'],
  items: (ctx) => ctx.api.list('/api/connections'),
});

const CHANNEL_COLUMNS: ColumnSet = {
  columns: [
    fieldColumn('acks_uncommitted'),
    fieldColumn('confirm'),
    fieldColumn('connection', 'connection_details', 'name'),
    fieldColumn('consumer_count'),
    fieldColumn('global_prefetch_count'),
    fieldColumn('messages_unacknowledged'),
    fieldColumn('messages_uncommitted'),
    fieldColumn('messages_unconfirmed'),
    fieldColumn('name'),
    fieldColumn('number'),
    fieldColumn('pid', 'name'),
    fieldColumn('prefetch_count'),
    fieldColumn('transactional'),
    fieldColumn('user'),
    fieldColumn('vhost'),
  ],
  defaults: ['pid', 'user', 'consumer_count', 'messages_unacknowledged'],
};

export const listChannels: Command = listingCommand({
  name: 'list_channels',
  summary: 'Lists all channels in the node',
  usage: '[--no-table-headers] [<column> ...]',
  columns: CHANNEL_COLUMNS,
  guides: ['channels'],
  banner: () => ['Listing channels ...'],
  items: (ctx) => ctx.api.list('/api/channels'),
});

const CONSUMER_COLUMNS: ColumnSet = {
  columns: [
    fieldColumn('ack_required'),
    column('active', (c: JsonObject) => plainCell(field(c, 'active') ?? true)),
    column('activity_status', (c: JsonObject) => plainCell(field(c, 'activity_status') ?? 'up')),
    column('arguments', (c: JsonObject) => argumentsCell(field(c, 'arguments'))),
    fieldColumn('channel_pid', 'channel_details', 'name'),
    fieldColumn('consumer_tag'),
    fieldColumn('prefetch_count'),
    fieldColumn('queue_name', 'queue', 'name'),
  ],
  defaults: ['queue_name', 'channel_pid', 'consumer_tag', 'ack_required', 'prefetch_count', 'active', 'arguments'],
};

export const listConsumers: Command = listingCommand({
  name: 'list_consumers',
  summary: 'Lists all consumers for a vhost',
  usage: VHOST_LISTING_USAGE,
  columns: CONSUMER_COLUMNS,
  guides: ['consumers'],
  banner: (ctx) => [`Listing consumers in vhost ${ctx.vhost} ...`],
  items: (ctx) => ctx.api.list(apiPath('consumers', ctx.vhost)),
});

export const closeConnection: Command = {
  name: 'close_connection',
  group: 'Operations',
  minArgs: 2,
  maxArgs: 2,
  doc: {
    usage: '<connection pid> <explanation>',
    summary: 'Instructs the broker to close the connection with this identifier (its name, see list_connections)',
    description: "Instructs the broker to close the connection with this identifier: Warren has no Erlang pids, a connection's pid is its name.",
    arguments: [
      ['<connection pid>', 'connection identifier: its name, as list_connections pid (or name) prints it'],
      ['<explanation>', 'reason for connection closure'],
    ],
    guides: ['connections'],
  },
  async run(ctx) {
    const [name = '', reason = ''] = ctx.args;
    ctx.out.info(`Closing connection ${name}, reason: ${reason}...`);
    const response = await ctx.api.change('DELETE', apiPath('connections', name), undefined, [404], { 'x-reason': reason });
    if (response.status === 404) throw failure(EXIT_UNAVAILABLE, `no connection named '${name}' (see list_connections pid)`);
    await reportDone(ctx);
  },
};
