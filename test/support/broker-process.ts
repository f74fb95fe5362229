/**
 * A Warren broker in a child process (`node bin/warren --data-dir DIR`) whose data directory
 * outlives it, for durability tests: stop it with SIGKILL (a crash) or SIGTERM (a clean
 * shutdown) and start another one on the same directory. Every child still running when the
 * test process exits is killed, and `removeDataDir` cleans up.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../src/perf/broker-child.js';
import type { TestBroker } from './broker.js';
import { RawClient } from './raw-client.js';
import { delay, withTimeout } from './wait.js';

const WARREN_BIN = fileURLToPath(new URL('../../../bin/warren', import.meta.url));

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A running (or exited) broker child; usable wherever a TestBroker is (e.g. `new Clients(b)`). */
export interface BrokerProcess extends TestBroker {
  readonly pid: number;
  readonly dataDir: string;
  readonly exited: Promise<ExitStatus>;
  hasExited(): boolean;
  /** The last lines the broker printed (stdout and stderr). */
  output(): string;
  /** SIGKILL (a crash: nothing is flushed) and wait for the exit. */
  kill(): Promise<ExitStatus>;
  /**
   * SIGTERM (a clean shutdown) and wait for the exit; if the broker has not exited after
   * `graceMs` it is killed and this rejects, since a clean shutdown must finish.
   */
  terminate(graceMs?: number): Promise<ExitStatus>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A new empty data directory under the system temp dir. */
export function makeDataDir(prefix = 'warren-durability-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDataDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** True once an AMQP handshake with the broker succeeds (it listens only after recovery). */
async function answersAmqp(port: number): Promise<boolean> {
  try {
    const c = await RawClient.open(port);
    await c.close(2000).catch(() => c.destroy());
    return true;
  } catch {
    return false;
  }
}

/**
 * Spawns `node bin/warren --port <free> --management-port 0 --prometheus-port 0 --data-dir <dataDir>
 * --log-level warn` (the management API and metrics on ports of their own, so brokers started side
 * by side do not collide on 15672 and 15692) and waits until it completes an AMQP handshake.
 * Rejects (after killing the child) if it exits first or is not ready within startTimeoutMs.
 */
export async function startBrokerProcess(dataDir: string, startTimeoutMs = 30_000): Promise<BrokerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [WARREN_BIN, '--port', String(port), '--management-port', '0', '--prometheus-port', '0', '--data-dir', dataDir, '--log-level', 'warn'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let tail = '';
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-8192);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exitedFlag = false;
  const exited = new Promise<ExitStatus>((resolve) => {
    const done = (status: ExitStatus): void => {
      exitedFlag = true;
      running.delete(child);
      resolve(status);
    };
    child.once('exit', (code, signal) => done({ code, signal }));
    child.once('error', (err) => {
      keep(Buffer.from(`spawn failed: ${err.message}\n`));
      done({ code: null, signal: null });
    });
  });
  const kill = async (): Promise<ExitStatus> => {
    if (!exitedFlag) child.kill('SIGKILL');
    return exited;
  };
  const broker: BrokerProcess = {
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    username: 'guest',
    password: 'guest',
    external: false,
    pid: child.pid ?? -1,
    dataDir,
    exited,
    hasExited: () => exitedFlag,
    output: () => tail.trim(),
    kill,
    async terminate(graceMs = 20_000) {
      if (exitedFlag) return exited;
      child.kill('SIGTERM');
      try {
        return await withTimeout(exited, graceMs, 'broker exit after SIGTERM');
      } catch {
        await kill();
        throw new Error(`the broker did not exit within ${graceMs} ms of SIGTERM:\n${tail.trim()}`);
      }
    },
    async close() {
      await kill();
    },
  };
  const deadline = Date.now() + startTimeoutMs;
  while (!(await answersAmqp(port))) {
    if (exitedFlag) {
      const { code, signal } = await exited;
      throw new Error(`the broker exited before it was ready (code ${code}, signal ${signal}):\n${broker.output()}`);
    }
    if (Date.now() > deadline) {
      await kill();
      throw new Error(`the broker was not ready on port ${port} within ${startTimeoutMs} ms:\n${broker.output()}`);
    }
    await delay(25);
  }
  return broker;
}
