/**
 * Prometheus metrics of an in-process broker (no management API, no data directory), scraped
 * over HTTP while amqplib publishes, consumes and acks over real sockets.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import amqp from 'amqplib';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { request, scrape, type Exposition } from './exposition.js';
import { waitFor, withTimeout } from '../support/wait.js';

const T = { timeout: 20_000 };
const CLASSIC = { protocol: 'amqp091', queue_type: 'rabbit_classic_queue' };
const AMQP = { protocol: 'amqp091' };

let b: RunningBroker;
let url: string;

before(async () => {
  b = await startBroker({ port: 0, prometheusPort: 0, diskFreeLimit: 12_345 });
  url = b.prometheusUrl!;
});
after(() => b?.close());

const queueLabels = (queue: string) => ({ vhost: '/', queue });

/** The global counters a test compares before and after. */
function counters(m: Exposition): Record<string, number> {
  return {
    received: m.value('rabbitmq_global_messages_received_total', AMQP),
    routed: m.value('rabbitmq_global_messages_routed_total', AMQP),
    delivered: m.value('rabbitmq_global_messages_delivered_total', CLASSIC),
    consumeManual: m.value('rabbitmq_global_messages_delivered_consume_manual_ack_total', CLASSIC),
    consumeAuto: m.value('rabbitmq_global_messages_delivered_consume_auto_ack_total', CLASSIC),
    getManual: m.value('rabbitmq_global_messages_delivered_get_manual_ack_total', CLASSIC),
    getAuto: m.value('rabbitmq_global_messages_delivered_get_auto_ack_total', CLASSIC),
    redelivered: m.value('rabbitmq_global_messages_redelivered_total', CLASSIC),
    acknowledged: m.value('rabbitmq_global_messages_acknowledged_total', CLASSIC),
  };
}

function assertNotBelow(now: Record<string, number>, before: Record<string, number>, when: string): void {
  for (const [k, v] of Object.entries(before)) assert.ok(now[k]! >= v, `${k} went down ${when}: ${v} -> ${now[k]}`);
}

test('startBroker gives prometheusUrl only when prometheusPort is given', T, async () => {
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
  assert.ok(b.broker.prometheusPort > 0);
  const plain = await startBroker({ port: 0 });
  try {
    assert.equal(plain.prometheusUrl, undefined);
    assert.equal(plain.broker.prometheusPort, 0);
  } finally {
    await plain.close();
  }
});

test('connections, channels, consumers, queues and per-queue ready/unacked follow amqplib', T, async () => {
  const base = await scrape(url);
  const conn = await amqp.connect(b.url);
  try {
    const ch = await conn.createChannel();
    const other = await conn.createChannel();
    await ch.assertQueue('m-work', { durable: false });
    await ch.assertQueue('m-idle', { durable: false });
    for (let i = 0; i < 5; i++) ch.sendToQueue('m-work', Buffer.from('12345'));
    ch.sendToQueue('m-idle', Buffer.from('x'));
    await ch.prefetch(2);
    const delivered: amqp.ConsumeMessage[] = [];
    await ch.consume('m-work', (m) => {
      if (m !== null) delivered.push(m);
    });
    await waitFor(() => delivered.length === 2, 5000, 'two deliveries');
    const m = await scrape(url);
    assert.equal(m.value('rabbitmq_connections'), base.value('rabbitmq_connections') + 1);
    assert.equal(m.value('rabbitmq_channels'), base.value('rabbitmq_channels') + 2);
    assert.equal(m.value('rabbitmq_consumers'), base.value('rabbitmq_consumers') + 1);
    assert.equal(m.value('rabbitmq_global_consumers', AMQP), m.value('rabbitmq_consumers'));
    assert.equal(m.value('rabbitmq_queues'), base.value('rabbitmq_queues') + 2);
    assert.equal(m.value('rabbitmq_queue_messages_ready', queueLabels('m-work')), 3);
    assert.equal(m.value('rabbitmq_queue_messages_unacked', queueLabels('m-work')), 2);
    assert.equal(m.value('rabbitmq_queue_messages', queueLabels('m-work')), 5);
    assert.equal(m.value('rabbitmq_queue_consumers', queueLabels('m-work')), 1);
    assert.equal(m.value('rabbitmq_queue_messages_ready_bytes', queueLabels('m-work')), 15);
    assert.equal(m.value('rabbitmq_queue_messages_ready', queueLabels('m-idle')), 1);
    assert.equal(m.value('rabbitmq_queue_messages_unacked', queueLabels('m-idle')), 0);
    assert.equal(m.value('rabbitmq_queue_consumers', queueLabels('m-idle')), 0);
    for (const msg of delivered.splice(0)) ch.ack(msg);
    await waitFor(async () => (await scrape(url)).value('rabbitmq_queue_messages_unacked', queueLabels('m-work')) === 2, 5000, 'the next two deliveries');
    await other.close();
  } finally {
    await conn.close();
  }
  const closed = await scrape(url);
  assert.equal(closed.value('rabbitmq_connections'), base.value('rabbitmq_connections'));
  assert.equal(closed.value('rabbitmq_channels'), base.value('rabbitmq_channels'));
  assert.equal(closed.value('rabbitmq_consumers'), base.value('rabbitmq_consumers'));
  // The unacked ones went back to the queue when the connection closed.
  assert.equal(closed.value('rabbitmq_queue_messages_ready', queueLabels('m-work')), 3);
  assert.equal(closed.value('rabbitmq_queue_messages_unacked', queueLabels('m-work')), 0);
  assert.equal(closed.value('rabbitmq_connections_opened_total'), base.value('rabbitmq_connections_opened_total') + 1);
  assert.equal(closed.value('rabbitmq_connections_closed_total'), base.value('rabbitmq_connections_closed_total') + 1);
});

test('publish, deliver, get and ack counters grow and survive the deletion of their queue and connection', T, async () => {
  const before = counters(await scrape(url));
  const conn = await amqp.connect(b.url);
  let during: Record<string, number>;
  try {
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue('m-count', { durable: false });
    await ch.assertQueue('m-auto', { durable: false });
    for (let i = 0; i < 6; i++) ch.sendToQueue('m-count', Buffer.from('a'));
    for (let i = 0; i < 2; i++) ch.sendToQueue('m-auto', Buffer.from('b'));
    ch.publish('amq.direct', 'no-such-binding', Buffer.from('unroutable'));
    await withTimeout(ch.waitForConfirms(), 5000, 'confirms');
    const got = await ch.get('m-count', { noAck: false });
    assert.ok(got !== false);
    ch.ack(got);
    assert.ok((await ch.get('m-count', { noAck: true })) !== false);
    const manual: amqp.ConsumeMessage[] = [];
    await ch.prefetch(10);
    const { consumerTag } = await ch.consume('m-count', (m) => {
      if (m !== null) manual.push(m);
    });
    const auto: unknown[] = [];
    await ch.consume('m-auto', (m) => auto.push(m), { noAck: true });
    await waitFor(() => manual.length === 4 && auto.length === 2, 5000, 'deliveries');
    ch.ack(manual[0]!);
    ch.ack(manual[1]!);
    await ch.cancel(consumerTag);
    // Two unacked go back (redelivered next time).
    ch.nackAll(true);
    const again = await ch.get('m-count', { noAck: false });
    assert.ok(again !== false && again.fields.redelivered);
    ch.ack(again);
    await waitFor(async () => counters(await scrape(url)).acknowledged === before.acknowledged! + 4, 5000, 'four acks counted');
    during = counters(await scrape(url));
    assert.equal(during.received! - before.received!, 9);
    assert.equal(during.routed! - before.routed!, 8);
    assert.equal(during.getManual! - before.getManual!, 2);
    assert.equal(during.getAuto! - before.getAuto!, 1);
    assert.equal(during.consumeManual! - before.consumeManual!, 4);
    assert.equal(during.consumeAuto! - before.consumeAuto!, 2);
    assert.equal(during.delivered! - before.delivered!, 9);
    assert.equal(during.redelivered! - before.redelivered!, 1);
    await ch.deleteQueue('m-count');
    await ch.deleteQueue('m-auto');
    const afterDelete = await scrape(url);
    assert.equal(afterDelete.samples('rabbitmq_queue_messages_ready', queueLabels('m-count')).length, 0, 'a deleted queue has no series');
    assert.deepEqual(counters(afterDelete), during);
  } finally {
    await conn.close();
  }
  assertNotBelow(counters(await scrape(url)), during, 'after the connection closed');
});

test('counters of a deleted virtual host stay in the totals', T, async () => {
  b.broker.addVhost('m-vhost');
  b.broker.users.setPermissions({ user: 'guest', vhost: 'm-vhost', configure: '.*', write: '.*', read: '.*' });
  const before = counters(await scrape(url));
  const conn = await amqp.connect(`${b.url}/m-vhost`);
  conn.on('error', () => {});
  const ch = await conn.createConfirmChannel();
  ch.on('error', () => {});
  await ch.assertQueue('m-in-vhost', { durable: false });
  for (let i = 0; i < 3; i++) ch.sendToQueue('m-in-vhost', Buffer.from('v'));
  await withTimeout(ch.waitForConfirms(), 5000, 'confirms');
  assert.ok((await ch.get('m-in-vhost', { noAck: true })) !== false);
  const inVhost = await scrape(url);
  assert.equal(inVhost.value('rabbitmq_queue_messages_ready', { vhost: 'm-vhost', queue: 'm-in-vhost' }), 2);
  const closed = new Promise((resolve) => conn.once('close', resolve));
  assert.ok(b.broker.deleteVhost('m-vhost'));
  await withTimeout(closed, 5000, 'the connection closed by the vhost deletion');
  const after = await scrape(url);
  assert.equal(after.samples('rabbitmq_queue_messages_ready', { vhost: 'm-vhost' }).length, 0);
  const now = counters(after);
  assert.equal(now.received! - before.received!, 3);
  assert.equal(now.routed! - before.routed!, 3);
  assert.equal(now.getAuto! - before.getAuto!, 1);
});

test('queue names are escaped in labels and read back unchanged', T, async () => {
  const name = 'm-odd "quoted" back\\slash\nnewline';
  const conn = await amqp.connect(b.url);
  try {
    const ch = await conn.createChannel();
    await ch.assertQueue(name, { durable: false });
    ch.sendToQueue(name, Buffer.from('x'));
    await waitFor(async () => (await scrape(url)).samples('rabbitmq_queue_messages_ready', queueLabels(name)).length === 1, 5000, 'the queue series');
    assert.equal((await scrape(url)).value('rabbitmq_queue_messages_ready', queueLabels(name)), 1);
    await ch.deleteQueue(name);
  } finally {
    await conn.close();
  }
});

test('memory and disk figures, alarms, build and identity info', T, async () => {
  const m = await scrape(url);
  assert.ok(m.value('rabbitmq_process_resident_memory_bytes') > 0);
  assert.equal(m.value('rabbitmq_resident_memory_limit_bytes'), b.broker.memoryLimit);
  assert.ok(m.value('rabbitmq_disk_space_available_bytes') > 0);
  assert.equal(m.value('rabbitmq_disk_space_available_limit_bytes'), 12_345);
  assert.equal(m.value('rabbitmq_alarms_memory_used_watermark'), 0);
  assert.equal(m.value('rabbitmq_alarms_free_disk_space_watermark'), 0);
  assert.equal(m.families.get('rabbitmq_alarms_free_disk_space_watermark')?.type, 'untyped');
  assert.equal(m.families.get('rabbitmq_alarms_free_disk_space_watermark')?.help, 'is 1 if free disk space watermark alarm is in effect');
  assert.equal(m.value('rabbitmq_build_info', { rabbitmq_version: '3.10.8' }), 1);
  assert.equal(m.value('rabbitmq_identity_info', { rabbitmq_cluster: b.broker.settings.clusterName }), 1);
  assert.equal(m.samples('rabbitmq_io_sync_ops_total').length, 1);
  // This broker has no data directory, so nothing clears a disk alarm set by hand.
  b.broker.setAlarm('disk', true);
  try {
    assert.equal((await scrape(url)).value('rabbitmq_alarms_free_disk_space_watermark'), 1);
  } finally {
    b.broker.setAlarm('disk', false);
  }
  assert.equal((await scrape(url)).value('rabbitmq_alarms_free_disk_space_watermark'), 0);
  // prom-client's default metrics are on the same registry.
  assert.ok(m.has('process_cpu_seconds_total'));
  assert.ok(m.has('nodejs_heap_size_used_bytes'));
});

test('HELP and TYPE are RabbitMQ 3.10\'s', T, async () => {
  const m = await scrape(url);
  const expected: Record<string, [string, string]> = {
    rabbitmq_connections: ['gauge', 'Connections currently open'],
    rabbitmq_queues: ['gauge', 'Queues available'],
    rabbitmq_queue_messages_ready: ['gauge', 'Messages ready to be delivered to consumers'],
    rabbitmq_queue_messages_unacked: ['gauge', 'Messages delivered to consumers but not yet acknowledged'],
    rabbitmq_queue_messages: ['gauge', 'Sum of ready and unacknowledged messages - total queue depth'],
    rabbitmq_global_messages_received_total: ['counter', 'Total number of messages received from publishers'],
    rabbitmq_global_messages_acknowledged_total: ['counter', 'Total number of messages acknowledged by consumers'],
    rabbitmq_resident_memory_limit_bytes: ['gauge', 'Memory high watermark in bytes'],
    rabbitmq_build_info: ['untyped', 'RabbitMQ & Erlang/OTP version info'],
  };
  for (const [name, [type, help]] of Object.entries(expected)) {
    assert.equal(m.families.get(name)?.type, type, name);
    assert.equal(m.families.get(name)?.help, help, name);
  }
});

test('/metrics/per-object adds per-connection and per-channel series', T, async () => {
  const conn = await amqp.connect(b.url);
  try {
    const ch = await conn.createChannel();
    await ch.prefetch(7);
    await ch.assertQueue('m-per-object', { durable: false });
    await ch.consume('m-per-object', () => {});
    const main = await scrape(url);
    assert.equal(main.has('rabbitmq_channel_consumers'), false);
    assert.ok(main.has('rabbitmq_queue_messages_ready'));
    const po = await scrape(`${url}/per-object`);
    assert.ok(po.samples('rabbitmq_queue_messages_ready', queueLabels('m-per-object')).length === 1);
    const channel = po.samples('rabbitmq_consumer_prefetch').find((s) => s.value === 7);
    assert.ok(channel !== undefined, 'a channel with prefetch 7');
    const name = channel.labels['channel']!;
    assert.match(name, /^127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+ \(1\)$/);
    assert.equal(po.value('rabbitmq_channel_consumers', { channel: name }), 1);
    const connection = name.replace(/ \(1\)$/, '');
    assert.equal(po.value('rabbitmq_connection_channels', { channel: connection }), 1);
    assert.ok(po.value('rabbitmq_connection_incoming_bytes_total', { channel: connection }) > 0);
    assert.ok(po.value('rabbitmq_connection_outgoing_bytes_total', { channel: connection }) > 0);
  } finally {
    await conn.close();
  }
});

test('HTTP: content type, gzip, HEAD, 404 for other paths, 405 for other methods', T, async () => {
  const plain = await request(url);
  assert.equal(plain.status, 200);
  assert.equal(plain.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
  assert.equal(plain.headers['content-encoding'], undefined);
  const zipped = await request(url, { headers: { 'Accept-Encoding': 'gzip' } });
  assert.equal(zipped.headers['content-encoding'], 'gzip');
  assert.match(zipped.body, /^rabbitmq_queues \d+$/m);
  const head = await request(url, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  for (const path of ['/', '/metrics/detailed', '/metricsx', '/api/overview']) {
    assert.equal((await request(url.replace(/\/metrics$/, path))).status, 404, path);
  }
  const post = await request(url, { method: 'POST' });
  assert.equal(post.status, 405);
  assert.equal(post.headers['allow'], 'GET, HEAD');
  assert.equal((await request(`${url}?x=1`)).status, 200);
});

test('the management overview lists the Prometheus listener, as RabbitMQ\'s does', T, async () => {
  const managed = await startBroker({ port: 0, managementPort: 0, prometheusPort: 0, bind: ['127.0.0.1'] });
  try {
    const res = await fetch(`${managed.managementUrl!}/api/overview`, { headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` } });
    const overview = (await res.json()) as { listeners: { protocol: string; port: number; ip_address: string }[] };
    const found = overview.listeners.filter((l) => l.protocol === 'http/prometheus');
    assert.deepEqual(
      found.map((l) => [l.ip_address, l.port]),
      [['127.0.0.1', managed.broker.prometheusPort]],
    );
  } finally {
    await managed.close();
  }
});

test('a taken Prometheus port fails startBroker and leaves nothing of that broker open', T, async () => {
  const taken = b.broker.prometheusPort;
  const { createConnection } = await import('node:net');
  let amqpPort = 0;
  await assert.rejects(
    startBroker({ port: 0, prometheusPort: taken, managementPort: 0, bind: ['127.0.0.1'] }).then((x) => {
      amqpPort = x.port;
      return x.close();
    }),
    /EADDRINUSE/,
  );
  assert.equal(amqpPort, 0);
  // Were the failed broker's AMQP listener, ticker or management server left open, this test
  // file's process could not exit (checked: without the cleanup it hangs until the runner's
  // timeout). The port that was taken still belongs to the first broker.
  const refused = await new Promise<boolean>((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port: taken });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
  assert.equal(refused, false, 'the metrics port is still the first broker\'s');
});
