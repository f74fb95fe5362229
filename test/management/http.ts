/**
 * A small client for the management HTTP API (Node's fetch), bounded in time: every request
 * gives up after 10 s.
 */

export interface Credentials {
  readonly user: string;
  readonly password: string;
}

export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON; undefined when it is empty or not JSON. */
  readonly json: unknown;
}

export interface RequestOptions {
  /** Credentials, or null for none. Default: the client's. */
  readonly auth?: Credentials | null;
  readonly body?: unknown;
  /** A raw body (sent as is, with content-type application/json). */
  readonly rawBody?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    readonly credentials: Credentials = { user: 'guest', password: 'guest' },
  ) {}

  as(credentials: Credentials): ApiClient {
    return new ApiClient(this.baseUrl, credentials);
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    const headers: Record<string, string> = { ...options.headers };
    const auth = options.auth === undefined ? this.credentials : options.auth;
    if (auth !== null) headers['authorization'] = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`;
    let body: string | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(this.baseUrl + path, { method, headers, ...(body !== undefined ? { body } : {}), signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : (JSON.parse(text) as unknown);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  }

  get(path: string, options?: RequestOptions): Promise<ApiResponse> {
    return this.request('GET', path, options);
  }

  put(path: string, body?: unknown, options: RequestOptions = {}): Promise<ApiResponse> {
    return this.request('PUT', path, body === undefined ? options : { ...options, body });
  }

  post(path: string, body?: unknown, options: RequestOptions = {}): Promise<ApiResponse> {
    return this.request('POST', path, body === undefined ? options : { ...options, body });
  }

  delete(path: string, options?: RequestOptions): Promise<ApiResponse> {
    return this.request('DELETE', path, options);
  }

  /** GET that must answer 200; returns the parsed JSON. */
  async json(path: string, options?: RequestOptions): Promise<unknown> {
    const res = await this.get(path, options);
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${res.text.slice(0, 300)}`);
    return res.json;
  }
}

/** A path segment as RabbitMQ's API expects it (`/` becomes %2F). */
export const seg = (s: string): string => encodeURIComponent(s);

/** Narrows an unknown JSON value to an object (or fails the test). */
export function obj(v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`expected a JSON object, got ${JSON.stringify(v)}`);
  return v as Record<string, unknown>;
}

/** Narrows an unknown JSON value to an array of objects. */
export function list(v: unknown): Record<string, unknown>[] {
  if (!Array.isArray(v)) throw new Error(`expected a JSON array, got ${JSON.stringify(v)}`);
  return v.map(obj);
}
