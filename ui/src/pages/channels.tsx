/**
 * Channels: the channels of the connections the user may see, of the chosen virtual host or all,
 * paginated, sortable and filterable by the API: mode (C confirm, T transactional), state,
 * unconfirmed, prefetch, unacked, consumers and RabbitMQ's message rates (publish, confirm,
 * unroutable dropped, deliver/get, ack). The same table lists a connection's channels.
 */
import { seg } from '../api.js';
import type { Details } from '../components/chart.js';
import { PagedTable, type Column } from '../components/paged-table.js';
import { count, rate } from '../format.js';
import { href } from '../router.js';
import { isMonitor, useSession } from '../session.js';
import type { MessageStats } from '../stats.js';
import { useVhost } from '../vhosts.js';
import type { PageProps } from './page.js';

/** A channel's message_stats: a vhost's counters, counted by the channel. */
export interface ChannelMessageStats extends MessageStats {
  readonly drop_unroutable?: number;
  readonly drop_unroutable_details?: Details;
}

export interface ChannelRow {
  readonly name: string;
  readonly number: number;
  readonly vhost: string;
  readonly user: string;
  readonly state: string;
  readonly confirm: boolean;
  readonly transactional: boolean;
  readonly messages_unconfirmed: number;
  readonly messages_unacknowledged: number;
  readonly messages_uncommitted?: number;
  readonly acks_uncommitted?: number;
  readonly prefetch_count: number;
  readonly global_prefetch_count: number;
  readonly consumer_count: number;
  readonly idle_since?: string;
  readonly connection_details?: { readonly name: string; readonly peer_host?: string; readonly peer_port?: number };
  readonly message_stats?: ChannelMessageStats;
}

type RateKey = 'publish' | 'confirm' | 'drop_unroutable' | 'deliver_get' | 'ack';

/** RabbitMQ's message rate columns of the channels list (empty before the channel's first message). */
const RATES: readonly (readonly [RateKey, string])[] = [
  ['publish', 'publish'],
  ['confirm', 'confirm'],
  ['drop_unroutable', 'unroutable (drop)'],
  ['deliver_get', 'deliver / get'],
  ['ack', 'ack'],
];

function rateColumn([key, label]: readonly [RateKey, string]): Column<ChannelRow> {
  return {
    label,
    // Rates need every channel's statistics to sort on (full rows), as in RabbitMQ.
    sort: `message_stats.${key}_details.rate`,
    numeric: true,
    render: (ch) => <span data-col={key}>{rate(ch.message_stats?.[`${key}_details`]?.rate)}</span>,
  };
}

/** RabbitMQ's mode badges: C for confirm mode, T for transactional. */
export function ChannelMode({ ch }: { ch: Pick<ChannelRow, 'confirm' | 'transactional'> }) {
  return (
    <span class="features" data-mode={`${ch.confirm ? 'C' : ''}${ch.transactional ? 'T' : ''}`}>
      {ch.confirm && (
        <abbr class="feature" title="Confirm mode">
          C
        </abbr>
      )}
      {ch.transactional && (
        <abbr class="feature" title="Transactional">
          T
        </abbr>
      )}
    </span>
  );
}

/** The per-consumer prefetch, and the channel-wide (global) one when set. */
export function prefetchText(ch: Pick<ChannelRow, 'prefetch_count' | 'global_prefetch_count'>): string {
  const own = ch.prefetch_count === 0 ? '' : count(ch.prefetch_count);
  const global = ch.global_prefetch_count === 0 ? '' : `${count(ch.global_prefetch_count)} (global)`;
  return [own, global].filter((s) => s !== '').join(' / ');
}

export function ChannelList({ path, id, withConnection = true }: { path: string; id: string; withConnection?: boolean }) {
  const { vhost } = useVhost();
  const columns: Column<ChannelRow>[] = [
    {
      label: 'Channel',
      sort: 'name',
      render: (ch) => (
        <a href={href('channels', ch.name)} data-channel={ch.name}>
          {withConnection ? ch.name : `Channel ${ch.number}`}
        </a>
      ),
    },
    ...(vhost === '' && withConnection ? [{ label: 'Virtual host', sort: 'vhost', render: (ch: ChannelRow) => ch.vhost }] : []),
    ...(withConnection ? [{ label: 'User', sort: 'user', render: (ch: ChannelRow) => ch.user }] : []),
    { label: 'Mode', render: (ch) => <ChannelMode ch={ch} /> },
    { label: 'State', sort: 'state', render: (ch) => <span class={`state state-${ch.state}`}>{ch.state}</span> },
    { label: 'Unconfirmed', sort: 'messages_unconfirmed', numeric: true, render: (ch) => count(ch.messages_unconfirmed) },
    { label: 'Prefetch', sort: 'prefetch_count', numeric: true, render: (ch) => <span data-prefetch>{prefetchText(ch)}</span> },
    { label: 'Unacked', sort: 'messages_unacknowledged', numeric: true, render: (ch) => count(ch.messages_unacknowledged) },
    { label: 'Consumers', sort: 'consumer_count', numeric: true, render: (ch) => <span data-col="consumers">{count(ch.consumer_count)}</span> },
    ...RATES.map(rateColumn),
  ];
  return <PagedTable<ChannelRow> id={id} noun="channels" path={path} columns={columns} rowKey={(ch) => ch.name} />;
}

export function ChannelsPage(_: PageProps) {
  const { vhost } = useVhost();
  const session = useSession();
  return (
    <div class="page" data-page="channels">
      <h1>Channels</h1>
      {!isMonitor(session) && <p class="explain">Only the channels of your own connections are shown.</p>}
      <ChannelList path={vhost === '' ? 'channels' : `vhosts/${seg(vhost)}/channels`} id="channels" />
    </div>
  );
}
