/**
 * How long the management API takes to list queues when there are many:
 *
 *   node dist/test/management/bench-queues.js [QUEUES]   (default 10000)
 *
 * Creates the queues in an in-process broker (each with a few messages in one of ten), takes a
 * statistics sample, then times pages and whole lists. Prints one line per request kind with the
 * median and worst of 20 runs.
 */
import { performance } from 'node:perf_hooks';
import { startManagedBroker } from './support.js';

async function time(label: string, runs: number, work: () => Promise<unknown>): Promise<void> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await work();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  const median = ms[Math.floor(ms.length / 2)]!;
  process.stdout.write(`${label.padEnd(62)} median ${median.toFixed(1).padStart(7)} ms   worst ${ms[ms.length - 1]!.toFixed(1).padStart(7)} ms\n`);
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 10_000);
  const b = await startManagedBroker();
  try {
    const v = b.running.broker.vhosts.get('/')!;
    const started = performance.now();
    for (let i = 0; i < count; i++) {
      v.declareQueue({ name: `bench-${String(i).padStart(6, '0')}`, passive: false, durable: false, exclusive: false, autoDelete: false, arguments: new Map() }, {});
    }
    process.stdout.write(`${count} queues created in ${(performance.now() - started).toFixed(0)} ms\n`);
    for (let i = 0; i < count; i += 10) {
      await b.api.post('/api/exchanges/%2F/amq.default/publish', { routing_key: `bench-${String(i).padStart(6, '0')}`, payload: 'x', payload_encoding: 'string', properties: {} });
      if (i >= 2000) break;
    }
    const stats = b.running.broker.management!.stats;
    for (const which of ['first', 'next']) {
      const t = performance.now();
      stats.sample();
      process.stdout.write(`${which} statistics sample of ${count} queues: ${(performance.now() - t).toFixed(1)} ms\n`);
    }
    const get = (path: string) => async () => {
      const res = await b.api.get(path);
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${res.text.slice(0, 200)}`);
    };
    await time('GET /api/queues?page=1&page_size=100', 20, get('/api/queues?page=1&page_size=100'));
    await time('GET /api/queues?page=5&page_size=100&name=bench-00&use_regex=true', 20, get('/api/queues?page=5&page_size=100&name=bench-00&use_regex=true'));
    await time('GET /api/queues?page=1&page_size=100&sort=messages&sort_reverse=true', 20, get('/api/queues?page=1&page_size=100&sort=messages&sort_reverse=true'));
    await time('GET /api/queues?page=1&page_size=100&sort=message_stats.publish', 5, get('/api/queues?page=1&page_size=100&sort=message_stats.publish'));
    await time('GET /api/queues/%2F/bench-000000', 20, get('/api/queues/%2F/bench-000000'));
    await time('GET /api/overview', 20, get('/api/overview'));
    await time(`GET /api/queues (all ${count}, unpaginated)`, 5, get('/api/queues'));
  } finally {
    await b.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench-queues: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
