/**
 * One user (administrators only): tags and password, permissions per vhost with RabbitMQ's "Set
 * permission" form (components/permissions.tsx), "Update this user" and "Delete this user".
 */
import { del, login, logout, put, seg } from '../api.js';
import { Permissions } from '../components/permissions.js';
import { ConfirmAction, ErrorBox, Form, KeyValues, Loading, Section, text, useAction } from '../components/ui.js';
import { yesNo } from '../format.js';
import { usePoll } from '../poll.js';
import { navigate } from '../router.js';
import { tagsOf, useSession } from '../session.js';
import type { PageProps } from './page.js';
import { NotAuthorised, PasswordField, passwordBody, Tags, TagsField, type UserRow } from './users.js';

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
