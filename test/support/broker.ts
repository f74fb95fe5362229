/**
 * The broker under test. With WARREN_TEST_AMQP_URL set (e.g.
 * amqp://guest:guest@127.0.0.1:35672) the tests run against that external broker — a real
 * RabbitMQ, to validate every expectation — and close() leaves it running. Otherwise an
 * in-process Warren is started on a free port from ../../src/index.js.
 */

export interface TestBroker {
  /** amqp://guest:guest@host:port (no vhost path, no query). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  /** True when the tests talk to an external broker (WARREN_TEST_AMQP_URL). */
  readonly external: boolean;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Heartbeat (seconds) the server proposes; only honoured in-process. */
  readonly heartbeat?: number;
}

const externalUrl = process.env['WARREN_TEST_AMQP_URL'];

/** True when WARREN_TEST_AMQP_URL points the suite at an external broker. */
export const EXTERNAL = externalUrl !== undefined && externalUrl !== '';

/** For `test(..., { skip: inProcessOnly })` on tests that need control of the broker. */
export const inProcessOnly: string | false = EXTERNAL ? 'needs an in-process Warren' : false;

interface StartedBroker {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

function isStartedBroker(value: unknown): value is StartedBroker {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v['url'] === 'string' && typeof v['port'] === 'number' && typeof v['close'] === 'function';
}

type StartBroker = (options: Record<string, unknown>) => Promise<unknown>;

async function loadStartBroker(): Promise<StartBroker> {
  // A computed specifier keeps this file compiling before src/index.ts exists.
  const specifier = new URL('../../src/index.js', import.meta.url).href;
  const mod: unknown = await import(specifier);
  if (typeof mod === 'object' && mod !== null) {
    const fn: unknown = (mod as Record<string, unknown>)['startBroker'];
    if (typeof fn === 'function') {
      return (options) => Promise.resolve((fn as (o: unknown) => unknown)(options));
    }
  }
  throw new Error('src/index.js does not export startBroker()');
}

function describeUrl(raw: string, external: boolean, close: () => Promise<void>): TestBroker {
  const parsed = new URL(raw);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = parsed.port === '' ? 5672 : Number(parsed.port);
  const username = parsed.username === '' ? 'guest' : decodeURIComponent(parsed.username);
  const password = parsed.password === '' ? 'guest' : decodeURIComponent(parsed.password);
  const hostInUrl = host.includes(':') ? `[${host}]` : host;
  return {
    url: `amqp://${encodeURIComponent(username)}:${encodeURIComponent(password)}@${hostInUrl}:${port}`,
    host,
    port,
    username,
    password,
    external,
    close,
  };
}

export async function startTestBroker(options: StartOptions = {}): Promise<TestBroker> {
  if (EXTERNAL && externalUrl !== undefined) {
    return describeUrl(externalUrl, true, async () => {});
  }
  const startBroker = await loadStartBroker();
  // Warren listens on both loopback families by default (the amqp://localhost test needs that).
  const startOptions: Record<string, unknown> = { port: 0, logLevel: 'silent' };
  if (options.heartbeat !== undefined) startOptions['heartbeat'] = options.heartbeat;
  const started: unknown = await startBroker(startOptions);
  if (!isStartedBroker(started)) throw new Error('startBroker() did not return { url, port, close }');
  const url = new URL(started.url);
  if (url.port === '') url.port = String(started.port);
  return describeUrl(url.href, false, () => started.close());
}

/**
 * Builds a connection URL for `broker` with other credentials, a vhost or query parameters
 * (e.g. `{ frameMax: 4096 }` for amqplib).
 */
export function brokerUrl(
  broker: TestBroker,
  opts: {
    username?: string;
    password?: string;
    host?: string;
    vhost?: string;
    query?: Record<string, string | number>;
  } = {},
): string {
  const username = encodeURIComponent(opts.username ?? broker.username);
  const password = encodeURIComponent(opts.password ?? broker.password);
  const rawHost = opts.host ?? broker.host;
  const host = rawHost.includes(':') ? `[${rawHost}]` : rawHost;
  const vhost = opts.vhost === undefined ? '' : `/${encodeURIComponent(opts.vhost)}`;
  const query =
    opts.query === undefined
      ? ''
      : `?${Object.entries(opts.query)
          .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
          .join('&')}`;
  return `amqp://${username}:${password}@${host}:${broker.port}${vhost}${query}`;
}

let counter = 0;

/** A name unique to this process and call, e.g. `warren-test-q-1a2b-17`. */
export function uniqueName(prefix = 'q'): string {
  counter += 1;
  return `warren-test-${prefix}-${process.pid.toString(36)}-${Date.now().toString(36)}-${counter}`;
}
