/**
 * The opening handshake on the wire: protocol header negotiation, connection.start and
 * connection.tune contents, refused logins and vhosts, tuning limits, channel_max and
 * heartbeats. Expected bytes and texts are what RabbitMQ 3.x sends.
 */
import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startTestBroker, inProcessOnly } from '../support/broker.js';
import type { TestBroker } from '../support/broker.js';
import { RawClient, PROTOCOL_HEADER, FRAME_HEARTBEAT, enc, frame, assertBrokerHealthy } from '../support/raw-client.js';
import type { TableValue } from '../support/raw-client.js';

let broker: TestBroker;
const open: RawClient[] = [];

before(async () => {
  broker = await startTestBroker();
});
afterEach(async () => {
  for (const c of open.splice(0)) c.destroy();
  await assertBrokerHealthy(broker.port, broker.host);
});
after(() => broker?.close());

const T = { timeout: 20_000 };

async function connect(): Promise<RawClient> {
  const c = await RawClient.connect(broker.port, broker.host);
  open.push(c);
  return c;
}

/** Sends the protocol header and start-ok; leaves the client waiting for tune (or a close). */
async function startOk(
  c: RawClient,
  opts: { user?: string; pass?: string; mechanism?: string; clientProperties?: { [key: string]: TableValue } } = {},
): Promise<void> {
  c.write(PROTOCOL_HEADER);
  await c.expectMethod(10, 10, 0);
  c.sendMethod(
    0,
    10,
    11,
    Buffer.concat([
      enc.table(opts.clientProperties ?? { capabilities: { authentication_failure_close: true } }),
      enc.shortstr(opts.mechanism ?? 'PLAIN'),
      enc.longstr(`\u0000${opts.user ?? broker.username}\u0000${opts.pass ?? broker.password}`),
      enc.shortstr('en_US'),
    ]),
  );
}

function tuneOk(c: RawClient, channelMax: number, frameMax: number, heartbeat: number): void {
  c.sendMethod(0, 10, 31, Buffer.concat([enc.short(channelMax), enc.long(frameMax), enc.short(heartbeat)]));
}

function connectionOpen(c: RawClient, vhost = '/'): void {
  c.sendMethod(0, 10, 40, Buffer.concat([enc.shortstr(vhost), enc.shortstr(''), enc.bits(false)]));
}

/**
 * RabbitMQ answers handshake errors after start-ok (bad mechanism, bad tune-ok values,
 * out-of-order methods, a login refused to a client without authentication_failure_close)
 * by closing the socket without sending any frame (after a short delay, ~3s).
 */
async function expectSilentClose(c: RawClient, timeoutMs = 10_000): Promise<void> {
  await c.waitClosed(timeoutMs);
  assert.equal(c.pending().length, 0, 'no bytes expected before the socket closes');
}

describe('protocol header', () => {
  for (const [name, header] of [
    ['AMQP 0-9-2', Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 2])],
    ['AMQP 1.0', Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 1, 0, 0])],
    ['HTTP', Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n', 'latin1')],
  ] as const) {
    test(`an unsupported header (${name}) gets AMQP 0-9-1 back and the socket is closed`, T, async () => {
      const c = await connect();
      c.write(header);
      const reply = await c.readBytes(8);
      assert.deepEqual(reply, PROTOCOL_HEADER);
      await c.waitClosed();
      assert.equal(c.pending().length, 0);
    });
  }

  test('the correct header gets connection.start', T, async () => {
    const c = await connect();
    c.write(PROTOCOL_HEADER);
    const start = await c.expectMethod(10, 10, 0);
    assert.equal(start.args.octet(), 0, 'version-major');
    assert.equal(start.args.octet(), 9, 'version-minor');
  });
});

describe('connection.start and connection.tune', () => {
  test('connection.start advertises PLAIN and AMQPLAIN, en_US and the capabilities', T, async () => {
    const c = await connect();
    await c.handshake({ username: broker.username, password: broker.password });
    const start = c.start;
    assert.ok(start !== undefined);
    assert.equal(start.versionMajor, 0);
    assert.equal(start.versionMinor, 9);
    assert.deepEqual(start.mechanisms.split(' ').sort(), ['AMQPLAIN', 'PLAIN']);
    assert.equal(start.locales, 'en_US');
    assert.deepEqual(start.serverProperties['capabilities'], {
      publisher_confirms: true,
      exchange_exchange_bindings: true,
      'basic.nack': true,
      consumer_cancel_notify: true,
      'connection.blocked': true,
      consumer_priorities: true,
      authentication_failure_close: true,
      per_consumer_qos: true,
      direct_reply_to: true,
    });
    for (const key of ['product', 'version', 'platform', 'copyright', 'information']) {
      assert.equal(typeof start.serverProperties[key], 'string', `server property ${key}`);
    }
    await c.close();
  });

  test('connection.tune proposes channel_max 2047, frame_max 131072, heartbeat 60', T, async () => {
    const c = await connect();
    const tune = await c.handshake({ username: broker.username, password: broker.password });
    assert.deepEqual(tune, { channelMax: 2047, frameMax: 131072, heartbeat: 60 });
    await c.close();
  });

  test('a missing vhost: connection.close 530 NOT_ALLOWED on connection.open', T, async () => {
    const c = await connect();
    await startOk(c);
    await c.expectMethod(10, 30, 0);
    tuneOk(c, 2047, 131072, 0);
    connectionOpen(c, 'no-such-vhost');
    const close = await c.expectConnectionClose();
    assert.deepEqual(close, {
      replyCode: 530,
      replyText: 'NOT_ALLOWED - vhost no-such-vhost not found',
      classId: 10,
      methodId: 40,
    });
    await c.waitClosed();
  });

  test('a wrong password: connection.close 403 ACCESS_REFUSED (client has authentication_failure_close)', T, async () => {
    const c = await connect();
    await startOk(c, { pass: 'wrong-password' });
    const close = await c.expectConnectionClose();
    assert.deepEqual(close, {
      replyCode: 403,
      replyText:
        'ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN. For details see the broker logfile.',
      classId: 0,
      methodId: 0,
    });
    await c.waitClosed();
  });

  test('a wrong password without authentication_failure_close: socket closed, no frame', T, async () => {
    const c = await connect();
    await startOk(c, { pass: 'wrong-password', clientProperties: {} });
    await expectSilentClose(c);
  });

  test('an unknown SASL mechanism: socket closed, no frame', T, async () => {
    const c = await connect();
    await startOk(c, { mechanism: 'SCRAM-NOPE' });
    await expectSilentClose(c);
  });

  test('an out-of-order method instead of start-ok: socket closed, no frame', T, async () => {
    const c = await connect();
    c.write(PROTOCOL_HEADER);
    await c.expectMethod(10, 10, 0);
    tuneOk(c, 2047, 131072, 0);
    await expectSilentClose(c);
  });

  test('connection.open before tune-ok: socket closed, no frame', T, async () => {
    const c = await connect();
    await startOk(c);
    await c.expectMethod(10, 30, 0);
    connectionOpen(c);
    await expectSilentClose(c);
  });

  test('channel.open before connection.open: 505 UNEXPECTED_FRAME', T, async () => {
    const c = await connect();
    await startOk(c);
    await c.expectMethod(10, 30, 0);
    tuneOk(c, 2047, 131072, 0);
    c.sendMethod(1, 20, 10, enc.shortstr(''));
    const close = await c.expectConnectionClose();
    assert.deepEqual(close, {
      replyCode: 505,
      replyText: 'UNEXPECTED_FRAME - type 1, all octets = <<0,20,0,10,0>>',
      classId: 0,
      methodId: 0,
    });
  });

  for (const [name, channelMax, frameMax] of [
    ['frame_max below the 4096 minimum', 2047, 1024],
    ['frame_max above the server maximum', 2047, 131072 + 1],
    ['frame_max 0 (unlimited)', 2047, 0],
    ['channel_max above the server maximum', 2048, 131072],
    ['channel_max 0 (unlimited)', 0, 131072],
  ] as const) {
    test(`tune-ok with ${name}: socket closed, no frame`, T, async () => {
      const c = await connect();
      await startOk(c);
      await c.expectMethod(10, 30, 0);
      tuneOk(c, channelMax, frameMax, 0);
      connectionOpen(c);
      await expectSilentClose(c);
    });
  }

  test('tune-ok with the minimum frame_max 4096 is accepted', T, async () => {
    const c = await connect();
    await startOk(c);
    await c.expectMethod(10, 30, 0);
    tuneOk(c, 2047, 4096, 0);
    connectionOpen(c);
    await c.expectMethod(10, 41, 0);
    await c.close();
  });

  test('an incomplete protocol header is closed by the handshake timeout (10s)', { timeout: 20_000 }, async () => {
    const c = await connect();
    c.write(Buffer.from('AMQ', 'latin1'));
    await c.waitClosed(15_000);
    assert.equal(c.pending().length, 0);
  });
});

describe('channel_max', () => {
  test('opening more channels than the negotiated channel_max: 530 NOT_ALLOWED', T, async () => {
    const c = await RawClient.open(broker.port, broker.host, {
      username: broker.username,
      password: broker.password,
      channelMax: 10,
    });
    open.push(c);
    for (let ch = 1; ch <= 10; ch++) await c.openChannel(ch);
    c.sendMethod(11, 20, 10, enc.shortstr(''));
    const close = await c.expectConnectionClose();
    assert.deepEqual(close, {
      replyCode: 530,
      replyText: 'NOT_ALLOWED - number of channels opened (10) has reached the negotiated channel_max (10)',
      classId: 0,
      methodId: 0,
    });
    await c.waitClosed();
  });

  test('channel_max limits the number of open channels, not the channel number', T, async () => {
    const c = await RawClient.open(broker.port, broker.host, {
      username: broker.username,
      password: broker.password,
      channelMax: 10,
    });
    open.push(c);
    await c.openChannel(11);
    await c.openChannel(2047);
    await c.close();
  });
});

describe('heartbeats', () => {
  test('with heartbeat 1 the server sends heartbeat frames on channel 0 about every 0.5s', T, async () => {
    const c = await RawClient.open(broker.port, broker.host, {
      username: broker.username,
      password: broker.password,
      heartbeat: 1,
    });
    open.push(c);
    const started = Date.now();
    for (let i = 0; i < 3; i++) {
      const f = await c.nextFrame(2000);
      assert.equal(f.type, FRAME_HEARTBEAT);
      assert.equal(f.channel, 0);
      assert.equal(f.payload.length, 0);
      c.write(frame(FRAME_HEARTBEAT, 0, Buffer.alloc(0)));
    }
    assert.ok(Date.now() - started < 2900, 'three heartbeats within ~1.5s');
    await c.close();
  });

  test('a client that sends nothing for 2 heartbeat intervals is disconnected without a close frame', T, async () => {
    const c = await RawClient.open(broker.port, broker.host, {
      username: broker.username,
      password: broker.password,
      heartbeat: 1,
    });
    open.push(c);
    const started = Date.now();
    for (;;) {
      let f;
      try {
        f = await c.nextFrame(5000);
      } catch {
        break;
      }
      assert.equal(f.type, FRAME_HEARTBEAT, 'only heartbeats expected before the disconnect');
    }
    assert.ok(c.isClosed, 'the server closed the socket');
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 1500 && elapsed < 6000, `disconnected after ${elapsed}ms`);
  });

  test('a client that keeps sending heartbeats stays connected', T, async () => {
    const c = await RawClient.open(broker.port, broker.host, {
      username: broker.username,
      password: broker.password,
      heartbeat: 1,
    });
    open.push(c);
    const timer = setInterval(() => c.write(frame(FRAME_HEARTBEAT, 0, Buffer.alloc(0))), 300);
    try {
      const until = Date.now() + 3500;
      while (Date.now() < until) {
        const f = await c.nextFrame(2000);
        assert.equal(f.type, FRAME_HEARTBEAT);
      }
      assert.equal(c.isClosed, false);
      await c.openChannel(1);
    } finally {
      clearInterval(timer);
    }
    await c.close();
  });
});

describe('a broker configured with heartbeat 1 (in-process only)', { skip: inProcessOnly }, () => {
  let hb: TestBroker;
  before(async () => {
    hb = await startTestBroker({ heartbeat: 1 });
  });
  after(() => hb?.close());

  test('connection.tune proposes the configured heartbeat', T, async () => {
    const c = await RawClient.connect(hb.port, hb.host);
    open.push(c);
    const tune = await c.handshake({ username: hb.username, password: hb.password, heartbeat: 1 });
    assert.equal(tune.heartbeat, 1);
    await c.close();
  });

  test('a client that accepts it gets heartbeats and is dropped when silent', T, async () => {
    const c = await RawClient.open(hb.port, hb.host, { username: hb.username, password: hb.password, heartbeat: 1 });
    open.push(c);
    const first = await c.nextFrame(2000);
    assert.equal(first.type, FRAME_HEARTBEAT);
    await c.waitClosed(6000);
  });
});
