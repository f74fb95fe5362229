/**
 * Records the golden outputs in test/warrenctl/golden/ by playing the scenario with the real
 * rabbitmqctl against a RabbitMQ node. Not a test; run by hand when the scenario changes:
 *
 *   /work/shared/acceptance/reference-rabbitmq.sh start refc 36676 46676
 *   npx tsc -p . && node dist/test/warrenctl/record-golden.js refc@localhost 36676 46676
 *   /work/shared/acceptance/reference-rabbitmq.sh stop refc 36676 46676
 *
 * The node must be fresh apart from the guest user (leftovers of an interrupted run are removed).
 * In the files, the scratch directory reads `{dir}`, the fixture connection's pid `{connection}`
 * and the node name `{node}`; `-n NODE` is left out of "Arguments given".
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rabbitmqctl as ctlOn, resetReferenceNode } from './reference-node.js';
import { SCENARIO } from './scenario.js';
import { playScenario } from './scenario-runner.js';
import type { CtlResult } from './scenario-runner.js';

const GOLDEN_DIR = fileURLToPath(new URL('../../../test/warrenctl/golden/', import.meta.url));

function replaceAll(text: string, from: string, to: string): string {
  return from === '' ? text : text.split(from).join(to);
}

async function main(): Promise<void> {
  const [node, port, managementPort] = process.argv.slice(2);
  if (node === undefined || port === undefined || managementPort === undefined) {
    process.stderr.write('usage: record-golden.js NODE AMQP_PORT MANAGEMENT_PORT\n');
    process.exit(64);
  }
  const amqpUrl = `amqp://guest:guest@127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'warrenctl-golden-'));
  chmodSync(dir, 0o777); // the node (user rabbitmq) writes export_definitions' file
  const rabbitmqctl = (args: readonly string[], stdin?: string, target = node): Promise<CtlResult> => ctlOn(target, args, stdin);
  await resetReferenceNode(node, amqpUrl, managementPort);

  mkdirSync(GOLDEN_DIR, { recursive: true });
  await playScenario(
    SCENARIO,
    {
      amqpUrl,
      dir,
      run: (args, stdin, unreachable) => rabbitmqctl(args, stdin, unreachable ? 'nosuch@localhost' : node),
      connectionId: async () => {
        const r = await rabbitmqctl(['list_connections', '-q', '--no-table-headers', 'pid']);
        const pid = r.stdout.trim();
        if (r.exit !== 0 || pid === '' || pid.includes('\n')) throw new Error(`expected one connection, got ${JSON.stringify(r)}`);
        return pid;
      },
    },
    (step, result, values) => {
      const clean = (text: string): string => {
        let t = replaceAll(text, `-n ${node} `, '');
        t = replaceAll(t, dir, '{dir}');
        if (values['connection'] !== undefined) t = replaceAll(t, values['connection'], '{connection}');
        return replaceAll(t, node, '{node}');
      };
      const golden = { args: step.args, exit: result.exit, stdout: clean(result.stdout), stderr: clean(result.stderr) };
      writeFileSync(join(GOLDEN_DIR, `${step.id}.json`), JSON.stringify(golden, null, 2) + '\n');
      process.stdout.write(`${step.id}: exit ${result.exit}\n`);
    },
  );
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  process.stderr.write(`record-golden: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
