/**
 * warrenctl as a function: parse the command line, run the command against the broker's
 * management API, print what rabbitmqctl would, and return its exit status.
 */
import { ApiFailure, ApiLoginRefused, BrokerApi } from './broker-api.js';
import { parseCommandLine } from './command-line.js';
import type { Command } from './command.js';
import { ArgumentError, CommandFailed } from './errors.js';
import { EXIT_OK, EXIT_SOFTWARE, EXIT_UNAVAILABLE } from './exit-codes.js';
import { usageLine } from './help-text.js';
import { BrokerUnreachable, ManagementClient } from './management-client.js';
import { Output } from './output.js';

export interface CtlIo {
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  writeStdout(text: string): void;
  writeStderr(text: string): void;
  readStdin(): Promise<string>;
}

const DEFAULT_TIMEOUT_SECONDS = 60;

function usageErrorText(argv: readonly string[], command: Command, error: ArgumentError): string {
  return `Error (argument validation): ${error.reason}\nArguments given:\n\t${argv.join(' ')}\n\n\u001b[1mUsage\u001b[0m\n\n${usageLine(command)}\n`;
}

function unreachableText(err: BrokerUnreachable, socket: boolean): string {
  const hint = socket
    ? ` * The broker is not running, or runs with another data directory: warrenctl uses --data-dir, then $WARREN_DATA_DIR, then ./warren-data\n * The socket belongs to another user (it is only for the user running the broker)\n * To reach a broker over TCP instead, use --url http://user:password@host:15672\n`
    : ` * The broker is not running, or its management API listens elsewhere (--url)\n * A firewall or hostname resolution problem\n`;
  return `Error: unable to perform an operation on the broker at ${err.where}: ${err.reason}\n\nMost common reasons for this are:\n\n${hint}`;
}

export async function runWarrenctl(io: CtlIo): Promise<number> {
  const parsed = parseCommandLine(io.argv, io.env);
  if (parsed.kind === 'message') {
    (parsed.stream === 'stdout' ? io.writeStdout : io.writeStderr)(parsed.text);
    return parsed.exitCode;
  }
  if (parsed.kind === 'usage') {
    io.writeStderr(usageErrorText(io.argv, parsed.command, parsed.error));
    return parsed.error.exitCode;
  }
  const client = new ManagementClient(parsed.target, (parsed.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000);
  // Held back until the end: like rabbitmqctl, print no banner when the broker cannot be reached
  // (or refuses warrenctl's credentials).
  let stdout = '';
  const out = new Output(parsed.output, (text) => {
    stdout += text;
  });
  const flush = () => {
    if (stdout !== '') io.writeStdout(stdout);
  };
  let stdin: Promise<string> | undefined;
  try {
    await parsed.command.run({
      args: parsed.args,
      vhost: parsed.vhost,
      options: parsed.options,
      timeoutSeconds: parsed.timeoutSeconds,
      out,
      api: new BrokerApi(client),
      readStdin: () => (stdin ??= io.readStdin()),
    });
    flush();
    return EXIT_OK;
  } catch (err) {
    const neverReached = (err instanceof BrokerUnreachable && !client.answered) || err instanceof ApiLoginRefused;
    if (!neverReached) flush();
    if (err instanceof CommandFailed) {
      io.writeStderr(err.stderr);
      return err.exitCode;
    }
    if (err instanceof ArgumentError) {
      io.writeStderr(usageErrorText(io.argv, parsed.command, err));
      return err.exitCode;
    }
    if (err instanceof BrokerUnreachable) {
      io.writeStderr(unreachableText(err, parsed.target.kind === 'socket'));
      return EXIT_UNAVAILABLE;
    }
    if (err instanceof ApiLoginRefused) {
      io.writeStderr(`Error: unable to perform an operation on the broker: ${err.message}\n`);
      return EXIT_UNAVAILABLE;
    }
    if (err instanceof ApiFailure) {
      io.writeStderr(`Error:\n${err.message}\n`);
      return EXIT_SOFTWARE;
    }
    io.writeStderr(`Error:\n${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT_SOFTWARE;
  }
}
