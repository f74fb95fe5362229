/**
 * Routing with amqplib (and @cloudamqp/amqp-client for the immediate flag): direct, fanout,
 * topic, headers, the default exchange, mandatory returns, alternate exchanges and CC/BCC.
 */
import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { AMQPClient } from '@cloudamqp/amqp-client';
import { startTestBroker, uniqueName } from '../support/broker.js';
import type { TestBroker } from '../support/broker.js';
import { Clients, rejection, getAll, getOne, text } from '../support/amqp.js';
import type { ConfirmChannel, Message } from 'amqplib';
import { Collector, SETTLE_MS, delay, withTimeout } from '../support/wait.js';

let broker: TestBroker;
let clients: Clients;

before(async () => {
  broker = await startTestBroker();
  clients = new Clients(broker);
});
afterEach(() => clients.closeAll());
after(() => broker?.close());

const T = { timeout: 15_000 };

async function tempQueue(ch: ConfirmChannel): Promise<string> {
  return (await ch.assertQueue('', { exclusive: true })).queue;
}

async function exchange(ch: ConfirmChannel, type: string, options: Record<string, unknown> = {}): Promise<string> {
  const x = uniqueName(`x-${type}`);
  await ch.assertExchange(x, type, { durable: false, autoDelete: true, ...options });
  return x;
}

describe('direct exchange', () => {
  test('routes on exact routing key equality, to every matching queue', T, async () => {
    const ch = await clients.confirmChannel();
    const x = await exchange(ch, 'direct');
    const q1 = await tempQueue(ch);
    const q2 = await tempQueue(ch);
    await ch.bindQueue(q1, x, 'red');
    await ch.bindQueue(q1, x, 'green');
    await ch.bindQueue(q2, x, 'red');
    ch.publish(x, 'red', Buffer.from('r'));
    ch.publish(x, 'green', Buffer.from('g'));
    ch.publish(x, 'blue', Buffer.from('b'));
    ch.publish(x, 'Red', Buffer.from('R'));
    ch.publish(x, '', Buffer.from('empty'));
    await ch.waitForConfirms();
    assert.deepEqual(await getAll(ch, q1), ['r', 'g']);
    assert.deepEqual(await getAll(ch, q2), ['r']);
  });

  test('a delivery carries the exchange and routing key it was published with', T, async () => {
    const ch = await clients.confirmChannel();
    const x = await exchange(ch, 'direct');
    const q = await tempQueue(ch);
    await ch.bindQueue(q, x, 'k');
    ch.publish(x, 'k', Buffer.from('x'));
    await ch.waitForConfirms();
    const m = await getOne(ch, q);
    assert.equal(m.fields.exchange, x);
    assert.equal(m.fields.routingKey, 'k');
    assert.equal(m.fields.redelivered, false);
  });
});

describe('fanout exchange', () => {
  test('routes to every bound queue regardless of routing key', T, async () => {
    const ch = await clients.confirmChannel();
    const x = await exchange(ch, 'fanout');
    const q1 = await tempQueue(ch);
    const q2 = await tempQueue(ch);
    await ch.bindQueue(q1, x, '');
    await ch.bindQueue(q2, x, 'whatever');
    ch.publish(x, 'any.key', Buffer.from('1'));
    ch.publish(x, '', Buffer.from('2'));
    await ch.waitForConfirms();
    assert.deepEqual(await getAll(ch, q1), ['1', '2']);
    assert.deepEqual(await getAll(ch, q2), ['1', '2']);
  });
});

describe('topic exchange', () => {
  // For each binding pattern, the routing keys (out of KEYS) it matches, as RabbitMQ routes them.
  const KEYS = ['', 'a', 'b', 'a.b', 'a.x.b', 'a.x.y.b', 'a..b', 'x.a.y', '.', 'a.', '.a', 'a#', 'a.*#'];
  const MATCHES: Record<string, string[]> = {
    '#': KEYS,
    '*': ['a', 'b', 'a#'],
    'a.*': ['a.b', 'a.', 'a.*#'],
    'a.#': ['a', 'a.b', 'a.x.b', 'a.x.y.b', 'a..b', 'a.', 'a.*#'],
    '#.b': ['b', 'a.b', 'a.x.b', 'a.x.y.b', 'a..b'],
    'a.*.b': ['a.x.b', 'a..b'],
    'a.#.b': ['a.b', 'a.x.b', 'a.x.y.b', 'a..b'],
    '*.*': ['a.b', '.', 'a.', '.a', 'a.*#'],
    '': [''],
    a: ['a'],
    'a..b': ['a..b'],
    '*.#': ['a', 'b', 'a.b', 'a.x.b', 'a.x.y.b', 'a..b', 'x.a.y', '.', 'a.', '.a', 'a#', 'a.*#'],
    '#.#': KEYS,
    'a.*#': ['a.*#'],
    'a#': ['a#'],
    '#.a.#': ['a', 'a.b', 'a.x.b', 'a.x.y.b', 'a..b', 'x.a.y', 'a.', '.a', 'a.*#'],
  };

  test('matches * (one word) and # (zero or more words) exactly as RabbitMQ', T, async () => {
    const ch = await clients.confirmChannel();
    const x = await exchange(ch, 'topic');
    const queues = new Map<string, string>();
    for (const pattern of Object.keys(MATCHES)) {
      const q = await tempQueue(ch);
      await ch.bindQueue(q, x, pattern);
      queues.set(pattern, q);
    }
    for (const key of KEYS) ch.publish(x, key, Buffer.from(key));
    await ch.waitForConfirms();
    for (const [pattern, q] of queues) {
      assert.deepEqual(await getAll(ch, q), MATCHES[pattern], `pattern ${JSON.stringify(pattern)}`);
    }
  });

  test('the classic examples: stock.usd.nyse and friends', T, async () => {
    const ch = await clients.confirmChannel();
    const x = await exchange(ch, 'topic');
    const bindings: Record<string, string> = {
      '*.orange.*': await tempQueue(ch),
      '*.*.rabbit': await tempQueue(ch),
      'lazy.#': await tempQueue(ch),
    };
    for (const [pattern, q] of Object.entries(bindings)) await ch.bindQueue(q, x, pattern);
    for (const key of [
      'quick.orange.rabbit',
      'lazy.orange.elephant',
      'quick.orange.fox',
      'lazy.brown.fox',
      'lazy.pink.rabbit',
      'quick.brown.fox',
      'orange',
      'quick.orange.male.rabbit',
      'lazy.orange.male.rabbit',
    ]) {
      ch.publish(x, key, Buffer.from(key));
    }
    await ch.waitForConfirms();
    assert.deepEqual(await getAll(ch, bindings['*.orange.*'] ?? ''), ['quick.orange.rabbit', 'lazy.orange.elephant', 'quick.orange.fox']);
    assert.deepEqual(await getAll(ch, bindings['*.*.rabbit'] ?? ''), ['quick.orange.rabbit', 'lazy.pink.rabbit']);
    assert.deepEqual(await getAll(ch, bindings['lazy.#'] ?? ''), [
      'lazy.orange.elephant',
      'lazy.brown.fox',
      'lazy.pink.rabbit',
      'lazy.orange.male.rabbit',
    ]);
  });

  test('a queue bound with two overlapping patterns gets one copy', T, async () => {
    const ch = await clients.confirmChannel();
    const x = await exchange(ch, 'topic');
    const q = await tempQueue(ch);
    await ch.bindQueue(q, x, 'a.*');
    await ch.bindQueue(q, x, '#');
    ch.publish(x, 'a.b', Buffer.from('once'));
    await ch.waitForConfirms();
    assert.deepEqual(await getAll(ch, q), ['once']);
  });
});

describe('headers exchange', () => {
  // Published header tables, in order; each queue lists which of them it receives.
  const PUBLISHED: (Record<string, unknown> | undefined)[] = [
    { a: 1, b: 'two' }, // 0
    { a: 1 }, // 1
    { b: 'two', c: 3 }, // 2
    {}, // 3
    { a: 2, b: 'two' }, // 4
    { 'x-foo': 'bar' }, // 5
    { a: null }, // 6
    { a: '1' }, // 7
    { a: { '!': 'long', value: 1 } }, // 8: same number, other integer type
    { a: 1.0 }, // 9
    undefined, // 10: no headers property at all
  ];
  const BINDINGS: [string, Record<string, unknown>, number[]][] = [
    ['x-match all', { 'x-match': 'all', a: 1, b: 'two' }, [0]],
    ['x-match any', { 'x-match': 'any', a: 1, b: 'two' }, [0, 1, 2, 4, 8, 9]],
    ['no x-match (defaults to all)', { a: 1, b: 'two' }, [0]],
    ['empty arguments (match everything)', {}, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]],
    ['x-match any with no keys (match nothing)', { 'x-match': 'any' }, []],
    ['x- keys are ignored by all', { 'x-match': 'all', 'x-foo': 'bar' }, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]],
    ['all-with-x considers x- keys', { 'x-match': 'all-with-x', 'x-foo': 'bar' }, [5]],
    ['a void value only requires the key', { 'x-match': 'all', a: null }, [0, 1, 4, 6, 7, 8, 9]],
    ['a string does not equal a number', { 'x-match': 'all', a: '1' }, [7]],
  ];

  test('x-match all / any / all-with-x, void values and type rules as RabbitMQ', T, async () => {
    const ch = await clients.confirmChannel();
    const x = await exchange(ch, 'headers');
    const queues: string[] = [];
    for (const [, args] of BINDINGS) {
      const q = await tempQueue(ch);
      await ch.bindQueue(q, x, 'routing key is ignored', args);
      queues.push(q);
    }
    PUBLISHED.forEach((headers, i) =>
      ch.publish(x, 'anything', Buffer.from(String(i)), headers === undefined ? {} : { headers }),
    );
    await ch.waitForConfirms();
    for (const [i, [name, , expected]] of BINDINGS.entries()) {
      assert.deepEqual(await getAll(ch, queues[i] ?? ''), expected.map(String), name);
    }
  });

  test('any-with-x matches on an x- key', T, async () => {
    const ch = await clients.confirmChannel();
    const x = await exchange(ch, 'headers');
    const q = await tempQueue(ch);
    await ch.bindQueue(q, x, '', { 'x-match': 'any-with-x', 'x-tenant': 'acme', region: 'eu' });
    ch.publish(x, '', Buffer.from('tenant'), { headers: { 'x-tenant': 'acme' } });
    ch.publish(x, '', Buffer.from('region'), { headers: { region: 'eu' } });
    ch.publish(x, '', Buffer.from('neither'), { headers: { 'x-tenant': 'other' } });
    await ch.waitForConfirms();
    assert.deepEqual(await getAll(ch, q), ['tenant', 'region']);
  });

  test('an invalid x-match value: 406 on queue.bind', T, async () => {
    const ch = await clients.confirmChannel();
    const x = await exchange(ch, 'headers');
    const q = await tempQueue(ch);
    const close = await rejection(ch.bindQueue(q, x, '', { 'x-match': 'bogus' }));
    assert.equal(close.code, 406);
    assert.equal(close.classId, 50);
    assert.equal(close.methodId, 20);
    assert.equal(
      close.text,
      'PRECONDITION_FAILED - Invalid x-match field value <<"bogus">>; expected all, any, all-with-x, or any-with-x',
    );
  });

  test('amq.match and amq.headers are headers exchanges', T, async () => {
    const ch = await clients.confirmChannel();
    for (const x of ['amq.match', 'amq.headers']) {
      const q = await tempQueue(ch);
      await ch.bindQueue(q, x, '', { 'x-match': 'all', warrenTest: q });
      ch.publish(x, '', Buffer.from('hit'), { headers: { warrenTest: q } });
      ch.publish(x, '', Buffer.from('miss'), { headers: { warrenTest: 'other' } });
      await ch.waitForConfirms();
      assert.deepEqual(await getAll(ch, q), ['hit']);
    }
  });
});

describe('default exchange', () => {
  test('routes to the queue named by the routing key', T, async () => {
    const ch = await clients.confirmChannel();
    const q = await tempQueue(ch);
    ch.sendToQueue(q, Buffer.from('direct to queue'));
    ch.publish('', 'warren-no-such-queue', Buffer.from('dropped'));
    await ch.waitForConfirms();
    const m = await getOne(ch, q);
    assert.equal(text(m), 'direct to queue');
    assert.equal(m.fields.exchange, '');
    assert.equal(m.fields.routingKey, q);
  });

  test('an unroutable message without mandatory is silently dropped (the channel stays open)', T, async () => {
    const ch = await clients.confirmChannel();
    ch.publish('', 'warren-no-such-queue', Buffer.from('dropped'));
    await ch.waitForConfirms();
    const q = await tempQueue(ch);
    assert.match(q, /^amq\.gen-/);
  });
});

describe('mandatory and immediate', () => {
  test('a mandatory unroutable message comes back as basic.return 312 NO_ROUTE, before its confirm', T, async () => {
    const ch = await clients.confirmChannel();
    const events: string[] = [];
    const returned = new Collector<Message>();
    ch.on('return', (m: Message) => {
      events.push('return');
      returned.push(m);
    });
    const key = uniqueName('nowhere');
    ch.publish('', key, Buffer.from('come back'), {
      mandatory: true,
      messageId: 'm-1',
      contentType: 'text/plain',
      headers: { h: 1 },
    }, (err: unknown) => {
      events.push(err === null || err === undefined ? 'ack' : 'nack');
    });
    await ch.waitForConfirms();
    const [m] = await returned.waitForCount(1);
    assert.ok(m !== undefined);
    assert.deepEqual(m.fields, { replyCode: 312, replyText: 'NO_ROUTE', exchange: '', routingKey: key });
    assert.equal(text(m), 'come back');
    assert.equal(m.properties.messageId, 'm-1');
    assert.equal(m.properties.contentType, 'text/plain');
    assert.deepEqual(m.properties.headers, { h: 1 });
    assert.deepEqual(events, ['return', 'ack']);
  });

  test('a mandatory message to an exchange with no matching binding is returned', T, async () => {
    const ch = await clients.confirmChannel();
    const x = await exchange(ch, 'topic');
    const q = await tempQueue(ch);
    await ch.bindQueue(q, x, 'a.*');
    const returned = new Collector<Message>();
    ch.on('return', returned.push);
    ch.publish(x, 'b.c', Buffer.from('unroutable'), { mandatory: true });
    ch.publish(x, 'a.c', Buffer.from('routable'), { mandatory: true });
    await ch.waitForConfirms();
    const [m] = await returned.waitForCount(1);
    assert.equal(m?.fields.exchange, x);
    assert.equal(m?.fields.routingKey, 'b.c');
    await delay(SETTLE_MS);
    assert.equal(returned.length, 1, 'the routable message is not returned');
    assert.deepEqual(await getAll(ch, q), ['routable']);
  });

  test('immediate=true closes the connection: 540 NOT_IMPLEMENTED (amqp-client)', T, async () => {
    const client = new AMQPClient(broker.url);
    const conn = await withTimeout(client.connect(), 10_000, 'amqp-client connect');
    try {
      const ch = await conn.channel();
      const q = await ch.queueDeclare('', { exclusive: true });
      const closed = new Promise<string>((resolve) => {
        conn.onerror = (err) => resolve(err.message);
      });
      await ch.basicPublish('', q.name, 'now or never', {}, false, true);
      const message = await withTimeout(closed, 5000, 'connection close');
      assert.match(message, /NOT_IMPLEMENTED - immediate=true/);
      assert.match(message, /540/);
    } finally {
      if (!conn.closed) await conn.close().catch(() => undefined);
    }
  });
});

describe('alternate exchanges', () => {
  test('unroutable messages go to the alternate exchange, and are not returned', T, async () => {
    const ch = await clients.confirmChannel();
    const ae = await exchange(ch, 'fanout');
    const aq = await tempQueue(ch);
    await ch.bindQueue(aq, ae, '');
    const main = await exchange(ch, 'direct', { alternateExchange: ae, autoDelete: false });
    const q = await tempQueue(ch);
    await ch.bindQueue(q, main, 'known');
    const returned = new Collector<Message>();
    ch.on('return', returned.push);
    ch.publish(main, 'known', Buffer.from('routed'), { mandatory: true });
    ch.publish(main, 'unknown', Buffer.from('to ae'), { mandatory: true });
    await ch.waitForConfirms();
    assert.deepEqual(await getAll(ch, q), ['routed']);
    const m = await getOne(ch, aq, { noAck: true });
    assert.equal(text(m), 'to ae');
    assert.equal(m.fields.exchange, main, 'the original exchange is kept');
    assert.equal(m.fields.routingKey, 'unknown');
    await delay(SETTLE_MS);
    assert.equal(returned.length, 0);
    await ch.deleteExchange(main);
  });

  test('a missing alternate exchange: mandatory messages are returned', T, async () => {
    const ch = await clients.confirmChannel();
    const main = await exchange(ch, 'direct', { alternateExchange: uniqueName('missing-ae'), autoDelete: false });
    const returned = new Collector<Message>();
    ch.on('return', returned.push);
    ch.publish(main, 'unknown', Buffer.from('lost'), { mandatory: true });
    await ch.waitForConfirms();
    const [m] = await returned.waitForCount(1);
    assert.equal((m?.fields as unknown as Record<string, unknown> | undefined)?.['replyCode'], 312);
    assert.equal(text(m ?? { content: Buffer.alloc(0) }), 'lost');
    await ch.deleteExchange(main);
  });
});

describe('sender-selected distribution', () => {
  test('CC and BCC headers add routing keys; BCC is removed before delivery', T, async () => {
    const ch = await clients.confirmChannel();
    const x = await exchange(ch, 'direct');
    const queues: Record<string, string> = {};
    for (const k of ['to', 'cc', 'bcc', 'other']) {
      const q = await tempQueue(ch);
      await ch.bindQueue(q, x, k);
      queues[k] = q;
    }
    ch.publish(x, 'to', Buffer.from('memo'), { CC: ['cc'], BCC: 'bcc', headers: { h: 1 } });
    await ch.waitForConfirms();
    for (const k of ['to', 'cc', 'bcc']) {
      const m = await getOne(ch, queues[k] ?? '', { noAck: true });
      assert.equal(text(m), 'memo', k);
      assert.equal(m.fields.routingKey, 'to', k);
      assert.deepEqual(m.properties.headers, { CC: ['cc'], h: 1 }, k);
    }
    assert.deepEqual(await getAll(ch, queues['other'] ?? ''), []);
  });
});
