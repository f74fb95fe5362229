/**
 * RabbitMQ 3.10.8's publisher counters in Prometheus: rabbitmq_global_messages_confirmed_total,
 * _received_confirm_total, _unroutable_returned_total and _unroutable_dropped_total (label
 * protocol="amqp091"), counted as RabbitMQ counts them (checked against it) and never going down:
 * they survive the channel, the connection and the virtual host that counted them.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import amqp from 'amqplib';
import { AMQPClient } from '@cloudamqp/amqp-client';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { scrape, type Exposition } from './exposition.js';
import { waitFor, withTimeout } from '../support/wait.js';

const T = { timeout: 20_000 };
const AMQP = { protocol: 'amqp091' };
const NAMES = {
  confirmed: 'rabbitmq_global_messages_confirmed_total',
  receivedConfirm: 'rabbitmq_global_messages_received_confirm_total',
  returned: 'rabbitmq_global_messages_unroutable_returned_total',
  dropped: 'rabbitmq_global_messages_unroutable_dropped_total',
} as const;
type Counters = Record<keyof typeof NAMES, number>;

let b: RunningBroker;
let url: string;

before(async () => {
  b = await startBroker({ port: 0, prometheusPort: 0 });
  url = b.prometheusUrl!;
});
after(() => b?.close());

function counters(m: Exposition): Counters {
  const out = {} as Counters;
  for (const [k, name] of Object.entries(NAMES) as [keyof typeof NAMES, string][]) out[k] = m.value(name, AMQP);
  return out;
}

async function delta(since: Counters): Promise<Counters> {
  const now = counters(await scrape(url));
  const out = {} as Counters;
  for (const k of Object.keys(NAMES) as (keyof typeof NAMES)[]) out[k] = now[k] - since[k];
  return out;
}

test('HELP, TYPE and labels are RabbitMQ 3.10.8\'s', T, async () => {
  const m = await scrape(url);
  const help: Record<string, string> = {
    [NAMES.confirmed]: 'Total number of messages confirmed to publishers',
    [NAMES.receivedConfirm]: 'Total number of messages received from publishers expecting confirmations',
    [NAMES.returned]: 'Total number of messages published as mandatory into an exchange and returned to the publisher as unroutable',
    [NAMES.dropped]: 'Total number of messages published as non-mandatory into an exchange and dropped as unroutable',
  };
  for (const [name, text] of Object.entries(help)) {
    const family = m.families.get(name);
    assert.equal(family?.type, 'counter', name);
    assert.equal(family?.help, text, name);
    assert.deepEqual(family?.samples.map((s) => s.labels), [AMQP], name);
  }
});

test('confirm mode: acks (not nacks), returned and dropped; the counts outlive the connection', T, async () => {
  const base = counters(await scrape(url));
  const conn = await amqp.connect(b.url);
  try {
    const cc = await conn.createConfirmChannel();
    const returned: string[] = [];
    cc.on('return', (m: amqp.Message) => returned.push(m.fields.routingKey));
    await cc.assertQueue('mp-q', { durable: false });
    for (let i = 0; i < 5; i++) cc.sendToQueue('mp-q', Buffer.from('x'));
    cc.publish('amq.headers', '', Buffer.from('x'));
    cc.publish('', 'mp-missing', Buffer.from('x'), { mandatory: true });
    await withTimeout(cc.waitForConfirms(), 5000, 'confirms');
    assert.deepEqual(returned, ['mp-missing']);
    await cc.assertQueue('mp-full', { durable: false, arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' } });
    const outcomes: string[] = [];
    for (let i = 0; i < 2; i++) cc.sendToQueue('mp-full', Buffer.from('x'), {}, (err) => outcomes.push(err === null ? 'ack' : 'nack'));
    await waitFor(() => outcomes.length === 2, 5000, 'the ack and the nack');
    assert.deepEqual(outcomes, ['ack', 'nack']);
    // A channel without confirms: unroutable counts, nothing else.
    const plain = await conn.createChannel();
    plain.on('return', (m: amqp.Message) => returned.push(m.fields.routingKey));
    plain.publish('amq.direct', 'nobody', Buffer.from('x'));
    plain.publish('amq.direct', 'nobody', Buffer.from('x'), { mandatory: true });
    await waitFor(() => returned.length === 2, 5000, 'the second basic.return');
    assert.deepEqual(await delta(base), { confirmed: 8, receivedConfirm: 9, returned: 2, dropped: 2 });
  } finally {
    await conn.close();
  }
  assert.deepEqual(await delta(base), { confirmed: 8, receivedConfirm: 9, returned: 2, dropped: 2 });
});

test('a transaction\'s publishes are received for confirmation (rolled back too), never confirmed', T, async () => {
  const base = counters(await scrape(url));
  const client = await withTimeout(new AMQPClient(b.url).connect(), 10_000, 'amqp-client connect');
  try {
    const tx = await client.channel();
    await tx.queueDeclare('mp-tx', { durable: false });
    await tx.txSelect();
    await tx.basicPublish('', 'mp-tx', 'routed');
    await tx.basicPublish('', 'mp-nowhere', 'dropped');
    await tx.txCommit();
    await tx.basicPublish('', 'mp-tx', 'rolled back');
    await tx.txRollback();
    assert.deepEqual(await delta(base), { confirmed: 0, receivedConfirm: 3, returned: 0, dropped: 1 });
  } finally {
    await client.close();
  }
});

test('the counters of a deleted virtual host stay in the totals', T, async () => {
  b.broker.addVhost('mp-vhost');
  b.broker.users.setPermissions({ user: 'guest', vhost: 'mp-vhost', configure: '.*', write: '.*', read: '.*' });
  const base = counters(await scrape(url));
  const conn = await amqp.connect(`${b.url}/mp-vhost`);
  conn.on('error', () => {});
  const cc = await conn.createConfirmChannel();
  cc.on('error', () => {});
  cc.on('return', () => {});
  await cc.assertQueue('mp-in-vhost', { durable: false });
  for (let i = 0; i < 3; i++) cc.sendToQueue('mp-in-vhost', Buffer.from('v'));
  cc.publish('amq.fanout', '', Buffer.from('v'));
  cc.publish('amq.fanout', '', Buffer.from('v'), { mandatory: true });
  await withTimeout(cc.waitForConfirms(), 5000, 'confirms');
  const expected: Counters = { confirmed: 5, receivedConfirm: 5, returned: 1, dropped: 1 };
  assert.deepEqual(await delta(base), expected);
  const closed = new Promise((resolve) => conn.once('close', resolve));
  assert.ok(b.broker.deleteVhost('mp-vhost'));
  await withTimeout(closed, 5000, 'the connection closed by the vhost deletion');
  assert.deepEqual(await delta(base), expected);
});
