/**
 * Management API traffic recorded from a real RabbitMQ (record-api.ts) and a fake API server
 * that plays it back, so that warrenctl's output can be checked against rabbitmqctl's goldens
 * without any broker: for each scenario step, the requests warrenctl made then and RabbitMQ's
 * answers.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GOLDEN_DIR } from './golden.js';

export interface ApiExchange {
  readonly method: string;
  readonly path: string;
  readonly requestBody: string;
  readonly status: number;
  readonly responseBody: string;
}

export interface ApiRecording {
  /** Placeholder values when it was recorded ({connection}: the fixture connection's name). */
  readonly values: Readonly<Record<string, string>>;
  readonly exchanges: readonly ApiExchange[];
}

export const API_DIR = `${GOLDEN_DIR}api/`;

export function loadApiRecording(id: string): ApiRecording {
  return JSON.parse(readFileSync(`${API_DIR}${id}.json`, 'utf8')) as ApiRecording;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Forwards to a real management API on 127.0.0.1:`port`, keeping every exchange. */
export class RecordingProxy {
  exchanges: ApiExchange[] = [];

  private constructor(
    private readonly server: http.Server,
    readonly port: number,
  ) {}

  static async start(upstreamPort: number): Promise<RecordingProxy> {
    let proxy: RecordingProxy | undefined;
    const server = http.createServer((req, res) => {
      void (async () => {
        const requestBody = await readBody(req);
        const headers = { ...req.headers };
        delete headers['host'];
        const upstream = http.request({ host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers }, (up) => {
          const chunks: Buffer[] = [];
          up.on('data', (c: Buffer) => chunks.push(c));
          up.on('end', () => {
            const responseBody = Buffer.concat(chunks).toString('utf8');
            proxy?.exchanges.push({ method: req.method ?? 'GET', path: req.url ?? '/', requestBody, status: up.statusCode ?? 0, responseBody });
            res.writeHead(up.statusCode ?? 502, { 'content-type': up.headers['content-type'] ?? 'application/json' });
            res.end(responseBody);
          });
        });
        upstream.on('error', (err) => {
          res.writeHead(502);
          res.end(err.message);
        });
        upstream.end(requestBody);
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new RecordingProxy(server, (server.address() as AddressInfo).port);
    return proxy;
  }

  take(): ApiExchange[] {
    const taken = this.exchanges;
    this.exchanges = [];
    return taken;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * Answers on a UNIX socket (and on a TCP port) with the exchanges it is given, in order. A request that is not
 * the next one expected gets a 599 and is noted in `mismatches`.
 */
export class ReplayServer {
  private expected: ApiExchange[] = [];
  mismatches: string[] = [];

  private constructor(
    private readonly servers: readonly http.Server[],
    /** The TCP port it also answers on (127.0.0.1), for --url. */
    readonly port: number,
  ) {}

  static async listen(socketPath: string): Promise<ReplayServer> {
    let replay: ReplayServer | undefined;
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
      void readBody(req).then(() => replay?.answer(req, res));
    };
    const unix = http.createServer(handler);
    const tcp = http.createServer(handler);
    await new Promise<void>((resolve) => unix.listen(socketPath, resolve));
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    replay = new ReplayServer([unix, tcp], (tcp.address() as AddressInfo).port);
    return replay;
  }

  /** The exchanges the next command should make. */
  expect(exchanges: readonly ApiExchange[]): void {
    this.expected = [...exchanges];
    this.mismatches = [];
  }

  /** Expected requests that never came. */
  unused(): readonly ApiExchange[] {
    return this.expected;
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse): void {
    const next = this.expected[0];
    if (next === undefined || next.method !== req.method || next.path !== req.url) {
      this.mismatches.push(`${req.method ?? '?'} ${req.url ?? '?'} (expected ${next === undefined ? 'no request' : `${next.method} ${next.path}`})`);
      res.writeHead(599, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'unexpected request', reason: 'not in the recording' }));
      return;
    }
    this.expected.shift();
    res.writeHead(next.status, { 'content-type': 'application/json' });
    res.end(next.responseBody);
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}
