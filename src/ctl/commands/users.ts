/** add_user, delete_user, change_password, clear_password, set_user_tags, list_users. */
import type { Command, CommandContext } from '../command.js';
import { apiPath } from '../management-client.js';
import { CommandFailed, failure } from '../errors.js';
import { EXIT_DATA_ERROR, EXIT_NO_USER, EXIT_SOFTWARE, EXIT_UNAVAILABLE } from '../exit-codes.js';
import type { JsonObject } from '../json.js';
import { field, stringField } from '../json.js';
import { nameListCell, plainCell } from '../cells.js';
import { passwordArgument } from '../stdin-password.js';
import { reportDone, jsonFailure } from '../results.js';

export const GUIDES = ['access-control'];
const ADDED = "Done. Don't forget to grant the user permissions to some virtual hosts! See 'warrenctl help set_permissions' to learn more.";

/** The user, or the "does not exist" failure rabbitmqctl reports for it (67; 69 in JSON). */
async function existingUser(ctx: CommandContext, name: string): Promise<JsonObject> {
  const user = await ctx.api.object(apiPath('users', name));
  if (user === null) throw await noSuchUser(ctx, name);
  return user;
}

async function noSuchUser(ctx: CommandContext, name: string): Promise<CommandFailed> {
  if (ctx.out.json) return jsonFailure(ctx, `User ${name} does not exists`);
  return failure(EXIT_NO_USER, `User "${name}" does not exist`);
}

function tagsOf(user: JsonObject): string {
  const tags = field(user, 'tags');
  return Array.isArray(tags) ? tags.map(String).join(',') : typeof tags === 'string' ? tags : '';
}

export const addUser: Command = {
  name: 'add_user',
  group: 'Users',
  minArgs: 1,
  maxArgs: 2,
  doc: {
    usage: '<username> <password>',
    summary: 'Creates a new user in the internal database. This user will have no permissions for any virtual hosts by default.',
    description: 'Creates a new user in the internal database. This user will have no permissions for any virtual hosts by default..',
    arguments: [
      ['<username>', 'Self-explanatory'],
      ['<password>', 'Password this user will authenticate with. Use a blank string to disable password-based authentication.'],
    ],
    guides: GUIDES,
  },
  async run(ctx) {
    const name = ctx.args[0]!;
    ctx.out.info(`Adding user "${name}" ...`);
    const password = await passwordArgument(ctx, 1);
    if (password === null) throw failure(EXIT_DATA_ERROR, 'Password is not provided via argument or stdin');
    if ((await ctx.api.object(apiPath('users', name))) !== null) {
      if (ctx.out.json) throw await jsonFailure(ctx, `User ${name} already exists`);
      throw failure(EXIT_SOFTWARE, `User "${name}" already exists`);
    }
    const body = password === '' ? { password_hash: '', tags: '' } : { password, tags: '' };
    await ctx.api.change('PUT', apiPath('users', name), body);
    if (ctx.out.json) ctx.out.jsonValue({ message: ADDED, node: await ctx.api.nodeName(), status: 'ok' });
    else ctx.out.info(ADDED);
  },
};

export const deleteUser: Command = {
  name: 'delete_user',
  group: 'Users',
  minArgs: 1,
  maxArgs: 1,
  doc: {
    usage: '<username>',
    summary: 'Removes a user from the internal database. Has no effect on users provided by external backends such as LDAP',
    description: 'Removes a user from the internal database. Has no effect on users provided by external backends such as LDAP.',
    arguments: [['<username>', 'Name of the user to delete.']],
    guides: GUIDES,
  },
  async run(ctx) {
    const name = ctx.args[0]!;
    ctx.out.info(`Deleting user "${name}" ...`);
    const response = await ctx.api.change('DELETE', apiPath('users', name), undefined, [404]);
    if (response.status === 404) throw await noSuchUser(ctx, name);
    await reportDone(ctx);
  },
};

export const changePassword: Command = {
  name: 'change_password',
  group: 'Users',
  minArgs: 2,
  maxArgs: 2,
  doc: {
    usage: '<username> <password>',
    summary: 'Changes the user password',
    description: 'Changes the user password.',
    arguments: [
      ['<username>', 'Name of the user whose password should be changed'],
      ['<password>', 'New password to set'],
    ],
    guides: GUIDES,
  },
  async run(ctx) {
    const [name = '', password = ''] = ctx.args;
    ctx.out.info(`Changing password for user "${name}" ...`);
    const user = await existingUser(ctx, name);
    await ctx.api.change('PUT', apiPath('users', name), { password, tags: tagsOf(user) });
    await reportDone(ctx);
  },
};

export const clearPassword: Command = {
  name: 'clear_password',
  group: 'Users',
  minArgs: 1,
  maxArgs: 1,
  doc: {
    usage: '<username>',
    summary: 'Clears (resets) password and disables password login for a user',
    description: 'Clears (resets) password and disables password login for a user.',
    arguments: [['<username>', 'Name of the user whose password should be cleared']],
    guides: GUIDES,
  },
  async run(ctx) {
    const name = ctx.args[0]!;
    ctx.out.info(`Clearing password for user "${name}" ...`);
    const user = await ctx.api.object(apiPath('users', name));
    if (user === null) throw failure(EXIT_UNAVAILABLE, `{:no_such_user, "${name}"}`);
    await ctx.api.change('PUT', apiPath('users', name), { password_hash: '', tags: tagsOf(user) });
    await reportDone(ctx);
  },
};

export const setUserTags: Command = {
  name: 'set_user_tags',
  group: 'Users',
  minArgs: 1,
  maxArgs: Infinity,
  doc: {
    usage: '<username> <tag> [...]',
    summary: 'Sets user tags',
    description: 'Sets user tags.',
    arguments: [
      ['<username>', 'Self-explanatory'],
      ['<tags>', 'Space separated list of tags'],
    ],
    guides: ['management', 'access-control'],
  },
  async run(ctx) {
    const [name = '', ...tags] = ctx.args;
    ctx.out.info(`Setting tags for user "${name}" to [${tags.join(', ')}] ...`);
    const user = await existingUser(ctx, name);
    await ctx.api.change('PUT', apiPath('users', name), {
      password_hash: stringField(user, 'password_hash') ?? '',
      hashing_algorithm: stringField(user, 'hashing_algorithm') ?? 'rabbit_password_hashing_sha256',
      tags: tags.join(','),
    });
    await reportDone(ctx);
  },
};

export const listUsers: Command = {
  name: 'list_users',
  group: 'Users',
  minArgs: 0,
  maxArgs: 0,
  listing: true,
  doc: { usage: '[--no-table-headers] [--timeout <timeout>]', summary: 'List user names and tags', description: 'List user names and tags.', guides: GUIDES },
  async run(ctx) {
    ctx.out.info('Listing users ...');
    const users = await ctx.api.list('/api/users');
    ctx.out.list(['user', 'tags'], users.map((u) => [plainCell(field(u, 'name')), nameListCell(field(u, 'tags'))]));
  },
};
