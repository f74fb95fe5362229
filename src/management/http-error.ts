/**
 * An API error as RabbitMQ's management plugin reports it: an HTTP status and a JSON body
 * `{"error": ..., "reason": ...}` (the reason is sometimes a list, as Erlang terms are).
 * A null body means the response has none (RabbitMQ's 401 without credentials, its 405).
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly reason: string | readonly (string | number)[],
    readonly headers: Readonly<Record<string, string>> = {},
    readonly withBody = true,
  ) {
    super(`${status} ${error}: ${typeof reason === 'string' ? reason : JSON.stringify(reason)}`);
    this.name = 'HttpError';
  }
}

export const REALM_HEADER = { 'www-authenticate': 'Basic realm="RabbitMQ Management"' } as const;

/** RabbitMQ's answer for a missing object or an unknown path. */
export const notFound = (): HttpError => new HttpError(404, 'Object Not Found', 'Not Found');

/** A 404 with RabbitMQ's `not_found` error and a specific reason (e.g. `vhost_not_found`). */
export const notFoundReason = (reason: string): HttpError => new HttpError(404, 'not_found', reason);

export const badRequest = (reason: string | readonly (string | number)[]): HttpError => new HttpError(400, 'bad_request', reason);

/** Authenticated but not allowed: RabbitMQ 3.x answers 401 `not_authorised`. */
export const notAuthorised = (reason: string): HttpError => new HttpError(401, 'not_authorised', reason);

/** Wrong credentials: 401 `not_authorized` (with a z, as RabbitMQ spells it here) and the realm. */
export const loginFailed = (): HttpError => new HttpError(401, 'not_authorized', 'Login failed', REALM_HEADER);

/** No credentials at all: 401 with the realm and an empty body. */
export const credentialsRequired = (): HttpError => new HttpError(401, 'not_authorized', '', REALM_HEADER, false);

export const methodNotAllowed = (allowed: readonly string[]): HttpError =>
  new HttpError(405, 'method_not_allowed', '', { allow: ['HEAD', ...allowed.filter((m) => m !== 'HEAD'), 'OPTIONS'].join(', ') }, false);

/** `[{key_missing,a},{key_missing,b}]`: RabbitMQ's reason for required JSON keys that are absent. */
export const keysMissing = (keys: readonly string[]): HttpError =>
  badRequest(`[${keys.map((k) => `{key_missing,${k}}`).join(',')}]`);
