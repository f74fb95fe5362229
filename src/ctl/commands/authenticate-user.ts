/** authenticate_user: checks a user's password without changing anything. */
import type { AmqpEndpoint } from '../amqp-login.js';
import { amqpLoginAccepted } from '../amqp-login.js';
import type { Command, CommandContext } from '../command.js';
import { failure } from '../errors.js';
import { EXIT_DATA_ERROR } from '../exit-codes.js';
import { field, isJsonObject, jsonObjects, stringField } from '../json.js';
import { BrokerUnreachable } from '../management-client.js';
import { passwordArgument } from '../stdin-password.js';
import { GUIDES } from './users.js';

/** The broker's AMQP listeners, from /api/overview (a wildcard address is reached on loopback). */
async function amqpEndpoints(ctx: CommandContext): Promise<AmqpEndpoint[]> {
  const overview = await ctx.api.object('/api/overview');
  return jsonObjects(overview === null ? undefined : field(overview, 'listeners'))
    .filter((l) => stringField(l, 'protocol') === 'amqp')
    .map((l) => {
      const ip = stringField(l, 'ip_address') ?? '127.0.0.1';
      return { host: ip === '::' || ip === '0.0.0.0' ? '127.0.0.1' : ip, port: Number(field(l, 'port')) };
    });
}

/**
 * Over the management socket (no login there) the credentials are tried with an AMQP login.
 * Over --url, /api/whoami is asked as that user: 200, or RabbitMQ's 401 "Not management user"
 * (a user without a management tag whose password is right), mean they are good.
 */
async function credentialsAccepted(ctx: CommandContext, username: string, password: string): Promise<boolean> {
  if (ctx.api.client.target.kind === 'socket') {
    const endpoints = await amqpEndpoints(ctx);
    let lastError: Error = new Error('the broker reports no AMQP listener');
    for (const endpoint of endpoints) {
      try {
        return await amqpLoginAccepted(endpoint, username, password, (ctx.timeoutSeconds ?? 60) * 1000);
      } catch (err) {
        lastError = err instanceof Error ? err : new Error(String(err));
      }
    }
    throw new BrokerUnreachable('its AMQP listener', lastError.message);
  }
  const response = await ctx.api.getAs('/api/whoami', { username, password });
  const body = isJsonObject(response.body) ? response.body : {};
  if (response.status === 200) return stringField(body, 'name') === username;
  return response.status === 401 && stringField(body, 'reason') === 'Not management user';
}

export const authenticateUser: Command = {
  name: 'authenticate_user',
  group: 'Users',
  minArgs: 1,
  maxArgs: 2,
  doc: {
    usage: '<username> <password>',
    summary: 'Attempts to authenticate a user. Exits with a non-zero code if authentication fails.',
    description: 'Attempts to authenticate a user. Exits with a non-zero code if authentication fails..',
    arguments: [
      ['<username>', 'Username to use'],
      ['<password>', 'Password to use. Can be entered via stdin in interactive mode.'],
    ],
    guides: GUIDES,
  },
  async run(ctx) {
    const name = ctx.args[0]!;
    ctx.out.info(`Authenticating user "${name}" ...`);
    const password = (await passwordArgument(ctx, 1)) ?? '';
    if (!(await credentialsAccepted(ctx, name, password))) {
      throw failure(EXIT_DATA_ERROR, `Error: failed to authenticate user "${name}"\nuser '${name}' - invalid credentials`);
    }
    if (ctx.out.json) ctx.out.jsonValue({ message: 'Success' });
    else ctx.out.result('Success');
  },
};

