import type { CommandContext } from './command.js';

/**
 * The password argument, or (when it was left out) the first line of standard input, as
 * rabbitmqctl reads it; null when neither gives one.
 */
export async function passwordArgument(ctx: CommandContext, index: number): Promise<string | null> {
  const given = ctx.args[index];
  if (given !== undefined) return given;
  ctx.out.info('Password: ');
  const input = await ctx.readStdin();
  const line = input.split(/\r?\n/)[0] ?? '';
  return line === '' ? null : line;
}
