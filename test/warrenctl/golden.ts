/**
 * Golden outputs (what rabbitmqctl printed, recorded by record-golden.ts) and the comparison of
 * a warrenctl run with them. Before comparing, RabbitMQ-specific text is mapped to warrenctl's
 * (the usage prefix names --data-dir/--url instead of --node/--longnames), RabbitMQ's leaked log
 * lines are dropped, and per step: rows sorted, volatile columns masked, RabbitMQ-only rows dropped.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Comparison, CtlStep } from './scenario.js';
import type { CtlResult } from './scenario-runner.js';
import { fillPlaceholders } from './scenario-runner.js';

export const GOLDEN_DIR = fileURLToPath(new URL('../../../test/warrenctl/golden/', import.meta.url));

export interface Golden extends CtlResult {
  readonly args: readonly string[];
}

export function loadGolden(id: string): Golden {
  return JSON.parse(readFileSync(`${GOLDEN_DIR}${id}.json`, 'utf8')) as Golden;
}

/** rabbitmqctl's words for things warrenctl names differently. */
function toWarrenctl(text: string): string {
  return text
    .split('rabbitmqctl [--node <node>] [--longnames] [--quiet]')
    .join('warrenctl [--data-dir <dir>] [--url <url>] [--quiet]')
    .split('rabbitmqctl [--node <node>] [--timeout <timeout>] [--longnames] [--quiet]')
    .join('warrenctl [--data-dir <dir>] [--url <url>] [--timeout <timeout>] [--quiet]')
    .split("'rabbitmqctl help")
    .join("'warrenctl help");
}

/** RabbitMQ 3.10's CLI lets a node log line ("\n03:38:20.324 [warning] ...") through to stderr. */
function withoutLogLines(text: string): string {
  return text.replace(/^\n\d\d:\d\d:\d\d\.\d{3} \[\w+\] [^\n]*\n/, '');
}

/** Node names differ ({node} in goldens, warren@host from Warren). */
function withoutNodeName(text: string): string {
  return text.replace(/"node":"[^"]*"/g, '"node":"{node}"');
}

const MASKED = '*';

function shapeJsonList(text: string, c: Comparison): string {
  const lines = text.split('\n');
  if (lines[0] !== '[' || lines.at(-2) !== ']') return text;
  let entries = lines.slice(1, -2).map((l) => (l.startsWith(',') ? l.slice(1) : l));
  if (c.dropRows !== undefined) entries = entries.filter((e) => !c.dropRows!.test(e));
  entries = entries.map((e) => {
    const entry = JSON.parse(e) as Record<string, unknown>;
    for (const key of c.mask ?? []) if (Object.hasOwn(entry, key)) entry[key] = MASKED;
    return JSON.stringify(entry);
  });
  if (c.sortRows === true) entries.sort();
  return ['[', ...entries.map((e, i) => (i === 0 ? e : ',' + e)), ']', ''].join('\n');
}

function shapeTable(text: string, c: Comparison, hasHeader: boolean): string {
  const lines = text.split('\n');
  const trailing = lines.pop();
  let banners = 0;
  while (banners < lines.length && /^(Timeout: |Listing )/.test(lines[banners]!)) banners++;
  const header = hasHeader && lines.length > banners ? lines[banners]!.split('\t') : [];
  let rows = lines.slice(banners + (header.length > 0 ? 1 : 0));
  if (c.dropRows !== undefined) rows = rows.filter((r) => !c.dropRows!.test(r));
  const maskAt = (c.mask ?? []).map((m) => header.indexOf(m)).filter((i) => i >= 0);
  rows = rows.map((r) => r.split('\t').map((cell, i) => (maskAt.includes(i) ? MASKED : cell)).join('\t'));
  if (c.sortRows === true) rows.sort();
  return [...lines.slice(0, banners + (header.length > 0 ? 1 : 0)), ...rows, trailing ?? ''].join('\n');
}

/** The comparable form of one run's stdout for this step. */
function shapeStdout(text: string, step: CtlStep): string {
  const c = step.compare ?? {};
  if (c.sortRows !== true && c.mask === undefined && c.dropRows === undefined) return text;
  if (text.startsWith('[\n')) return shapeJsonList(text, c);
  const hasHeader = !step.args.some((a) => a === '--no-table-headers' || a === '-s' || a === '--silent');
  return shapeTable(text, c, hasHeader);
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim() !== '') ?? '';
}

function untilGeneralOptions(text: string): string {
  const at = text.indexOf('\u001b[1mGeneral Options');
  return at === -1 ? text : text.slice(0, at);
}

export interface ComparableResult {
  readonly exit: number;
  readonly stdout?: string;
  readonly stderr?: string;
}

/** What of a run is compared for this step, normalised the same way for golden and actual. */
export function comparable(step: CtlStep, result: CtlResult, values: Readonly<Record<string, string>>, fromGolden: boolean): ComparableResult {
  const prepare = (text: string) => withoutNodeName(fromGolden ? withoutLogLines(toWarrenctl(fillPlaceholders(text, values))) : text);
  const stdout = shapeStdout(prepare(result.stdout), step);
  const stderr = prepare(result.stderr);
  switch (step.compare?.scope ?? 'all') {
    case 'all':
      return { exit: result.exit, stdout, stderr };
    case 'stdout':
      return { exit: result.exit, stdout };
    case 'first-line':
      return { exit: result.exit, stdout: firstLine(stdout), stderr: firstLine(stderr) };
    case 'help':
      return { exit: result.exit, stdout: untilGeneralOptions(stdout), stderr };
    case 'exit':
      return { exit: result.exit };
  }
}
