/** help [command], version. */
import type { Command } from '../command.js';
import { CommandFailed } from '../errors.js';
import { EXIT_USAGE } from '../exit-codes.js';
import { commandHelp, generalHelp } from '../help-text.js';
import { VERSION } from '../../server/config.js';

/** `help` lists the commands it is given (all of them, itself included). */
export function helpCommand(commands: () => readonly Command[]): Command {
  return {
    name: 'help',
    group: 'Help',
    minArgs: 0,
    maxArgs: 1,
    doc: {
      usage: '[<command>]',
      summary: 'Displays usage information for a command',
      description: 'Displays usage information for a command.',
      arguments: [['<command>', 'the command to describe; all of them if left out']],
    },
    async run(ctx) {
      const name = ctx.args[0];
      if (name === undefined) {
        ctx.out.raw(generalHelp(commands()));
        return;
      }
      const command = commands().find((c) => c.name === name);
      if (command === undefined) throw new CommandFailed(EXIT_USAGE, `Error:\n\nCommand '${name}' not found.\n`);
      ctx.out.raw(commandHelp(command));
    },
  };
}

export const version: Command = {
  name: 'version',
  group: 'Help',
  minArgs: 0,
  maxArgs: 0,
  doc: { usage: '', summary: 'Displays CLI tools version', description: 'Displays CLI tools version.' },
  async run(ctx) {
    if (ctx.out.json) ctx.out.jsonValue({ version: VERSION });
    else ctx.out.result(VERSION);
  },
};
