/** The login form: any broker user with a management tag, as RabbitMQ's UI. */
import { login, type WhoAmI } from '../api.js';
import { ActionResult, useAction } from '../components/ui.js';

export function LoginPage({ onLogin }: { onLogin: (who: WhoAmI) => void }) {
  const action = useAction();
  return (
    <div class="login">
      <h1>Warren</h1>
      <form
        data-form="login"
        onSubmit={(e) => {
          e.preventDefault();
          const data = new FormData(e.currentTarget);
          void action.run(async () => {
            const who = await login(String(data.get('username') ?? ''), String(data.get('password') ?? ''));
            onLogin(who);
          });
        }}
      >
        <label>
          Username
          <input name="username" autocomplete="username" required autofocus />
        </label>
        <label>
          Password
          <input name="password" type="password" autocomplete="current-password" />
        </label>
        <button type="submit" disabled={action.busy}>
          Login
        </button>
        <ActionResult action={action} />
      </form>
    </div>
  );
}
