/**
 * amqplib helpers: tracked connections that are always closed, and decoding of the
 * channel.close / connection.close a server sends into { code, text, classId, methodId }.
 */
import amqp from 'amqplib';
import type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage, GetMessage, Options } from 'amqplib';
import type { TestBroker } from './broker.js';
import { brokerUrl } from './broker.js';
import { withTimeout } from './wait.js';

/** A close sent by the server, as amqplib reports it. */
export interface ServerClose {
  readonly code: number;
  /** The reply-text exactly as the server sent it ('' if it cannot be recovered). */
  readonly text: string;
  readonly classId: number | undefined;
  readonly methodId: number | undefined;
  readonly message: string;
}

function numberField(err: object, key: string): number | undefined {
  const v: unknown = (err as Record<string, unknown>)[key];
  return typeof v === 'number' ? v : undefined;
}

/** Decodes an amqplib error (from a rejected operation or an 'error' event). */
export function serverClose(err: unknown): ServerClose {
  if (!(err instanceof Error)) throw new Error(`expected an Error, got ${String(err)}`);
  const code = numberField(err, 'code');
  if (code === undefined) throw new Error(`expected an AMQP error with a reply code, got: ${err.message}`);
  const m = /with message "([\s\S]*)"$/.exec(err.message);
  return {
    code,
    text: m?.[1] ?? '',
    classId: numberField(err, 'classId'),
    methodId: numberField(err, 'methodId'),
    message: err.message,
  };
}

/** Awaits a promise that must reject with a server close; returns the decoded close. */
export async function rejection(promise: Promise<unknown>, timeoutMs = 5000): Promise<ServerClose> {
  let result: unknown;
  try {
    result = await withTimeout(promise, timeoutMs, 'operation expected to fail');
  } catch (err) {
    return serverClose(err);
  }
  throw new Error(`expected the operation to fail, but it succeeded with ${JSON.stringify(result)}`);
}

interface Watch {
  readonly errors: ServerClose[];
  closed: boolean;
  readonly waiters: (() => void)[];
}

const watches = new WeakMap<object, Watch>();

function watch(emitter: Channel | ChannelModel): Watch {
  let w = watches.get(emitter);
  if (w !== undefined) return w;
  const created: Watch = { errors: [], closed: false, waiters: [] };
  w = created;
  watches.set(emitter, created);
  const wake = (): void => {
    for (const fn of created.waiters.splice(0)) fn();
  };
  emitter.on('error', (err: unknown) => {
    try {
      created.errors.push(serverClose(err));
    } catch {
      created.errors.push({
        code: 0,
        text: err instanceof Error ? err.message : String(err),
        classId: undefined,
        methodId: undefined,
        message: err instanceof Error ? err.message : String(err),
      });
    }
    wake();
  });
  emitter.on('close', () => {
    created.closed = true;
    wake();
  });
  return created;
}

async function waitWatch(w: Watch, ready: () => boolean, timeoutMs: number, label: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new Error(`timed out after ${timeoutMs}ms waiting for ${label}`);
    await withTimeout(
      new Promise<void>((resolve) => w.waiters.push(resolve)),
      remaining,
      label,
    ).catch(() => undefined);
  }
}

/** The close the server sent on this channel (waits for it if necessary). */
export async function channelError(ch: Channel, timeoutMs = 5000): Promise<ServerClose> {
  const w = watch(ch);
  await waitWatch(w, () => w.errors.length > 0, timeoutMs, 'channel error');
  const first = w.errors[0];
  if (first === undefined) throw new Error('unreachable');
  return first;
}

/** Waits until the channel has emitted 'close'. */
export async function channelClosed(ch: Channel, timeoutMs = 5000): Promise<void> {
  const w = watch(ch);
  await waitWatch(w, () => w.closed, timeoutMs, 'channel close');
}

/** The connection.close the server sent (waits for it if necessary). */
export async function connectionError(conn: ChannelModel, timeoutMs = 5000): Promise<ServerClose> {
  const w = watch(conn);
  await waitWatch(w, () => w.errors.length > 0, timeoutMs, 'connection error');
  const first = w.errors[0];
  if (first === undefined) throw new Error('unreachable');
  return first;
}

/** Waits until the connection has emitted 'close'. */
export async function connectionClosed(conn: ChannelModel, timeoutMs = 5000): Promise<void> {
  const w = watch(conn);
  await waitWatch(w, () => w.closed, timeoutMs, 'connection close');
}

/** Errors recorded so far on a channel or connection (does not wait). */
export function recordedErrors(emitter: Channel | ChannelModel): readonly ServerClose[] {
  return watch(emitter).errors;
}

export interface ConnectOptions {
  readonly username?: string;
  readonly password?: string;
  readonly host?: string;
  readonly query?: Record<string, string | number>;
}

/**
 * Opens amqplib connections to one broker and closes them all in `closeAll()`.
 * Every connection and channel gets an error listener, so a server-side close never
 * becomes an uncaught 'error' event.
 */
export class Clients {
  private readonly connections: ChannelModel[] = [];

  constructor(readonly broker: TestBroker) {}

  async connect(opts: ConnectOptions = {}): Promise<ChannelModel> {
    const url = brokerUrl(this.broker, opts);
    const conn = await withTimeout(amqp.connect(url), 10_000, `connect ${url}`);
    watch(conn);
    this.connections.push(conn);
    return conn;
  }

  async channel(conn?: ChannelModel): Promise<Channel> {
    const c = conn ?? (await this.connect());
    const ch = await withTimeout(c.createChannel(), 5000, 'createChannel');
    watch(ch);
    return ch;
  }

  async confirmChannel(conn?: ChannelModel): Promise<ConfirmChannel> {
    const c = conn ?? (await this.connect());
    const ch = await withTimeout(c.createConfirmChannel(), 5000, 'createConfirmChannel');
    watch(ch);
    return ch;
  }

  async closeAll(): Promise<void> {
    const all = this.connections.splice(0);
    await Promise.all(
      all.map(async (c) => {
        try {
          await withTimeout(c.close(), 5000, 'connection close');
        } catch {
          // already closed by the server or the test
        }
      }),
    );
  }
}

/** Resolves with the next `n` deliveries of a consumer started with `startConsumer`. */
export interface Consumer {
  readonly tag: string;
  readonly messages: ConsumeMessage[];
  /** True once the server cancelled the consumer (callback got null). */
  readonly cancelled: () => boolean;
  next(n: number, timeoutMs?: number): Promise<ConsumeMessage[]>;
  waitCancelled(timeoutMs?: number): Promise<void>;
}

/** Starts a consumer that records every delivery. */
export async function startConsumer(
  ch: Channel,
  queue: string,
  options: Options.Consume = {},
): Promise<Consumer> {
  const messages: ConsumeMessage[] = [];
  let cancelled = false;
  let waiters: (() => void)[] = [];
  const wake = (): void => {
    const ws = waiters;
    waiters = [];
    for (const w of ws) w();
  };
  const ok = await withTimeout(
    ch.consume(
      queue,
      (msg) => {
        if (msg === null) cancelled = true;
        else messages.push(msg);
        wake();
      },
      options,
    ),
    5000,
    `consume ${queue}`,
  );
  let taken = 0;
  const waitUntil = async (ready: () => boolean, timeoutMs: number, label: string): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`timed out after ${timeoutMs}ms waiting for ${label}`);
      await withTimeout(new Promise<void>((r) => waiters.push(r)), remaining, label).catch(() => undefined);
    }
  };
  return {
    tag: ok.consumerTag,
    messages,
    cancelled: () => cancelled,
    async next(n: number, timeoutMs = 5000): Promise<ConsumeMessage[]> {
      const want = taken + n;
      await waitUntil(() => messages.length >= want, timeoutMs, `${n} deliveries on ${queue}`);
      const out = messages.slice(taken, want);
      taken = want;
      return out;
    },
    async waitCancelled(timeoutMs = 5000): Promise<void> {
      await waitUntil(() => cancelled, timeoutMs, `server cancel of consumer on ${queue}`);
    },
  };
}

/** basic.get that must return a message. */
export async function getOne(ch: Channel, queue: string, options: Options.Get = {}): Promise<GetMessage> {
  const m = await withTimeout(ch.get(queue, options), 5000, `get ${queue}`);
  if (m === false) throw new Error(`expected a message in ${queue}, got get-empty`);
  return m;
}

export function text(msg: { content: Buffer }): string {
  return msg.content.toString('utf8');
}

export type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage, GetMessage };

/** basic.get (no-ack) until get-empty; returns the bodies as text, in order. */
export async function getAll(ch: Channel, queue: string, max = 10_000): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < max; i++) {
    const m = await withTimeout(ch.get(queue, { noAck: true }), 5000, `get ${queue}`);
    if (m === false) return out;
    out.push(m.content.toString('utf8'));
  }
  throw new Error(`more than ${max} messages in ${queue}`);
}
