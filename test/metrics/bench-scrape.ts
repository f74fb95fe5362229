/**
 * How long a Prometheus scrape takes when there are many queues:
 *
 *   node dist/test/metrics/bench-scrape.js [QUEUES]   (default 10000)
 *
 * Creates the queues in an in-process broker (one in ten holds a message), then times GET
 * /metrics (plain and gzip) and /metrics/per-object over HTTP. Prints the median and worst of
 * 20 runs and the size of the answer on the wire.
 */
import { get as httpGet } from 'node:http';
import { performance } from 'node:perf_hooks';
import { startBroker } from '../../src/index.js';

async function time(label: string, runs: number, work: () => Promise<number>): Promise<void> {
  const ms: number[] = [];
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    bytes = await work();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  const median = ms[Math.floor(ms.length / 2)]!;
  process.stdout.write(
    `${label.padEnd(40)} median ${median.toFixed(1).padStart(7)} ms   worst ${ms[ms.length - 1]!.toFixed(1).padStart(7)} ms   ${(bytes / 1024).toFixed(0)} KiB\n`,
  );
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 10_000);
  const b = await startBroker({ port: 0, prometheusPort: 0 });
  try {
    const v = b.broker.vhosts.get('/')!;
    const exchange = v.exchanges.get('')!;
    for (let i = 0; i < count; i++) {
      const q = v.declareQueue({ name: `bench-${String(i).padStart(6, '0')}`, passive: false, durable: false, exclusive: false, autoDelete: false, arguments: new Map() }, {});
      if (i % 10 === 0) {
        exchange.stats.publishIn++;
        q.stats.publish++;
      }
    }
    const url = b.prometheusUrl!;
    /** Bytes on the wire (compressed when gzip was asked for). */
    const get =
      (path: string, headers: Record<string, string> = {}) =>
      () =>
        new Promise<number>((resolve, reject) => {
          httpGet(url + path, { headers }, (res) => {
            let bytes = 0;
            res.on('data', (chunk: Buffer) => (bytes += chunk.length));
            res.on('end', () => (res.statusCode === 200 ? resolve(bytes) : reject(new Error(`${path}: ${res.statusCode}`))));
          }).on('error', reject);
        });
    process.stdout.write(`${count} queues\n`);
    await time('GET /metrics', 20, get(''));
    await time('GET /metrics (Accept-Encoding: gzip)', 20, get('', { 'Accept-Encoding': 'gzip' }));
    await time('GET /metrics/per-object', 20, get('/per-object'));
  } finally {
    await b.close();
  }
}

await main();
