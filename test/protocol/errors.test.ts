import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolError, amqpError, erlangBinary, replyText } from '../../src/protocol/errors.js';
import { ReplyCode, isSoftError, replyCodeName } from '../../src/protocol/constants.js';

describe('errors and constants', () => {
  it('names reply codes as RabbitMQ', () => {
    assert.equal(replyCodeName(ReplyCode.NotFound), 'NOT_FOUND');
    assert.equal(replyCodeName(ReplyCode.PreconditionFailed), 'PRECONDITION_FAILED');
    assert.equal(replyCodeName(ReplyCode.FrameError), 'FRAME_ERROR');
    assert.equal(replyCodeName(ReplyCode.ReplySuccess), 'REPLY_SUCCESS');
    assert.equal(replyCodeName(999), 'UNKNOWN_ERROR');
    for (const code of Object.values(ReplyCode)) assert.notEqual(replyCodeName(code), 'UNKNOWN_ERROR');
    assert.ok(isSoftError(404) && !isSoftError(501));
  });

  it('builds reply texts of at most 255 bytes', () => {
    const e = amqpError(404, "no queue 'q' in vhost '/'", 50, 10);
    assert.ok(e instanceof ProtocolError && e instanceof Error);
    assert.equal(e.text, "NOT_FOUND - no queue 'q' in vhost '/'");
    assert.equal(e.message, e.text);
    assert.equal(e.classId, 50);
    assert.equal(e.methodId, 10);
    const long = replyText(406, 'x'.repeat(300));
    assert.equal(Buffer.byteLength(long), 255);
    assert.ok(long.endsWith('...'));
    const multi = replyText(406, 'é'.repeat(300));
    assert.ok(Buffer.byteLength(multi) <= 255);
    assert.ok(!multi.includes('\uFFFD'));
  });

  it('formats binaries like Erlang', () => {
    assert.equal(erlangBinary(Buffer.alloc(0)), '<<>>');
    assert.equal(erlangBinary(Buffer.from([0, 10, 255])), '<<0,10,255>>');
    assert.equal(erlangBinary(Buffer.from('ab"c\n')), '<<"ab\\"c\\n">>');
    assert.equal(erlangBinary(Buffer.from('abc'), 64, false), '<<97,98,99>>');
  });
});
