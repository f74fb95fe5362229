/**
 * Every scenario step, run as `node bin/warrenctl ARGS` (the broker found through
 * WARREN_DATA_DIR's management.sock) against a fake management API that answers what RabbitMQ
 * 3.10.8 answered (golden/api/), must print what rabbitmqctl printed (golden/) and exit with
 * its status. This checks warrenctl's parsing, formatting and error mapping without a broker;
 * golden-broker.test.ts checks the same scenario against a real Warren.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadApiRecording, ReplayServer } from './api-recording.js';
import { comparable, loadGolden } from './golden.js';
import { SCENARIO } from './scenario.js';
import { fillPlaceholders, runProcess } from './scenario-runner.js';

const WARRENCTL = fileURLToPath(new URL('../../../bin/warrenctl', import.meta.url));

let dir = '';
let dataDir = '';
let server: ReplayServer;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wctl-'));
  dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  server = await ReplayServer.listen(join(dataDir, 'management.sock'));
});

after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

test('every scenario step prints what rabbitmqctl printed, against RabbitMQ’s recorded API answers', async (t) => {
  for (const step of SCENARIO) {
    if (step.kind === 'fixture') continue;
    if (step.kind === 'file') {
      writeFileSync(fillPlaceholders(step.path, { dir }), step.content);
      continue;
    }
    await t.test(step.id, async () => {
      const recording = step.unreachable === true ? { values: {}, exchanges: [] } : loadApiRecording(step.id);
      const values = { ...recording.values, dir };
      server.expect(recording.exchanges);
      const env = { ...process.env, WARREN_DATA_DIR: step.unreachable === true ? join(dir, 'nowhere') : dataDir };
      const args = step.args.map((a) => fillPlaceholders(a, values));
      // Over the socket authenticate_user logs in with AMQP; the recording has its --url way (/api/whoami).
      const viaUrl = args[0] === 'authenticate_user' ? ['--url', `http://guest:guest@127.0.0.1:${server.port}`] : [];
      const result = await runProcess(process.execPath, [WARRENCTL, ...viaUrl, ...args], step.stdin === undefined ? undefined : fillPlaceholders(step.stdin, values), env, 20_000);
      assert.deepEqual(server.mismatches, [], 'requests the recording does not have');
      assert.deepEqual(server.unused(), [], 'recorded requests warrenctl did not make');
      assert.deepEqual(comparable(step, result, values, false), comparable(step, loadGolden(step.id), values, true));
    });
  }
});
