/**
 * A restart brings back every durable definition exactly (types, flags, arguments, bindings of
 * every kind) and routes as before; non-durable and exclusive objects are gone. Persisted
 * messages come back in queue order (priority order in a priority queue) with their content
 * header byte for byte, and the redelivered flag of a clean shutdown is exact.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Channel, ChannelModel, ConfirmChannel, Options } from 'amqplib';
import { logged, withBroker, withDataDir, type DurableBroker } from './helpers.js';
import { encodeTable } from '../../src/protocol/field-table.js';
import { serverClose } from '../support/amqp.js';
import { enc, FRAME_BODY, FRAME_HEADER, RawClient } from '../support/raw-client.js';
import { waitFor, withTimeout } from '../support/wait.js';

const TIMEOUT = { timeout: 120_000 };

// ---- topology ----

interface ExchangeDef {
  readonly name: string;
  readonly type: 'direct' | 'fanout' | 'topic' | 'headers';
  readonly options: Options.AssertExchange;
}

const EXCHANGES: readonly ExchangeDef[] = [
  { name: 'd.direct', type: 'direct', options: { durable: true, alternateExchange: 'd.ae' } },
  { name: 'd.ae', type: 'fanout', options: { durable: true } },
  { name: 'd.topic', type: 'topic', options: { durable: true, arguments: { 'x-custom': 'kept', 'x-number': 42 } } },
  { name: 'd.headers', type: 'headers', options: { durable: true } },
  { name: 'd.e2e', type: 'direct', options: { durable: true } },
  { name: 'd.internal', type: 'fanout', options: { durable: true, internal: true } },
  { name: 'd.dlx', type: 'direct', options: { durable: true } },
];

interface QueueDef {
  readonly name: string;
  readonly args: Record<string, unknown>;
  /** Different arguments for an equivalence check that must fail after the restart. */
  readonly otherArgs?: Record<string, unknown>;
}

const QUEUES: readonly QueueDef[] = [
  { name: 'q.direct', args: {} },
  { name: 'q.ae', args: {} },
  { name: 'q.topic', args: { 'x-message-ttl': 3_600_000 }, otherArgs: { 'x-message-ttl': 3_600_001 } },
  { name: 'q.hall', args: {} },
  { name: 'q.hany', args: {} },
  { name: 'q.internal', args: {} },
  { name: 'q.maxlen', args: { 'x-max-length': 3 }, otherArgs: { 'x-max-length': 4 } },
  {
    name: 'q.dlx',
    args: { 'x-dead-letter-exchange': 'd.dlx', 'x-dead-letter-routing-key': 'dead' },
    otherArgs: { 'x-dead-letter-exchange': 'd.dlx', 'x-dead-letter-routing-key': 'other' },
  },
  { name: 'q.dead', args: {} },
  {
    name: 'q.ttl-dlx',
    args: { 'x-message-ttl': 300, 'x-dead-letter-exchange': 'd.dlx', 'x-dead-letter-routing-key': 'dead' },
  },
  { name: 'q.prio', args: { 'x-max-priority': 10 }, otherArgs: { 'x-max-priority': 9 } },
  { name: 'q.props', args: {} },
  { name: 'q.redeliver', args: {} },
];

interface BindingDef {
  readonly kind: 'queue' | 'exchange';
  readonly destination: string;
  readonly source: string;
  readonly key: string;
  readonly args?: Record<string, unknown>;
}

const BINDINGS: readonly BindingDef[] = [
  { kind: 'queue', destination: 'q.direct', source: 'd.direct', key: 'k1' },
  { kind: 'queue', destination: 'q.ae', source: 'd.ae', key: '' },
  { kind: 'queue', destination: 'q.topic', source: 'd.topic', key: 'a.*.c' },
  { kind: 'queue', destination: 'q.topic', source: 'd.topic', key: '#.fwd' },
  { kind: 'queue', destination: 'q.hall', source: 'd.headers', key: '', args: { 'x-match': 'all', color: 'red', size: 10 } },
  { kind: 'queue', destination: 'q.hany', source: 'd.headers', key: '', args: { 'x-match': 'any', color: 'red', size: 10 } },
  { kind: 'queue', destination: 'q.maxlen', source: 'd.direct', key: 'maxlen' },
  { kind: 'queue', destination: 'q.dlx', source: 'd.direct', key: 'dlx' },
  { kind: 'queue', destination: 'q.dead', source: 'd.dlx', key: 'dead' },
  { kind: 'queue', destination: 'q.internal', source: 'd.internal', key: '' },
  // Exchange-to-exchange: d.e2e → d.topic (key x.fwd) and d.direct → d.internal (key int).
  { kind: 'exchange', destination: 'd.topic', source: 'd.e2e', key: 'x.fwd' },
  { kind: 'exchange', destination: 'd.internal', source: 'd.direct', key: 'int' },
];

async function declareTopology(ch: Channel): Promise<void> {
  for (const x of EXCHANGES) await ch.assertExchange(x.name, x.type, x.options);
  for (const q of QUEUES) await ch.assertQueue(q.name, { durable: true, arguments: q.args });
  for (const b of BINDINGS) {
    if (b.kind === 'queue') await ch.bindQueue(b.destination, b.source, b.key, b.args);
    else await ch.bindExchange(b.destination, b.source, b.key, b.args);
  }
}

/** Objects that must not survive a restart. */
async function declareTransient(conn: ChannelModel, ch: Channel): Promise<void> {
  await ch.assertExchange('t.direct', 'direct', { durable: false });
  await ch.assertQueue('t.queue', { durable: false });
  // A durable exchange bound to a transient queue: the binding is not durable.
  await ch.bindQueue('t.queue', 'd.direct', 'to-transient');
  // A transient exchange bound to a durable queue: not durable either.
  await ch.bindQueue('q.direct', 't.direct', 'k-t');
  // A transient exchange as the destination of a durable one.
  await ch.bindExchange('t.direct', 'd.topic', 'to.transient.x');
  // Exclusive queues are never saved, even when durable.
  const excl = await conn.createChannel();
  await excl.assertQueue('x.exclusive', { durable: true, exclusive: true });
}

interface Probe {
  readonly exchange: string;
  readonly key: string;
  readonly body: string;
  readonly headers?: Record<string, unknown>;
}

/** Publishes probes through every kind of binding and checks where each one lands. */
async function checkRouting(conn: ChannelModel, restarted: boolean): Promise<void> {
  const ch = await conn.createConfirmChannel();
  const probes: Probe[] = [
    { exchange: 'd.direct', key: 'k1', body: 'direct' },
    { exchange: 'd.direct', key: 'no-such-key', body: 'unroutable' },
    { exchange: 'd.direct', key: 'to-transient', body: 'to-transient' },
    { exchange: 'd.topic', key: 'a.b.c', body: 'topic' },
    { exchange: 'd.topic', key: 'a.b.d', body: 'topic-miss' },
    { exchange: 'd.e2e', key: 'x.fwd', body: 'e2e' },
    { exchange: 'd.direct', key: 'int', body: 'via-internal' },
    { exchange: 'd.headers', key: '', body: 'headers-all', headers: { color: 'red', size: 10 } },
    { exchange: 'd.headers', key: '', body: 'headers-any', headers: { color: 'red', size: 11 } },
    { exchange: 'd.headers', key: '', body: 'headers-none', headers: { color: 'blue' } },
    ...['m0', 'm1', 'm2', 'm3', 'm4'].map((body) => ({ exchange: 'd.direct', key: 'maxlen', body })),
    { exchange: 'd.direct', key: 'dlx', body: 'dlx' },
  ];
  if (!restarted) probes.push({ exchange: 't.direct', key: 'k-t', body: 'via-transient-exchange' });
  for (const p of probes) ch.publish(p.exchange, p.key, Buffer.from(p.body), p.headers === undefined ? {} : { headers: p.headers });
  await withTimeout(ch.waitForConfirms(), 10_000, 'confirms of the probes');

  const dlx = await withTimeout(ch.get('q.dlx'), 5000, 'get q.dlx');
  assert.ok(dlx !== false, 'the dlx probe is in q.dlx');
  ch.nack(dlx, false, false);
  await waitFor(async () => (await ch.checkQueue('q.dead')).messageCount === 1, 5000, 'the dead-lettered probe');

  const expected: Record<string, string[]> = {
    'q.direct': restarted ? ['direct'] : ['direct', 'via-transient-exchange'],
    // After the restart the binding to the transient queue is gone: the alternate exchange gets it.
    'q.ae': restarted ? ['unroutable', 'to-transient'] : ['unroutable'],
    'q.topic': ['topic', 'e2e'],
    'q.internal': ['via-internal'],
    'q.hall': ['headers-all'],
    'q.hany': ['headers-all', 'headers-any'],
    'q.maxlen': ['m2', 'm3', 'm4'],
    'q.dlx': [],
    'q.dead': ['dlx'],
  };
  if (!restarted) expected['t.queue'] = ['to-transient'];
  const actual: Record<string, string[]> = {};
  for (const q of Object.keys(expected)) actual[q] = await bodies(ch, q);
  assert.deepEqual(actual, expected, restarted ? 'routing after the restart' : 'routing before the restart');
}

/** basic.get (no-ack) until get-empty. */
async function bodies(ch: Channel, queue: string): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const m = await withTimeout(ch.get(queue, { noAck: true }), 5000, `get ${queue}`);
    if (m === false) return out;
    out.push(m.content.toString());
  }
}

/** The reply code of a server close caused by `op` (on a throwaway channel). */
async function failureCode(conn: ChannelModel, op: (ch: Channel) => Promise<unknown>): Promise<number> {
  const ch = await conn.createChannel();
  ch.on('error', () => {});
  try {
    await withTimeout(op(ch), 5000, 'operation expected to fail');
  } catch (err) {
    return serverClose(err).code;
  }
  await ch.close();
  return 0;
}

// ---- byte-exact content headers through a raw connection ----

/** A field table with a value of every type RabbitMQ knows, encoded by hand. */
function everyTypeTable(): Buffer {
  const entry = (name: string, type: string, value: Buffer): Buffer => Buffer.concat([enc.shortstr(name), Buffer.from(type, 'latin1'), value]);
  const i8 = Buffer.from([0xfe]);
  const u16 = Buffer.alloc(2);
  u16.writeUInt16BE(65_000);
  const i16 = Buffer.alloc(2);
  i16.writeInt16BE(-1234);
  const i32 = Buffer.alloc(4);
  i32.writeInt32BE(-123_456_789);
  const u32 = Buffer.alloc(4);
  u32.writeUInt32BE(4_000_000_000);
  const i64 = Buffer.alloc(8);
  i64.writeBigInt64BE(-9_007_199_254_740_993n);
  const f32 = Buffer.alloc(4);
  f32.writeFloatBE(1.5);
  const f64 = Buffer.alloc(8);
  f64.writeDoubleBE(Math.PI);
  const ts = Buffer.alloc(8);
  ts.writeBigUInt64BE(1_700_000_000n);
  const decimal = Buffer.from([2, 0, 0, 0x30, 0x39]); // 123.45
  const nested = enc.table({ inner: 'value', deeper: { n: 1 } });
  const array = Buffer.concat([Buffer.from('I'), Buffer.from([0, 0, 0, 7]), enc.value('two'), enc.value(true)]);
  const entries = Buffer.concat([
    entry('longstr', 'S', enc.longstr('héllo ✓')),
    entry('bool', 't', Buffer.from([1])),
    entry('int8', 'b', i8),
    entry('uint8', 'B', Buffer.from([200])),
    entry('int16', 's', i16),
    entry('uint16', 'u', u16),
    entry('int32', 'I', i32),
    entry('uint32', 'i', u32),
    entry('int64', 'l', i64),
    entry('float', 'f', f32),
    entry('double', 'd', f64),
    entry('decimal', 'D', decimal),
    entry('timestamp', 'T', ts),
    entry('table', 'F', nested),
    entry('array', 'A', Buffer.concat([enc.long(array.length), array])),
    entry('bytes', 'x', enc.longstr(Buffer.from([0, 1, 2, 0xff]))),
    entry('void', 'V', Buffer.alloc(0)),
  ]);
  return Buffer.concat([enc.long(entries.length), entries]);
}

/** A content header (class basic) with all thirteen properties set. */
function fullContentHeader(bodySize: number): Buffer {
  const timestamp = Buffer.alloc(8);
  timestamp.writeBigUInt64BE(1_712_345_678n);
  const props = [
    enc.shortstr('application/x-warren-test'), // content-type
    enc.shortstr('identity'), // content-encoding
    everyTypeTable(), // headers
    enc.octet(2), // delivery-mode: persistent
    enc.octet(7), // priority
    enc.shortstr('correlation-42'), // correlation-id
    enc.shortstr('reply-here'), // reply-to
    enc.shortstr('3600000'), // expiration
    enc.shortstr('message-id-1'), // message-id
    timestamp, // timestamp
    enc.shortstr('test.type'), // type
    enc.shortstr('guest'), // user-id (must be the connection's user)
    enc.shortstr('warren-tests'), // app-id
  ];
  const flags = 0b1111_1111_1111_1000; // every property but the deprecated cluster-id
  return Buffer.concat([enc.short(60), enc.short(0), enc.longlong(bodySize), enc.short(flags), ...props]);
}

function rawPublish(c: RawClient, channel: number, routingKey: string, header: Buffer, body: Buffer): void {
  c.sendMethod(channel, 60, 40, Buffer.concat([enc.short(0), enc.shortstr(''), enc.shortstr(routingKey), enc.bits(false, false)]));
  c.sendFrame(FRAME_HEADER, channel, header);
  c.sendFrame(FRAME_BODY, channel, body);
}

/** basic.get with no-ack; the content header payload and body exactly as the server sent them. */
async function rawGet(c: RawClient, channel: number, queue: string): Promise<{ header: Buffer; body: Buffer; redelivered: boolean } | null> {
  c.sendMethod(channel, 60, 70, Buffer.concat([enc.short(0), enc.shortstr(queue), enc.bits(true)]));
  const m = await c.nextMethod();
  if (m.classId === 60 && m.methodId === 72) return null;
  assert.deepEqual([m.classId, m.methodId], [60, 71], 'basic.get-ok');
  m.args.longlong();
  const redelivered = m.args.octet() !== 0;
  const header = await c.nextFrame();
  assert.equal(header.type, FRAME_HEADER);
  const size = Number(header.payload.readBigUInt64BE(4));
  const parts: Buffer[] = [];
  let got = 0;
  while (got < size) {
    const f = await c.nextFrame();
    assert.equal(f.type, FRAME_BODY);
    parts.push(f.payload);
    got += f.payload.length;
  }
  return { header: header.payload, body: Buffer.concat(parts), redelivered };
}

async function withRaw<T>(b: DurableBroker, body: (c: RawClient) => Promise<T>): Promise<T> {
  const c = await RawClient.open(b.broker.port);
  try {
    await c.openChannel(1);
    return await body(c);
  } finally {
    await c.close().catch(() => undefined);
    c.destroy();
  }
}

/** The encoded argument table of every durable exchange and queue this test declares. */
function savedArguments(b: DurableBroker): Record<string, string> {
  const vhost = b.broker.vhost('/');
  assert.ok(vhost !== undefined);
  const out: Record<string, string> = {};
  for (const x of EXCHANGES) {
    const e = vhost.exchanges.get(x.name);
    if (e !== undefined) out[`exchange ${x.name}`] = encodeTable(e.arguments).toString('hex');
  }
  for (const q of QUEUES) {
    const queue = vhost.queues.get(q.name);
    if (queue !== undefined) out[`queue ${q.name}`] = encodeTable(queue.arguments).toString('hex');
  }
  return out;
}

// ---- the test ----

/** [publish order, priority] of the messages put in the priority queue; undefined means no priority. */
const PRIORITIES: readonly (number | undefined)[] = [3, undefined, 9, 3, 0, 9, 5, 200, 1, undefined, 10, 5];

function expectedPriorityOrder(): string[] {
  const effective = (p: number | undefined): number => Math.min(p ?? 0, 10);
  return PRIORITIES.map((p, i) => ({ i, p: effective(p) }))
    .sort((a, b) => b.p - a.p || a.i - b.i)
    .map(({ i }) => `prio-${i}`);
}

test('a restart brings back every durable definition and persisted message exactly; transient ones are gone', TIMEOUT, async () => {
  await withDataDir(async (dir) => {
    const header = fullContentHeader(11);
    const rawBody = Buffer.from('raw payload');
    let argumentsBefore: Record<string, string> = {};
    await withBroker(dir, async (b) => {
      const conn = await b.connect();
      const ch = await conn.createConfirmChannel();
      await declareTopology(ch);
      await declareTransient(conn, ch);
      await checkRouting(conn, false);
      argumentsBefore = savedArguments(b);
      assert.equal(Object.keys(argumentsBefore).length, EXCHANGES.length + QUEUES.length);

      // Persisted messages.
      PRIORITIES.forEach((p, i) => ch.sendToQueue('q.prio', Buffer.from(`prio-${i}`), p === undefined ? { persistent: true } : { persistent: true, priority: p }));
      ch.publish('d.topic', 'a.kept.c', Buffer.from('kept'), { persistent: true });
      ch.publish('d.direct', 'maxlen', Buffer.from('transient-in-durable'), { persistent: false });
      for (const body of ['p0', 'p1', 'p2', 'p3']) ch.publish('d.direct', 'maxlen', Buffer.from(body), { persistent: true });
      ch.sendToQueue('q.ttl-dlx', Buffer.from('expiring'), { persistent: true });
      ch.sendToQueue('q.redeliver', Buffer.from('delivered-before'), { persistent: true });
      ch.sendToQueue('q.redeliver', Buffer.from('never-delivered'), { persistent: true });
      await withTimeout(ch.waitForConfirms(), 10_000, 'confirms');

      // Sent and read back before the restart: the broker passes the header through unchanged.
      await withRaw(b, async (c) => {
        rawPublish(c, 1, 'q.props', header, rawBody);
        const got = await rawGet(c, 1, 'q.props');
        assert.ok(got !== null);
        assert.ok(got.header.equals(header), `header before the restart:\n${got.header.toString('hex')}\n${header.toString('hex')}`);
        rawPublish(c, 1, 'q.props', header, rawBody);
      });
      await waitFor(async () => (await ch.checkQueue('q.props')).messageCount === 1, 5000, 'the raw publish');

      // Delivered and left unacked at shutdown: requeued, and marked redelivered on disk.
      const held = await conn.createChannel();
      const first = await withTimeout(held.get('q.redeliver'), 5000, 'get');
      assert.ok(first !== false && first.content.toString() === 'delivered-before');
    });

    await withBroker(dir, async (b) => {
      const conn = await b.connect();
      const ch = await conn.createChannel();

      // Every durable exchange and queue is back, with the same properties: an equivalent
      // declaration succeeds, a different one fails with 406.
      for (const x of EXCHANGES) await withTimeout(ch.assertExchange(x.name, x.type, x.options), 5000, `assertExchange ${x.name}`);
      for (const q of QUEUES) await withTimeout(ch.assertQueue(q.name, { durable: true, arguments: q.args }), 5000, `assertQueue ${q.name}`);
      assert.equal(await failureCode(conn, (c) => c.assertExchange('d.direct', 'topic', { durable: true, alternateExchange: 'd.ae' })), 406, 'exchange type kept');
      assert.equal(await failureCode(conn, (c) => c.assertExchange('d.direct', 'direct', { durable: true, alternateExchange: 'other' })), 406, 'alternate-exchange kept');
      assert.equal(await failureCode(conn, (c) => c.assertExchange('d.internal', 'fanout', { durable: true, internal: false })), 406, 'internal flag kept');
      const publishInternal = async (c: Channel): Promise<unknown> => {
        c.publish('d.internal', '', Buffer.from('x'));
        return c.checkQueue('q.internal');
      };
      assert.equal(await failureCode(conn, publishInternal), 403, 'still internal');
      for (const q of QUEUES) {
        if (q.otherArgs === undefined) continue;
        assert.equal(await failureCode(conn, (c) => c.assertQueue(q.name, { durable: true, arguments: q.otherArgs })), 406, `arguments of ${q.name} kept`);
      }
      assert.deepEqual(savedArguments(b), argumentsBefore, 'every argument table is the same, byte for byte');

      // Non-durable and exclusive objects are gone.
      assert.equal(await failureCode(conn, (c) => c.checkExchange('t.direct')), 404);
      assert.equal(await failureCode(conn, (c) => c.checkQueue('t.queue')), 404);
      assert.equal(await failureCode(conn, (c) => c.checkQueue('x.exclusive')), 404);
      assert.deepEqual(logged(b.logs, 'skipping a saved binding'), [], 'no binding to a transient object was saved');

      // Persisted messages.
      assert.deepEqual(await bodies(ch, 'q.prio'), expectedPriorityOrder(), 'priority order');
      assert.deepEqual(await bodies(ch, 'q.topic'), ['kept']);
      assert.deepEqual(await bodies(ch, 'q.maxlen'), ['p1', 'p2', 'p3'], 'the transient message is gone, the length limit held');
      await waitFor(async () => (await ch.checkQueue('q.dead')).messageCount === 1, 5000, 'the expired message dead-lettered');
      const dead = await withTimeout(ch.get('q.dead', { noAck: true }), 5000, 'get q.dead');
      assert.ok(dead !== false);
      assert.equal(dead.content.toString(), 'expiring');
      const death = (dead.properties.headers?.['x-death'] as Record<string, unknown>[] | undefined)?.[0];
      assert.equal(death?.['reason'], 'expired');
      assert.equal(death?.['queue'], 'q.ttl-dlx');
      assert.equal((await ch.checkQueue('q.ttl-dlx')).messageCount, 0);

      const r1 = await withTimeout(ch.get('q.redeliver', { noAck: true }), 5000, 'get');
      const r2 = await withTimeout(ch.get('q.redeliver', { noAck: true }), 5000, 'get');
      assert.ok(r1 !== false && r2 !== false);
      assert.deepEqual(
        [r1.content.toString(), r1.fields.redelivered, r2.content.toString(), r2.fields.redelivered],
        ['delivered-before', true, 'never-delivered', false],
      );

      await withRaw(b, async (c) => {
        const got = await rawGet(c, 1, 'q.props');
        assert.ok(got !== null, 'the raw message came back');
        assert.ok(got.header.equals(header), `content header after the restart:\n${got.header.toString('hex')}\n${header.toString('hex')}`);
        assert.ok(got.body.equals(rawBody));
        assert.equal(got.redelivered, false);
      });

      // And everything routes as before.
      await checkRouting(conn, true);
    });

    // A second restart reads the compacted snapshot the first one wrote: the same again.
    await withBroker(dir, async (b) => {
      assert.deepEqual(savedArguments(b), argumentsBefore);
      await checkRouting(await b.connect(), true);
    });
  });
});

test('large persistent messages (bigger than a segment and than a frame) come back intact', TIMEOUT, async () => {
  await withDataDir(async (dir) => {
    const sizes = [0, 1, 131_072, 300_000, 1_500_000, 17];
    const bodies = sizes.map((n, i) => {
      const body = Buffer.alloc(n);
      for (let k = 0; k < n; k++) body[k] = (k * 31 + i) & 0xff;
      return body;
    });
    await withBroker(dir, async (b) => {
      const ch = await (await b.connect()).createConfirmChannel();
      await ch.assertQueue('big', { durable: true });
      for (const body of bodies) ch.sendToQueue('big', body, { persistent: true });
      await withTimeout(ch.waitForConfirms(), 30_000, 'confirms');
    });
    await withBroker(dir, async (b) => {
      const ch = await (await b.connect()).createChannel();
      for (const [i, body] of bodies.entries()) {
        const m = await withTimeout(ch.get('big', { noAck: true }), 10_000, 'get');
        assert.ok(m !== false, `message ${i}`);
        assert.equal(m.content.length, sizes[i]);
        assert.ok(m.content.equals(body), `body of message ${i} (${sizes[i]} bytes)`);
      }
      assert.equal(await withTimeout(ch.get('big'), 5000, 'get'), false);
    });
  });
});

test('bindings removed and objects deleted before the restart stay removed', TIMEOUT, async () => {
  await withDataDir(async (dir) => {
    await withBroker(dir, async (b) => {
      const ch: ConfirmChannel = await (await b.connect()).createConfirmChannel();
      await ch.assertExchange('x.src', 'headers', { durable: true });
      await ch.assertExchange('x.gone', 'fanout', { durable: true });
      await ch.assertQueue('q.a', { durable: true });
      await ch.bindQueue('q.a', 'x.src', '', { 'x-match': 'all', a: 1 });
      await ch.bindQueue('q.a', 'x.src', '', { 'x-match': 'all', b: 2 });
      await ch.bindQueue('q.a', 'x.gone', '');
      await ch.bindExchange('x.gone', 'x.src', '', { 'x-match': 'any', c: 3 });
      // Same source, destination and key; only the arguments tell the two bindings apart.
      await ch.unbindQueue('q.a', 'x.src', '', { 'x-match': 'all', a: 1 });
      await ch.deleteExchange('x.gone');
    });
    await withBroker(dir, async (b) => {
      const conn = await b.connect();
      const ch = await conn.createConfirmChannel();
      assert.equal(await failureCode(conn, (c) => c.checkExchange('x.gone')), 404);
      ch.publish('x.src', '', Buffer.from('a'), { headers: { a: 1 } });
      ch.publish('x.src', '', Buffer.from('b'), { headers: { b: 2 } });
      ch.publish('x.src', '', Buffer.from('c'), { headers: { c: 3 } });
      await withTimeout(ch.waitForConfirms(), 5000, 'confirms');
      assert.deepEqual(await bodies(ch, 'q.a'), ['b']);
    });
  });
});
