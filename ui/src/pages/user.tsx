/**
 * One user (administrators only): tags and password, permissions per vhost with RabbitMQ's "Set
 * permission" form, "Update this user" and "Delete this user". The permissions part is shared with
 * the vhost page. Topic permissions are not shown: the API has none yet.
 */
import { useState } from 'preact/hooks';
import { del, login, logout, put, seg } from '../api.js';
import { ActionResult, ConfirmAction, ConfirmButton, ErrorBox, Field, Form, KeyValues, Loading, Section, text, useAction } from '../components/ui.js';
import { yesNo } from '../format.js';
import { usePoll } from '../poll.js';
import { href, navigate } from '../router.js';
import { tagsOf, useSession } from '../session.js';
import { useVhost } from '../vhosts.js';
import type { PageProps } from './page.js';
import { NotAuthorised, PasswordField, passwordBody, Tags, TagsField, type PermissionRow, type UserRow } from './users.js';

/**
 * The permissions of one user (mode 'user': a row per vhost) or in one vhost (mode 'vhost': a row
 * per user), each with a Clear button, and the form that sets one.
 */
export function Permissions({ mode, name }: { mode: 'user' | 'vhost'; name: string }) {
  const path = mode === 'user' ? `users/${seg(name)}/permissions` : `vhosts/${seg(name)}/permissions`;
  const { data, error, reload } = usePoll<readonly PermissionRow[]>(path);
  const users = usePoll<readonly { readonly name: string }[]>(mode === 'vhost' ? 'users?columns=name' : null);
  const { vhost: chosenVhost, names: vhostNames } = useVhost();
  const clear = useAction();
  const set = useAction();
  const choices = mode === 'user' ? vhostNames : (users.data?.map((u) => u.name) ?? []);
  const preferred = mode === 'user' && choices.includes(chosenVhost) ? chosenVhost : (choices[0] ?? '');
  const [target, setTarget] = useState('');
  const selected = choices.includes(target) ? target : preferred;
  const other = (p: PermissionRow): string => (mode === 'user' ? p.vhost : p.user);

  return (
    <div class="permissions" data-permissions={mode}>
      {error !== undefined && <ErrorBox error={error} />}
      {data !== undefined && data.length === 0 && (
        <p class="warning" data-no-permissions>
          {mode === 'user'
            ? 'This user does not have permission to access any virtual hosts. Use "Set permission" below to grant it.'
            : 'No users have permission to access this virtual host. Use "Set permission" below to grant users permission.'}
        </p>
      )}
      <h3>Current permissions</h3>
      <table class="list">
        <thead>
          <tr>
            <th>{mode === 'user' ? 'Virtual host' : 'User'}</th>
            <th>Configure regexp</th>
            <th>Write regexp</th>
            <th>Read regexp</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {data?.map((p) => (
            <tr key={other(p)} data-row={other(p)}>
              <td>
                <a href={mode === 'user' ? href('vhosts', p.vhost) : href('users', p.user)}>{other(p)}</a>
              </td>
              <td class="regexp">{p.configure}</td>
              <td class="regexp">{p.write}</td>
              <td class="regexp">{p.read}</td>
              <td>
                <ConfirmButton
                  label="Clear"
                  question={`Clear the permissions of user '${p.user}' in virtual host '${p.vhost}'?`}
                  action={clear}
                  onConfirm={async () => {
                    await del(`permissions/${seg(p.vhost)}/${seg(p.user)}`);
                    reload();
                  }}
                />
              </td>
            </tr>
          ))}
          {data !== undefined && data.length === 0 && (
            <tr>
              <td colSpan={5} class="empty">
                ... no permissions ...
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <ActionResult action={clear} />
      <h3>Set permission</h3>
      <Form
        name="set-permission"
        submit="Set permission"
        action={set}
        onSubmit={async (form) => {
          const choice = text(form, mode === 'user' ? 'vhost' : 'username');
          if (choice === '') throw new Error(mode === 'user' ? 'Choose a virtual host.' : 'Choose a user.');
          const [vhost, user] = mode === 'user' ? [choice, name] : [name, choice];
          await put(`permissions/${seg(vhost)}/${seg(user)}`, { configure: text(form, 'configure'), write: text(form, 'write'), read: text(form, 'read') });
          reload();
          return `Permission of user '${user}' in virtual host '${vhost}' set.`;
        }}
      >
        <Field label={mode === 'user' ? 'Virtual host' : 'User'}>
          <select name={mode === 'user' ? 'vhost' : 'username'} value={selected} onChange={(e) => setTarget(e.currentTarget.value)}>
            {choices.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Configure regexp">
          <input name="configure" defaultValue=".*" />
        </Field>
        <Field label="Write regexp">
          <input name="write" defaultValue=".*" />
        </Field>
        <Field label="Read regexp">
          <input name="read" defaultValue=".*" />
        </Field>
      </Form>
    </div>
  );
}

export function UserPage({ args }: PageProps) {
  const name = args[0] ?? '';
  const session = useSession();
  const { data, error, reload } = usePoll<UserRow>(`users/${seg(name)}`);
  const update = useAction();
  const self = name === session.user;
  if (error?.status === 401) return <NotAuthorised page="user" title={`User: ${name}`} error={error} />;

  return (
    <div class="page" data-page="user" data-name={name}>
      <h1>
        User: <b>{name}</b>
        {self && <span class="muted"> (you)</span>}
      </h1>
      {error !== undefined && <ErrorBox error={error} />}
      {data === undefined ? (
        error === undefined && <Loading />
      ) : (
        <>
          <Section title="Overview">
            <KeyValues
              rows={[
                ['Tags', <Tags tags={data.tags} />],
                ['Can log in with password', <span data-has-password>{yesNo(data.password_hash !== '')}</span>],
              ]}
            />
          </Section>
          <Section title="Permissions">
            <Permissions mode="user" name={name} />
          </Section>
          <Section title="Update this user" open={false}>
            <Form
              name="update-user"
              submit="Update user"
              action={update}
              onSubmit={async (form, el) => {
                const tags = text(form, 'tags');
                const credentials = passwordBody(form, data);
                await put(`users/${seg(name)}`, { ...credentials, tags });
                const password = credentials['password'];
                // Our own new password: log in with it, or the next request would log us out.
                if (self && password !== undefined) await login(name, password);
                for (const input of el.querySelectorAll<HTMLInputElement>('input[type=password]')) input.value = '';
                reload();
                const sorted = (t: readonly string[]): string => [...t].sort().join(',');
                if (self && sorted(tagsOf(tags)) !== sorted(session.tags)) return 'User updated. Log out and in again for your new tags to take effect.';
                return 'User updated.';
              }}
            >
              <PasswordField modes={['keep', 'password', 'no-password']} initial="keep" />
              <TagsField initial={tagsOf(data.tags).join(', ')} />
            </Form>
          </Section>
          <Section title="Delete this user" open={false}>
            {self && <p class="warning">This is the user you are logged in as: deleting it logs you out.</p>}
            <ConfirmAction
              label="Delete"
              question={self ? `Delete user '${name}'? You are logged in as this user and will be logged out.` : `Delete user '${name}'?`}
              onConfirm={async () => {
                await del(`users/${seg(name)}`);
                if (self) logout();
                else navigate('users');
              }}
            />
          </Section>
        </>
      )}
    </div>
  );
}
