/**
 * Memory with a long durable queue: publishes N persistent messages (default 1,000,000 of 1 KiB)
 * with publisher confirms into one durable queue of a fresh broker child, reports the broker's
 * RSS, restarts it (timing recovery), then drains the queue and checks its directory is empty.
 *
 *   npm run build && node dist/bench/long-queue.js [--messages N] [--size BYTES]
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import amqp from 'amqplib';
import { processUsage, startBrokerChild, type BrokerChild } from '../src/perf/broker-child.js';

const { values } = parseArgs({ options: { messages: { type: 'string' }, size: { type: 'string' } } });
const total = Number(values.messages ?? 1_000_000);
const size = Number(values.size ?? 1024);
const QUEUE = 'long-queue';

const mb = (bytes: number | undefined): string => (bytes === undefined ? '?' : (bytes / 1024 / 1024).toFixed(0));
const rssOf = (b: BrokerChild): string => mb(processUsage(b.pid)?.rssBytes);

async function publishAll(url: string): Promise<number> {
  const connection = await amqp.connect(url);
  const ch = await connection.createConfirmChannel();
  await ch.assertQueue(QUEUE, { durable: true });
  const body = Buffer.alloc(size, 120);
  const started = Date.now();
  let unconfirmed = 0;
  let failed = 0;
  for (let i = 0; i < total; i++) {
    unconfirmed++;
    ch.publish('', QUEUE, body, { persistent: true }, (err) => {
      unconfirmed--;
      if (err !== null && err !== undefined) failed++;
    });
    while (unconfirmed >= 1000) await new Promise((resolve) => setImmediate(resolve));
  }
  await ch.waitForConfirms();
  await connection.close();
  if (failed > 0) throw new Error(`${failed} publishes were nacked`);
  return (Date.now() - started) / 1000;
}

async function drain(url: string): Promise<number> {
  const connection = await amqp.connect(url);
  const ch = await connection.createChannel();
  await ch.prefetch(1000);
  const started = Date.now();
  let received = 0;
  await new Promise<void>((resolve, reject) => {
    ch.consume(QUEUE, (m) => {
      if (m === null) return reject(new Error('consumer cancelled'));
      ch.ack(m);
      if (++received === total) resolve();
    }).catch(reject);
  });
  const seconds = (Date.now() - started) / 1000;
  // A round trip on the channel first: amqplib could otherwise close before the last acks go out.
  const left = (await ch.checkQueue(QUEUE)).messageCount;
  await connection.close();
  if (left !== 0) throw new Error(`${left} messages left after draining`);
  return seconds;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'warren-long-queue-'));
  let broker = await startBrokerChild(15_000, dataDir);
  try {
    const seconds = await publishAll(broker.url);
    console.log(`published ${total} persistent ${size}-byte messages in ${seconds.toFixed(1)} s; broker RSS ${rssOf(broker)} MB`);
    await broker.stop(10_000);
    const restarted = Date.now();
    broker = await startBrokerChild(60_000, dataDir);
    const check = await amqp.connect(broker.url);
    const count = (await (await check.createChannel()).checkQueue(QUEUE)).messageCount;
    await check.close();
    console.log(`restarted and recovered ${count} messages in ${((Date.now() - restarted) / 1000).toFixed(1)} s; broker RSS ${rssOf(broker)} MB`);
    const drained = await drain(broker.url);
    console.log(`drained them in ${drained.toFixed(1)} s (${Math.round(total / drained)} msg/s); broker RSS ${rssOf(broker)} MB`);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const left = readdirSync(join(dataDir, 'queues')).flatMap((d) => readdirSync(join(dataDir, 'queues', d)));
    console.log(`files left in the queue's directory: ${left.length}${left.length > 0 ? ` (${left.join(", ")})` : ""}`);
  } finally {
    await broker.stop(10_000);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
