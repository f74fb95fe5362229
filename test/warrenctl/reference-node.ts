/** Helpers for the recorders that drive a reference RabbitMQ node with rabbitmqctl. */
import { removeFixtureLeftovers } from './amqp-fixture.js';
import { runProcess } from './scenario-runner.js';
import type { CtlResult } from './scenario-runner.js';

export function rabbitmqctl(node: string, args: readonly string[], stdin?: string): Promise<CtlResult> {
  return runProcess('rabbitmqctl', ['-n', node, ...args], stdin);
}

/**
 * Removes what an interrupted scenario run may have left (its queues, exchanges, users and
 * vhosts), and gives vhost / back the description an import through the API drops.
 */
export async function resetReferenceNode(node: string, amqpUrl: string, managementPort: string): Promise<void> {
  await removeFixtureLeftovers(amqpUrl);
  for (const user of ['alice', 'bob', 'carol', 'dave', 'perm-user']) await rabbitmqctl(node, ['delete_user', user]);
  for (const vhost of ['v1', 'v2', 'v3']) await rabbitmqctl(node, ['delete_vhost', vhost]);
  const response = await fetch(`http://127.0.0.1:${managementPort}/api/vhosts/%2F`, {
    method: 'PUT',
    headers: { authorization: 'Basic ' + Buffer.from('guest:guest').toString('base64'), 'content-type': 'application/json' },
    body: JSON.stringify({ description: 'Default virtual host', tags: '' }),
  });
  if (!response.ok) throw new Error(`cannot reset vhost /: ${response.status}`);
}
