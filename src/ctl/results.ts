/** The endings rabbitmqctl gives a command that changes something. */
import type { CommandContext } from './command.js';
import { CommandFailed } from './errors.js';
import { EXIT_UNAVAILABLE } from './exit-codes.js';

/** Success: nothing more in a table, {"node":...,"result":"ok"} in JSON. */
export async function reportDone(ctx: CommandContext): Promise<void> {
  if (ctx.out.json) ctx.out.jsonValue({ node: await ctx.api.nodeName(), result: 'ok' });
}

/** A failure as rabbitmqctl reports it with --formatter json: a JSON line on stderr, exit 69. */
export async function jsonFailure(ctx: CommandContext, message: string): Promise<CommandFailed> {
  return new CommandFailed(EXIT_UNAVAILABLE, JSON.stringify({ message, node: await ctx.api.nodeName(), result: 'error' }) + '\n');
}
