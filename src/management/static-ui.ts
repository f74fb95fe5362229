import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/** Where `scripts/build-ui.mjs` puts the bundle: dist/ui, next to dist/src. */
const UI_DIR = fileURLToPath(new URL('../../ui/', import.meta.url));

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Warren</title>
<p>The web UI is not built. Run <code>npm run build</code> (or <code>npm install</code>) and restart the broker.
The management API is at <a href="api/overview">/api</a>.</p>`;

export interface Asset {
  readonly type: string;
  readonly body: Buffer;
  readonly gzipped: Buffer;
  /** Bundles have a content hash in their URL and may be cached for good; index.html may not. */
  readonly immutable: boolean;
}

function asset(type: string, body: Buffer, immutable: boolean): Asset {
  return { type, body, gzipped: gzipSync(body, { level: 9 }), immutable };
}

/** Bundles read once per process (every in-process broker with management shares them). */
const loaded = new Map<string, ReadonlyMap<string, Asset>>();

function load(dir: string): ReadonlyMap<string, Asset> {
  const cached = loaded.get(dir);
  if (cached !== undefined) return cached;
  const assets = new Map<string, Asset>();
  const index = join(dir, 'index.html');
  const page = asset(TYPES['.html']!, existsSync(index) ? readFileSync(index) : Buffer.from(NOT_BUILT), false);
  assets.set('/', page);
  assets.set('/index.html', page);
  if (existsSync(dir)) {
    for (const name of readdirSync(dir)) {
      const type = TYPES[extname(name)];
      if (type !== undefined && name !== 'index.html') assets.set(`/ui/${name}`, asset(type, readFileSync(join(dir, name)), true));
    }
  }
  loaded.set(dir, assets);
  return assets;
}

/**
 * The web UI's files, read into memory (and gzipped) on first use: `/` and `/index.html` are the
 * page, `/ui/<file>` its bundle. Routing inside the UI is by URL hash, so these are all the paths.
 */
export class StaticUi {
  constructor(private readonly dir: string = UI_DIR) {}

  /** Whether the path is one of the UI's (so the API router does not see it). */
  owns(pathname: string): boolean {
    return pathname === '/' || pathname === '/index.html' || pathname.startsWith('/ui/');
  }

  /** The file served at the path, if the bundle has one. */
  find(pathname: string): Asset | undefined {
    return load(this.dir).get(pathname);
  }

  /** Sends the file (gzipped when the client accepts it) to a GET or HEAD. */
  send(req: IncomingMessage, res: ServerResponse, found: Asset): void {
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? found.gzipped : found.body;
    res.writeHead(200, {
      'content-type': found.type,
      'content-length': String(body.length),
      'cache-control': found.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
      vary: 'accept-encoding',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      ...(found.type.startsWith('text/html') ? { 'x-frame-options': 'DENY' } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }
}
