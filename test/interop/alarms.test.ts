/** The memory alarm blocks publishers with connection.blocked and unblocks them when it clears. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import amqp from 'amqplib';
import { startBroker } from '../../src/index.js';
import { once, waitFor } from '../support/wait.js';

test('above the memory watermark publishers are blocked, consumers keep consuming', { timeout: 30_000 }, async () => {
  const broker = await startBroker({ port: 0, memoryHighWatermark: 0.000001 });
  const publisher = await amqp.connect(broker.url);
  const consumer = await amqp.connect(broker.url);
  try {
    const pch = await publisher.createChannel();
    const cch = await consumer.createChannel();
    const { queue } = await cch.assertQueue('', { exclusive: false, autoDelete: true });
    const received: string[] = [];
    await cch.consume(queue, (m) => {
      if (m !== null) received.push(m.content.toString());
    }, { noAck: true });
    await waitFor(() => broker.broker.alarms.has('memory'), 5000, 'the memory alarm');
    const blocked = once(publisher, 'blocked');
    pch.sendToQueue(queue, Buffer.from('first'));
    const [reason] = await blocked;
    assert.equal(reason, 'memory');
    // The publish that ran into the alarm is still delivered; later ones wait.
    await waitFor(() => received.length === 1);
    pch.sendToQueue(queue, Buffer.from('held'));
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(received, ['first']);
    const unblocked = once(publisher, 'unblocked');
    broker.broker.setMemoryHighWatermark(0.99);
    await unblocked;
    await waitFor(() => received.length === 2, 5000, 'the held publish');
    assert.deepEqual(received, ['first', 'held']);
  } finally {
    await publisher.close();
    await consumer.close();
    await broker.close();
  }
});
