/** list_queues, purge_queue, delete_queue. */
import type { Command, CommandContext } from '../command.js';
import { failure } from '../errors.js';
import { EXIT_UNAVAILABLE, EXIT_USAGE } from '../exit-codes.js';
import type { JsonObject } from '../json.js';
import { field } from '../json.js';
import { argumentsCell, plainCell } from '../cells.js';
import type { ColumnSet } from '../listing.js';
import { column, fieldColumn, listingCommand } from '../listing.js';
import { apiPath } from '../management-client.js';
import { reportDone } from '../results.js';

const GUIDES = ['queues'];

/** Columns the API has no value for on a single-node classic queue print as '' (as rabbitmqctl's do). */
const blank = (name: string) => column(name, () => plainCell(undefined));

const QUEUE_COLUMNS: ColumnSet = {
  columns: [
    column('arguments', (q: JsonObject) => argumentsCell(field(q, 'arguments'))),
    fieldColumn('auto_delete'),
    fieldColumn('consumer_capacity'),
    fieldColumn('consumer_utilisation'),
    fieldColumn('consumers'),
    fieldColumn('disk_reads'),
    fieldColumn('disk_writes'),
    fieldColumn('durable'),
    fieldColumn('exclusive'),
    blank('exclusive_consumer_pid'),
    fieldColumn('exclusive_consumer_tag'),
    fieldColumn('head_message_timestamp'),
    blank('leader'),
    blank('members'),
    fieldColumn('memory'),
    fieldColumn('message_bytes'),
    fieldColumn('message_bytes_persistent'),
    fieldColumn('message_bytes_ram'),
    fieldColumn('message_bytes_ready'),
    fieldColumn('message_bytes_unacknowledged'),
    fieldColumn('messages'),
    fieldColumn('messages_persistent'),
    fieldColumn('messages_ram'),
    fieldColumn('messages_ready'),
    fieldColumn('messages_ready_ram'),
    fieldColumn('messages_unacknowledged'),
    fieldColumn('messages_unacknowledged_ram'),
    fieldColumn('name'),
    blank('online'),
    fieldColumn('owner_pid', 'owner_pid_details', 'name'),
    blank('pid'),
    fieldColumn('policy'),
    blank('slave_pids'),
    column('state', (q: JsonObject) => plainCell(field(q, 'state') ?? 'running')),
    blank('synchronised_slave_pids'),
    column('type', (q: JsonObject) => plainCell(field(q, 'type') ?? 'classic')),
  ],
  defaults: ['name', 'messages'],
};

function secondsText(seconds: number): string {
  return Number.isInteger(seconds) ? seconds.toFixed(1) : String(seconds);
}

export const listQueues: Command = listingCommand({
  name: 'list_queues',
  summary: 'Lists queues and their properties',
  usage: '[--vhost <vhost>] [--online] [--offline] [--local] [--no-table-headers] [<column>, ...] [--timeout <timeout>]',
  columns: QUEUE_COLUMNS,
  moreArguments: [
    ['--online', 'lists only queues on online (reachable) nodes'],
    ['--offline', 'lists only queues on offline (unreachable) nodes'],
    ['--local', 'only return queues hosted on the target node'],
  ],
  options: ['online', 'offline', 'local'],
  guides: GUIDES,
  banner: (ctx) => [`Timeout: ${secondsText(ctx.timeoutSeconds ?? 60)} seconds ...`, `Listing queues for vhost ${ctx.vhost} ...`],
  // A single node: every queue is online and local, none is offline.
  items: async (ctx) => (ctx.options.has('offline') ? [] : ctx.api.list(apiPath('queues', ctx.vhost))),
});

export const purgeQueue: Command = {
  name: 'purge_queue',
  group: 'Queues',
  minArgs: 1,
  maxArgs: 1,
  doc: {
    usage: '<queue> [--timeout <timeout>]',
    summary: 'Purges a queue (removes all messages in it)',
    description: 'Purges a queue (removes all messages in it).',
    arguments: [['<queue>', 'Name of the queue to purge']],
    guides: GUIDES,
  },
  async run(ctx) {
    const name = ctx.args[0]!;
    ctx.out.info(`Purging queue '${name}' in vhost '${ctx.vhost}' ...`);
    const response = await ctx.api.change('DELETE', apiPath('queues', ctx.vhost, name, 'contents'), undefined, [404]);
    if (response.status === 404) throw failure(EXIT_UNAVAILABLE, 'not_found');
    await reportDone(ctx);
  },
};

function deletingBanner(ctx: CommandContext, name: string, ifEmpty: boolean, ifUnused: boolean): string {
  const conditions = [ifEmpty ? 'if queue is empty' : '', ifUnused ? 'if queue is unused' : ''].filter((c) => c !== '');
  return `Deleting queue '${name}' on vhost '${ctx.vhost}'${conditions.map((c) => ` ${c}`).join(' and')} ...`;
}

export const deleteQueue: Command = {
  name: 'delete_queue',
  group: 'Queues',
  minArgs: 1,
  maxArgs: 1,
  options: ['if-empty', 'if-unused'],
  doc: {
    usage: '<queue_name> [--if-empty|-e] [--if-unused|-u] [--timeout <timeout>]',
    summary: 'Deletes a queue',
    description: 'Deletes a queue.',
    arguments: [
      ['<queue_name>', 'name of the queue to delete'],
      ['--if-empty', 'delete the queue if it is empty (has no messages ready for delivery)'],
      ['--if-unused', 'delete the queue only if it has no consumers'],
    ],
    guides: GUIDES,
  },
  async run(ctx) {
    const name = ctx.args[0]!;
    const ifEmpty = ctx.options.has('if-empty');
    const ifUnused = ctx.options.has('if-unused');
    ctx.out.info(deletingBanner(ctx, name, ifEmpty, ifUnused));
    const path = apiPath('queues', ctx.vhost, name);
    const queue = await ctx.api.object(path);
    if (queue === null) throw failure(EXIT_USAGE, 'Queue not found');
    const ready = Number(field(queue, 'messages_ready') ?? 0);
    if (ifEmpty && ready > 0) throw failure(EXIT_USAGE, 'Queue is not empty');
    if (ifUnused && Number(field(queue, 'consumers') ?? 0) > 0) throw failure(EXIT_USAGE, 'Queue is in use');
    const query = [ifEmpty ? 'if-empty=true' : '', ifUnused ? 'if-unused=true' : ''].filter((q) => q !== '').join('&');
    const response = await ctx.api.change('DELETE', query === '' ? path : `${path}?${query}`, undefined, [400, 404]);
    if (response.status === 404) throw failure(EXIT_USAGE, 'Queue not found');
    if (response.status === 400) throw failure(EXIT_USAGE, ifEmpty ? 'Queue is not empty' : 'Queue is in use');
    const message = `Queue was successfully deleted with ${ready} ready messages`;
    if (ctx.out.json) ctx.out.jsonValue({ message });
    else ctx.out.result(message);
  },
};
