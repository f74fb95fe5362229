/**
 * One queue (`#/queues/<vhost>/<name>`): its queued messages and message rates over time, details,
 * consumers, bindings, and RabbitMQ's forms to publish to it, get messages from it, purge it and
 * delete it.
 */
import { useState } from 'preact/hooks';
import { del, post, query, seg } from '../api.js';
import { Bindings } from '../components/bindings.js';
import { Chart, chartData, chartMax, historyQuery, type ChartProps, type Details } from '../components/chart.js';
import { PublishForm } from '../components/publish-form.js';
import { ConfirmAction, ErrorBox, Field, Form, KeyValues, Loading, Section, text, useAction } from '../components/ui.js';
import { argText, bytes, count, yesNo } from '../format.js';
import { usePoll } from '../poll.js';
import { href, navigate } from '../router.js';
import { lengthSeries, rateSeries } from '../stats.js';
import { Features, type QueueRow } from './queues.js';
import type { PageProps } from './page.js';

interface ConsumerRow {
  readonly consumer_tag: string;
  readonly ack_required: boolean;
  readonly exclusive: boolean;
  readonly prefetch_count: number;
  readonly active?: boolean;
  readonly activity_status?: string;
  readonly arguments: Readonly<Record<string, unknown>>;
  readonly channel_details: { readonly name: string; readonly connection_name?: string };
}

interface QueueDetail extends QueueRow {
  readonly node?: string;
  readonly policy?: string | null;
  readonly consumers?: number;
  readonly consumer_capacity?: number;
  readonly consumer_utilisation?: number | null;
  readonly consumer_details?: readonly ConsumerRow[];
  readonly memory?: number;
  readonly message_bytes?: number;
  readonly message_bytes_ready?: number;
  readonly message_bytes_unacknowledged?: number;
  readonly exclusive_consumer_tag?: string | null;
  readonly single_active_consumer_tag?: string | null;
  readonly owner_pid_details?: { readonly name: string };
  readonly messages_details?: Details;
  readonly messages_ready_details?: Details;
  readonly messages_unacknowledged_details?: Details;
}

/** A message as POST /api/queues/{vhost}/{name}/get returns it. */
interface GotMessage {
  readonly payload: string;
  readonly payload_bytes: number;
  readonly payload_encoding: string;
  readonly redelivered: boolean;
  readonly exchange: string;
  readonly routing_key: string;
  readonly message_count: number;
  readonly properties: Readonly<Record<string, unknown>>;
}

/** A chart in `.chart-peak[data-peak]` (the tests' hook on this page): the chart's own `data-max`. */
function PeakChart(props: ChartProps) {
  return (
    <div class="chart-peak" data-peak={chartMax(chartData(props.kind, props.series))}>
      <Chart {...props} />
    </div>
  );
}

function percent(n: number | null | undefined): string {
  return n === undefined || n === null ? '' : `${Math.round(n * 100)}%`;
}

/** A table of arguments or properties (nested tables as JSON), as RabbitMQ's fmt_table_short. */
function Table({ value }: { value: Readonly<Record<string, unknown>> | undefined }) {
  const entries = Object.entries(value ?? {});
  if (entries.length === 0) return null;
  return (
    <table class="mini">
      <tbody>
        {entries.map(([k, v]) => (
          <tr key={k}>
            <th>{k}:</th>
            <td>
              {v !== null && typeof v === 'object' && !Array.isArray(v) ? (
                Object.keys(v).length === 0 ? (
                  <span class="muted">(empty)</span>
                ) : (
                  <Table value={v as Record<string, unknown>} />
                )
              ) : (
                argText(v)
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function QueuePage({ args }: PageProps) {
  const [vhost = '', name = ''] = args;
  const path = `queues/${seg(vhost)}/${seg(name)}`;
  const { data, error, reload } = usePoll<QueueDetail>(`${path}?${historyQuery()}`);

  const title = (
    <h1>
      Queue <b>{name}</b> <span class="muted">in virtual host {vhost}</span>
    </h1>
  );
  if (error !== undefined && (data === undefined || error.status === 404)) {
    return (
      <div class="page" data-page="queue" data-missing>
        {title}
        <ErrorBox
          error={error.status === 404 ? `Object Not Found: there is no queue ${name} in virtual host ${vhost} (it may have been deleted).` : error}
        />
        <p>
          <a href={href('queues')}>Back to the queues</a>
        </p>
      </div>
    );
  }
  if (data === undefined) return <Loading />;

  const consumers = data.consumer_details ?? [];
  return (
    <div class="page" data-page="queue" data-queue={name}>
      {title}
      {error !== undefined && <ErrorBox error={error} />}
      <div class="charts">
        <PeakChart title="Queued messages" kind="lengths" series={lengthSeries(data)} />
        <PeakChart title="Message rates" kind="rates" series={rateSeries(data.message_stats, false)} />
      </div>

      <Section title="Details">
        <div class="queue-details">
          <KeyValues
            rows={[
              ['Type', data.type ?? 'classic'],
              ['Features', <Features q={data} />],
              ...(Object.keys(data.arguments ?? {}).length > 0 ? [['Arguments', <Table value={data.arguments} />] as const] : []),
              ['Policy', data.policy ?? ''],
              ...(data.owner_pid_details !== undefined
                ? [['Exclusive owner', <a href={href('connections', data.owner_pid_details.name)}>{data.owner_pid_details.name}</a>] as const]
                : []),
              ['Node', data.node ?? ''],
            ]}
          />
          <KeyValues
            rows={[
              ['State', <span class={`state state-${data.state ?? ''}`}>{data.state ?? ''}</span>],
              ['Consumers', <span data-value="consumers">{count(data.consumers ?? consumers.length)}</span>],
              ['Consumer capacity', percent(data.consumer_capacity)],
              ...(data.consumer_utilisation !== undefined && data.consumer_utilisation !== null
                ? [['Consumer utilisation', percent(data.consumer_utilisation)] as const]
                : []),
            ]}
          />
          <table class="kv queue-counts">
            <thead>
              <tr>
                <td />
                <th class="num">Total</th>
                <th class="num">Ready</th>
                <th class="num">Unacked</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <th>Messages</th>
                <td class="num" data-value="messages">{count(data.messages)}</td>
                <td class="num" data-value="messages_ready">{count(data.messages_ready)}</td>
                <td class="num" data-value="messages_unacknowledged">{count(data.messages_unacknowledged)}</td>
              </tr>
              <tr>
                <th>Message body bytes</th>
                <td class="num">{bytes(data.message_bytes)}</td>
                <td class="num">{bytes(data.message_bytes_ready)}</td>
                <td class="num">{bytes(data.message_bytes_unacknowledged)}</td>
              </tr>
              <tr>
                <th>Process memory</th>
                <td class="num">{bytes(data.memory)}</td>
                <td />
                <td />
              </tr>
            </tbody>
          </table>
        </div>
      </Section>

      <Section title={`Consumers (${consumers.length})`}>
        <Consumers consumers={consumers} />
      </Section>

      <Section title="Bindings">
        <Bindings vhost={vhost} of={{ queue: name }} />
      </Section>

      <Section title="Publish message" open={false}>
        <p class="hint">
          Message will be published to the default exchange with routing key <b>{name}</b>, routing it to this queue.
        </p>
        <PublishForm vhost={vhost} exchange="amq.default" routingKey={name} />
      </Section>

      <Section title="Get messages" open={false}>
        <GetMessages path={path} onGot={reload} />
      </Section>

      <Section title="Delete" open={false}>
        <DeleteQueue path={path} vhost={vhost} name={name} />
      </Section>

      <Section title="Purge" open={false}>
        <PurgeQueue path={path} name={name} onPurged={reload} />
      </Section>
    </div>
  );
}

function Consumers({ consumers }: { consumers: readonly ConsumerRow[] }) {
  if (consumers.length === 0) return <p class="empty">... no consumers ...</p>;
  return (
    <table class="list">
      <thead>
        <tr>
          <th>Channel</th>
          <th>Consumer tag</th>
          <th>Ack required</th>
          <th>Exclusive</th>
          <th class="num">Prefetch count</th>
          <th>Active</th>
          <th>Activity status</th>
          <th>Arguments</th>
        </tr>
      </thead>
      <tbody>
        {consumers.map((c) => (
          <tr key={`${c.channel_details.name}|${c.consumer_tag}`} data-consumer={c.consumer_tag}>
            <td>
              <a href={href('channels', c.channel_details.name)}>{c.channel_details.name}</a>
            </td>
            <td>{c.consumer_tag}</td>
            <td>{yesNo(c.ack_required)}</td>
            <td>{yesNo(c.exclusive)}</td>
            <td class="num">{count(c.prefetch_count)}</td>
            <td>{yesNo(c.active)}</td>
            <td>{c.activity_status ?? ''}</td>
            <td>
              <Table value={c.arguments} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function GetMessages({ path, onGot }: { path: string; onGot: () => void }) {
  const action = useAction();
  const [messages, setMessages] = useState<readonly GotMessage[] | undefined>(undefined);
  return (
    <>
      <p class="hint">Warning: getting messages from a queue is a destructive action.</p>
      <Form
        name="get"
        submit="Get Message(s)"
        action={action}
        onSubmit={async (data) => {
          const n = Number(text(data, 'count'));
          if (!Number.isInteger(n) || n < 1) throw new Error('Messages must be a whole number of at least 1');
          setMessages(undefined);
          const got = await post<GotMessage[]>(`${path}/get`, {
            count: n,
            ackmode: text(data, 'ackmode'),
            encoding: text(data, 'encoding'),
            truncate: 50000,
          });
          setMessages(got);
          onGot();
          return got.length === 0 ? 'Queue is empty' : undefined;
        }}
      >
        <Field label="Ack Mode">
          <select name="ackmode">
            <option value="ack_requeue_true">Nack message requeue true</option>
            <option value="ack_requeue_false">Automatic ack</option>
            <option value="reject_requeue_true">Reject requeue true</option>
            <option value="reject_requeue_false">Reject requeue false</option>
          </select>
        </Field>
        <Field label="Encoding">
          <select name="encoding">
            <option value="auto">Auto string / base64</option>
            <option value="base64">base64</option>
          </select>
        </Field>
        <Field label="Messages">
          <input name="count" value="1" size={6} inputMode="numeric" />
        </Field>
      </Form>
      {messages?.map((m, i) => (
        <div class="message-box" key={i} data-message={i + 1}>
          <h3>Message {i + 1}</h3>
          <p>
            The server reported <b data-value="message_count">{count(m.message_count)}</b> messages remaining.
          </p>
          <KeyValues
            rows={[
              ['Exchange', m.exchange === '' ? '(AMQP default)' : m.exchange],
              ['Routing Key', m.routing_key],
              ['Redelivered', <span data-value="redelivered">{yesNo(m.redelivered)}</span>],
              ['Properties', <Table value={m.properties} />],
              [
                'Payload',
                <>
                  <span class="muted" data-value="payload-meta">
                    {count(m.payload_bytes)} bytes, encoding: {m.payload_encoding}
                    {m.payload_bytes > 50000 ? ' (truncated to 50,000 bytes)' : ''}
                  </span>
                  <pre class="payload" data-value="payload">
                    {m.payload}
                  </pre>
                </>,
              ],
            ]}
          />
        </div>
      ))}
    </>
  );
}

function DeleteQueue({ path, vhost, name }: { path: string; vhost: string; name: string }) {
  const [ifEmpty, setIfEmpty] = useState(false);
  const [ifUnused, setIfUnused] = useState(false);
  return (
    <div data-form="delete-queue">
      <label>
        <input type="checkbox" name="if-empty" checked={ifEmpty} onChange={(e) => setIfEmpty(e.currentTarget.checked)} /> Only if empty
      </label>{' '}
      <label>
        <input type="checkbox" name="if-unused" checked={ifUnused} onChange={(e) => setIfUnused(e.currentTarget.checked)} /> Only if unused (no consumers)
      </label>{' '}
      <ConfirmAction
        label="Delete Queue"
        question={`Delete queue ${name} in virtual host ${vhost}?`}
        onConfirm={async () => {
          await del(`${path}${query({ 'if-empty': ifEmpty ? true : undefined, 'if-unused': ifUnused ? true : undefined })}`);
          navigate('queues');
        }}
      />
    </div>
  );
}

function PurgeQueue({ path, name, onPurged }: { path: string; name: string; onPurged: () => void }) {
  return (
    <div data-form="purge-queue">
      <ConfirmAction
        label="Purge Messages"
        question={`Purge all ready messages of queue ${name}? They will be lost.`}
        onConfirm={async () => {
          await del(`${path}/contents`);
          onPurged();
          return 'Queue purged.';
        }}
      />
    </div>
  );
}
