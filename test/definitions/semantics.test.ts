/**
 * Import semantics checked against RabbitMQ 3.10.8 (POST /api/definitions and rabbitmqctl
 * import_definitions on a reference node): what happens to existing objects, reserved names,
 * bindings with missing ends, the shapes of tags and users, per-vhost imports, the importing
 * user's permissions on new vhosts, and how JSON becomes AMQP field values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportDefinitions, importDefinitions } from '../../src/management/definitions-format.js';
import { fixture, login, start, withImported } from './helpers.js';

const FILE = fixture('handwritten.json');
const q = (name: string, o: Record<string, unknown> = {}) => ({ name, vhost: 'shop', durable: true, auto_delete: false, arguments: {}, ...o });
const x = (name: string, o: Record<string, unknown> = {}) => ({ name, vhost: 'shop', type: 'direct', durable: true, auto_delete: false, internal: false, arguments: {}, ...o });

test('existing exchanges and queues are kept as they are, even when the file differs or would be invalid for a new one', { timeout: 10_000 }, async () => {
  await withImported(FILE, (b) => {
    const shop = b.broker.vhosts.get('shop')!;
    const before = shop.queues.get('orders.new');
    const summary = importDefinitions(b.broker, {
      exchanges: [x('orders', { type: 'x-unknown' }), x('payments')],
      queues: [q('orders.new', { arguments: { 'x-message-ttl': 'not a number' } }), q('orders.all', { arguments: { 'x-max-priority': 10 } })],
    });
    assert.equal(shop.queues.get('orders.new'), before);
    assert.equal(shop.exchanges.get('orders')?.type, 'topic');
    assert.deepEqual([summary.exchanges, summary.queues], [0, 0]);
    // Only the ones that differ are mentioned.
    assert.deepEqual(summary.warnings, [
      "exchanges[0] 'orders': kept the existing exchange 'orders' in vhost 'shop', which differs from the file (RabbitMQ keeps existing objects)",
      "queues[0] 'orders.new': kept the existing queue 'orders.new' in vhost 'shop', which differs from the file (RabbitMQ keeps existing objects)",
    ]);
  });
});

test('users, permissions and vhost metadata in the file replace the existing ones', { timeout: 20_000 }, async () => {
  await withImported(FILE, async (b) => {
    importDefinitions(b.broker, {
      users: [{ name: 'admin', password: 'new-admin-pass', tags: 'management' }],
      vhosts: [{ name: 'shop' }],
      permissions: [{ user: 'admin', vhost: 'shop', configure: '', write: '', read: '.*' }],
    });
    assert.deepEqual(b.broker.users.get('admin')?.tags, ['management']);
    assert.equal(await login(b.port, 'admin', 'admin-pass', 'shop'), 'bad-login');
    assert.equal(await login(b.port, 'admin', 'new-admin-pass', 'shop'), 'ok');
    assert.deepEqual(b.broker.users.listPermissions({ user: 'admin', vhost: 'shop' }), [{ user: 'admin', vhost: 'shop', configure: '', write: '', read: '.*' }]);
    // A vhost entry without metadata clears it, as in RabbitMQ.
    assert.equal(b.broker.vhosts.get('shop')?.description, '');
    assert.deepEqual(b.broker.vhosts.get('shop')?.tags, []);
  });
});

test('reserved names are skipped, and so are bindings whose ends are missing', { timeout: 10_000 }, async () => {
  await withImported(FILE, (b) => {
    const summary = importDefinitions(b.broker, {
      exchanges: [x(''), x('amq.custom')],
      queues: [q('amq.custom')],
      bindings: [
        { source: 'orders', vhost: 'shop', destination: 'missing-q', destination_type: 'queue', routing_key: 'k', arguments: {} },
        { source: 'missing-x', vhost: 'shop', destination: 'orders.all', destination_type: 'queue', routing_key: 'k', arguments: {} },
        { source: '', vhost: 'shop', destination: 'orders.all', destination_type: 'queue', routing_key: 'k', arguments: {} },
        { source: 'orders', vhost: 'shop', destination: 'orders.all', destination_type: 'exchange', routing_key: 'k', arguments: {} },
      ],
    });
    const shop = b.broker.vhosts.get('shop')!;
    assert.equal(shop.exchanges.has('amq.custom'), false);
    assert.equal(shop.queues.has('amq.custom'), false);
    assert.deepEqual([summary.exchanges, summary.queues, summary.bindings], [0, 0, 0]);
    assert.equal(summary.warnings.length, 7);
    assert.match(summary.warnings[0] ?? '', /^exchanges\[0\] '': skipped, the default exchange and amq\.\* names are reserved$/);
    assert.match(summary.warnings[2] ?? '', /^queues\[0\] 'amq.custom': skipped, queue names starting with 'amq\.' are reserved$/);
    assert.match(summary.warnings[3] ?? '', /^bindings\[0\] 'orders' → 'missing-q': skipped, its destination queue 'missing-q' in vhost 'shop' does not exist/);
    assert.match(summary.warnings[4] ?? '', /^bindings\[1\] 'missing-x' → 'orders.all': skipped, its source exchange 'missing-x' in vhost 'shop' does not exist/);
    assert.match(summary.warnings[6] ?? '', /its destination exchange 'orders.all' in vhost 'shop' does not exist/);
  });
});

test("users: tags as a list or a comma string, a plain 'password', the hash of the file's era when hashing_algorithm is missing", { timeout: 20_000 }, async () => {
  const b = await start();
  try {
    const users = b.broker.users;
    importDefinitions(b.broker, {
      users: [
        { name: 'a', password: 'pa', tags: ' management , monitoring ,,' },
        { name: 'b', password_hash: '', tags: '' },
        { name: 'c', password_hash: 'ykAcDpP5DFGsBXKdP4fcR5p/XfI=', tags: [' administrator'] },
      ],
      permissions: [{ user: 'a', vhost: '/', configure: '.*', write: '.*', read: '.*' }],
    });
    assert.deepEqual(users.get('a')?.tags, ['management', 'monitoring']);
    assert.equal(users.get('a')?.hashingAlgorithm, 'rabbit_password_hashing_sha256');
    assert.equal(await login(b.port, 'a', 'pa', '/'), 'ok');
    assert.deepEqual(users.get('b')?.tags, []);
    assert.deepEqual(users.get('c')?.tags, ['administrator']);
    assert.equal(users.get('c')?.hashingAlgorithm, 'rabbit_password_hashing_sha256');
    // Files of RabbitMQ before 3.6.0 hashed with MD5 and had no hashing_algorithm field.
    importDefinitions(b.broker, { rabbit_version: '3.5.7', users: [{ name: 'carol', password_hash: 'ykAcDpP5DFGsBXKdP4fcR5p/XfI=', tags: '' }], permissions: [{ user: 'carol', vhost: '/', configure: '', write: '', read: '' }] });
    assert.equal(users.get('carol')?.hashingAlgorithm, 'rabbit_password_hashing_md5');
    assert.equal(await login(b.port, 'carol', 'carol-pass', '/'), 'ok');
  } finally {
    await b.close();
  }
});

test('a per-vhost import puts every object into the target vhost and ignores users, vhosts and permissions', { timeout: 10_000 }, async () => {
  const b = await start();
  try {
    b.broker.addVhost('target');
    const summary = importDefinitions(b.broker, {
      users: [{ name: 'intruder', password: 'x', tags: [] }],
      vhosts: [{ name: 'elsewhere' }],
      queues: [q('jobs', { vhost: 'elsewhere' })],
      exchanges: [{ name: 'jobs-x', type: 'fanout', durable: true, auto_delete: false, arguments: {} }],
      bindings: [{ source: 'jobs-x', destination: 'jobs', destination_type: 'queue', routing_key: '', arguments: {} }],
    }, 'target');
    assert.equal(b.broker.users.get('intruder'), undefined);
    assert.equal(b.broker.vhosts.has('elsewhere'), false);
    assert.deepEqual(summary.warnings, [
      'ignored 1 users: an import into one vhost reads only its queues, exchanges, bindings, policies and parameters (as RabbitMQ does)',
      'ignored 1 vhosts: an import into one vhost reads only its queues, exchanges, bindings, policies and parameters (as RabbitMQ does)',
    ]);
    assert.deepEqual(exportDefinitions(b.broker, 'target').bindings, [{ source: 'jobs-x', destination: 'jobs', destination_type: 'queue', routing_key: '', arguments: {} }]);
  } finally {
    await b.close();
  }
});

test("the importing user gets full permissions on the vhosts the import creates, as with RabbitMQ's HTTP API", { timeout: 10_000 }, async () => {
  const b = await start();
  try {
    b.broker.addVhost('existing');
    importDefinitions(b.broker, {
      vhosts: [{ name: 'new-a' }, { name: 'new-b' }, { name: 'existing' }],
      permissions: [{ user: 'guest', vhost: 'new-b', configure: '', write: '', read: '.*' }],
    }, undefined, { actingUser: 'guest' });
    const perms = (vhost: string) => b.broker.users.listPermissions({ user: 'guest', vhost }).map((p) => [p.configure, p.write, p.read]);
    assert.deepEqual(perms('new-a'), [['.*', '.*', '.*']]);
    assert.deepEqual(perms('new-b'), [['', '', '.*']]); // the file's permission wins
    assert.deepEqual(perms('existing'), []);
    // rabbitmqctl import_definitions acts as an internal user: nobody gets permissions.
    importDefinitions(b.broker, { vhosts: [{ name: 'new-c' }] });
    assert.deepEqual(perms('new-c'), []);
  } finally {
    await b.close();
  }
});

test('JSON values become the field types RabbitMQ gives them, and export back unchanged', { timeout: 10_000 }, async () => {
  const b = await start();
  try {
    const args = { 'x-int': 60000, 'x-neg': -5, 'x-big': 2 ** 40, 'x-float': 1.5, 'x-str': 's', 'x-bool': true, 'x-list': [1, 'two', false], 'x-obj': { k: 1, nested: { s: 'v' } } };
    importDefinitions(b.broker, { queues: [{ name: 'typed', vhost: '/', durable: true, auto_delete: false, arguments: args }] });
    const t = b.broker.vhosts.get('/')?.queues.get('typed')?.arguments;
    assert.deepEqual(t?.get('x-int'), { type: 'l', value: 60000n });
    assert.deepEqual(t?.get('x-neg'), { type: 'l', value: -5n });
    assert.deepEqual(t?.get('x-float'), { type: 'd', value: 1.5 });
    assert.deepEqual(t?.get('x-str'), { type: 'S', value: 's' });
    assert.deepEqual(t?.get('x-bool'), { type: 't', value: true });
    assert.deepEqual(t?.get('x-list'), { type: 'A', value: [{ type: 'l', value: 1n }, { type: 'S', value: 'two' }, { type: 't', value: false }] });
    assert.equal(t?.get('x-obj')?.type, 'F');
    assert.deepEqual(exportDefinitions(b.broker).queues.find((e) => e.name === 'typed')?.arguments, args);
    // Old exports wrote empty arguments as [].
    importDefinitions(b.broker, { queues: [{ name: 'old', vhost: '/', durable: true, auto_delete: false, arguments: [] }] });
    assert.equal(b.broker.vhosts.get('/')?.queues.get('old')?.arguments.size, 0);
  } finally {
    await b.close();
  }
});

test('an empty file changes nothing; unknown keys are ignored', { timeout: 10_000 }, async () => {
  await withImported(FILE, (b) => {
    const before = JSON.stringify(exportDefinitions(b.broker));
    const summary = importDefinitions(b.broker, { rabbit_version: '3.10.8', something_new: [1], queues: [] });
    assert.deepEqual(summary, { vhosts: 0, users: 0, permissions: 0, exchanges: 0, queues: 0, bindings: 0, ignored: { policies: 0, parameters: 0, global_parameters: 0, topic_permissions: 0 }, warnings: [] });
    assert.equal(JSON.stringify(exportDefinitions(b.broker)), before);
    importDefinitions(b.broker, { queues: [q('orders.all', { arguments: { 'x-max-priority': 10 }, unknown_field: true })] });
    assert.equal(JSON.stringify(exportDefinitions(b.broker)), before);
  });
});
