import { parseArgs } from 'node:util';
import { Broker } from '../server/broker.js';
import { VERSION } from '../server/config.js';

const USAGE = `usage: warren [--port N] [--management-port N] [--prometheus-port N] [--data-dir DIR]
              [--bind ADDR[,ADDR]] [--log-level LEVEL] [--heartbeat SECONDS] [--fsync on|off]
              [--disk-free-limit SIZE]
  --management-port N     management HTTP API and web UI (default 15672; off: none)
  --prometheus-port N     Prometheus metrics at /metrics and /metrics/per-object (default 15692; off: none)
  --data-dir DIR          durable data (default ./warren-data); the management API is also
                          served without login on DIR/management.sock (owner only)
  --fsync on|off          fdatasync before confirming (default on); off survives a broker crash,
                          not a power loss
  --disk-free-limit SIZE  block publishers below this much free disk, e.g. 50MB, 2GB (default 50MB)
Ports: 0 picks a free one.
Environment: WARREN_PORT, WARREN_MANAGEMENT_PORT, WARREN_PROMETHEUS_PORT, WARREN_DATA_DIR,
WARREN_BIND, WARREN_LOG_LEVEL, WARREN_HEARTBEAT, WARREN_FSYNC, WARREN_DISK_FREE_LIMIT.
Flags win over the environment.`;

function fail(message: string): never {
  process.stderr.write(`warren: ${message}\n${USAGE}\n`);
  process.exit(2);
}

/** RabbitMQ's size notation: a byte count, or a number with kB/MB/GB (10^n) or KiB/MiB/GiB (2^n). */
export function parseSize(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const m = /^(\d+(?:\.\d+)?)\s*(|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib)$/i.exec(value.trim());
  if (m === null) fail(`${name} must be a size such as 50000000, 50MB or 1GiB, got '${value}'`);
  const units: Record<string, number> = {
    '': 1, k: 1024, kib: 1024, kb: 1e3, m: 1024 ** 2, mib: 1024 ** 2, mb: 1e6, g: 1024 ** 3, gib: 1024 ** 3, gb: 1e9, t: 1024 ** 4, tib: 1024 ** 4, tb: 1e12,
  };
  return Math.round(Number(m[1]) * units[m[2]!.toLowerCase()]!);
}

function onOff(name: string, value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (/^(on|true|yes|1)$/i.test(value)) return true;
  if (/^(off|false|no|0)$/i.test(value)) return false;
  fail(`${name} must be on or off, got '${value}'`);
}

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    process.stderr.write(`warren: ${name} must be a whole number from 0 to 65535, got '${value}'\n${USAGE}\n`);
    process.exit(2);
  }
  return n;
}

/** A listener's port: a number, or `off` for none (null); undefined when not given. */
function portOrOff(name: string, value: string | undefined): number | null | undefined {
  return value === 'off' ? null : integer(name, value);
}

function main(): void {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        port: { type: 'string' },
        'management-port': { type: 'string' },
        'prometheus-port': { type: 'string' },
        'data-dir': { type: 'string' },
        bind: { type: 'string', multiple: true },
        'log-level': { type: 'string' },
        heartbeat: { type: 'string' },
        fsync: { type: 'string' },
        'disk-free-limit': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
      strict: true,
    });
  } catch (err) {
    process.stderr.write(`warren: ${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  const v = parsed.values;
  if (v.help === true) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  if (v.version === true) {
    process.stdout.write(`warren ${VERSION}\n`);
    return;
  }
  const env = process.env;
  const bind = (v.bind ?? (env['WARREN_BIND'] !== undefined ? [env['WARREN_BIND']] : []))
    .flatMap((b) => b.split(','))
    .map((b) => b.trim())
    .filter((b) => b !== '');
  const port = integer('--port', v.port ?? env['WARREN_PORT']);
  const managementPort = portOrOff('--management-port', v['management-port'] ?? env['WARREN_MANAGEMENT_PORT']);
  const prometheusPort = portOrOff('--prometheus-port', v['prometheus-port'] ?? env['WARREN_PROMETHEUS_PORT']);
  const heartbeat = integer('--heartbeat', v.heartbeat ?? env['WARREN_HEARTBEAT']);
  const dataDir = v['data-dir'] ?? env['WARREN_DATA_DIR'] ?? './warren-data';
  const fsync = onOff('--fsync', v.fsync ?? env['WARREN_FSYNC']);
  const diskFreeLimit = parseSize('--disk-free-limit', v['disk-free-limit'] ?? env['WARREN_DISK_FREE_LIMIT']);
  let broker: Broker;
  try {
    broker = new Broker({
      ...(port !== undefined ? { port } : {}),
      managementPort: managementPort === undefined ? 15672 : managementPort,
      prometheusPort: prometheusPort === undefined ? 15692 : prometheusPort,
      ...(heartbeat !== undefined ? { heartbeat } : {}),
      ...(fsync !== undefined ? { fsync } : {}),
      ...(diskFreeLimit !== undefined ? { diskFreeLimit } : {}),
      dataDir,
      bind,
      logLevel: v['log-level'] ?? env['WARREN_LOG_LEVEL'] ?? 'info',
    });
  } catch (err) {
    process.stderr.write(`warren: cannot start: ${(err as Error).message}\n`);
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    broker.log.info({ signal }, 'stopping');
    broker.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  // Started by warrenperf (or a test) with an IPC channel: answer requests for storage counters.
  if (process.send !== undefined) {
    process.on('message', (message: unknown) => {
      if (message === 'storage-stats') process.send?.({ type: 'storage-stats', ...broker.storageStats() });
    });
    process.channel?.unref();
  }
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  broker.listen().then(
    () => {
      const addrs = (port: number) => (port === 0 ? 'off' : broker.options.bind.map((h) => (h.includes(':') ? `[${h}]` : h) + ':' + port).join(', '));
      broker.log.info(
        { port: broker.port, managementPort: broker.managementPort, prometheusPort: broker.prometheusPort, bind: broker.options.bind },
        `Warren ${VERSION} ready: AMQP 0-9-1 on ${addrs(broker.port)}, management API on ${addrs(broker.managementPort)}, ` +
          `Prometheus metrics on ${addrs(broker.prometheusPort)}`,
      );
    },
    (err: unknown) => {
      broker.log.fatal({ err }, 'cannot listen');
      process.exit(1);
    },
  );
}

main();
