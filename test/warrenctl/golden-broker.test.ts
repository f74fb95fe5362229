/**
 * The golden scenario against a real Warren: an in-process broker with a data directory (so it
 * serves its management API on DIR/management.sock), driven by `node bin/warrenctl` child
 * processes that find it through WARREN_DATA_DIR, and by amqplib for the queues, consumers and
 * connections the listings show. Every step must print what rabbitmqctl printed against
 * RabbitMQ 3.10.8 (golden/), with the differences golden.ts allows for (row order, ports,
 * memory, RabbitMQ-only objects).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { RunningBroker } from '../../src/index.js';
import { startBroker } from '../../src/index.js';
import { comparable, loadGolden } from './golden.js';
import { SCENARIO } from './scenario.js';
import { playScenario, runProcess } from './scenario-runner.js';

const WARRENCTL = fileURLToPath(new URL('../../../bin/warrenctl', import.meta.url));

let dir = '';
let broker: RunningBroker;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wctl-'));
  mkdirSync(join(dir, 'data'));
  broker = await startBroker({ port: 0, managementPort: 0, dataDir: join(dir, 'data'), fsync: false });
});

after(async () => {
  await broker.close();
  rmSync(dir, { recursive: true, force: true });
});

test('every scenario step against Warren prints what rabbitmqctl printed against RabbitMQ', async (t) => {
  const dataDir = join(dir, 'data');
  const warrenctl = (args: readonly string[], stdin: string | undefined, unreachable: boolean) =>
    runProcess(process.execPath, [WARRENCTL, ...args], stdin, { ...process.env, WARREN_DATA_DIR: unreachable ? join(dir, 'nowhere') : dataDir }, 20_000);
  await playScenario(
    SCENARIO,
    {
      amqpUrl: broker.url,
      dir,
      run: warrenctl,
      connectionId: async () => (await warrenctl(['list_connections', '-q', '--no-table-headers', 'name'], undefined, false)).stdout.trim(),
    },
    async (step, result, values) => {
      await t.test(step.id, () => {
        assert.deepEqual(comparable(step, result, values, false), comparable(step, loadGolden(step.id), values, true));
      });
    },
  );
});
