/**
 * Queues: every queue the user may see (or those of the vhost chosen in the header), one server-side
 * page at a time, with RabbitMQ's columns, and the "Add a new queue" form.
 */
import { useState } from 'preact/hooks';
import { put, seg } from '../api.js';
import { argumentBadges, FeatureBadges, type Badge } from '../components/feature-badges.js';
import { ArgumentsField, DurabilityField, NoYesField } from '../components/declare-fields.js';
import { parseKeyValueLines } from '../components/key-value-lines.js';
import { PagedTable, type Column } from '../components/paged-table.js';
import { QuickLinks } from '../components/quick-links.js';
import { Field, Form, Section, text, useAction } from '../components/ui.js';
import { count, rate } from '../format.js';
import { href } from '../router.js';
import type { MessageStats } from '../stats.js';
import { listPath, useVhost } from '../vhosts.js';
import type { PageProps } from './page.js';

/** The columns of /api/queues the list shows (`columns=` keeps the page's reply small). */
export interface QueueRow {
  readonly name: string;
  readonly vhost: string;
  readonly type?: string;
  readonly durable?: boolean;
  readonly auto_delete?: boolean;
  readonly exclusive?: boolean;
  readonly arguments?: Readonly<Record<string, unknown>>;
  readonly state?: string;
  readonly messages?: number;
  readonly messages_ready?: number;
  readonly messages_unacknowledged?: number;
  readonly message_stats?: MessageStats;
}

const LIST_COLUMNS = [
  'vhost',
  'name',
  'type',
  'durable',
  'auto_delete',
  'exclusive',
  'arguments',
  'state',
  'messages_ready',
  'messages_unacknowledged',
  'messages',
  'message_stats.publish_details.rate',
  'message_stats.deliver_get_details.rate',
  'message_stats.ack_details.rate',
].join(',');

/** RabbitMQ's short names for the arguments it knows (its KNOWN_ARGS), in its order. */
const KNOWN_ARGS: readonly (readonly [string, string])[] = [
  ['alternate-exchange', 'AE'],
  ['x-message-ttl', 'TTL'],
  ['x-expires', 'Exp'],
  ['x-max-length', 'Lim'],
  ['x-max-length-bytes', 'Lim B'],
  ['x-delivery-limit', 'DlL'],
  ['x-overflow', 'Ovfl'],
  ['x-dead-letter-exchange', 'DLX'],
  ['x-dead-letter-routing-key', 'DLK'],
  ['x-queue-master-locator', 'ML'],
  ['x-max-priority', 'Pri'],
  ['x-single-active-consumer', 'SAC'],
];

/** The short feature badges of a queue (D, AD, Excl, TTL, DLX…), each with its full meaning as a tooltip. */
export function Features({ q }: { q: QueueRow }) {
  const badges: Badge[] = [];
  if (q.durable === true) badges.push(['D', 'durable: true']);
  if (q.auto_delete === true) badges.push(['AD', 'auto-delete: true']);
  if (q.exclusive === true) badges.push(['Excl', 'exclusive: true']);
  return <FeatureBadges badges={[...badges, ...argumentBadges(q.arguments ?? {}, KNOWN_ARGS)]} />;
}

function columns(showVhost: boolean): Column<QueueRow>[] {
  const cols: Column<QueueRow>[] = [];
  if (showVhost) cols.push({ label: 'Virtual host', sort: 'vhost', render: (q) => q.vhost });
  cols.push(
    {
      label: 'Name',
      sort: 'name',
      render: (q) => (
        <a href={href('queues', q.vhost, q.name)} data-queue={q.name}>
          {q.name}
        </a>
      ),
    },
    { label: 'Type', sort: 'type', render: (q) => q.type ?? '' },
    { label: 'Features', render: (q) => <Features q={q} /> },
    { label: 'State', sort: 'state', render: (q) => <span class={`state state-${q.state ?? ''}`}>{q.state ?? ''}</span> },
    { label: 'Ready', sort: 'messages_ready', numeric: true, render: (q) => <span data-col="ready">{count(q.messages_ready)}</span> },
    { label: 'Unacked', sort: 'messages_unacknowledged', numeric: true, render: (q) => <span data-col="unacked">{count(q.messages_unacknowledged)}</span> },
    { label: 'Total', sort: 'messages', numeric: true, render: (q) => <span data-col="total">{count(q.messages)}</span> },
    // Rates need every queue's statistics to sort on: slower with many queues, as in RabbitMQ.
    { label: 'incoming', sort: 'message_stats.publish_details.rate', numeric: true, render: (q) => <span data-col="incoming">{rate(q.message_stats?.publish_details?.rate)}</span> },
    { label: 'deliver / get', sort: 'message_stats.deliver_get_details.rate', numeric: true, render: (q) => <span data-col="deliver">{rate(q.message_stats?.deliver_get_details?.rate)}</span> },
    { label: 'ack', sort: 'message_stats.ack_details.rate', numeric: true, render: (q) => <span data-col="ack">{rate(q.message_stats?.ack_details?.rate)}</span> },
  );
  return cols;
}

export function QueuesPage(_: PageProps) {
  const { vhost, names } = useVhost();
  const [changes, setChanges] = useState(0);
  return (
    <div class="page" data-page="queues">
      <h1>Queues{vhost === '' ? '' : ` in ${vhost}`}</h1>
      <PagedTable<QueueRow>
        id="queues"
        noun="queues"
        path={listPath('queues', vhost)}
        columns={columns(vhost === '')}
        rowKey={(q) => `${seg(q.vhost)}/${seg(q.name)}`}
        extra={{ columns: LIST_COLUMNS }}
        reloadSignal={changes}
      />
      {names.length > 0 && (
        <Section title="Add a new queue" open={false}>
          <AddQueueForm vhosts={names} chosen={vhost} onAdded={() => setChanges((n) => n + 1)} />
        </Section>
      )}
    </div>
  );
}

/** The quick-add links under the arguments, as RabbitMQ's form has them: [label, key, value to prefill]. */
const QUICK_ARGS: readonly (readonly [string, string, string])[] = [
  ['Auto expire', 'x-expires', ''],
  ['Message TTL', 'x-message-ttl', ''],
  ['Overflow behaviour', 'x-overflow', 'reject-publish'],
  ['Single active consumer', 'x-single-active-consumer', 'true'],
  ['Dead letter exchange', 'x-dead-letter-exchange', ''],
  ['Dead letter routing key', 'x-dead-letter-routing-key', ''],
  ['Max length', 'x-max-length', ''],
  ['Max length bytes', 'x-max-length-bytes', ''],
  ['Maximum priority', 'x-max-priority', ''],
  ['Lazy mode', 'x-queue-mode', 'lazy'],
];

/** Arguments whose values are numbers (RabbitMQ's form sends them as numbers, and the broker wants integers). */
const NUMERIC_ARGS = new Set(['x-message-ttl', 'x-expires', 'x-max-length', 'x-max-length-bytes', 'x-max-priority', 'x-delivery-limit', 'x-queue-version']);
const BOOLEAN_ARGS = new Set(['x-single-active-consumer']);

/**
 * A queue argument's value: the numeric arguments RabbitMQ knows as numbers, its boolean ones as
 * booleans, anything else as a string (RabbitMQ's form defaults to String).
 */
function queueArgumentValue(key: string, value: string): string | number | boolean {
  if (NUMERIC_ARGS.has(key)) {
    if (!/^-?\d+$/.test(value)) throw new Error(`Argument ${key} must be a whole number, not "${value}"`);
    return Number(value);
  }
  if (BOOLEAN_ARGS.has(key)) {
    if (value !== 'true' && value !== 'false') throw new Error(`Argument ${key} must be true or false, not "${value}"`);
    return value === 'true';
  }
  return value;
}

function AddQueueForm({ vhosts, chosen, onAdded }: { vhosts: readonly string[]; chosen: string; onAdded: () => void }) {
  const action = useAction();
  const [args, setArgs] = useState('');
  /** Sets the key's line (replacing one already there). */
  const addArg = (key: string, value: string): void => {
    const lines = args.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith(`${key}=`));
    setArgs([...lines, `${key}=${value}`].join('\n'));
  };
  return (
    <Form
      name="add-queue"
      submit="Add queue"
      action={action}
      onSubmit={async (data, form) => {
        const name = text(data, 'name').trim();
        if (name === '') throw new Error('The queue needs a name');
        const vhost = text(data, 'vhost');
        const body = {
          durable: text(data, 'durable') === 'true',
          auto_delete: text(data, 'auto_delete') === 'true',
          arguments: parseKeyValueLines(args, 'Argument', queueArgumentValue),
        };
        await put(`queues/${seg(vhost)}/${seg(name)}`, body);
        form.reset();
        setArgs('');
        onAdded();
        return `Queue ${name} added.`;
      }}
    >
      <Field label="Virtual host">
        <select name="vhost" key={chosen}>
          {vhosts.map((v) => (
            <option key={v} value={v} selected={v === (chosen === '' ? vhosts[0] : chosen)}>
              {v}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Type">
        <select name="queuetype">
          <option value="classic">Classic</option>
        </select>
      </Field>
      <Field label="Name">
        <input name="name" required size={40} />
      </Field>
      <DurabilityField />
      <NoYesField label="Auto delete" name="auto_delete" />
      <ArgumentsField value={args} onChange={setArgs} rows={3}>
        <QuickLinks
          class="quick-args"
          links={QUICK_ARGS.map(([label, key, value]) => ({ label, attributes: { 'data-arg': key, title: key }, onClick: () => addArg(key, value) }))}
        />
      </ArgumentsField>
    </Form>
  );
}
