/**
 * One exchange (`#/exchanges/<vhost>/<name>`, the default exchange as `amq.default`): its message
 * rates in and out over time, type, features and arguments, bindings from and to it, a form to
 * publish through it, and "Delete this exchange" (not offered for the broker's own exchanges,
 * which RabbitMQ refuses to delete).
 */
import { useState } from 'preact/hooks';
import { del, query, seg } from '../api.js';
import { Bindings } from '../components/bindings.js';
import { Chart, historyQuery } from '../components/chart.js';
import { PublishForm } from '../components/publish-form.js';
import { ConfirmAction, ErrorBox, KeyValues, Loading, Section } from '../components/ui.js';
import { argText, rate, yesNo } from '../format.js';
import { usePoll } from '../poll.js';
import { navigate } from '../router.js';
import { COLORS } from '../stats.js';
import { DEFAULT_EXCHANGE, ExchangeFeatures, exchangeLabel, exchangeSegment, isSystemExchange, type ExchangeRow } from './exchanges.js';
import type { PageProps } from './page.js';

export function ExchangePage({ args }: PageProps) {
  const [vhost = '/', raw = ''] = args;
  // The default exchange is '' in the API's rows and `amq.default` in paths.
  const segment = exchangeSegment(raw);
  const name = segment === DEFAULT_EXCHANGE ? '' : segment;
  const { data, error } = usePoll<ExchangeRow>(`exchanges/${seg(vhost)}/${seg(segment)}?${historyQuery()}`);
  if (error !== undefined) {
    return (
      <div class="page" data-page="exchange">
        <h1>Exchange: {exchangeLabel(name)}</h1>
        <ErrorBox error={error.status === 404 ? `Exchange ${exchangeLabel(name)} does not exist in virtual host ${vhost}.` : error} />
      </div>
    );
  }
  if (data === undefined) return <Loading />;
  const stats = data.message_stats;
  const isDefault = name === '';
  return (
    <div class="page" data-page="exchange" data-exchange={name}>
      <h1>
        Exchange: {exchangeLabel(name)} <span class="muted">in virtual host {vhost}</span>
      </h1>
      <div class="charts">
        <Chart
          title="Message rates"
          kind="rates"
          series={[
            { label: 'Publish (In)', color: COLORS.publish, details: stats?.publish_in_details },
            { label: 'Publish (Out)', color: COLORS.publishOut, details: stats?.publish_out_details },
          ]}
        />
        <Section title="Details">
          <KeyValues
            rows={[
              ['Type', data.type],
              ['Features', <ExchangeFeatures x={data} />],
              ['Durable', yesNo(data.durable)],
              ['Auto delete', yesNo(data.auto_delete)],
              ['Internal', yesNo(data.internal)],
              [
                'Arguments',
                Object.keys(data.arguments).length === 0 ? (
                  <span class="muted">none</span>
                ) : (
                  <KeyValues rows={Object.entries(data.arguments).map(([k, v]) => [k, argText(v)])} />
                ),
              ],
              ['Message rate in', rate(stats?.publish_in_details?.rate ?? 0)],
              ['Message rate out', rate(stats?.publish_out_details?.rate ?? 0)],
            ]}
          />
        </Section>
      </div>
      {isDefault ? (
        <Section title="Bindings">
          <p class="explain" data-explain="default-exchange">
            The default exchange is implicitly bound to every queue, with a routing key equal to the queue name. It is not possible to explicitly bind to,
            or unbind from the default exchange. It also cannot be deleted.
          </p>
        </Section>
      ) : (
        <Section title="Bindings">
          <h3>To this exchange</h3>
          <div data-bindings-of="destination">
            <Bindings vhost={vhost} of={{ exchangeDestination: name }} canAdd={false} />
          </div>
          <p class="this-exchange">⇓ This exchange ⇓</p>
          <h3>From this exchange</h3>
          <div data-bindings-of="source">
            <Bindings vhost={vhost} of={{ exchangeSource: name }} />
          </div>
        </Section>
      )}
      <Section title="Publish message" open={false}>
        {data.internal ? (
          <p class="explain">This exchange is internal: clients cannot publish to it, only other exchanges bound to it route messages here.</p>
        ) : (
          <PublishForm vhost={vhost} exchange={segment} />
        )}
      </Section>
      {!isSystemExchange(name) && <DeleteExchange vhost={vhost} name={name} />}
    </div>
  );
}

function DeleteExchange({ vhost, name }: { vhost: string; name: string }) {
  const [ifUnused, setIfUnused] = useState(false);
  return (
    <Section title="Delete this exchange" open={false}>
      <div class="delete" data-form="delete-exchange">
        <label>
          <input type="checkbox" name="if-unused" checked={ifUnused} onChange={(e) => setIfUnused(e.currentTarget.checked)} /> Only if unused (no
          bindings from it)
        </label>{' '}
        <ConfirmAction
          label="Delete"
          question={`Delete exchange ${name} in virtual host ${vhost}?`}
          onConfirm={async () => {
            await del(`exchanges/${seg(vhost)}/${seg(name)}${query({ 'if-unused': ifUnused ? true : undefined })}`);
            navigate('exchanges');
          }}
        />
      </div>
    </Section>
  );
}
