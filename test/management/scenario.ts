/**
 * One scripted session against a management API, run both against the reference RabbitMQ (to
 * record the fixtures in fixtures/) and against Warren (to compare with them): it creates users,
 * a vhost, queues, exchanges and bindings, makes AMQP traffic, then records the answers to the
 * read endpoints, to writes, to errors and to unauthorised callers.
 */
import amqp from 'amqplib';
import type { ChannelModel } from 'amqplib';
import { ApiClient, list, obj, seg, type ApiResponse, type Credentials } from './http.js';
import { withTimeout } from '../support/wait.js';

export interface Target {
  /** e.g. http://127.0.0.1:15672 */
  readonly mgmtUrl: string;
  /** e.g. amqp://guest:guest@127.0.0.1:5672 */
  readonly amqpUrl: string;
  /** Waits for statistics, as RabbitMQ's lag behind (Warren's do not). */
  readonly statsTimeoutMs: number;
}

/** A recorded response: what the fixtures hold. */
export interface Recorded {
  readonly request: { readonly method: string; readonly path: string; readonly user: string | null; readonly body?: unknown };
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

const PASS = 'fx-pass';
export const USERS = {
  mgmt: { user: 'fx-mgmt', password: PASS },
  mon: { user: 'fx-mon', password: PASS },
  none: { user: 'fx-none', password: PASS },
} as const;

const KEPT_HEADERS = ['content-type', 'location', 'www-authenticate', 'allow'];

function record(method: string, path: string, user: Credentials | null, body: unknown, res: ApiResponse): Recorded {
  const headers: Record<string, string> = {};
  for (const h of KEPT_HEADERS) {
    const v = res.headers.get(h);
    if (v !== null) headers[h] = v;
  }
  return {
    request: { method, path, user: user?.user ?? null, ...(body !== undefined ? { body } : {}) },
    status: res.status,
    headers,
    body: res.json ?? (res.text === '' ? null : res.text),
  };
}

class Recorder {
  readonly results = new Map<string, Recorded>();
  constructor(readonly api: ApiClient) {}

  async call(name: string, method: string, path: string, options: { user?: Credentials | null; body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Recorded> {
    const auth = options.user === undefined ? this.api.credentials : options.user;
    const res = await this.api.request(method, path, {
      auth,
      ...(options.body !== undefined ? { body: options.body } : {}),
      ...(options.raw !== undefined ? { rawBody: options.raw } : {}),
      ...(options.headers !== undefined ? { headers: options.headers } : {}),
    });
    const r = record(method, path, auth, options.body ?? options.raw, res);
    this.results.set(name, r);
    return r;
  }
}

async function must(res: Promise<ApiResponse>, what: string): Promise<void> {
  const r = await res;
  if (r.status >= 300) throw new Error(`${what}: ${r.status} ${r.text}`);
}

async function poll(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`statistics did not show ${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function setUp(api: ApiClient): Promise<void> {
  await must(api.put('/api/vhosts/fx-vhost', { description: 'fixture vhost', tags: 'fx,test' }), 'vhost');
  await must(api.put('/api/users/fx-mgmt', { password: PASS, tags: 'management' }), 'user');
  await must(api.put('/api/users/fx-mon', { password: PASS, tags: ['monitoring'] }), 'user');
  await must(api.put('/api/users/fx-none', { password: PASS, tags: '' }), 'user');
  await must(api.put('/api/permissions/%2F/fx-mgmt', { configure: '^fx-m', write: '^fx-m', read: '^fx-m' }), 'permission');
  await must(api.put('/api/queues/%2F/fx-q', { durable: true, arguments: { 'x-max-length': 100 } }), 'queue');
  await must(api.put('/api/queues/%2F/fx-get', { durable: false }), 'queue');
  await must(api.put('/api/exchanges/%2F/fx-x', { type: 'topic', durable: true }), 'exchange');
  await must(api.put('/api/exchanges/%2F/fx-x2', { type: 'fanout', durable: false }), 'exchange');
  await must(api.post('/api/bindings/%2F/e/fx-x/q/fx-q', { routing_key: 'a.#', arguments: { foo: 'bar' } }), 'binding');
  await must(api.post('/api/bindings/%2F/e/fx-x/e/fx-x2', { routing_key: 'x.y' }), 'binding');
  for (let i = 0; i < 3; i++) {
    await must(api.post('/api/exchanges/%2F/amq.default/publish', { routing_key: 'fx-get', payload: `get ${i}`, payload_encoding: 'string', properties: { headers: { n: i } } }), 'publish');
  }
}

async function tearDown(api: ApiClient): Promise<void> {
  for (const path of ['/api/queues/%2F/fx-q', '/api/queues/%2F/fx-get', '/api/queues/%2F/fx-w', '/api/exchanges/%2F/fx-x', '/api/exchanges/%2F/fx-x2', '/api/exchanges/%2F/fx-wx',
    '/api/vhosts/fx-vhost', '/api/vhosts/fx-wvhost', '/api/users/fx-mgmt', '/api/users/fx-mon', '/api/users/fx-none', '/api/users/fx-wuser']) {
    await api.delete(path);
  }
}

/** AMQP traffic: 5 persistent messages through fx-x, held unacked by a consumer with prefetch. */
async function traffic(amqpUrl: string): Promise<ChannelModel> {
  const conn = await withTimeout(amqp.connect(amqpUrl), 10_000, 'AMQP connection');
  conn.on('error', () => {});
  const ch = await conn.createChannel();
  for (let i = 0; i < 5; i++) ch.publish('fx-x', 'a.b', Buffer.from(`hello ${i}`), { persistent: true, headers: { h: i } });
  const consumer = await conn.createConfirmChannel();
  await consumer.prefetch(2);
  await consumer.consume('fx-q', () => {}, { noAck: false, consumerTag: 'fx-ctag' });
  return conn;
}

async function waitForStatistics(api: ApiClient, timeoutMs: number): Promise<void> {
  await poll('queue deliveries', timeoutMs, async () => {
    const q = obj(await api.json('/api/queues/%2F/fx-q'));
    const stats = q['message_stats'] as Record<string, unknown> | undefined;
    return q['consumers'] === 1 && (stats?.['deliver_get'] as number | undefined ?? 0) >= 2 && (stats?.['publish'] as number | undefined ?? 0) >= 5;
  });
  await poll('the connection and its channels', timeoutMs, async () => {
    const conns = list(await api.json('/api/connections'));
    const chans = list(await api.json('/api/channels'));
    return conns.some((c) => c['channels'] === 2) && chans.length >= 2;
  });
  await poll('overview totals', timeoutMs, async () => {
    const o = obj(await api.json('/api/overview'));
    const totals = obj(o['object_totals']);
    const stats = obj(o['message_stats']);
    return totals['connections'] === 1 && (stats['publish'] as number | undefined ?? 0) >= 8 && o['queue_totals'] !== undefined && Object.keys(obj(o['queue_totals'])).length > 0;
  });
  await poll('exchange and vhost statistics', timeoutMs, async () => {
    const x = obj(await api.json('/api/exchanges/%2F/fx-x'));
    const v = obj(await api.json('/api/vhosts/%2F'));
    return x['message_stats'] !== undefined && v['message_stats'] !== undefined;
  });
}

async function readEndpoints(r: Recorder, node: string, connName: string, chanName: string): Promise<void> {
  const reads: [string, string][] = [
    ['overview', '/api/overview'],
    ['overview-ranged', '/api/overview?lengths_age=60&lengths_incr=5&msg_rates_age=60&msg_rates_incr=5'],
    ['overview-columns', '/api/overview?columns=object_totals,queue_totals.messages'],
    ['cluster-name', '/api/cluster-name'],
    ['whoami', '/api/whoami'],
    ['nodes', '/api/nodes'],
    ['node', `/api/nodes/${seg(node)}`],
    ['connections', '/api/connections'],
    ['connection', `/api/connections/${seg(connName)}`],
    ['connection-channels', `/api/connections/${seg(connName)}/channels`],
    ['vhost-connections', '/api/vhosts/%2F/connections'],
    ['channels', '/api/channels'],
    ['channel', `/api/channels/${seg(chanName)}`],
    ['vhost-channels', '/api/vhosts/%2F/channels'],
    ['consumers', '/api/consumers'],
    ['consumers-vhost', '/api/consumers/%2F'],
    ['exchanges', '/api/exchanges'],
    ['exchanges-vhost', '/api/exchanges/%2F'],
    ['exchange', '/api/exchanges/%2F/fx-x'],
    ['exchange-default', '/api/exchanges/%2F/amq.default'],
    ['exchange-bindings-source', '/api/exchanges/%2F/fx-x/bindings/source'],
    ['exchange-bindings-destination', '/api/exchanges/%2F/fx-x2/bindings/destination'],
    ['queues', '/api/queues'],
    ['queues-vhost', '/api/queues/%2F'],
    ['queue', '/api/queues/%2F/fx-q'],
    ['queue-ranged', '/api/queues/%2F/fx-q?lengths_age=60&lengths_incr=5&msg_rates_age=60&msg_rates_incr=5'],
    ['queue-idle', '/api/queues/%2F/fx-get'],
    ['queue-bindings', '/api/queues/%2F/fx-q/bindings'],
    ['queues-page', '/api/queues/%2F?page=1&page_size=1&name=fx-&sort=name&sort_reverse=true'],
    ['queues-page-regex', '/api/queues?page=1&page_size=10&name=%5Efx-q%24&use_regex=true&columns=name,messages,message_stats.publish'],
    ['queues-page-beyond', '/api/queues/%2F?page=9&page_size=1&name=fx-'],
    ['queues-columns', '/api/queues/%2F?columns=name,durable,arguments'],
    ['bindings', '/api/bindings'],
    ['bindings-vhost', '/api/bindings/%2F'],
    ['bindings-e-q', '/api/bindings/%2F/e/fx-x/q/fx-q'],
    ['bindings-e-e', '/api/bindings/%2F/e/fx-x/e/fx-x2'],
    ['vhosts', '/api/vhosts'],
    ['vhost', '/api/vhosts/%2F'],
    ['vhost-fresh', '/api/vhosts/fx-vhost'],
    ['vhost-permissions', '/api/vhosts/%2F/permissions'],
    ['users', '/api/users'],
    ['user', '/api/users/fx-mgmt'],
    ['users-without-permissions', '/api/users/without-permissions'],
    ['user-permissions', '/api/users/fx-mgmt/permissions'],
    ['permissions', '/api/permissions'],
    ['permission', '/api/permissions/%2F/fx-mgmt'],
    ['aliveness-test', '/api/aliveness-test/%2F'],
    ['health-alarms', '/api/health/checks/alarms'],
    ['health-local-alarms', '/api/health/checks/local-alarms'],
    ['health-virtual-hosts', '/api/health/checks/virtual-hosts'],
    ['health-protocol-listener', '/api/health/checks/protocol-listener/amqp091'],
    ['health-protocol-listener-missing', '/api/health/checks/protocol-listener/stomp'],
    ['health-port-listener-missing', '/api/health/checks/port-listener/1'],
    ['health-port-listener-invalid', '/api/health/checks/port-listener/abc'],
    ['health-quorum-critical', '/api/health/checks/node-is-quorum-critical'],
  ];
  for (const [name, path] of reads) await r.call(name, 'GET', path);
}

async function writes(r: Recorder): Promise<void> {
  const q = '/api/queues/%2F/fx-w';
  await r.call('put-queue-created', 'PUT', q, { body: { durable: false, auto_delete: false, arguments: { 'x-message-ttl': 60000 } } });
  await r.call('put-queue-again', 'PUT', q, { body: { durable: false, auto_delete: false, arguments: { 'x-message-ttl': 60000 } } });
  await r.call('put-queue-inequivalent', 'PUT', q, { body: { durable: true } });
  await r.call('put-queue-not-json', 'PUT', q, { raw: 'not json' });
  await r.call('put-queue-not-boolean', 'PUT', q, { body: { durable: 'yes' } });
  await r.call('put-queue-reserved', 'PUT', '/api/queues/%2F/amq.fx', { body: {} });
  await r.call('put-queue-no-vhost', 'PUT', '/api/queues/fx-nothere/q', { body: {} });
  await r.call('publish-routed', 'POST', '/api/exchanges/%2F/amq.default/publish', { body: { routing_key: 'fx-w', payload: 'aGVsbG8=', payload_encoding: 'base64', properties: { content_type: 'text/plain', priority: 1, headers: { a: 'b' } } } });
  await r.call('publish-unrouted', 'POST', '/api/exchanges/%2F/fx-x/publish', { body: { routing_key: 'nowhere', payload: 'x', payload_encoding: 'string', properties: {} } });
  await r.call('publish-missing-properties', 'POST', '/api/exchanges/%2F/fx-x/publish', { body: { routing_key: 'x', payload: 'x', payload_encoding: 'string' } });
  await r.call('publish-no-exchange', 'POST', '/api/exchanges/%2F/fx-nothere/publish', { body: { routing_key: 'x', payload: 'x', payload_encoding: 'string', properties: {} } });
  await r.call('publish-bad-encoding', 'POST', '/api/exchanges/%2F/fx-x/publish', { body: { routing_key: 'x', payload: 'x', payload_encoding: 'rot13', properties: {} } });
  await r.call('get-requeue', 'POST', '/api/queues/%2F/fx-get/get', { body: { count: 2, ackmode: 'ack_requeue_true', encoding: 'auto', truncate: 50000 } });
  await r.call('get-reject-requeue-base64', 'POST', '/api/queues/%2F/fx-get/get', { body: { count: 1, ackmode: 'reject_requeue_true', encoding: 'base64' } });
  await r.call('get-ack-truncated', 'POST', '/api/queues/%2F/fx-w/get', { body: { count: 5, ackmode: 'ack_requeue_false', encoding: 'auto', truncate: 2 } });
  await r.call('get-missing-keys', 'POST', '/api/queues/%2F/fx-get/get', { body: { count: 1 } });
  await r.call('get-no-queue', 'POST', '/api/queues/%2F/fx-nothere/get', { body: { count: 1, ackmode: 'ack_requeue_true', encoding: 'auto' } });
  await r.call('purge', 'DELETE', '/api/queues/%2F/fx-get/contents');
  await r.call('purge-no-queue', 'DELETE', '/api/queues/%2F/fx-nothere/contents');
  await r.call('delete-queue', 'DELETE', q);
  await r.call('delete-queue-missing', 'DELETE', q);
  await r.call('put-exchange-bad-type', 'PUT', '/api/exchanges/%2F/fx-wx', { body: { type: 'bogus' } });
  await r.call('put-exchange-created', 'PUT', '/api/exchanges/%2F/fx-wx', { body: { type: 'direct', durable: false } });
  await r.call('put-exchange-inequivalent', 'PUT', '/api/exchanges/%2F/fx-wx', { body: { type: 'fanout' } });
  await r.call('delete-exchange-builtin', 'DELETE', '/api/exchanges/%2F/amq.direct');
  await r.call('post-binding', 'POST', '/api/bindings/%2F/e/fx-wx/q/fx-get', { body: { routing_key: 'k 1~', arguments: { n: 1 } } });
  await r.call('post-binding-no-exchange', 'POST', '/api/bindings/%2F/e/fx-nothere/q/fx-get', { body: {} });
  await r.call('post-binding-no-queue', 'POST', '/api/bindings/%2F/e/fx-wx/q/fx-nothere', { body: {} });
  await r.call('post-binding-plain', 'POST', '/api/bindings/%2F/e/fx-wx/q/fx-get', { body: { routing_key: 'plain' } });
  await r.call('get-binding-props', 'GET', '/api/bindings/%2F/e/fx-wx/q/fx-get/plain');
  await r.call('get-binding-props-missing', 'GET', '/api/bindings/%2F/e/fx-wx/q/fx-get/nothere');
  await r.call('delete-binding-props', 'DELETE', '/api/bindings/%2F/e/fx-wx/q/fx-get/plain');
  await r.call('delete-exchange', 'DELETE', '/api/exchanges/%2F/fx-wx');
  await r.call('delete-exchange-missing', 'DELETE', '/api/exchanges/%2F/fx-wx');
  await r.call('put-vhost-created', 'PUT', '/api/vhosts/fx-wvhost', { body: { description: 'd', tags: ['t'] } });
  await r.call('put-vhost-again', 'PUT', '/api/vhosts/fx-wvhost');
  await r.call('get-vhost-after-empty-put', 'GET', '/api/vhosts/fx-wvhost');
  await r.call('delete-vhost', 'DELETE', '/api/vhosts/fx-wvhost');
  await r.call('delete-vhost-missing', 'DELETE', '/api/vhosts/fx-wvhost');
  await r.call('put-user-created', 'PUT', '/api/users/fx-wuser', { body: { password: 'p', tags: 'management,monitoring' } });
  await r.call('put-user-again', 'PUT', '/api/users/fx-wuser', { body: { password_hash: 'kI3GCqW5JLMJa4iX1lo7X4D6XbYqlLgxIs30+P6tENUV2POR', hashing_algorithm: 'rabbit_password_hashing_sha256', tags: ['management'] } });
  await r.call('get-user-after-hash', 'GET', '/api/users/fx-wuser');
  await r.call('put-user-no-tags', 'PUT', '/api/users/fx-wuser', { body: { password: 'p' } });
  await r.call('put-user-bad-hash', 'PUT', '/api/users/fx-wuser', { body: { password_hash: 'not base64!', tags: '' } });
  await r.call('put-user-both', 'PUT', '/api/users/fx-wuser', { body: { password: 'p', password_hash: 'abcd', tags: '' } });
  await r.call('put-permission-created', 'PUT', '/api/permissions/%2F/fx-wuser', { body: { configure: '.*', write: '.*', read: '.*' } });
  await r.call('put-permission-again', 'PUT', '/api/permissions/%2F/fx-wuser', { body: { configure: '', write: '.*', read: '.*' } });
  await r.call('put-permission-missing-keys', 'PUT', '/api/permissions/%2F/fx-wuser', { body: { configure: '.*' } });
  await r.call('put-permission-no-user', 'PUT', '/api/permissions/%2F/fx-nobody', { body: { configure: '.*', write: '.*', read: '.*' } });
  await r.call('delete-permission', 'DELETE', '/api/permissions/%2F/fx-wuser');
  await r.call('delete-permission-missing', 'DELETE', '/api/permissions/%2F/fx-wuser');
  await r.call('get-permission-missing', 'GET', '/api/permissions/%2F/fx-wuser');
  await r.call('bulk-delete-missing', 'POST', '/api/users/bulk-delete', { body: { users: ['fx-nobody'] } });
  await r.call('bulk-delete-no-key', 'POST', '/api/users/bulk-delete', { body: {} });
  await r.call('delete-user', 'DELETE', '/api/users/fx-wuser');
  await r.call('delete-user-missing', 'DELETE', '/api/users/fx-wuser');
  await r.call('get-user-missing', 'GET', '/api/users/fx-wuser');
}

async function errors(r: Recorder): Promise<void> {
  await r.call('not-found-path', 'GET', '/api/fx-nothing');
  await r.call('not-found-queue', 'GET', '/api/queues/%2F/fx-nothere');
  await r.call('not-found-vhost', 'GET', '/api/queues/fx-nothere');
  await r.call('not-found-connection', 'GET', '/api/connections/fx-nothere');
  await r.call('method-not-allowed', 'POST', '/api/overview');
  await r.call('page-zero', 'GET', '/api/queues?page=0');
  await r.call('page-size-too-big', 'GET', '/api/queues?page=1&page_size=501');
  await r.call('page-not-a-number', 'GET', '/api/queues?page=x');
  await r.call('page-bad-regex', 'GET', '/api/queues?page=1&name=(&use_regex=true');
  await r.call('definitions-no-vhost', 'GET', '/api/definitions/fx-nothere');
}

async function authorisation(r: Recorder): Promise<void> {
  await r.call('auth-none', 'GET', '/api/overview', { user: null });
  await r.call('auth-wrong-password', 'GET', '/api/overview', { user: { user: 'guest', password: 'wrong' } });
  await r.call('auth-unknown-user', 'GET', '/api/overview', { user: { user: 'fx-nobody', password: 'x' } });
  await r.call('auth-no-tags', 'GET', '/api/overview', { user: USERS.none });
  await r.call('auth-mgmt-overview', 'GET', '/api/overview?columns=object_totals', { user: USERS.mgmt });
  await r.call('auth-mgmt-users', 'GET', '/api/users', { user: USERS.mgmt });
  await r.call('auth-mgmt-nodes', 'GET', '/api/nodes', { user: USERS.mgmt });
  await r.call('auth-mgmt-vhost-denied', 'GET', '/api/queues/fx-vhost', { user: USERS.mgmt });
  await r.call('auth-mgmt-vhost-get', 'GET', '/api/vhosts/%2F', { user: USERS.mgmt });
  await r.call('auth-mgmt-vhosts', 'GET', '/api/vhosts?columns=name', { user: USERS.mgmt });
  await r.call('auth-mgmt-connections', 'GET', '/api/connections', { user: USERS.mgmt });
  await r.call('auth-mgmt-consumers-denied-vhost', 'GET', '/api/consumers/fx-vhost', { user: USERS.mgmt });
  await r.call('auth-mgmt-definitions', 'GET', '/api/definitions', { user: USERS.mgmt });
  await r.call('auth-mgmt-put-queue-denied', 'PUT', '/api/queues/%2F/fx-other', { user: USERS.mgmt, body: {} });
  await r.call('auth-mgmt-get-denied', 'POST', '/api/queues/%2F/fx-q/get', { user: USERS.mgmt, body: { count: 1, ackmode: 'ack_requeue_true', encoding: 'auto' } });
  await r.call('auth-mgmt-publish-denied', 'POST', '/api/exchanges/%2F/amq.default/publish', { user: USERS.mgmt, body: { routing_key: 'x', payload: 'x', payload_encoding: 'string', properties: {} } });
  await r.call('auth-mgmt-aliveness-denied', 'GET', '/api/aliveness-test/%2F', { user: USERS.mgmt });
  await r.call('auth-mon-nodes', 'GET', '/api/nodes?columns=name,running', { user: USERS.mon });
  await r.call('auth-mon-vhosts', 'GET', '/api/vhosts?columns=name', { user: USERS.mon });
  await r.call('auth-mon-queues-denied', 'GET', '/api/queues/%2F', { user: USERS.mon });
  await r.call('auth-mon-connections', 'GET', '/api/connections?columns=user,vhost', { user: USERS.mon });
}

/** Runs the whole scenario; the AMQP connection is closed through DELETE /api/connections/{name}. */
export async function runScenario(target: Target): Promise<Map<string, Recorded>> {
  const api = new ApiClient(target.mgmtUrl);
  const r = new Recorder(api);
  await tearDown(api);
  let conn: ChannelModel | null = null;
  try {
    await setUp(api);
    conn = await traffic(target.amqpUrl);
    await waitForStatistics(api, target.statsTimeoutMs);
    const node = String(obj(await api.json('/api/overview'))['node']);
    const connName = String(list(await api.json('/api/connections'))[0]?.['name']);
    const chanName = String(list(await api.json(`/api/connections/${seg(connName)}/channels`)).find((c) => c['consumer_count'] === 1)?.['name']);
    await readEndpoints(r, node, connName, chanName);
    await writes(r);
    await errors(r);
    await authorisation(r);
    const closed = new Promise<string>((resolve) => conn?.on('close', (err: unknown) => resolve(err instanceof Error ? err.message : String(err))));
    await r.call('delete-connection', 'DELETE', `/api/connections/${seg(connName)}`, { headers: { 'X-Reason': 'fixture reason' } });
    const message = await withTimeout(closed, 5000, 'the AMQP connection closed by the API');
    r.results.set('delete-connection-close', { request: { method: 'AMQP', path: 'connection.close', user: null }, status: 0, headers: {}, body: message });
    conn = null;
    await r.call('delete-connection-again', 'DELETE', `/api/connections/${seg(connName)}`);
  } finally {
    if (conn !== null) await conn.close().catch(() => {});
    await tearDown(api);
  }
  return r.results;
}
