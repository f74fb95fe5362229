import type { IncomingHttpHeaders } from 'node:http';
import type { Broker } from '../server/broker.js';
import { isAdmin, isManagementUser, isMonitor, mayAccessVhost, type ApiUser } from './api-user.js';
import { credentialsRequired, loginFailed, notAuthorised } from './http-error.js';
import type { Access } from './router.js';

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

function basicCredentials(headers: IncomingHttpHeaders): { name: string; password: string } | undefined {
  const header = headers.authorization;
  if (header === undefined) return undefined;
  const m = /^Basic\s+(\S+)\s*$/i.exec(header);
  if (m === null) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { name: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * HTTP basic authentication and tag-based authorisation as RabbitMQ's management plugin does it:
 * no credentials → 401 with the realm; wrong ones → 401 "Login failed"; a loopback-only user from
 * elsewhere, a user without a management tag, or one lacking the route's access → 401
 * `not_authorised` with RabbitMQ's reason.
 */
export function authenticate(broker: Broker, headers: IncomingHttpHeaders, peerAddress: string, access: Access, vhost: string | undefined): ApiUser {
  const credentials = basicCredentials(headers);
  if (credentials === undefined) throw credentialsRequired();
  const user = broker.users.authenticate(credentials.name, credentials.password);
  if (user === undefined) throw loginFailed();
  if (broker.users.loopbackUsers.has(user.name) && !isLoopback(peerAddress)) throw notAuthorised('User can only log in via localhost');
  const apiUser: ApiUser = { name: user.name, tags: user.tags, user };
  if (!isManagementUser(apiUser)) throw notAuthorised('Not management user');
  authorise(broker, apiUser, access, vhost);
  return apiUser;
}

export function authorise(broker: Broker, user: ApiUser, access: Access, vhost: string | undefined): void {
  switch (access) {
    case 'user':
      return;
    case 'monitor':
      if (!isMonitor(user)) throw notAuthorised('Not monitor user');
      return;
    case 'admin':
      if (!isAdmin(user)) throw notAuthorised('Not administrator user');
      return;
    case 'vhost':
      // A vhost that does not exist passes here and is a 404 later, as in RabbitMQ.
      if (isAdmin(user) || vhost === undefined || !broker.vhosts.has(vhost) || mayAccessVhost(broker, user, vhost)) return;
      throw notAuthorised('User not authorised to access virtual host');
  }
}
