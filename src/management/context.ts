import type { IncomingHttpHeaders } from 'node:http';
import type { Broker } from '../server/broker.js';
import type { ApiUser } from './api-user.js';
import type { Json } from './json.js';
import type { StatsDb } from './stats/stats-db.js';
import { HttpError } from './http-error.js';

/** One API request as a handler sees it: the broker, the caller, the path parameters and body. */
export interface ApiContext {
  readonly broker: Broker;
  readonly stats: StatsDb;
  readonly user: ApiUser;
  readonly method: string;
  /** The request path, undecoded (for Location headers). */
  readonly path: string;
  /** Path parameters, percent-decoded. */
  readonly params: ReadonlyMap<string, string>;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** The client's address ('' on the UNIX socket). */
  readonly peerAddress: string;
}

/** A path parameter the route pattern guarantees. */
export function param(ctx: ApiContext, name: string): string {
  const v = ctx.params.get(name);
  if (v === undefined) throw new HttpError(500, 'internal_server_error', `route has no parameter '${name}'`);
  return v;
}

/** A response other than a 200 with a JSON body. */
export class Reply {
  constructor(
    readonly status: number,
    readonly body: Json | null = null,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {}
}

export const noContent = (): Reply => new Reply(204);
export const created = (headers: Readonly<Record<string, string>> = {}): Reply => new Reply(201, null, headers);
/** RabbitMQ's PUT answers 201 when it created the object and 204 when it already existed. */
export const createdOrUpdated = (existed: boolean): Reply => (existed ? noContent() : created());

export type HandlerResult = Json | Reply;
export type Handler = (ctx: ApiContext) => HandlerResult | Promise<HandlerResult>;
