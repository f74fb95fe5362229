/**
 * Helpers for the definitions tests: fixtures, a broker on a temporary data directory, AMQP
 * probes (log in, publish, read, declare) and a normal form of definitions files for comparing
 * them modulo ordering, version fields and the shapes RabbitMQ accepts for the same thing.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import amqp from 'amqplib';
import type { Channel } from 'amqplib';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { importDefinitions } from '../../src/management/definitions-format.js';
import { withTimeout } from '../support/wait.js';
import type { ProbeSet } from './probes.js';

/** The fixtures stay in the source tree (tests run from dist/test/definitions/). */
const FIXTURES = new URL('../../../test/definitions/fixtures/', import.meta.url);

export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as Record<string, unknown>;
}

/** A temporary data directory, removed by `remove()`. */
export function tempDataDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'warren-definitions-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function start(dataDir?: string): Promise<RunningBroker> {
  return startBroker({ port: 0, bind: ['127.0.0.1'], ...(dataDir === undefined ? {} : { dataDir }) });
}

/** Waits until everything the broker stored is on disk. */
export function durable(b: RunningBroker): Promise<void> {
  return new Promise((resolve, reject) => b.broker.whenDurable((ok) => (ok ? resolve() : reject(new Error('store failed')))));
}

export function amqpUrl(port: number, user: string, password: string, vhost: string): string {
  return `amqp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(vhost)}`;
}

/**
 * 'ok'; 'bad-login' when the credentials are refused (403 in the handshake); 'no-access' when
 * connection.open to the vhost is refused (amqplib does not expose that close's code).
 */
export async function login(port: number, user: string, password: string, vhost: string): Promise<'ok' | 'bad-login' | 'no-access'> {
  try {
    const c = await withTimeout(amqp.connect(amqpUrl(port, user, password, vhost)), 5000, `login ${user}`);
    await c.close();
    return 'ok';
  } catch (err) {
    const message = (err as Error).message;
    if (/ACCESS.REFUSED/.test(message)) return 'bad-login';
    if (/Expected ConnectionOpenOk; got <ConnectionClose/.test(message)) return 'no-access';
    throw err;
  }
}

export type Action =
  | { kind: 'publish'; exchange: string; routingKey: string }
  | { kind: 'get'; queue: string }
  | { kind: 'declare'; queue: string };

/** Runs one operation on a fresh channel: 'ok' or the code of the channel.close it caused. */
export async function attempt(port: number, user: string, password: string, vhost: string, action: Action): Promise<'ok' | number> {
  const c = await amqp.connect(amqpUrl(port, user, password, vhost));
  try {
    const ch = await c.createChannel();
    let code: number | undefined;
    ch.on('error', (err: unknown) => {
      const n = (err as { code?: unknown }).code;
      if (typeof n === 'number') code = n;
    });
    try {
      await withTimeout(run(ch, action), 5000, `${user} ${action.kind}`);
      return 'ok';
    } catch (err) {
      const n = (err as { code?: unknown }).code;
      return typeof n === 'number' ? n : code ?? Promise.reject(err);
    }
  } finally {
    await c.close().catch(() => {});
  }
}

async function run(ch: Channel, action: Action): Promise<void> {
  switch (action.kind) {
    case 'publish':
      ch.publish(action.exchange, action.routingKey, Buffer.from('probe'));
      await ch.prefetch(1); // a round trip: a refused publish has closed the channel by then
      return;
    case 'get':
      await ch.get(action.queue, { noAck: true });
      return;
    case 'declare':
      await ch.assertQueue(action.queue, { durable: false, autoDelete: true });
      return;
  }
}

/**
 * Publishes one message and returns the queues (of `watched`) it reached, sorted. The watched
 * queues are purged first; the message is read back and acknowledged from each.
 */
export async function routeOf(
  port: number,
  vhost: string,
  publish: { exchange: string; routingKey: string; headers?: Record<string, string | number> },
  watched: readonly string[],
  credentials: readonly [string, string] = ['guest', 'guest'],
): Promise<string[]> {
  const c = await amqp.connect(amqpUrl(port, credentials[0], credentials[1], vhost));
  try {
    const ch = await c.createConfirmChannel();
    for (const q of watched) await ch.purgeQueue(q);
    ch.publish(publish.exchange, publish.routingKey, Buffer.from('routed'), publish.headers === undefined ? {} : { headers: publish.headers });
    await withTimeout(ch.waitForConfirms(), 5000, 'publish confirm');
    const reached: string[] = [];
    for (const q of watched) {
      const m = await ch.get(q, { noAck: true });
      if (m !== false) reached.push(q);
    }
    return reached.sort();
  } finally {
    await c.close().catch(() => {});
  }
}

/** Asserts that every route, login and permission of `probes` behaves as expected on the broker at `port`. */
export async function checkProbes(port: number, probes: ProbeSet): Promise<void> {
  for (const r of probes.routes) {
    const reached = await routeOf(port, r.vhost, { exchange: r.exchange, routingKey: r.routingKey, ...(r.headers === undefined ? {} : { headers: r.headers }) }, r.watched, r.credentials);
    assert.deepEqual(reached, r.expected, `${r.vhost} ${r.exchange} '${r.routingKey}' ${JSON.stringify(r.headers ?? {})}`);
  }
  for (const l of probes.logins) {
    assert.equal(await login(port, l.user, l.password, l.vhost), l.expected, `${l.user} in ${l.vhost}`);
  }
  for (const p of probes.permissions) {
    assert.equal(await attempt(port, p.user, p.password, p.vhost, p.action), p.expected, `${p.user} in ${p.vhost}: ${JSON.stringify(p.action)}`);
  }
}

// ---- comparing definitions ----

type Obj = Record<string, unknown>;

const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const list = (defs: Obj, key: string): Obj[] => (Array.isArray(defs[key]) ? (defs[key] as unknown[]).filter(isObj) : []);

function tagList(t: unknown): string[] {
  const raw = typeof t === 'string' ? t.split(',') : Array.isArray(t) ? t.map(String) : [];
  return raw.map((s) => s.trim()).filter((s) => s !== '');
}

/** JSON with sorted keys, so that objects compare whatever their key order. */
function canonical(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canonical).join(',')}]`;
  if (isObj(x)) return `{${Object.keys(x).sort().map((k) => `${JSON.stringify(k)}:${canonical(x[k])}`).join(',')}}`;
  return JSON.stringify(x);
}

const sorted = (items: unknown[]): string[] => items.map(canonical).sort();

/**
 * The parts of a definitions file that Warren keeps, in a normal form: users (tags as a list),
 * vhosts (name, description, tags from either shape), permissions, queues (without the type
 * field rabbitmqctl adds), exchanges (internal defaulting to false), bindings.
 */
export function normalForm(defs: Obj): Record<string, string[]> {
  return {
    users: sorted(list(defs, 'users').map((u) => ({ name: u['name'], password_hash: u['password_hash'], hashing_algorithm: u['hashing_algorithm'], tags: tagList(u['tags']) }))),
    vhosts: sorted(list(defs, 'vhosts').map((v) => {
      const meta = isObj(v['metadata']) ? v['metadata'] : {};
      return { name: v['name'], description: v['description'] ?? meta['description'] ?? '', tags: tagList(v['tags'] ?? meta['tags']) };
    })),
    permissions: sorted(list(defs, 'permissions')),
    queues: sorted(list(defs, 'queues').map(({ type: _type, ...q }) => q)),
    exchanges: sorted(list(defs, 'exchanges').map((x) => ({ internal: false, ...x }))),
    bindings: sorted(list(defs, 'bindings')),
  };
}

/** A copy of `defs` without the entries of `key` for which `drop` is true. */
export function without(defs: Obj, key: string, drop: (o: Obj) => boolean): Obj {
  return { ...defs, [key]: list(defs, key).filter((o) => !drop(o)) };
}

/** Runs `check` on a fresh in-memory broker into which `defs` was imported, then closes it. */
export async function withImported(defs: unknown, check: (b: RunningBroker) => Promise<void> | void): Promise<void> {
  const b = await start();
  try {
    importDefinitions(b.broker, defs);
    await check(b);
  } finally {
    await b.close();
  }
}

/** Imports `defs` into a broker on a new data directory, restarts it there and runs `check`. */
export async function afterRestart(defs: unknown, check: (b: RunningBroker) => Promise<void> | void): Promise<void> {
  const data = tempDataDir();
  try {
    const before = await start(data.dir);
    try {
      importDefinitions(before.broker, defs);
      await durable(before);
    } finally {
      await before.close();
    }
    const after = await start(data.dir);
    try {
      await check(after);
    } finally {
      await after.close();
    }
  } finally {
    data.remove();
  }
}
