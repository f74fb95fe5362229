/**
 * A client that sends requests without reading the replies must not make the broker buffer
 * replies without bound: past a limit the broker stops reading that socket (TCP back-pressure),
 * and every reply still arrives once the client reads again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker } from '../../src/index.js';
import { enc, methodFrame, RawClient } from '../support/raw-client.js';
import { waitFor } from '../support/wait.js';

test('replies a client does not read stay bounded, and none is lost', { timeout: 60_000 }, async () => {
  const broker = await startBroker({ port: 0 });
  const c = await RawClient.open(broker.port);
  try {
    c.sendMethod(1, 20, 10, enc.shortstr(''));
    await c.expectMethod(20, 11, 1);
    c.socket.pause();
    // queue.declare passive of the direct reply-to pseudo-queue: ~41 bytes in, ~42 bytes out.
    const request = methodFrame(1, 50, 10, Buffer.concat([enc.short(0), enc.shortstr('amq.rabbitmq.reply-to'), enc.bits(true), enc.table({})]));
    const count = 1_000_000;
    const batch = Buffer.concat(Array.from({ length: 1000 }, () => request));
    for (let i = 0; i < count / 1000; i++) c.socket.write(batch);
    const [connection] = [...broker.broker.connections];
    assert.ok(connection);
    let maxBuffered = 0;
    await waitFor(
      () => {
        maxBuffered = Math.max(maxBuffered, connection.writer.bufferedBytes);
        return connection.writer.bufferedBytes > 4 * 1024 * 1024;
      },
      10_000,
      'the broker to buffer replies up to its limit',
    );
    // The broker stopped reading: its buffer does not keep growing.
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 25));
      maxBuffered = Math.max(maxBuffered, connection.writer.bufferedBytes);
    }
    assert.ok(maxBuffered < 6 * 1024 * 1024, `buffered ${maxBuffered} bytes`);
    c.socket.resume();
    for (let i = 0; i < count; i++) await c.expectMethod(50, 11, 1, 10_000);
  } finally {
    c.destroy();
    await broker.close();
  }
});
