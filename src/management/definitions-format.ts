import { queueArgumentError } from '../broker/arguments.js';
import { Exchange } from '../broker/exchange.js';
import { hashPassword, isHashingAlgorithm, UserStore, type HashingAlgorithm, type Permission, type User } from '../broker/users.js';
import type { VirtualHost } from '../broker/vhost.js';
import { tableToJSON } from '../protocol/field-table.js';
import type { FieldTable, FieldValue } from '../protocol/field-types.js';
import type { Queue } from '../queue/queue.js';
import { isExchangeType } from '../routing/exchange-router.js';
import { VERSION } from '../server/config.js';
import type { Broker } from '../server/broker.js';

/**
 * RabbitMQ's definitions files (rabbitmqctl export_definitions / import_definitions and
 * GET / POST /api/definitions), as RabbitMQ 3.10 writes and reads them.
 *
 * Export follows 3.10's HTTP API: every non-exclusive queue (transient ones too), every exchange
 * but the default and amq.* ones (internal and transient ones too), every binding but those to
 * exclusive queues (from amq.* exchanges too). Vhosts are written in rabbitmqctl's shape
 * (limits, metadata with description and tags), which keeps their metadata; 3.10's HTTP API
 * writes only their names. Import reads every shape 3.x wrote.
 */

/** A definitions file that cannot be imported; `reasons` says why. Nothing was changed. */
export class DefinitionsError extends Error {
  constructor(message: string, readonly reasons: readonly string[] = [message]) {
    super(message);
    this.name = 'DefinitionsError';
  }
}

/** A JSON value as it appears in a definitions file (x-arguments, policy definitions, parameters). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface UserDefinition {
  name: string;
  password_hash: string;
  hashing_algorithm: string;
  tags: string[];
  limits: JsonObject;
}

/** rabbitmqctl's shape; on import `description` and `tags` may also stand at the top level. */
export interface VhostDefinition {
  name: string;
  limits: JsonValue[];
  metadata: { description: string; tags: string[] };
}

export interface PermissionDefinition {
  user: string;
  vhost: string;
  configure: string;
  write: string;
  read: string;
}

export interface TopicPermissionDefinition {
  user: string;
  vhost: string;
  exchange: string;
  write: string;
  read: string;
}

export interface ParameterDefinition {
  value: JsonValue;
  vhost: string;
  component: string;
  name: string;
}

export interface GlobalParameterDefinition {
  name: string;
  value: JsonValue;
}

export interface PolicyDefinition {
  vhost: string;
  name: string;
  pattern: string;
  'apply-to': string;
  definition: JsonObject;
  priority: number;
}

export interface QueueDefinition {
  name: string;
  vhost: string;
  durable: boolean;
  auto_delete: boolean;
  arguments: JsonObject;
}

export interface ExchangeDefinition {
  name: string;
  vhost: string;
  type: string;
  durable: boolean;
  auto_delete: boolean;
  internal: boolean;
  arguments: JsonObject;
}

export interface BindingDefinition {
  source: string;
  vhost: string;
  destination: string;
  destination_type: 'queue' | 'exchange';
  routing_key: string;
  arguments: JsonObject;
}

/** The whole-broker export (GET /api/definitions, rabbitmqctl export_definitions). */
export interface RabbitDefinitions {
  rabbit_version: string;
  rabbitmq_version: string;
  product_name: string;
  product_version: string;
  users: UserDefinition[];
  vhosts: VhostDefinition[];
  permissions: PermissionDefinition[];
  topic_permissions: TopicPermissionDefinition[];
  parameters: ParameterDefinition[];
  global_parameters: GlobalParameterDefinition[];
  policies: PolicyDefinition[];
  queues: QueueDefinition[];
  exchanges: ExchangeDefinition[];
  bindings: BindingDefinition[];
}

/**
 * The per-vhost export (GET /api/definitions/{vhost}): only rabbit_version, and queues,
 * exchanges and bindings without a vhost field (policies and parameters keep theirs).
 */
export interface VhostDefinitions {
  rabbit_version: string;
  parameters: ParameterDefinition[];
  policies: PolicyDefinition[];
  queues: Omit<QueueDefinition, 'vhost'>[];
  exchanges: Omit<ExchangeDefinition, 'vhost'>[];
  bindings: Omit<BindingDefinition, 'vhost'>[];
}

/** What an import did. */
export interface ImportSummary {
  vhosts: number;
  users: number;
  permissions: number;
  exchanges: number;
  queues: number;
  bindings: number;
  /**
   * Sections Warren accepts but does not apply: it has no policies, runtime parameters (vhost
   * limits among them) or topic permissions yet. Counts of the entries read.
   */
  ignored: { policies: number; parameters: number; global_parameters: number; topic_permissions: number };
  /** What was skipped or kept as RabbitMQ would skip or keep it, one sentence each. */
  warnings: string[];
}

export interface ImportOptions {
  /**
   * The user doing the import (the HTTP API's logged-in user). As in RabbitMQ's HTTP API, it gets
   * full permissions in each vhost the import creates, unless the file sets its permissions there.
   */
  actingUser?: string;
}

/** The RabbitMQ release whose format this is; RabbitMQ reads it to pick a default hash for users without one. */
export const RABBIT_FORMAT_VERSION = '3.10.8';

// ---- export ----

/** The broker's definitions as RabbitMQ exports them; with `vhost`, the per-vhost shape. */
export function exportDefinitions(broker: Broker): RabbitDefinitions;
export function exportDefinitions(broker: Broker, vhost: string): VhostDefinitions;
export function exportDefinitions(broker: Broker, vhost?: string): RabbitDefinitions | VhostDefinitions;
export function exportDefinitions(broker: Broker, vhost?: string): RabbitDefinitions | VhostDefinitions {
  if (vhost !== undefined) {
    const v = broker.vhosts.get(vhost);
    if (v === undefined) throw new DefinitionsError(`no vhost '${vhost}'`);
    return {
      rabbit_version: RABBIT_FORMAT_VERSION,
      parameters: [],
      policies: [],
      queues: exportedQueues(v).map(({ vhost: _, ...q }) => q),
      exchanges: exportedExchanges(v).map(({ vhost: _, ...x }) => x),
      bindings: exportedBindings(v).map(({ vhost: _, ...b }) => b),
    };
  }
  const vhosts = [...broker.vhosts.values()];
  return {
    rabbit_version: RABBIT_FORMAT_VERSION,
    rabbitmq_version: RABBIT_FORMAT_VERSION,
    product_name: 'Warren',
    product_version: VERSION,
    users: broker.users.list().map((u) => ({ name: u.name, password_hash: u.passwordHash, hashing_algorithm: u.hashingAlgorithm, tags: [...u.tags], limits: {} })),
    vhosts: vhosts.map((v) => ({ name: v.name, limits: [], metadata: { description: v.description, tags: [...v.tags] } })),
    permissions: broker.users.listPermissions().map((p) => ({ user: p.user, vhost: p.vhost, configure: p.configure, write: p.write, read: p.read })),
    topic_permissions: [],
    parameters: [],
    global_parameters: [],
    policies: [],
    queues: vhosts.flatMap(exportedQueues),
    exchanges: vhosts.flatMap(exportedExchanges),
    bindings: vhosts.flatMap(exportedBindings),
  };
}

function exportedQueues(v: VirtualHost): QueueDefinition[] {
  return [...v.queues.values()]
    .filter((q) => q.exclusiveOwner === null)
    .map((q) => ({ name: q.name, vhost: v.name, durable: q.durable, auto_delete: q.autoDelete, arguments: argumentsToJson(q.arguments) }));
}

function exportedExchanges(v: VirtualHost): ExchangeDefinition[] {
  return [...v.exchanges.values()]
    .filter((x) => !isReservedExchange(x.name))
    .map((x) => ({ name: x.name, vhost: v.name, type: x.type, durable: x.durable, auto_delete: x.autoDelete, internal: x.internal, arguments: argumentsToJson(x.arguments) }));
}

function exportedBindings(v: VirtualHost): BindingDefinition[] {
  const out: BindingDefinition[] = [];
  for (const x of v.exchanges.values()) {
    if (x.name === '') continue;
    for (const b of x.router.bindings()) {
      const d = b.destination;
      if (!(d instanceof Exchange) && d.exclusiveOwner !== null) continue;
      out.push({ source: x.name, vhost: v.name, destination: d.name, destination_type: d instanceof Exchange ? 'exchange' : 'queue', routing_key: b.routingKey, arguments: argumentsToJson(b.arguments) });
    }
  }
  return out;
}

const isReservedExchange = (name: string): boolean => name === '' || name.startsWith('amq.');

// ---- JSON <-> field tables ----

function asJson(x: unknown): JsonValue {
  if (x === null || typeof x === 'boolean' || typeof x === 'number' || typeof x === 'string') return x;
  if (Array.isArray(x)) return x.map(asJson);
  if (isObject(x)) return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, asJson(v)]));
  return String(x);
}

function argumentsToJson(t: FieldTable): JsonObject {
  return Object.fromEntries(Object.entries(tableToJSON(t)).map(([k, v]) => [k, asJson(v)]));
}

const INT64_MIN = -(2 ** 63);
const INT64_MAX = 2 ** 63;

/** RabbitMQ's to_amqp_table: integer → long, other number → double, string → longstr, list → array, object → table. */
function jsonToField(x: unknown, path: string, errors: string[]): FieldValue {
  switch (typeof x) {
    case 'string':
      return { type: 'S', value: x };
    case 'boolean':
      return { type: 't', value: x };
    case 'number':
      if (!Number.isInteger(x)) return { type: 'd', value: x };
      if (x >= INT64_MIN && x < INT64_MAX) return { type: 'l', value: BigInt(x) };
      errors.push(`${path}: ${x} is out of the signed 64-bit integer range`);
      return { type: 'V', value: null };
    default:
  }
  if (Array.isArray(x)) return { type: 'A', value: x.map((e, i) => jsonToField(e, `${path}[${i}]`, errors)) };
  if (isObject(x)) return { type: 'F', value: jsonToTable(x, path, errors) };
  errors.push(`${path}: ${x === null ? 'null is not allowed (RabbitMQ: null_not_allowed)' : 'is not a JSON value'}`);
  return { type: 'V', value: null };
}

function jsonToTable(o: Record<string, unknown>, path: string, errors: string[]): FieldTable {
  return new Map(Object.entries(o).map(([k, v]) => [k, jsonToField(v, `${path}.${k}`, errors)]));
}

/** Compares two tables as JSON (so 60000 as a long and as a signed int are the same). */
function sameArguments(a: FieldTable, b: FieldTable): boolean {
  const canonical = (t: FieldTable): string => JSON.stringify(Object.entries(argumentsToJson(t)).sort(([x], [y]) => (x < y ? -1 : 1)));
  return canonical(a) === canonical(b);
}

// ---- reading a file ----

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** One entry of a section; records a problem per bad field and returns a placeholder for it. */
class Entry {
  constructor(
    readonly where: string,
    private readonly o: Record<string, unknown>,
    private readonly errors: string[],
  ) {}

  fail(problem: string): void {
    this.errors.push(`${this.where}: ${problem}`);
  }

  has(key: string): boolean {
    return this.o[key] !== undefined;
  }

  raw(key: string): unknown {
    return this.o[key];
  }

  string(key: string, fallback?: string): string {
    const v = this.o[key];
    if (typeof v === 'string') return v;
    if (v === undefined && fallback !== undefined) return fallback;
    this.fail(v === undefined ? `'${key}' is missing` : `'${key}' must be a string`);
    return '';
  }

  boolean(key: string, fallback?: boolean): boolean {
    const v = this.o[key];
    if (typeof v === 'boolean') return v;
    if (v === undefined && fallback !== undefined) return fallback;
    this.fail(v === undefined ? `'${key}' is missing` : `'${key}' must be true or false`);
    return false;
  }

  /** x-arguments: absent, [] (old exports) or an object. */
  arguments(): FieldTable {
    const v = this.o['arguments'];
    if (v === undefined || (Array.isArray(v) && v.length === 0)) return new Map();
    if (isObject(v)) return jsonToTable(v, `${this.where}: arguments`, this.errors);
    this.fail(`'arguments' must be an object`);
    return new Map();
  }

  /** Tags as a list of strings or one comma-separated string, as RabbitMQ accepts them. */
  tags(value: unknown, key: string): string[] {
    const list = typeof value === 'string' ? value.split(',') : value;
    if (!Array.isArray(list) || !list.every((t): t is string => typeof t === 'string')) {
      this.fail(`'${key}' must be a list of strings or a comma-separated string`);
      return [];
    }
    return list.map((t) => t.trim()).filter((t) => t !== '');
  }
}

/** The entries of a section: absent is empty; anything but a list of objects is an error. */
function section(defs: Record<string, unknown>, key: string, errors: string[], label: (o: Record<string, unknown>) => string): Entry[] {
  const list = defs[key];
  if (list === undefined) return [];
  if (!Array.isArray(list)) {
    errors.push(`'${key}' must be a list`);
    return [];
  }
  const entries: Entry[] = [];
  list.forEach((o: unknown, i) => {
    if (isObject(o)) entries.push(new Entry(`${key}[${i}]${label(o)}`, o, errors));
    else errors.push(`${key}[${i}] must be an object`);
  });
  return entries;
}

const quoted = (k: string) => (o: Record<string, unknown>): string => (typeof o[k] === 'string' ? ` '${o[k]}'` : '');
const noLabel = (): string => '';

interface PlannedVhost { name: string; description: string; tags: string[] }
interface PlannedExchange { where: string; vhost: string; name: string; type: string; durable: boolean; autoDelete: boolean; internal: boolean; arguments: FieldTable }
interface PlannedQueue { where: string; vhost: string; name: string; durable: boolean; autoDelete: boolean; arguments: FieldTable }
interface PlannedBinding { where: string; vhost: string; source: string; destination: string; destinationType: string; routingKey: string; arguments: FieldTable }

interface Plan {
  users: User[];
  vhosts: PlannedVhost[];
  permissions: Permission[];
  exchanges: PlannedExchange[];
  queues: PlannedQueue[];
  bindings: PlannedBinding[];
  ignored: ImportSummary['ignored'];
  warnings: string[];
}

/** Before 3.6.0, RabbitMQ hashed with MD5; a user without hashing_algorithm gets its file's era's default. */
function defaultHashing(defs: Record<string, unknown>): HashingAlgorithm {
  const version = defs['rabbitmq_version'] ?? defs['rabbit_version'];
  const m = typeof version === 'string' ? /^(\d+)\.(\d+)/.exec(version) : null;
  const old = m !== null && (Number(m[1]) < 3 || (Number(m[1]) === 3 && Number(m[2]) < 6));
  return old ? 'rabbit_password_hashing_md5' : 'rabbit_password_hashing_sha256';
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function readUser(e: Entry, fallbackHashing: HashingAlgorithm): User {
  const name = e.string('name');
  if (!e.has('tags')) e.fail(`'tags' is missing (RabbitMQ: tags_not_present)`);
  const tags = e.tags(e.raw('tags') ?? [], 'tags');
  if (e.has('password') && e.has('password_hash')) e.fail(`both 'password' and 'password_hash' are given`);
  if (e.has('password')) return { name, tags, passwordHash: hashPassword(e.string('password')), hashingAlgorithm: 'rabbit_password_hashing_sha256' };
  const passwordHash = e.string('password_hash', '');
  if (!BASE64.test(passwordHash)) e.fail(`'password_hash' is not base64 (RabbitMQ: not_base64)`);
  const algorithm = e.string('hashing_algorithm', fallbackHashing);
  if (!isHashingAlgorithm(algorithm)) {
    e.fail(`unsupported hashing_algorithm '${algorithm}' (Warren supports rabbit_password_hashing_sha256, rabbit_password_hashing_sha512 and rabbit_password_hashing_md5)`);
    return { name, tags, passwordHash, hashingAlgorithm: fallbackHashing };
  }
  return { name, tags, passwordHash, hashingAlgorithm: algorithm };
}

function readVhost(e: Entry): PlannedVhost {
  const name = e.string('name');
  if (name === '' && e.has('name')) e.fail('the vhost name is empty');
  const meta = e.raw('metadata');
  const metadata = isObject(meta) ? meta : {};
  if (meta !== undefined && !isObject(meta)) e.fail(`'metadata' must be an object`);
  const description = e.raw('description') ?? metadata['description'] ?? '';
  if (typeof description !== 'string') e.fail(`'description' must be a string`);
  const tags = e.tags(e.raw('tags') ?? metadata['tags'] ?? [], 'tags');
  return { name, description: typeof description === 'string' ? description : '', tags };
}

/** A permission whose patterns a UserStore accepts (a scratch store compiles them). */
function readPermission(e: Entry): Permission {
  const p = { user: e.string('user'), vhost: e.string('vhost'), configure: e.string('configure'), write: e.string('write'), read: e.string('read') };
  try {
    new UserStore().setPermissions(p);
  } catch (err) {
    e.fail((err as Error).message);
  }
  return p;
}

function readExchange(e: Entry, vhost: string | undefined): PlannedExchange {
  const type = e.string('type', '');
  if (!e.has('type')) e.fail(`'type' is missing`);
  return {
    where: e.where, vhost: vhost ?? e.string('vhost'), name: e.string('name'), type,
    durable: e.boolean('durable'), autoDelete: e.boolean('auto_delete'), internal: e.boolean('internal', false), arguments: e.arguments(),
  };
}

function readQueue(e: Entry, vhost: string | undefined): PlannedQueue {
  const name = e.string('name');
  if (name === '' && e.has('name')) e.fail('the queue name is empty');
  return { where: e.where, vhost: vhost ?? e.string('vhost'), name, durable: e.boolean('durable'), autoDelete: e.boolean('auto_delete'), arguments: e.arguments() };
}

function readBinding(e: Entry, vhost: string | undefined): PlannedBinding {
  const destinationType = e.string('destination_type');
  if (e.has('destination_type') && destinationType !== 'queue' && destinationType !== 'exchange') {
    e.fail(`'destination_type' must be 'queue' or 'exchange', not '${destinationType}'`);
  }
  return {
    where: e.where, vhost: vhost ?? e.string('vhost'), source: e.string('source'), destination: e.string('destination'),
    destinationType, routingKey: e.string('routing_key'), arguments: e.arguments(),
  };
}

/** Reads a whole file, or (with `vhost`) a per-vhost one whose objects all go into `vhost`. */
function readPlan(defs: Record<string, unknown>, vhost: string | undefined, errors: string[]): Plan {
  const read = (key: string, label: (o: Record<string, unknown>) => string = noLabel): Entry[] => section(defs, key, errors, label);
  const count = (key: string): number => read(key).length;
  const warnings: string[] = [];
  const perVhost = vhost !== undefined;
  if (perVhost) {
    for (const key of ['users', 'vhosts', 'permissions', 'topic_permissions', 'global_parameters']) {
      const list = defs[key];
      const n = Array.isArray(list) ? list.length : 0;
      if (n > 0) warnings.push(`ignored ${n} ${key}: an import into one vhost reads only its queues, exchanges, bindings, policies and parameters (as RabbitMQ does)`);
    }
  }
  const fallbackHashing = defaultHashing(defs);
  const users = perVhost ? [] : read('users', quoted('name'));
  const vhosts = perVhost ? [] : read('vhosts', quoted('name'));
  for (const e of [...users, ...vhosts]) {
    if (hasEntries(e.raw('limits'))) warnings.push(`${e.where}: limits are ignored (Warren has none yet)`);
  }
  const plan: Plan = {
    users: users.map((e) => readUser(e, fallbackHashing)),
    vhosts: vhosts.map(readVhost),
    permissions: perVhost ? [] : read('permissions', (o) => quoted('user')(o) + (typeof o['vhost'] === 'string' ? ` in vhost '${o['vhost']}'` : '')).map(readPermission),
    exchanges: read('exchanges', quoted('name')).map((e) => readExchange(e, vhost)),
    queues: read('queues', quoted('name')).map((e) => readQueue(e, vhost)),
    bindings: read('bindings', (o) => `${quoted('source')(o)} →${quoted('destination')(o)}`).map((e) => readBinding(e, vhost)),
    ignored: {
      policies: count('policies'),
      parameters: count('parameters'),
      global_parameters: perVhost ? 0 : count('global_parameters'),
      topic_permissions: perVhost ? 0 : count('topic_permissions'),
    },
    warnings,
  };
  return plan;
}

function hasEntries(x: unknown): boolean {
  return Array.isArray(x) ? x.length > 0 : isObject(x) && Object.keys(x).length > 0;
}

// ---- checking against the broker ----

/** Problems that depend on what the broker has: missing users and vhosts, new objects RabbitMQ would refuse. */
function checkPlan(broker: Broker, plan: Plan, errors: string[]): void {
  const vhosts = new Set([...broker.vhosts.keys(), ...plan.vhosts.map((v) => v.name)]);
  const users = new Set([...broker.users.list().map((u) => u.name), ...plan.users.map((u) => u.name)]);
  const where = (p: Permission): string => `permissions '${p.user}' in vhost '${p.vhost}'`;
  for (const p of plan.permissions) {
    if (!users.has(p.user)) errors.push(`${where(p)}: no user '${p.user}' in the broker or the file (RabbitMQ: no_such_user)`);
    if (!vhosts.has(p.vhost)) errors.push(`${where(p)}: no vhost '${p.vhost}' in the broker or the file (RabbitMQ: no_such_vhost)`);
  }
  for (const o of [...plan.exchanges, ...plan.queues, ...plan.bindings]) {
    if (!vhosts.has(o.vhost)) errors.push(`${o.where}: no vhost '${o.vhost}' in the broker or the file (RabbitMQ: no_such_vhost)`);
  }
  // RabbitMQ checks a definition only when it creates the object: an existing one is kept as it is.
  for (const x of plan.exchanges) {
    if (isReservedExchange(x.name) || broker.vhosts.get(x.vhost)?.exchanges.has(x.name) === true) continue;
    if (!isExchangeType(x.type)) errors.push(`${x.where}: unknown exchange type '${x.type}'`);
  }
  for (const q of plan.queues) {
    if (q.name.startsWith('amq.') || broker.vhosts.get(q.vhost)?.queues.has(q.name) === true) continue;
    const invalid = queueArgumentError(q.arguments);
    if (invalid !== undefined) errors.push(`${q.where}: invalid arg '${invalid.key}' for queue '${q.name}' in vhost '${q.vhost}': ${invalid.reason}`);
  }
}

// ---- applying ----

/** The "connection" that owns nothing: imported queues are never exclusive. */
const IMPORTER = {};

function applyPlan(broker: Broker, plan: Plan, options: ImportOptions): ImportSummary {
  const summary: ImportSummary = { vhosts: 0, users: 0, permissions: 0, exchanges: 0, queues: 0, bindings: 0, ignored: plan.ignored, warnings: plan.warnings };
  const warn = (s: string): void => void summary.warnings.push(s);
  for (const u of plan.users) broker.users.putUserWithHash(u);
  summary.users = plan.users.length;
  for (const v of plan.vhosts) {
    const created = !broker.vhosts.has(v.name);
    broker.addVhost(v.name, { description: v.description, tags: v.tags });
    const actor = options.actingUser;
    if (created && actor !== undefined && broker.users.get(actor) !== undefined) {
      broker.users.setPermissions({ user: actor, vhost: v.name, configure: '.*', write: '.*', read: '.*' });
    }
  }
  summary.vhosts = plan.vhosts.length;
  for (const p of plan.permissions) broker.users.setPermissions(p);
  summary.permissions = plan.permissions.length;
  for (const x of plan.exchanges) {
    const vhost = broker.vhosts.get(x.vhost)!;
    const existing = vhost.exchanges.get(x.name);
    if (isReservedExchange(x.name)) warn(`${x.where}: skipped, the default exchange and amq.* names are reserved`);
    else if (existing !== undefined) {
      const same = existing.type === x.type && existing.durable === x.durable && existing.autoDelete === x.autoDelete && existing.internal === x.internal && sameArguments(existing.arguments, x.arguments);
      if (!same) warn(`${x.where}: kept the existing ${vhost.describeExchange(x.name)}, which differs from the file (RabbitMQ keeps existing objects)`);
    } else {
      vhost.declareExchange({ name: x.name, type: x.type, passive: false, durable: x.durable, autoDelete: x.autoDelete, internal: x.internal, arguments: x.arguments });
      summary.exchanges++;
    }
  }
  for (const q of plan.queues) {
    const vhost = broker.vhosts.get(q.vhost)!;
    const existing = vhost.queues.get(q.name);
    if (q.name.startsWith('amq.')) warn(`${q.where}: skipped, queue names starting with 'amq.' are reserved`);
    else if (existing !== undefined) {
      const same = existing.durable === q.durable && existing.autoDelete === q.autoDelete && existing.exclusiveOwner === null && sameArguments(existing.arguments, q.arguments);
      if (!same) warn(`${q.where}: kept the existing ${vhost.describeQueue(q.name)}, which differs from the file (RabbitMQ keeps existing objects)`);
    } else {
      vhost.declareQueue({ name: q.name, passive: false, durable: q.durable, exclusive: false, autoDelete: q.autoDelete, arguments: q.arguments }, IMPORTER);
      summary.queues++;
    }
  }
  for (const b of plan.bindings) {
    const vhost = broker.vhosts.get(b.vhost)!;
    const source = b.source === '' ? undefined : vhost.exchanges.get(b.source);
    const destination: Exchange | Queue | undefined = b.destinationType === 'exchange' ? vhost.exchanges.get(b.destination) : vhost.queues.get(b.destination);
    if (source === undefined || destination === undefined || destination.name === '') {
      warn(`${b.where}: skipped, its ${source === undefined ? `source ${vhost.describeExchange(b.source)}` : `destination ${b.destinationType === 'exchange' ? vhost.describeExchange(b.destination) : vhost.describeQueue(b.destination)}`} does not exist or cannot be bound (RabbitMQ skips it too)`);
      continue;
    }
    vhost.bind(source, destination, b.routingKey, b.arguments);
    summary.bindings++;
  }
  return summary;
}

/**
 * Validates a parsed definitions file and applies it: users, vhosts, permissions, exchanges,
 * queues, bindings, in RabbitMQ's order. With `vhost`, a per-vhost file: its queues, exchanges
 * and bindings go into that (existing) vhost whatever their vhost fields say.
 *
 * Everything is checked first; any problem throws DefinitionsError listing them all, before
 * anything changes (RabbitMQ applies entries until one fails). Otherwise as RabbitMQ: existing
 * users, vhost metadata and permissions are replaced; existing exchanges and queues are kept as
 * they are, even when the file defines them differently (a warning says so); bindings whose ends
 * are missing and objects with reserved names are skipped. Policies, parameters, global
 * parameters and topic permissions are read and counted as ignored: Warren has no policies yet.
 */
export function importDefinitions(broker: Broker, definitions: unknown, vhost?: string, options: ImportOptions = {}): ImportSummary {
  if (!isObject(definitions)) throw new DefinitionsError('the definitions must be a JSON object');
  if (vhost !== undefined && !broker.vhosts.has(vhost)) throw new DefinitionsError(`no vhost '${vhost}' to import into (RabbitMQ: vhost_not_found)`);
  const errors: string[] = [];
  const plan = readPlan(definitions, vhost, errors);
  if (errors.length === 0) checkPlan(broker, plan, errors);
  if (errors.length > 0) {
    const shown = errors.slice(0, 10).join('; ') + (errors.length > 10 ? `; and ${errors.length - 10} more` : '');
    throw new DefinitionsError(errors.length === 1 ? `invalid definitions: ${shown}` : `invalid definitions (${errors.length} problems): ${shown}`, errors);
  }
  return applyPlan(broker, plan, options);
}
