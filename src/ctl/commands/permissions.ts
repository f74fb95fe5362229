/** set_permissions, clear_permissions, list_permissions, list_user_permissions. */
import type { Command, CommandContext } from '../command.js';
import { failure } from '../errors.js';
import { EXIT_NO_USER, EXIT_UNAVAILABLE } from '../exit-codes.js';
import type { JsonObject } from '../json.js';
import { field, jsonObjects } from '../json.js';
import { plainCell } from '../cells.js';
import { apiPath } from '../management-client.js';
import { jsonFailure, reportDone } from '../results.js';
import { noSuchVhost } from './vhosts.js';

const GUIDES = ['access-control', 'virtual-hosts'];
const PATTERNS = ['configure', 'write', 'read'] as const;

/** Both must exist; rabbitmqctl checks the user first (67), then the vhost (69). */
async function checkUserAndVhost(ctx: CommandContext, user: string): Promise<void> {
  if ((await ctx.api.object(apiPath('users', user))) === null) {
    if (ctx.out.json) throw await jsonFailure(ctx, `User ${user} does not exist`);
    throw failure(EXIT_NO_USER, `User ${user} does not exist`);
  }
  if ((await ctx.api.object(apiPath('vhosts', ctx.vhost))) === null) {
    if (ctx.out.json) throw await jsonFailure(ctx, `Virtual host ${ctx.vhost} does not exist`);
    throw failure(EXIT_UNAVAILABLE, `Virtual host ${ctx.vhost} does not exist`);
  }
}

function permissionRow(first: 'user' | 'vhost', p: JsonObject) {
  return [plainCell(field(p, first)), ...PATTERNS.map((k) => plainCell(field(p, k) ?? ''))];
}

export const setPermissions: Command = {
  name: 'set_permissions',
  group: 'Access Control',
  minArgs: 4,
  maxArgs: 4,
  doc: {
    usage: '[--vhost <vhost>] <username> <conf> <write> <read>',
    summary: 'Sets user permissions for a vhost',
    description: 'Sets user permissions for a vhost.',
    arguments: [
      ['<username>', 'Self-explanatory'],
      ['<conf>', 'Configuration permission pattern'],
      ['<write>', 'Write permission pattern'],
      ['<read>', 'Read permission pattern'],
    ],
    guides: GUIDES,
  },
  async run(ctx) {
    const [user = '', configure = '', write = '', read = ''] = ctx.args;
    ctx.out.info(`Setting permissions for user "${user}" in vhost "${ctx.vhost}" ...`);
    await checkUserAndVhost(ctx, user);
    await ctx.api.change('PUT', apiPath('permissions', ctx.vhost, user), { configure, write, read });
    await reportDone(ctx);
  },
};

export const clearPermissions: Command = {
  name: 'clear_permissions',
  group: 'Access Control',
  minArgs: 1,
  maxArgs: 1,
  doc: {
    usage: '[--vhost <vhost>] <username>',
    summary: 'Revokes user permissions for a vhost',
    description: 'Revokes user permissions for a vhost.',
    arguments: [['<username>', 'Name of the user whose permissions should be revoked']],
    guides: ['access-control'],
  },
  async run(ctx) {
    const user = ctx.args[0]!;
    ctx.out.info(`Clearing permissions for user "${user}" in vhost "${ctx.vhost}" ...`);
    await checkUserAndVhost(ctx, user);
    await ctx.api.change('DELETE', apiPath('permissions', ctx.vhost, user), undefined, [404]);
    await reportDone(ctx);
  },
};

export const listPermissions: Command = {
  name: 'list_permissions',
  group: 'Access Control',
  minArgs: 0,
  maxArgs: 0,
  listing: true,
  doc: {
    usage: '[--vhost <vhost>] [--no-table-headers] [--timeout <timeout>]',
    summary: 'Lists user permissions in a virtual host',
    description: 'Lists user permissions in a virtual host.',
    guides: GUIDES,
  },
  async run(ctx) {
    ctx.out.info(`Listing permissions for vhost "${ctx.vhost}" ...`);
    const permissions = await ctx.api.read(apiPath('vhosts', ctx.vhost, 'permissions'));
    if (!Array.isArray(permissions)) throw noSuchVhost(ctx.vhost);
    const rows = jsonObjects(permissions).map((p) => permissionRow('user', p));
    ctx.out.list(['user', ...PATTERNS], rows);
  },
};

export const listUserPermissions: Command = {
  name: 'list_user_permissions',
  group: 'Access Control',
  minArgs: 1,
  maxArgs: 1,
  listing: true,
  doc: {
    usage: '[--no-table-headers] <username> [--timeout <timeout>]',
    summary: 'Lists permissions of a user across all virtual hosts',
    description: 'Lists permissions of a user across all virtual hosts.',
    arguments: [['<username>', 'Name of the user']],
    guides: GUIDES,
  },
  async run(ctx) {
    const user = ctx.args[0]!;
    ctx.out.info(`Listing permissions for user "${user}" ...`);
    const permissions = await ctx.api.read(apiPath('users', user, 'permissions'));
    if (!Array.isArray(permissions)) throw failure(EXIT_UNAVAILABLE, `{:no_such_user, "${user}"}`);
    const rows = jsonObjects(permissions).map((p) => permissionRow('vhost', p));
    // rabbitmqctl prints an empty line (JSON: []) rather than nothing for a user without any.
    if (rows.length === 0) ctx.out.raw(ctx.out.json ? '[]\n' : '\n');
    else ctx.out.list(['vhost', ...PATTERNS], rows);
  },
};
