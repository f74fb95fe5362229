import type { Handler } from './context.js';

export type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';

/**
 * Who may call a route, as RabbitMQ's is_authorized variants: any management user, monitors,
 * administrators, or users with access to the route's `vhost` (administrators always).
 */
export type Access = 'user' | 'monitor' | 'admin' | 'vhost';

export interface Route {
  readonly method: Method;
  /** e.g. `/api/queues/:vhost/:name`; `:x` matches one path segment. */
  readonly pattern: string;
  readonly access: Access;
  readonly handler: Handler;
}

export function route(method: Method, pattern: string, access: Access, handler: Handler): Route {
  return { method, pattern, access, handler };
}

export interface RouteMatch {
  /** The routes of the matching pattern, one per method. */
  readonly routes: readonly Route[];
  readonly params: ReadonlyMap<string, string>;
}

interface CompiledPattern {
  readonly segments: readonly string[];
  readonly routes: Route[];
}

/** Matches request paths against the route patterns; the first pattern that matches wins. */
export class Router {
  private readonly patterns: CompiledPattern[] = [];

  constructor(routes: readonly Route[]) {
    const byPattern = new Map<string, CompiledPattern>();
    for (const r of routes) {
      let p = byPattern.get(r.pattern);
      if (p === undefined) {
        p = { segments: r.pattern.split('/').slice(1), routes: [] };
        byPattern.set(r.pattern, p);
        this.patterns.push(p);
      }
      p.routes.push(r);
    }
  }

  match(pathname: string): RouteMatch | undefined {
    const raw = pathname.split('/').slice(1);
    // As Cowboy (RabbitMQ's HTTP server): a trailing slash is ignored, `/api/queues/%2F/` is the list.
    if (raw.length > 1 && raw[raw.length - 1] === '') raw.pop();
    for (const p of this.patterns) {
      if (p.segments.length !== raw.length) continue;
      const params = matchSegments(p.segments, raw);
      if (params !== undefined) return { routes: p.routes, params };
    }
    return undefined;
  }
}

function matchSegments(pattern: readonly string[], raw: readonly string[]): Map<string, string> | undefined {
  const params = new Map<string, string>();
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    let segment: string;
    try {
      segment = decodeURIComponent(raw[i]!);
    } catch {
      return undefined;
    }
    if (p.startsWith(':')) params.set(p.slice(1), segment);
    else if (p !== segment) return undefined;
  }
  return params;
}
