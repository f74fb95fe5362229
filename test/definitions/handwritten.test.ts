/**
 * A realistic RabbitMQ 3.10 definitions file written by hand (fixtures/handwritten.json: users
 * hashed with SHA-256, SHA-512 and MD5, tags as lists and as comma strings, three vhosts in both
 * metadata shapes, permissions, every exchange type with arguments, queues with x-arguments,
 * queue and exchange-to-exchange bindings with arguments) imports into Warren: the objects route
 * as in RabbitMQ, users log in with their passwords and get exactly their permissions, the export
 * gives the file back, and all of it survives a restart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportDefinitions, importDefinitions } from '../../src/management/definitions-format.js';
import { afterRestart, checkProbes, fixture, normalForm, start, withImported, without } from './helpers.js';
import { HANDWRITTEN } from './probes.js';
import type { RunningBroker } from '../../src/index.js';

const FILE = fixture('handwritten.json');

const checkBehaviour = (b: RunningBroker): Promise<void> => checkProbes(b.port, HANDWRITTEN);

test('the handwritten file imports completely; policies, parameters and topic permissions are reported as ignored', { timeout: 30_000 }, async () => {
  const b = await start();
  try {
    const summary = importDefinitions(b.broker, FILE);
    assert.deepEqual(summary, {
      vhosts: 3, users: 5, permissions: 7, exchanges: 8, queues: 10, bindings: 12,
      ignored: { policies: 1, parameters: 1, global_parameters: 1, topic_permissions: 1 },
      warnings: [],
    });
    const shop = b.broker.vhosts.get('shop');
    assert.ok(shop !== undefined);
    assert.equal(shop.description, 'Web shop backend');
    assert.deepEqual(shop.tags, ['production', 'eu']);
    assert.equal(b.broker.vhosts.get('analytics')?.description, 'Reporting jobs');
    assert.deepEqual(b.broker.vhosts.get('analytics')?.tags, ['batch']);
    assert.deepEqual(b.broker.users.get('reporting')?.tags, ['monitoring', 'management']);
    assert.equal(b.broker.users.get('orders-svc')?.hashingAlgorithm, 'rabbit_password_hashing_sha512');
    assert.equal(b.broker.users.get('legacy-app')?.hashingAlgorithm, 'rabbit_password_hashing_md5');
    assert.deepEqual(b.broker.users.listPermissions({ vhost: 'shop', user: 'orders-svc' }), [{ user: 'orders-svc', vhost: 'shop', configure: '^orders\\.', write: '^orders(\\..*)?$', read: '^orders\\.' }]);
    assert.equal(b.broker.users.permission('analytics', 'orders-svc'), undefined);
    const orders = shop.exchanges.get('orders');
    assert.equal(orders?.type, 'topic');
    assert.deepEqual(orders?.arguments.get('alternate-exchange'), { type: 'S', value: 'orders.unrouted' });
    assert.equal(shop.exchanges.get('audit')?.internal, true);
    const q = shop.queues.get('orders.new');
    // JSON integers become longs, as RabbitMQ's to_amqp_table makes them.
    assert.deepEqual(q?.arguments.get('x-message-ttl'), { type: 'l', value: 60000n });
    assert.equal(q?.limits.messageTtl, 60000);
    assert.equal(q?.limits.deadLetterExchange, 'orders.dlx');
    assert.equal(shop.queues.get('orders.all')?.limits.maxPriority, 10);
    assert.equal(shop.queues.get('orders.preview')?.durable, false);
    assert.equal(shop.queues.get('legacy.inbox')?.autoDelete, true);
  } finally {
    await b.close();
  }
});

test('imported objects route as in RabbitMQ; users log in with their sha256/sha512/md5 passwords and get exactly their permissions', { timeout: 60_000 }, async () => {
  await withImported(FILE, checkBehaviour);
});

test('exporting gives the file back (modulo ordering, version fields and the ignored sections)', { timeout: 30_000 }, async () => {
  await withImported(FILE, async (b) => {
    const exported = exportDefinitions(b.broker);
    assert.equal(exported.rabbit_version, '3.10.8');
    assert.equal(exported.product_name, 'Warren');
    assert.deepEqual(normalForm({ ...exported }), normalForm(FILE));
    // Tags always come back as lists; a vhost's description and tags under metadata.
    assert.deepEqual(exported.users.find((u) => u.name === 'legacy-app')?.tags, ['monitoring']);
    assert.deepEqual(exported.vhosts.find((v) => v.name === 'analytics'), { name: 'analytics', limits: [], metadata: { description: 'Reporting jobs', tags: ['batch'] } });
    // The export imports again into a fresh broker and exports the same.
    await withImported(JSON.parse(JSON.stringify(exported)), (other) => {
      assert.deepEqual(normalForm({ ...exportDefinitions(other.broker) }), normalForm(FILE));
    });
  });
});

test('an import is durable: after a restart everything but the transient queue is there and works', { timeout: 60_000 }, async () => {
  await afterRestart(FILE, async (b) => {
    const expected = without(FILE, 'queues', (q) => q['name'] === 'orders.preview');
    assert.deepEqual(normalForm({ ...exportDefinitions(b.broker) }), normalForm(expected));
    const shop = b.broker.vhosts.get('shop');
    assert.equal(shop?.queues.has('orders.preview'), false);
    // Declared again (as its application would) so that the probes find every queue.
    shop?.declareQueue({ name: 'orders.preview', passive: false, durable: false, exclusive: false, autoDelete: false, arguments: new Map() }, {});
    await checkBehaviour(b);
  });
});
