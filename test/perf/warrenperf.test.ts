/**
 * warrenperf: option parsing (named scenarios too), the summary line format, the broker child's
 * storage counters, short runs against a Warren child process (the CLI, as `npm run bench` uses
 * it, one scenario or all of them) and against an in-process broker with both client libraries,
 * and interruption (SIGINT stops the run and the broker child).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parsePerfArgs, UsageError, DEFAULTS, SCENARIOS } from '../../src/perf/options.js';
import type { PerfOptions } from '../../src/perf/options.js';
import { startBrokerChild } from '../../src/perf/broker-child.js';
import { runPerf, summaryLine } from '../../src/perf/run.js';
import type { PerfSummary } from '../../src/perf/run.js';
import { bucketOf, bucketValueMs, quantile, HISTOGRAM_BUCKETS } from '../../src/perf/histogram.js';
import { startBroker } from '../../src/index.js';

const BIN = fileURLToPath(new URL('../../../bin/warrenperf', import.meta.url));
const SUMMARY = /^warrenperf: (\d+) msg\/s sent, (\d+) msg\/s received over (\d+\.\d) s$/m;

interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs bin/warrenperf; `whenStarted` gets the child once it printed its first line per second. */
function runCli(args: string[], limitMs: number, whenStarted?: (pid: number) => void): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let started = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!started && whenStarted !== undefined && /time \d/.test(stderr)) {
        started = true;
        whenStarted(child.pid ?? -1);
      }
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`warrenperf did not finish within ${limitMs} ms:\n${stderr}`));
    }, limitMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The runs a command line asks for (fails on --help). */
function runsOf(args: string[]): readonly PerfOptions[] {
  const parsed = parsePerfArgs(args);
  assert.equal(parsed.help, false);
  if (parsed.help) throw new Error('unreachable');
  return parsed.runs;
}

function options(overrides: Partial<PerfOptions>): PerfOptions {
  const [only] = runsOf([]);
  assert.ok(only !== undefined);
  return { ...only, quiet: true, ...overrides };
}

/** A non-negative finite number. */
function assertCount(value: unknown, what: string): void {
  assert.ok(typeof value === 'number' && Number.isFinite(value) && value >= 0, `${what}: ${String(value)}`);
}

describe('warrenperf options', () => {
  test('defaults', () => {
    const runs = runsOf([]);
    assert.equal(runs.length, 1);
    const o = runs[0]!;
    assert.equal(o.scenario, undefined);
    assert.equal(o.uri, undefined);
    assert.equal(o.producers, 1);
    assert.equal(o.consumers, 1);
    assert.equal(o.size, 16);
    assert.equal(o.durationS, 10);
    assert.equal(o.timeoutS, 40);
    assert.equal(o.confirm, 0);
    assert.equal(o.prefetch, DEFAULTS.prefetch);
    assert.equal(o.autoAck, false);
    assert.equal(o.persistent, false);
    assert.equal(o.client, 'amqp-client');
    assert.equal(o.threads, 2);
  });

  test('all options', () => {
    const runs = runsOf([
      '--uri', 'amqp://u:p@localhost:5673/v', '--producers', '3', '--consumers', '2', '--size', '1024',
      '--duration', '2.5', '--queue', 'q1', '--persistent', '--confirm', '100', '--prefetch', '50',
      '--auto-ack', '--multi-ack-every', '10', '--rate', '500', '--max-backlog', '1000',
      '--client', 'amqplib', '--threads', '1', '--timeout', '9', '--json', '--quiet',
    ]);
    assert.deepEqual(runs, [{
      scenario: undefined, uri: 'amqp://u:p@localhost:5673/v', producers: 3, consumers: 2, size: 1024, durationS: 2.5,
      queue: 'q1', persistent: true, confirm: 100, prefetch: 50, autoAck: true, multiAckEvery: 10,
      rate: 500, maxBacklog: 1000, brokerPid: undefined, client: 'amqplib', threads: 1, timeoutS: 9,
      json: true, quiet: true,
    }]);
  });

  test('--scenario transient is the defaults, persistent fixes size, persistence and confirms', () => {
    const [plain] = runsOf([]);
    const [transient] = runsOf(['--scenario', 'transient']);
    assert.deepEqual(transient, { ...plain, scenario: 'transient' });
    const [persistent] = runsOf(['--scenario', 'persistent', '--duration', '3', '--producers', '2']);
    assert.deepEqual(persistent, {
      ...plain, scenario: 'persistent', size: 1024, persistent: true, confirm: 100, autoAck: false,
      durationS: 3, timeoutS: 33, producers: 2, threads: 3,
    });
    assert.equal(persistent?.prefetch, DEFAULTS.prefetch);
    assert.equal(persistent?.multiAckEvery, 1);
  });

  test('--scenario all: transient then persistent, the other options applying to both', () => {
    const runs = runsOf(['--scenario', 'all', '--duration', '1', '--json', '--prefetch', '200']);
    assert.deepEqual(runs.map((o) => o.scenario), ['transient', 'persistent']);
    for (const o of runs) {
      assert.equal(o.durationS, 1);
      assert.equal(o.prefetch, 200);
      assert.equal(o.json, true);
      const fixed = SCENARIOS[o.scenario ?? 'transient'];
      assert.deepEqual(
        { size: o.size, persistent: o.persistent, confirm: o.confirm, autoAck: o.autoAck },
        fixed,
      );
    }
  });

  test('--scenario: unknown names and the options it fixes are usage errors', () => {
    for (const args of [
      ['--scenario', 'durable'], ['--scenario', ''], ['--scenario', 'persistent', '--size', '16'],
      ['--scenario', 'all', '--persistent'], ['--scenario', 'transient', '--confirm', '10'],
      ['--scenario', 'persistent', '--auto-ack'],
    ]) {
      assert.throws(() => parsePerfArgs(args), UsageError, args.join(' '));
    }
  });

  test('bad options are usage errors', () => {
    for (const args of [
      ['--producers', '-1'], ['--size', 'x'], ['--duration', '0'], ['--client', 'pika'],
      ['--uri', 'http://x'], ['--prefetch', '10', '--multi-ack-every', '20'], ['--nope'],
      ['--producers', '0', '--consumers', '0'], ['--duration', '10', '--timeout', '5'],
      ['--broker-pid', '1'],
    ]) {
      assert.throws(() => parsePerfArgs(args), UsageError, args.join(' '));
    }
    assert.deepEqual(parsePerfArgs(['--help']), { help: true });
  });

  test('the summary line format', () => {
    assert.equal(
      summaryLine({ sentRate: 12345.6, receivedRate: 12000.2, durationS: 10.0004 }),
      'warrenperf: 12346 msg/s sent, 12000 msg/s received over 10.0 s',
    );
    assert.match(summaryLine({ sentRate: 1, receivedRate: 2, durationS: 3 }), SUMMARY);
  });

  test('latency histogram buckets', () => {
    assert.equal(bucketOf(0), 0);
    assert.equal(bucketOf(-5), 0);
    assert.equal(bucketOf(Number.NaN), 0);
    assert.equal(bucketOf(1e12), HISTOGRAM_BUCKETS - 1);
    for (const ms of [0.002, 0.5, 1, 3.7, 250, 9000]) {
      const v = bucketValueMs(bucketOf(ms));
      assert.ok(Math.abs(v - ms) / ms < 0.05, `${ms} ms is put near ${v} ms`);
    }
    const counts = new Uint32Array(HISTOGRAM_BUCKETS);
    for (let i = 1; i <= 100; i++) counts[bucketOf(i)]! += 1;
    assert.ok(Math.abs(quantile(counts, 0.5)! - 50) < 3);
    assert.ok(Math.abs(quantile(counts, 0.95)! - 95) < 5);
    assert.equal(quantile(new Uint32Array(HISTOGRAM_BUCKETS), 0.5), undefined);
  });
});

describe('the broker child', () => {
  test('answers storage-stats over IPC, and undefined at once when it is gone', { timeout: 30_000 }, async () => {
    const broker = await startBrokerChild();
    try {
      const stats = await broker.storageStats();
      assert.ok(stats !== undefined, 'an answer');
      assertCount(stats.syncs, 'syncs');
      assertCount(stats.bytesWritten, 'bytesWritten');
      // Requests at the same time all get an answer.
      const answers = await Promise.all([1, 2, 3].map(() => broker.storageStats()));
      assert.ok(answers.every((a) => a !== undefined && a.syncs >= stats.syncs));
    } finally {
      await broker.stop();
    }
    const asked = Date.now();
    assert.equal(await broker.storageStats(), undefined);
    assert.ok(Date.now() - asked < 500);
  });
});

describe('warrenperf runs', () => {
  test('bin/warrenperf against its own Warren child: 2 s, JSON summary, received > 0', { timeout: 30_000 }, async () => {
    const r = await runCli(['--duration', '2', '--json', '--max-backlog', '20000'], 28_000);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout.trim()) as PerfSummary;
    assert.equal(summary.tool, 'warrenperf');
    assert.ok(summary.sent > 0, 'sent');
    assert.ok(summary.received > 0, 'received');
    assert.ok(summary.receivedRate > 0);
    assert.ok(summary.durationS >= 1.9 && summary.durationS < 3, String(summary.durationS));
    assert.ok(summary.latencyMs !== null && summary.latencyMs.median >= 0);
    assert.ok(summary.intervals.length >= 2);
    assert.equal(summary.interrupted, false);
    // The broker child's storage counters (zero while nothing is written to disk).
    assertCount(summary.syncs, 'syncs');
    assertCount(summary.syncsRate, 'syncsRate');
    assertCount(summary.bytesWritten, 'bytesWritten');
    assertCount(summary.diskMBps, 'diskMBps');
    // Each second has the figure unless the broker was too busy to answer within a second.
    for (const i of summary.intervals) if (i.syncsRate !== null) assertCount(i.syncsRate, `syncsRate at ${i.t} s`);
    assert.ok(summary.intervals.some((i) => i.syncsRate !== null));
    assert.match(r.stderr, /^warrenperf: time .*, syncs \d+\/s, disk \d+\.\d MB\/s, warrenperf/m);
    assert.match(r.stderr, /; syncs \d+\/s, disk \d+\.\d MB\/s; /);
    const m = SUMMARY.exec(r.stderr);
    assert.ok(m !== null, `summary line in:\n${r.stderr}`);
    assert.equal(Number(m[2]), Math.round(summary.receivedRate));
    // The summary line is the last line.
    assert.match(r.stderr.trim().split('\n').at(-1) ?? '', SUMMARY);
    // The broker child is gone.
    assert.ok(summary.brokerPid !== null);
    assert.equal(isAlive(summary.brokerPid), false);
  });

  test('--scenario all: both scenarios, each against its own broker child, then a table', { timeout: 45_000 }, async () => {
    const r = await runCli(['--scenario', 'all', '--duration', '1', '--json', '--max-backlog', '20000'], 43_000);
    assert.equal(r.code, 0, r.stderr);
    const summaries = r.stdout.trim().split('\n').map((line) => JSON.parse(line) as PerfSummary);
    assert.deepEqual(summaries.map((s) => s.scenario), ['transient', 'persistent']);
    const [transient, persistent] = summaries;
    assert.ok(transient !== undefined && persistent !== undefined);
    assert.equal(transient.options['size'], 16);
    assert.equal(transient.options['persistent'], false);
    assert.equal(persistent.options['size'], 1024);
    assert.equal(persistent.options['persistent'], true);
    assert.equal(persistent.options['confirm'], 100);
    assert.equal(persistent.options['autoAck'], false);
    assert.ok(persistent.confirmed > 0, 'confirmed');
    for (const s of summaries) {
      assert.ok(s.received > 0, `${s.scenario}: received`);
      assertCount(s.syncs, `${s.scenario}: syncs`);
      assertCount(s.syncsRate, `${s.scenario}: syncsRate`);
      assert.ok(s.brokerPid !== null);
      assert.equal(isAlive(s.brokerPid), false);
    }
    assert.notEqual(transient.brokerPid, persistent.brokerPid);
    assert.equal([...r.stderr.matchAll(new RegExp(SUMMARY.source, 'gm'))].length, 2, r.stderr);
    assert.match(r.stderr, /^warrenperf: scenario transient \(1 of 2\): /m);
    assert.match(r.stderr, /^warrenperf: scenario persistent \(2 of 2\): .*1024-byte persistent messages, confirm window 100/m);
    // The comparison table ends the output.
    const table = r.stderr.trim().split('\n').slice(-4);
    assert.match(table[0] ?? '', /^\| scenario +\| sent msg\/s \| .*\| syncs\/s \| disk MB\/s \|/);
    assert.match(table[2] ?? '', /^\| transient +\| +[\d,]+ \| +[\d,]+ \| +- \|/);
    assert.match(table[3] ?? '', /^\| persistent +\| +[\d,]+ \| +[\d,]+ \| +[\d,]+ \|/);
  });

  test('SIGINT ends the run early with a summary, skips the next scenario and stops the broker child', { timeout: 30_000 }, async () => {
    const r = await runCli(
      ['--scenario', 'all', '--duration', '20', '--json', '--rate', '2000'], 25_000, (pid) => process.kill(pid, 'SIGINT'),
    );
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout.trim()) as PerfSummary;
    assert.equal(summary.interrupted, true);
    assert.equal(summary.scenario, 'transient');
    assert.ok(summary.durationS < 10);
    assert.match(r.stderr, SUMMARY);
    assert.doesNotMatch(r.stderr, /scenario persistent/);
    assert.ok(summary.brokerPid !== null);
    assert.equal(isAlive(summary.brokerPid), false);
  });

  test('an unreachable --uri fails fast with exit code 1', { timeout: 30_000 }, async () => {
    const r = await runCli(['--uri', 'amqp://guest:guest@127.0.0.1:1', '--duration', '1'], 25_000);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /warrenperf: error: .*ECONNREFUSED/);
  });

  for (const client of ['amqp-client', 'amqplib'] as const) {
    test(`runPerf with ${client} against an in-process broker, confirms, 2 producers and consumers`, { timeout: 30_000 }, async () => {
      const broker = await startBroker({ port: 0, bind: ['127.0.0.1'] });
      try {
        const lines: string[] = [];
        const summary = await runPerf(
          options({
            uri: broker.url,
            client,
            durationS: 1.5,
            timeoutS: 25,
            producers: 2,
            consumers: 2,
            confirm: 50,
            size: 100,
            multiAckEvery: 10,
            rate: 3000,
          }),
          { log: (l) => lines.push(l), quiet: true },
        );
        assert.equal(lines.length, 0);
        assert.ok(summary.received > 0, 'received');
        assert.ok(summary.confirmed > 0, 'confirmed');
        assert.equal(summary.nacked, 0);
        // 2 producers at 3000 msg/s each for 1.5 s, give or take the first and last batch.
        assert.ok(summary.sent <= 2 * 3000 * 1.5 + 1000, String(summary.sent));
        assert.equal(summary.brokerPid, null);
        // Storage counters come from a broker child only.
        assert.equal(summary.syncs, null);
        assert.equal(summary.syncsRate, null);
        assert.ok(summary.intervals.every((i) => i.syncsRate === null && i.diskMBps === null));
      } finally {
        await broker.close();
      }
    });
  }
});
