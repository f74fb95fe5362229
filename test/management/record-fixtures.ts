/**
 * Records the fixtures: runs the scenario against a reference RabbitMQ and writes one JSON file
 * per response into test/management/fixtures/.
 *
 *   /work/shared/acceptance/reference-rabbitmq.sh start refm 36674 46674
 *   node dist/test/management/record-fixtures.js http://127.0.0.1:46674 amqp://guest:guest@127.0.0.1:36674
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScenario } from './scenario.js';

const FIXTURES = join(fileURLToPath(new URL('.', import.meta.url)), '../../../test/management/fixtures');

async function main(): Promise<void> {
  const [mgmtUrl, amqpUrl, out = FIXTURES] = process.argv.slice(2);
  if (mgmtUrl === undefined || amqpUrl === undefined) {
    process.stderr.write('usage: record-fixtures MGMT_URL AMQP_URL [DIR]\n');
    process.exit(2);
  }
  const results = await runScenario({ mgmtUrl, amqpUrl, statsTimeoutMs: 60_000 });
  mkdirSync(out, { recursive: true });
  for (const [name, recorded] of results) writeFileSync(join(out, `${name}.json`), JSON.stringify(recorded, null, 2) + '\n');
  process.stdout.write(`recorded ${results.size} responses into ${out}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`record-fixtures: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
