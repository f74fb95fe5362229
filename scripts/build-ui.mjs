#!/usr/bin/env node
// Bundles the web UI (ui/src, Preact + uPlot) with esbuild into dist/ui: index.html, app.js and
// app.css, with a content hash in the asset URLs so browsers never run a stale bundle. The broker
// serves dist/ui on the management port; nothing is fetched from the internet at run time.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'ui');
mkdirSync(out, { recursive: true });

const result = await build({
  entryPoints: { app: join(root, 'ui', 'src', 'main.tsx') },
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['chrome110', 'firefox110', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: out,
  write: false,
  logLevel: 'warning',
  legalComments: 'linked',
  metafile: false,
});

const html = readFileSync(join(root, 'ui', 'index.html'), 'utf8');
const assets = {};
for (const file of result.outputFiles) {
  const name = file.path.slice(out.length + 1);
  writeFileSync(file.path, file.contents);
  assets[name] = createHash('sha256').update(file.contents).digest('hex').slice(0, 12);
}
let page = html;
for (const [name, hash] of Object.entries(assets)) page = page.replaceAll(`{{${name}}}`, `ui/${name}?v=${hash}`);
writeFileSync(join(out, 'index.html'), page);
const sizes = result.outputFiles.map((f) => `${f.path.slice(out.length + 1)} ${(f.contents.length / 1024).toFixed(1)} KiB`);
console.log(`build-ui: dist/ui (${sizes.join(', ')})`);
