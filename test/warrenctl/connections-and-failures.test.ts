/**
 * warrenctl against an in-process Warren: over the management socket and over --url with basic
 * auth; authenticate_user both ways; and the failures a user meets (no broker, a stale socket
 * file, a broker that does not answer, refused credentials, an unknown connection, a
 * definitions file the broker rejects), each with its exit status.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import amqp from 'amqplib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { RunningBroker } from '../../src/index.js';
import { startBroker } from '../../src/index.js';
import { runProcess } from './scenario-runner.js';
import type { CtlResult } from './scenario-runner.js';

const WARRENCTL = fileURLToPath(new URL('../../../bin/warrenctl', import.meta.url));

let dir = '';
let dataDir = '';
let broker: RunningBroker;
let managementUrl = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wctl-'));
  dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  broker = await startBroker({ port: 0, managementPort: 0, dataDir, fsync: false });
  managementUrl = broker.managementUrl ?? assert.fail('no managementUrl');
});

after(async () => {
  await broker.close();
  rmSync(dir, { recursive: true, force: true });
});

function warrenctl(args: readonly string[], env: Record<string, string> = {}, stdin?: string): Promise<CtlResult> {
  return runProcess(process.execPath, [WARRENCTL, ...args], stdin, { ...process.env, WARREN_DATA_DIR: dataDir, ...env }, 20_000);
}

function withCredentials(user: string, password: string): string {
  const url = new URL(managementUrl);
  url.username = user;
  url.password = password;
  return url.href;
}

test('--url with the right credentials prints what the socket prints', async () => {
  const viaSocket = await warrenctl(['list_users']);
  const viaUrl = await warrenctl(['--url', withCredentials('guest', 'guest'), 'list_users']);
  assert.equal(viaSocket.exit, 0);
  assert.deepEqual(viaUrl, viaSocket);
  assert.equal(viaSocket.stdout, 'Listing users ...\nuser\ttags\nguest\t[administrator]\n');
});

test('--url with wrong credentials: exit 69, no banner, and why', async () => {
  const r = await warrenctl(['--url', withCredentials('guest', 'nope'), 'list_users']);
  assert.equal(r.exit, 69);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /refused the credentials given with --url \(Login failed\)/);
});

test('authenticate_user: over the socket (an AMQP login) and over --url (whoami), with and without a management tag', async () => {
  assert.equal((await warrenctl(['add_user', 'plain', 'pw'])).exit, 0);
  for (const via of [[], ['--url', withCredentials('guest', 'guest')]]) {
    for (const [user, password, exit] of [
      ['plain', 'pw', 0],
      ['plain', 'bad', 65],
      ['guest', 'guest', 0],
      ['nobody', 'pw', 65],
    ] as const) {
      const r = await warrenctl([...via, 'authenticate_user', user, password]);
      assert.equal(r.exit, exit, `${via.length === 0 ? 'socket' : 'url'} ${user}/${password}: ${r.stderr}`);
      if (exit === 0) assert.equal(r.stdout, `Authenticating user "${user}" ...\nSuccess\n`);
      else assert.equal(r.stderr, `Error:\nError: failed to authenticate user "${user}"\nuser '${user}' - invalid credentials\n`);
    }
  }
  assert.equal((await warrenctl(['clear_password', 'plain'])).exit, 0);
  assert.equal((await warrenctl(['authenticate_user', 'plain', 'pw'])).exit, 65);
  assert.equal((await warrenctl(['authenticate_user', 'plain'], {}, 'pw\n')).exit, 65);
  assert.equal((await warrenctl(['change_password', 'plain', 'new'])).exit, 0);
  assert.equal((await warrenctl(['authenticate_user', 'plain'], {}, 'new\n')).exit, 0, 'the password read from stdin');
  assert.equal((await warrenctl(['delete_user', 'plain'])).exit, 0);
});

test('add_user takes the password from stdin when it is left out', async () => {
  const r = await warrenctl(['add_user', 'piped'], {}, 'secret\n');
  assert.equal(r.exit, 0, r.stderr);
  assert.equal((await warrenctl(['authenticate_user', 'piped', 'secret'])).exit, 0);
  assert.equal((await warrenctl(['delete_user', 'piped'])).exit, 0);
});

test('no broker at the data directory: exit 69, no banner, a hint about --data-dir', async () => {
  const r = await warrenctl(['list_queues'], { WARREN_DATA_DIR: join(dir, 'elsewhere') });
  assert.equal(r.exit, 69);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^Error: unable to perform an operation on the broker at .*elsewhere\/management\.sock: no management socket there/);
  assert.match(r.stderr, /--data-dir, then \$WARREN_DATA_DIR, then \.\/warren-data/);
});

test('a stale socket file, and a closed TCP port: exit 69', async () => {
  const stale = join(dir, 'stale');
  mkdirSync(stale);
  writeFileSync(join(stale, 'management.sock'), '');
  const r = await warrenctl(['list_users'], { WARREN_DATA_DIR: stale });
  assert.equal(r.exit, 69, r.stderr);
  const closed = await warrenctl(['--url', 'http://guest:guest@127.0.0.1:1', 'list_users']);
  assert.equal(closed.exit, 69);
  assert.match(closed.stderr, /connection refused/);
});

test('a broker that does not answer: exit 69 after --timeout', async () => {
  const silent = join(dir, 'silent');
  mkdirSync(silent);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => sockets.add(s));
  await new Promise<void>((resolve) => server.listen(join(silent, 'management.sock'), resolve));
  try {
    const started = Date.now();
    const r = await warrenctl(['list_users', '-t', '1'], { WARREN_DATA_DIR: silent });
    assert.equal(r.exit, 69);
    assert.match(r.stderr, /no answer within 1 s/);
    assert.ok(Date.now() - started < 10_000);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('close_connection of a name that is not a connection: exit 69', async () => {
  const r = await warrenctl(['close_connection', '127.0.0.1:1 -> 127.0.0.1:2', 'bye']);
  assert.equal(r.exit, 69);
  assert.equal(r.stdout, 'Closing connection 127.0.0.1:1 -> 127.0.0.1:2, reason: bye...\n');
  assert.equal(r.stderr, "Error:\nno connection named '127.0.0.1:1 -> 127.0.0.1:2' (see list_connections pid)\n");
});

test('import_definitions of a file the broker rejects: exit 69 with its reason, nothing imported', async () => {
  const file = join(dir, 'bad-definitions.json');
  writeFileSync(file, JSON.stringify({ users: [{ name: 'half' }] }));
  const r = await warrenctl(['import_definitions', file]);
  assert.equal(r.exit, 69);
  assert.match(r.stderr, /^Error:\n.+/);
  assert.doesNotMatch((await warrenctl(['list_users', '-q'])).stdout, /half/);
});

test('export then import through stdout and stdin', async () => {
  assert.equal((await warrenctl(['add_vhost', 'roundtrip'])).exit, 0);
  const exported = await warrenctl(['export_definitions', '-']);
  assert.equal(exported.exit, 0);
  assert.equal((await warrenctl(['delete_vhost', 'roundtrip'])).exit, 0);
  const imported = await warrenctl(['import_definitions', '-q'], {}, exported.stdout);
  assert.equal(imported.exit, 0, imported.stderr);
  assert.match((await warrenctl(['list_vhosts', '-q'])).stdout, /^roundtrip$/m);
  assert.equal((await warrenctl(['delete_vhost', 'roundtrip'])).exit, 0);
});

test('delete_queue with both conditions says both, as rabbitmqctl 3.10.8 does', async () => {
  const connection = await amqp.connect(broker.url);
  try {
    const channel = await connection.createChannel();
    await channel.assertQueue('both-conditions', { durable: false });
  } finally {
    await connection.close();
  }
  const r = await warrenctl(['delete_queue', 'both-conditions', '--if-empty', '--if-unused']);
  assert.equal(r.exit, 0, r.stderr);
  assert.equal(r.stdout, "Deleting queue 'both-conditions' on vhost '/' if queue is empty and if queue is unused ...\nQueue was successfully deleted with 0 ready messages\n");
});

test('a password read from stdin is prompted for, as rabbitmqctl does', async () => {
  const r = await warrenctl(['authenticate_user', 'guest'], {}, 'guest\n');
  assert.equal(r.exit, 0, r.stderr);
  assert.equal(r.stdout, 'Authenticating user "guest" ...\nPassword: \nSuccess\n');
});
