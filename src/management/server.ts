import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { chmodSync, unlinkSync } from 'node:fs';
import type { Broker } from '../server/broker.js';
import { AmqpError } from '../broker/errors.js';
import { SOCKET_ADMIN, type ApiUser } from './api-user.js';
import { authenticate, authorise } from './auth.js';
import { extractColumns, parseColumns } from './columns.js';
import { Reply, type ApiContext, type HandlerResult } from './context.js';
import { badRequest, HttpError, methodNotAllowed, notAuthorised, notFound, notFoundReason } from './http-error.js';
import type { Json } from './json.js';
import { Router, type Method } from './router.js';
import { StaticUi } from './static-ui.js';
import { closeServer, listenOn, listenOnAll } from '../server/listen.js';
import { allRoutes } from './resources/index.js';
import { StatsDb, type StatsOptions } from './stats/stats-db.js';

/** RabbitMQ's default max_http_body_size. */
const MAX_BODY = 20_000_000;

export interface ManagementOptions {
  readonly stats?: StatsOptions;
}

/**
 * RabbitMQ's management HTTP API on the management port (HTTP basic auth, tag-based
 * authorisation), and the same API without login on a UNIX socket for warrenctl.
 */
export class ManagementServer {
  readonly stats: StatsDb;
  private readonly router = new Router(allRoutes);
  private readonly ui = new StaticUi();
  private readonly servers: Server[] = [];
  private socketPath: string | null = null;
  /** The TCP port the API listens on (0 until listening). */
  port = 0;

  constructor(
    private readonly broker: Broker,
    options: ManagementOptions = {},
  ) {
    this.stats = new StatsDb(broker, options.stats);
  }

  /** Listens on every address, all on the same port (a free one when port is 0). */
  async listen(hosts: readonly string[], port: number): Promise<void> {
    this.stats.start();
    const { servers, port: chosen } = await listenOnAll(hosts, port, () => this.createServer(false));
    this.servers.push(...servers);
    this.port = chosen;
  }

  /** Serves the API without authentication, as an administrator, on a UNIX socket (mode 0600). */
  async listenUnix(path: string): Promise<void> {
    this.stats.start();
    try {
      unlinkSync(path);
    } catch {
      // No stale socket.
    }
    const server = this.createServer(true);
    // Created owner-only from the start: the bind happens inside listen(), under this umask
    // (worker threads may not change the umask; there the chmod below is all there is).
    let umask: number | null = null;
    try {
      umask = process.umask(0o177);
    } catch {
      umask = null;
    }
    try {
      await listenOn(server, { path });
    } finally {
      if (umask !== null) process.umask(umask);
    }
    chmodSync(path, 0o600);
    this.servers.push(server);
    this.socketPath = path;
  }

  async close(): Promise<void> {
    this.stats.stop();
    const servers = this.servers.splice(0);
    await Promise.all(servers.map(closeServer));
    if (this.socketPath !== null) {
      try {
        unlinkSync(this.socketPath);
      } catch {
        // Already gone.
      }
      this.socketPath = null;
    }
  }

  private createServer(viaSocket: boolean): Server {
    const server = createServer((req, res) => {
      this.handle(req, res, viaSocket).catch((err: unknown) => {
        this.broker.log.error({ err }, 'management request failed');
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    server.keepAliveTimeout = 5000;
    return server;
  }

  private async handle(req: IncomingMessage, res: ServerResponse, viaSocket: boolean): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const head = req.method === 'HEAD';
    let reply: Reply;
    try {
      if (this.ui.owns(url.pathname)) {
        req.resume();
        const found = this.ui.find(url.pathname);
        if (found === undefined) throw notFound();
        if (req.method !== 'GET' && !head) throw methodNotAllowed(['GET']);
        this.ui.send(req, res, found);
        return;
      }
      reply = await this.dispatch(req, url, viaSocket);
    } catch (err) {
      reply = this.errorReply(err);
    }
    send(res, reply, head);
  }

  private async dispatch(req: IncomingMessage, url: URL, viaSocket: boolean): Promise<Reply> {
    const requested = (req.method ?? 'GET').toUpperCase();
    const match = this.router.match(url.pathname);
    if (match === undefined) throw notFound();
    const method = (requested === 'HEAD' ? 'GET' : requested) as Method;
    const allowed = match.routes.map((r) => r.method);
    if (requested === 'OPTIONS') return new Reply(200, null, { allow: ['HEAD', ...allowed, 'OPTIONS'].join(', ') });
    const route = match.routes.find((r) => r.method === method);
    if (route === undefined) throw methodNotAllowed(allowed);
    const body = await readBody(req);
    const peerAddress = req.socket.remoteAddress ?? '';
    const vhost = match.params.get('vhost');
    let user: ApiUser;
    if (viaSocket) {
      user = SOCKET_ADMIN;
      authorise(this.broker, user, route.access, vhost);
    } else {
      user = authenticate(this.broker, req.headers, peerAddress, route.access, vhost);
    }
    const ctx: ApiContext = {
      broker: this.broker,
      stats: this.stats,
      user,
      method,
      path: url.pathname,
      params: match.params,
      query: url.searchParams,
      headers: req.headers,
      body,
      peerAddress,
    };
    const generation = this.broker.definitionsGeneration();
    const result: HandlerResult = await route.handler(ctx);
    if (this.broker.definitionsGeneration() !== generation) await this.durable();
    if (result instanceof Reply) return result;
    const columns = method === 'GET' ? parseColumns(url.searchParams) : undefined;
    return new Reply(200, columns === undefined ? result : extractColumns(result, columns));
  }

  /** Waits until the definitions just changed are on disk, as AMQP replies do. */
  private durable(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.broker.whenDurable((ok) => (ok ? resolve() : reject(new HttpError(500, 'internal_server_error', 'could not write the definitions to disk'))));
    });
  }

  private errorReply(err: unknown): Reply {
    if (err instanceof HttpError) {
      return new Reply(err.status, err.withBody ? { error: err.error, reason: err.reason as Json } : null, err.headers);
    }
    if (err instanceof AmqpError) return this.errorReply(amqpToHttp(err));
    this.broker.log.error({ err }, 'internal error in the management API');
    const reason = err instanceof Error ? err.message : String(err);
    return new Reply(500, { error: 'internal_server_error', reason });
  }
}

/** The text of an AMQP error without its `NAME - ` prefix (RabbitMQ's explanation). */
export function explanation(err: AmqpError): string {
  const i = err.text.indexOf(' - ');
  return i < 0 ? err.text : err.text.slice(i + 3);
}

/** How RabbitMQ's management plugin reports an AMQP error of an operation it performed. */
export function amqpToHttp(err: AmqpError): HttpError {
  switch (err.code) {
    case 404:
      return notFoundReason(explanation(err));
    case 403:
    case 530:
      return notAuthorised('Access refused.');
    default:
      return badRequest(explanation(err));
  }
}

function send(res: ServerResponse, reply: Reply, head: boolean): void {
  const headers: Record<string, string> = { 'cache-control': 'no-cache', ...reply.headers };
  let payload: Buffer | null = null;
  if (reply.body !== null) {
    payload = Buffer.from(JSON.stringify(reply.body));
    headers['content-type'] ??= 'application/json';
  }
  headers['content-length'] = String(payload?.length ?? 0);
  res.writeHead(reply.status, headers);
  res.end(head || payload === null ? undefined : payload);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        if (!failed) reject(badRequest('Exceeded HTTP request body size limit'));
        failed = true;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}
