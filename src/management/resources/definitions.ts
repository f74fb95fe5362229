import { DefinitionsError, exportDefinitions, importDefinitions } from '../definitions-format.js';
import { noContent, param, Reply, type ApiContext } from '../context.js';
import { badRequest } from '../http-error.js';
import type { Json } from '../json.js';
import { route, type Route } from '../router.js';

/** The parsed JSON body of an import (any JSON value; the definitions module validates it). */
function definitionsBody(ctx: ApiContext): unknown {
  const text = ctx.body.toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badRequest('not_json');
  }
}

/** The vhost of a per-vhost definitions request; RabbitMQ answers 400 `vhost_not_found`. */
function definitionsVhost(ctx: ApiContext): string {
  const vhost = param(ctx, 'vhost');
  if (!ctx.broker.vhosts.has(vhost)) throw badRequest('vhost_not_found');
  return vhost;
}

/** `?download=name.json` asks for the export as a file to save. */
function exported(ctx: ApiContext, vhost?: string): Reply {
  const body = (vhost === undefined ? exportDefinitions(ctx.broker) : exportDefinitions(ctx.broker, vhost)) as unknown as Json;
  const download = ctx.query.get('download');
  const headers: Record<string, string> = download !== null && download !== '' ? { 'content-disposition': `attachment; filename="${download.replace(/"/g, '')}"` } : {};
  return new Reply(200, body, headers);
}

function imported(ctx: ApiContext, vhost?: string): Reply {
  const definitions = definitionsBody(ctx);
  // The logged-in user gets full permissions in vhosts the import creates (not the socket's admin).
  const options = ctx.user.user === null ? {} : { actingUser: ctx.user.user.name };
  try {
    importDefinitions(ctx.broker, definitions, vhost, options);
  } catch (err) {
    if (err instanceof DefinitionsError) throw badRequest(err.message);
    throw err;
  }
  return noContent();
}

export const definitionRoutes: readonly Route[] = [
  route('GET', '/api/definitions', 'admin', (ctx) => exported(ctx)),
  route('POST', '/api/definitions', 'admin', (ctx) => imported(ctx)),
  route('GET', '/api/definitions/:vhost', 'admin', (ctx) => exported(ctx, definitionsVhost(ctx))),
  route('POST', '/api/definitions/:vhost', 'admin', (ctx) => imported(ctx, definitionsVhost(ctx))),
];
