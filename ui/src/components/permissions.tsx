/**
 * The permissions of one user (mode 'user': a row per vhost) or in one vhost (mode 'vhost': a row
 * per user), each with a Clear button, and RabbitMQ's "Set permission" form: on the user and vhost
 * pages. Topic permissions are not shown: the API has none yet.
 */
import { useState } from 'preact/hooks';
import { del, put, seg } from '../api.js';
import { usePoll } from '../poll.js';
import { href } from '../router.js';
import { useVhost } from '../vhosts.js';
import { Options } from './options.js';
import { ActionResult, ConfirmButton, ErrorBox, Field, Form, text, useAction } from './ui.js';

export interface PermissionRow {
  readonly user: string;
  readonly vhost: string;
  readonly configure: string;
  readonly write: string;
  readonly read: string;
}

type Mode = 'user' | 'vhost';

/** What differs between a user's permissions and a vhost's: the other side of each row. */
const MODES: Readonly<
  Record<Mode, { path: string; label: string; tab: string; field: string; choose: string; none: string; other: (p: PermissionRow) => string }>
> = {
  user: {
    path: 'users',
    label: 'Virtual host',
    tab: 'vhosts',
    field: 'vhost',
    choose: 'Choose a virtual host.',
    none: 'This user does not have permission to access any virtual hosts. Use "Set permission" below to grant it.',
    other: (p) => p.vhost,
  },
  vhost: {
    path: 'vhosts',
    label: 'User',
    tab: 'users',
    field: 'username',
    choose: 'Choose a user.',
    none: 'No users have permission to access this virtual host. Use "Set permission" below to grant users permission.',
    other: (p) => p.user,
  },
};

export function Permissions({ mode, name }: { mode: Mode; name: string }) {
  const m = MODES[mode];
  const { data, error, reload } = usePoll<readonly PermissionRow[]>(`${m.path}/${seg(name)}/permissions`);
  const users = usePoll<readonly { readonly name: string }[]>(mode === 'vhost' ? 'users?columns=name' : null);
  const { vhost: chosenVhost, names: vhostNames } = useVhost();
  const clear = useAction();
  const set = useAction();
  const choices = mode === 'user' ? vhostNames : (users.data?.map((u) => u.name) ?? []);
  const preferred = mode === 'user' && choices.includes(chosenVhost) ? chosenVhost : (choices[0] ?? '');
  const [target, setTarget] = useState('');
  const selected = choices.includes(target) ? target : preferred;

  return (
    <div class="permissions" data-permissions={mode}>
      {error !== undefined && <ErrorBox error={error} />}
      {data !== undefined && data.length === 0 && (
        <p class="warning" data-no-permissions>
          {m.none}
        </p>
      )}
      <h3>Current permissions</h3>
      <table class="list">
        <thead>
          <tr>
            <th>{m.label}</th>
            <th>Configure regexp</th>
            <th>Write regexp</th>
            <th>Read regexp</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {data?.map((p) => (
            <tr key={m.other(p)} data-row={m.other(p)}>
              <td>
                <a href={href(m.tab, m.other(p))}>{m.other(p)}</a>
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
          const choice = text(form, m.field);
          if (choice === '') throw new Error(m.choose);
          const [vhost, user] = mode === 'user' ? [choice, name] : [name, choice];
          await put(`permissions/${seg(vhost)}/${seg(user)}`, { configure: text(form, 'configure'), write: text(form, 'write'), read: text(form, 'read') });
          reload();
          return `Permission of user '${user}' in virtual host '${vhost}' set.`;
        }}
      >
        <Field label={m.label}>
          <select name={m.field} value={selected} onChange={(e) => setTarget(e.currentTarget.value)}>
            <Options choices={choices} />
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
