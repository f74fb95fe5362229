/** export_definitions, import_definitions: the broker's topology as RabbitMQ's definitions JSON. */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from '../command.js';
import { ArgumentError, failure } from '../errors.js';
import { errorReason } from '../broker-api.js';
import { EXIT_DATA_ERROR, EXIT_UNAVAILABLE } from '../exit-codes.js';
import type { JsonValue } from '../json.js';
import { isJsonObject } from '../json.js';

const GUIDES = ['definitions'];

/** JSON with every object's keys in order, compact, as rabbitmqctl writes definitions. */
export function sortedJson(value: JsonValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (!isJsonObject(value)) return `[${value.map((v: JsonValue) => sortedJson(v)).join(',')}]`;
  const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${sortedJson(v)}`).join(',')}}`;
}

function checkFormat(format: string | true | undefined): void {
  if (format !== undefined && format !== 'json') throw new ArgumentError(`Bad argument: format '${String(format)}' is not supported; Warren reads and writes JSON only`, EXIT_DATA_ERROR);
}

export const exportDefinitions: Command = {
  name: 'export_definitions',
  group: 'Definitions',
  minArgs: 1,
  maxArgs: 1,
  options: ['format'],
  doc: {
    usage: '<file_path | "-"> [--format <json | erlang>] [--timeout <timeout>]',
    summary: 'Exports definitions in JSON or compressed Erlang Term Format.',
    description: 'Exports definitions in JSON or compressed Erlang Term Format..',
    arguments: [
      ['<file>', 'Local file path to export to. Pass a dash (-) for stdout.'],
      ['--format', 'output format to use: json or erlang'],
    ],
    guides: GUIDES,
  },
  check(args) {
    const path = args[0]!;
    if (path !== '-' && !existsSync(dirname(path))) throw new ArgumentError(`Bad argument: Directory ${dirname(path)} does not exist`, EXIT_DATA_ERROR);
  },
  async run(ctx) {
    checkFormat(ctx.options.get('format'));
    const path = ctx.args[0]!;
    if (path !== '-') ctx.out.info(`Exporting definitions in JSON to a file at "${path}" ...`);
    const definitions = await ctx.api.read('/api/definitions');
    const text = sortedJson(definitions);
    if (path === '-') {
      ctx.out.raw(text);
      return;
    }
    try {
      writeFileSync(path, text);
    } catch {
      throw failure(EXIT_DATA_ERROR, `No permissions to write to file ${path} or its parent directory`);
    }
  },
};

export const importDefinitions: Command = {
  name: 'import_definitions',
  group: 'Definitions',
  minArgs: 0,
  maxArgs: 1,
  options: ['format', 'skip-if-unchanged'],
  doc: {
    usage: '<file_path | "-"> [--format <json | erlang>] [--skip-if-unchanged] [--timeout <timeout>]',
    summary: 'Imports definitions in JSON or compressed Erlang Term Format.',
    description: 'Imports definitions in JSON or compressed Erlang Term Format..',
    arguments: [
      ['[file]', 'Local file path to import from. If omitted will be read from standard input'],
      ['--format', 'input format to use: json or erlang'],
      ['--skip-if-unchanged', 'Avoids repetitive definition imports when file contents are unchanged. Target node must be configured accordingly'],
    ],
    guides: GUIDES,
  },
  check(args) {
    const path = args[0];
    if (path !== undefined && path !== '-' && !(existsSync(path) && statSync(path).isFile())) throw new ArgumentError(`Bad argument: File ${path} does not exist`, EXIT_DATA_ERROR);
  },
  async run(ctx) {
    checkFormat(ctx.options.get('format'));
    const path = ctx.args[0];
    const fromStdin = path === undefined || path === '-';
    ctx.out.info(fromStdin ? 'Importing definitions in JSON from standard input ...' : `Importing definitions in JSON from a file at "${path}" ...`);
    let text: string;
    try {
      text = fromStdin ? await ctx.readStdin() : readFileSync(path, 'utf8');
    } catch (err) {
      throw failure(EXIT_DATA_ERROR, `Failed to read input: ${err instanceof Error ? err.message : String(err)}`);
    }
    let definitions: JsonValue;
    try {
      definitions = JSON.parse(text) as JsonValue;
    } catch (err) {
      throw failure(EXIT_DATA_ERROR, `Failed to deserialise input (format: JSON) (error: ${err instanceof Error ? err.message : String(err)})`);
    }
    const response = await ctx.api.change('POST', '/api/definitions', definitions, [400]);
    if (response.status === 400) throw failure(EXIT_UNAVAILABLE, errorReason(response));
    if (ctx.out.json) ctx.out.jsonValue({ node: await ctx.api.nodeName(), result: 'ok' }, false);
    else ctx.out.info('Successfully started definition import. This process is asynchronous and can take some time.');
  },
};
