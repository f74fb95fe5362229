import { DEFAULT_HASHING, isHashingAlgorithm, type User } from '../../broker/users.js';
import { createdOrUpdated, noContent, param, type ApiContext } from '../context.js';
import { badRequest, notFound } from '../http-error.js';
import { jsonBody, requireKeys, tagsField } from '../json-body.js';
import type { Json, JsonObject } from '../json.js';
import { route, type Route } from '../router.js';
import { replyList } from '../list.js';
import { formatUser } from '../format/user.js';
import { permissionsOfRoutes } from './permissions.js';

function userOf(ctx: ApiContext): User {
  const u = ctx.broker.users.get(param(ctx, 'user'));
  if (u === undefined) throw notFound();
  return u;
}

/** A password hash from the body: base64 (RabbitMQ's `["not_base64", h]` otherwise). */
function passwordHash(value: Json): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) {
    throw badRequest(['not_base64', typeof value === 'string' ? value : JSON.stringify(value)]);
  }
  return value;
}

/**
 * PUT /api/users/{name}: `tags` (a string or a list) is required; `password` or `password_hash`
 * (with `hashing_algorithm`) sets the credentials, and with neither the user has no password.
 */
function putUser(ctx: ApiContext) {
  const name = param(ctx, 'user');
  const body: JsonObject = jsonBody(ctx);
  const tags = tagsField(body, 'tags');
  if (tags === undefined) throw badRequest('tags_not_present');
  const password = body['password'];
  const hash = body['password_hash'];
  if (password !== undefined && hash !== undefined) throw badRequest('both_password_and_password_hash_are_provided');
  const existed = ctx.broker.users.get(name) !== undefined;
  if (password !== undefined && password !== null) {
    ctx.broker.users.putUser(name, String(password), tags);
  } else if (hash !== undefined && hash !== null) {
    const algorithm = body['hashing_algorithm'];
    ctx.broker.users.putUserWithHash({
      name,
      tags,
      passwordHash: passwordHash(hash),
      hashingAlgorithm: typeof algorithm === 'string' && isHashingAlgorithm(algorithm) ? algorithm : DEFAULT_HASHING,
    });
  } else {
    ctx.broker.users.putUser(name, null, tags);
  }
  return createdOrUpdated(existed);
}

function deleteUser(ctx: ApiContext) {
  ctx.broker.users.deleteUser(userOf(ctx).name);
  return noContent();
}

/** Deletes the users in order; the first one that does not exist stops it with a 400. */
function bulkDelete(ctx: ApiContext) {
  const body = jsonBody(ctx);
  requireKeys(body, ['users']);
  const names = body['users'];
  if (!Array.isArray(names)) throw badRequest(['not_a_list', JSON.stringify(names)]);
  for (const n of names as readonly Json[]) {
    const name = typeof n === 'string' ? n : JSON.stringify(n);
    if (!ctx.broker.users.deleteUser(name)) throw badRequest(['no_such_user', name]);
  }
  return noContent();
}

export const userRoutes: readonly Route[] = [
  route('GET', '/api/users', 'admin', (ctx) => listUsers(ctx, ctx.broker.users.list())),
  route('GET', '/api/users/without-permissions', 'admin', (ctx) => {
    const users = ctx.broker.users;
    return listUsers(ctx, users.list().filter((u) => users.listPermissions({ user: u.name }).length === 0));
  }),
  route('POST', '/api/users/bulk-delete', 'admin', bulkDelete),
  route('GET', '/api/users/:user', 'admin', (ctx) => formatUser(userOf(ctx))),
  route('PUT', '/api/users/:user', 'admin', putUser),
  route('DELETE', '/api/users/:user', 'admin', deleteUser),
  ...permissionsOfRoutes('/api/users/:user', (ctx) => ({ user: userOf(ctx).name })),
];

function listUsers(ctx: ApiContext, users: readonly User[]) {
  return replyList(ctx.query, { items: users, format: formatUser, basic: formatUser, basicColumns: ['name', 'tags', 'hashing_algorithm'], defaultSort: ['name'] });
}
