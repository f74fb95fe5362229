/**
 * Overview: totals, queued messages and message rates over time, the node's memory and disk, and
 * (administrators) definitions export and import.
 */
import { Chart, historyQuery } from '../components/chart.js';
import { ErrorBox, KeyValues, Loading, Section } from '../components/ui.js';
import { bytes, count } from '../format.js';
import { usePoll } from '../poll.js';
import { isAdministrator, isMonitor, useSession } from '../session.js';
import { Definitions } from '../components/definitions.js';
import { lengthSeries, rateSeries, type Lengths, type MessageStats } from '../stats.js';
import type { PageProps } from './page.js';

interface Overview {
  readonly cluster_name?: string;
  readonly rabbitmq_version?: string;
  readonly product_name?: string;
  readonly product_version?: string;
  readonly node?: string;
  readonly message_stats?: MessageStats;
  readonly queue_totals?: Lengths;
  readonly object_totals?: Readonly<Record<'connections' | 'channels' | 'exchanges' | 'queues' | 'consumers', number>>;
  readonly listeners?: readonly { readonly protocol: string; readonly ip_address: string; readonly port: number }[];
}

interface NodeRow {
  readonly name: string;
  readonly mem_used?: number;
  readonly mem_limit?: number;
  readonly mem_alarm?: boolean;
  readonly disk_free?: number;
  readonly disk_free_limit?: number;
  readonly disk_free_alarm?: boolean;
  readonly fd_used?: number;
  readonly uptime?: number;
}

export function OverviewPage(_: PageProps) {
  const session = useSession();
  const { data, error } = usePoll<Overview>(`overview?${historyQuery()}`);
  const nodes = usePoll<readonly NodeRow[]>(isMonitor(session) ? 'nodes' : null);
  if (error !== undefined) return <ErrorBox error={error} />;
  if (data === undefined) return <Loading />;
  const totals = data.object_totals;
  return (
    <div class="page" data-page="overview">
      <h1>Overview</h1>
      <div class="totals">
        {(['connections', 'channels', 'exchanges', 'queues', 'consumers'] as const).map((k) => (
          <div class="total" key={k} data-total={k}>
            <span class="total-value">{count(totals?.[k] ?? 0)}</span>
            <span class="total-label">{k[0]!.toUpperCase() + k.slice(1)}</span>
          </div>
        ))}
      </div>
      <div class="charts">
        <Chart title="Queued messages" kind="lengths" series={lengthSeries(data.queue_totals)} />
        <Chart title="Message rates" kind="rates" series={rateSeries(data.message_stats, true)} />
      </div>
      {nodes.data !== undefined && (
        <Section title="Node">
          <table class="list">
            <thead>
              <tr>
                <th>Name</th>
                <th class="num">Memory</th>
                <th class="num">Memory limit</th>
                <th class="num">Disk free</th>
                <th class="num">Disk free limit</th>
                <th class="num">File descriptors</th>
                <th class="num">Uptime</th>
              </tr>
            </thead>
            <tbody>
              {nodes.data.map((n) => (
                <tr key={n.name}>
                  <td>{n.name}</td>
                  <td class={`num ${n.mem_alarm === true ? 'alarm' : ''}`}>{bytes(n.mem_used)}</td>
                  <td class="num">{bytes(n.mem_limit)}</td>
                  <td class={`num ${n.disk_free_alarm === true ? 'alarm' : ''}`}>{bytes(n.disk_free)}</td>
                  <td class="num">{bytes(n.disk_free_limit)}</td>
                  <td class="num">{count(n.fd_used)}</td>
                  <td class="num">{n.uptime === undefined ? '' : `${Math.floor(n.uptime / 60000)} min`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
      )}
      {isAdministrator(session) && (
        <Section title="Export and import definitions" open={false}>
          <Definitions />
        </Section>
      )}
      <Section title="Broker">
        <KeyValues
          rows={[
            ['Cluster', data.cluster_name ?? ''],
            ['Product', `${data.product_name ?? 'Warren'} ${data.product_version ?? ''}`],
            ['RabbitMQ API', data.rabbitmq_version ?? ''],
            ['Listeners', (data.listeners ?? []).map((l) => `${l.protocol} ${l.ip_address}:${l.port}`).join(', ')],
          ]}
        />
      </Section>
    </div>
  );
}
