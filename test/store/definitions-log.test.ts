/** The definitions log: appends become durable with the group commit; a rewrite replaces it whole. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { DiskStore } from '../../src/store/disk-store.js';
import { withTimeout } from '../support/wait.js';

function durable(store: DiskStore): Promise<void> {
  return withTimeout(new Promise<void>((resolve) => store.whenDurable(() => resolve())), 10_000, 'whenDurable');
}

test('a rewrite replaces the log, including records appended but not yet written', { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'warren-definitions-log-'));
  const log = pino({ level: 'silent' });
  try {
    const store = new DiskStore({ dir, fsync: true, segmentSize: 1 << 20, log });
    store.appendDefinition({ kind: 'a' });
    await durable(store);
    assert.equal(store.definitionsNeedCompaction(), false);
    store.appendDefinition({ kind: 'pending' });
    store.rewriteDefinitions([{ kind: 'snapshot' }]);
    await durable(store);
    store.appendDefinition({ kind: 'after' });
    await durable(store);
    store.close();
    const reopened = new DiskStore({ dir, fsync: true, segmentSize: 1 << 20, log });
    assert.deepEqual(reopened.readDefinitions(), [{ kind: 'snapshot' }, { kind: 'after' }]);
    reopened.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
