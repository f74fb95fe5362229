import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Cumulative counters of the broker's storage engine since it started. */
export interface StorageStats {
  /** Group commits: fdatasync batches, each serving every message pending at that moment. */
  readonly syncs: number;
  readonly bytesWritten: number;
}

/** A Warren broker that warrenperf started as a child process (so it has a CPU of its own). */
export interface BrokerChild {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Resolves when the process has exited, for whatever reason. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** True once the process has exited. */
  hasExited(): boolean;
  /** The last lines the broker printed (stdout and stderr), for error messages. */
  output(): string;
  /**
   * Asks the broker for its storage counters over the IPC channel; undefined if it does not answer
   * within timeoutMs or the channel is gone (it has exited, or is a build without the request).
   */
  storageStats(timeoutMs?: number): Promise<StorageStats | undefined>;
  /** SIGTERM, then SIGKILL after graceMs; removes the data directory. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL now, synchronously (for process 'exit' handlers). */
  killNow(): void;
}

const WARREN_BIN = fileURLToPath(new URL('../../../bin/warren', import.meta.url));

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The broker's answer to the IPC message 'storage-stats' (see src/cli/warren.ts). */
function storageReply(message: unknown): StorageStats | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const m = message as Record<string, unknown>;
  const { syncs, bytesWritten } = m;
  if (m['type'] !== 'storage-stats' || typeof syncs !== 'number' || typeof bytesWritten !== 'number') return undefined;
  return { syncs, bytesWritten };
}

/**
 * Requests for storage counters over a child's IPC channel. The child answers each request, in
 * order, so the n-th answer answers the n-th request; a caller waits for the answer to its own
 * request (or a later one), never for an older one, so counters are never older than the request.
 */
function storageRequests(child: ChildProcess): (timeoutMs: number) => Promise<StorageStats | undefined> {
  let requested = 0;
  let answered = 0;
  const waiting = new Map<number, (stats: StorageStats | undefined) => void>();
  child.on('message', (message: unknown) => {
    const stats = storageReply(message);
    if (stats === undefined) return;
    answered++;
    for (const [n, settle] of waiting) if (n <= answered) settle(stats);
  });
  child.once('disconnect', () => {
    for (const settle of waiting.values()) settle(undefined);
  });
  return (timeoutMs) =>
    new Promise((resolve) => {
      if (!child.connected) {
        resolve(undefined);
        return;
      }
      const n = ++requested;
      const settle = (stats: StorageStats | undefined) => {
        clearTimeout(timer);
        waiting.delete(n);
        resolve(stats);
      };
      const timer = setTimeout(() => settle(undefined), timeoutMs);
      waiting.set(n, settle);
      try {
        child.send('storage-stats', (err) => {
          if (err !== null) settle(undefined);
        });
      } catch {
        settle(undefined); // the channel closed in between
      }
    });
}

/**
 * Spawns `node bin/warren --port <free> --management-port 0 --prometheus-port 0 --log-level warn
 * --data-dir <temp>` and waits until it accepts TCP connections. Rejects (after killing the child)
 * if it exits or is not listening within startTimeoutMs. With `keptDataDir` the broker uses that directory and leaves it in place
 * (to restart on it); otherwise a temporary one is removed when the broker stops.
 */
export async function startBrokerChild(startTimeoutMs = 15_000, keptDataDir?: string): Promise<BrokerChild> {
  const port = await freePort();
  const dataDir = keptDataDir ?? mkdtempSync(join(tmpdir(), 'warrenperf-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [WARREN_BIN, '--port', String(port), '--management-port', '0', '--prometheus-port', '0', '--log-level', 'warn', '--data-dir', dataDir],
    // The IPC channel carries the 'storage-stats' requests.
    { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
  );
  const requestStorageStats = storageRequests(child);
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-8192);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exitedFlag = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      exitedFlag = true;
      resolve({ code, signal });
    });
    child.once('error', (err) => {
      keep(Buffer.from(`spawn failed: ${err.message}\n`));
      exitedFlag = true;
      resolve({ code: null, signal: null });
    });
  });
  const pid = child.pid ?? -1;
  let stopping: Promise<void> | undefined;
  const removeData = () => {
    if (keptDataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
  };
  const broker: BrokerChild = {
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    port,
    pid,
    exited,
    hasExited: () => exitedFlag,
    output: () => tail.trim(),
    storageStats: (timeoutMs = 1000) => requestStorageStats(timeoutMs),
    stop(graceMs = 5000) {
      stopping ??= (async () => {
        if (!exitedFlag) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
          await exited;
          clearTimeout(timer);
        }
        removeData();
      })();
      return stopping;
    },
    killNow() {
      if (!exitedFlag) child.kill('SIGKILL');
      removeData();
    },
  };
  const deadline = Date.now() + startTimeoutMs;
  while (!(await canConnect(port))) {
    if (exitedFlag) {
      const { code, signal } = await exited;
      removeData();
      throw new Error(
        `the Warren broker exited before listening (code ${code}, signal ${signal}):\n${broker.output()}`,
      );
    }
    if (Date.now() > deadline) {
      await broker.stop(1000);
      throw new Error(`the Warren broker did not listen on port ${port} within ${startTimeoutMs} ms:\n${broker.output()}`);
    }
    await delay(50);
  }
  return broker;
}

/** CPU time (ms, user + system) and resident memory (bytes) of a process, from /proc (Linux). */
export function processUsage(pid: number): { cpuMs: number; rssBytes: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (!Number.isFinite(utime) || !Number.isFinite(stime) || rss === null) return undefined;
    // USER_HZ is 100 on every Linux that Node supports.
    return { cpuMs: (utime + stime) * 10, rssBytes: Number(rss[1]) * 1024 };
  } catch {
    return undefined;
  }
}
