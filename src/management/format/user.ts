import type { Permission, User } from '../../broker/users.js';
import type { JsonObject } from '../json.js';

export function formatUser(u: User): JsonObject {
  return { name: u.name, password_hash: u.passwordHash, hashing_algorithm: u.hashingAlgorithm, tags: [...u.tags], limits: {} };
}

export function formatPermission(p: Permission): JsonObject {
  return { user: p.user, vhost: p.vhost, configure: p.configure, write: p.write, read: p.read };
}
