/**
 * Helpers for broker-level durability tests: a temporary data directory, a broker on it whose
 * log lines are captured, and functions that look at (and damage) the files it writes.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import amqp from 'amqplib';
import type { ChannelModel, ConfirmChannel, Options } from 'amqplib';
import { Broker, type BrokerOptions } from '../../src/index.js';
import { scanRecords } from '../../src/store/record.js';
import { withTimeout } from '../support/wait.js';

/** Small segments, so a few hundred messages make several segment files. */
export const SEGMENT_SIZE = 64 * 1024;

/** A fresh directory under the OS temp dir; `remove()` deletes it and everything in it. */
export interface TempDir {
  readonly path: string;
  remove(): void;
}

export function tempDir(prefix = 'warren-durability-'): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [key: string]: unknown;
}

/** A broker listening on a free port, with its log lines and the client connections it served. */
export interface DurableBroker {
  readonly broker: Broker;
  readonly url: string;
  readonly logs: LogLine[];
  /** Opens a connection that `close()` closes (before the broker). */
  connect(): Promise<ChannelModel>;
  /** Closes the tracked connections, then the broker (a clean shutdown). */
  close(): Promise<void>;
}

/** Log lines whose message contains `text`. */
export function logged(logs: readonly LogLine[], text: string): LogLine[] {
  return logs.filter((l) => l.msg.includes(text));
}

/** Starts a broker on `dataDir`; its pino logger writes into `logs` (level info and above). */
export async function openBroker(dataDir: string, options: BrokerOptions = {}): Promise<DurableBroker> {
  const logs: LogLine[] = [];
  const stream = {
    write(line: string): void {
      logs.push(JSON.parse(line) as LogLine);
    },
  };
  const logger = pino({ level: 'info', base: null }, stream);
  const broker = new Broker({ port: 0, bind: ['127.0.0.1'], dataDir, segmentSize: SEGMENT_SIZE, ...options }, logger);
  await broker.listen();
  const url = `amqp://guest:guest@127.0.0.1:${broker.port}`;
  const connections: ChannelModel[] = [];
  let closed = false;
  return {
    broker,
    url,
    logs,
    async connect(): Promise<ChannelModel> {
      const c = await withTimeout(amqp.connect(url), 10_000, `connect ${url}`);
      c.on('error', () => {});
      connections.push(c);
      return c;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await Promise.all(
        connections.splice(0).map(async (c) => {
          try {
            await withTimeout(c.close(), 5000, 'connection close');
          } catch {
            // closed by the server or the test already
          }
        }),
      );
      await withTimeout(broker.close(), 15_000, 'broker close');
    },
  };
}

/** Runs `body` against a broker on `dataDir`, then shuts the broker down cleanly, whatever happens. */
export async function withBroker<T>(dataDir: string, body: (b: DurableBroker) => Promise<T>, options: BrokerOptions = {}): Promise<T> {
  const b = await openBroker(dataDir, options);
  try {
    return await body(b);
  } finally {
    await b.close();
  }
}

/** Runs `body` with a temp dir and removes the dir afterwards, whatever happens. */
export async function withDataDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = tempDir();
  try {
    await body(dir.path);
  } finally {
    dir.remove();
  }
}

/** Body of the i-th test message: its number, padded so that messages are `size` bytes. */
export function bodyOf(i: number, size = 1000): Buffer {
  const tag = `msg-${String(i).padStart(6, '0')}|`;
  return Buffer.from(tag.padEnd(size, String.fromCharCode(97 + (i % 26))));
}

/** The number in a body made by `bodyOf`. */
export function numberOf(body: Buffer): number {
  const m = /^msg-(\d{6})\|/.exec(body.subarray(0, 12).toString('latin1'));
  if (m === null) throw new Error(`not a test message body: ${body.subarray(0, 32).toString('latin1')}`);
  return Number(m[1]);
}

/** Publishes persistent messages to a queue through the default exchange and waits for every confirm. */
export async function publishConfirmed(
  ch: ConfirmChannel,
  queue: string,
  bodies: readonly Buffer[],
  options: Options.Publish = {},
): Promise<void> {
  for (const b of bodies) ch.sendToQueue(queue, b, { persistent: true, ...options });
  await withTimeout(ch.waitForConfirms(), 30_000, `confirms of ${bodies.length} messages`);
}

/** basic.get (no-ack) until get-empty; returns the message numbers in order. */
export async function drainNumbers(conn: ChannelModel, queue: string, max = 100_000): Promise<number[]> {
  const ch = await withTimeout(conn.createChannel(), 5000, 'createChannel');
  const out: number[] = [];
  try {
    for (let i = 0; i < max; i++) {
      const m = await withTimeout(ch.get(queue, { noAck: true }), 5000, `get ${queue}`);
      if (m === false) return out;
      out.push(numberOf(m.content));
    }
    throw new Error(`more than ${max} messages in ${queue}`);
  } finally {
    await ch.close().catch(() => undefined);
  }
}

/** 0, 1, ..., n-1. */
export function range(n: number, from = 0): number[] {
  return Array.from({ length: n }, (_, i) => from + i);
}

/** Every record payload of a store file, with its offset and record length. */
export interface FileRecord {
  readonly offset: number;
  readonly length: number;
  readonly payload: Buffer;
}

export function recordsOf(path: string): FileRecord[] {
  const records: FileRecord[] = [];
  scanRecords(readFileSync(path), (payload, offset) => records.push({ offset, length: 10 + payload.length, payload: Buffer.from(payload) }));
  return records;
}

/** The store directory id of each queue named in the data dir's definitions log (last declaration wins). */
export function queueIds(dataDir: string): Map<string, string> {
  const ids = new Map<string, string>();
  for (const r of recordsOf(join(dataDir, 'definitions.log'))) {
    const rec = JSON.parse(r.payload.toString('utf8')) as { kind?: unknown; name?: unknown; id?: unknown };
    if (rec.kind === 'queue' && typeof rec.name === 'string' && typeof rec.id === 'string') ids.set(rec.name, rec.id);
    if (rec.kind === 'queue.delete' && typeof rec.name === 'string') ids.delete(rec.name);
  }
  return ids;
}

/** The directory holding a durable queue's segment files. */
export function queueDir(dataDir: string, queue: string): string {
  const id = queueIds(dataDir).get(queue);
  if (id === undefined) throw new Error(`queue ${queue} is not in ${dataDir}/definitions.log`);
  return join(dataDir, 'queues', id);
}

/** Names in a directory matching `ext` (e.g. 'seg'), sorted; [] if the directory is gone. */
export function filesWithExt(dir: string, ext: string): string[] {
  try {
    return readdirSync(dir)
      .filter((n) => n.endsWith(`.${ext}`))
      .sort();
  } catch {
    return [];
  }
}

/** Every regular file below `dir` (relative paths), sorted. */
export function allFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix === '' ? e.name : join(prefix, e.name);
    if (e.isDirectory()) out.push(...allFiles(dir, rel));
    else if (e.isFile()) out.push(rel);
  }
  return out.sort();
}

/** Total size in bytes of the files below `dir`. */
export function diskUsage(dir: string): number {
  return allFiles(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
}
