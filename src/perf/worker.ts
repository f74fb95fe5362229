/**
 * A worker thread of warrenperf: connects its share of the producers and consumers, says 'ready',
 * publishes from 'start' on, and closes everything on 'stop'. Counters go to SharedArrayBuffers
 * that the main thread reads (see stats.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openRole } from './roles.js';
import type { Role, RoleSettings } from './roles.js';
import { statsOf } from './stats.js';

export interface WorkerRole {
  readonly kind: 'producer' | 'consumer';
  readonly buffer: SharedArrayBuffer;
}

export interface WorkerInput {
  readonly settings: RoleSettings;
  readonly roles: readonly WorkerRole[];
  /** The counters of every role of the run, in all threads (for --max-backlog). */
  readonly everyone: readonly SharedArrayBuffer[];
}

export type ToWorker = { readonly type: 'start' } | { readonly type: 'stop' };
export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'fatal'; readonly message: string }
  | { readonly type: 'stopped' };

function isToWorker(value: unknown): value is ToWorker {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return type === 'start' || type === 'stop';
}

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('warrenperf worker: not in a worker thread');
  const input = workerData as WorkerInput;
  const send = (m: FromWorker) => port.postMessage(m);
  let failed = false;
  const onFatal = (err: Error) => {
    if (failed) return;
    failed = true;
    send({ type: 'fatal', message: err.message });
  };
  const roles: Role[] = [];
  let stopping: Promise<void> | undefined;
  const stopAll = () => {
    stopping ??= Promise.allSettled(roles.map((r) => r.stop())).then(() => send({ type: 'stopped' }));
  };
  port.on('message', (m: unknown) => {
    if (!isToWorker(m)) return;
    if (m.type === 'start') {
      const everyone = input.everyone.map(statsOf);
      for (const r of roles) r.start(everyone);
    } else {
      stopAll();
    }
  });
  try {
    // Consumers first, so that they are consuming before any producer starts.
    const ordered = [...input.roles].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'consumer' ? -1 : 1));
    for (const r of ordered) {
      roles.push(await openRole(r.kind, input.settings, statsOf(r.buffer), onFatal));
    }
  } catch (err) {
    onFatal(err instanceof Error ? err : new Error(String(err)));
    return;
  }
  send({ type: 'ready' });
}

main().catch((err: unknown) => {
  parentPort?.postMessage({ type: 'fatal', message: err instanceof Error ? err.message : String(err) } satisfies FromWorker);
});
