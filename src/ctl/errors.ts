import { EXIT_USAGE } from './exit-codes.js';

/**
 * A command failed: `stderr` is printed as it is (it already has RabbitMQ's "Error:" lines
 * where rabbitmqctl prints them) and the process exits with `exitCode`.
 */
export class CommandFailed extends Error {
  constructor(
    readonly exitCode: number,
    readonly stderr: string,
  ) {
    super(stderr.trim());
  }
}

/** rabbitmqctl's most common failure shape: "Error:" on one line, the reason on the next. */
export function failure(exitCode: number, reason: string): CommandFailed {
  return new CommandFailed(exitCode, `Error:\n${reason}\n`);
}

/**
 * The command line is wrong for this command ("Error (argument validation): ..." followed by
 * the arguments given and the command's usage). Exit status 64 unless said otherwise.
 */
export class ArgumentError extends Error {
  constructor(
    readonly reason: string,
    readonly exitCode: number = EXIT_USAGE,
  ) {
    super(reason);
  }
}
