/**
 * One channel (`#/channels/<name>`): its message rates over time (publish, confirm, deliver/get,
 * redelivered, ack), its details (connection, mode, prefetch, unacked…), the consumers on it with
 * links to their queues, and, since RabbitMQ's API cannot close a single channel, a button to
 * close the channel's whole connection.
 */
import { useState } from 'preact/hooks';
import { seg } from '../api.js';
import { Chart, historyQuery } from '../components/chart.js';
import { ActionResult, GoneOrError, KeyValues, Loading, Section, useAction } from '../components/ui.js';
import { argText, count, yesNo } from '../format.js';
import { usePoll } from '../poll.js';
import { href } from '../router.js';
import { isAdministrator, useSession } from '../session.js';
import { rateSeries } from '../stats.js';
import { prefetchText, type ChannelRow } from './channels.js';
import { CloseConnection } from './connection.js';
import type { PageProps } from './page.js';

interface ConsumerRow {
  readonly consumer_tag: string;
  readonly queue: { readonly name: string; readonly vhost: string };
  readonly ack_required: boolean;
  readonly exclusive: boolean;
  readonly prefetch_count: number;
  readonly active?: boolean;
  readonly arguments: Readonly<Record<string, unknown>>;
}

interface ChannelDetail extends ChannelRow {
  readonly consumer_details?: readonly ConsumerRow[];
}

export function ChannelPage({ args }: PageProps) {
  const name = args.join('/');
  const session = useSession();
  const close = useAction();
  const [closed, setClosed] = useState(false);
  const { data, error, reload } = usePoll<ChannelDetail>(`channels/${seg(name)}?${historyQuery()}`);
  const head = (
    <h1>
      Channel <span class="mono">{name}</span>
    </h1>
  );
  if (error !== undefined) {
    return (
      <div class="page" data-page="channel">
        {head}
        <ActionResult action={close} />
        <GoneOrError error={error}>
          This channel is closed{closed ? ' (its connection was closed)' : ''}: it no longer exists. <a href={href('channels')}>All channels</a>
        </GoneOrError>
      </div>
    );
  }
  if (data === undefined) return <Loading />;
  const connection = data.connection_details?.name ?? '';
  const consumers = data.consumer_details ?? [];
  return (
    <div class="page" data-page="channel" data-state={data.state}>
      {head}
      <div class="charts">
        <Chart title="Message rates" kind="rates" series={rateSeries(data.message_stats, true)} />
        <Section title="Details">
          <KeyValues
            rows={[
              [
                'Connection',
                <a href={href('connections', connection)} data-connection={connection}>
                  {connection}
                </a>,
              ],
              ['Channel number', String(data.number)],
              ['User', data.user],
              ['Virtual host', data.vhost],
              ['State', <span class={`state state-${data.state}`}>{data.state}</span>],
              ['Confirm mode', yesNo(data.confirm)],
              ['Transactional', yesNo(data.transactional)],
              ['Prefetch count', <span data-field="prefetch">{prefetchText(data) || '0 (unlimited)'}</span>],
              ['Unacked', count(data.messages_unacknowledged)],
              ['Unconfirmed', count(data.messages_unconfirmed)],
              ...(data.transactional
                ? ([
                    ['Uncommitted messages', count(data.messages_uncommitted)],
                    ['Uncommitted acks', count(data.acks_uncommitted)],
                  ] as const)
                : []),
              ['Idle since', data.idle_since ?? ''],
            ]}
          />
        </Section>
      </div>
      <Section title={`Consumers (${consumers.length})`}>
        <table class="list" data-consumers>
          <thead>
            <tr>
              <th>Consumer tag</th>
              <th>Queue</th>
              <th>Ack required</th>
              <th>Exclusive</th>
              <th class="num">Prefetch count</th>
              <th>Arguments</th>
            </tr>
          </thead>
          <tbody>
            {consumers.map((c) => (
              <tr key={c.consumer_tag} data-row={c.consumer_tag}>
                <td>{c.consumer_tag}</td>
                <td>
                  <a href={href('queues', c.queue.vhost, c.queue.name)} data-queue={c.queue.name}>
                    {c.queue.name}
                  </a>
                </td>
                <td>{c.ack_required ? '●' : '○'}</td>
                <td>{c.exclusive ? '●' : '○'}</td>
                <td class="num">{count(c.prefetch_count)}</td>
                <td>
                  {Object.entries(c.arguments)
                    .map(([k, v]) => `${k}=${argText(v)}`)
                    .join(', ')}
                </td>
              </tr>
            ))}
            {consumers.length === 0 && (
              <tr>
                <td colSpan={6} class="empty">
                  No consumers
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </Section>
      {(isAdministrator(session) || data.user === session.user) && connection !== '' && (
        <Section title="Close this channel's connection">
          <p class="explain">
            AMQP 0-9-1 and RabbitMQ's management API cannot close a single channel: this closes the whole connection <span class="mono">{connection}</span>{' '}
            and every channel on it.
          </p>
          <CloseConnection
            name={connection}
            action={close}
            label="Close connection"
            onClosed={() => {
              setClosed(true);
              reload();
            }}
          />
        </Section>
      )}
    </div>
  );
}
