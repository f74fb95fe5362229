import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  BASIC_ACK_FRAME_SIZE,
  BASIC_NACK_FRAME_SIZE,
  METHODS,
  METHOD_ARGUMENTS,
  MethodId,
  basicDeliverFrameSize,
  classIdOf,
  decodeMethod,
  encodeMethodFrame,
  methodFrameSize,
  methodHasContent,
  methodIdOf,
  methodName,
  writeBasicAckFrame,
  writeBasicDeliverFrame,
  writeBasicNackFrame,
  writeMethodFrame,
} from '../../src/protocol/generated/methods.js';
import type { Method } from '../../src/protocol/generated/methods.js';
import { ProtocolError } from '../../src/protocol/errors.js';
import { EMPTY_TABLE } from '../../src/protocol/field-types.js';
import { tableFromObject, tableToJSON } from '../../src/protocol/field-table.js';
import { methodArbitrary, shortStr } from './arbitraries.js';

function payloadOf(frame: Buffer): Buffer {
  return frame.subarray(7, frame.length - 1);
}

function roundTrip(channel: number, m: Method): Method {
  const frame = encodeMethodFrame(channel, m);
  assert.equal(frame.length, methodFrameSize(m));
  assert.equal(frame[0], 1);
  assert.equal(frame.readUInt16BE(1), channel);
  assert.equal(frame.readUInt32BE(3), frame.length - 8);
  assert.equal(frame[frame.length - 1], 0xce);
  return decodeMethod(payloadOf(frame));
}

describe('generated method codec', () => {
  it('has ids, names and content flags as RabbitMQ', () => {
    assert.equal(MethodId.ConnectionStart, 0x000a000a);
    assert.equal(MethodId.QueueDeclare, 0x0032000a);
    assert.equal(MethodId.BasicPublish, 0x003c0028);
    assert.equal(MethodId.BasicRecoverAsync, 0x003c0064);
    assert.equal(MethodId.ExchangeDeclareOk, 0x0028000b);
    assert.equal(MethodId.ConnectionUpdateSecretOk, 0x000a0047);
    assert.equal(MethodId.TxSelect, 0x005a000a);
    assert.equal(MethodId.ConfirmSelectOk, 0x0055000b);
    assert.equal(MethodId.BasicNack, 0x003c0078);
    assert.equal(methodName(MethodId.QueueDeclare), 'queue.declare');
    assert.equal(methodName(MethodId.BasicConsume), 'basic.consume');
    assert.equal(methodName(MethodId.BasicRecoverAsync), 'basic.recover-async');
    assert.equal(methodName(0x03e7000a), 'unknown');
    assert.equal(classIdOf(MethodId.BasicPublish), 60);
    assert.equal(methodIdOf(MethodId.BasicPublish), 40);
    const content = METHODS.filter((m) => methodHasContent(m.id)).map((m) => m.name);
    assert.deepEqual(content.sort(), ['basic.deliver', 'basic.get-ok', 'basic.publish', 'basic.return']);
    assert.equal(METHODS.length, 66);
    assert.deepEqual(
      METHOD_ARGUMENTS.get(MethodId.QueueDeclare)?.map((a) => a.name),
      ['reserved1', 'queue', 'passive', 'durable', 'exclusive', 'autoDelete', 'noWait', 'arguments'],
    );
  });

  for (const info of METHODS) {
    it(`round-trips ${info.name} with arbitrary arguments`, () => {
      fc.assert(
        fc.property(methodArbitrary(info), fc.nat({ max: 65535 }), (m, ch) => {
          assert.deepStrictEqual(roundTrip(ch, m), m);
        }),
        { numRuns: 60 },
      );
    });
  }

  it('writes at an offset and returns the new offset', () => {
    const m: Method = { id: MethodId.BasicQos, prefetchSize: 0, prefetchCount: 10, global: true };
    const buf = Buffer.alloc(100, 0xaa);
    const end = writeMethodFrame(buf, 13, 3, m);
    assert.equal(end, 13 + methodFrameSize(m));
    assert.equal(buf[12], 0xaa);
    assert.equal(buf[end], 0xaa);
    assert.deepStrictEqual(encodeMethodFrame(3, m), buf.subarray(13, end));
  });

  it('rejects trailing bytes after the arguments with 501, as RabbitMQ does', () => {
    const frame = encodeMethodFrame(1, { id: MethodId.BasicAck, deliveryTag: 7, multiple: true });
    const padded = Buffer.concat([payloadOf(frame), Buffer.from([1, 2, 3])]);
    assert.throws(
      () => decodeMethod(padded),
      (e: unknown) => e instanceof ProtocolError && e.code === 501 && e.classId === 60 && e.methodId === 80,
    );
    const noArgs = Buffer.concat([payloadOf(encodeMethodFrame(1, { id: MethodId.TxSelect })), Buffer.from([0])]);
    assert.throws(() => decodeMethod(noArgs), (e: unknown) => e instanceof ProtocolError && e.code === 501);
  });

  it('decodes longstr as a copy that does not pin the input', () => {
    const frame = encodeMethodFrame(0, { id: MethodId.ConnectionSecureOk, response: Buffer.from('secret') });
    const payload = payloadOf(frame);
    const m = decodeMethod(payload);
    assert.equal(m.id, MethodId.ConnectionSecureOk);
    if (m.id !== MethodId.ConnectionSecureOk) return;
    payload.fill(0);
    assert.equal(m.response.toString(), 'secret');
  });

  it('packs consecutive bits into one octet and more than 8 into two', () => {
    const frame = encodeMethodFrame(1, {
      id: MethodId.ExchangeDeclare,
      reserved1: 0,
      exchange: 'x',
      type: 'topic',
      passive: true,
      durable: false,
      autoDelete: true,
      internal: false,
      noWait: true,
      arguments: EMPTY_TABLE,
    });
    // ids(4) ticket(2) 'x'(2) 'topic'(6) bits(1) table(4)
    assert.equal(frame.readUInt32BE(3), 19);
    assert.equal(frame[7 + 14], 0b10101);
  });

  it('matches a connection.start-ok captured from amqplib 2.3.1', () => {
    const hex =
      '0100000000013b000a000b000001170770726f647563745300000007616d71706c69620776657273696f6e5300000005322e332e31' +
      '08706c6174666f726d53000000104e6f64652e4a53207632302e32302e320b696e666f726d6174696f6e530000002468747470733a2f2f' +
      '616d71702d6e6f64652e6769746875622e696f2f616d71706c69622f0c6361706162696c6974696573460000008c127075626c69736865' +
      '725f636f6e6669726d7374011a65786368616e67655f65786368616e67655f62696e64696e677374010a62617369632e6e61636b740116' +
      '636f6e73756d65725f63616e63656c5f6e6f74696679740112636f6e6e656374696f6e2e626c6f636b656474011c61757468656e746963' +
      '6174696f6e5f6661696c7572655f636c6f7365740105504c41494e0000000c00677565737400677565737405656e5f5553ce';
    const frame = Buffer.from(hex, 'hex');
    const m = decodeMethod(payloadOf(frame));
    assert.equal(m.id, MethodId.ConnectionStartOk);
    if (m.id !== MethodId.ConnectionStartOk) return;
    assert.equal(m.mechanism, 'PLAIN');
    assert.equal(m.locale, 'en_US');
    assert.deepStrictEqual(m.response, Buffer.from('\0guest\0guest'));
    assert.deepStrictEqual(tableToJSON(m.clientProperties), {
      product: 'amqplib',
      version: '2.3.1',
      platform: 'Node.JS v20.20.2',
      information: 'https://amqp-node.github.io/amqplib/',
      capabilities: {
        publisher_confirms: true,
        exchange_exchange_bindings: true,
        'basic.nack': true,
        consumer_cancel_notify: true,
        'connection.blocked': true,
        authentication_failure_close: true,
      },
    });
    // Re-encoding reproduces the client's bytes exactly (key order and types preserved).
    assert.deepStrictEqual(encodeMethodFrame(0, m), frame);
  });

  it('pins the queue.declare layout', () => {
    const frame = encodeMethodFrame(1, {
      id: MethodId.QueueDeclare,
      reserved1: 0,
      queue: 'q',
      passive: false,
      durable: true,
      exclusive: false,
      autoDelete: false,
      noWait: false,
      arguments: tableFromObject({ 'x-max-length': 10 }),
    });
    assert.equal(
      frame.toString('hex'),
      '01' + '0001' + '0000001f' + '0032000a' + '0000' + '0171' + '02' + '00000012' + '0c782d6d61782d6c656e677468' + '49' + '0000000a' + 'ce',
    );
  });

  it('pins the basic.publish layout', () => {
    const frame = encodeMethodFrame(2, {
      id: MethodId.BasicPublish,
      reserved1: 0,
      exchange: 'amq.direct',
      routingKey: 'rk',
      mandatory: true,
      immediate: false,
    });
    assert.equal(frame.toString('hex'), '01000200000015003c00280000' + '0a616d712e646972656374' + '02726b' + '01' + 'ce');
  });

  it('specialised basic.deliver encoder equals the generic one', () => {
    fc.assert(
      fc.property(shortStr, fc.maxSafeNat(), fc.boolean(), shortStr, shortStr, fc.nat({ max: 65535 }), (ct, tag, red, ex, rk, ch) => {
        const size = basicDeliverFrameSize(ct, ex, rk);
        const buf = Buffer.alloc(size + 10);
        const end = writeBasicDeliverFrame(buf, 5, ch, ct, tag, red, ex, rk);
        assert.equal(end, 5 + size);
        const generic = encodeMethodFrame(ch, {
          id: MethodId.BasicDeliver,
          consumerTag: ct,
          deliveryTag: tag,
          redelivered: red,
          exchange: ex,
          routingKey: rk,
        });
        assert.deepStrictEqual(buf.subarray(5, end), generic);
      }),
      { numRuns: 300 },
    );
  });

  it('specialised basic.ack / basic.nack encoders equal the generic ones', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), fc.boolean(), fc.boolean(), fc.nat({ max: 65535 }), (tag, multiple, requeue, ch) => {
        const buf = Buffer.alloc(50);
        assert.equal(writeBasicAckFrame(buf, 1, ch, tag, multiple), 1 + BASIC_ACK_FRAME_SIZE);
        assert.deepStrictEqual(
          buf.subarray(1, 1 + BASIC_ACK_FRAME_SIZE),
          encodeMethodFrame(ch, { id: MethodId.BasicAck, deliveryTag: tag, multiple }),
        );
        assert.equal(writeBasicNackFrame(buf, 0, ch, tag, multiple, requeue), BASIC_NACK_FRAME_SIZE);
        assert.deepStrictEqual(
          buf.subarray(0, BASIC_NACK_FRAME_SIZE),
          encodeMethodFrame(ch, { id: MethodId.BasicNack, deliveryTag: tag, multiple, requeue }),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('rejects an unknown method with 503 COMMAND_INVALID', () => {
    assert.throws(
      () => decodeMethod(Buffer.from([0x03, 0xe7, 0x00, 0x0a])),
      (e: unknown) =>
        e instanceof ProtocolError && e.code === 503 && e.text === 'COMMAND_INVALID - unknown method: class 999, method 10',
    );
  });

  it('rejects truncated arguments with FRAME_ERROR "cannot decode" (RabbitMQ\'s error)', () => {
    const full = payloadOf(
      encodeMethodFrame(1, {
        id: MethodId.QueueDeclare,
        reserved1: 0,
        queue: 'abc',
        passive: false,
        durable: true,
        exclusive: false,
        autoDelete: false,
        noWait: false,
        arguments: tableFromObject({ a: 'b' }),
      }),
    );
    for (let n = 4; n < full.length; n++) {
      assert.throws(
        () => decodeMethod(full.subarray(0, n)),
        (e: unknown) =>
          e instanceof ProtocolError &&
          e.code === 501 &&
          e.text.startsWith('FRAME_ERROR - cannot decode <<') &&
          e.classId === 50 &&
          e.methodId === 10,
        `prefix of ${n} bytes`,
      );
    }
    assert.throws(
      () => decodeMethod(Buffer.from([0, 60, 0, 80, 0, 0, 0])),
      (e: unknown) => e instanceof ProtocolError && e.text === 'FRAME_ERROR - cannot decode <<0,0,0>>',
    );
  });

  it('rejects a payload shorter than class-id + method-id', () => {
    assert.throws(
      () => decodeMethod(Buffer.from([0, 10, 0])),
      (e: unknown) => e instanceof ProtocolError && e.code === 501,
    );
  });

  it('rejects a bad table inside arguments', () => {
    // queue.declare with arguments table containing unknown type 'Z'
    const payload = Buffer.from('0032000a0000017100' + '00000003' + '01615a', 'hex');
    // RabbitMQ's parser has no clause for an unknown type: the connection is dropped silently.
    assert.throws(() => decodeMethod(payload), (e: unknown) => e instanceof ProtocolError && e.silent);
  });

  it('rejects a delivery tag above 2^53 - 1', () => {
    const payload = Buffer.from('003c0050' + '0020000000000000' + '00', 'hex');
    assert.throws(() => decodeMethod(payload), (e: unknown) => e instanceof ProtocolError);
    const ok = Buffer.from('003c0050' + '001fffffffffffff' + '00', 'hex');
    assert.deepStrictEqual(decodeMethod(ok), { id: MethodId.BasicAck, deliveryTag: Number.MAX_SAFE_INTEGER, multiple: false });
  });

  it('refuses to encode a shortstr longer than 255 bytes', () => {
    assert.throws(
      () => encodeMethodFrame(1, { id: MethodId.BasicConsumeOk, consumerTag: 'é'.repeat(128) }),
      RangeError,
    );
  });
});
