import type { Permission, PermissionKind, User, UserStore } from '../broker/users.js';
import type { VirtualHost } from '../broker/vhost.js';
import type { FieldTable } from '../protocol/field-types.js';
import { typeName } from '../broker/arguments.js';
import { accessRefused, preconditionFailed } from '../broker/errors.js';

/** The two kinds of resource AMQP methods name; RabbitMQ's refusals say which one. */
export type ResourceKind = 'exchange' | 'queue';

/** RabbitMQ checks permissions on the default exchange under this name. */
const DEFAULT_EXCHANGE_RESOURCE = 'amq.default';

/** Past this many granted names per permission kind, a channel forgets them all and starts over. */
const MAX_GRANTED_PER_KIND = 64;

/** RabbitMQ's refusal of binding to or from, declaring, or deleting the default exchange. */
function checkNotDefaultExchange(name: string): void {
  if (name === '') throw accessRefused('operation not permitted on the default exchange');
}

/**
 * The configure / write / read checks of one channel's user in its virtual host, with RabbitMQ's
 * refusal (403 ACCESS_REFUSED, `access to queue 'q' in vhost '/' refused for user 'bob'`).
 *
 * Names already granted are remembered per channel, so a publish costs a set lookup rather than
 * a regular expression (RabbitMQ keeps a per-channel cache too). The memory is dropped whenever
 * the user's permission record in the vhost is replaced or removed, so a change applies to the
 * very next operation. RabbitMQ itself only drops its cache when a channel has been idle for
 * about a second (it clears it on hibernation), so there a busy channel keeps a revoked grant
 * for a while; refusing sooner is the only difference.
 */
export class ChannelAccess {
  /** The permission record the granted names were checked against (identity changes on update). */
  private basis: Permission | undefined;
  private readonly granted: Readonly<Record<PermissionKind, Set<string>>> = {
    configure: new Set(),
    write: new Set(),
    read: new Set(),
  };

  constructor(
    private readonly users: UserStore,
    private readonly user: User,
    private readonly vhost: VirtualHost,
  ) {
    this.basis = users.permission(vhost.name, user.name);
  }

  /** Throws ACCESS_REFUSED unless the user may `permission` the resource. */
  check(kind: ResourceKind, permission: PermissionKind, name: string): void {
    const resource = kind === 'exchange' && name === '' ? DEFAULT_EXCHANGE_RESOURCE : name;
    const current = this.users.permission(this.vhost.name, this.user.name);
    if (current !== this.basis) this.forget(current);
    const granted = this.granted[permission];
    if (granted.has(resource)) return;
    if (!this.users.allowed(this.user, this.vhost.name, permission, resource)) {
      throw accessRefused(`access to ${this.describe(kind, resource)} refused for user '${this.user.name}'`);
    }
    if (granted.size >= MAX_GRANTED_PER_KIND) granted.clear();
    granted.add(resource);
  }

  /**
   * queue.bind/unbind and exchange.bind/unbind, in RabbitMQ's order: write on the destination,
   * neither end the default exchange, read on the source exchange.
   */
  checkBinding(destinationKind: ResourceKind, destination: string, source: string): void {
    this.check(destinationKind, 'write', destination);
    if (destinationKind === 'exchange') checkNotDefaultExchange(destination);
    checkNotDefaultExchange(source);
    this.check('exchange', 'read', source);
  }

  /**
   * The exchange a new exchange's `alternate-exchange` or a new queue's `x-dead-letter-exchange`
   * names, checked as RabbitMQ does before creating it: a value that is not a string is 406, and
   * the declarer needs read on the new resource and write on the exchange named.
   */
  checkExchangeArgument(args: FieldTable, key: string, kind: ResourceKind, name: string): void {
    const value = args.get(key);
    if (value === undefined) return;
    if (value.type !== 'S') {
      throw preconditionFailed(`invalid type '${typeName(value)}' for arg '${key}' in ${this.describe(kind, name)}`);
    }
    this.check(kind, 'read', name);
    this.check('exchange', 'write', value.value);
  }

  private describe(kind: ResourceKind, name: string): string {
    return kind === 'exchange' ? this.vhost.describeExchange(name) : this.vhost.describeQueue(name);
  }

  private forget(current: Permission | undefined): void {
    this.basis = current;
    this.granted.configure.clear();
    this.granted.write.clear();
    this.granted.read.clear();
  }
}
