/**
 * Users (administrators only, as RabbitMQ's Admin tab): every user with its tags, the vhosts it may
 * access and whether it has a password, and RabbitMQ's "Add a user" form. Other users who open the
 * page by URL see the API's refusal. The tag and password fields are shared with the user page.
 */
import { useState } from 'preact/hooks';
import { ApiError, get, put, seg } from '../api.js';
import { PagedTable, type Column } from '../components/paged-table.js';
import type { PermissionRow } from '../components/permissions.js';
import { Options } from '../components/options.js';
import { QuickLinks } from '../components/quick-links.js';
import { ErrorBox, Field, Form, Loading, Section, text, useAction, type Action } from '../components/ui.js';
import { yesNo } from '../format.js';
import { usePoll, type Polled } from '../poll.js';
import { href } from '../router.js';
import { isAdministrator, tagsOf, useSession } from '../session.js';
import type { PageProps } from './page.js';

export interface UserRow {
  readonly name: string;
  readonly tags: readonly string[] | string;
  readonly password_hash: string;
  readonly hashing_algorithm?: string;
}

/** The tags RabbitMQ's forms offer, with their labels; "None" empties the field. */
const TAG_LINKS: readonly (readonly [string, string])[] = [
  ['Admin', 'administrator'],
  ['Monitoring', 'monitoring'],
  ['Policymaker', 'policymaker'],
  ['Management', 'management'],
  ['Impersonator', 'impersonator'],
  ['None', ''],
];

/** Tags as badges. */
export function Tags({ tags }: { tags: readonly string[] | string }) {
  return (
    <span class="tags">
      {tagsOf(tags).map((t) => (
        <span key={t} class="tag" data-tag={t}>
          {t}
        </span>
      ))}
    </span>
  );
}

/** The `tags` text field with links that add a tag to it (or, for None, empty it). */
export function TagsField({ initial = '' }: { initial?: string }) {
  const [tags, setTags] = useState(initial);
  const add = (tag: string): void => {
    const current = tagsOf(tags);
    setTags(tag === '' ? '' : (current.includes(tag) ? current : [...current, tag]).join(', '));
  };
  return (
    <Field label="Tags">
      <input name="tags" value={tags} onInput={(e) => setTags(e.currentTarget.value)} size={40} />
      <QuickLinks class="tag-links" links={TAG_LINKS.map(([label, tag]) => ({ label, attributes: { 'data-add-tag': label }, onClick: () => add(tag) }))} />
    </Field>
  );
}

export type PasswordMode = 'keep' | 'password' | 'no-password';

const PASSWORD_LABELS: Readonly<Record<PasswordMode, string>> = {
  keep: 'Keep password',
  password: 'Password:',
  'no-password': 'No password',
};

/** RabbitMQ's password row: a choice (password / no password, or keep it), password and confirmation. */
export function PasswordField({ modes, initial }: { modes: readonly PasswordMode[]; initial: PasswordMode }) {
  const [mode, setMode] = useState<PasswordMode>(initial);
  return (
    <tr>
      <th>
        <select name="has-password" value={mode} onChange={(e) => setMode(e.currentTarget.value as PasswordMode)}>
          <Options choices={modes.map((m) => [m, PASSWORD_LABELS[m]] as const)} />
        </select>
      </th>
      <td>
        {mode === 'password' && (
          <>
            <input type="password" name="password" autocomplete="new-password" />
            <br />
            <input type="password" name="password_confirm" autocomplete="new-password" /> (confirm)
          </>
        )}
        {mode === 'no-password' && <span class="muted">User cannot log in using password.</span>}
        {mode === 'keep' && <span class="muted">The password stays as it is.</span>}
      </td>
    </tr>
  );
}

/**
 * The credentials part of PUT /api/users/{name}. RabbitMQ clears the password of a user PUT with
 * tags alone, so keeping it means sending the current hash back.
 */
export function passwordBody(data: FormData, current?: UserRow): Record<string, string> {
  const mode = text(data, 'has-password');
  if (mode === 'no-password') return { password_hash: '' };
  if (mode === 'keep' && current !== undefined) {
    return { password_hash: current.password_hash, ...(current.hashing_algorithm !== undefined ? { hashing_algorithm: current.hashing_algorithm } : {}) };
  }
  const password = text(data, 'password');
  if (password === '') throw new Error('Please specify a password.');
  if (password !== text(data, 'password_confirm')) throw new Error('Passwords do not match.');
  return { password };
}

/** Whether the API knows this user (a 404 is "no"; other errors are thrown). */
export async function userExists(name: string): Promise<boolean> {
  try {
    await get(`users/${seg(name)}`);
    return true;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return false;
    throw e;
  }
}

/** What an administrator page shows to someone else: the API's refusal. */
export function NotAuthorised({ page, title, error }: { page: string; title: string; error: ApiError | undefined }) {
  return (
    <div class="page" data-page={page}>
      <h1>{title}</h1>
      {error === undefined ? <Loading /> : <ErrorBox error={error.status === 401 ? `Not authorised: ${error.reason}` : error} />}
      <p class="muted">Only administrators can see and manage users, virtual hosts and permissions.</p>
    </div>
  );
}

/** Vhosts per user (or users per vhost) from /api/permissions. */
export function groupPermissions(perms: readonly PermissionRow[] | undefined, by: 'user' | 'vhost'): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const p of perms ?? []) {
    const key = by === 'user' ? p.user : p.vhost;
    const other = by === 'user' ? p.vhost : p.user;
    const list = map.get(key);
    if (list === undefined) map.set(key, [other]);
    else list.push(other);
  }
  return map;
}

/** A comma list of names, or RabbitMQ's warning when there are none. */
export function AccessList({ names, none }: { names: readonly string[] | undefined; none: string }) {
  if (names === undefined || names.length === 0) return <span class="warning">{none}</span>;
  return <span>{names.join(', ')}</span>;
}

/** What the users and vhosts lists share: everyone's permissions, and the state of their add form. */
export interface AdminList {
  /** Not an administrator (by the session's tags, or by the API's answer). */
  readonly denied: boolean;
  readonly permissions: Polled<readonly PermissionRow[]>;
  readonly add: Action;
  /** Counts additions: the list's reloadSignal. */
  readonly changes: number;
  /** Remounts the add form (empty again) after each addition. */
  readonly formKey: number;
  /** After an addition: the list and the permissions now, and an empty form. */
  added(): void;
}

export function useAdminList(): AdminList {
  const session = useSession();
  const permissions = usePoll<readonly PermissionRow[]>('permissions?columns=user,vhost');
  const add = useAction();
  const [changes, setChanges] = useState(0);
  const [formKey, setFormKey] = useState(0);
  return {
    denied: !isAdministrator(session) || permissions.error?.status === 401,
    permissions,
    add,
    changes,
    formKey,
    added() {
      setChanges((c) => c + 1);
      permissions.reload();
      setFormKey((k) => k + 1);
    },
  };
}

export function UsersPage(_: PageProps) {
  const { denied, permissions: perms, add, changes, formKey, added } = useAdminList();
  if (denied) return <NotAuthorised page="users" title="Users" error={perms.error} />;
  const access = groupPermissions(perms.data, 'user');

  const columns: Column<UserRow>[] = [
    {
      label: 'Name',
      sort: 'name',
      render: (u) => (
        <a href={href('users', u.name)} data-user-link={u.name}>
          {u.name}
        </a>
      ),
    },
    { label: 'Tags', sort: 'tags', render: (u) => <Tags tags={u.tags} /> },
    { label: 'Can access virtual hosts', render: (u) => <AccessList names={access.get(u.name)} none="No access" /> },
    { label: 'Has password', render: (u) => <span data-col="has-password">{yesNo(u.password_hash !== '')}</span> },
  ];

  return (
    <div class="page" data-page="users">
      <h1>Users</h1>
      {perms.error !== undefined && <ErrorBox error={perms.error} />}
      <PagedTable<UserRow>
        id="users"
        noun="users"
        path="users"
        columns={columns}
        rowKey={(u) => u.name}
        extra={{ columns: 'name,tags,password_hash' }}
        reloadSignal={changes}
      />
      <Section title="Add a user">
        <Form
          key={formKey}
          name="add-user"
          submit="Add user"
          action={add}
          onSubmit={async (data) => {
            const name = text(data, 'username');
            const body = { ...passwordBody(data), tags: text(data, 'tags') };
            const existed = await userExists(name);
            await put(`users/${seg(name)}`, body);
            added();
            return existed ? `Updated an existing user: '${name}'.` : `User '${name}' added.`;
          }}
        >
          <Field label="Username">
            <input name="username" required autocomplete="off" />
          </Field>
          <PasswordField modes={['password', 'no-password']} initial="password" />
          <TagsField />
        </Form>
      </Section>
    </div>
  );
}
