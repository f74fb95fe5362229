/**
 * Listing commands' columns: which ones a command knows (rabbitmqctl's names), which it prints
 * by default, and turning API objects into rows.
 */
import type { Cell } from './cells.js';
import type { Command, CommandContext, CommandGroup } from './command.js';
import { plainCell } from './cells.js';
import { ArgumentError } from './errors.js';
import type { JsonObject } from './json.js';
import { field } from './json.js';

export interface ColumnSpec {
  readonly name: string;
  cell(item: JsonObject): Cell;
}

export interface ColumnSet {
  /** Every column the command accepts; `help` lists them alphabetically. */
  readonly columns: readonly ColumnSpec[];
  /** Printed when no column is named. */
  readonly defaults: readonly string[];
}

/** A column that is the API object's field of the same name (or another path). */
export function fieldColumn(name: string, ...path: readonly string[]): ColumnSpec {
  const at = path.length > 0 ? path : [name];
  return { name, cell: (item) => plainCell(field(item, ...at)) };
}

export function column(name: string, cell: (item: JsonObject) => Cell): ColumnSpec {
  return { name, cell };
}

/** Column arguments as rabbitmqctl reads them: separate words, or a comma-separated list. */
export function requestedColumns(args: readonly string[]): string[] {
  return args.flatMap((a) => a.split(',')).map((c) => c.trim()).filter((c) => c !== '');
}

/** Throws rabbitmqctl's "Info key(s) ... are not supported" for unknown columns. */
export function checkColumns(set: ColumnSet, args: readonly string[]): void {
  const known = new Set(set.columns.map((c) => c.name));
  const unknown = requestedColumns(args).filter((c) => !known.has(c));
  if (unknown.length > 0) throw new ArgumentError(`Info key(s) ${unknown.join(',')} are not supported`);
}

export function columnNames(set: ColumnSet): string {
  return set.columns.map((c) => c.name).sort().join(', ');
}

/** The header and rows for these items, in the columns asked for (or the defaults). */
export function tabulate(set: ColumnSet, args: readonly string[], items: readonly JsonObject[]): { columns: string[]; rows: Cell[][] } {
  const requested = requestedColumns(args);
  const names = requested.length > 0 ? requested : [...set.defaults];
  const specs = names.map((n) => set.columns.find((c) => c.name === n)!);
  return { columns: names, rows: items.map((item) => specs.map((s) => s.cell(item))) };
}

export interface ListingCommandSpec {
  readonly name: string;
  readonly group?: CommandGroup;
  /** The help summary; the description is the summary with a full stop. */
  readonly summary: string;
  readonly usage: string;
  readonly columns: ColumnSet;
  /** Documented after <column>. */
  readonly moreArguments?: readonly (readonly [string, string])[];
  readonly options?: readonly string[];
  readonly guides?: readonly string[];
  /** The informational lines before the table ("Listing queues for vhost / ..."). */
  banner(ctx: CommandContext): readonly string[];
  items(ctx: CommandContext): Promise<JsonObject[]>;
}

/** A `list_*` command: optional column arguments, a banner, one row per API object. */
export function listingCommand(spec: ListingCommandSpec): Command {
  return {
    name: spec.name,
    group: spec.group ?? 'Monitoring, observability and health checks',
    minArgs: 0,
    maxArgs: Infinity,
    listing: true,
    ...(spec.options !== undefined ? { options: spec.options } : {}),
    doc: {
      usage: spec.usage,
      summary: spec.summary,
      description: `${spec.summary}.`,
      arguments: [['<column>', `must be one of ${columnNames(spec.columns)}`], ...(spec.moreArguments ?? [])],
      ...(spec.guides !== undefined ? { guides: spec.guides } : {}),
    },
    check: (args) => checkColumns(spec.columns, args),
    async run(ctx) {
      for (const line of spec.banner(ctx)) ctx.out.info(line);
      const { columns, rows } = tabulate(spec.columns, ctx.args, await spec.items(ctx));
      ctx.out.list(columns, rows);
    },
  };
}

/** The usage of list commands scoped to a vhost. */
export const VHOST_LISTING_USAGE = '[--vhost <vhost>] [--no-table-headers] [<column> ...] [--timeout <timeout>]';
