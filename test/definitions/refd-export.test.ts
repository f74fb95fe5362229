/**
 * Files actually exported from RabbitMQ 3.10.8 (fixtures/refd-3.10.8-*.json, re-indented only)
 * after building a topology there: users made with the HTTP API (sha256) and imported with
 * sha512 and md5 hashes, vhosts with descriptions and tags, a vhost limit, permissions, a topic
 * permission, a policy, a cluster name, exchanges of every type (one internal, one auto-delete,
 * one transient, one with an alternate exchange), queues with x-arguments (a quorum one, a
 * transient one), queue and exchange-to-exchange bindings with arguments, one from amq.topic.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportDefinitions, importDefinitions } from '../../src/management/definitions-format.js';
import { afterRestart, checkProbes, fixture, normalForm, start, withImported, without } from './helpers.js';
import { REFD } from './probes.js';

const HTTP = fixture('refd-3.10.8-http.json');
const CTL = fixture('refd-3.10.8-rabbitmqctl.json');
const PER_VHOST = fixture('refd-3.10.8-http-vhost-prod.json');

const keysOf = (x: unknown): string[] => Object.keys(x as object);
const first = (defs: Record<string, unknown>, key: string): unknown => (defs[key] as unknown[])[0];

test('GET /api/definitions of RabbitMQ imports: objects route, users log in and get their permissions', { timeout: 60_000 }, async () => {
  const b = await start();
  try {
    const summary = importDefinitions(b.broker, HTTP);
    assert.deepEqual(summary, {
      vhosts: 3, users: 6, permissions: 8, exchanges: 8, queues: 10, bindings: 13,
      ignored: { policies: 1, parameters: 1, global_parameters: 2, topic_permissions: 1 },
      warnings: [],
    });
    await checkProbes(b.port, REFD);
  } finally {
    await b.close();
  }
});

test('Warren exports what RabbitMQ exported, in the same shape', { timeout: 30_000 }, async () => {
  await withImported(HTTP, (b) => {
    const exported = exportDefinitions(b.broker);
    assert.deepEqual(normalForm({ ...exported }), normalForm(HTTP));
    assert.deepEqual(keysOf(exported), keysOf(HTTP));
    for (const key of ['users', 'permissions', 'queues', 'exchanges', 'bindings']) {
      assert.deepEqual(keysOf(first({ ...exported }, key)), keysOf(first(HTTP, key)), `keys of ${key}`);
    }
    // Vhosts in rabbitmqctl's shape (3.10's HTTP export writes only their names).
    assert.deepEqual(keysOf(first({ ...exported }, 'vhosts')).sort(), keysOf(first(CTL, 'vhosts')).sort());
    // Transient queues and exchanges, internal and auto-delete exchanges are exported, as RabbitMQ does.
    assert.ok(exported.queues.some((q) => q.name === 'transient-q' && !q.durable));
    assert.ok(exported.exchanges.some((x) => x.name === 'internal-hub' && x.internal));
  });
});

test("rabbitmqctl's export imports; the bindings of the internal exchange it leaves out are skipped, its vhost limits ignored", { timeout: 30_000 }, async () => {
  const b = await start();
  try {
    const summary = importDefinitions(b.broker, CTL);
    assert.equal(summary.bindings, 11);
    assert.equal(summary.warnings.length, 3, summary.warnings.join('\n'));
    assert.match(summary.warnings[0] ?? '', /^vhosts\[2\] 'staging': limits are ignored/);
    assert.match(summary.warnings[1] ?? '', /bindings\[\d+\] 'internal-hub' → 'payments': skipped, its source exchange 'internal-hub' in vhost 'prod' does not exist/);
    assert.match(summary.warnings[2] ?? '', /bindings\[\d+\] 'orders' → 'internal-hub': skipped, its destination exchange 'internal-hub' in vhost 'prod' does not exist/);
    assert.equal(b.broker.vhosts.get('/')?.description, 'Default virtual host');
    assert.deepEqual(b.broker.vhosts.get('prod')?.tags, ['production', 'eu-west']);
    const expected = without(CTL, 'bindings', (x) => x['source'] === 'internal-hub' || x['destination'] === 'internal-hub');
    assert.deepEqual(normalForm({ ...exportDefinitions(b.broker) }), normalForm(expected));
  } finally {
    await b.close();
  }
});

test('the per-vhost export imports into another vhost and exports back in the per-vhost shape', { timeout: 30_000 }, async () => {
  const b = await start();
  try {
    b.broker.addVhost('prod-copy');
    const summary = importDefinitions(b.broker, PER_VHOST, 'prod-copy');
    assert.deepEqual([summary.exchanges, summary.queues, summary.bindings, summary.ignored.policies], [7, 8, 12, 1]);
    const exported = exportDefinitions(b.broker, 'prod-copy');
    assert.deepEqual(keysOf(exported), keysOf(PER_VHOST).filter((k) => k !== 'rabbitmq_version'));
    assert.deepEqual(normalForm({ ...exported }), { ...normalForm(PER_VHOST), users: [], vhosts: [], permissions: [] });
    assert.equal(b.broker.vhosts.get('prod-copy')?.queues.has('orders.created'), true);
    assert.equal(b.broker.vhosts.has('prod'), false);
  } finally {
    await b.close();
  }
});

test('after a restart the durable part of the import is there: transient queues, exchanges and their bindings are gone', { timeout: 30_000 }, async () => {
  await afterRestart(HTTP, async (b) => {
    let expected = without(HTTP, 'queues', (q) => q['durable'] === false);
    expected = without(expected, 'exchanges', (x) => x['durable'] === false);
    expected = without(expected, 'bindings', (x) => x['source'] === 'transient-x' || x['destination'] === 'transient-q');
    assert.deepEqual(normalForm({ ...exportDefinitions(b.broker) }), normalForm(expected));
    await checkProbes(b.port, { routes: [], logins: REFD.logins, permissions: [] });
  });
});
