/**
 * Create and delete through the API, with the effect checked over AMQP: users and their
 * passwords (or imported hashes), vhosts, permissions, queues, exchanges and bindings.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import amqp from 'amqplib';
import { startManagedBroker, type ManagedBroker } from './support.js';
import { list, obj } from './http.js';
import { hashPassword } from '../../src/broker/users.js';

let b: ManagedBroker;
const T = { timeout: 15_000 };

before(async () => {
  b = await startManagedBroker();
});
after(() => b?.close());

function urlFor(user: string, password: string, vhost = '/'): string {
  return b.amqpUrl.replace('guest:guest', `${user}:${password}`) + '/' + encodeURIComponent(vhost);
}

async function canConnect(url: string): Promise<boolean> {
  try {
    const c = await amqp.connect(url);
    await c.close();
    return true;
  } catch {
    return false;
  }
}

test('a user created with a password (or a RabbitMQ hash) can connect once it has permissions', T, async () => {
  assert.equal((await b.api.put('/api/users/c-alice', { password: 's3cret', tags: 'management' })).status, 201);
  assert.equal((await b.api.put('/api/users/c-alice', { password: 's3cret', tags: ['management', 'monitoring'] })).status, 204);
  assert.deepEqual(obj(await b.api.json('/api/users/c-alice'))['tags'], ['management', 'monitoring']);
  assert.equal(await canConnect(urlFor('c-alice', 's3cret')), false, 'no permissions in / yet');
  assert.equal((await b.api.put('/api/permissions/%2F/c-alice', { configure: '.*', write: '.*', read: '.*' })).status, 201);
  assert.equal(await canConnect(urlFor('c-alice', 's3cret')), true);
  assert.equal(await canConnect(urlFor('c-alice', 'wrong')), false);
  // A hash exported from RabbitMQ (salted SHA-256) imports as is.
  const hash = hashPassword('from-rabbit');
  assert.equal((await b.api.put('/api/users/c-bob', { password_hash: hash, hashing_algorithm: 'rabbit_password_hashing_sha256', tags: '' })).status, 201);
  await b.api.put('/api/permissions/%2F/c-bob', { configure: '', write: '', read: '' });
  assert.equal(await canConnect(urlFor('c-bob', 'from-rabbit')), true);
  assert.equal(obj(await b.api.json('/api/users/c-bob'))['password_hash'], hash);
  // Tags only: the user has no password any more, as in RabbitMQ.
  await b.api.put('/api/users/c-bob', { tags: 'management' });
  assert.equal(await canConnect(urlFor('c-bob', 'from-rabbit')), false);
  assert.deepEqual(list(await b.api.json('/api/users/c-alice/permissions')).map((p) => p['vhost']), ['/']);
  assert.equal((await b.api.delete('/api/permissions/%2F/c-alice')).status, 204);
  assert.equal(await canConnect(urlFor('c-alice', 's3cret')), false);
  assert.ok(list(await b.api.json('/api/users/without-permissions')).some((u) => u['name'] === 'c-alice'));
  assert.equal((await b.api.post('/api/users/bulk-delete', { users: ['c-alice', 'c-bob'] })).status, 204);
  assert.equal((await b.api.get('/api/users/c-alice')).status, 404);
});

test('a vhost created through the API takes connections; deleting it closes them', T, async () => {
  assert.equal((await b.api.put('/api/vhosts/c-vh', { description: 'test vhost', tags: 'a,b' })).status, 201);
  const v = obj(await b.api.json('/api/vhosts/c-vh'));
  assert.equal(v['description'], 'test vhost');
  assert.deepEqual(v['tags'], ['a', 'b']);
  assert.deepEqual(obj(v['metadata']), { description: 'test vhost', tags: ['a', 'b'] });
  await b.api.put('/api/permissions/c-vh/guest', { configure: '.*', write: '.*', read: '.*' });
  assert.deepEqual(list(await b.api.json('/api/vhosts/c-vh/permissions')).map((p) => p['user']), ['guest']);
  const conn = await amqp.connect(urlFor('guest', 'guest', 'c-vh'));
  const closed = new Promise<string>((resolve) => conn.on('close', (err: unknown) => resolve(String(err))));
  conn.on('error', () => {});
  assert.equal((await b.api.delete('/api/vhosts/c-vh')).status, 204);
  assert.match(await closed, /320/);
  assert.equal((await b.api.get('/api/vhosts/c-vh')).status, 404);
  assert.equal((await b.api.delete('/api/vhosts/c-vh')).status, 404);
});

test('queues and exchanges created through the API exist for AMQP clients, with their properties', T, async () => {
  assert.equal((await b.api.put('/api/queues/%2F/c-q', { durable: true, auto_delete: false, arguments: { 'x-max-length': 10, 'x-queue-mode': 'lazy' } })).status, 201);
  assert.equal((await b.api.put('/api/exchanges/%2F/c-x', { type: 'headers', durable: true, arguments: { 'alternate-exchange': 'amq.fanout' } })).status, 201);
  const conn = await amqp.connect(b.amqpUrl);
  try {
    const ch = await conn.createChannel();
    await ch.checkQueue('c-q');
    await ch.checkExchange('c-x');
    // The queue's x-max-length applies: an AMQP redeclare with the same (integer) value is equivalent.
    await ch.assertQueue('c-q', { durable: true, arguments: { 'x-max-length': 10, 'x-queue-mode': 'lazy' } });
  } finally {
    await conn.close();
  }
  const q = obj(await b.api.json('/api/queues/%2F/c-q'));
  assert.equal(q['durable'], true);
  assert.deepEqual(q['arguments'], { 'x-max-length': 10, 'x-queue-mode': 'lazy' });
  const x = obj(await b.api.json('/api/exchanges/%2F/c-x'));
  assert.equal(x['type'], 'headers');
  assert.deepEqual(x['arguments'], { 'alternate-exchange': 'amq.fanout' });
  assert.equal((await b.api.delete('/api/exchanges/%2F/c-x')).status, 204);
  assert.equal((await b.api.delete('/api/queues/%2F/c-q?if-empty=true')).status, 204);
  assert.equal((await b.api.get('/api/queues/%2F/c-q')).status, 404);
});

test('DELETE with if-empty / if-unused is refused when the queue is not', T, async () => {
  await b.api.put('/api/queues/%2F/c-full', {});
  await b.api.post('/api/exchanges/%2F/amq.default/publish', { routing_key: 'c-full', payload: 'x', payload_encoding: 'string', properties: {} });
  const res = await b.api.delete('/api/queues/%2F/c-full?if-empty=true');
  assert.equal(res.status, 400);
  assert.deepEqual(res.json, { error: 'bad_request', reason: "queue 'c-full' in vhost '/' not empty" });
  assert.equal((await b.api.delete('/api/queues/%2F/c-full')).status, 204);
});

test('bindings: POST answers a Location that GET and DELETE accept; routing follows', T, async () => {
  await b.api.put('/api/queues/%2F/c-bq', {});
  await b.api.put('/api/exchanges/%2F/c-bx', { type: 'topic' });
  await b.api.put('/api/exchanges/%2F/c-bx2', { type: 'fanout' });
  const base = '/api/bindings/%2F/e/c-bx/q/c-bq';
  const created = await b.api.post(base, { routing_key: 'k 1.#', arguments: { x: 1 } });
  assert.equal(created.status, 201);
  const location = created.headers.get('location') ?? '';
  assert.match(location, /^c-bq\/k%2B1\.%2523~/);
  const one = obj(await b.api.json(`${base}/${location.slice('c-bq/'.length)}`));
  assert.equal(one['routing_key'], 'k 1.#');
  assert.deepEqual(one['arguments'], { x: 1 });
  const listed = list(await b.api.json(base));
  assert.equal(listed.length, 1);
  assert.equal(listed[0]?.['properties_key'], decodeURIComponent(location.slice('c-bq/'.length)));
  assert.deepEqual(
    list(await b.api.json('/api/queues/%2F/c-bq/bindings')).map((x) => x['source']),
    ['', 'c-bx'],
  );
  const publish = (key: string) => b.api.post('/api/exchanges/%2F/c-bx/publish', { routing_key: key, payload: 'p', payload_encoding: 'string', properties: {} });
  assert.deepEqual((await publish('k 1.a.b')).json, { routed: true });
  assert.deepEqual((await publish('other')).json, { routed: false });
  // Exchange to exchange.
  assert.equal((await b.api.post('/api/bindings/%2F/e/c-bx2/e/c-bx', { routing_key: '' })).status, 201);
  assert.deepEqual(list(await b.api.json('/api/exchanges/%2F/c-bx/bindings/destination')).map((x) => x['source']), ['c-bx2']);
  assert.deepEqual(list(await b.api.json('/api/exchanges/%2F/c-bx2/bindings/source')).map((x) => x['destination_type']), ['exchange']);
  assert.equal((await b.api.delete(`${base}/${location.slice('c-bq/'.length)}`)).status, 204);
  assert.deepEqual(list(await b.api.json(base)), []);
  assert.deepEqual((await publish('k 1.a.b')).json, { routed: false });
  assert.equal((await b.api.delete('/api/bindings/%2F/e/c-bx2/e/c-bx/~')).status, 204);
});

test('the default exchange cannot be bound or deleted; amq.default names it in paths', T, async () => {
  await b.api.put('/api/queues/%2F/c-dq', {});
  assert.deepEqual((await b.api.post('/api/bindings/%2F/e/amq.default/q/c-dq', {})).json, { error: 'not_authorised', reason: 'Access refused.' });
  assert.deepEqual((await b.api.delete('/api/exchanges/%2F/amq.default')).json, { error: 'not_authorised', reason: 'Access refused.' });
  assert.equal(obj(await b.api.json('/api/exchanges/%2F/amq.default'))['name'], '');
  // Its implicit bindings are listed, as RabbitMQ lists them.
  assert.ok(list(await b.api.json('/api/exchanges/%2F/amq.default/bindings/source')).some((x) => x['destination'] === 'c-dq'));
  assert.deepEqual(list(await b.api.json('/api/bindings/%2F/e/amq.default/q/c-dq')).map((x) => x['routing_key']), ['c-dq']);
  // Between objects that do not exist there are no bindings (not a 404).
  assert.deepEqual(await b.api.json('/api/bindings/%2F/e/c-nothere/q/c-dq'), []);
  assert.deepEqual(await b.api.json('/api/exchanges/%2F/c-nothere/bindings/source'), []);
});

test('a trailing slash is ignored, as RabbitMQ (Cowboy) ignores it: /api/exchanges/%2F/ is the list', T, async () => {
  const exchanges = list(await b.api.json('/api/exchanges/%2F/'));
  assert.ok(exchanges.length > 1);
  assert.deepEqual(list(await b.api.json('/api/vhosts/')).map((v) => obj(v)['name']).includes('/'), true);
  assert.equal(obj(await b.api.json('/api/overview/'))['management_version'], '3.10.8');
});
