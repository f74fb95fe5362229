import type { Broker } from '../server/broker.js';
import type { User } from '../broker/users.js';

/** Who is making a management request, and what RabbitMQ's tags let them do. */
export interface ApiUser {
  readonly name: string;
  readonly tags: readonly string[];
  /** The stored user; null for the broker's own administrator (the UNIX socket, used by warrenctl). */
  readonly user: User | null;
}

/** The identity of requests on the UNIX socket: an administrator that needs no permissions. */
export const SOCKET_ADMIN: ApiUser = { name: 'warrenctl', tags: ['administrator'], user: null };

const has = (user: ApiUser, tags: readonly string[]): boolean => user.tags.some((t) => tags.includes(t));

export const isAdmin = (u: ApiUser): boolean => has(u, ['administrator']);
export const isMonitor = (u: ApiUser): boolean => has(u, ['administrator', 'monitoring']);
export const isPolicymaker = (u: ApiUser): boolean => has(u, ['administrator', 'policymaker']);
export const isManagementUser = (u: ApiUser): boolean => has(u, ['administrator', 'monitoring', 'policymaker', 'management']);

/** RabbitMQ's "login vhosts": those the user has any permissions in (all of them for the socket). */
export function mayAccessVhost(broker: Broker, u: ApiUser, vhost: string): boolean {
  if (u.user === null) return broker.vhosts.has(vhost);
  return broker.users.mayOpenVhost(u.user, vhost);
}

/** Vhosts whose objects the user may list: all for administrators, else the login vhosts. */
export function listableVhosts(broker: Broker, u: ApiUser): Set<string> {
  const names = [...broker.vhosts.keys()];
  return new Set(isAdmin(u) ? names : names.filter((v) => mayAccessVhost(broker, u, v)));
}

/** Vhosts the user may know of: all for monitors, else the login vhosts (RabbitMQ's "visible"). */
export function visibleVhosts(broker: Broker, u: ApiUser): Set<string> {
  const names = [...broker.vhosts.keys()];
  return new Set(isMonitor(u) ? names : names.filter((v) => mayAccessVhost(broker, u, v)));
}

/** Monitors see every connection and channel; other users their own (RabbitMQ's filter_user). */
export function ownedOrMonitored(user: ApiUser, owner: string): boolean {
  return isMonitor(user) || owner === user.name;
}
