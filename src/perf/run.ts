import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { AMQPClient } from '@cloudamqp/amqp-client';
import { startBrokerChild, processUsage } from './broker-child.js';
import type { BrokerChild } from './broker-child.js';
import { difference, quantile, total } from './histogram.js';
import { describeOptions, redactUri } from './options.js';
import type { PerfOptions } from './options.js';
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
  readonly perfCpuPercent: number;
}

export interface PerfSummary {
  readonly tool: 'warrenperf';
  readonly version: string;
  readonly startedAt: string;
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
    const endAt = t0 + o.durationS * 1000;
    let interrupted = false;

    const sample = (): Snapshot => {
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

    const last = await race(
      new Promise<Snapshot>((resolve) => {
        let timer: NodeJS.Timeout | undefined;
        const finish = () => {
          if (timer !== undefined) clearTimeout(timer);
          io.interrupt?.removeEventListener('abort', onAbort);
          resolve(sample());
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
          if (nowMs() >= endAt - 1) {
            finish();
            return;
          }
          sample();
          k++;
          schedule();
        };
        schedule();
      }),
    );
    if (failure !== undefined) throw failure;

    const elapsedS = (last.atMs - t0) / 1000;
    const cpuEnd = process.cpuUsage();
    const brokerEnd = watchedPid !== undefined ? processUsage(watchedPid) : undefined;
    const latency = difference(last.latency, base.latency);
    const sent = last.published - base.published;
    const received = last.received - base.received;
    const confirmed = last.confirmed - base.confirmed;
    const summary: PerfSummary = {
      tool: 'warrenperf',
      version: PERF_VERSION,
      startedAt,
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
  parts.push(`warrenperf ${Math.round(i.perfCpuPercent)}% cpu`);
  return `warrenperf: ${parts.join(', ')}`;
}

/** The line before the summary line: scenario, latency and CPU. */
export function detailLine(s: PerfSummary, o: PerfOptions): string {
  const scenario = [
    `client ${o.client}`,
    `${o.producers} producer${o.producers === 1 ? '' : 's'}`,
    `${o.consumers} consumer${o.consumers === 1 ? '' : 's'}`,
    `${o.size}-byte ${o.persistent ? 'persistent' : 'transient'} messages`,
    o.confirm > 0 ? `confirm window ${o.confirm}` : 'no confirms',
    ...(o.rate > 0 ? [`rate ${o.rate} msg/s per producer`] : []),
    ...(o.maxBacklog > 0 ? [`max backlog ${o.maxBacklog}`] : []),
    o.autoAck ? 'auto-ack' : `prefetch ${o.prefetch}, ${o.multiAckEvery > 1 ? `ack every ${o.multiAckEvery}` : 'ack each'}`,
  ];
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
  parts.push(`warrenperf ${Math.round(s.perfCpuPercent)}% cpu`);
  if (s.blocked > 0) parts.push(`blocked ${s.blocked} times`);
  if (s.interrupted) parts.push('interrupted');
  return `warrenperf: ${parts.join('; ')}`;
}
