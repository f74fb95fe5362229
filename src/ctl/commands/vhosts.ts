/** add_vhost, delete_vhost, list_vhosts. */
import type { Command } from '../command.js';
import { CommandFailed } from '../errors.js';
import { EXIT_DATA_ERROR } from '../exit-codes.js';
import type { JsonObject, JsonValue } from '../json.js';
import { field } from '../json.js';
import { nameListCell, nodeStatesCell, plainCell } from '../cells.js';
import type { ColumnSet } from '../listing.js';
import { column, fieldColumn, listingCommand } from '../listing.js';
import { apiPath } from '../management-client.js';
import { reportDone } from '../results.js';

const GUIDES = ['virtual-hosts'];

/** rabbitmqctl's text for a vhost that does not exist (no "Error:" line; exit 65). */
export function noSuchVhost(name: string): CommandFailed {
  return new CommandFailed(EXIT_DATA_ERROR, `Virtual host '${name}' does not exist\n`);
}

export const addVhost: Command = {
  name: 'add_vhost',
  group: 'Virtual hosts',
  minArgs: 1,
  maxArgs: 1,
  options: ['description', 'tags', 'default-queue-type'],
  doc: {
    usage: '<vhost> [--description <description> --tags "<tag1>,<tag2>,<...>" --default-queue-type <quorum|classic|stream>]',
    summary: 'Creates a virtual host',
    description: 'Creates a virtual host.',
    arguments: [
      ['<vhost>', 'Virtual host name'],
      ['--description <description>', 'Virtual host description'],
      ['--tags <tags>', 'Command separated list of tags'],
      ['--default-queue-type <quorum|classic|stream>', 'Queue type to use if no type is explicitly provided by the client'],
    ],
    guides: GUIDES,
  },
  async run(ctx) {
    const name = ctx.args[0]!;
    ctx.out.info(`Adding vhost "${name}" ...`);
    const body: Record<string, JsonValue> = {};
    const description = ctx.options.get('description');
    const tags = ctx.options.get('tags');
    const queueType = ctx.options.get('default-queue-type');
    if (typeof description === 'string') body['description'] = description;
    if (typeof tags === 'string') body['tags'] = tags;
    if (typeof queueType === 'string') body['default_queue_type'] = queueType;
    await ctx.api.change('PUT', apiPath('vhosts', name), body);
    await reportDone(ctx);
  },
};

export const deleteVhost: Command = {
  name: 'delete_vhost',
  group: 'Virtual hosts',
  minArgs: 1,
  maxArgs: 1,
  doc: { usage: '<vhost>', summary: 'Deletes a virtual host', description: 'Deletes a virtual host.', arguments: [['<vhost>', 'Name of the virtual host to delete.']], guides: GUIDES },
  async run(ctx) {
    const name = ctx.args[0]!;
    ctx.out.info(`Deleting vhost "${name}" ...`);
    const response = await ctx.api.change('DELETE', apiPath('vhosts', name), undefined, [404]);
    if (response.status === 404) throw noSuchVhost(name);
    await reportDone(ctx);
  },
};

const VHOST_COLUMNS: ColumnSet = {
  columns: [
    fieldColumn('name'),
    column('tracing', (v: JsonObject) => plainCell(field(v, 'tracing') ?? false)),
    column('description', (v: JsonObject) => plainCell(field(v, 'description') ?? field(v, 'metadata', 'description'))),
    column('tags', (v: JsonObject) => nameListCell(field(v, 'tags') ?? field(v, 'metadata', 'tags'))),
    column('cluster_state', (v: JsonObject) => nodeStatesCell(field(v, 'cluster_state'))),
    column('default_queue_type', (v: JsonObject) => plainCell(field(v, 'default_queue_type') ?? 'undefined')),
  ],
  defaults: ['name'],
};

export const listVhosts: Command = listingCommand({
  name: 'list_vhosts',
  group: 'Access Control',
  summary: 'Lists virtual hosts',
  usage: '[--no-table-headers] [<column> ...] [--timeout <timeout>]',
  columns: VHOST_COLUMNS,
  guides: ['virtual-hosts', 'access-control'],
  banner: () => ['Listing vhosts ...'],
  items: (ctx) => ctx.api.list('/api/vhosts'),
});
