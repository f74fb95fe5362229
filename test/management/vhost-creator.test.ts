/**
 * PUT /api/vhosts/{name} gives the administrator who creates a vhost full permissions there, as
 * RabbitMQ 3.10.8 does (checked against it: the creator, not guest; only on creation, not when an
 * existing vhost is updated). The UNIX socket's warrenctl is no user and gets none.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import amqp from 'amqplib';
import { startManagedBroker, type ManagedBroker } from './support.js';
import { list } from './http.js';

let b: ManagedBroker;

before(async () => {
  b = await startManagedBroker();
});
after(() => b?.close());

test('the creator of a vhost gets full permissions there, on creation only', { timeout: 15_000 }, async () => {
  assert.equal((await b.api.put('/api/users/vc-admin', { password: 'p', tags: 'administrator' })).status, 201);
  const admin = b.api.as({ user: 'vc-admin', password: 'p' });
  assert.equal((await admin.put('/api/vhosts/vc', {})).status, 201);
  assert.deepEqual(list(await b.api.json('/api/vhosts/vc/permissions')), [{ user: 'vc-admin', vhost: 'vc', configure: '.*', write: '.*', read: '.*' }]);
  const conn = await amqp.connect(`${b.amqpUrl.replace('guest:guest', 'vc-admin:p')}/vc`);
  await conn.close();
  // Updating the vhost grants nothing again.
  assert.equal((await b.api.delete('/api/permissions/vc/vc-admin')).status, 204);
  assert.equal((await admin.put('/api/vhosts/vc', { description: 'x' })).status, 204);
  assert.deepEqual(list(await b.api.json('/api/vhosts/vc/permissions')), []);
});
