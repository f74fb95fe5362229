/**
 * HTTP requests to the broker's management API (RabbitMQ's /api paths and JSON), over the
 * broker's UNIX socket (no login) or over TCP with HTTP basic auth.
 */
import http from 'node:http';
import https from 'node:https';
import type { JsonValue } from './json.js';

export type ApiTarget =
  | { readonly kind: 'socket'; readonly path: string }
  | { readonly kind: 'url'; readonly url: URL; readonly username: string; readonly password: string };

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

export interface ApiResponse {
  readonly status: number;
  /** The body parsed as JSON, or undefined if it was empty or not JSON. */
  readonly body: JsonValue | undefined;
  readonly text: string;
}

/** The broker did not answer at all (nothing listening, no socket, no permission, timeout). */
export class BrokerUnreachable extends Error {
  constructor(
    readonly where: string,
    readonly reason: string,
  ) {
    super(`${where}: ${reason}`);
  }
}

/** `/api/queues/%2F/q`: every segment percent-encoded (a vhost named / is %2F). */
export function apiPath(...segments: readonly string[]): string {
  return '/api/' + segments.map((s) => encodeURIComponent(s)).join('/');
}

function parseJson(text: string): JsonValue | undefined {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
}

function reasonOf(err: NodeJS.ErrnoException, target: ApiTarget): string {
  switch (err.code) {
    case 'ENOENT':
      return 'no management socket there: is the broker running with this data directory?';
    case 'EACCES':
      return 'permission denied (the socket belongs to the user running the broker)';
    case 'ECONNREFUSED':
      return target.kind === 'socket' ? 'connection refused: the broker is not running' : 'connection refused';
    default:
      return err.message;
  }
}

export class ManagementClient {
  /** True once the broker has answered a request (the broker was reachable). */
  answered = false;

  constructor(
    readonly target: ApiTarget,
    private readonly timeoutMs: number,
  ) {}

  /** Where requests go, for messages: the socket's path or the URL without credentials. */
  describe(): string {
    if (this.target.kind === 'socket') return this.target.path;
    const u = new URL(this.target.url.href);
    u.username = '';
    u.password = '';
    return u.href;
  }

  get(path: string, credentials?: Credentials): Promise<ApiResponse> {
    return this.request('GET', path, undefined, {}, credentials);
  }

  put(path: string, body: JsonValue): Promise<ApiResponse> {
    return this.request('PUT', path, body);
  }

  post(path: string, body: JsonValue): Promise<ApiResponse> {
    return this.request('POST', path, body);
  }

  delete(path: string, headers: Readonly<Record<string, string>> = {}): Promise<ApiResponse> {
    return this.request('DELETE', path, undefined, headers);
  }

  /** One request; `credentials` replaces the URL's (authenticate_user checks someone else's). */
  request(method: string, path: string, body?: JsonValue, headers: Readonly<Record<string, string>> = {}, credentials?: Credentials): Promise<ApiResponse> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    // No Accept header: RabbitMQ answers 406 to `Accept: application/json` on a queue purge.
    const allHeaders: Record<string, string> = { ...headers };
    if (payload !== undefined) {
      allHeaders['content-type'] = 'application/json';
      allHeaders['content-length'] = String(payload.length);
    }
    const target = this.target;
    const login = credentials ?? (target.kind === 'url' ? { username: target.username, password: target.password } : undefined);
    if (login !== undefined) allHeaders['authorization'] = 'Basic ' + Buffer.from(`${login.username}:${login.password}`).toString('base64');
    let options: http.RequestOptions;
    let transport: typeof http | typeof https = http;
    if (target.kind === 'socket') {
      options = { socketPath: target.path, path, method, headers: allHeaders };
    } else {
      const prefix = target.url.pathname.replace(/\/+$/, '');
      transport = target.url.protocol === 'https:' ? https : http;
      options = { hostname: target.url.hostname.replace(/^\[|\]$/g, ''), port: target.url.port === '' ? undefined : Number(target.url.port), path: prefix + path, method, headers: allHeaders };
    }
    return new Promise((resolve, reject) => {
      const req = transport.request(options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          this.answered = true;
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, body: parseJson(text), text });
        });
        res.on('error', (err) => reject(new BrokerUnreachable(this.describe(), err.message)));
      });
      req.setTimeout(this.timeoutMs, () => req.destroy(Object.assign(new Error(`no answer within ${this.timeoutMs / 1000} s`), { code: 'ETIMEDOUT' })));
      req.on('error', (err: NodeJS.ErrnoException) => reject(new BrokerUnreachable(this.describe(), reasonOf(err, target))));
      req.end(payload);
    });
  }
}
