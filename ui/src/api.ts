/**
 * Requests go with `credentials: 'omit'` and an explicit Authorization header, so that the API's
 * `WWW-Authenticate` on a wrong password never opens the browser's own login dialog.
 *
 * The management API client of the UI: HTTP basic auth with the credentials given at login (kept
 * in sessionStorage, so a reload stays logged in and closing the tab logs out), JSON in and out,
 * and RabbitMQ's `{error, reason}` bodies turned into ApiError.
 */

const STORAGE_KEY = 'warren.auth';

export interface WhoAmI {
  readonly name: string;
  readonly tags: readonly string[] | string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

type Listener = () => void;

let authorization: string | null = sessionStorage.getItem(STORAGE_KEY);
const logoutListeners = new Set<Listener>();

export function isLoggedIn(): boolean {
  return authorization !== null;
}

/** Called when the API refuses our credentials (user deleted, password changed): back to login. */
export function onLogout(listener: Listener): () => void {
  logoutListeners.add(listener);
  return () => logoutListeners.delete(listener);
}

function basic(username: string, password: string): string {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return `Basic ${btoa(binary)}`;
}

/** Checks the credentials with /api/whoami and keeps them for every later request. */
export async function login(username: string, password: string): Promise<WhoAmI> {
  const header = basic(username, password);
  const res = await fetch('api/whoami', { headers: { authorization: header }, credentials: 'omit' });
  if (!res.ok) throw await errorOf(res);
  const who = (await res.json()) as WhoAmI;
  authorization = header;
  sessionStorage.setItem(STORAGE_KEY, header);
  return who;
}

export function logout(): void {
  authorization = null;
  sessionStorage.removeItem(STORAGE_KEY);
  for (const l of logoutListeners) l();
}

async function errorOf(res: Response): Promise<ApiError> {
  let reason = `${res.status} ${res.statusText}`;
  try {
    const body = (await res.json()) as { error?: unknown; reason?: unknown };
    if (typeof body.reason === 'string') reason = body.reason;
    else if (body.reason !== undefined) reason = JSON.stringify(body.reason);
    else if (typeof body.error === 'string') reason = body.error;
  } catch {
    // No JSON body.
  }
  if (res.status === 401 && reason.startsWith('401')) reason = 'Login failed';
  return new ApiError(res.status, reason);
}

async function request(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<Response> {
  const headers: Record<string, string> = { ...extraHeaders };
  if (authorization !== null) headers['authorization'] = authorization;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`api/${path}`, {
    method,
    headers,
    credentials: 'omit',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (!res.ok) throw await failure(res);
  return res;
}

/**
 * The error of a refused request. Only a failed login means our credentials are gone (user deleted,
 * password or tags changed): back to the login form; "not authorised" for one resource stays.
 */
async function failure(res: Response): Promise<ApiError> {
  const err = await errorOf(res);
  if (res.status === 401 && authorization !== null && (err.reason === 'Login failed' || err.reason === 'Not management user')) logout();
  return err;
}

export async function get<T>(path: string): Promise<T> {
  const res = await request('GET', path);
  return (await res.json()) as T;
}

export async function put(path: string, body: unknown = {}): Promise<void> {
  await request('PUT', path, body);
}

export async function post<T>(path: string, body: unknown): Promise<T> {
  const res = await request('POST', path, body);
  const text = await res.text();
  return (text === '' ? null : JSON.parse(text)) as T;
}

export async function del(path: string, headers: Record<string, string> = {}): Promise<void> {
  await request('DELETE', path, undefined, headers);
}

/** A path segment: vhost and object names are percent-encoded ('/' is '%2F'). */
export function seg(name: string): string {
  return encodeURIComponent(name);
}

/** Builds a query string, skipping undefined values. */
export function query(params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}
