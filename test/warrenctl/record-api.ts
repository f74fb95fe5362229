/**
 * Records, for every scenario step, the management API requests bin/warrenctl makes against a
 * real RabbitMQ and its answers (golden/api/ID.json), which golden-offline.test.ts plays back.
 * It also prints how warrenctl's output differs from rabbitmqctl's golden output. Not a test;
 * run by hand after record-golden.ts, on the same fresh node:
 *
 *   node dist/test/warrenctl/record-api.js refc@localhost 36676 46676
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import { rabbitmqctl, resetReferenceNode } from './reference-node.js';
import { API_DIR, RecordingProxy } from './api-recording.js';
import { comparable, loadGolden } from './golden.js';
import { SCENARIO } from './scenario.js';
import { playScenario, runProcess } from './scenario-runner.js';

const WARRENCTL = fileURLToPath(new URL('../../../bin/warrenctl', import.meta.url));
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));
const STATS_COMMANDS = new Set(['list_queues', 'list_connections', 'list_channels', 'list_consumers', 'delete_queue', 'status']);

async function main(): Promise<void> {
  const [node, amqpPort, managementPort] = process.argv.slice(2);
  if (node === undefined || amqpPort === undefined || managementPort === undefined) {
    process.stderr.write('usage: record-api.js NODE AMQP_PORT MANAGEMENT_PORT\n');
    process.exit(64);
  }
  const amqpUrl = `amqp://guest:guest@127.0.0.1:${amqpPort}`;
  // Queue statistics every 100 ms instead of 5 s, so the API shows each step's effect at once.
  await rabbitmqctl(node, ['eval', 'application:set_env(rabbit, collect_statistics_interval, 100).']);
  await resetReferenceNode(node, amqpUrl, managementPort);
  const proxy = await RecordingProxy.start(Number(managementPort));
  const url = `http://guest:guest@127.0.0.1:${proxy.port}`;
  const dir = mkdtempSync(join(tmpdir(), 'warrenctl-api-'));
  mkdirSync(API_DIR, { recursive: true });
  let differences = 0;
  try {
    await playScenario(
      SCENARIO,
      {
        amqpUrl,
        dir,
        run: async (args, stdin, unreachable) => {
          // RabbitMQ's management statistics lag the broker by up to 5 s.
          await delay(STATS_COMMANDS.has(args[0] ?? '') ? 5500 : 200);
          proxy.take();
          const env = { ...process.env, WARREN_DATA_DIR: join(dir, 'no-broker-here') };
          return runProcess(process.execPath, [WARRENCTL, ...(unreachable ? [] : ['--url', url]), ...args], stdin, env);
        },
        connectionId: async () => {
          for (;;) {
            const r = await runProcess(process.execPath, [WARRENCTL, '--url', url, 'list_connections', '-q', '--no-table-headers', 'name'], undefined);
            if (r.stdout.trim() !== '') return r.stdout.trim();
            await delay(500);
          }
        },
      },
      (step, result, values) => {
        writeFileSync(join(API_DIR, `${step.id}.json`), JSON.stringify({ values, exchanges: proxy.take() }, null, 2) + '\n');
        const golden = loadGolden(step.id);
        const expected = comparable(step, golden, values, true);
        const actual = comparable(step, { ...result, stderr: result.stderr.replace(`--url ${url} `, '') }, values, false);
        if (!isDeepStrictEqual(expected, actual)) {
          differences++;
          process.stdout.write(`--- ${step.id}\nexpected ${JSON.stringify(expected)}\nactual   ${JSON.stringify(actual)}\n`);
        }
      },
    );
  } finally {
    await proxy.close();
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`${differences} step(s) differ from rabbitmqctl\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`record-api: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
