import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ContentAssembler } from '../../src/amqp/content-assembler.js';
import { AmqpError } from '../../src/broker/errors.js';
import { MethodId, type BasicPublish } from '../../src/protocol/generated/methods.js';
import { propertiesSize, writeProperties, type BasicProperties } from '../../src/protocol/generated/properties.js';

const publish: BasicPublish = { id: MethodId.BasicPublish, reserved1: 0, exchange: 'x', routingKey: 'k', mandatory: false, immediate: false };

function header(bodySize: number, properties: BasicProperties = {}, classId = 60): Buffer {
  const buf = Buffer.alloc(12 + propertiesSize(properties));
  buf.writeUInt16BE(classId, 0);
  buf.writeBigUInt64BE(BigInt(bodySize), 4);
  writeProperties(buf, 12, properties);
  return buf;
}

function expectError(fn: () => unknown, code: number, text: RegExp): void {
  assert.throws(fn, (err: unknown) => err instanceof AmqpError && err.code === code && text.test(err.text));
}

test('an empty body completes at the header', () => {
  const a = new ContentAssembler(1024);
  a.start(publish);
  const content = a.onHeader(header(0, { contentType: 'text/plain' }));
  assert.ok(content);
  assert.equal(content.body.length, 0);
  assert.equal(content.properties.contentType, 'text/plain');
  assert.equal(a.busy, false);
});

test('body frames of any split are joined in order, and the header is kept byte for byte', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 2000 }), fc.array(fc.nat(2000), { maxLength: 8 }), (bytes, cuts) => {
      const body = Buffer.from(bytes);
      const points = [...new Set(cuts.map((c) => c % body.length).filter((c) => c > 0))].sort((x, y) => x - y);
      const a = new ContentAssembler(1 << 20);
      a.start(publish);
      const h = header(body.length, { priority: 3, headers: new Map([['a', { type: 'I', value: 1 }]]) });
      assert.equal(a.onHeader(h), undefined);
      let start = 0;
      let result;
      for (const end of [...points, body.length]) {
        result = a.onBody(body.subarray(start, end));
        if (end < body.length) assert.equal(result, undefined);
        start = end;
      }
      assert.ok(result);
      assert.deepEqual(result.body, body);
      assert.deepEqual(result.header, h);
      assert.equal(result.properties.priority, 3);
    }),
    { numRuns: 300 },
  );
});

test('out-of-order frames are 505 UNEXPECTED_FRAME with RabbitMQ texts', () => {
  const a = new ContentAssembler(1024);
  expectError(() => a.onHeader(header(1)), 505, /^UNEXPECTED_FRAME - expected method frame, got non method frame instead$/);
  expectError(() => a.onBody(Buffer.from('x')), 505, /^UNEXPECTED_FRAME - expected method frame/);
  a.start(publish);
  expectError(() => a.checkMethodAllowed(), 505, /expected content header for class 60, got non content header frame instead/);
  expectError(() => a.onBody(Buffer.from('x')), 505, /expected content header for class 60/);
  const b = new ContentAssembler(1024);
  b.start(publish);
  expectError(() => b.onHeader(header(1, {}, 50)), 505, /got one for class 50 instead/);
});

test('a body longer than its header declared never completes, and the next method is refused', () => {
  const a = new ContentAssembler(1024);
  a.start(publish);
  a.onHeader(header(3));
  assert.equal(a.onBody(Buffer.from('four')), undefined);
  assert.equal(a.onBody(Buffer.from('more')), undefined);
  expectError(() => a.checkMethodAllowed(), 505, /^UNEXPECTED_FRAME - expected content body, got non content body frame instead$/);
});

test('errors name the method whose content was expected', () => {
  const a = new ContentAssembler(1024);
  a.start(publish);
  assert.throws(
    () => a.checkMethodAllowed(),
    (err: unknown) => err instanceof AmqpError && err.classId === 60 && err.methodId === 40,
  );
});

test('a message over the size limit is 406 and the assembler is reset', () => {
  const a = new ContentAssembler(10);
  a.start(publish);
  expectError(() => a.onHeader(header(11)), 406, /^PRECONDITION_FAILED - message size 11 is larger than configured max size 10$/);
  assert.equal(a.busy, false);
});
