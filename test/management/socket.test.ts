/**
 * With a data directory the API is also served, without login and as an administrator, on
 * `<dataDir>/management.sock` (owner-only), for warrenctl; a stale socket file is replaced at
 * start and the socket removed at close.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker } from '../../src/index.js';

function socketRequest(socketPath: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request({ socketPath, method, path, headers: payload === undefined ? {} : { 'content-type': 'application/json' }, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, json: text === '' ? undefined : (JSON.parse(text) as unknown) });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(payload);
  });
}

test('the UNIX socket serves the API without login, mode 0600, and goes away at close', { timeout: 20_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warren-mgmt-'));
  const sock = join(dir, 'management.sock');
  writeFileSync(sock, 'stale');
  try {
    // No management port: the socket is served all the same.
    const broker = await startBroker({ port: 0, dataDir: dir, bind: ['127.0.0.1'] });
    try {
      const st = statSync(sock);
      assert.ok(st.isSocket(), 'the stale file was replaced by the socket');
      assert.equal(st.mode & 0o777, 0o600);
      assert.equal(broker.managementUrl, undefined);
      const who = await socketRequest(sock, 'GET', '/api/whoami');
      assert.deepEqual(who, { status: 200, json: { name: 'warrenctl', tags: ['administrator'] } });
      assert.equal((await socketRequest(sock, 'PUT', '/api/vhosts/s-vhost', { description: 'via socket' })).status, 201);
      assert.equal(broker.broker.vhosts.get('s-vhost')?.description, 'via socket');
      assert.equal((await socketRequest(sock, 'PUT', '/api/queues/s-vhost/s-q', { durable: true })).status, 201);
      const users = await socketRequest(sock, 'GET', '/api/users');
      assert.equal(users.status, 200);
      // Administrator without permissions anywhere: still may publish and get, as the CLI does.
      const routed = await socketRequest(sock, 'POST', '/api/exchanges/s-vhost/amq.default/publish', { routing_key: 's-q', payload: 'hi', payload_encoding: 'string', properties: {} });
      assert.deepEqual(routed.json, { routed: true });
      const got = await socketRequest(sock, 'POST', '/api/queues/s-vhost/s-q/get', { count: 1, ackmode: 'ack_requeue_false', encoding: 'auto' });
      assert.equal((got.json as { payload: string }[])[0]?.payload, 'hi');
    } finally {
      await broker.close();
    }
    assert.equal(existsSync(sock), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('with a data directory and a management port both are served', { timeout: 20_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warren-mgmt-'));
  try {
    const broker = await startBroker({ port: 0, managementPort: 0, dataDir: dir, bind: ['127.0.0.1'] });
    try {
      assert.ok(broker.managementUrl !== undefined);
      const res = await fetch(`${broker.managementUrl}/api/overview`, { headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` }, signal: AbortSignal.timeout(5000) });
      assert.equal(res.status, 200);
      assert.equal((await socketRequest(join(dir, 'management.sock'), 'GET', '/api/overview')).status, 200);
    } finally {
      await broker.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
