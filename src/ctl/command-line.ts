/**
 * From argv to what to run: the command, its arguments and options checked the way
 * rabbitmqctl checks them, the output settings, and where the broker's API is.
 */
import { resolve } from 'node:path';
import { COMMAND_OPTIONS, splitCommandLine } from './arguments.js';
import type { BadOption } from './arguments.js';
import type { Command } from './command.js';
import { findCommand, COMMANDS } from './commands/index.js';
import { ArgumentError } from './errors.js';
import { EXIT_USAGE } from './exit-codes.js';
import { commandHelp, generalHelp, unknownCommandText } from './help-text.js';
import type { ApiTarget } from './management-client.js';
import type { OutputSettings } from './output.js';
import { isFormatterName } from './output.js';

export interface Invocation {
  readonly kind: 'run';
  readonly command: Command;
  readonly args: readonly string[];
  readonly vhost: string;
  readonly options: ReadonlyMap<string, string | true>;
  readonly output: OutputSettings;
  readonly timeoutSeconds: number | undefined;
  readonly target: ApiTarget;
}

/** Something to print instead of running a command (help, or an unknown command). */
export interface Message {
  readonly kind: 'message';
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
  readonly exitCode: number;
}

/** The command line is wrong for `command`; printed with its usage line. */
export interface UsageProblem {
  readonly kind: 'usage';
  readonly command: Command;
  readonly error: ArgumentError;
}

export const SOCKET_NAME = 'management.sock';

function targetFrom(url: string | undefined, dataDir: string): ApiTarget {
  if (url === undefined) return { kind: 'socket', path: resolve(dataDir, SOCKET_NAME) };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ArgumentError(`--url must be a URL such as http://user:password@host:15672, got '${url}'`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ArgumentError(`--url must start with http:// or https://, got '${url}'`);
  const username = parsed.username === '' ? 'guest' : decodeURIComponent(parsed.username);
  const password = parsed.username === '' ? 'guest' : decodeURIComponent(parsed.password);
  return { kind: 'url', url: parsed, username, password };
}

function stringOption(values: ReadonlyMap<string, string | true>, name: string): string | undefined {
  const value = values.get(name);
  return typeof value === 'string' ? value : undefined;
}

function describeBad(bad: readonly BadOption[]): string {
  return `Invalid options for this command:\n${bad.map((b) => `${b.given} : ${b.value}`).join('\n')}`;
}

function invocationFor(command: Command, args: readonly string[], values: Map<string, string | true>, bad: BadOption[], env: NodeJS.ProcessEnv): Invocation {
  const formatter = stringOption(values, 'formatter') ?? 'table';
  if (!isFormatterName(formatter)) throw new ArgumentError(`formatter '${formatter}' is not supported; use table, json or csv`);
  const silent = values.has('silent');
  if (values.has('no-table-headers') && (command.listing !== true || formatter !== 'table')) bad.push({ given: '--no-table-headers', value: '' });
  if (bad.length > 0) throw new ArgumentError(describeBad(bad));
  if (args.length < command.minArgs) throw new ArgumentError('not enough arguments.');
  if (args.length > command.maxArgs) throw new ArgumentError('too many arguments.');
  const timeoutValue = stringOption(values, 'timeout');
  let timeoutSeconds: number | undefined;
  if (timeoutValue !== undefined) {
    timeoutSeconds = Number(timeoutValue);
    if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw new ArgumentError(`timeout must be a positive number of seconds, got '${timeoutValue}'`);
  }
  command.check?.(args);

  return {
    kind: 'run',
    command,
    args,
    vhost: stringOption(values, 'vhost') ?? '/',
    options: values,
    output: { formatter, quiet: silent || values.has('quiet'), tableHeaders: !silent && !values.has('no-table-headers') },
    timeoutSeconds,
    target: targetFrom(stringOption(values, 'url'), stringOption(values, 'data-dir') ?? env['WARREN_DATA_DIR'] ?? './warren-data'),
  };
}

export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv): Invocation | Message | UsageProblem {
  const split = splitCommandLine(argv);
  const [name, ...args] = split.positionals;
  if (name === undefined) return { kind: 'message', stream: 'stderr', text: generalHelp(COMMANDS), exitCode: EXIT_USAGE };
  const command = findCommand(name);
  if (command === undefined) return { kind: 'message', stream: 'stderr', text: unknownCommandText(name, COMMANDS), exitCode: EXIT_USAGE };
  const values = new Map<string, string | true>();
  const bad: BadOption[] = [...split.bad];
  const allowed = new Set(command.options ?? []);
  for (const option of split.options) {
    if (!COMMAND_OPTIONS.includes(option.spec) || allowed.has(option.spec.name)) values.set(option.spec.name, option.value);
    else bad.push({ given: option.given, value: option.value === true ? '' : option.value });
  }
  if (values.has('help')) return { kind: 'message', stream: 'stdout', text: commandHelp(command), exitCode: 0 };
  try {
    return invocationFor(command, args, values, bad, env);
  } catch (err) {
    if (err instanceof ArgumentError) return { kind: 'usage', command, error: err };
    throw err;
  }
}
