import { randomBytes } from 'node:crypto';
import type { FieldTable } from '../protocol/field-types.js';
import { isExchangeType } from '../routing/exchange-router.js';
import { Queue, type QueueHost } from '../queue/queue.js';
import { Message, type DeadLetterReason, type MessageStore, type QueueEntry } from '../queue/message.js';
import { encodeHeaderWithProperties } from '../queue/content-header.js';
import type { FieldValue } from '../protocol/field-types.js';
import { Exchange, type Destination } from './exchange.js';
import {
  assertArgumentsEquivalent,
  EXCHANGE_EQUIVALENCE_KEYS,
  QUEUE_EQUIVALENCE_KEYS,
  queueArgumentError,
  queueLimits,
} from './arguments.js';
import type { TopologyJournal } from './definitions.js';
import { MessageCounters, PublishCounters } from './message-counters.js';
import { accessRefused, commandInvalid, notFound, preconditionFailed, resourceLocked } from './errors.js';

export interface ExchangeDeclaration {
  readonly name: string;
  readonly type: string;
  readonly passive: boolean;
  readonly durable: boolean;
  readonly autoDelete: boolean;
  readonly internal: boolean;
  readonly arguments: FieldTable;
}

export interface QueueDeclaration {
  readonly name: string;
  readonly passive: boolean;
  readonly durable: boolean;
  readonly exclusive: boolean;
  readonly autoDelete: boolean;
  readonly arguments: FieldTable;
  /** For a server-named queue (name ''): the amq.gen- name already chosen (and permission-checked). */
  readonly serverName?: string;
}

/** Who is asking: exclusive queues belong to one connection. */
export type Owner = object;

export function generateName(prefix: string): string {
  return prefix + randomBytes(16).toString('base64url');
}

const BUILTIN_EXCHANGES: ReadonlyArray<readonly [string, 'direct' | 'fanout' | 'topic' | 'headers']> = [
  ['amq.direct', 'direct'],
  ['amq.fanout', 'fanout'],
  ['amq.topic', 'topic'],
  ['amq.headers', 'headers'],
  ['amq.match', 'headers'],
];

/**
 * A virtual host's object model: exchanges, queues and the bindings between them. All AMQP
 * operations on topology go through here and raise RabbitMQ's errors.
 */
export class VirtualHost implements QueueHost {
  readonly exchanges = new Map<string, Exchange>();
  readonly queues = new Map<string, Queue>();
  /** Exclusive queues by the connection that owns them, deleted when it closes. */
  private readonly exclusiveQueues = new Map<Owner, Set<Queue>>();
  /** For every destination, the exchanges that have bindings to it, with how many. */
  private readonly sources = new Map<Destination, Map<Exchange, number>>();
  private readonly routeScratch = new Set<Destination>();
  private readonly visited = new Set<Exchange>();
  /** Where durable topology changes are saved; null for a broker without a data directory. */
  journal: TopologyJournal | null = null;
  /** Message counters of the queues and exchanges deleted here, so that totals never go down. */
  readonly retired = new MessageCounters();
  /** Confirms and unroutable messages counted by this vhost's channels (they outlive channels). */
  readonly publishing = new PublishCounters();
  /** Metadata shown by the management API (RabbitMQ 3.8+). */
  description = '';
  tags: string[] = [];

  constructor(readonly name: string) {
    const empty: FieldTable = new Map();
    this.exchanges.set('', new Exchange({ name: '', type: 'direct', durable: true, autoDelete: false, internal: false, arguments: empty }));
    for (const [name, type] of BUILTIN_EXCHANGES) {
      this.exchanges.set(name, new Exchange({ name, type, durable: true, autoDelete: false, internal: false, arguments: empty }));
    }
  }

  /**
   * Adds this vhost's message counters since it was made to `into`: its live queues and exchanges,
   * those it deleted, and its channels' publishing counters.
   */
  addTotals(into: MessageCounters): void {
    into.add(this.retired);
    into.addPublishing(this.publishing);
    for (const q of this.queues.values()) into.addQueue(q.stats);
    for (const x of this.exchanges.values()) into.addExchange(x.stats);
  }

  describeQueue(name: string): string {
    return `queue '${name}' in vhost '${this.name}'`;
  }

  describeExchange(name: string): string {
    return `exchange '${name}' in vhost '${this.name}'`;
  }

  // ---- exchanges ----

  getExchange(name: string): Exchange {
    const x = this.exchanges.get(name);
    if (x === undefined) throw notFound(`no ${this.describeExchange(name)}`);
    return x;
  }

  declareExchange(d: ExchangeDeclaration): Exchange {
    const type = d.type;
    const knownType = isExchangeType(type);
    // RabbitMQ checks the type first (503, even for the default exchange); passive ignores it.
    if (!d.passive && !knownType) throw commandInvalid(`unknown exchange type '${type}'`);
    if (d.name === '') throw accessRefused('operation not permitted on the default exchange');
    if (d.passive || !knownType) return this.getExchange(d.name);
    const existing = this.exchanges.get(d.name);
    if (existing === undefined && d.name.startsWith('amq.')) {
      throw accessRefused(`exchange name '${d.name}' contains reserved prefix 'amq.*'`);
    }
    if (existing !== undefined) {
      const what = this.describeExchange(d.name);
      const check = (field: string, received: string | boolean, current: string | boolean) => {
        if (received !== current) {
          throw preconditionFailed(`inequivalent arg '${field}' for ${what}: received '${received}' but current is '${current}'`);
        }
      };
      check('type', d.type, existing.type);
      check('durable', d.durable, existing.durable);
      check('auto_delete', d.autoDelete, existing.autoDelete);
      check('internal', d.internal, existing.internal);
      assertArgumentsEquivalent(existing.arguments, d.arguments, EXCHANGE_EQUIVALENCE_KEYS, what);
      return existing;
    }
    const x = new Exchange({ name: d.name, type, durable: d.durable, autoDelete: d.autoDelete, internal: d.internal, arguments: d.arguments });
    this.exchanges.set(d.name, x);
    this.journal?.exchangeDeclared(this.name, x);
    return x;
  }

  /** Deletes an exchange; deleting one that does not exist succeeds, as in RabbitMQ. */
  deleteExchange(name: string, ifUnused: boolean): void {
    if (name === '') throw accessRefused('operation not permitted on the default exchange');
    if (name.startsWith('amq.')) throw accessRefused(`deletion of system ${this.describeExchange(name)} not allowed`);
    const x = this.exchanges.get(name);
    if (x === undefined) return;
    if (ifUnused && x.router.bindingCount > 0) throw preconditionFailed(`${this.describeExchange(name)} in use`);
    this.removeExchange(x);
  }

  private removeExchange(x: Exchange): void {
    if (this.exchanges.get(x.name) !== x) return;
    this.exchanges.delete(x.name);
    this.retired.addExchange(x.stats);
    this.journal?.exchangeDeleted(this.name, x);
    for (const b of x.router.bindings()) this.sources.get(b.destination)?.delete(x);
    this.removeBindingsTo(x);
  }

  // ---- queues ----

  /** Looks up a queue for an operation by `owner`, enforcing exclusivity. */
  getQueue(name: string, owner: Owner): Queue {
    const q = this.queues.get(name);
    if (q === undefined) throw notFound(`no ${this.describeQueue(name)}`);
    this.checkExclusiveAccess(q, owner);
    return q;
  }

  private checkExclusiveAccess(q: Queue, owner: Owner): void {
    if (q.exclusiveOwner !== null && q.exclusiveOwner !== owner) {
      throw resourceLocked(
        `cannot obtain exclusive access to locked ${this.describeQueue(q.name)}. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.`,
      );
    }
  }

  declareQueue(d: QueueDeclaration, owner: Owner): Queue {
    if (d.passive) {
      if (d.name === '') throw notFound(`no ${this.describeQueue(d.name)}`);
      const q = this.getQueue(d.name, owner);
      q.touch();
      return q;
    }
    let name = d.name;
    if (name === '') {
      name = d.serverName !== undefined && !this.queues.has(d.serverName) ? d.serverName : generateName('amq.gen-');
      while (this.queues.has(name)) name = generateName('amq.gen-');
    } else if (name.startsWith('amq.')) {
      throw accessRefused(`queue name '${name}' contains reserved prefix 'amq.*'`);
    }
    const what = this.describeQueue(name);
    const existing = this.queues.get(name);
    if (existing !== undefined) {
      this.checkExclusiveAccess(existing, owner);
      if ((existing.exclusiveOwner !== null) !== d.exclusive) {
        throw resourceLocked(
          `cannot obtain exclusive access to locked ${what}. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.`,
        );
      }
      if (existing.durable !== d.durable) {
        throw preconditionFailed(`inequivalent arg 'durable' for ${what}: received '${d.durable}' but current is '${existing.durable}'`);
      }
      if (existing.autoDelete !== d.autoDelete) {
        throw preconditionFailed(`inequivalent arg 'auto_delete' for ${what}: received '${d.autoDelete}' but current is '${existing.autoDelete}'`);
      }
      assertArgumentsEquivalent(existing.arguments, d.arguments, QUEUE_EQUIVALENCE_KEYS, what);
      existing.touch();
      return existing;
    }
    const invalid = queueArgumentError(d.arguments);
    if (invalid !== undefined) throw preconditionFailed(`invalid arg '${invalid.key}' for ${what}: ${invalid.reason}`);
    const q = new Queue({
      name,
      vhost: this.name,
      durable: d.durable,
      autoDelete: d.autoDelete,
      exclusiveOwner: d.exclusive ? owner : null,
      arguments: d.arguments,
      limits: queueLimits(d.arguments),
      host: this,
    });
    this.queues.set(name, q);
    if (q.durable && q.exclusiveOwner === null && this.journal !== null) q.attachStore(this.journal.queueDeclared(this.name, q));
    if (q.exclusiveOwner !== null) {
      let owned = this.exclusiveQueues.get(q.exclusiveOwner);
      if (owned === undefined) this.exclusiveQueues.set(q.exclusiveOwner, (owned = new Set()));
      owned.add(q);
    }
    // Every queue is bound to the default exchange by its name; that binding is implicit.
    return q;
  }

  /** Deletes a queue; returns the number of ready messages it held. */
  deleteQueue(name: string, owner: Owner, ifUnused: boolean, ifEmpty: boolean): number {
    const q = this.getQueue(name, owner);
    if (ifEmpty && q.messageCount > 0) throw preconditionFailed(`${this.describeQueue(name)} not empty`);
    if (ifUnused && q.consumerCount > 0) throw preconditionFailed(`${this.describeQueue(name)} in use`);
    return this.removeQueue(q);
  }

  /** Removes a queue whatever its state (auto-delete, exclusive owner gone, vhost deleted). */
  removeQueue(q: Queue): number {
    if (this.queues.get(q.name) !== q) return 0;
    this.queues.delete(q.name);
    this.retired.addQueue(q.stats);
    if (q.persisted) this.journal?.queueDeleted(this.name, q);
    if (q.exclusiveOwner !== null) this.exclusiveQueues.get(q.exclusiveOwner)?.delete(q);
    const count = q.markDeleted();
    this.removeBindingsTo(q);
    return count;
  }

  /** Deletes every exclusive queue that `owner` declared. */
  removeExclusiveQueues(owner: Owner): void {
    const owned = this.exclusiveQueues.get(owner);
    if (owned === undefined) return;
    this.exclusiveQueues.delete(owner);
    for (const q of owned) this.removeQueue(q);
  }

  // ---- bindings ----

  private checkBindable(source: Exchange): void {
    if (source.name === '') throw accessRefused('operation not permitted on the default exchange');
  }

  bind(source: Exchange, destination: Destination, routingKey: string, args: FieldTable): void {
    if (destination instanceof Exchange && destination.name === '') this.checkBindable(destination);
    this.checkBindable(source);
    if (source.router.bind(destination, routingKey, args)) {
      this.journal?.bindingAdded(this.name, source, destination, routingKey, args);
      let counts = this.sources.get(destination);
      if (counts === undefined) this.sources.set(destination, (counts = new Map()));
      counts.set(source, (counts.get(source) ?? 0) + 1);
    }
  }

  unbind(source: Exchange, destination: Destination, routingKey: string, args: FieldTable): void {
    if (destination instanceof Exchange && destination.name === '') this.checkBindable(destination);
    this.checkBindable(source);
    if (!source.router.unbind(destination, routingKey, args)) return;
    this.journal?.bindingRemoved(this.name, source, destination, routingKey, args);
    const counts = this.sources.get(destination);
    const left = (counts?.get(source) ?? 1) - 1;
    if (left > 0) counts?.set(source, left);
    else counts?.delete(source);
    this.maybeAutoDelete(source);
  }

  private removeBindingsTo(destination: Destination): void {
    const sources = this.sources.get(destination);
    if (sources === undefined) return;
    this.sources.delete(destination);
    for (const source of sources.keys()) {
      source.router.removeDestination(destination);
      this.maybeAutoDelete(source);
    }
  }

  private maybeAutoDelete(x: Exchange): void {
    if (x.autoDelete && x.router.bindingCount === 0) this.removeExchange(x);
  }

  // ---- QueueHost ----

  /** Where failures of timer-driven work are reported (the broker sets its logger here). */
  onError: (err: unknown, context: string) => void = () => {};

  timerFailed(queue: Queue, err: unknown): void {
    this.onError(err, `expiry timer of ${this.describeQueue(queue.name)}`);
  }

  pagingStore(_queue: Queue): MessageStore | null {
    return this.journal?.pagingStore() ?? null;
  }

  storeFailed(queue: Queue, err: unknown): void {
    this.onError(err, `a message of ${this.describeQueue(queue.name)} could not be read back from disk and was dropped`);
  }

  expireQueue(queue: Queue): void {
    this.removeQueue(queue);
  }

  /**
   * RabbitMQ's dead-lettering: the message goes to the queue's dead-letter exchange with an
   * `x-death` history, under the dead-letter routing key or its original routing keys. A cycle
   * (back to a queue it already died in) without any rejection on the way is dropped.
   */
  deadLetter(queue: Queue, entries: readonly QueueEntry[], reason: DeadLetterReason): void {
    const dlxName = queue.limits.deadLetterExchange;
    if (dlxName === undefined) return;
    const dlx = this.exchanges.get(dlxName);
    if (dlx === undefined) return;
    const targets = new Set<Queue>();
    for (const entry of entries) {
      const keys = queue.limits.deadLetterRoutingKey !== undefined
        ? [queue.limits.deadLetterRoutingKey]
        : [entry.loadedMessage.routingKey, ...ccKeys(entry.loadedMessage.properties.headers)];
      const message = deadLetteredMessage(entry.loadedMessage, queue, reason, dlxName, keys[0]!);
      for (const key of keys) this.route(dlx, key, message.properties.headers, targets);
      const deaths = message.properties.headers?.get('x-death');
      for (const target of targets) {
        if (!isDeadLetterCycle(deaths, target.name)) target.enqueue(message);
      }
      targets.clear();
    }
  }

  // ---- routing ----

  /**
   * Routes a message from `exchange` into `out` (queues), following exchange-to-exchange
   * bindings and alternate exchanges. Each queue appears once however many paths lead to it.
   */
  route(exchange: Exchange, routingKey: string, headers: FieldTable | undefined, out: Set<Queue>): void {
    if (exchange.name === '') {
      const q = this.queues.get(routingKey);
      if (q !== undefined) out.add(q);
      return;
    }
    this.visited.clear();
    this.routeFrom(exchange, routingKey, headers, out);
    this.visited.clear();
  }

  private routeFrom(exchange: Exchange, routingKey: string, headers: FieldTable | undefined, out: Set<Queue>): void {
    if (this.visited.has(exchange)) return;
    this.visited.add(exchange);
    const before = out.size;
    const scratch = this.routeScratch.size === 0 ? this.routeScratch : new Set<Destination>();
    exchange.router.route(routingKey, headers, scratch);
    let viaExchange = false;
    for (const d of scratch) {
      if (d instanceof Exchange) viaExchange = true;
      else out.add(d);
    }
    if (viaExchange) {
      const exchanges: Exchange[] = [];
      for (const d of scratch) if (d instanceof Exchange) exchanges.push(d);
      scratch.clear();
      for (const x of exchanges) this.routeFrom(x, routingKey, headers, out);
    } else scratch.clear();
    if (out.size === before) {
      const ae = exchange.arguments.get('alternate-exchange');
      if (ae !== undefined && ae.type === 'S') {
        const alt = this.exchanges.get(ae.value);
        if (alt !== undefined) this.routeFrom(alt, routingKey, headers, out);
      }
    }
  }
}

function stringArray(v: FieldValue | undefined): string[] {
  if (v === undefined || v.type !== 'A') return [];
  const out: string[] = [];
  for (const item of v.value) if (item.type === 'S') out.push(item.value);
  return out;
}

function ccKeys(headers: FieldTable | undefined): string[] {
  return headers === undefined ? [] : stringArray(headers.get('CC'));
}

function deathField(table: FieldTable, key: string): string | undefined {
  const v = table.get(key);
  return v !== undefined && v.type === 'S' ? v.value : undefined;
}

/** Dead-lettering back into a queue the message already died in is a cycle unless it was rejected. */
function isDeadLetterCycle(deaths: FieldValue | undefined, target: string): boolean {
  if (deaths === undefined || deaths.type !== 'A') return false;
  let seen = false;
  for (const d of deaths.value) {
    if (d.type !== 'F') continue;
    if (deathField(d.value, 'reason') === 'rejected') return false;
    if (deathField(d.value, 'queue') === target) seen = true;
  }
  return seen;
}

const S = (value: string): FieldValue => ({ type: 'S', value });

/** The message as it is republished to a dead-letter exchange (x-death updated, expiration removed). */
function deadLetteredMessage(m: Message, queue: Queue, reason: DeadLetterReason, dlx: string, routingKey: string): Message {
  const headers = new Map<string, FieldValue>(m.properties.headers ?? []);
  const previous = headers.get('x-death');
  const deaths: FieldValue[] = previous !== undefined && previous.type === 'A' ? [...previous.value] : [];
  let count = 1n;
  const index = deaths.findIndex(
    (d) => d.type === 'F' && deathField(d.value, 'queue') === queue.name && deathField(d.value, 'reason') === reason,
  );
  if (index >= 0) {
    const old = deaths[index]!;
    const c = old.type === 'F' ? old.value.get('count') : undefined;
    if (c !== undefined && c.type === 'l') count = c.value + 1n;
    else if (c !== undefined && typeof c.value === 'number') count = BigInt(c.value) + 1n;
    deaths.splice(index, 1);
  }
  const death = new Map<string, FieldValue>([
    ['count', { type: 'l', value: count }],
    ['reason', S(reason)],
    ['queue', S(queue.name)],
    ['time', { type: 'T', value: Math.floor(Date.now() / 1000) }],
    ['exchange', S(m.exchange)],
    ['routing-keys', { type: 'A', value: [m.routingKey, ...ccKeys(m.properties.headers)].map(S) }],
  ]);
  if (m.properties.expiration !== undefined) death.set('original-expiration', S(m.properties.expiration));
  deaths.unshift({ type: 'F', value: death });
  headers.set('x-death', { type: 'A', value: deaths });
  if (!headers.has('x-first-death-reason')) {
    headers.set('x-first-death-reason', S(reason));
    headers.set('x-first-death-queue', S(queue.name));
    headers.set('x-first-death-exchange', S(m.exchange));
  }
  const { expiration: _expiration, ...rest } = m.properties;
  // RabbitMQ keeps a table it has modified sorted by key.
  const properties = { ...rest, headers: new Map([...headers].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) };
  return new Message(dlx, routingKey, properties, encodeHeaderWithProperties(m.body.length, properties), m.body);
}
