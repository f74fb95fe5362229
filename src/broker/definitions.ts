import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { decodeTable, encodeTable, tablesEqual } from '../protocol/field-table.js';
import type { FieldTable } from '../protocol/field-types.js';
import { isExchangeType } from '../routing/exchange-router.js';
import type { MessageStore } from '../queue/message.js';
import type { Queue } from '../queue/queue.js';
import type { DiskStore } from '../store/disk-store.js';
import { Exchange, type Destination } from './exchange.js';
import { VirtualHost } from './vhost.js';
import { isHashingAlgorithm, type AccessJournal, type Permission, type User, type UserStore } from './users.js';

/**
 * Durable definitions as records of the definitions log. Arguments are field tables in AMQP's
 * binary encoding (base64), so every field type survives exactly. The log is replayed at start
 * and then rewritten as a compacted snapshot.
 */
export type DefinitionRecord =
  /** Written once, after the default user and vhost were created on a fresh data directory. */
  | { kind: 'init' }
  | { kind: 'vhost'; vhost: string; description: string; tags: string[] }
  | { kind: 'vhost.delete'; vhost: string }
  | { kind: 'user'; name: string; passwordHash: string; hashingAlgorithm: string; tags: string[] }
  | { kind: 'user.delete'; name: string }
  | { kind: 'permission'; vhost: string; user: string; configure: string; write: string; read: string }
  | { kind: 'permission.delete'; vhost: string; user: string }
  | { kind: 'exchange'; vhost: string; name: string; type: string; autoDelete: boolean; internal: boolean; arguments: string }
  | { kind: 'exchange.delete'; vhost: string; name: string }
  | { kind: 'queue'; vhost: string; name: string; id: string; autoDelete: boolean; arguments: string }
  | { kind: 'queue.delete'; vhost: string; name: string }
  | BindingRecord
  | (Omit<BindingRecord, 'kind'> & { kind: 'binding.delete' });

interface BindingRecord {
  kind: 'binding';
  vhost: string;
  source: string;
  destination: string;
  destinationKind: 'queue' | 'exchange';
  routingKey: string;
  arguments: string;
}

/** What a virtual host reports about its durable objects. */
export interface TopologyJournal {
  vhostAdded(v: VirtualHost): void;
  vhostDeleted(v: VirtualHost): void;
  /** A store for paging out the messages of a long queue; not saved in the definitions. */
  pagingStore(): MessageStore;
  exchangeDeclared(vhost: string, x: Exchange): void;
  exchangeDeleted(vhost: string, x: Exchange): void;
  /** A durable queue was declared: log it and return where its messages go. */
  queueDeclared(vhost: string, q: Queue): MessageStore;
  queueDeleted(vhost: string, q: Queue): void;
  bindingAdded(vhost: string, source: Exchange, destination: Destination, routingKey: string, args: FieldTable): void;
  bindingRemoved(vhost: string, source: Exchange, destination: Destination, routingKey: string, args: FieldTable): void;
}

const argsToString = (t: FieldTable): string => encodeTable(t).toString('base64');
const argsFromString = (s: string): FieldTable => decodeTable(Buffer.from(s, 'base64'), 0).table;

/** Exchanges and queues that are saved: durable, not built in, not exclusive. */
export function isSavedExchange(x: Exchange): boolean {
  return x.durable && x.name !== '' && !x.name.startsWith('amq.');
}

export function isSavedQueue(q: Queue): boolean {
  return q.durable && q.exclusiveOwner === null;
}

function isSavedDestination(d: Destination): boolean {
  return d instanceof Exchange ? d.durable : isSavedQueue(d);
}

/** A binding is durable when both its ends are (RabbitMQ's rule). */
export function isSavedBinding(source: Exchange, destination: Destination): boolean {
  return source.durable && isSavedDestination(destination);
}

function bindingRecord(vhost: string, source: Exchange, destination: Destination, routingKey: string, args: FieldTable): BindingRecord {
  return {
    kind: 'binding',
    vhost,
    source: source.name,
    destination: destination.name,
    destinationKind: destination instanceof Exchange ? 'exchange' : 'queue',
    routingKey,
    arguments: argsToString(args),
  };
}

function userRecord(u: User): DefinitionRecord {
  return { kind: 'user', name: u.name, passwordHash: u.passwordHash, hashingAlgorithm: u.hashingAlgorithm, tags: [...u.tags] };
}

function permissionRecord(p: Permission): DefinitionRecord {
  return { kind: 'permission', vhost: p.vhost, user: p.user, configure: p.configure, write: p.write, read: p.read };
}

function vhostRecord(v: VirtualHost): DefinitionRecord {
  return { kind: 'vhost', vhost: v.name, description: v.description, tags: [...v.tags] };
}

/** Writes topology and access-control changes to the disk store's definitions log. */
export class DefinitionsJournal implements TopologyJournal, AccessJournal {
  /** The store directory of every saved queue. */
  private readonly queueIds = new Map<Queue, string>();

  constructor(private readonly store: DiskStore) {}

  /** The defaults (user, vhost, permissions) of a fresh data directory were created. */
  initialized(): void {
    this.store.appendDefinition({ kind: 'init' } satisfies DefinitionRecord);
  }

  vhostAdded(v: VirtualHost): void {
    this.store.appendDefinition(vhostRecord(v));
  }

  pagingStore(): MessageStore {
    // Unknown to the definitions, so a leftover directory is removed at the next start.
    return this.store.createQueueStore(`paging-${randomBytes(8).toString('hex')}`, false);
  }

  vhostDeleted(v: VirtualHost): void {
    for (const q of v.queues.values()) this.queueIds.delete(q);
    this.store.appendDefinition({ kind: 'vhost.delete', vhost: v.name } satisfies DefinitionRecord);
  }

  userChanged(user: User): void {
    this.store.appendDefinition(userRecord(user));
  }

  userDeleted(name: string): void {
    this.store.appendDefinition({ kind: 'user.delete', name } satisfies DefinitionRecord);
  }

  permissionChanged(p: Permission): void {
    this.store.appendDefinition(permissionRecord(p));
  }

  permissionCleared(vhost: string, user: string): void {
    this.store.appendDefinition({ kind: 'permission.delete', vhost, user } satisfies DefinitionRecord);
  }

  exchangeDeclared(vhost: string, x: Exchange): void {
    if (!isSavedExchange(x)) return;
    this.store.appendDefinition({ kind: 'exchange', vhost, name: x.name, type: x.type, autoDelete: x.autoDelete, internal: x.internal, arguments: argsToString(x.arguments) } satisfies DefinitionRecord);
  }

  exchangeDeleted(vhost: string, x: Exchange): void {
    if (isSavedExchange(x)) this.store.appendDefinition({ kind: 'exchange.delete', vhost, name: x.name } satisfies DefinitionRecord);
  }

  queueDeclared(vhost: string, q: Queue): MessageStore {
    const id = randomBytes(8).toString('hex');
    this.queueIds.set(q, id);
    this.store.appendDefinition({ kind: 'queue', vhost, name: q.name, id, autoDelete: q.autoDelete, arguments: argsToString(q.arguments) } satisfies DefinitionRecord);
    return this.store.createQueueStore(id);
  }

  queueDeleted(vhost: string, q: Queue): void {
    if (!this.queueIds.delete(q)) return;
    this.store.appendDefinition({ kind: 'queue.delete', vhost, name: q.name } satisfies DefinitionRecord);
  }

  bindingAdded(vhost: string, source: Exchange, destination: Destination, routingKey: string, args: FieldTable): void {
    if (isSavedBinding(source, destination)) this.store.appendDefinition(bindingRecord(vhost, source, destination, routingKey, args));
  }

  bindingRemoved(vhost: string, source: Exchange, destination: Destination, routingKey: string, args: FieldTable): void {
    if (isSavedBinding(source, destination)) {
      this.store.appendDefinition({ ...bindingRecord(vhost, source, destination, routingKey, args), kind: 'binding.delete' } satisfies DefinitionRecord);
    }
  }

  /**
   * Replays the definitions log into `vhosts` (creating vhosts it mentions), recovers every
   * durable queue's messages, deletes the files of queues that no longer exist, and rewrites
   * the log as a snapshot of what is there now.
   */
  restore(
    vhosts: Map<string, VirtualHost>,
    users: UserStore,
    makeVhost: (name: string) => VirtualHost,
    log: Logger,
  ): { queues: number; messages: number; initialized: boolean } {
    const state = replay(this.store.readDefinitions(), log);
    const vhostOf = (name: string): VirtualHost => {
      let v = vhosts.get(name);
      if (v === undefined) vhosts.set(name, (v = makeVhost(name)));
      return v;
    };
    for (const r of state.vhosts.values()) {
      const v = vhostOf(r.vhost);
      v.description = r.description;
      v.tags = r.tags;
    }
    for (const r of state.users.values()) {
      if (!isHashingAlgorithm(r.hashingAlgorithm)) {
        log.warn({ user: r.name, algorithm: r.hashingAlgorithm }, 'skipping a saved user with an unknown password hashing algorithm');
        continue;
      }
      users.putUserWithHash({ name: r.name, tags: r.tags, passwordHash: r.passwordHash, hashingAlgorithm: r.hashingAlgorithm });
    }
    for (const r of state.permissions.values()) {
      try {
        users.setPermissions(r);
      } catch (err) {
        log.warn({ err, permission: r }, 'skipping a saved permission');
      }
    }
    const owner = {};
    for (const r of state.exchanges.values()) {
      if (!isExchangeType(r.type)) continue;
      vhostOf(r.vhost).exchanges.set(r.name, new Exchange({ name: r.name, type: r.type, durable: true, autoDelete: r.autoDelete, internal: r.internal, arguments: argsFromString(r.arguments) }));
    }
    let messages = 0;
    for (const r of state.queues.values()) {
      const vhost = vhostOf(r.vhost);
      const q = vhost.declareQueue({ name: r.name, passive: false, durable: true, exclusive: false, autoDelete: r.autoDelete, arguments: argsFromString(r.arguments) }, owner);
      const { store, entries } = this.store.recoverQueueStore(r.id);
      q.attachStore(store, entries);
      this.queueIds.set(q, r.id);
      messages += entries.length;
    }
    for (const list of state.bindings.values()) {
      for (const b of list) {
        const vhost = vhostOf(b.vhost);
        const source = vhost.exchanges.get(b.source);
        const destination = b.destinationKind === 'exchange' ? vhost.exchanges.get(b.destination) : vhost.queues.get(b.destination);
        if (source === undefined || destination === undefined) {
          log.warn({ binding: b }, 'skipping a saved binding whose source or destination is missing');
          continue;
        }
        vhost.bind(source, destination, b.routingKey, argsFromString(b.arguments));
      }
    }
    this.store.removeQueueDirsExcept(new Set(this.queueIds.values()));
    this.store.rewriteDefinitions(this.snapshot(vhosts, users, state.initialized));
    return { queues: state.queues.size, messages, initialized: state.initialized };
  }

  /** Records that recreate every saved object of `vhosts` and every user and permission. */
  snapshot(vhosts: ReadonlyMap<string, VirtualHost>, users: UserStore, initialized: boolean): DefinitionRecord[] {
    const records: DefinitionRecord[] = initialized ? [{ kind: 'init' }] : [];
    for (const u of users.list()) records.push(userRecord(u));
    for (const v of vhosts.values()) records.push(vhostRecord(v));
    for (const p of users.listPermissions()) records.push(permissionRecord(p));
    for (const v of vhosts.values()) {
      for (const x of v.exchanges.values()) {
        if (isSavedExchange(x)) records.push({ kind: 'exchange', vhost: v.name, name: x.name, type: x.type, autoDelete: x.autoDelete, internal: x.internal, arguments: argsToString(x.arguments) });
      }
      for (const q of v.queues.values()) {
        const id = this.queueIds.get(q);
        if (id !== undefined) records.push({ kind: 'queue', vhost: v.name, name: q.name, id, autoDelete: q.autoDelete, arguments: argsToString(q.arguments) });
      }
      for (const x of v.exchanges.values()) {
        for (const b of x.router.bindings()) {
          if (isSavedBinding(x, b.destination)) records.push(bindingRecord(v.name, x, b.destination, b.routingKey, b.arguments));
        }
      }
    }
    return records;
  }
}

interface ReplayState {
  initialized: boolean;
  readonly vhosts: Map<string, Extract<DefinitionRecord, { kind: 'vhost' }>>;
  readonly users: Map<string, Extract<DefinitionRecord, { kind: 'user' }>>;
  readonly permissions: Map<string, Extract<DefinitionRecord, { kind: 'permission' }>>;
  readonly exchanges: Map<string, Extract<DefinitionRecord, { kind: 'exchange' }>>;
  readonly queues: Map<string, Extract<DefinitionRecord, { kind: 'queue' }>>;
  /** Keyed by vhost, source, destination and routing key; arguments tell bindings apart. */
  readonly bindings: Map<string, BindingRecord[]>;
}

const key = (...parts: string[]): string => parts.join('\u0000');

function isRecord(r: unknown): r is DefinitionRecord {
  return typeof r === 'object' && r !== null && typeof (r as { kind?: unknown }).kind === 'string';
}

/** Applies the log's records in order to get the definitions that exist at its end. */
function replay(records: readonly unknown[], log: Logger): ReplayState {
  const state: ReplayState = { initialized: false, vhosts: new Map(), users: new Map(), permissions: new Map(), exchanges: new Map(), queues: new Map(), bindings: new Map() };
  const removeWhere = <V>(map: Map<string, V>, pred: (v: V) => boolean) => {
    for (const [k, v] of map) if (pred(v)) map.delete(k);
  };
  const removeBindingsWhere = (pred: (b: BindingRecord) => boolean) => {
    for (const [k, list] of state.bindings) {
      const kept = list.filter((b) => !pred(b));
      if (kept.length === 0) state.bindings.delete(k);
      else state.bindings.set(k, kept);
    }
  };
  for (const r of records) {
    if (!isRecord(r)) {
      log.warn({ record: r }, 'skipping an unknown definitions record');
      continue;
    }
    switch (r.kind) {
      case 'init':
        state.initialized = true;
        break;
      case 'vhost':
        state.vhosts.set(r.vhost, r);
        break;
      case 'vhost.delete':
        state.vhosts.delete(r.vhost);
        removeWhere(state.permissions, (p) => p.vhost === r.vhost);
        removeWhere(state.exchanges, (x) => x.vhost === r.vhost);
        removeWhere(state.queues, (q) => q.vhost === r.vhost);
        removeBindingsWhere((b) => b.vhost === r.vhost);
        break;
      case 'user':
        state.users.set(r.name, r);
        break;
      case 'user.delete':
        state.users.delete(r.name);
        removeWhere(state.permissions, (p) => p.user === r.name);
        break;
      case 'permission':
        state.permissions.set(key(r.vhost, r.user), r);
        break;
      case 'permission.delete':
        state.permissions.delete(key(r.vhost, r.user));
        break;
      case 'exchange':
        state.exchanges.set(key(r.vhost, r.name), r);
        break;
      case 'exchange.delete':
        state.exchanges.delete(key(r.vhost, r.name));
        removeBindingsWhere((b) => b.vhost === r.vhost && (b.source === r.name || (b.destinationKind === 'exchange' && b.destination === r.name)));
        break;
      case 'queue':
        state.queues.set(key(r.vhost, r.name), r);
        break;
      case 'queue.delete':
        state.queues.delete(key(r.vhost, r.name));
        removeBindingsWhere((b) => b.vhost === r.vhost && b.destinationKind === 'queue' && b.destination === r.name);
        break;
      case 'binding':
      case 'binding.delete': {
        const k = key(r.vhost, r.source, r.destinationKind, r.destination, r.routingKey);
        const list = state.bindings.get(k) ?? [];
        const args = argsFromString(r.arguments);
        const i = list.findIndex((b) => tablesEqual(argsFromString(b.arguments), args));
        if (r.kind === 'binding') {
          if (i < 0) list.push({ ...r, kind: 'binding' });
        } else if (i >= 0) list.splice(i, 1);
        if (list.length === 0) state.bindings.delete(k);
        else state.bindings.set(k, list);
        break;
      }
      default:
        log.warn({ record: r }, 'skipping an unknown definitions record');
    }
  }
  return state;
}
