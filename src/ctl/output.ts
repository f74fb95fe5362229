/**
 * Where a command's results go, shaped by --formatter, -q/--quiet, -s/--silent and
 * --no-table-headers exactly as rabbitmqctl shapes them.
 */
import type { Cell } from './cells.js';
import type { JsonValue } from './json.js';

export const FORMATTERS = ['table', 'json', 'csv'] as const;
export type FormatterName = (typeof FORMATTERS)[number];

export function isFormatterName(name: string): name is FormatterName {
  return (FORMATTERS as readonly string[]).includes(name);
}

export interface OutputSettings {
  readonly formatter: FormatterName;
  /** -q / --quiet (or -s): no informational lines ("Listing users ..."). */
  readonly quiet: boolean;
  /** False with --no-table-headers (or -s). */
  readonly tableHeaders: boolean;
}

function csvField(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

/** rabbitmqctl's JSON list: one object per line, commas leading, `[` and `]` on their own lines. */
export function jsonListText(columns: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const lines = rows.map((row, i) => {
    const entry: Record<string, JsonValue> = {};
    columns.forEach((c, j) => {
      entry[c] = row[j]?.json ?? '';
    });
    return (i === 0 ? '' : ',') + JSON.stringify(entry);
  });
  return ['[', ...lines, ']'].join('\n') + '\n';
}

export class Output {
  constructor(
    readonly settings: OutputSettings,
    private readonly write: (text: string) => void,
  ) {}

  get json(): boolean {
    return this.settings.formatter === 'json';
  }

  /** An informational line: only for the table formatter, and not with -q. */
  info(line: string): void {
    if (this.settings.formatter === 'table' && !this.settings.quiet) this.write(line + '\n');
  }

  /** A line that is part of the result (e.g. "Success"): printed even with -q, not in JSON. */
  result(line: string): void {
    if (!this.json) this.write(line + '\n');
  }

  /** A JSON document on one line. */
  jsonValue(value: JsonValue, newline = true): void {
    this.write(JSON.stringify(value) + (newline ? '\n' : ''));
  }

  /** Text exactly as given (an exported definitions file on stdout). */
  raw(text: string): void {
    this.write(text);
  }

  /** A listing; as rabbitmqctl, an empty table has no header row. */
  list(columns: readonly string[], rows: readonly (readonly Cell[])[]): void {
    switch (this.settings.formatter) {
      case 'json':
        this.write(jsonListText(columns, rows));
        return;
      case 'csv':
        if (rows.length === 0) return;
        this.write([columns, ...rows.map((r) => r.map((c) => c.text))].map((r) => r.map(csvField).join(',')).join('\n') + '\n');
        return;
      case 'table': {
        const lines = rows.map((r) => r.map((c) => c.text).join('\t'));
        if (lines.length > 0 && this.settings.tableHeaders) lines.unshift(columns.join('\t'));
        if (lines.length > 0) this.write(lines.join('\n') + '\n');
      }
    }
  }
}
