/**
 * A vhost's and the overview's `confirm`, `return_unroutable` and `drop_unroutable`, as RabbitMQ
 * 3.10.8 counts them (checked against it): acks sent to publishers (a nack is not a confirm),
 * unroutable mandatory messages returned, other unroutable messages dropped, whether no binding
 * matched or the default exchange named no queue. They outlive the channels that counted them,
 * and the API's own publish counts as a confirmed mandatory publish.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import amqp from 'amqplib';
import { AMQPClient } from '@cloudamqp/amqp-client';
import { startManagedBroker, type ManagedBroker } from './support.js';
import { obj } from './http.js';
import { waitFor, withTimeout } from '../support/wait.js';

let b: ManagedBroker;
const T = { timeout: 20_000 };
const FIELDS = ['publish', 'confirm', 'return_unroutable', 'drop_unroutable'] as const;
type Counts = Record<(typeof FIELDS)[number], number>;

before(async () => {
  b = await startManagedBroker();
});
after(() => b?.close());

/** The publishing counters of a message_stats object (absent before any activity: 0). */
async function counts(path: string): Promise<Counts> {
  const stats = obj(await b.api.json(path))['message_stats'];
  const s = stats === undefined ? {} : obj(stats);
  const out = {} as Counts;
  for (const f of FIELDS) out[f] = (s[f] as number | undefined) ?? 0;
  return out;
}

function minus(a: Counts, b: Counts): Counts {
  const out = {} as Counts;
  for (const f of FIELDS) out[f] = a[f] - b[f];
  return out;
}

async function newVhost(name: string): Promise<void> {
  assert.equal((await b.api.put(`/api/vhosts/${name}`, {})).status, 201);
  assert.equal((await b.api.put(`/api/permissions/${name}/guest`, { configure: '.*', write: '.*', read: '.*' })).status, 204);
}

test('confirms, returned and dropped unroutable messages are counted per vhost and in the overview', T, async () => {
  await newVhost('pc');
  b.sample();
  const overviewBefore = await counts('/api/overview');
  const conn = await amqp.connect(`${b.amqpUrl}/pc`);
  try {
    const cc = await conn.createConfirmChannel();
    const returned: string[] = [];
    cc.on('return', (m: amqp.Message) => returned.push(m.fields.routingKey));
    await cc.assertQueue('pc-q');
    for (let i = 0; i < 7; i++) cc.publish('', 'pc-q', Buffer.from('x'));
    // No binding matches, and the default exchange names no such queue: both unroutable.
    cc.publish('amq.direct', 'nobody', Buffer.from('x'));
    cc.publish('amq.direct', 'nobody', Buffer.from('x'));
    cc.publish('', 'pc-missing', Buffer.from('x'), { mandatory: true });
    await withTimeout(cc.waitForConfirms(), 5000, 'confirms');
    assert.deepEqual(returned, ['pc-missing']);

    // A full queue refusing a publish nacks it: not a confirm.
    await cc.assertQueue('pc-full', { arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' } });
    const outcomes: string[] = [];
    for (let i = 0; i < 2; i++) cc.publish('', 'pc-full', Buffer.from('x'), {}, (err) => outcomes.push(err === null ? 'ack' : 'nack'));
    await waitFor(() => outcomes.length === 2, 5000, 'the ack and the nack');
    assert.deepEqual(outcomes, ['ack', 'nack']);

    // Without confirm mode: counted as unroutable, never as confirmed.
    const plain = await conn.createChannel();
    plain.on('return', (m: amqp.Message) => returned.push(m.fields.routingKey));
    plain.publish('', 'pc-missing', Buffer.from('x'));
    plain.publish('amq.fanout', 'any', Buffer.from('x'), { mandatory: true });
    await waitFor(() => returned.length === 2, 5000, 'the second basic.return');

    b.sample();
    const expected: Counts = { publish: 14, confirm: 11, return_unroutable: 2, drop_unroutable: 3 };
    assert.deepEqual(await counts('/api/vhosts/pc'), expected);
    assert.deepEqual(minus(await counts('/api/overview'), overviewBefore), expected);
    // Only the vhost's own: the default vhost saw none of it.
    assert.equal((await counts('/api/vhosts/%2F')).confirm, overviewBefore.confirm);
  } finally {
    await conn.close();
  }
  // The vhost keeps what its closed channels counted.
  b.sample();
  assert.deepEqual(await counts('/api/vhosts/pc'), { publish: 14, confirm: 11, return_unroutable: 2, drop_unroutable: 3 });

  // The API's publish: a mandatory publish in confirm mode (routed or not, it is confirmed).
  const publish = async (routing_key: string): Promise<unknown> => {
    const res = await b.api.post('/api/exchanges/pc/amq.default/publish', { routing_key, properties: {}, payload: 'x', payload_encoding: 'string' });
    assert.equal(res.status, 200, res.text);
    return res.json;
  };
  assert.deepEqual(await publish('pc-q'), { routed: true });
  assert.deepEqual(await publish('pc-missing'), { routed: false });
  b.sample();
  assert.deepEqual(await counts('/api/vhosts/pc'), { publish: 16, confirm: 13, return_unroutable: 3, drop_unroutable: 3 });
});

test('a transaction\'s unroutable publishes are counted at commit, and none as confirmed', T, async () => {
  await newVhost('pc-tx');
  const client = await withTimeout(new AMQPClient(`${b.amqpUrl}/pc-tx`).connect(), 10_000, 'amqp-client connect');
  try {
    const tx = await client.channel();
    await tx.queueDeclare('pc-tx-q');
    await tx.txSelect();
    await tx.basicPublish('', 'pc-tx-q', 'a');
    await tx.basicPublish('amq.topic', 'nobody', 'b');
    await tx.basicPublish('amq.topic', 'nobody', 'c', {}, true);
    b.sample();
    assert.deepEqual(await counts('/api/vhosts/pc-tx'), { publish: 0, confirm: 0, return_unroutable: 0, drop_unroutable: 0 });
    await tx.txCommit();
    b.sample();
    assert.deepEqual(await counts('/api/vhosts/pc-tx'), { publish: 3, confirm: 0, return_unroutable: 1, drop_unroutable: 1 });
  } finally {
    await client.close();
  }
});

test('confirm_details: a rate between two samples, and RabbitMQ\'s sample history', T, async () => {
  const conn = await amqp.connect(b.amqpUrl);
  try {
    const cc = await conn.createConfirmChannel();
    await cc.assertQueue('pc-rate', { durable: false });
    b.sample();
    for (let i = 0; i < 100; i++) cc.publish('', 'pc-rate', Buffer.from('x'));
    await withTimeout(cc.waitForConfirms(), 5000, 'confirms');
    await new Promise((r) => setTimeout(r, 20));
    b.sample();
    const vhost = obj(obj(await b.api.json('/api/vhosts/%2F'))['message_stats']);
    assert.ok((obj(vhost['confirm_details'])['rate'] as number) > 0, JSON.stringify(vhost['confirm_details']));
    const overview = obj(obj(await b.api.json('/api/overview?msg_rates_age=60&msg_rates_incr=5'))['message_stats']);
    assert.ok((obj(overview['confirm_details'])['rate'] as number) > 0);
    const details = obj(overview['confirm_details']);
    assert.deepEqual(Object.keys(details).sort(), ['avg', 'avg_rate', 'rate', 'samples']);
    assert.equal((details['samples'] as unknown[]).length, 13);
    for (const f of ['return_unroutable_details', 'drop_unroutable_details']) assert.ok(f in overview, f);
    // The next sample without traffic: the rate falls back to 0.
    b.sample();
    assert.equal(obj(obj(obj(await b.api.json('/api/vhosts/%2F'))['message_stats'])['confirm_details'])['rate'], 0);
  } finally {
    await conn.close();
  }
});
