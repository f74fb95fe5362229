/**
 * Splits a warrenctl command line into positionals and options the way rabbitmqctl does:
 * options may come before or after the command and its arguments, `--name value`,
 * `--name=value`, `-p value` and `-p=value` all work, and `--` ends the options.
 * Whether an option is allowed for a command is decided later (see command-line.ts).
 */

export interface OptionSpec {
  /** Canonical name, the long form without dashes. */
  readonly name: string;
  readonly short?: string;
  readonly takesValue: boolean;
}

/** Options every command accepts (--no-table-headers: only list commands, checked later). */
export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  { name: 'node', short: 'n', takesValue: true },
  { name: 'quiet', short: 'q', takesValue: false },
  { name: 'silent', short: 's', takesValue: false },
  { name: 'longnames', short: 'l', takesValue: false },
  { name: 'timeout', short: 't', takesValue: true },
  { name: 'vhost', short: 'p', takesValue: true },
  { name: 'formatter', takesValue: true },
  { name: 'help', short: '?', takesValue: false },
  { name: 'data-dir', takesValue: true },
  { name: 'url', takesValue: true },
  { name: 'no-table-headers', takesValue: false },
];

/** Options only some commands take; each command lists the names it accepts. */
export const COMMAND_OPTIONS: readonly OptionSpec[] = [
  { name: 'if-empty', short: 'e', takesValue: false },
  { name: 'if-unused', short: 'u', takesValue: false },
  { name: 'description', takesValue: true },
  { name: 'tags', takesValue: true },
  { name: 'default-queue-type', takesValue: true },
  { name: 'unit', takesValue: true },
  { name: 'format', takesValue: true },
  { name: 'skip-if-unchanged', takesValue: false },
  { name: 'online', takesValue: false },
  { name: 'offline', takesValue: false },
  { name: 'local', takesValue: false },
];

/** One option as it was given. */
export interface GivenOption {
  readonly spec: OptionSpec;
  /** As typed, e.g. `-p` or `--vhost`. */
  readonly given: string;
  /** The value, or true for a flag. */
  readonly value: string | true;
}

/** An option that is not known at all, or lacks its value. */
export interface BadOption {
  readonly given: string;
  readonly value: string;
}

export interface SplitCommandLine {
  readonly positionals: readonly string[];
  readonly options: readonly GivenOption[];
  readonly bad: readonly BadOption[];
}

const ALL_OPTIONS: readonly OptionSpec[] = [...GLOBAL_OPTIONS, ...COMMAND_OPTIONS];

function findOption(token: string): OptionSpec | undefined {
  if (token.startsWith('--')) {
    const name = token.slice(2);
    return ALL_OPTIONS.find((o) => o.name === name);
  }
  const short = token.slice(1);
  if (short === 'h') return ALL_OPTIONS.find((o) => o.name === 'help');
  return ALL_OPTIONS.find((o) => o.short === short);
}

function looksLikeOption(token: string): boolean {
  return token.length > 1 && token.startsWith('-') && !/^-\d/.test(token);
}

export function splitCommandLine(argv: readonly string[]): SplitCommandLine {
  const positionals: string[] = [];
  const options: GivenOption[] = [];
  const bad: BadOption[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!looksLikeOption(token)) {
      positionals.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const given = eq === -1 ? token : token.slice(0, eq);
    const inlineValue = eq === -1 ? undefined : token.slice(eq + 1);
    const spec = findOption(given);
    if (spec === undefined) {
      bad.push({ given, value: inlineValue ?? '' });
      continue;
    }
    if (!spec.takesValue) {
      options.push({ spec, given, value: true });
      continue;
    }
    const value = inlineValue ?? argv[i + 1];
    if (value === undefined) {
      bad.push({ given, value: '' });
      continue;
    }
    if (inlineValue === undefined) i++;
    options.push({ spec, given, value });
  }
  return { positionals, options, bad };
}
