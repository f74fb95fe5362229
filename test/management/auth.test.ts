/**
 * Authentication and tag-based authorisation: credentials, the four management tags, the
 * administrator-only resources, per-vhost access, own-connection filtering and guest's loopback
 * restriction.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import amqp from 'amqplib';
import { startManagedBroker, type ManagedBroker } from './support.js';
import { list, obj } from './http.js';
import { authenticate } from '../../src/management/auth.js';
import { HttpError } from '../../src/management/http-error.js';

let b: ManagedBroker;
const T = { timeout: 15_000 };

before(async () => {
  b = await startManagedBroker();
  const users = [
    ['t-admin', 'administrator'],
    ['t-mon', 'monitoring'],
    ['t-pol', 'policymaker'],
    ['t-mgmt', 'management'],
    ['t-none', ''],
  ] as const;
  for (const [name, tags] of users) assert.equal((await b.api.put(`/api/users/${name}`, { password: 'pw', tags })).status, 201);
  assert.equal((await b.api.put('/api/permissions/%2F/t-mgmt', { configure: '.*', write: '.*', read: '.*' })).status, 201);
});
after(() => b?.close());

const as = (user: string) => ({ auth: { user, password: 'pw' } });

test('no credentials: 401 with the realm and no body; wrong ones: Login failed', T, async () => {
  const none = await b.api.get('/api/overview', { auth: null });
  assert.equal(none.status, 401);
  assert.equal(none.headers.get('www-authenticate'), 'Basic realm="RabbitMQ Management"');
  assert.equal(none.text, '');
  const wrong = await b.api.get('/api/overview', { auth: { user: 'guest', password: 'nope' } });
  assert.equal(wrong.status, 401);
  assert.deepEqual(wrong.json, { error: 'not_authorized', reason: 'Login failed' });
});

test('every management tag may log in; a user without one may not', T, async () => {
  for (const user of ['t-admin', 't-mon', 't-pol', 't-mgmt']) assert.equal((await b.api.get('/api/whoami', as(user))).status, 200, user);
  const denied = await b.api.get('/api/whoami', as('t-none'));
  assert.equal(denied.status, 401);
  assert.deepEqual(denied.json, { error: 'not_authorised', reason: 'Not management user' });
  assert.deepEqual((await b.api.get('/api/whoami', as('t-mon'))).json, { name: 't-mon', tags: ['monitoring'] });
});

test('administrator-only resources refuse the other tags', T, async () => {
  for (const path of ['/api/users', '/api/permissions', '/api/vhosts/%2F', '/api/definitions', '/api/users/guest/permissions']) {
    for (const user of ['t-mon', 't-pol', 't-mgmt']) {
      const res = await b.api.get(path, as(user));
      assert.equal(res.status, 401, `${user} ${path}`);
      assert.deepEqual(res.json, { error: 'not_authorised', reason: 'Not administrator user' });
    }
    assert.equal((await b.api.get(path, as('t-admin'))).status, 200, path);
  }
  const put = await b.api.put('/api/vhosts/t-v', {}, as('t-mgmt'));
  assert.equal(put.status, 401);
  assert.equal(b.running.broker.vhosts.has('t-v'), false);
});

test('nodes need the monitoring (or administrator) tag', T, async () => {
  assert.deepEqual((await b.api.get('/api/nodes', as('t-mgmt'))).json, { error: 'not_authorised', reason: 'Not monitor user' });
  assert.equal((await b.api.get('/api/nodes', as('t-mon'))).status, 200);
});

test('vhost resources need permissions in that vhost; lists show only those vhosts', T, async () => {
  await b.api.put('/api/vhosts/t-private');
  await b.api.put('/api/queues/t-private/pq', {});
  await b.api.put('/api/queues/%2F/t-public', {});
  const denied = await b.api.get('/api/queues/t-private', as('t-mgmt'));
  assert.equal(denied.status, 401);
  assert.deepEqual(denied.json, { error: 'not_authorised', reason: 'User not authorised to access virtual host' });
  assert.equal((await b.api.get('/api/queues/%2F', as('t-mgmt'))).status, 200);
  const names = list((await b.api.get('/api/queues', as('t-mgmt'))).json).map((q) => `${String(q['vhost'])}/${String(q['name'])}`);
  assert.ok(names.includes('//t-public'));
  assert.ok(!names.includes('t-private/pq'));
  assert.deepEqual(list((await b.api.get('/api/vhosts', as('t-mgmt'))).json).map((v) => v['name']), ['/']);
  // Monitors see every vhost exist, but not the queues of vhosts they have no permissions in.
  assert.deepEqual(list((await b.api.get('/api/vhosts', as('t-mon'))).json).map((v) => v['name']).sort(), ['/', 't-private']);
  assert.equal((await b.api.get('/api/queues/t-private', as('t-mon'))).status, 401);
  // A vhost that does not exist is a 404, not a 401.
  assert.equal((await b.api.get('/api/queues/t-nothere', as('t-mgmt'))).status, 404);
});

test('a management user sees only its own connections; a monitor sees all', T, async () => {
  const guestConn = await amqp.connect(b.amqpUrl);
  const ownConn = await amqp.connect(b.amqpUrl.replace('guest:guest', 't-mgmt:pw'));
  try {
    const own = list((await b.api.get('/api/connections', as('t-mgmt'))).json);
    assert.deepEqual(own.map((c) => c['user']), ['t-mgmt']);
    const all = list((await b.api.get('/api/connections', as('t-mon'))).json);
    assert.deepEqual(all.map((c) => c['user']).sort(), ['guest', 't-mgmt']);
    const guestName = String(all.find((c) => c['user'] === 'guest')?.['name']);
    const other = await b.api.get(`/api/connections/${encodeURIComponent(guestName)}`, as('t-mgmt'));
    assert.deepEqual(other.json, { error: 'not_authorised', reason: 'User not authorised to access object' });
    // Monitors may look at anyone's connection but close only... none: closing needs administrator.
    assert.equal((await b.api.get(`/api/connections/${encodeURIComponent(guestName)}`, as('t-mon'))).status, 200);
    assert.equal((await b.api.delete(`/api/connections/${encodeURIComponent(guestName)}`, as('t-mon'))).status, 401);
    const counts = obj(obj((await b.api.get('/api/overview', as('t-mgmt'))).json)['object_totals']);
    assert.equal(counts['connections'], 1);
  } finally {
    await guestConn.close();
    await ownConn.close();
  }
});

test('guest may log in over HTTP from loopback addresses only, as over AMQP', T, () => {
  const headers = { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` };
  const broker = b.running.broker;
  assert.equal(authenticate(broker, headers, '127.0.0.1', 'user', undefined).name, 'guest');
  assert.equal(authenticate(broker, headers, '::ffff:127.0.0.1', 'user', undefined).name, 'guest');
  assert.throws(
    () => authenticate(broker, headers, '192.0.2.7', 'user', undefined),
    (err: unknown) => err instanceof HttpError && err.status === 401 && err.reason === 'User can only log in via localhost',
  );
});

test('405 lists the allowed methods; unknown paths are 404 before any login', T, async () => {
  const res = await b.api.post('/api/overview', {});
  assert.equal(res.status, 405);
  assert.equal(res.headers.get('allow'), 'HEAD, GET, OPTIONS');
  const queue = await b.api.request('PATCH', '/api/queues/%2F/x');
  assert.equal(queue.headers.get('allow'), 'HEAD, GET, PUT, DELETE, OPTIONS');
  assert.deepEqual((await b.api.get('/api/nothing', { auth: null })).json, { error: 'Object Not Found', reason: 'Not Found' });
});

test('GET / is the web UI page without login, and its bundle is served with it', T, async () => {
  const res = await b.api.get('/', { auth: null });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(res.text, /<title>Warren Management<\/title>/);
  const script = /<script src="(ui\/app\.js\?v=[0-9a-f]+)"/.exec(res.text);
  assert.ok(script !== null, 'the page loads the bundle');
  const js = await b.api.get(`/${script[1]}`, { auth: null });
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type') ?? '', /^text\/javascript/);
  assert.match(js.headers.get('cache-control') ?? '', /immutable/);
  const missing = await b.api.get('/ui/nothing.js', { auth: null });
  assert.equal(missing.status, 404);
  assert.deepEqual(missing.json, { error: 'Object Not Found', reason: 'Not Found' });
  const posted = await b.api.post('/', {}, { auth: null });
  assert.equal(posted.status, 405);
  assert.equal(posted.headers.get('allow'), 'HEAD, GET, OPTIONS');
});
