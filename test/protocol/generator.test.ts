import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

// dist/test/protocol -> repository root
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

describe('codec generator', () => {
  it('committed generated files are up to date (generate-codec.mjs --check)', () => {
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'generate-codec.mjs'), '--check'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });
});
