/**
 * Connections: the AMQP connections the user may see (monitoring users and administrators all of
 * them, management users their own: the API filters), of the chosen virtual host or all,
 * paginated, sortable and filterable by the API, with the client's product and the data rates.
 */
import { seg } from '../api.js';
import { PagedTable, type Column } from '../components/paged-table.js';
import type { Details } from '../components/chart.js';
import { byteRate, count } from '../format.js';
import { href } from '../router.js';
import { isMonitor, useSession } from '../session.js';
import { useVhost } from '../vhosts.js';
import type { PageProps } from './page.js';

export interface ClientProperties {
  readonly product?: unknown;
  readonly version?: unknown;
  readonly platform?: unknown;
  readonly information?: unknown;
  readonly connection_name?: unknown;
  readonly capabilities?: Readonly<Record<string, unknown>>;
  readonly [key: string]: unknown;
}

export interface ConnectionRow {
  readonly name: string;
  readonly vhost: string;
  readonly user: string;
  readonly state: string;
  readonly ssl: boolean;
  readonly protocol: string;
  readonly channels: number;
  readonly timeout?: number;
  readonly peer_host?: string;
  readonly peer_port?: number;
  readonly host?: string;
  readonly port?: number;
  readonly user_provided_name?: string;
  readonly client_properties?: ClientProperties;
  readonly recv_oct?: number;
  readonly recv_oct_details?: Details;
  readonly send_oct?: number;
  readonly send_oct_details?: Details;
}

/** "amqplib 0.10.3": the client's product and version from its client properties. */
export function clientOf(c: Pick<ConnectionRow, 'client_properties'>): string {
  const p = c.client_properties;
  const product = typeof p?.product === 'string' ? p.product : '';
  const version = typeof p?.version === 'string' ? p.version : '';
  return `${product} ${version}`.trim();
}

/** The name the client gave its connection (client property connection_name), if any. */
export function providedName(c: Pick<ConnectionRow, 'user_provided_name' | 'client_properties'>): string | undefined {
  if (c.user_provided_name !== undefined) return c.user_provided_name;
  const n = c.client_properties?.connection_name;
  return typeof n === 'string' ? n : undefined;
}

/** RabbitMQ shows the heartbeat timeout in seconds ("60s"), or nothing when it is off. */
export function heartbeat(timeout: number | undefined): string {
  return timeout === undefined ? '' : timeout === 0 ? 'off' : `${timeout}s`;
}

export function ConnectionsPage(_: PageProps) {
  const { vhost } = useVhost();
  const session = useSession();
  const columns: Column<ConnectionRow>[] = [
    ...(vhost === '' ? [{ label: 'Virtual host', sort: 'vhost', render: (c: ConnectionRow) => c.vhost }] : []),
    {
      label: 'Name',
      sort: 'name',
      render: (c) => {
        const given = providedName(c);
        return (
          <>
            <a href={href('connections', c.name)} data-connection={c.name}>
              {c.name}
            </a>
            {given !== undefined && <div class="muted small">{given}</div>}
          </>
        );
      },
    },
    { label: 'User', sort: 'user', render: (c) => c.user },
    { label: 'State', sort: 'state', render: (c) => <span class={`state state-${c.state}`}>{c.state}</span> },
    { label: 'SSL / TLS', sort: 'ssl', render: (c) => (c.ssl ? '●' : '○') },
    { label: 'Protocol', sort: 'protocol', render: (c) => c.protocol },
    { label: 'Channels', sort: 'channels', numeric: true, render: (c) => count(c.channels) },
    { label: 'Client', sort: 'client_properties.product', render: (c) => <span data-client>{clientOf(c)}</span> },
    { label: 'From client', sort: 'recv_oct_details.rate', numeric: true, render: (c) => byteRate(c.recv_oct_details) },
    { label: 'To client', sort: 'send_oct_details.rate', numeric: true, render: (c) => byteRate(c.send_oct_details) },
    { label: 'Heartbeat', sort: 'timeout', numeric: true, render: (c) => heartbeat(c.timeout) },
  ];
  return (
    <div class="page" data-page="connections">
      <h1>Connections</h1>
      {!isMonitor(session) && <p class="explain">Only your own connections are shown.</p>}
      <PagedTable<ConnectionRow> id="connections" noun="connections" path={vhost === '' ? 'connections' : `vhosts/${seg(vhost)}/connections`} columns={columns} rowKey={(c) => c.name} />
    </div>
  );
}
