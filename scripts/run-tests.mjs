#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js, or those under the given folders) with
// node's test runner. Node 20's runner has no glob support, hence this finder.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function find(dir) {
  const found = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...find(path));
    else if (name.endsWith('.test.js')) found.push(path);
  }
  return found;
}

const roots = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['dist/test'];
const files = roots.flatMap(find);
if (files.length === 0) {
  console.error('run-tests: no test files found under', roots.join(', '));
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=2', '--test-timeout=180000', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
