/** What a warrenctl command is: its name, usage and help (as rabbitmqctl's), and what it does. */
import type { BrokerApi } from './broker-api.js';
import type { Output } from './output.js';

/** The sections of rabbitmqctl's command list, in its order. */
export const COMMAND_GROUPS = ['Help', 'Users', 'Access Control', 'Monitoring, observability and health checks', 'Virtual hosts', 'Definitions', 'Operations', 'Queues'] as const;
export type CommandGroup = (typeof COMMAND_GROUPS)[number];

export interface CommandDoc {
  /** The usage line after the command's name, e.g. `<username> <password>`. */
  readonly usage: string;
  /** One line in `warrenctl help`. */
  readonly summary: string;
  /** The paragraph in `warrenctl help COMMAND`. */
  readonly description: string;
  /** "Arguments and Options": [name, explanation]. */
  readonly arguments?: readonly (readonly [string, string])[];
  /** "Relevant Doc Guides": page names under https://rabbitmq.com/. */
  readonly guides?: readonly string[];
}

export interface CommandContext {
  readonly args: readonly string[];
  /** -p / --vhost, or '/'. */
  readonly vhost: string;
  /** Command-specific options given (flags are true). */
  readonly options: ReadonlyMap<string, string | true>;
  /** -t / --timeout in seconds, if given. */
  readonly timeoutSeconds: number | undefined;
  readonly out: Output;
  readonly api: BrokerApi;
  /** Everything on standard input (read once, when a command needs it). */
  readStdin(): Promise<string>;
}

export interface Command {
  readonly name: string;
  readonly group: CommandGroup;
  readonly doc: CommandDoc;
  readonly minArgs: number;
  /** Infinity for "any number" (columns, tags). */
  readonly maxArgs: number;
  /** Command-specific options it accepts (names from arguments.ts COMMAND_OPTIONS). */
  readonly options?: readonly string[];
  /** Prints a table: accepts --no-table-headers (with the table formatter only). */
  readonly listing?: boolean;
  /** Checks the arguments beyond their number (columns, file paths); throws ArgumentError. */
  check?(args: readonly string[]): void;
  run(ctx: CommandContext): Promise<void>;
}
