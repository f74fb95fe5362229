/**
 * Virtual hosts (administrators only, as RabbitMQ's Admin tab): every vhost with its users, state,
 * messages and message rates, one server-side page at a time, and the "Add a new virtual host"
 * form. The header's vhost filter picks a new vhost up on its next refresh.
 */
import { put, seg } from '../api.js';
import { PagedTable, type Column } from '../components/paged-table.js';
import { ErrorBox, Field, Form, Section, text } from '../components/ui.js';
import { count, rate } from '../format.js';
import { href } from '../router.js';
import type { MessageStats } from '../stats.js';
import { useVhost } from '../vhosts.js';
import type { PageProps } from './page.js';
import { AccessList, groupPermissions, NotAuthorised, Tags, useAdminList } from './users.js';

export interface VhostRow {
  readonly name: string;
  readonly description?: string;
  readonly tags?: readonly string[] | string;
  readonly cluster_state?: Readonly<Record<string, string>>;
  readonly messages?: number;
  readonly messages_ready?: number;
  readonly messages_unacknowledged?: number;
  readonly message_stats?: MessageStats;
}

const LIST_COLUMNS = [
  'name',
  'description',
  'tags',
  'cluster_state',
  'messages',
  'messages_ready',
  'messages_unacknowledged',
  'message_stats.publish_details.rate',
  'message_stats.deliver_get_details.rate',
].join(',');

/** "running" when every node runs the vhost, else each node's state (RabbitMQ's fmt_vhost_state). */
export function vhostState(v: { readonly cluster_state?: Readonly<Record<string, string>> }): string {
  const states = Object.values(v.cluster_state ?? {});
  if (states.length === 0) return '';
  return states.every((s) => s === 'running') ? 'running' : Object.entries(v.cluster_state ?? {}).map(([n, s]) => `${n}: ${s}`).join(', ');
}

export function VhostsPage(_: PageProps) {
  const { names } = useVhost();
  const { denied, permissions: perms, add, changes, formKey, added } = useAdminList();
  if (denied) return <NotAuthorised page="vhosts" title="Virtual hosts" error={perms.error} />;
  const users = groupPermissions(perms.data, 'vhost');

  const columns: Column<VhostRow>[] = [
    {
      label: 'Name',
      sort: 'name',
      render: (v) => (
        <a href={href('vhosts', v.name)} data-vhost-link={v.name}>
          {v.name}
        </a>
      ),
    },
    { label: 'Users', render: (v) => <AccessList names={users.get(v.name)} none="No users" /> },
    { label: 'State', render: (v) => <span class={`state state-${vhostState(v)}`}>{vhostState(v)}</span> },
    { label: 'Description', sort: 'description', render: (v) => v.description ?? '' },
    { label: 'Tags', render: (v) => <Tags tags={v.tags ?? []} /> },
    { label: 'Ready', sort: 'messages_ready', numeric: true, render: (v) => <span data-col="ready">{count(v.messages_ready ?? 0)}</span> },
    { label: 'Unacked', sort: 'messages_unacknowledged', numeric: true, render: (v) => <span data-col="unacked">{count(v.messages_unacknowledged ?? 0)}</span> },
    { label: 'Total', sort: 'messages', numeric: true, render: (v) => <span data-col="total">{count(v.messages ?? 0)}</span> },
    { label: 'publish', sort: 'message_stats.publish_details.rate', numeric: true, render: (v) => <span data-col="publish">{rate(v.message_stats?.publish_details?.rate ?? 0)}</span> },
    {
      label: 'deliver / get',
      sort: 'message_stats.deliver_get_details.rate',
      numeric: true,
      render: (v) => <span data-col="deliver">{rate(v.message_stats?.deliver_get_details?.rate ?? 0)}</span>,
    },
  ];

  return (
    <div class="page" data-page="vhosts">
      <h1>Virtual hosts</h1>
      {perms.error !== undefined && <ErrorBox error={perms.error} />}
      <PagedTable<VhostRow> id="vhosts" noun="virtual hosts" path="vhosts" columns={columns} rowKey={(v) => v.name} extra={{ columns: LIST_COLUMNS }} reloadSignal={changes} />
      <Section title="Add a new virtual host">
        <Form
          key={formKey}
          name="add-vhost"
          submit="Add virtual host"
          action={add}
          onSubmit={async (data) => {
            const name = text(data, 'name');
            const existed = names.includes(name);
            await put(`vhosts/${seg(name)}`, { description: text(data, 'description'), tags: text(data, 'tags') });
            added();
            return existed ? `Updated the existing virtual host '${name}'.` : `Virtual host '${name}' added; you have full permissions in it.`;
          }}
        >
          <Field label="Name">
            <input name="name" required autocomplete="off" />
          </Field>
          <Field label="Description">
            <input name="description" size={40} />
          </Field>
          <Field label="Tags">
            <input name="tags" size={40} placeholder="comma-separated" />
          </Field>
        </Form>
      </Section>
    </div>
  );
}
