import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { gzip } from 'node:zlib';
import type { Registry } from 'prom-client';
import type { Broker } from '../server/broker.js';
import { closeServer, listenOnAll } from '../server/listen.js';
import { createRegistries, type MetricsRegistries } from './registries.js';

/**
 * Prometheus metrics over HTTP, as RabbitMQ's rabbitmq_prometheus plugin serves them:
 * `GET /metrics` and `GET /metrics/per-object` (HEAD too), gzip when the scraper accepts it.
 * Other paths are 404, other methods 405. No authentication, as in RabbitMQ.
 */
export class MetricsServer {
  private readonly registries: MetricsRegistries;
  private readonly servers: Server[] = [];
  /** The TCP port metrics are served on (0 until listening). */
  port = 0;

  constructor(private readonly broker: Broker) {
    this.registries = createRegistries(broker);
  }

  /** Listens on every address, all on the same port (a free one when port is 0). */
  async listen(hosts: readonly string[], port: number): Promise<void> {
    const { servers, port: chosen } = await listenOnAll(hosts, port, () => createServer((req, res) => this.handle(req, res)));
    this.servers.push(...servers);
    this.port = chosen;
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.splice(0).map(closeServer));
  }

  private registryFor(path: string): Registry | undefined {
    if (path === '/metrics' || path === '/metrics/') return this.registries.metrics;
    if (path === '/metrics/per-object') return this.registries.perObject;
    return undefined;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?', 1)[0]!;
    const registry = this.registryFor(path);
    if (registry === undefined) {
      reply(res, 404, 'Not Found\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      reply(res, 405, 'Method Not Allowed\n');
      return;
    }
    const head = req.method === 'HEAD';
    const gzipped = /\bgzip\b/i.test(req.headers['accept-encoding'] ?? '');
    registry.metrics().then(
      (text) => {
        const send = (body: Buffer) => {
          res.writeHead(200, {
            'Content-Type': registry.contentType,
            'Content-Length': body.length,
            Vary: 'Accept-Encoding',
            ...(gzipped ? { 'Content-Encoding': 'gzip' } : {}),
          });
          res.end(head ? undefined : body);
        };
        if (!gzipped) send(Buffer.from(text, 'utf8'));
        else gzip(text, (err, body) => (err === null ? send(body) : this.failed(res, err)));
      },
      (err: unknown) => this.failed(res, err),
    );
  }

  private failed(res: ServerResponse, err: unknown): void {
    this.broker.log.error({ err }, 'collecting Prometheus metrics failed');
    if (!res.headersSent) reply(res, 500, 'Internal Server Error\n');
    else res.destroy();
  }
}

function reply(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
