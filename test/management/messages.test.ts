/**
 * Messages through the API: publish (properties, encodings, routing), get with each ack mode,
 * purge, and connections, channels and consumers as an AMQP client makes them, closed with
 * DELETE /api/connections/{name}.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import amqp from 'amqplib';
import { startManagedBroker, type ManagedBroker } from './support.js';
import { list, obj, seg } from './http.js';
import { withTimeout } from '../support/wait.js';

let b: ManagedBroker;
const T = { timeout: 15_000 };

before(async () => {
  b = await startManagedBroker();
});
after(() => b?.close());

const publish = (queue: string, payload: string, extra: Record<string, unknown> = {}) =>
  b.api.post('/api/exchanges/%2F/amq.default/publish', { routing_key: queue, payload, payload_encoding: 'string', properties: {}, ...extra });

const get = (queue: string, body: Record<string, unknown>) => b.api.post(`/api/queues/%2F/${seg(queue)}/get`, { encoding: 'auto', ...body });

test('a message published through the API reaches an AMQP consumer with its properties', T, async () => {
  await b.api.put('/api/queues/%2F/m-props', {});
  const res = await b.api.post('/api/exchanges/%2F/amq.default/publish', {
    routing_key: 'm-props',
    payload: Buffer.from([0, 1, 2, 255]).toString('base64'),
    payload_encoding: 'base64',
    properties: { content_type: 'application/octet-stream', delivery_mode: 2, priority: 4, correlation_id: 'c-1', headers: { a: 'b', n: 7, nested: { t: true } }, timestamp: 1700000000, message_id: 'id-1', app_id: 'tests' },
  });
  assert.deepEqual(res.json, { routed: true });
  const conn = await amqp.connect(b.amqpUrl);
  try {
    const ch = await conn.createChannel();
    const m = await ch.get('m-props', { noAck: true });
    assert.ok(m !== false);
    assert.deepEqual([...m.content], [0, 1, 2, 255]);
    assert.equal(m.properties.contentType, 'application/octet-stream');
    assert.equal(m.properties.deliveryMode, 2);
    assert.equal(m.properties.priority, 4);
    assert.equal(m.properties.correlationId, 'c-1');
    assert.equal(m.properties.messageId, 'id-1');
    assert.equal(m.properties.appId, 'tests');
    assert.equal(m.properties.timestamp, 1700000000);
    assert.deepEqual(m.properties.headers, { a: 'b', n: 7, nested: { t: true } });
  } finally {
    await conn.close();
  }
});

test('get with ack_requeue_true leaves the messages, marked redelivered, in order', T, async () => {
  await b.api.put('/api/queues/%2F/m-get', {});
  for (const p of ['one', 'two', 'three']) await publish('m-get', p, { properties: { headers: { p } } });
  const first = list((await get('m-get', { count: 2, ackmode: 'ack_requeue_true' })).json);
  assert.deepEqual(first.map((m) => [m['payload'], m['redelivered'], m['message_count'], m['payload_encoding']]), [
    ['one', false, 2, 'string'],
    ['two', false, 1, 'string'],
  ]);
  assert.deepEqual(obj(first[0]?.['properties']), { headers: { p: 'one' } });
  assert.equal(first[0]?.['payload_bytes'], 3);
  const again = list((await get('m-get', { count: 10, ackmode: 'ack_requeue_true' })).json);
  assert.deepEqual(again.map((m) => [m['payload'], m['redelivered']]), [['one', true], ['two', true], ['three', false]]);
  const q = obj(await b.api.json('/api/queues/%2F/m-get'));
  assert.deepEqual([q['messages'], q['messages_ready'], q['messages_unacknowledged']], [3, 3, 0]);
});

test('get with ack_requeue_false removes; reject_requeue_false dead-letters; truncate and base64', T, async () => {
  await b.api.put('/api/queues/%2F/m-dlq', {});
  await b.api.put('/api/queues/%2F/m-take', { arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'm-dlq' } });
  for (const p of ['abcdef', 'second', 'third']) await publish('m-take', p);
  const truncated = list((await get('m-take', { count: 1, ackmode: 'ack_requeue_false', truncate: 3 })).json);
  assert.deepEqual([truncated[0]?.['payload'], truncated[0]?.['payload_bytes']], ['abc', 6]);
  const b64 = list((await get('m-take', { count: 1, ackmode: 'reject_requeue_false', encoding: 'base64' })).json);
  assert.deepEqual([b64[0]?.['payload'], b64[0]?.['payload_encoding']], [Buffer.from('second').toString('base64'), 'base64']);
  assert.equal(obj(await b.api.json('/api/queues/%2F/m-take'))['messages'], 1);
  const dead = list((await get('m-dlq', { count: 1, ackmode: 'ack_requeue_false' })).json);
  assert.equal(dead[0]?.['payload'], 'second');
  assert.ok('x-death' in obj(obj(dead[0]?.['properties'])['headers']));
  // A payload that is not UTF-8 comes back in base64 with encoding auto.
  await publish('m-take', Buffer.from([0xff, 0xfe]).toString('base64'), { payload_encoding: 'base64' });
  const raw = list((await get('m-take', { count: 2, ackmode: 'ack_requeue_false' })).json);
  assert.deepEqual(raw.map((m) => m['payload_encoding']), ['string', 'base64']);
});

test('purge empties a queue; stats count what was published and delivered', T, async () => {
  await b.api.put('/api/queues/%2F/m-purge', {});
  for (let i = 0; i < 4; i++) await publish('m-purge', `p${i}`);
  await get('m-purge', { count: 1, ackmode: 'ack_requeue_false' });
  assert.equal((await b.api.delete('/api/queues/%2F/m-purge/contents')).status, 204);
  const q = obj(await b.api.json('/api/queues/%2F/m-purge'));
  assert.equal(q['messages'], 0);
  const stats = obj(q['message_stats']);
  assert.equal(stats['publish'], 4);
  assert.equal(stats['get_no_ack'], 1);
  assert.equal(stats['deliver_get'], 1);
});

test('connections, channels and consumers of an AMQP client; DELETE closes the connection with X-Reason', T, async () => {
  await b.api.put('/api/queues/%2F/m-consume', {});
  const connecting = Date.now();
  const conn = await amqp.connect(b.amqpUrl, { clientProperties: { connection_name: 'my app' } });
  conn.on('error', () => {});
  const closed = new Promise<string>((resolve) => conn.on('close', (err: unknown) => resolve(err instanceof Error ? err.message : String(err))));
  const ch = await conn.createChannel();
  await ch.prefetch(5);
  await ch.consume('m-consume', () => {}, { consumerTag: 'm-tag' });
  await conn.createConfirmChannel();
  const conns = list(await b.api.json('/api/connections'));
  assert.equal(conns.length, 1);
  const c = conns[0]!;
  assert.match(String(c['name']), /^127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+$/);
  assert.equal(c['channels'], 2);
  assert.equal(c['user'], 'guest');
  assert.equal(c['vhost'], '/');
  assert.equal(c['protocol'], 'AMQP 0-9-1');
  const connectedAt = c['connected_at'] as number;
  assert.ok(connectedAt >= connecting && connectedAt <= Date.now(), `connected_at ${connectedAt}`);
  assert.equal(obj(c['client_properties'])['connection_name'], 'my app');
  assert.ok((c['recv_oct'] as number) > 0 && (c['send_oct'] as number) > 0);
  const name = String(c['name']);
  const chans = list(await b.api.json(`/api/connections/${seg(name)}/channels`));
  assert.deepEqual(chans.map((x) => [x['number'], x['consumer_count'], x['prefetch_count'], x['confirm']]), [
    [1, 1, 5, false],
    [2, 0, 0, true],
  ]);
  assert.equal(chans[0]?.['name'], `${name} (1)`);
  const channel = obj(await b.api.json(`/api/channels/${seg(`${name} (1)`)}`));
  assert.deepEqual(list(channel['consumer_details']).map((x) => x['consumer_tag']), ['m-tag']);
  const consumers = list(await b.api.json('/api/consumers/%2F'));
  assert.deepEqual(consumers.map((x) => [x['consumer_tag'], obj(x['queue'])['name'], x['prefetch_count'], x['ack_required']]), [['m-tag', 'm-consume', 5, true]]);
  assert.equal(list(obj(await b.api.json('/api/queues/%2F/m-consume'))['consumer_details']).length, 1);
  assert.equal((await b.api.delete(`/api/connections/${seg(name)}`, { headers: { 'X-Reason': 'maintenance' } })).status, 204);
  assert.match(await withTimeout(closed, 5000, 'connection close'), /320.*CONNECTION_FORCED - maintenance/);
  assert.deepEqual(list(await b.api.json('/api/connections')), []);
});

test('publish errors come back as RabbitMQ words them', T, async () => {
  const missing = await b.api.post('/api/exchanges/%2F/m-nothere/publish', { routing_key: '', payload: '', payload_encoding: 'string', properties: {} });
  assert.deepEqual(missing.json, { error: 'bad_request', reason: "404 NOT_FOUND - no exchange 'm-nothere' in vhost '/'" });
  await b.api.put('/api/exchanges/%2F/m-internal', { type: 'fanout', internal: true });
  const internal = await b.api.post('/api/exchanges/%2F/m-internal/publish', { routing_key: '', payload: '', payload_encoding: 'string', properties: {} });
  assert.deepEqual(internal.json, { error: 'bad_request', reason: "403 ACCESS_REFUSED - cannot publish to internal exchange 'm-internal' in vhost '/'" });
  const noKeys = await b.api.post('/api/exchanges/%2F/amq.default/publish', { payload: '' });
  assert.deepEqual(noKeys.json, { error: 'bad_request', reason: '[{key_missing,routing_key},{key_missing,properties},{key_missing,payload_encoding}]' });
});
