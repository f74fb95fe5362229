/**
 * A channel's `message_stats` in /api/channels and /api/channels/{name}, as RabbitMQ 3.10.8 shows
 * them (checked against it): the publishing group (publish, confirm, return_unroutable,
 * drop_unroutable) once the channel has published, the delivering group (ack, deliver,
 * deliver_get, deliver_no_ack, get, get_empty, get_no_ack, redeliver) once it has received, acked
 * or got empty, none on an idle channel; publishes and acks in a transaction count at commit;
 * rejects and nacks are no acks. Rates and histories come from the statistics samples, the list
 * sorts on them, and a closed channel's history goes with it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import amqp from 'amqplib';
import { AMQPClient } from '@cloudamqp/amqp-client';
import type { Channel } from '../../src/amqp/channel.js';
import { startManagedBroker, type ManagedBroker } from './support.js';
import { obj } from './http.js';
import { waitFor, withTimeout } from '../support/wait.js';

type JsonObject = Record<string, unknown>;

let b: ManagedBroker;
const T = { timeout: 20_000 };

const PUBLISH_GROUP = ['confirm', 'drop_unroutable', 'publish', 'return_unroutable'];
const DELIVER_GROUP = ['ack', 'deliver', 'deliver_get', 'deliver_no_ack', 'get', 'get_empty', 'get_no_ack', 'redeliver'];

before(async () => {
  b = await startManagedBroker();
});
after(() => b?.close());

async function newVhost(name: string): Promise<void> {
  assert.equal((await b.api.put(`/api/vhosts/${name}`, {})).status, 201);
  assert.equal((await b.api.put(`/api/permissions/${name}/guest`, { configure: '.*', write: '.*', read: '.*' })).status, 204);
}

/** The channels of a vhost (one connection per test vhost) by channel number. */
async function channelsOf(vhost: string, query = ''): Promise<Map<number, JsonObject>> {
  const rows = (await b.api.json(`/api/vhosts/${vhost}/channels${query}`)) as JsonObject[];
  return new Map(rows.map((r) => [r['number'] as number, r]));
}

/** A channel's message_stats counters (without *_details), or undefined when it has none. */
function counters(row: JsonObject | undefined): Record<string, number> | undefined {
  assert.ok(row !== undefined, 'the channel is listed');
  const stats = row['message_stats'];
  if (stats === undefined) return undefined;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(obj(stats))) {
    if (k.endsWith('_details')) assert.deepEqual(Object.keys(obj(v)), ['rate'], `${k} without a range`);
    else out[k] = v as number;
  }
  return out;
}

/** amqplib numbers a connection's channels 1, 2, 3... as they are opened (none closed): their numbers. */
class Numbers {
  private readonly ids = new Map<object, number>();
  async open<C extends object>(opening: Promise<C>): Promise<C> {
    const ch = await opening;
    this.ids.set(ch, this.ids.size + 1);
    return ch;
  }
  of(ch: object): number {
    const n = this.ids.get(ch);
    assert.ok(n !== undefined);
    return n;
  }
}

/** A connection to a virtual host of its own for `body`, closed after it. */
async function inVhost(vhost: string, body: (conn: amqp.ChannelModel, no: Numbers) => Promise<void>): Promise<void> {
  await newVhost(vhost);
  const conn = await amqp.connect(`${b.amqpUrl}/${vhost}`);
  try {
    await body(conn, new Numbers());
  } finally {
    await conn.close();
  }
}

const zeros = (names: readonly string[]): Record<string, number> => Object.fromEntries(names.map((n) => [n, 0]));

test('publishing channels count publishes, confirms and unroutable messages; an idle channel has no message_stats', T, () =>
  inVhost('cs-pub', async (conn, no) => {
    const idle = await no.open(conn.createChannel());
    const plain = await no.open(conn.createChannel());
    const cc = await no.open(conn.createConfirmChannel());
    const returned: string[] = [];
    cc.on('return', (m: amqp.Message) => returned.push(m.fields.routingKey));
    await plain.assertQueue('cs-q', { durable: false });
    for (let i = 0; i < 3; i++) plain.sendToQueue('cs-q', Buffer.from('x'));
    await plain.checkQueue('cs-q');
    for (let i = 0; i < 4; i++) cc.sendToQueue('cs-q', Buffer.from('x'));
    cc.publish('amq.direct', 'nobody', Buffer.from('x'), { mandatory: true });
    cc.publish('amq.direct', 'nobody', Buffer.from('x'));
    cc.publish('', 'cs-missing', Buffer.from('x'));
    await withTimeout(cc.waitForConfirms(), 5000, 'confirms');
    await waitFor(() => returned.length === 1, 5000, 'the returned message');
    const rows = await channelsOf('cs-pub');
    assert.equal(counters(rows.get(no.of(idle))), undefined);
    assert.deepEqual(counters(rows.get(no.of(plain))), { ...zeros(PUBLISH_GROUP), publish: 3 });
    assert.deepEqual(counters(rows.get(no.of(cc))), { confirm: 7, drop_unroutable: 2, publish: 7, return_unroutable: 1 });
    // The same in the channel's own page.
    const name = rows.get(no.of(cc))!['name'] as string;
    assert.deepEqual(counters(obj(await b.api.json(`/api/channels/${encodeURIComponent(name)}`))), { confirm: 7, drop_unroutable: 2, publish: 7, return_unroutable: 1 });
  }),
);

test('consuming channels count deliveries, gets, empty gets, redeliveries and acks (not rejects)', T, () =>
  inVhost('cs-con', async (conn, no) => {
    const setup = await no.open(conn.createChannel());
    for (const q of ['cs-ack', 'cs-noack', 'cs-get']) await setup.assertQueue(q, { durable: false });
    for (let i = 0; i < 5; i++) setup.sendToQueue('cs-ack', Buffer.from(`a${i}`));
    for (let i = 0; i < 3; i++) setup.sendToQueue('cs-noack', Buffer.from(`n${i}`));
    for (let i = 0; i < 5; i++) setup.sendToQueue('cs-get', Buffer.from(`g${i}`));
    await setup.checkQueue('cs-get');

    // Acks 1 and 2, requeues 3 (delivered again, redelivered), rejects 4, nacks 5, acks the redelivery.
    const consumer = await no.open(conn.createChannel());
    let got = 0;
    await consumer.consume(
      'cs-ack',
      (m) => {
        if (m === null) return;
        got++;
        if (got <= 2) consumer.ack(m);
        else if (got === 3) consumer.nack(m, false, true);
        else if (got === 4) consumer.reject(m, false);
        else if (got === 5) consumer.nack(m, false, false);
        else consumer.ack(m);
      },
      { noAck: false },
    );
    const noAck = await no.open(conn.createChannel());
    let gotNoAck = 0;
    await noAck.consume('cs-noack', () => void gotNoAck++, { noAck: true });
    await waitFor(() => got === 6 && gotNoAck === 3, 5000, 'the deliveries');
    await consumer.checkQueue('cs-ack');

    const getter = await no.open(conn.createChannel());
    const g1 = await getter.get('cs-get', { noAck: false });
    assert.ok(g1 !== false);
    getter.ack(g1);
    assert.ok((await getter.get('cs-get', { noAck: true })) !== false);
    const g3 = await getter.get('cs-get', { noAck: false });
    assert.ok(g3 !== false);
    getter.nack(g3, false, true);
    const again = await getter.get('cs-get', { noAck: true });
    assert.ok(again !== false && again.fields.redelivered);
    const empty = await no.open(conn.createChannel());
    assert.ok((await empty.get('cs-get', { noAck: true })) !== false);
    assert.ok((await empty.get('cs-get', { noAck: false })) !== false);
    assert.equal(await empty.get('cs-get', { noAck: true }), false);
    assert.equal(await empty.get('cs-get', { noAck: false }), false);
    await getter.checkQueue('cs-get');

    const rows = await channelsOf('cs-con');
    assert.deepEqual(counters(rows.get(no.of(setup))), { ...zeros(PUBLISH_GROUP), publish: 13 });
    const none = zeros(DELIVER_GROUP);
    assert.deepEqual(counters(rows.get(no.of(consumer))), { ...none, ack: 3, deliver: 6, deliver_get: 6, redeliver: 1 });
    assert.deepEqual(counters(rows.get(no.of(noAck))), { ...none, deliver_get: 3, deliver_no_ack: 3 });
    assert.deepEqual(counters(rows.get(no.of(getter))), { ...none, ack: 1, deliver_get: 4, get: 2, get_no_ack: 2, redeliver: 1 });
    assert.deepEqual(counters(rows.get(no.of(empty))), { ...none, deliver_get: 2, get: 1, get_empty: 2, get_no_ack: 1 });
  }),
);

test('a transaction\'s publishes and acks are counted at commit', T, async () => {
  await newVhost('cs-tx');
  const client = await withTimeout(new AMQPClient(`${b.amqpUrl}/cs-tx`).connect(), 10_000, 'amqp-client connect');
  try {
    const setup = await client.channel();
    await setup.queueDeclare('cs-txq');
    await setup.basicPublish('', 'cs-txq', 'one');
    await setup.basicPublish('', 'cs-txq', 'two');
    const tx = await client.channel();
    await tx.txSelect();
    await tx.basicPublish('', 'cs-txq', 'a');
    await tx.basicPublish('amq.topic', 'nobody', 'b');
    const m1 = await tx.basicGet('cs-txq', { noAck: false });
    const m2 = await tx.basicGet('cs-txq', { noAck: false });
    assert.ok(m1 !== null && m2 !== null);
    await m2.ack(true);
    const uncommitted = counters((await channelsOf('cs-tx')).get(tx.id));
    assert.deepEqual(uncommitted, { ...zeros(DELIVER_GROUP), deliver_get: 2, get: 2 });
    await tx.txCommit();
    const committed = counters((await channelsOf('cs-tx')).get(tx.id));
    assert.deepEqual(committed, { ...zeros(PUBLISH_GROUP), ...zeros(DELIVER_GROUP), ack: 2, deliver_get: 2, get: 2, drop_unroutable: 1, publish: 2 });
  } finally {
    await client.close();
  }
});

test('*_details: a rate between two samples, RabbitMQ\'s samples with a range, sorting on rates', T, () =>
  inVhost('cs-rate', async (conn, no) => {
    const slow = await no.open(conn.createConfirmChannel());
    const fast = await no.open(conn.createConfirmChannel());
    const quiet = await no.open(conn.createChannel());
    await slow.assertQueue('cs-rq', { durable: false });
    b.sample();
    for (let i = 0; i < 10; i++) slow.sendToQueue('cs-rq', Buffer.from('x'));
    for (let i = 0; i < 100; i++) fast.sendToQueue('cs-rq', Buffer.from('x'));
    await withTimeout(Promise.all([slow.waitForConfirms(), fast.waitForConfirms()]), 5000, 'confirms');
    await new Promise((r) => setTimeout(r, 20));
    b.sample();
    const sampledAt = Date.now();

    const rows = await channelsOf('cs-rate');
    const rateOf = (ch: number, field: string): number => obj(obj(rows.get(ch)!['message_stats'])[`${field}_details`])['rate'] as number;
    assert.ok(rateOf(no.of(fast), 'publish') > rateOf(no.of(slow), 'publish'), 'fast publishes faster');
    assert.ok(rateOf(no.of(slow), 'publish') > 0);
    assert.ok(rateOf(no.of(fast), 'confirm') > 0);
    assert.equal(rateOf(no.of(fast), 'drop_unroutable'), 0);

    // Sorting on a rate (full rows), highest first; a channel without message_stats sorts as 0.
    const sorted = (await b.api.json('/api/vhosts/cs-rate/channels?sort=message_stats.publish_details.rate&sort_reverse=true')) as JsonObject[];
    assert.deepEqual(
      sorted.map((r) => r['number']),
      [no.of(fast), no.of(slow), no.of(quiet)],
    );
    const page = obj(await b.api.json('/api/vhosts/cs-rate/channels?sort=message_stats.publish_details.rate&page=1&page_size=2'));
    assert.deepEqual(
      (page['items'] as JsonObject[]).map((r) => r['number']),
      [no.of(quiet), no.of(slow)],
    );

    // With a range: RabbitMQ's avg, avg_rate, rate and samples (newest first, 5 s apart, aligned
    // to 5 s). Once the clock has passed the next 5 s boundary, the newest holds the publishes.
    await waitFor(() => Math.floor(Date.now() / 5000) * 5000 >= sampledAt, 6000, 'a 5 s boundary', 50);
    const name = rows.get(no.of(fast))!['name'] as string;
    const detail = obj(await b.api.json(`/api/channels/${encodeURIComponent(name)}?msg_rates_age=60&msg_rates_incr=5`));
    const publish = obj(obj(detail['message_stats'])['publish_details']);
    assert.deepEqual(Object.keys(publish).sort(), ['avg', 'avg_rate', 'rate', 'samples']);
    const samples = publish['samples'] as { sample: number; timestamp: number }[];
    assert.equal(samples.length, 13);
    assert.equal(samples[0]!.timestamp % 5000, 0);
    assert.equal(samples[0]!.timestamp - samples[1]!.timestamp, 5000);
    assert.equal(samples[0]!.sample, 100);
    assert.equal(samples.at(-1)!.sample, 0, 'before the channel existed');
    assert.ok((publish['avg_rate'] as number) > 0);
    // The list takes ranges too.
    const listed = await channelsOf('cs-rate', '?msg_rates_age=60&msg_rates_incr=5');
    const confirms = obj(obj(listed.get(no.of(slow))!['message_stats'])['confirm_details'])['samples'] as { sample: number }[];
    assert.equal(confirms.length, 13);
    assert.equal(confirms[0]!.sample, 10);

    // The next sample without traffic: the rates fall back to 0, the counts stay.
    b.sample();
    const later = obj((await channelsOf('cs-rate')).get(no.of(fast))!['message_stats']);
    assert.equal(obj(later['publish_details'])['rate'], 0);
    assert.equal(later['publish'], 100);
  }),
);

test('a closed channel\'s counters and history go with it; its vhost keeps counting its messages', T, () =>
  inVhost('cs-close', async (conn, no) => {
    const ch = await no.open(conn.createChannel());
    await ch.assertQueue('cs-cq', { durable: false });
    b.sample();
    for (let i = 0; i < 5; i++) ch.sendToQueue('cs-cq', Buffer.from('x'));
    await ch.checkQueue('cs-cq');
    b.sample();
    const stats = b.running.broker.management?.stats;
    assert.ok(stats !== undefined);
    const live = (): Channel[] => [...b.running.broker.connections].filter((c) => c.vhost?.name === 'cs-close').flatMap((c) => [...c.channels.values()]);
    const [channel] = live();
    assert.ok(channel !== undefined);
    assert.notEqual(stats.channelSeries(channel), undefined);
    await ch.close();
    await waitFor(() => live().length === 0, 5000, 'the channel to close');
    b.sample();
    assert.equal(stats.channelSeries(channel), undefined);
    assert.deepEqual(await channelsOf('cs-close'), new Map());
    assert.equal(obj(obj(await b.api.json('/api/vhosts/cs-close'))['message_stats'])['publish'], 5);
  }),
);
