/**
 * Random frames after a valid handshake — valid methods with random arguments, publishes with
 * random content, garbage — never crash the broker, and a fresh connection still works after
 * each run. (An exception escaping the broker would kill this test process.)
 */
import { test } from 'node:test';
import fc from 'fast-check';
import { startBroker } from '../../src/index.js';
import { encodeMethodFrame, MethodId } from '../../src/protocol/generated/methods.js';
import { anyMethod, basicProperties } from '../protocol/arbitraries.js';
import { assertBrokerHealthy, contentHeaderPayload, enc, frame, methodFrame, RawClient } from '../support/raw-client.js';
import { writeProperties, propertiesSize } from '../../src/protocol/generated/properties.js';

const channelId = fc.constantFrom(0, 1, 1, 1, 2, 3);

const methodFrameArb = fc.tuple(channelId, anyMethod).map(([ch, m]) => encodeMethodFrame(ch, m));

/** A publish of random content, sometimes with a body size that lies. */
const publishArb = fc
  .tuple(fc.constantFrom('', 'amq.direct', 'amq.topic', 'nope'), fc.string({ maxLength: 20 }), basicProperties, fc.uint8Array({ maxLength: 300 }), fc.integer({ min: -2, max: 2 }))
  .map(([exchange, key, props, body, lie]) => {
    const header = Buffer.alloc(12 + propertiesSize(props));
    header.writeUInt16BE(60, 0);
    header.writeBigUInt64BE(BigInt(Math.max(0, body.length + lie)), 4);
    writeProperties(header, 12, props);
    const publish = encodeMethodFrame(1, { id: MethodId.BasicPublish, reserved1: 0, exchange, routingKey: key, mandatory: true, immediate: false });
    return Buffer.concat([publish, frame(2, 1, header), frame(3, 1, Buffer.from(body))]);
  });

const garbageArb = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 255 }), channelId, fc.uint8Array({ maxLength: 64 })).map(([t, ch, p]) => frame(t, ch, Buffer.from(p))),
  fc.tuple(channelId, fc.uint8Array({ maxLength: 64 })).map(([ch, p]) => frame(1, ch, Buffer.from(p))),
  fc.tuple(channelId, fc.nat(100)).map(([ch, size]) => frame(2, ch, contentHeaderPayload(size))),
  fc.uint8Array({ minLength: 1, maxLength: 32 }).map((u) => Buffer.from(u)),
);

const stepArb = fc.oneof(
  { arbitrary: methodFrameArb, weight: 4 },
  { arbitrary: publishArb, weight: 3 },
  { arbitrary: garbageArb, weight: 1 },
);

test('random input never crashes the broker', { timeout: 120_000 }, async () => {
  const broker = await startBroker({ port: 0 });
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 25 }), async (steps) => {
        const c = await RawClient.open(broker.port);
        try {
          c.socket.write(methodFrame(1, 20, 10, enc.shortstr('')));
          for (const bytes of steps) c.socket.write(bytes);
          await Promise.race([c.waitClosed(150).catch(() => undefined), new Promise((r) => setTimeout(r, 150))]);
        } finally {
          c.destroy();
        }
      }),
      { numRuns: 60 },
    );
    await assertBrokerHealthy(broker.port);
  } finally {
    await broker.close();
  }
});
