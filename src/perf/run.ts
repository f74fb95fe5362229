import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { AMQPClient } from '@cloudamqp/amqp-client';
import { startBrokerChild, processUsage } from './broker-child.js';
import type { BrokerChild, StorageStats } from './broker-child.js';
import { difference, quantile, total } from './histogram.js';
import { describeOptions, redactUri } from './options.js';
import type { PerfOptions, ScenarioName } from './options.js';
import type { RoleSettings } from './roles.js';
import { newSharedStats, nowMs, snapshot } from './stats.js';
import type { RoleStats, Snapshot } from './stats.js';
import type { FromWorker, WorkerInput, WorkerRole } from './worker.js';

export const PERF_VERSION = '0.1.0';

/** One line of the per-second report. */
export interface Interval {
  /** Seconds since the start of the measurement, at the end of the interval. */
  readonly t: number;
  readonly sentRate: number;
  readonly receivedRate: number;
  readonly confirmedRate: number;
  readonly latencyMedianMs: number | null;
  readonly latencyP95Ms: number | null;
  /** Messages sent but not yet received since the start (queue depth plus messages in flight). */
  readonly backlog: number;
  readonly brokerCpuPercent: number | null;
  readonly brokerRssMB: number | null;
  /** Storage syncs (group commits) of the broker child per second; null with --uri or no answer. */
  readonly syncsRate: number | null;
  /** Bytes its storage engine wrote per second, in MB (2^20 bytes); null as syncsRate. */
  readonly diskMBps: number | null;
  readonly perfCpuPercent: number;
}

export interface PerfSummary {
  readonly tool: 'warrenperf';
  readonly version: string;
  readonly startedAt: string;
  /** The named scenario (--scenario) of this run, or null. */
  readonly scenario: ScenarioName | null;
  /** 'warren child process' or the --uri (without its password). */
  readonly broker: string;
  /** Process id of the broker child warrenperf started (and stopped), or null with --uri. */
  readonly brokerPid: number | null;
  readonly options: Record<string, unknown>;
  readonly queue: string;
  /** Measured seconds (the duration, or less when interrupted). */
  readonly durationS: number;
  readonly interrupted: boolean;
  readonly sent: number;
  readonly received: number;
  readonly confirmed: number;
  readonly nacked: number;
  readonly sentRate: number;
  readonly receivedRate: number;
  readonly confirmedRate: number;
  readonly latencyMs: { readonly median: number; readonly p95: number; readonly p99: number } | null;
  readonly brokerCpuPercent: number | null;
  readonly brokerMaxRssMB: number | null;
  /**
   * The broker child's storage syncs (group commits: one fdatasync batch serving every message
   * pending at that moment) and bytes written during the measurement, and per second; null with
   * --uri, or when the broker did not answer.
   */
  readonly syncs: number | null;
  readonly bytesWritten: number | null;
  readonly syncsRate: number | null;
  readonly diskMBps: number | null;
  readonly perfCpuPercent: number;
  /** Times producers waited for the broker (socket drain or confirm window) and blocked notices. */
  readonly producerWaits: number;
  readonly blocked: number;
  readonly intervals: readonly Interval[];
}

export interface RunIO {
  /** Where the report lines go. */
  log(line: string): void;
  /** Aborting it ends the measurement early; the summary covers the time until then. */
  readonly interrupt?: AbortSignal;
  /** Told about the broker child as soon as it runs (e.g. to kill it from a process 'exit' handler). */
  onBroker?(broker: BrokerChild): void;
  /** No line per second. */
  readonly quiet?: boolean;
}

/** The final line, in the one format that CI logs and notes quote. */
export function summaryLine(s: Pick<PerfSummary, 'sentRate' | 'receivedRate' | 'durationS'>): string {
  return `warrenperf: ${Math.round(s.sentRate)} msg/s sent, ${Math.round(s.receivedRate)} msg/s received over ${s.durationS.toFixed(1)} s`;
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '-';
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  return `${Math.round(ms)} ms`;
}

const WORKER_URL = new URL('./worker.js', import.meta.url);
const STOP_TIMEOUT_MS = 5000;
/** Longest wait for the broker child's storage counters. */
const STORAGE_STATS_TIMEOUT_MS = 1000;

/** The broker child's storage counters, and when they arrived. */
interface StorageReading extends StorageStats {
  readonly atMs: number;
}

function storageReader(broker: BrokerChild | undefined): () => Promise<StorageReading | undefined> {
  return async () => {
    if (broker === undefined) return undefined;
    const stats = await broker.storageStats(STORAGE_STATS_TIMEOUT_MS);
    return stats === undefined ? undefined : { ...stats, atMs: nowMs() };
  };
}

/** Storage work between two readings: counts and rates (MB = 2^20 bytes). */
function storageDelta(
  from: StorageReading | undefined,
  to: StorageReading | undefined,
): { syncs: number; bytesWritten: number; syncsRate: number; diskMBps: number } | undefined {
  if (from === undefined || to === undefined || to.atMs <= from.atMs) return undefined;
  const secs = (to.atMs - from.atMs) / 1000;
  const syncs = to.syncs - from.syncs;
  const bytesWritten = to.bytesWritten - from.bytesWritten;
  return { syncs, bytesWritten, syncsRate: syncs / secs, diskMBps: bytesWritten / 1048576 / secs };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      () => {
        clearTimeout(timer);
        resolve(undefined);
      },
    );
  });
}

interface QueueSetup {
  readonly conn: AMQPClient;
  readonly name: string;
  /** Declared by warrenperf under a fresh name: deleted at the end. */
  readonly fresh: boolean;
}

async function prepareQueue(url: string, o: PerfOptions): Promise<QueueSetup> {
  const conn = new AMQPClient(url);
  conn.name = 'warrenperf setup';
  conn.onerror = () => {};
  await conn.connect();
  const declare = async (name: string) => {
    const ch = await conn.channel();
    await ch.queueDeclare(name, { durable: o.persistent, autoDelete: false, exclusive: false });
  };
  if (o.queue !== undefined) {
    try {
      const ch = await conn.channel();
      await ch.queueDeclare(o.queue, { passive: true });
    } catch {
      await declare(o.queue); // the passive declare closed its channel (404); declare it for real
    }
    return { conn, name: o.queue, fresh: false };
  }
  const name = `warrenperf-${randomUUID().slice(0, 8)}`;
  await declare(name);
  return { conn, name, fresh: true };
}

async function dropQueue(setup: QueueSetup): Promise<void> {
  if (setup.fresh) {
    await withTimeout(
      setup.conn.channel().then((ch) => ch.queueDelete(setup.name)),
      3000,
    );
  }
  await withTimeout(setup.conn.close(), 2000);
  setup.conn.socket?.destroy();
}

interface RunningWorker {
  readonly worker: Worker;
  ready: boolean;
  stopped: boolean;
  exited: boolean;
}

/**
 * Runs one benchmark: starts a Warren child unless options.uri is set, declares the queue,
 * connects the producers and consumers in worker threads, measures for options.durationS and
 * cleans everything up (also on error, interruption or the hard timeout).
 */
export async function runPerf(o: PerfOptions, io: RunIO): Promise<PerfSummary> {
  const startedAt = new Date().toISOString();
  let failure: Error | undefined;
  let rejectFailed: (err: Error) => void = () => {};
  const failed = new Promise<never>((_, reject) => (rejectFailed = reject));
  failed.catch(() => {});
  const fail = (err: Error) => {
    if (failure !== undefined) return;
    failure = err;
    rejectFailed(err);
  };
  const race = <T>(p: Promise<T>): Promise<T> => Promise.race([p, failed]);
  let stage = 'starting';
  const hardTimeout = setTimeout(
    () => fail(new Error(`hard timeout of ${o.timeoutS} s reached while ${stage}`)),
    o.timeoutS * 1000,
  );

  let broker: BrokerChild | undefined;
  let setup: QueueSetup | undefined;
  const workers: RunningWorker[] = [];
  let finishing = false;
  try {
    let url: string;
    if (o.uri === undefined) {
      stage = 'starting the Warren broker';
      const b = await race(startBrokerChild());
      broker = b;
      io.onBroker?.(b);
      void b.exited.then(({ code, signal }) => {
        if (!finishing) fail(new Error(`the Warren broker exited during the run (code ${code}, signal ${signal}):\n${b.output()}`));
      });
      url = b.url;
    } else {
      url = o.uri;
    }
    stage = `connecting to ${redactUri(url)} and declaring the queue`;
    setup = await race(prepareQueue(url, o));
    const settings: RoleSettings = {
      url,
      queue: setup.name,
      size: o.size,
      persistent: o.persistent,
      confirm: o.confirm,
      prefetch: o.prefetch,
      autoAck: o.autoAck,
      multiAckEvery: o.multiAckEvery,
      rate: o.rate,
      maxBacklog: o.maxBacklog,
      client: o.client,
    };

    // Spread consumers and producers over the threads, alternating kinds.
    const kinds: Array<'producer' | 'consumer'> = [];
    for (let i = 0; i < Math.max(o.producers, o.consumers); i++) {
      if (i < o.consumers) kinds.push('consumer');
      if (i < o.producers) kinds.push('producer');
    }
    const perThread: WorkerRole[][] = Array.from({ length: o.threads }, () => []);
    const allStats: RoleStats[] = [];
    const everyone: SharedArrayBuffer[] = [];
    kinds.forEach((kind, i) => {
      const { buffer, stats } = newSharedStats();
      allStats.push(stats);
      everyone.push(buffer);
      perThread[i % o.threads]!.push({ kind, buffer });
    });

    let readyCount = 0;
    let onAllReady: () => void = () => {};
    const allReady = new Promise<void>((resolve) => (onAllReady = resolve));
    for (const roles of perThread) {
      const input: WorkerInput = { settings, roles, everyone };
      const worker = new Worker(WORKER_URL, { workerData: input, name: 'warrenperf' });
      const rw: RunningWorker = { worker, ready: false, stopped: false, exited: false };
      workers.push(rw);
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'ready' && !rw.ready) {
          rw.ready = true;
          if (++readyCount === perThread.length) onAllReady();
        } else if (m.type === 'fatal') {
          if (!finishing) fail(new Error(m.message));
        } else if (m.type === 'stopped') {
          rw.stopped = true;
        }
      });
      worker.on('error', (err) => fail(err));
      worker.on('exit', (code) => {
        rw.exited = true;
        if (!finishing) fail(new Error(`a warrenperf worker thread exited (code ${code})`));
      });
    }
    stage = 'connecting the producers and consumers';
    await race(allReady);
    stage = 'measuring';
    const watchedPid = broker?.pid ?? o.brokerPid;
    const readStorage = storageReader(broker);
    // Before the producers start, so that the first second counts from zero.
    const storage0 = await race(readStorage());

    // Measure.
    for (const w of workers) w.worker.postMessage({ type: 'start' });
    const t0 = nowMs();
    const base = snapshot(allStats, t0);
    const cpu0 = process.cpuUsage();
    const brokerUsage0 = watchedPid !== undefined ? processUsage(watchedPid) : undefined;
    const intervals: Interval[] = [];
    let prev: Snapshot = base;
    let prevCpu = cpu0;
    let prevBroker = brokerUsage0;
    let maxRss: number | null = brokerUsage0 !== undefined ? brokerUsage0.rssBytes : null;
    /** The latest storage reading that arrived. */
    let lastStorage = storage0;
    const endAt = t0 + o.durationS * 1000;
    let interrupted = false;

    // Takes the figures of the second that just ended and reports it. The storage counters come
    // from the broker child asynchronously; sampleNext() keeps samples one after the other.
    const sample = async (): Promise<Snapshot> => {
      const now = nowMs();
      const s = snapshot(allStats, now);
      const secs = (now - prev.atMs) / 1000;
      const cpu = process.cpuUsage();
      const perfCpu = (cpu.user - prevCpu.user + cpu.system - prevCpu.system) / 1000 / (now - prev.atMs);
      const bu = watchedPid !== undefined ? processUsage(watchedPid) : undefined;
      const brokerCpu =
        bu !== undefined && prevBroker !== undefined ? (bu.cpuMs - prevBroker.cpuMs) / (now - prev.atMs) : null;
      if (bu !== undefined) maxRss = Math.max(maxRss ?? 0, bu.rssBytes);
      const lat = difference(s.latency, prev.latency);
      const storage = await readStorage();
      const disk = storageDelta(lastStorage, storage);
      if (storage !== undefined) lastStorage = storage;
      const interval: Interval = {
        t: (now - t0) / 1000,
        sentRate: (s.published - prev.published) / secs,
        receivedRate: (s.received - prev.received) / secs,
        confirmedRate: (s.confirmed - prev.confirmed) / secs,
        latencyMedianMs: quantile(lat, 0.5) ?? null,
        latencyP95Ms: quantile(lat, 0.95) ?? null,
        backlog: s.published - base.published - (s.received - base.received),
        brokerCpuPercent: brokerCpu === null ? null : brokerCpu * 100,
        brokerRssMB: bu !== undefined ? bu.rssBytes / 1048576 : null,
        syncsRate: disk?.syncsRate ?? null,
        diskMBps: disk?.diskMBps ?? null,
        perfCpuPercent: perfCpu * 100,
      };
      if (secs >= 0.05) {
        intervals.push(interval);
        if (io.quiet !== true) io.log(intervalLine(interval, o.confirm > 0));
      }
      prev = s;
      prevCpu = cpu;
      prevBroker = bu;
      return s;
    };
    let sampling: Promise<Snapshot> = Promise.resolve(base);
    const sampleNext = (): Promise<Snapshot> => (sampling = sampling.then(sample));

    const last = await race(
      new Promise<Snapshot>((resolve) => {
        let timer: NodeJS.Timeout | undefined;
        let finished = false;
        const finish = () => {
          if (finished) return;
          finished = true;
          if (timer !== undefined) clearTimeout(timer);
          io.interrupt?.removeEventListener('abort', onAbort);
          resolve(sampleNext());
        };
        const onAbort = () => {
          interrupted = true;
          finish();
        };
        if (io.interrupt?.aborted === true) {
          onAbort();
          return;
        }
        io.interrupt?.addEventListener('abort', onAbort, { once: true });
        let k = 1;
        const schedule = () => {
          const next = Math.min(t0 + k * 1000, endAt);
          timer = setTimeout(tick, Math.max(0, next - nowMs()));
        };
        const tick = () => {
          timer = undefined;
          if (nowMs() >= endAt - 1) {
            finish();
            return;
          }
          sampleNext().then(
            () => {
              if (finished) return;
              // The next whole second (a slow storage answer may have taken this one).
              k = Math.max(k + 1, Math.floor((nowMs() - t0) / 1000) + 1);
              schedule();
            },
            (err: unknown) => fail(err instanceof Error ? err : new Error(String(err))),
          );
        };
        schedule();
      }),
    );
    if (failure !== undefined) throw failure;

    const elapsedS = (last.atMs - t0) / 1000;
    // As the last sample took them, at last.atMs.
    const cpuEnd = prevCpu;
    const brokerEnd = prevBroker;
    const disk = storageDelta(storage0, lastStorage);
    const latency = difference(last.latency, base.latency);
    const sent = last.published - base.published;
    const received = last.received - base.received;
    const confirmed = last.confirmed - base.confirmed;
    const summary: PerfSummary = {
      tool: 'warrenperf',
      version: PERF_VERSION,
      startedAt,
      scenario: o.scenario ?? null,
      broker: o.uri === undefined ? 'warren child process' : redactUri(o.uri),
      brokerPid: broker?.pid ?? null,
      options: describeOptions(o),
      queue: setup.name,
      durationS: elapsedS,
      interrupted,
      sent,
      received,
      confirmed,
      nacked: last.nacked - base.nacked,
      sentRate: elapsedS > 0 ? sent / elapsedS : 0,
      receivedRate: elapsedS > 0 ? received / elapsedS : 0,
      confirmedRate: elapsedS > 0 ? confirmed / elapsedS : 0,
      latencyMs:
        total(latency) > 0
          ? { median: quantile(latency, 0.5)!, p95: quantile(latency, 0.95)!, p99: quantile(latency, 0.99)! }
          : null,
      brokerCpuPercent:
        brokerEnd !== undefined && brokerUsage0 !== undefined && elapsedS > 0
          ? (brokerEnd.cpuMs - brokerUsage0.cpuMs) / 10 / elapsedS
          : null,
      brokerMaxRssMB: maxRss === null ? null : maxRss / 1048576,
      syncs: disk?.syncs ?? null,
      bytesWritten: disk?.bytesWritten ?? null,
      syncsRate: disk?.syncsRate ?? null,
      diskMBps: disk?.diskMBps ?? null,
      perfCpuPercent:
        elapsedS > 0 ? (cpuEnd.user - cpu0.user + cpuEnd.system - cpu0.system) / 10_000 / elapsedS : 0,
      producerWaits: last.waits - base.waits,
      blocked: last.blocked - base.blocked,
      intervals,
    };
    return summary;
  } catch (err) {
    // A connection error often arrives before the broker child's exit is noticed: say what happened.
    if (broker !== undefined && !finishing) {
      await withTimeout(broker.exited, 500);
      if (broker.hasExited() && failure !== undefined && !failure.message.startsWith('the Warren broker exited')) {
        const { code, signal } = await broker.exited;
        throw new Error(
          `the Warren broker exited during the run (code ${code}, signal ${signal}; ${failure.message}):\n${broker.output()}`,
        );
      }
    }
    throw err;
  } finally {
    finishing = true;
    clearTimeout(hardTimeout);
    // Stop the workers (they close their connections), then force what did not stop in time.
    if (workers.length > 0) {
      for (const w of workers) if (!w.exited) w.worker.postMessage({ type: 'stop' });
      await withTimeout(
        Promise.all(
          workers.map(
            (w) =>
              new Promise<void>((resolve) => {
                if (w.stopped || w.exited) resolve();
                else {
                  w.worker.on('message', (m: FromWorker) => m.type === 'stopped' && resolve());
                  w.worker.on('exit', () => resolve());
                }
              }),
          ),
        ),
        STOP_TIMEOUT_MS,
      );
      await Promise.all(workers.map((w) => withTimeout(w.worker.terminate(), 2000)));
    }
    if (setup !== undefined && !(broker?.hasExited() ?? false)) await dropQueue(setup);
    else setup?.conn.socket?.destroy();
    await broker?.stop();
  }
}

export function intervalLine(i: Interval, confirms: boolean): string {
  const parts = [
    `time ${i.t.toFixed(1)} s`,
    `sent ${Math.round(i.sentRate)} msg/s`,
    `received ${Math.round(i.receivedRate)} msg/s`,
  ];
  if (confirms) parts.push(`confirmed ${Math.round(i.confirmedRate)} msg/s`);
  parts.push(`latency median ${formatMs(i.latencyMedianMs)} 95th ${formatMs(i.latencyP95Ms)}`);
  parts.push(`backlog ${i.backlog}`);
  if (i.brokerCpuPercent !== null && i.brokerRssMB !== null) {
    parts.push(`broker ${Math.round(i.brokerCpuPercent)}% cpu ${Math.round(i.brokerRssMB)} MB`);
  }
  if (i.syncsRate !== null && i.diskMBps !== null) parts.push(storageText(i.syncsRate, i.diskMBps));
  parts.push(`warrenperf ${Math.round(i.perfCpuPercent)}% cpu`);
  return `warrenperf: ${parts.join(', ')}`;
}

function storageText(syncsRate: number, diskMBps: number): string {
  return `syncs ${Math.round(syncsRate)}/s, disk ${diskMBps.toFixed(1)} MB/s`;
}

/** What a run does, in words: client, producers and consumers, messages, confirms, acks. */
function describeRun(o: PerfOptions): string[] {
  return [
    `client ${o.client}`,
    `${o.producers} producer${o.producers === 1 ? '' : 's'}`,
    `${o.consumers} consumer${o.consumers === 1 ? '' : 's'}`,
    `${o.size}-byte ${o.persistent ? 'persistent' : 'transient'} messages`,
    o.confirm > 0 ? `confirm window ${o.confirm}` : 'no confirms',
    ...(o.rate > 0 ? [`rate ${o.rate} msg/s per producer`] : []),
    ...(o.maxBacklog > 0 ? [`max backlog ${o.maxBacklog}`] : []),
    o.autoAck ? 'auto-ack' : `prefetch ${o.prefetch}, ${o.multiAckEvery > 1 ? `ack every ${o.multiAckEvery}` : 'ack each'}`,
  ];
}

/** The line that starts a run of a named scenario (--scenario): index of count. */
export function scenarioLine(o: PerfOptions, index: number, count: number): string {
  const name = o.scenario ?? 'custom';
  const broker = o.uri === undefined ? 'a fresh Warren child' : redactUri(o.uri);
  const what = describeRun(o).join(', ');
  return `warrenperf: scenario ${name} (${index + 1} of ${count}): ${what}; ${o.durationS} s against ${broker}`;
}

/** The line before the summary line: scenario, latency, CPU and storage. */
export function detailLine(s: PerfSummary, o: PerfOptions): string {
  const scenario = [...(o.scenario !== undefined ? [`scenario ${o.scenario}`] : []), ...describeRun(o)];
  const parts = [scenario.join(', ')];
  if (o.confirm > 0) parts.push(`${Math.round(s.confirmedRate)} msg/s confirmed, ${s.nacked} nacked`);
  if (s.latencyMs !== null) {
    parts.push(
      `latency median ${formatMs(s.latencyMs.median)}, 95th ${formatMs(s.latencyMs.p95)}, 99th ${formatMs(s.latencyMs.p99)}`,
    );
  }
  if (s.brokerCpuPercent !== null && s.brokerMaxRssMB !== null) {
    parts.push(`broker ${Math.round(s.brokerCpuPercent)}% cpu, max ${Math.round(s.brokerMaxRssMB)} MB rss`);
  }
  if (s.syncsRate !== null && s.diskMBps !== null) parts.push(storageText(s.syncsRate, s.diskMBps));
  parts.push(`warrenperf ${Math.round(s.perfCpuPercent)}% cpu`);
  if (s.blocked > 0) parts.push(`blocked ${s.blocked} times`);
  if (s.interrupted) parts.push('interrupted');
  return `warrenperf: ${parts.join('; ')}`;
}

/**
 * The runs side by side, as a Markdown table with aligned columns (readable in a terminal, and
 * ready to paste into a note).
 */
export function comparisonTable(
  runs: ReadonlyArray<{ readonly options: PerfOptions; readonly summary: PerfSummary }>,
): string[] {
  const count = (n: number) => Math.round(n).toLocaleString('en-US');
  const ms = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(1)} s` : formatMs(v));
  const header = [
    'scenario',
    'sent msg/s',
    'received msg/s',
    'confirmed msg/s',
    'latency median / 95th',
    'syncs/s',
    'disk MB/s',
    'broker cpu, max rss',
  ];
  const right = [false, true, true, true, false, true, true, false];
  const rows = runs.map(({ options: o, summary: s }) => [
    o.scenario ?? 'custom',
    count(s.sentRate),
    count(s.receivedRate),
    o.confirm > 0 ? count(s.confirmedRate) : '-',
    s.latencyMs === null ? '-' : `${ms(s.latencyMs.median)} / ${ms(s.latencyMs.p95)}`,
    s.syncsRate === null ? '-' : count(s.syncsRate),
    s.diskMBps === null ? '-' : s.diskMBps.toFixed(1),
    s.brokerCpuPercent === null || s.brokerMaxRssMB === null
      ? '-'
      : `${Math.round(s.brokerCpuPercent)}%, ${Math.round(s.brokerMaxRssMB)} MB`,
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const aligned = (cells: readonly string[]) =>
    row(cells.map((cell, c) => (right[c] === true ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0))));
  const rule = row(widths.map((w, c) => (right[c] === true ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))));
  return [aligned(header), rule, ...rows.map(aligned)];
}
