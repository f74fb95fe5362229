/**
 * Plays the warrenctl scenario against one broker through one CLI (rabbitmqctl when recording,
 * bin/warrenctl when testing), handing each command's result to a callback.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { AmqpFixture } from './amqp-fixture.js';
import type { CtlStep, Step } from './scenario.js';

/** What one CLI run printed and how it exited. */
export interface CtlResult {
  readonly exit: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A broker and the CLI to drive it with. */
export interface ScenarioTarget {
  readonly amqpUrl: string;
  /** Scratch directory that the broker can write into (export_definitions). */
  readonly dir: string;
  /** Runs the CLI with these arguments (placeholders already filled in). */
  run(args: readonly string[], stdin: string | undefined, unreachable: boolean): Promise<CtlResult>;
  /** The fixture connection's identifier as close_connection takes it. */
  connectionId(): Promise<string>;
}

/** Runs a command with a time limit; stdin gets `stdin` (or nothing) and is then closed. */
export function runProcess(command: string, args: readonly string[], stdin: string | undefined, env: NodeJS.ProcessEnv = process.env, timeoutMs = 60_000): Promise<CtlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => {});
    child.stdin.end(stdin ?? '');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === null) {
        reject(new Error(`${command} ${args.join(' ')} ended by ${String(signal)}`));
        return;
      }
      resolve({ exit: code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

export function fillPlaceholders(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(/\{(dir|connection)\}/g, (whole, name: string) => values[name] ?? whole);
}

/** Plays every step in order; `onResult` sees each CLI step with its (placeholder-filled) result. */
export async function playScenario(steps: readonly Step[], target: ScenarioTarget, onResult: (step: CtlStep, result: CtlResult, values: Readonly<Record<string, string>>) => Promise<void> | void): Promise<void> {
  let fixture: AmqpFixture | null = null;
  const values: Record<string, string> = { dir: target.dir };
  try {
    for (const step of steps) {
      if (step.kind === 'fixture') {
        if (step.action === 'open') {
          fixture = await AmqpFixture.open(target.amqpUrl);
          values['connection'] = await target.connectionId();
        } else {
          await fixture?.close(target.amqpUrl);
          fixture = null;
        }
      } else if (step.kind === 'file') {
        writeFileSync(fillPlaceholders(step.path, values), fillPlaceholders(step.content, values), { mode: 0o644 });
      } else {
        const args = step.args.map((a) => fillPlaceholders(a, values));
        const stdin = step.stdin === undefined ? undefined : fillPlaceholders(step.stdin, values);
        const result = await target.run(args, stdin, step.unreachable === true);
        await onResult(step, result, values);
      }
    }
  } finally {
    await fixture?.close(target.amqpUrl).catch(() => {});
  }
}
