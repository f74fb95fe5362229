import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** RabbitMQ's password hashing modules (the names its definitions files use). */
export type HashingAlgorithm = 'rabbit_password_hashing_sha256' | 'rabbit_password_hashing_sha512' | 'rabbit_password_hashing_md5';

export const DEFAULT_HASHING: HashingAlgorithm = 'rabbit_password_hashing_sha256';

const DIGESTS: Record<HashingAlgorithm, string> = {
  rabbit_password_hashing_sha256: 'sha256',
  rabbit_password_hashing_sha512: 'sha512',
  rabbit_password_hashing_md5: 'md5',
};

export function isHashingAlgorithm(s: string): s is HashingAlgorithm {
  return Object.hasOwn(DIGESTS, s);
}

export interface User {
  readonly name: string;
  readonly tags: readonly string[];
  /** base64(salt ++ hash(salt ++ utf8(password))) as in RabbitMQ's definitions; '' = no password. */
  readonly passwordHash: string;
  readonly hashingAlgorithm: HashingAlgorithm;
}

/** Configure / write / read regular expressions of one user in one virtual host. */
export interface Permission {
  readonly user: string;
  readonly vhost: string;
  readonly configure: string;
  readonly write: string;
  readonly read: string;
}

export type PermissionKind = 'configure' | 'write' | 'read';

interface CompiledPermission extends Permission {
  readonly patterns: Readonly<Record<PermissionKind, RegExp>>;
}

/** Where changes to users and permissions are saved (the definitions log). */
export interface AccessJournal {
  userChanged(user: User): void;
  userDeleted(name: string): void;
  permissionChanged(permission: Permission): void;
  permissionCleared(vhost: string, user: string): void;
}

/** A regular expression RabbitMQ (PCRE) would accept but JavaScript does not, or vice versa. */
export class InvalidPermissionPattern extends Error {}

/** RabbitMQ's rabbit_password: a 4-byte random salt, then hash(salt ++ utf8(password)). */
export function hashPassword(password: string, algorithm: HashingAlgorithm = DEFAULT_HASHING, salt: Buffer = randomBytes(4)): string {
  const hash = createHash(DIGESTS[algorithm]).update(salt).update(password, 'utf8').digest();
  return Buffer.concat([salt, hash]).toString('base64');
}

function passwordMatches(user: User, password: string): boolean {
  if (user.passwordHash === '') return false;
  const stored = Buffer.from(user.passwordHash, 'base64');
  if (stored.length < 5) return false;
  const computed = Buffer.from(hashPassword(password, user.hashingAlgorithm, stored.subarray(0, 4)), 'base64');
  return computed.length === stored.length && timingSafeEqual(computed, stored);
}

/** RabbitMQ matches a resource name against the pattern anywhere (re:run); '' matches only ''. */
function compilePattern(pattern: string): RegExp {
  try {
    return new RegExp(pattern === '' ? '^$' : pattern, 'u');
  } catch {
    try {
      return new RegExp(pattern);
    } catch (err) {
      throw new InvalidPermissionPattern(`invalid regular expression '${pattern}': ${(err as Error).message}`);
    }
  }
}

/**
 * Users, their tags and passwords, and their permissions per virtual host, as RabbitMQ's
 * internal authentication backend keeps them. Every change goes to the journal (when the broker
 * has a data directory), so all of it survives a restart.
 */
export class UserStore {
  private readonly users = new Map<string, User>();
  /** vhost → user → permission. */
  private readonly permissions = new Map<string, Map<string, CompiledPermission>>();
  /** Users that may only log in from a loopback address (RabbitMQ's `loopback_users`). */
  readonly loopbackUsers = new Set<string>();
  journal: AccessJournal | null = null;
  /** Called after a user is deleted (the broker closes its connections, as RabbitMQ does). */
  onUserDeleted: (name: string) => void = () => {};

  get(name: string): User | undefined {
    return this.users.get(name);
  }

  list(): User[] {
    return [...this.users.values()];
  }

  /** Creates or replaces a user with a password (null: none, so it cannot log in with one). */
  putUser(name: string, password: string | null, tags: readonly string[]): User {
    return this.putUserWithHash({ name, tags, passwordHash: password === null ? '' : hashPassword(password), hashingAlgorithm: DEFAULT_HASHING });
  }

  /** Creates or replaces a user from a stored hash (definitions import, recovery). */
  putUserWithHash(user: User): User {
    const u: User = { name: user.name, tags: normalizeTags(user.tags), passwordHash: user.passwordHash, hashingAlgorithm: user.hashingAlgorithm };
    this.users.set(u.name, u);
    this.journal?.userChanged(u);
    return u;
  }

  /** Deletes a user and all its permissions; false if there was no such user. */
  deleteUser(name: string): boolean {
    if (!this.users.delete(name)) return false;
    for (const perVhost of this.permissions.values()) perVhost.delete(name);
    this.journal?.userDeleted(name);
    this.onUserDeleted(name);
    return true;
  }

  changePassword(name: string, password: string | null): User | undefined {
    const u = this.users.get(name);
    if (u === undefined) return undefined;
    return this.putUserWithHash({ ...u, passwordHash: password === null ? '' : hashPassword(password), hashingAlgorithm: DEFAULT_HASHING });
  }

  setTags(name: string, tags: readonly string[]): User | undefined {
    const u = this.users.get(name);
    if (u === undefined) return undefined;
    return this.putUserWithHash({ ...u, tags });
  }

  /** The user if the password is right, else undefined. */
  authenticate(name: string, password: string): User | undefined {
    const user = this.users.get(name);
    return user !== undefined && passwordMatches(user, password) ? user : undefined;
  }

  /** Sets a user's permissions in a vhost; throws InvalidPermissionPattern for a bad regex. */
  setPermissions(p: Permission): void {
    const patterns = { configure: compilePattern(p.configure), write: compilePattern(p.write), read: compilePattern(p.read) };
    let perVhost = this.permissions.get(p.vhost);
    if (perVhost === undefined) this.permissions.set(p.vhost, (perVhost = new Map()));
    const permission: CompiledPermission = { user: p.user, vhost: p.vhost, configure: p.configure, write: p.write, read: p.read, patterns };
    perVhost.set(p.user, permission);
    this.journal?.permissionChanged(permission);
  }

  /** Removes a user's permissions in a vhost; false if it had none. */
  clearPermissions(vhost: string, user: string): boolean {
    if (this.permissions.get(vhost)?.delete(user) !== true) return false;
    this.journal?.permissionCleared(vhost, user);
    return true;
  }

  /** Forgets every permission in a vhost (the vhost was deleted; its deletion is journaled). */
  dropVhost(vhost: string): void {
    this.permissions.delete(vhost);
  }

  permission(vhost: string, user: string): Permission | undefined {
    return this.permissions.get(vhost)?.get(user);
  }

  /** Every permission, optionally of one vhost or one user. */
  listPermissions(filter: { vhost?: string; user?: string } = {}): Permission[] {
    const out: Permission[] = [];
    for (const [vhost, perVhost] of this.permissions) {
      if (filter.vhost !== undefined && vhost !== filter.vhost) continue;
      for (const p of perVhost.values()) if (filter.user === undefined || p.user === filter.user) out.push(publicPermission(p));
    }
    return out;
  }

  /** A user may open a vhost when it has any permissions there (RabbitMQ's rule). */
  mayOpenVhost(user: User, vhost: string): boolean {
    return this.users.has(user.name) && this.permissions.get(vhost)?.has(user.name) === true;
  }

  /** Whether `user` may `kind` the resource `name` in `vhost`. */
  allowed(user: User, vhost: string, kind: PermissionKind, name: string): boolean {
    const p = this.permissions.get(vhost)?.get(user.name);
    return p !== undefined && p.patterns[kind].test(name);
  }
}

function publicPermission(p: Permission): Permission {
  return { user: p.user, vhost: p.vhost, configure: p.configure, write: p.write, read: p.read };
}

/** Tags as RabbitMQ keeps them: trimmed, no empties, no duplicates, in the given order. */
export function normalizeTags(tags: readonly string[]): string[] {
  const out: string[] = [];
  for (const t of tags.flatMap((t) => t.split(','))) {
    const tag = t.trim();
    if (tag !== '' && !out.includes(tag)) out.push(tag);
  }
  return out;
}
