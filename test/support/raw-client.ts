/**
 * A deliberately tiny AMQP 0-9-1 client over a raw net.Socket, for wire-level tests.
 *
 * It encodes by hand only the few methods the tests need, independently of the broker's
 * codec, and lets a test send arbitrary (malformed) bytes and read back exactly what the
 * server answers: frames, or raw bytes such as a protocol-header reply.
 */
import net from 'node:net';

export const FRAME_METHOD = 1;
export const FRAME_HEADER = 2;
export const FRAME_BODY = 3;
export const FRAME_HEARTBEAT = 8;
export const FRAME_END = 0xce;

export const PROTOCOL_HEADER = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1]); // "AMQP" 0 0 9 1

// ---------------------------------------------------------------------------------------
// Encoding

export type TableValue = string | number | boolean | null | Buffer | TableValue[] | { [key: string]: TableValue };

export const enc = {
  octet(n: number): Buffer {
    const b = Buffer.alloc(1);
    b.writeUInt8(n);
    return b;
  },
  short(n: number): Buffer {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(n);
    return b;
  },
  long(n: number): Buffer {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  },
  longlong(n: number | bigint): Buffer {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(n));
    return b;
  },
  shortstr(s: string): Buffer {
    const body = Buffer.from(s, 'utf8');
    if (body.length > 255) throw new RangeError('shortstr longer than 255 bytes');
    return Buffer.concat([enc.octet(body.length), body]);
  },
  longstr(s: string | Buffer): Buffer {
    const body = typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
    return Buffer.concat([enc.long(body.length), body]);
  },
  /** Packs booleans into octets, least significant bit first, as the spec's bit fields. */
  bits(...flags: boolean[]): Buffer {
    const out = Buffer.alloc(Math.max(1, Math.ceil(flags.length / 8)));
    flags.forEach((f, i) => {
      if (f) out[i >> 3] = (out[i >> 3] ?? 0) | (1 << (i & 7));
    });
    return out;
  },
  value(v: TableValue): Buffer {
    if (v === null) return Buffer.from('V');
    if (typeof v === 'string') return Buffer.concat([Buffer.from('S'), enc.longstr(v)]);
    if (typeof v === 'boolean') return Buffer.from([0x74, v ? 1 : 0]);
    if (typeof v === 'number') {
      if (Number.isInteger(v) && v >= -0x80000000 && v < 0x80000000) {
        const b = Buffer.alloc(5);
        b.write('I');
        b.writeInt32BE(v, 1);
        return b;
      }
      const b = Buffer.alloc(9);
      b.write('d');
      b.writeDoubleBE(v, 1);
      return b;
    }
    if (Buffer.isBuffer(v)) return Buffer.concat([Buffer.from('x'), enc.longstr(v)]);
    if (Array.isArray(v)) {
      const items = Buffer.concat(v.map((x) => enc.value(x)));
      return Buffer.concat([Buffer.from('A'), enc.long(items.length), items]);
    }
    return Buffer.concat([Buffer.from('F'), enc.table(v)]);
  },
  table(t: { [key: string]: TableValue }): Buffer {
    const parts: Buffer[] = [];
    for (const [k, v] of Object.entries(t)) parts.push(enc.shortstr(k), enc.value(v));
    const body = Buffer.concat(parts);
    return Buffer.concat([enc.long(body.length), body]);
  },
};

/** A whole frame: type, channel, size, payload, frame-end (overridable for malformed tests). */
export function frame(type: number, channel: number, payload: Buffer, frameEnd = FRAME_END): Buffer {
  const head = Buffer.alloc(7);
  head.writeUInt8(type, 0);
  head.writeUInt16BE(channel, 1);
  head.writeUInt32BE(payload.length, 3);
  return Buffer.concat([head, payload, enc.octet(frameEnd)]);
}

export function methodPayload(classId: number, methodId: number, args: Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([enc.short(classId), enc.short(methodId), args]);
}

export function methodFrame(channel: number, classId: number, methodId: number, args?: Buffer): Buffer {
  return frame(FRAME_METHOD, channel, methodPayload(classId, methodId, args));
}

export interface BasicProperties {
  contentType?: string;
  deliveryMode?: number;
  headers?: { [key: string]: TableValue };
  correlationId?: string;
  replyTo?: string;
  userId?: string;
}

/** Content header payload for class basic (60) with a subset of the properties. */
export function contentHeaderPayload(bodySize: number | bigint, props: BasicProperties = {}): Buffer {
  let flags = 0;
  const list: Buffer[] = [];
  if (props.contentType !== undefined) {
    flags |= 1 << 15;
    list.push(enc.shortstr(props.contentType));
  }
  if (props.headers !== undefined) {
    flags |= 1 << 13;
    list.push(enc.table(props.headers));
  }
  if (props.deliveryMode !== undefined) {
    flags |= 1 << 12;
    list.push(enc.octet(props.deliveryMode));
  }
  if (props.correlationId !== undefined) {
    flags |= 1 << 10;
    list.push(enc.shortstr(props.correlationId));
  }
  if (props.replyTo !== undefined) {
    flags |= 1 << 9;
    list.push(enc.shortstr(props.replyTo));
  }
  if (props.userId !== undefined) {
    flags |= 1 << 4;
    list.push(enc.shortstr(props.userId));
  }
  return Buffer.concat([enc.short(60), enc.short(0), enc.longlong(bodySize), enc.short(flags), ...list]);
}

// ---------------------------------------------------------------------------------------
// Decoding

export class Reader {
  offset = 0;
  constructor(readonly buf: Buffer) {}
  octet(): number {
    const v = this.buf.readUInt8(this.offset);
    this.offset += 1;
    return v;
  }
  short(): number {
    const v = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }
  long(): number {
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }
  longlong(): bigint {
    const v = this.buf.readBigUInt64BE(this.offset);
    this.offset += 8;
    return v;
  }
  bytes(n: number): Buffer {
    if (this.offset + n > this.buf.length) throw new RangeError('read past end');
    const v = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }
  shortstr(): string {
    return this.bytes(this.octet()).toString('utf8');
  }
  longstr(): Buffer {
    return this.bytes(this.long());
  }
  table(): Record<string, unknown> {
    const r = new Reader(this.longstr());
    const out: Record<string, unknown> = {};
    while (r.offset < r.buf.length) {
      const key = r.shortstr();
      out[key] = r.value();
    }
    return out;
  }
  value(): unknown {
    const tag = String.fromCharCode(this.octet());
    switch (tag) {
      case 't':
        return this.octet() !== 0;
      case 'b':
        return this.bytes(1).readInt8(0);
      case 'B':
        return this.octet();
      case 's':
        return this.bytes(2).readInt16BE(0);
      case 'u':
        return this.short();
      case 'I':
        return this.bytes(4).readInt32BE(0);
      case 'i':
        return this.long();
      case 'l':
        return this.bytes(8).readBigInt64BE(0);
      case 'f':
        return this.bytes(4).readFloatBE(0);
      case 'd':
        return this.bytes(8).readDoubleBE(0);
      case 'D':
        return { scale: this.octet(), value: this.long() };
      case 'S':
        return this.longstr().toString('utf8');
      case 'x':
        return this.longstr();
      case 'T':
        return this.longlong();
      case 'V':
        return null;
      case 'F':
        return this.table();
      case 'A': {
        const r = new Reader(this.longstr());
        const items: unknown[] = [];
        while (r.offset < r.buf.length) items.push(r.value());
        return items;
      }
      default:
        throw new Error(`unknown field type ${JSON.stringify(tag)}`);
    }
  }
}

export interface Frame {
  readonly type: number;
  readonly channel: number;
  readonly payload: Buffer;
}

export interface Method {
  readonly channel: number;
  readonly classId: number;
  readonly methodId: number;
  readonly args: Reader;
}

export interface CloseReason {
  readonly replyCode: number;
  readonly replyText: string;
  readonly classId: number;
  readonly methodId: number;
}

export function asMethod(f: Frame): Method {
  if (f.type !== FRAME_METHOD) throw new Error(`expected a method frame, got frame type ${f.type}`);
  const r = new Reader(f.payload);
  const classId = r.short();
  const methodId = r.short();
  return { channel: f.channel, classId, methodId, args: r };
}

export function describeFrame(f: Frame): string {
  if (f.type === FRAME_METHOD && f.payload.length >= 4) {
    return `method ${f.payload.readUInt16BE(0)}.${f.payload.readUInt16BE(2)} on channel ${f.channel}`;
  }
  return `frame type ${f.type} on channel ${f.channel} (${f.payload.length} bytes)`;
}

function readClose(m: Method): CloseReason {
  return {
    replyCode: m.args.short(),
    replyText: m.args.shortstr(),
    classId: m.args.short(),
    methodId: m.args.short(),
  };
}

// ---------------------------------------------------------------------------------------
// The client

export interface HandshakeOptions {
  username?: string;
  password?: string;
  vhost?: string;
  frameMax?: number;
  channelMax?: number;
  heartbeat?: number;
  clientProperties?: { [key: string]: TableValue };
}

export interface Tune {
  readonly channelMax: number;
  readonly frameMax: number;
  readonly heartbeat: number;
}

export interface Start {
  readonly versionMajor: number;
  readonly versionMinor: number;
  readonly serverProperties: Record<string, unknown>;
  readonly mechanisms: string;
  readonly locales: string;
}

export class RawClient {
  private buffer: Buffer = Buffer.alloc(0);
  private ended = false;
  private socketError: Error | undefined;
  private waiters: (() => void)[] = [];
  private readonly closedPromise: Promise<void>;
  start: Start | undefined;
  tune: Tune | undefined;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake();
    });
    this.closedPromise = new Promise<void>((resolve) => {
      socket.on('close', () => {
        this.ended = true;
        this.wake();
        resolve();
      });
    });
    socket.on('end', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', (err) => {
      this.socketError = err;
      this.ended = true;
      this.wake();
    });
  }

  static connect(port: number, host = '127.0.0.1', timeoutMs = 5000): Promise<RawClient> {
    return new Promise<RawClient>((resolve, reject) => {
      const socket = net.connect({ port, host });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`raw connect to ${host}:${port} timed out`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeListener('error', reject);
        socket.setNoDelay(true);
        resolve(new RawClient(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Connects and completes the handshake (heartbeat 0 by default). */
  static async open(port: number, host = '127.0.0.1', opts: HandshakeOptions = {}): Promise<RawClient> {
    const c = await RawClient.connect(port, host);
    try {
      await c.handshake(opts);
    } catch (err) {
      c.destroy();
      throw err;
    }
    return c;
  }

  private wake(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  private async waitForData(ready: () => boolean, timeoutMs: number, label: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      if (this.ended) throw new Error(`socket closed while waiting for ${label}`);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out after ${timeoutMs}ms waiting for ${label}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  get isClosed(): boolean {
    return this.ended;
  }

  get error(): Error | undefined {
    return this.socketError;
  }

  write(bytes: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  sendFrame(type: number, channel: number, payload: Buffer, frameEnd = FRAME_END): void {
    this.write(frame(type, channel, payload, frameEnd));
  }

  sendMethod(channel: number, classId: number, methodId: number, args: Buffer = Buffer.alloc(0)): void {
    this.write(methodFrame(channel, classId, methodId, args));
  }

  /** Waits for `n` raw bytes (for non-frame replies such as a protocol header). */
  async readBytes(n: number, timeoutMs = 5000): Promise<Buffer> {
    await this.waitForData(() => this.buffer.length >= n, timeoutMs, `${n} bytes`);
    const out = this.buffer.subarray(0, n);
    this.buffer = this.buffer.subarray(n);
    return out;
  }

  /** Everything received and not yet consumed. */
  pending(): Buffer {
    return this.buffer;
  }

  /** Resolves when the server has closed the socket; rejects on timeout. */
  async waitClosed(timeoutMs = 5000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.closedPromise,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`socket not closed by server within ${timeoutMs}ms`)), timeoutMs);
        }),
      ]);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  /** The next complete frame (including heartbeats). */
  async nextFrame(timeoutMs = 5000): Promise<Frame> {
    const complete = (): boolean =>
      this.buffer.length >= 7 && this.buffer.length >= 8 + this.buffer.readUInt32BE(3);
    await this.waitForData(complete, timeoutMs, 'a frame');
    const size = this.buffer.readUInt32BE(3);
    const f: Frame = {
      type: this.buffer.readUInt8(0),
      channel: this.buffer.readUInt16BE(1),
      payload: Buffer.from(this.buffer.subarray(7, 7 + size)),
    };
    const end = this.buffer.readUInt8(7 + size);
    this.buffer = this.buffer.subarray(8 + size);
    if (end !== FRAME_END) throw new Error(`server sent a frame with frame-end 0x${end.toString(16)}`);
    return f;
  }

  /** The next method frame, skipping heartbeats. */
  async nextMethod(timeoutMs = 5000): Promise<Method> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const f = await this.nextFrame(Math.max(1, deadline - Date.now()));
      if (f.type === FRAME_HEARTBEAT) continue;
      if (f.type !== FRAME_METHOD) throw new Error(`expected a method frame, got ${describeFrame(f)}`);
      return asMethod(f);
    }
  }

  /** The next method, which must be classId.methodId (on `channel` if given). */
  async expectMethod(classId: number, methodId: number, channel?: number, timeoutMs = 5000): Promise<Method> {
    const m = await this.nextMethod(timeoutMs);
    if (m.classId === 10 && m.methodId === 50 && !(classId === 10 && methodId === 50)) {
      const c = readClose(m);
      throw new Error(
        `expected method ${classId}.${methodId}, got connection.close ${c.replyCode} ${JSON.stringify(c.replyText)}`,
      );
    }
    if (m.classId === 20 && m.methodId === 40 && !(classId === 20 && methodId === 40)) {
      const c = readClose(m);
      throw new Error(
        `expected method ${classId}.${methodId}, got channel.close ${c.replyCode} ${JSON.stringify(c.replyText)}`,
      );
    }
    if (m.classId !== classId || m.methodId !== methodId) {
      throw new Error(`expected method ${classId}.${methodId}, got ${m.classId}.${m.methodId}`);
    }
    if (channel !== undefined && m.channel !== channel) {
      throw new Error(`expected method ${classId}.${methodId} on channel ${channel}, got channel ${m.channel}`);
    }
    return m;
  }

  /**
   * Waits for connection.close (skipping anything else the server sends first), answers
   * close-ok unless told not to, and returns the reason.
   */
  async expectConnectionClose(timeoutMs = 5000, sendCloseOk = true): Promise<CloseReason> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = await this.nextMethod(Math.max(1, deadline - Date.now()));
      if (m.classId === 10 && m.methodId === 50) {
        if (m.channel !== 0) throw new Error(`connection.close on channel ${m.channel}`);
        const reason = readClose(m);
        if (sendCloseOk) this.sendMethod(0, 10, 51);
        return reason;
      }
    }
  }

  /** Waits for channel.close on `channel`, answers close-ok unless told not to. */
  async expectChannelClose(channel: number, timeoutMs = 5000, sendCloseOk = true): Promise<CloseReason> {
    const m = await this.expectMethod(20, 40, channel, timeoutMs);
    const reason = readClose(m);
    if (sendCloseOk) this.sendMethod(channel, 20, 41);
    return reason;
  }

  async handshake(opts: HandshakeOptions = {}): Promise<Tune> {
    this.write(PROTOCOL_HEADER);
    const start = await this.expectMethod(10, 10, 0);
    this.start = {
      versionMajor: start.args.octet(),
      versionMinor: start.args.octet(),
      serverProperties: start.args.table(),
      mechanisms: start.args.longstr().toString('utf8'),
      locales: start.args.longstr().toString('utf8'),
    };
    const user = opts.username ?? 'guest';
    const pass = opts.password ?? 'guest';
    const clientProperties = opts.clientProperties ?? {
      product: 'warren-raw-test-client',
      capabilities: { authentication_failure_close: true },
    };
    this.sendMethod(
      0,
      10,
      11,
      Buffer.concat([
        enc.table(clientProperties),
        enc.shortstr('PLAIN'),
        enc.longstr(`\u0000${user}\u0000${pass}`),
        enc.shortstr('en_US'),
      ]),
    );
    const tuneMethod = await this.expectMethod(10, 30, 0);
    const serverTune: Tune = {
      channelMax: tuneMethod.args.short(),
      frameMax: tuneMethod.args.long(),
      heartbeat: tuneMethod.args.short(),
    };
    const tune: Tune = {
      channelMax: opts.channelMax ?? serverTune.channelMax,
      frameMax: opts.frameMax ?? serverTune.frameMax,
      heartbeat: opts.heartbeat ?? 0,
    };
    this.tune = tune;
    this.sendMethod(0, 10, 31, Buffer.concat([enc.short(tune.channelMax), enc.long(tune.frameMax), enc.short(tune.heartbeat)]));
    this.sendMethod(0, 10, 40, Buffer.concat([enc.shortstr(opts.vhost ?? '/'), enc.shortstr(''), enc.bits(false)]));
    await this.expectMethod(10, 41, 0);
    return serverTune;
  }

  async openChannel(channel: number): Promise<void> {
    this.sendMethod(channel, 20, 10, enc.shortstr(''));
    await this.expectMethod(20, 11, channel);
  }

  /** basic.publish + content header + body frames (split to frame_max). */
  publish(
    channel: number,
    exchange: string,
    routingKey: string,
    body: Buffer | string,
    opts: { mandatory?: boolean; immediate?: boolean; props?: BasicProperties } = {},
  ): void {
    const content = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    this.sendMethod(
      channel,
      60,
      40,
      Buffer.concat([
        enc.short(0),
        enc.shortstr(exchange),
        enc.shortstr(routingKey),
        enc.bits(opts.mandatory ?? false, opts.immediate ?? false),
      ]),
    );
    this.sendFrame(FRAME_HEADER, channel, contentHeaderPayload(content.length, opts.props));
    const max = (this.tune?.frameMax ?? 131072) - 8;
    for (let off = 0; off < content.length; off += max) {
      this.sendFrame(FRAME_BODY, channel, content.subarray(off, off + max));
    }
  }

  /** queue.declare (not passive/durable/auto-delete; exclusive if asked); returns declare-ok. */
  async declareQueue(
    channel: number,
    queue: string,
    opts: { exclusive?: boolean; args?: { [key: string]: TableValue } } = {},
  ): Promise<{ queue: string; messageCount: number; consumerCount: number }> {
    this.sendMethod(
      channel,
      50,
      10,
      Buffer.concat([
        enc.short(0),
        enc.shortstr(queue),
        enc.bits(false, false, opts.exclusive ?? false, false, false),
        enc.table(opts.args ?? {}),
      ]),
    );
    const ok = await this.expectMethod(50, 11, channel);
    return { queue: ok.args.shortstr(), messageCount: ok.args.long(), consumerCount: ok.args.long() };
  }

  /**
   * basic.get with no-ack; resolves with the body, or null on get-empty.
   * Reads the content header and body frames that follow get-ok.
   */
  async basicGet(channel: number, queue: string): Promise<{ body: Buffer; messageCount: number } | null> {
    this.sendMethod(channel, 60, 70, Buffer.concat([enc.short(0), enc.shortstr(queue), enc.bits(true)]));
    const m = await this.nextMethod();
    if (m.classId === 60 && m.methodId === 72) return null;
    if (m.classId !== 60 || m.methodId !== 71) throw new Error(`expected basic.get-ok/empty, got ${m.classId}.${m.methodId}`);
    m.args.longlong(); // delivery-tag
    m.args.octet(); // redelivered
    m.args.shortstr(); // exchange
    m.args.shortstr(); // routing-key
    const messageCount = m.args.long();
    const header = await this.nextFrame();
    if (header.type !== FRAME_HEADER) throw new Error(`expected a content header, got ${describeFrame(header)}`);
    const size = Number(new Reader(header.payload.subarray(4, 12)).longlong());
    const parts: Buffer[] = [];
    let got = 0;
    while (got < size) {
      const b = await this.nextFrame();
      if (b.type !== FRAME_BODY) throw new Error(`expected a content body, got ${describeFrame(b)}`);
      parts.push(b.payload);
      got += b.payload.length;
    }
    return { body: Buffer.concat(parts), messageCount };
  }

  /** Sends connection.close and waits for close-ok and the socket to close. */
  async close(timeoutMs = 5000): Promise<void> {
    if (this.ended) return;
    this.sendMethod(0, 10, 50, Buffer.concat([enc.short(200), enc.shortstr('bye'), enc.short(0), enc.short(0)]));
    try {
      await this.expectMethod(10, 51, 0, timeoutMs);
    } finally {
      this.destroy();
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/**
 * Proves the broker still serves a fresh connection: handshake, channel, exclusive queue,
 * publish, basic.get of the same body, close.
 */
export async function assertBrokerHealthy(port: number, host = '127.0.0.1'): Promise<void> {
  const c = await RawClient.open(port, host);
  try {
    await c.openChannel(1);
    const { queue } = await c.declareQueue(1, '', { exclusive: true });
    c.publish(1, '', queue, 'still alive');
    const got = await c.basicGet(1, queue);
    if (got === null || got.body.toString() !== 'still alive') {
      throw new Error(`healthy connection could not round-trip a message (got ${got === null ? 'get-empty' : got.body.toString()})`);
    }
    await c.close();
  } finally {
    c.destroy();
  }
}
