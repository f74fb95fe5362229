import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export interface User {
  readonly name: string;
  readonly tags: readonly string[];
}

interface StoredUser extends User {
  readonly salt: Buffer;
  readonly hash: Buffer;
}

/** RabbitMQ's rabbit_password_hashing_sha256: sha256(salt ++ utf8(password)) with a 4-byte salt. */
function hashPassword(salt: Buffer, password: string): Buffer {
  return createHash('sha256').update(salt).update(password, 'utf8').digest();
}

/**
 * Users and their access to virtual hosts. For now the broker has the default user only
 * (guest/guest, allowed from loopback only); the access-control issue makes this durable.
 */
export class UserStore {
  private readonly users = new Map<string, StoredUser>();
  /** Users that may only log in from a loopback address (RabbitMQ's `loopback_users`). */
  readonly loopbackUsers = new Set<string>();

  addUser(name: string, password: string, tags: readonly string[]): void {
    const salt = randomBytes(4);
    this.users.set(name, { name, tags, salt, hash: hashPassword(salt, password) });
  }

  authenticate(name: string, password: string): User | undefined {
    const user = this.users.get(name);
    if (user === undefined) return undefined;
    const hash = hashPassword(user.salt, password);
    return timingSafeEqual(hash, user.hash) ? user : undefined;
  }

  /** Whether a user may open a virtual host. Every user has full access to `/` for now. */
  mayOpenVhost(user: User, vhost: string): boolean {
    return this.users.has(user.name) && vhost === '/';
  }
}
