/**
 * Message TTL, queue expiry, length limits and dead-lettering, as RabbitMQ's classic queues do
 * them (every expectation here also passes against RabbitMQ with WARREN_TEST_AMQP_URL).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestBroker, uniqueName, type TestBroker } from '../support/broker.js';
import { Clients, getOne, rejection, startConsumer, text, type Channel } from '../support/amqp.js';
import { waitFor, withTimeout } from '../support/wait.js';

let broker: TestBroker;
let clients: Clients;

before(async () => {
  broker = await startTestBroker();
  clients = new Clients(broker);
});

after(async () => {
  await clients.closeAll();
  await broker.close();
});

async function count(ch: Channel, queue: string): Promise<number> {
  return (await ch.checkQueue(queue)).messageCount;
}

/** A fanout dead-letter exchange with one queue behind it. */
async function deadLetterSetup(ch: Channel): Promise<{ dlx: string; dead: string }> {
  const dlx = uniqueName('dlx');
  const dead = uniqueName('dead');
  await ch.assertExchange(dlx, 'fanout', { autoDelete: true });
  await ch.assertQueue(dead, { exclusive: true });
  await ch.bindQueue(dead, dlx, '');
  return { dlx, dead };
}

function death(msg: { properties: { headers?: Record<string, unknown> | undefined } }): Record<string, unknown> {
  const deaths = msg.properties.headers?.['x-death'];
  assert.ok(Array.isArray(deaths) && deaths.length > 0, 'x-death header present');
  return deaths[0] as Record<string, unknown>;
}

describe('message TTL', { timeout: 30_000 }, () => {
  test('x-message-ttl expires messages that wait too long', async () => {
    const ch = await clients.confirmChannel();
    const q = uniqueName();
    await ch.assertQueue(q, { exclusive: true, arguments: { 'x-message-ttl': 300 } });
    ch.sendToQueue(q, Buffer.from('a'));
    ch.sendToQueue(q, Buffer.from('b'));
    await ch.waitForConfirms();
    assert.equal(await count(ch, q), 2);
    await waitFor(async () => (await count(ch, q)) === 0, 5000, 'messages to expire');
  });

  test('per-message expiration, and the shorter of the two applies', async () => {
    const ch = await clients.confirmChannel();
    const q = uniqueName();
    await ch.assertQueue(q, { exclusive: true, arguments: { 'x-message-ttl': 60_000 } });
    ch.sendToQueue(q, Buffer.from('short'), { expiration: '50' });
    ch.sendToQueue(q, Buffer.from('long'));
    await ch.waitForConfirms();
    await waitFor(async () => (await count(ch, q)) === 1, 5000, 'the short-lived message to expire');
    assert.equal(text(await getOne(ch, q, { noAck: true })), 'long');
  });

  test('a consumer that is ready gets a message with TTL 0; otherwise it is dropped', async () => {
    const ch = await clients.channel();
    const q = uniqueName();
    await ch.assertQueue(q, { exclusive: true });
    ch.sendToQueue(q, Buffer.from('nobody-listening'), { expiration: '0' });
    await waitFor(async () => (await count(ch, q)) === 0, 5000, 'the TTL-0 message to be dropped');
    const consumer = await startConsumer(ch, q, { noAck: true });
    ch.sendToQueue(q, Buffer.from('delivered'), { expiration: '0' });
    assert.equal(text((await consumer.next(1))[0]!), 'delivered');
  });

  test('an invalid expiration closes the channel with 406', async () => {
    const ch = await clients.channel();
    const q = uniqueName();
    await ch.assertQueue(q, { exclusive: true });
    ch.sendToQueue(q, Buffer.from('x'), { expiration: 'soon' });
    const err = await rejection(ch.checkQueue(q));
    assert.equal(err.code, 406);
    assert.equal(err.text, "PRECONDITION_FAILED - invalid expiration 'soon': no_integer");
  });
});

describe('queue expiry', { timeout: 30_000 }, () => {
  test('x-expires deletes a queue that stays unused', async () => {
    const ch = await clients.channel();
    const q = uniqueName();
    await ch.assertQueue(q, { arguments: { 'x-expires': 100 } });
    const probe = await clients.channel();
    // A passive declare renews the lease too, so poll less often than the expiry period.
    await waitFor(
      async () => {
        try {
          await probe.checkQueue(q);
          return false;
        } catch {
          return true;
        }
      },
      5000,
      'the queue to expire',
      250,
    );
  });

  test('x-expires 0 is refused', async () => {
    const ch = await clients.channel();
    const q = uniqueName();
    const err = await rejection(ch.assertQueue(q, { arguments: { 'x-expires': 0 } }));
    assert.equal(err.code, 406);
    assert.match(err.text, /^PRECONDITION_FAILED - invalid arg 'x-expires' for queue '.*' in vhost '\/': \{value_zero,0\}$/);
  });
});

describe('length limits', { timeout: 30_000 }, () => {
  test('x-max-length drops from the head by default', async () => {
    const ch = await clients.channel();
    const q = uniqueName();
    await ch.assertQueue(q, { exclusive: true, arguments: { 'x-max-length': 2 } });
    for (const body of ['1', '2', '3', '4']) ch.sendToQueue(q, Buffer.from(body));
    await waitFor(async () => (await count(ch, q)) === 2);
    assert.equal(text(await getOne(ch, q, { noAck: true })), '3');
    assert.equal(text(await getOne(ch, q, { noAck: true })), '4');
  });

  test('x-max-length-bytes counts body bytes', async () => {
    const ch = await clients.channel();
    const q = uniqueName();
    await ch.assertQueue(q, { exclusive: true, arguments: { 'x-max-length-bytes': 10 } });
    for (const body of ['aaaa', 'bbbb', 'cccc']) ch.sendToQueue(q, Buffer.from(body));
    await waitFor(async () => (await count(ch, q)) === 2);
    assert.equal(text(await getOne(ch, q, { noAck: true })), 'bbbb');
  });

  test('reject-publish nacks confirms once the queue is full', async () => {
    const ch = await clients.confirmChannel();
    const q = uniqueName();
    await ch.assertQueue(q, { exclusive: true, arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' } });
    const outcome = (i: number) =>
      new Promise<string>((resolve) => ch.sendToQueue(q, Buffer.from(String(i)), {}, (err) => resolve(err ? 'nack' : 'ack')));
    const results = await withTimeout(Promise.all([outcome(1), outcome(2), outcome(3)]), 5000, 'confirms');
    assert.deepEqual(results, ['ack', 'nack', 'nack']);
    assert.equal(await count(ch, q), 1);
  });

  test('an unknown x-overflow value is refused', async () => {
    const ch = await clients.channel();
    const err = await rejection(ch.assertQueue(uniqueName(), { arguments: { 'x-overflow': 'explode' } }));
    assert.equal(err.code, 406);
    assert.match(err.text, /invalid arg 'x-overflow'/);
  });
});

describe('dead-lettering', { timeout: 30_000 }, () => {
  test('expired, rejected and dropped messages go to the dead-letter exchange with x-death', async () => {
    const ch = await clients.channel();
    const { dlx, dead } = await deadLetterSetup(ch);
    const q = uniqueName();
    await ch.assertQueue(q, { exclusive: true, arguments: { 'x-dead-letter-exchange': dlx, 'x-max-length': 2 } });
    ch.sendToQueue(q, Buffer.from('dropped'));
    ch.sendToQueue(q, Buffer.from('rejected'));
    ch.sendToQueue(q, Buffer.from('expired'), { expiration: '30' });
    const reject = await getOne(ch, q);
    assert.equal(text(reject), 'rejected');
    ch.nack(reject, false, false);
    await waitFor(async () => (await count(ch, dead)) === 3, 5000, 'three dead letters');
    const reasons = new Map<string, Record<string, unknown>>();
    for (let i = 0; i < 3; i++) {
      const m = await getOne(ch, dead, { noAck: true });
      assert.equal(m.fields.exchange, dlx);
      assert.equal(m.fields.routingKey, q);
      reasons.set(text(m), death(m));
      assert.equal(m.properties.expiration, undefined);
    }
    assert.equal(reasons.get('dropped')?.['reason'], 'maxlen');
    assert.equal(reasons.get('rejected')?.['reason'], 'rejected');
    const expired = reasons.get('expired')!;
    assert.equal(expired['reason'], 'expired');
    assert.equal(expired['queue'], q);
    assert.equal(expired['original-expiration'], '30');
    assert.deepEqual(expired['routing-keys'], [q]);
  });

  test('x-dead-letter-routing-key replaces the routing key', async () => {
    const ch = await clients.channel();
    const dlx = uniqueName('dlx');
    const target = uniqueName('target');
    await ch.assertExchange(dlx, 'direct', { autoDelete: true });
    await ch.assertQueue(target, { exclusive: true });
    await ch.bindQueue(target, dlx, 'retry');
    const q = uniqueName();
    await ch.assertQueue(q, {
      exclusive: true,
      arguments: { 'x-dead-letter-exchange': dlx, 'x-dead-letter-routing-key': 'retry' },
    });
    ch.sendToQueue(q, Buffer.from('again'));
    ch.reject(await getOne(ch, q), false);
    await waitFor(async () => (await count(ch, target)) === 1);
    const m = await getOne(ch, target, { noAck: true });
    assert.equal(m.fields.routingKey, 'retry');
    assert.equal(m.properties.headers?.['x-first-death-reason'], 'rejected');
  });

  test('a dead-letter cycle without rejections is dropped, a retry loop with rejections is not', async () => {
    const ch = await clients.channel();
    const q = uniqueName();
    // Expired messages dead-lettered back into their own queue would loop forever: dropped.
    await ch.assertQueue(q, { exclusive: true, arguments: { 'x-dead-letter-exchange': '', 'x-message-ttl': 20 } });
    ch.sendToQueue(q, Buffer.from('loop'));
    await waitFor(async () => (await count(ch, q)) === 0, 5000, 'the looping message to be dropped');
    // Rejected messages may come back (a retry loop): x-death counts the rounds.
    const r = uniqueName();
    await ch.assertQueue(r, { exclusive: true, arguments: { 'x-dead-letter-exchange': '' } });
    ch.sendToQueue(r, Buffer.from('retry'));
    ch.reject(await getOne(ch, r), false);
    await waitFor(async () => (await count(ch, r)) === 1);
    const again = await getOne(ch, r);
    assert.equal(death(again)['count'], 1);
    ch.reject(again, false);
    await waitFor(async () => (await count(ch, r)) === 1);
    assert.equal(death(await getOne(ch, r, { noAck: true }))['count'], 2);
  });
});

describe('CC and BCC headers', { timeout: 30_000 }, () => {
  test('route to extra keys; BCC is removed before delivery', async () => {
    const ch = await clients.channel();
    const [a, b, c] = [uniqueName('a'), uniqueName('b'), uniqueName('c')];
    for (const q of [a, b, c]) await ch.assertQueue(q, { exclusive: true });
    ch.sendToQueue(a, Buffer.from('copied'), { headers: { CC: [b], BCC: [c] } });
    await waitFor(async () => (await count(ch, c)) === 1);
    for (const q of [a, b, c]) {
      const m = await getOne(ch, q, { noAck: true });
      assert.equal(text(m), 'copied');
      assert.deepEqual(m.properties.headers?.['CC'], [b]);
      assert.equal(m.properties.headers?.['BCC'], undefined);
    }
  });
});
