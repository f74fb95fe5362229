/**
 * One virtual host (administrators only): queued messages and message rates over the last ten
 * minutes, its details and data rates, the users' permissions in it with RabbitMQ's "Set
 * permission" form, "Edit this virtual host" (description and tags) and "Delete this vhost".
 */
import { del, put, seg } from '../api.js';
import { Chart, historyQuery, type Details } from '../components/chart.js';
import { Permissions } from '../components/permissions.js';
import { ConfirmAction, ErrorBox, Field, Form, KeyValues, Loading, Section, text, useAction } from '../components/ui.js';
import { byteRate, bytes, count, yesNo } from '../format.js';
import { usePoll } from '../poll.js';
import { navigate } from '../router.js';
import { lengthSeries, rateSeries, type Lengths, type MessageStats } from '../stats.js';
import type { PageProps } from './page.js';
import { NotAuthorised, Tags } from './users.js';
import { vhostState } from './vhosts.js';
import { tagsOf } from '../session.js';

interface Vhost extends Lengths {
  readonly name: string;
  readonly description?: string;
  readonly tags?: readonly string[] | string;
  readonly tracing?: boolean;
  readonly default_queue_type?: string;
  readonly cluster_state?: Readonly<Record<string, string>>;
  readonly message_stats?: MessageStats;
  readonly recv_oct?: number;
  readonly recv_oct_details?: Details;
  readonly send_oct?: number;
  readonly send_oct_details?: Details;
}

export function VhostPage({ args }: PageProps) {
  const name = args[0] ?? '';
  const { data, error, reload } = usePoll<Vhost>(`vhosts/${seg(name)}?${historyQuery()}`);
  const edit = useAction();
  if (error?.status === 401) return <NotAuthorised page="vhost" title={`Virtual host: ${name}`} error={error} />;

  return (
    <div class="page" data-page="vhost" data-name={name}>
      <h1>
        Virtual host: <b>{name}</b>
      </h1>
      {error !== undefined && <ErrorBox error={error} />}
      {data === undefined ? (
        error === undefined && <Loading />
      ) : (
        <>
          <div class="charts">
            <Chart title="Queued messages" kind="lengths" series={lengthSeries(data)} />
            <Chart title="Message rates" kind="rates" series={rateSeries(data.message_stats, true)} />
          </div>
          <Section title="Details">
            <KeyValues
              rows={[
                ['Description', data.description ?? ''],
                ['Tags', <Tags tags={data.tags ?? []} />],
                ['State', <span class={`state state-${vhostState(data)}`}>{vhostState(data)}</span>],
                ['Messages', `${count(data.messages ?? 0)} (${count(data.messages_ready ?? 0)} ready, ${count(data.messages_unacknowledged ?? 0)} unacked)`],
                ['From clients', `${bytes(data.recv_oct ?? 0)} (${byteRate(data.recv_oct_details) || '0 B/s'})`],
                ['To clients', `${bytes(data.send_oct ?? 0)} (${byteRate(data.send_oct_details) || '0 B/s'})`],
                ['Tracing enabled', yesNo(data.tracing ?? false)],
              ]}
            />
          </Section>
          <Section title="Permissions">
            <Permissions mode="vhost" name={name} />
          </Section>
          <Section title="Edit this virtual host" open={false}>
            <Form
              name="edit-vhost"
              submit="Update virtual host"
              action={edit}
              onSubmit={async (form) => {
                const tags = tagsOf(text(form, 'tags'));
                await put(`vhosts/${seg(name)}`, { description: text(form, 'description'), tags: tags.join(',') });
                reload();
                return 'Virtual host updated.';
              }}
            >
              <Field label="Description">
                <input name="description" size={40} defaultValue={data.description ?? ''} />
              </Field>
              <Field label="Tags (comma-separated)">
                <input name="tags" size={40} defaultValue={tagsOf(data.tags ?? []).join(', ')} />
              </Field>
            </Form>
          </Section>
          <Section title="Delete this vhost" open={false}>
            <p class="warning">Deleting a virtual host deletes its queues (and their messages), exchanges, bindings and permissions, and closes its connections.</p>
            <ConfirmAction
              label="Delete this virtual host"
              question={`Delete virtual host '${name}' and everything in it?`}
              onConfirm={async () => {
                await del(`vhosts/${seg(name)}`);
                navigate('vhosts');
              }}
            />
          </Section>
        </>
      )}
    </div>
  );
}
