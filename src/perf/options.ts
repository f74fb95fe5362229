import { parseArgs } from 'node:util';
import { availableParallelism } from 'node:os';

export type ClientName = 'amqp-client' | 'amqplib';
export const CLIENTS: readonly ClientName[] = ['amqp-client', 'amqplib'];

export type ScenarioName = 'transient' | 'persistent';

/** What a named scenario fixes; every other option keeps its default or the value given. */
export interface Scenario {
  readonly size: number;
  readonly persistent: boolean;
  readonly confirm: number;
  readonly autoAck: boolean;
}

/** The named scenarios of `--scenario`, in the order `--scenario all` runs them. */
export const SCENARIO_NAMES: readonly ScenarioName[] = ['transient', 'persistent'];

/** Their settings are fixed, so that figures stay comparable from run to run and note to note. */
export const SCENARIOS: Readonly<Record<ScenarioName, Scenario>> = {
  // Today's defaults: 16-byte transient messages, no confirms, each message acked.
  transient: { size: 16, persistent: false, confirm: 0, autoAck: false },
  // 1 KiB persistent messages to a durable queue, confirm window 100, each message acked.
  persistent: { size: 1024, persistent: true, confirm: 100, autoAck: false },
};

/** The options a scenario fixes, as spelled on the command line: they may not be given with it. */
const SCENARIO_FLAGS = ['size', 'persistent', 'confirm', 'auto-ack'] as const;

/** Settings of one warrenperf run; every field has a default (see DEFAULTS and USAGE). */
export interface PerfOptions {
  /** The named scenario this run is (see SCENARIOS), or undefined when no --scenario was given. */
  readonly scenario: ScenarioName | undefined;
  /** Broker to test; undefined starts a Warren child process (bin/warren) for the run. */
  readonly uri: string | undefined;
  readonly producers: number;
  readonly consumers: number;
  /** Body size in bytes; bodies of 8 bytes or more carry a send timestamp for latency. */
  readonly size: number;
  readonly durationS: number;
  /** Queue to publish to and consume from; undefined declares a fresh one and deletes it after. */
  readonly queue: string | undefined;
  /** delivery-mode 2 messages, and a durable queue when warrenperf declares it. */
  readonly persistent: boolean;
  /** Publisher-confirm window (unconfirmed messages per producer); 0 = no confirms. */
  readonly confirm: number;
  /** basic.qos prefetch count per consumer; 0 = unlimited. */
  readonly prefetch: number;
  readonly autoAck: boolean;
  /** Ack with multiple=true every N messages; 1 acks each message on its own. */
  readonly multiAckEvery: number;
  /** Publishing rate limit per producer in msg/s; 0 = as fast as the broker takes them. */
  readonly rate: number;
  /**
   * Producers pause while this many messages or more are sent but not yet received (all producers
   * and consumers together); 0 = no limit, the broker alone decides how fast producers go.
   */
  readonly maxBacklog: number;
  /** Process to report CPU and memory of as the broker's, with --uri (Linux /proc). */
  readonly brokerPid: number | undefined;
  readonly client: ClientName;
  /** Worker threads the producers and consumers are spread over. */
  readonly threads: number;
  /** Hard limit for the whole run in seconds (start-up, measuring, clean-up). */
  readonly timeoutS: number;
  readonly json: boolean;
  /** Print only the summary (no line per second). */
  readonly quiet: boolean;
}

export const DEFAULTS = {
  producers: 1,
  consumers: 1,
  size: 16,
  durationS: 10,
  confirm: 0,
  prefetch: 1000,
  multiAckEvery: 1,
  rate: 0,
  maxBacklog: 0,
  client: 'amqp-client' as ClientName,
} as const;

export const USAGE = `usage: warrenperf [options]
Load generator for AMQP 0-9-1 brokers (like RabbitMQ's PerfTest). Producers publish to one queue
through the default exchange as fast as the broker takes the messages; consumers drain it.
Producers and consumers run in worker threads; without --uri a Warren broker is started as a child
process for the run and stopped at the end.

  --scenario NAME        a named scenario: transient (16-byte transient messages, no confirms),
                         persistent (1 KiB persistent messages, durable queue, confirm window 100)
                         or all (both, one after the other, each against a fresh broker child,
                         then a comparison table); both ack each message. It fixes --size,
                         --persistent, --confirm and --auto-ack; the other options apply to each run
  --uri URI              broker to test, e.g. amqp://guest:guest@127.0.0.1:5672
                         (default: start bin/warren on a free port)
  --broker-pid PID       with --uri: report this process's CPU and memory as the broker's
  --producers N          producer connections (default ${DEFAULTS.producers})
  --consumers N          consumer connections (default ${DEFAULTS.consumers})
  --size BYTES           message body size (default ${DEFAULTS.size}); >= 8 carries a timestamp
                         for consumer latency
  --duration SECONDS     how long to measure (default ${DEFAULTS.durationS})
  --queue NAME           queue to use (default: a fresh warrenperf-* queue, deleted afterwards)
  --persistent           persistent messages (delivery-mode 2) and a durable queue
  --confirm N            publisher confirms with at most N unconfirmed messages per producer
                         (default 0: no confirms)
  --prefetch N           consumer prefetch (basic.qos) per consumer (default ${DEFAULTS.prefetch}; 0 = unlimited)
  --auto-ack             consume with no-ack
  --multi-ack-every N    ack with multiple=true every N messages (default ${DEFAULTS.multiAckEvery}: ack each one)
  --rate N               limit each producer to N msg/s (default 0: no limit)
  --max-backlog N        producers pause while N messages are sent but not yet received
                         (default 0: no limit; only the broker slows producers down)
  --client NAME          amqp-client (@cloudamqp/amqp-client, default) or amqplib
  --threads N            worker threads for producers and consumers
                         (default: one per producer and per consumer, at most ${maxThreads()})
  --timeout SECONDS      hard limit for each run (default: duration + 30)
  --json                 print a JSON summary on stdout, one line per run (the other lines go
                         to stderr)
  --quiet                no line per second
  -h, --help             this help

Prints one line per second and ends each run with
  warrenperf: N msg/s sent, M msg/s received over T s
With a broker child, the lines also give its storage syncs per second and disk MB/s.`;

function maxThreads(): number {
  return Math.max(2, availableParallelism() * 2);
}

export class UsageError extends Error {}

function whole(name: string, raw: string | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got '${raw}'`);
  }
  return n;
}

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new UsageError(`--${name} must be a number above 0, got '${raw}'`);
  }
  return n;
}

/**
 * What the command line asks for: help, or the runs to make one after the other (one run, or one
 * per scenario with `--scenario all`).
 */
export type ParsedArgs = { readonly help: true } | { readonly help: false; readonly runs: readonly PerfOptions[] };

/** The scenarios --scenario names (undefined: no scenario, one run); `given` has the flags used. */
function scenariosOf(raw: string | undefined, given: readonly string[]): ReadonlyArray<ScenarioName | undefined> {
  if (raw === undefined) return [undefined];
  const names = raw === 'all' ? SCENARIO_NAMES : SCENARIO_NAMES.filter((name) => name === raw);
  if (names.length === 0) {
    throw new UsageError(`--scenario must be one of ${[...SCENARIO_NAMES, 'all'].join(', ')}, got '${raw}'`);
  }
  const clash = SCENARIO_FLAGS.filter((flag) => given.includes(flag));
  if (clash.length > 0) {
    throw new UsageError(
      `--scenario sets ${SCENARIO_FLAGS.map((f) => `--${f}`).join(', ')}; ` +
        `drop ${clash.map((f) => `--${f}`).join(', ')} or --scenario`,
    );
  }
  return names;
}

/** Parses warrenperf's command line; throws UsageError on a bad one. */
export function parsePerfArgs(argv: readonly string[]): ParsedArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        scenario: { type: 'string' },
        uri: { type: 'string' },
        'broker-pid': { type: 'string' },
        producers: { type: 'string' },
        consumers: { type: 'string' },
        size: { type: 'string' },
        duration: { type: 'string' },
        queue: { type: 'string' },
        persistent: { type: 'boolean' },
        confirm: { type: 'string' },
        prefetch: { type: 'string' },
        'auto-ack': { type: 'boolean' },
        'multi-ack-every': { type: 'string' },
        rate: { type: 'string' },
        'max-backlog': { type: 'string' },
        client: { type: 'string' },
        threads: { type: 'string' },
        timeout: { type: 'string' },
        json: { type: 'boolean' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help === true) return { help: true };

  const producers = whole('producers', values.producers, DEFAULTS.producers, 0, 1000);
  const consumers = whole('consumers', values.consumers, DEFAULTS.consumers, 0, 1000);
  if (producers + consumers === 0) throw new UsageError('nothing to do: --producers and --consumers are both 0');
  const durationS = positive('duration', values.duration, DEFAULTS.durationS);
  const timeoutS = positive('timeout', values.timeout, durationS + 30);
  if (timeoutS <= durationS) throw new UsageError(`--timeout (${timeoutS}) must be longer than --duration (${durationS})`);
  const prefetch = whole('prefetch', values.prefetch, DEFAULTS.prefetch, 0, 65535);
  const multiAckEvery = whole('multi-ack-every', values['multi-ack-every'], DEFAULTS.multiAckEvery, 1, 65535);
  if (prefetch > 0 && multiAckEvery > prefetch) {
    throw new UsageError(`--multi-ack-every (${multiAckEvery}) must not exceed --prefetch (${prefetch})`);
  }
  const client = values.client ?? DEFAULTS.client;
  if (!(CLIENTS as readonly string[]).includes(client)) {
    throw new UsageError(`--client must be one of ${CLIENTS.join(', ')}, got '${client}'`);
  }
  const roles = producers + consumers;
  const threads = whole('threads', values.threads, Math.min(roles, maxThreads()), 1, 256);
  const uri = values.uri;
  if (uri !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(uri);
    } catch {
      throw new UsageError(`--uri is not a URI: '${uri}'`);
    }
    if (parsed.protocol !== 'amqp:' && parsed.protocol !== 'amqps:') {
      throw new UsageError(`--uri must start with amqp:// or amqps://, got '${uri}'`);
    }
  }
  const brokerPidRaw = values['broker-pid'];
  if (brokerPidRaw !== undefined && uri === undefined) {
    throw new UsageError('--broker-pid needs --uri (without it warrenperf watches the broker it starts)');
  }
  const brokerPid = brokerPidRaw === undefined ? undefined : whole('broker-pid', brokerPidRaw, 0, 1);
  const queue = values.queue;
  if (queue !== undefined && (queue === '' || Buffer.byteLength(queue) > 255)) {
    throw new UsageError('--queue must be 1 to 255 bytes long');
  }
  const given = SCENARIO_FLAGS.filter((flag) => values[flag] !== undefined);
  const common = {
    uri,
    producers,
    consumers,
    size: whole('size', values.size, DEFAULTS.size, 0, 128 * 1024 * 1024),
    durationS,
    queue,
    persistent: values.persistent === true,
    confirm: whole('confirm', values.confirm, DEFAULTS.confirm, 0, 1_000_000),
    prefetch,
    autoAck: values['auto-ack'] === true,
    multiAckEvery,
    rate: whole('rate', values.rate, DEFAULTS.rate, 0),
    maxBacklog: whole('max-backlog', values['max-backlog'], DEFAULTS.maxBacklog, 0),
    brokerPid,
    client: client as ClientName,
    threads: Math.min(threads, roles),
    timeoutS,
    json: values.json === true,
    quiet: values.quiet === true,
  };
  const runs = scenariosOf(values.scenario, given).map(
    (scenario): PerfOptions => ({ scenario, ...common, ...(scenario === undefined ? {} : SCENARIOS[scenario]) }),
  );
  return { help: false, runs };
}

/** The options as a plain object, with the password of the URI hidden. */
export function describeOptions(o: PerfOptions): Record<string, unknown> {
  return {
    scenario: o.scenario ?? null,
    uri: o.uri === undefined ? null : redactUri(o.uri),
    producers: o.producers,
    consumers: o.consumers,
    size: o.size,
    durationS: o.durationS,
    queue: o.queue ?? null,
    persistent: o.persistent,
    confirm: o.confirm,
    prefetch: o.prefetch,
    autoAck: o.autoAck,
    multiAckEvery: o.multiAckEvery,
    rate: o.rate,
    maxBacklog: o.maxBacklog,
    client: o.client,
    threads: o.threads,
  };
}

export function redactUri(uri: string): string {
  try {
    const u = new URL(uri);
    if (u.password !== '') u.password = '***';
    return u.href;
  } catch {
    return uri;
  }
}
