/** warrenctl's usage and help texts, laid out as rabbitmqctl's. */
import type { Command } from './command.js';
import { COMMAND_GROUPS } from './command.js';

const bold = (title: string) => `\u001b[1m${title}\u001b[0m`;

/** What every usage line starts with (rabbitmqctl's has --node and --longnames here). */
export const USAGE_PREFIX = 'warrenctl [--data-dir <dir>] [--url <url>] [--quiet]';

export function usageLine(command: Command): string {
  return `${USAGE_PREFIX} ${command.name} ${command.doc.usage}`.trimEnd();
}

const GENERAL_OPTIONS = `The following options are accepted by most or all commands.

short            | long               | description
-----------------|--------------------|--------------------------------
-?               | --help             | displays command help
                 | --data-dir <dir>   | the broker's data directory, whose
                 |                    | management.sock warrenctl talks to
                 |                    | (default: $WARREN_DATA_DIR, then ./warren-data)
                 | --url <url>        | talk to the management API at this URL instead,
                 |                    | e.g. http://user:password@host:15672
-t               | --timeout <n>      | operation timeout in seconds
-q               | --quiet            | suppress informational messages
-s               | --silent           | suppress informational messages
                                      | and table header row
-p               | --vhost            | for commands that are scoped to a virtual host,
                 |                    | virtual host to use
                 | --formatter        | alternative result formatter to use
                                      | if supported: json, table, csv
                                        not all commands support all (or any) alternative formatters.
-n <node>        | --node <node>      | accepted and ignored (a single node)
`;

/** `warrenctl help COMMAND` and `warrenctl COMMAND --help`. */
export function commandHelp(command: Command): string {
  const doc = command.doc;
  let text = `\n${bold('Usage')}\n\n${usageLine(command)}\n\n${doc.description}\n\n\n`;
  if (doc.arguments !== undefined && doc.arguments.length > 0) {
    text += `${bold('Arguments and Options')}\n\n${doc.arguments.map(([name, what]) => `${name}\n\t${what}\n`).join('\n')}\n\n`;
  }
  if (doc.guides !== undefined && doc.guides.length > 0) {
    text += `${bold('Relevant Doc Guides')}\n\n${doc.guides.map((g) => ` * https://rabbitmq.com/${g}.html\n`).join('\n')}\n\n`;
  }
  return text + `${bold('General Options')}\n\n${GENERAL_OPTIONS}\n`;
}

/** `warrenctl help`: every command by group, each with its one-line summary. */
export function generalHelp(commands: readonly Command[]): string {
  let text = `\n${bold('Usage')}\n\nwarrenctl [--data-dir <dir>] [--url <url>] [--timeout <timeout>] [--quiet] <command> [<command options>]\n\nAvailable commands:\n\n`;
  for (const group of COMMAND_GROUPS) {
    const members = commands.filter((c) => c.group === group).sort((a, b) => (a.name < b.name ? -1 : 1));
    if (members.length === 0) continue;
    text += `${bold(group)}:\n\n${members.map((c) => `   ${c.name.padEnd(30)}${c.doc.summary}\n`).join('')}\n`;
  }
  return text + "Use 'warrenctl help <command>' to learn more about a specific command\n";
}

/** Levenshtein distance: the fewest single-character edits that turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** rabbitmqctl's suggestion: the nearest command name (first alphabetically on a tie), if 5 edits or fewer away. */
export function suggestCommand(name: string, commands: readonly Command[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 6;
  for (const c of [...commands].sort((x, y) => (x.name < y.name ? -1 : 1))) {
    const distance = editDistance(c.name, name);
    if (distance < bestDistance) {
      best = c.name;
      bestDistance = distance;
    }
  }
  return best;
}

/** What rabbitmqctl prints for a command it does not know. */
export function unknownCommandText(name: string, commands: readonly Command[]): string {
  const suggestion = suggestCommand(name, commands);
  if (suggestion !== undefined) return `\nCommand '${name}' not found. \nDid you mean '${suggestion}'? \n\n`;
  return `\nCommand '${name}' not found. \n${generalHelp(commands)}`;
}
