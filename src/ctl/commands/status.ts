/** status: the node's runtime, alarms, memory, disk, totals and listeners, from /api/overview and /api/nodes. */
import type { Command, CommandContext } from '../command.js';
import { ArgumentError } from '../errors.js';
import type { JsonObject, JsonValue } from '../json.js';
import { field, jsonObjects, stringField } from '../json.js';
import { apiPath } from '../management-client.js';

const UNITS: Readonly<Record<string, { readonly divisor: number; readonly suffix: string }>> = {
  bytes: { divisor: 1, suffix: 'bytes' },
  mb: { divisor: 1e6, suffix: 'mb' },
  gb: { divisor: 1e9, suffix: 'gb' },
};

const PURPOSES: Readonly<Record<string, string>> = {
  amqp: 'AMQP 0-9-1',
  'amqp/ssl': 'AMQP 0-9-1 over TLS',
  http: 'HTTP API',
  https: 'HTTP API over TLS (HTTPS)',
  prometheus: 'Prometheus exporter API over HTTP',
  clustering: 'inter-node and CLI tool communication',
};

const bold = (title: string) => `\u001b[1m${title}\u001b[0m`;

function num(object: JsonObject, ...path: readonly string[]): number | undefined {
  const v = field(object, ...path);
  return typeof v === 'number' ? v : typeof v === 'string' && v !== '' && !Number.isNaN(Number(v)) ? Number(v) : undefined;
}

interface StatusFacts {
  readonly node: string;
  readonly overview: JsonObject;
  readonly nodeInfo: JsonObject;
  readonly vhostCount: number;
}

async function gatherFacts(ctx: CommandContext): Promise<StatusFacts> {
  const overview = (await ctx.api.object('/api/overview')) ?? {};
  const node = stringField(overview, 'node') ?? 'warren@localhost';
  const nodeInfo = (await ctx.api.object(apiPath('nodes', node))) ?? (await ctx.api.list('/api/nodes'))[0] ?? {};
  const vhostCount = (await ctx.api.list('/api/vhosts')).length;
  return { node, overview, nodeInfo, vhostCount };
}

function listeners(facts: StatusFacts): { interface: string; port: number; protocol: string; purpose: string }[] {
  return jsonObjects(field(facts.overview, 'listeners')).map((l) => {
    const ip = stringField(l, 'ip_address') ?? '';
    const protocol = stringField(l, 'protocol') ?? '';
    return { interface: ip.includes(':') ? `[${ip}]` : ip, port: num(l, 'port') ?? 0, protocol, purpose: PURPOSES[protocol] ?? protocol };
  });
}

function alarms(facts: StatusFacts): string[] {
  const found: string[] = [];
  if (field(facts.nodeInfo, 'mem_alarm') === true) found.push(`Memory alarm on node ${facts.node}`);
  if (field(facts.nodeInfo, 'disk_free_alarm') === true) found.push(`Free disk space alarm on node ${facts.node}`);
  return found;
}

function statusText(facts: StatusFacts, unit: { divisor: number; suffix: string }): string {
  const { overview, nodeInfo } = facts;
  const amount = (n: number | undefined) => (n === undefined ? 'unknown' : `${unit.divisor === 1 ? n : Math.round((n / unit.divisor) * 1e4) / 1e4} ${unit.suffix}`);
  const lines = [`Status of node ${facts.node} ...`, bold('Runtime'), ''];
  const runtime: [string, JsonValue | undefined][] = [
    ['OS PID', field(nodeInfo, 'os_pid')],
    ['OS', field(nodeInfo, 'os') ?? 'Linux'],
    ['Uptime (seconds)', (num(nodeInfo, 'uptime') ?? 0) === 0 ? undefined : Math.floor((num(nodeInfo, 'uptime') ?? 0) / 1000)],
    ['Is under maintenance?', false],
    ['RabbitMQ version', field(overview, 'rabbitmq_version')],
    ['Product name', field(overview, 'product_name')],
    ['Product version', field(overview, 'product_version')],
    ['Node name', facts.node],
    ['Runtime', field(overview, 'erlang_full_version') ?? field(overview, 'erlang_version')],
  ];
  for (const [label, value] of runtime) if (value !== undefined && value !== null) lines.push(`${label}: ${String(value)}`);
  const alarmLines = alarms(facts);
  lines.push('', bold('Alarms'), '', ...(alarmLines.length === 0 ? ['(none)'] : alarmLines));
  lines.push('', bold('Memory'), '', `Total memory used: ${amount(num(nodeInfo, 'mem_used'))}`, `Memory high watermark setting: computed to: ${amount(num(nodeInfo, 'mem_limit'))}`);
  lines.push('', bold('File Descriptors'), '', `Total: ${num(nodeInfo, 'fd_used') ?? 'unknown'}, limit: ${num(nodeInfo, 'fd_total') ?? 'unknown'}`, `Sockets: ${num(nodeInfo, 'sockets_used') ?? 'unknown'}, limit: ${num(nodeInfo, 'sockets_total') ?? 'unknown'}`);
  lines.push('', bold('Free Disk Space'), '', `Low free disk space watermark: ${amount(num(nodeInfo, 'disk_free_limit'))}`, `Free disk space: ${amount(num(nodeInfo, 'disk_free'))}`);
  lines.push('', bold('Totals'), '', `Connection count: ${num(overview, 'object_totals', 'connections') ?? 0}`, `Queue count: ${num(overview, 'object_totals', 'queues') ?? 0}`, `Virtual host count: ${facts.vhostCount}`);
  lines.push('', bold('Listeners'), '', ...listeners(facts).map((l) => `Interface: ${l.interface}, port: ${l.port}, protocol: ${l.protocol}, purpose: ${l.purpose}`));
  return lines.join('\n') + '\n';
}

/** The keys of rabbitmqctl's `status --formatter json` that the management API can fill. */
function statusJson(facts: StatusFacts): JsonObject {
  const { overview, nodeInfo } = facts;
  const optional = (key: string, value: JsonValue | undefined): JsonObject => (value === undefined ? {} : { [key]: value });
  return {
    alarms: alarms(facts),
    ...optional('disk_free', num(nodeInfo, 'disk_free')),
    ...optional('disk_free_limit', num(nodeInfo, 'disk_free_limit')),
    file_descriptors: {
      ...optional('sockets_limit', num(nodeInfo, 'sockets_total')),
      ...optional('sockets_used', num(nodeInfo, 'sockets_used')),
      ...optional('total_limit', num(nodeInfo, 'fd_total')),
      ...optional('total_used', num(nodeInfo, 'fd_used')),
    },
    is_under_maintenance: false,
    listeners: listeners(facts).map((l) => ({ interface: l.interface, node: facts.node, port: l.port, protocol: l.protocol, purpose: l.purpose })),
    memory: { ...optional('total', num(nodeInfo, 'mem_used')) },
    os: stringField(nodeInfo, 'os') ?? 'Linux',
    ...optional('pid', num(nodeInfo, 'os_pid')),
    ...optional('rabbitmq_version', field(overview, 'rabbitmq_version')),
    ...optional('product_name', field(overview, 'product_name')),
    ...optional('product_version', field(overview, 'product_version')),
    totals: { virtual_host_count: facts.vhostCount, connection_count: num(overview, 'object_totals', 'connections') ?? 0, queue_count: num(overview, 'object_totals', 'queues') ?? 0 },
    ...optional('uptime', num(nodeInfo, 'uptime') === undefined ? undefined : Math.floor((num(nodeInfo, 'uptime') ?? 0) / 1000)),
    ...optional('vm_memory_high_watermark_limit', num(nodeInfo, 'mem_limit')),
  };
}

export const status: Command = {
  name: 'status',
  group: 'Monitoring, observability and health checks',
  minArgs: 0,
  maxArgs: 0,
  options: ['unit'],
  doc: {
    usage: '[--unit <unit>] [--timeout <timeout>]',
    summary: 'Displays status of a node',
    description: 'Displays status of a node.',
    arguments: [
      ['--unit <bytes | mb | gb>', 'byte multiple (bytes, megabytes, gigabytes) to use'],
      ['--formatter <json | erlang>', 'alternative formatter (JSON, Erlang terms)'],
    ],
    guides: ['monitoring'],
  },
  async run(ctx) {
    const unitName = ctx.options.get('unit');
    const unit = UNITS[typeof unitName === 'string' ? unitName.toLowerCase() : 'gb'];
    if (unit === undefined) throw new ArgumentError(`unit '${String(unitName)}' is not supported; use bytes, mb or gb`);
    const facts = await gatherFacts(ctx);
    if (ctx.out.json) ctx.out.jsonValue(statusJson(facts));
    else if (ctx.out.settings.quiet) ctx.out.raw(statusText(facts, unit).split('\n').slice(1).join('\n'));
    else ctx.out.raw(statusText(facts, unit));
  },
};
