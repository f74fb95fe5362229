/**
 * The shell of the UI: the login form until someone logs in, then a header (tabs by the user's
 * tags, the virtual host filter, the refresh interval, logout) and the page the hash route names.
 */
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { isLoggedIn, logout, onLogout, type WhoAmI } from './api.js';
import { RefreshContext, usePoll } from './poll.js';
import { href, useRoute } from './router.js';
import { SessionContext, isAdministrator, tagsOf, type Session } from './session.js';
import { VhostContext } from './vhosts.js';
import { LoginPage } from './pages/login.js';
import { OverviewPage } from './pages/overview.js';
import { ConnectionsPage } from './pages/connections.js';
import { ConnectionPage } from './pages/connection.js';
import { ChannelsPage } from './pages/channels.js';
import { ChannelPage } from './pages/channel.js';
import { ExchangesPage } from './pages/exchanges.js';
import { ExchangePage } from './pages/exchange.js';
import { QueuesPage } from './pages/queues.js';
import { QueuePage } from './pages/queue.js';
import { UsersPage } from './pages/users.js';
import { UserPage } from './pages/user.js';
import { VhostsPage } from './pages/vhosts.js';
import { VhostPage } from './pages/vhost.js';
import type { PageProps } from './pages/page.js';
import { Options } from './components/options.js';
import { ErrorBox } from './components/ui.js';
import { CHART_RANGE_EVENT } from './components/chart.js';

interface Tab {
  readonly name: string;
  readonly label: string;
  readonly list: ComponentType<PageProps>;
  readonly detail?: ComponentType<PageProps>;
  readonly admin?: boolean;
}

const TABS: readonly Tab[] = [
  { name: 'overview', label: 'Overview', list: OverviewPage },
  { name: 'connections', label: 'Connections', list: ConnectionsPage, detail: ConnectionPage },
  { name: 'channels', label: 'Channels', list: ChannelsPage, detail: ChannelPage },
  { name: 'exchanges', label: 'Exchanges', list: ExchangesPage, detail: ExchangePage },
  { name: 'queues', label: 'Queues', list: QueuesPage, detail: QueuePage },
  { name: 'users', label: 'Users', list: UsersPage, detail: UserPage, admin: true },
  { name: 'vhosts', label: 'Virtual hosts', list: VhostsPage, detail: VhostPage, admin: true },
];

const REFRESH_CHOICES: readonly (readonly [number, string])[] = [
  [5000, 'Refresh every 5 s'],
  [10000, 'Refresh every 10 s'],
  [30000, 'Refresh every 30 s'],
  [0, 'Do not refresh'],
];

function savedSession(): Session | null {
  const raw = sessionStorage.getItem('warren.session');
  if (raw === null || !isLoggedIn()) return null;
  try {
    return JSON.parse(raw) as Session;
  } catch {
    return null;
  }
}

export function App() {
  const [session, setSession] = useState<Session | null>(savedSession);
  useEffect(
    () =>
      onLogout(() => {
        sessionStorage.removeItem('warren.session');
        setSession(null);
      }),
    [],
  );
  if (session === null) {
    return (
      <LoginPage
        onLogin={(who: WhoAmI) => {
          const s: Session = { user: who.name, tags: tagsOf(who.tags) };
          sessionStorage.setItem('warren.session', JSON.stringify(s));
          setSession(s);
        }}
      />
    );
  }
  return (
    <SessionContext.Provider value={session}>
      <Shell session={session} />
    </SessionContext.Provider>
  );
}

function Shell({ session }: { session: Session }) {
  const route = useRoute();
  // A new chart range re-renders the page, whose history query then asks for the new range.
  const [, setRangeVersion] = useState(0);
  useEffect(() => {
    const onRange = (): void => setRangeVersion((v) => v + 1);
    addEventListener(CHART_RANGE_EVENT, onRange);
    return () => removeEventListener(CHART_RANGE_EVENT, onRange);
  }, []);
  const [refresh, setRefresh] = useState(() => {
    const saved = Number(localStorage.getItem('warren.refresh') ?? '5000');
    return REFRESH_CHOICES.some(([ms]) => ms === saved) ? saved : 5000;
  });
  const [vhost, setVhost] = useState(() => localStorage.getItem('warren.vhost') ?? '');
  const vhosts = usePoll<readonly { readonly name: string }[]>('vhosts?columns=name');
  const names = vhosts.data?.map((v) => v.name) ?? [];
  const tabs = TABS.filter((t) => t.admin !== true || isAdministrator(session));
  const [first = 'overview', ...args] = route;
  // Admin pages opened by URL by other users still render: they show the API's refusal.
  const tab = TABS.find((t) => t.name === first);
  const Page = tab === undefined ? null : args.length > 0 && tab.detail !== undefined ? tab.detail : tab.list;

  return (
    <RefreshContext.Provider value={refresh}>
      <VhostContext.Provider value={{ vhost: names.includes(vhost) || vhosts.data === undefined ? vhost : '', names }}>
        <header class="top">
          <a class="brand" href={href('overview')}>
            Warren
          </a>
          <nav>
            {tabs.map((t) => (
              <a key={t.name} href={href(t.name)} class={t === tab ? 'active' : ''} data-tab={t.name}>
                {t.label}
              </a>
            ))}
          </nav>
          <div class="top-right">
            <select
              name="refresh"
              value={refresh}
              onChange={(e) => {
                const ms = Number(e.currentTarget.value);
                localStorage.setItem('warren.refresh', String(ms));
                setRefresh(ms);
              }}
            >
              <Options choices={REFRESH_CHOICES} />
            </select>
            <label>
              Virtual host:{' '}
              <select
                name="vhost"
                value={vhost}
                onChange={(e) => {
                  const v = e.currentTarget.value;
                  localStorage.setItem('warren.vhost', v);
                  setVhost(v);
                }}
              >
                <option value="">All</option>
                <Options choices={names} />
              </select>
            </label>
            <span class="user" data-user={session.user}>
              User <b>{session.user}</b>
            </span>
            <button type="button" name="logout" onClick={() => logout()}>
              Log out
            </button>
          </div>
        </header>
        <main>{Page === null ? <ErrorBox error={`No page ${first}`} /> : <Page args={args} />}</main>
      </VhostContext.Provider>
    </RefreshContext.Provider>
  );
}

