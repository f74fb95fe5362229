/**
 * bin/warren serves Prometheus metrics: started with `--prometheus-port 0` (and with
 * WARREN_PROMETHEUS_PORT=0), it logs the port it chose in its ready line and answers /metrics
 * there; SIGTERM stops it. `--help` documents the flag.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import { makeDataDir, removeDataDir } from '../support/broker-process.js';
import { withTimeout } from '../support/wait.js';
import { scrape } from './exposition.js';

const WARREN = fileURLToPath(new URL('../../../bin/warren', import.meta.url));
const T = { timeout: 40_000 };

const children = new Set<ChildProcess>();
const dirs: string[] = [];
after(() => {
  for (const c of children) c.kill('SIGKILL');
  for (const d of dirs) removeDataDir(d);
});

interface Started {
  readonly child: ChildProcess;
  readonly port: number;
  readonly prometheusPort: number;
  readonly exited: Promise<number | null>;
  /** What it printed so far. */
  output(): string;
}

/** Starts bin/warren on free ports and reads the ports from its JSON `ready` log line. */
async function startWarren(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Started> {
  const dataDir = makeDataDir('warren-metrics-');
  dirs.push(dataDir);
  const child = spawn(process.execPath, [WARREN, '--port', '0', '--management-port', '0', '--data-dir', dataDir, '--log-level', 'info', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  children.add(child);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => children.delete(child));
  let output = '';
  let partial = '';
  const ready = new Promise<{ port: number; prometheusPort: number }>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.includes(' ready: ')) continue;
        const entry = JSON.parse(line) as { port?: unknown; prometheusPort?: unknown };
        if (typeof entry.port === 'number' && typeof entry.prometheusPort === 'number') resolve({ port: entry.port, prometheusPort: entry.prometheusPort });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    void exited.then((code) => reject(new Error(`bin/warren exited (${code}) before it was ready:\n${output}`)));
  });
  const ports = await withTimeout(ready, 20_000, `bin/warren ready line:\n${output}`);
  return { child, exited, output: () => output, ...ports };
}

async function stop(w: Started): Promise<void> {
  w.child.kill('SIGTERM');
  assert.equal(await withTimeout(w.exited, 15_000, 'bin/warren exit after SIGTERM'), 0);
}

test('bin/warren --prometheus-port 0 serves /metrics with the queues of its clients', T, async () => {
  const w = await startWarren(['--prometheus-port', '0']);
  try {
    assert.ok(w.prometheusPort > 0);
    const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${w.port}`);
    try {
      const ch = await conn.createChannel();
      await ch.assertQueue('cli-metrics', { durable: true });
      ch.sendToQueue('cli-metrics', Buffer.from('persistent'), { persistent: true });
      ch.sendToQueue('cli-metrics', Buffer.from('transient'));
      await ch.close();
      const m = await scrape(`http://127.0.0.1:${w.prometheusPort}/metrics`);
      assert.equal(m.value('rabbitmq_connections'), 1);
      assert.equal(m.value('rabbitmq_queue_messages_ready', { vhost: '/', queue: 'cli-metrics' }), 2);
      assert.equal(m.value('rabbitmq_global_messages_received_total', { protocol: 'amqp091' }), 2);
      assert.equal(m.value('rabbitmq_disk_space_available_limit_bytes'), 50_000_000);
      assert.ok(m.value('rabbitmq_io_write_bytes_total') > 0, 'the persistent message was written');
      const perObject = await scrape(`http://127.0.0.1:${w.prometheusPort}/metrics/per-object`);
      assert.equal(perObject.samples('rabbitmq_connection_channels').length, 1);
    } finally {
      await conn.close();
    }
  } finally {
    await stop(w);
  }
});

test('WARREN_PROMETHEUS_PORT sets the port too', T, async () => {
  const w = await startWarren([], { WARREN_PROMETHEUS_PORT: '0' });
  try {
    assert.ok(w.prometheusPort > 0);
    const m = await scrape(`http://[::1]:${w.prometheusPort}/metrics`);
    assert.equal(m.value('rabbitmq_queues'), 0);
  } finally {
    await stop(w);
  }
});

test('--prometheus-port off and --management-port off serve neither (the data dir\'s socket still answers warrenctl)', T, async () => {
  const w = await startWarren(['--prometheus-port', 'off', '--management-port', 'off']);
  try {
    assert.equal(w.prometheusPort, 0);
    assert.match(w.output(), /Prometheus metrics on off/);
    assert.match(w.output(), /management API on off/);
  } finally {
    await stop(w);
  }
});

test('warren --help documents --prometheus-port and WARREN_PROMETHEUS_PORT', T, () => {
  const r = spawnSync(process.execPath, [WARREN, '--help'], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(r.status, 0);
  assert.match(r.stdout, /--prometheus-port N\s+Prometheus metrics/);
  assert.match(r.stdout, /--management-port N .*off: none/);
  assert.match(r.stdout, /WARREN_PROMETHEUS_PORT/);
});
