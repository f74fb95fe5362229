/**
 * A vhost's (and the overview's) `publish` counts messages published, as RabbitMQ 3.10.8 does: one
 * per basic.publish whatever it routes to (a fanout to two queues is one, an unroutable one is one
 * too), not once more per queue it reached.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import amqp from 'amqplib';
import { startManagedBroker, type ManagedBroker } from './support.js';
import { obj } from './http.js';

let b: ManagedBroker;

before(async () => {
  b = await startManagedBroker();
});
after(() => b?.close());

const publishOf = async (path: string): Promise<unknown> => obj(obj(await b.api.json(path))['message_stats'])['publish'];

test('a vhost counts each publish once, routed to two queues or to none (RabbitMQ: 4)', { timeout: 20_000 }, async () => {
  assert.equal((await b.api.put('/api/vhosts/vp', {})).status, 201);
  // The administrator who creates a vhost gets full permissions there (as RabbitMQ): an update.
  assert.equal((await b.api.put('/api/permissions/vp/guest', { configure: '.*', write: '.*', read: '.*' })).status, 204);
  const conn = await amqp.connect(`${b.amqpUrl}/vp`);
  try {
    const ch = await conn.createConfirmChannel();
    await ch.assertExchange('fx', 'fanout');
    await ch.assertQueue('a');
    await ch.assertQueue('b');
    await ch.bindQueue('a', 'fx', '');
    await ch.bindQueue('b', 'fx', '');
    for (let i = 0; i < 3; i++) ch.publish('fx', '', Buffer.from('x'));
    ch.publish('', 'nowhere', Buffer.from('x'));
    await ch.waitForConfirms();
    b.sample();
    assert.equal(await publishOf('/api/vhosts/vp'), 4);
    assert.equal(await publishOf('/api/queues/vp/a'), 3);
    assert.equal(await publishOf('/api/overview'), 4);
    // Deleted queues keep their vhost's count as it was.
    await ch.deleteQueue('a');
    b.sample();
    assert.equal(await publishOf('/api/vhosts/vp'), 4);
  } finally {
    await conn.close();
  }
});
