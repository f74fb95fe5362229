/**
 * Exchanges: every exchange of the chosen virtual host (or of all), paginated, sortable and
 * filterable by the API, with features as RabbitMQ's badges (D, AD, I, AE…) and the publish rates
 * in and out; and the "Add a new exchange" form (PUT /api/exchanges/{vhost}/{name}).
 */
import { useState } from 'preact/hooks';
import { put, seg } from '../api.js';
import { argumentBadges, FeatureBadges, type Badge } from '../components/feature-badges.js';
import { ArgumentsField, DurabilityField, NoYesField } from '../components/declare-fields.js';
import { parseKeyValueLines } from '../components/key-value-lines.js';
import { Options } from '../components/options.js';
import { PagedTable, type Column } from '../components/paged-table.js';
import { QuickLinks } from '../components/quick-links.js';
import { Field, Form, Section, text, useAction } from '../components/ui.js';
import { rate } from '../format.js';
import { href } from '../router.js';
import type { MessageStats } from '../stats.js';
import { listPath, useVhost } from '../vhosts.js';
import type { PageProps } from './page.js';

export interface ExchangeRow {
  readonly name: string;
  readonly vhost: string;
  readonly type: string;
  readonly durable: boolean;
  readonly auto_delete: boolean;
  readonly internal: boolean;
  readonly arguments: Readonly<Record<string, unknown>>;
  readonly message_stats?: MessageStats;
}

export const EXCHANGE_TYPES = ['direct', 'fanout', 'topic', 'headers'] as const;

/** The default exchange's name in links and API paths, as RabbitMQ's UI has it. */
export const DEFAULT_EXCHANGE = 'amq.default';

/** The name to put in a route or API path: the default exchange ('') is `amq.default`. */
export function exchangeSegment(name: string): string {
  return name === '' ? DEFAULT_EXCHANGE : name;
}

/** The name to show: the default exchange is "(AMQP default)". */
export function exchangeLabel(name: string): string {
  return name === '' || name === DEFAULT_EXCHANGE ? '(AMQP default)' : name;
}

/** Exchanges the broker declares itself: they cannot be deleted. */
export function isSystemExchange(name: string): boolean {
  return name === '' || name.startsWith('amq.');
}

/** Short names of the arguments RabbitMQ's UI knows for exchanges. */
const KNOWN_ARGUMENTS: readonly (readonly [string, string])[] = [['alternate-exchange', 'AE']];

/** RabbitMQ's feature badges: D durable, AD auto-delete, I internal, then the arguments. */
export function ExchangeFeatures({ x }: { x: Pick<ExchangeRow, 'durable' | 'auto_delete' | 'internal' | 'arguments'> }) {
  const badges: Badge[] = [];
  if (x.durable) badges.push(['D', 'durable: true']);
  if (x.auto_delete) badges.push(['AD', 'auto-delete: true']);
  if (x.internal) badges.push(['I', 'internal: true']);
  return <FeatureBadges badges={[...badges, ...argumentBadges(x.arguments, KNOWN_ARGUMENTS)]} />;
}

export function ExchangesPage(_: PageProps) {
  const { vhost } = useVhost();
  const [changed, setChanged] = useState(0);
  const columns: Column<ExchangeRow>[] = [
    ...(vhost === '' ? [{ label: 'Virtual host', sort: 'vhost', render: (x: ExchangeRow) => x.vhost }] : []),
    {
      label: 'Name',
      sort: 'name',
      render: (x) => (
        <a href={href('exchanges', x.vhost, exchangeSegment(x.name))} data-exchange={x.name}>
          {exchangeLabel(x.name)}
        </a>
      ),
    },
    { label: 'Type', sort: 'type', render: (x) => x.type },
    { label: 'Features', render: (x) => <ExchangeFeatures x={x} /> },
    {
      label: 'Message rate in',
      sort: 'message_stats.publish_in_details.rate',
      numeric: true,
      render: (x) => rate(x.message_stats?.publish_in_details?.rate),
    },
    {
      label: 'Message rate out',
      sort: 'message_stats.publish_out_details.rate',
      numeric: true,
      render: (x) => rate(x.message_stats?.publish_out_details?.rate),
    },
  ];
  return (
    <div class="page" data-page="exchanges">
      <h1>Exchanges</h1>
      <PagedTable<ExchangeRow>
        id="exchanges"
        noun="exchanges"
        path={listPath('exchanges', vhost)}
        columns={columns}
        rowKey={(x) => `${x.vhost}/${x.name}`}
        reloadSignal={changed}
      />
      <Section title="Add a new exchange" open={false}>
        <AddExchange onAdded={() => setChanged((n) => n + 1)} />
      </Section>
    </div>
  );
}

function AddExchange({ onAdded }: { onAdded: () => void }) {
  const { vhost, names } = useVhost();
  const action = useAction();
  const [args, setArgs] = useState('');
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const target = chosen !== undefined && names.includes(chosen) ? chosen : vhost !== '' ? vhost : names.includes('/') ? '/' : (names[0] ?? '/');
  return (
    <Form
      name="add-exchange"
      submit="Add exchange"
      action={action}
      onSubmit={async (data, form) => {
        const name = text(data, 'name').trim();
        if (name === '') throw new Error('An exchange needs a name');
        const v = target;
        await put(`exchanges/${seg(v)}/${seg(name)}`, {
          type: text(data, 'type'),
          durable: text(data, 'durable') === 'true',
          auto_delete: text(data, 'auto_delete') === 'true',
          internal: text(data, 'internal') === 'true',
          arguments: parseKeyValueLines(args, 'Argument'),
        });
        form.reset();
        setArgs('');
        onAdded();
        return `Exchange ${name} declared in virtual host ${v}.`;
      }}
    >
      {names.length > 1 && (
        <Field label="Virtual host">
          <select name="vhost" value={target} onChange={(e) => setChosen(e.currentTarget.value)}>
            <Options choices={names} />
          </select>
        </Field>
      )}
      <Field label="Name">
        <input name="name" required size={40} />
      </Field>
      <Field label="Type">
        <select name="type">
          <Options choices={EXCHANGE_TYPES} />
        </select>
      </Field>
      <DurabilityField />
      <NoYesField label="Auto delete" name="auto_delete" />
      <NoYesField label="Internal" name="internal" />
      <ArgumentsField value={args} onChange={setArgs} rows={2}>
        <QuickLinks
          class="arg-shortcuts"
          links={[
            {
              label: 'Alternate exchange',
              attributes: { 'data-action': 'add-alternate-exchange' },
              // Appended on a line of its own.
              onClick: () => setArgs((a) => (a === '' || a.endsWith('\n') ? a : `${a}\n`) + 'alternate-exchange='),
            },
          ]}
        />
      </ArgumentsField>
    </Form>
  );
}
