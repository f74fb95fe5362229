/**
 * A connection the client names (client property connection_name) carries that name as
 * `user_provided_name`, as RabbitMQ 3.10 reports it (the web UI shows it under the connection's
 * name); a connection without one has no such field.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import amqp from 'amqplib';
import { startManagedBroker, type ManagedBroker } from './support.js';
import { list, obj } from './http.js';

let b: ManagedBroker;
const T = { timeout: 15_000 };

before(async () => {
  b = await startManagedBroker();
});
after(() => b?.close());

test('user_provided_name is the client\'s connection_name, in the list and in the detail', T, async () => {
  const named = await amqp.connect(b.amqpUrl, { clientProperties: { connection_name: 'orders-service' } });
  const plain = await amqp.connect(b.amqpUrl);
  try {
    const rows = list(await b.api.json('/api/connections'));
    assert.equal(rows.length, 2);
    const withName = rows.find((r) => r['user_provided_name'] !== undefined);
    assert.ok(withName !== undefined, 'one connection has a user_provided_name');
    assert.equal(withName['user_provided_name'], 'orders-service');
    assert.equal(obj(withName['client_properties'])['connection_name'], 'orders-service');
    const without = rows.find((r) => r !== withName);
    assert.ok(without !== undefined && !('user_provided_name' in without));
    const detail = obj(await b.api.json(`/api/connections/${encodeURIComponent(String(withName['name']))}`));
    assert.equal(detail['user_provided_name'], 'orders-service');
  } finally {
    await named.close();
    await plain.close();
  }
});
