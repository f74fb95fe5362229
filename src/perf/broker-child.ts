import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

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

/**
 * Spawns `node bin/warren --port <free> --log-level warn --data-dir <temp>` and waits until it
 * accepts TCP connections. Rejects (after killing the child) if it exits or is not listening
 * within startTimeoutMs.
 */
export async function startBrokerChild(startTimeoutMs = 15_000): Promise<BrokerChild> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'warrenperf-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [WARREN_BIN, '--port', String(port), '--log-level', 'warn', '--data-dir', dataDir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
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
  const removeData = () => rmSync(dataDir, { recursive: true, force: true });
  const broker: BrokerChild = {
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    port,
    pid,
    exited,
    hasExited: () => exitedFlag,
    output: () => tail.trim(),
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
