/** Message rates from the statistics sampler: non-zero after traffic, and sample histories. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import amqp from 'amqplib';
import { startManagedBroker, type ManagedBroker } from './support.js';
import { obj } from './http.js';

let b: ManagedBroker;
const T = { timeout: 20_000 };

before(async () => {
  b = await startManagedBroker();
});
after(() => b?.close());

const rate = (o: unknown, key: string): number => obj(obj(o)[`${key}_details`])['rate'] as number;

test('rates are non-zero after traffic and fall back to zero when it stops', T, async () => {
  await b.api.put('/api/queues/%2F/r-q', {});
  const conn = await amqp.connect(b.amqpUrl);
  try {
    const ch = await conn.createChannel();
    // Rates need two samples of an object: one before the traffic.
    b.sample();
    for (let i = 0; i < 200; i++) ch.sendToQueue('r-q', Buffer.from('x'));
    await ch.get('r-q', { noAck: true });
    await new Promise((r) => setTimeout(r, 50));
    b.sample();
    const q = obj(await b.api.json('/api/queues/%2F/r-q'));
    assert.equal(obj(q['message_stats'])['publish'], 200);
    assert.ok(rate(q['message_stats'], 'publish') > 0, JSON.stringify(q['message_stats']));
    assert.ok(rate(q, 'messages') > 0);
    const overview = obj(await b.api.json('/api/overview'));
    assert.ok(rate(overview['message_stats'], 'publish') > 0);
    assert.ok(rate(overview['queue_totals'], 'messages') > 0);
    assert.ok(rate(obj(await b.api.json('/api/exchanges/%2F/amq.default'))['message_stats'], 'publish_in') > 0);
    assert.ok(rate(obj(await b.api.json('/api/vhosts/%2F'))['message_stats'], 'publish') > 0);
    const c = obj((await b.api.json('/api/connections') as unknown[])[0]);
    assert.ok(rate(c, 'recv_oct') > 0);
    b.sample();
    assert.equal(rate(obj(obj(await b.api.json('/api/queues/%2F/r-q'))['message_stats']), 'publish'), 0);
  } finally {
    await conn.close();
  }
});

test('?msg_rates_age and ?lengths_age give RabbitMQ\'s samples, newest first, aligned to the increment', T, async () => {
  await b.api.put('/api/queues/%2F/r-s', {});
  // Samples taken at chosen times: 0 messages ten seconds before the last 5 s boundary, 3 after.
  const boundary = Math.floor(Date.now() / 5000) * 5000;
  const stats = b.running.broker.management!.stats;
  stats.sample(boundary - 10_000);
  for (let i = 0; i < 3; i++) await b.api.post('/api/exchanges/%2F/amq.default/publish', { routing_key: 'r-s', payload: 'x', payload_encoding: 'string', properties: {} });
  stats.sample(boundary - 5_000);
  const q = obj(await b.api.json('/api/queues/%2F/r-s?lengths_age=60&lengths_incr=5&msg_rates_age=60&msg_rates_incr=5'));
  const messages = obj(q['messages_details']);
  assert.deepEqual(Object.keys(messages).sort(), ['avg', 'avg_rate', 'rate', 'samples']);
  const samples = messages['samples'] as { sample: number; timestamp: number }[];
  assert.equal(samples.length, 13);
  assert.equal(samples[0]!.timestamp % 5000, 0);
  assert.equal(samples[0]!.timestamp - samples[1]!.timestamp, 5000);
  assert.deepEqual(samples.slice(0, 3).map((s) => s.sample), [3, 3, 0]);
  assert.equal(messages['rate'], 0.6);
  const publish = obj(obj(q['message_stats'])['publish_details']);
  assert.equal((publish['samples'] as unknown[]).length, 13);
  assert.equal(publish['rate'], 0.6);
  const bad = await b.api.get('/api/queues/%2F/r-q?lengths_age=6000&lengths_incr=1');
  assert.deepEqual(bad.json, { error: 'invalid_range_parameters', reason: 'Invalid range parameters: age 6000, incr 1' });
});

test('a new queue\'s history is 0 before the sampler first saw it, not its first count drawn backwards', T, async () => {
  await b.api.put('/api/queues/%2F/r-new', {});
  for (let i = 0; i < 2; i++) await b.api.post('/api/exchanges/%2F/amq.default/publish', { routing_key: 'r-new', payload: 'x', payload_encoding: 'string', properties: {} });
  const boundary = Math.floor(Date.now() / 5000) * 5000;
  b.running.broker.management!.stats.sample(boundary - 5_000);
  const q = obj(await b.api.json('/api/queues/%2F/r-new?lengths_age=60&lengths_incr=5'));
  const samples = obj(q['messages_details'])['samples'] as { sample: number; timestamp: number }[];
  assert.equal(samples[1]!.timestamp, boundary - 5_000);
  assert.deepEqual(samples.slice(0, 4).map((s) => s.sample), [2, 2, 0, 0]);
});

test('churn: connections and channels opened and closed, queues created and deleted', T, async () => {
  b.sample();
  const before = obj(obj(await b.api.json('/api/overview'))['churn_rates']);
  const conn = await amqp.connect(b.amqpUrl);
  await conn.createChannel();
  await b.api.put('/api/queues/%2F/r-churn', {});
  b.sample();
  await conn.close();
  await b.api.delete('/api/queues/%2F/r-churn');
  b.sample();
  const after = obj(obj(await b.api.json('/api/overview'))['churn_rates']);
  const delta = (k: string) => (after[k] as number) - (before[k] as number);
  assert.deepEqual(
    ['connection_created', 'connection_closed', 'channel_created', 'channel_closed', 'queue_created', 'queue_deleted'].map(delta),
    [1, 1, 1, 1, 1, 1],
  );
});

test('totals keep the counters of deleted queues', T, async () => {
  const publishedBefore = obj(obj(await b.api.json('/api/overview'))['message_stats'])['deliver_get'] as number;
  await b.api.put('/api/queues/%2F/r-gone', {});
  await b.api.post('/api/exchanges/%2F/amq.default/publish', { routing_key: 'r-gone', payload: 'x', payload_encoding: 'string', properties: {} });
  await b.api.post('/api/queues/%2F/r-gone/get', { count: 1, ackmode: 'ack_requeue_false', encoding: 'auto' });
  b.sample();
  await b.api.delete('/api/queues/%2F/r-gone');
  for (let i = 0; i < 2; i++) {
    const stats = obj(obj(await b.api.json('/api/overview'))['message_stats']);
    assert.equal(stats['deliver_get'], publishedBefore + 1);
    b.sample();
  }
});

test('idle_since is reported only while a queue is idle, as RabbitMQ does', T, async () => {
  await b.api.put('/api/queues/%2F/r-idle', {});
  b.sample();
  await b.api.post('/api/exchanges/%2F/amq.default/publish', { routing_key: 'r-idle', payload: 'x', payload_encoding: 'string', properties: {} });
  b.sample();
  assert.equal(obj(await b.api.json('/api/queues/%2F/r-idle'))['idle_since'], undefined, 'changed in the last sample: active');
  b.sample();
  assert.match(String(obj(await b.api.json('/api/queues/%2F/r-idle'))['idle_since']), /^\d{4}-\d\d-\d\dT/);
});
