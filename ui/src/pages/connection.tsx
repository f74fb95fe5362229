/**
 * One connection (`#/connections/<name>`): data rates over time, the details of the connection
 * and of its client (client properties and capabilities), its channels, and "Close this
 * connection" with a reason (DELETE /api/connections/{name} with X-Reason: the client gets
 * connection.close 320 CONNECTION_FORCED with that reason).
 */
import type { ComponentChild } from 'preact';
import { useState } from 'preact/hooks';
import { del, seg } from '../api.js';
import { Chart, chartRange } from '../components/chart.js';
import { ActionResult, ConfirmAction, GoneOrError, KeyValues, Loading, Section, useAction, type Action } from '../components/ui.js';
import { argText, byteRate, bytes, time, yesNo } from '../format.js';
import { usePoll } from '../poll.js';
import { href } from '../router.js';
import { isAdministrator, useSession } from '../session.js';
import { ChannelList } from './channels.js';
import { clientOf, heartbeat, providedName, type ConnectionRow } from './connections.js';
import type { PageProps } from './page.js';

interface ConnectionDetail extends ConnectionRow {
  readonly frame_max?: number;
  readonly channel_max?: number;
  readonly connected_at?: number;
  readonly auth_mechanism?: string;
  readonly type?: string;
  readonly send_pend?: number;
  readonly ssl_protocol?: string | null;
}

const COLOR_FROM = '#e6a23c';
const COLOR_TO = '#5b8ff9';

function propertyValue(v: unknown): ComponentChild {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return yesNo(v);
  if (typeof v === 'object' && !Array.isArray(v)) {
    return <KeyValues rows={Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, propertyValue(x)] as const)} />;
  }
  return argText(v);
}

export function ConnectionPage({ args }: PageProps) {
  const name = args.join('/');
  const session = useSession();
  const close = useAction();
  const [closed, setClosed] = useState(false);
  const { data, error, reload } = usePoll<ConnectionDetail>(`connections/${seg(name)}?data_rates_age=${chartRange()}&data_rates_incr=5`);

  const head = (
    <h1>
      Connection <span class="mono">{name}</span>
    </h1>
  );
  if (error !== undefined) {
    return (
      <div class="page" data-page="connection" data-closed={closed || error.status === 404 ? 'true' : undefined}>
        {head}
        <ActionResult action={close} />
        <GoneOrError error={error}>
          This connection is closed: it no longer exists. <a href={href('connections')}>All connections</a>
        </GoneOrError>
      </div>
    );
  }
  if (data === undefined) return <Loading />;
  const given = providedName(data);
  const mayClose = isAdministrator(session) || data.user === session.user;
  const props = data.client_properties ?? {};
  return (
    <div class="page" data-page="connection" data-state={data.state}>
      {head}
      {given !== undefined && <p class="muted">Client-provided name: {given}</p>}
      <div class="charts">
        <Chart
          title="Data rates"
          kind="rates"
          unit="bytes"
          series={[
            { label: 'From client', color: COLOR_FROM, details: data.recv_oct_details },
            { label: 'To client', color: COLOR_TO, details: data.send_oct_details },
          ]}
        />
        <Section title="Details">
          <KeyValues
            rows={[
              ['User', <span data-field="user">{data.user}</span>],
              ['Virtual host', isAdministrator(session) ? <a href={href('vhosts', data.vhost)}>{data.vhost}</a> : data.vhost],
              ['State', <span class={`state state-${data.state}`} data-field="state">{data.state}</span>],
              ['Client', <span data-field="client">{clientOf(data)}</span>],
              ['Peer', `${data.peer_host ?? ''}:${data.peer_port ?? ''}`],
              ['Local', `${data.host ?? ''}:${data.port ?? ''}`],
              ['Protocol', data.protocol],
              ['SSL / TLS', data.ssl ? (data.ssl_protocol ?? 'yes') : 'no'],
              ['Authentication', data.auth_mechanism ?? ''],
              ['Heartbeat', heartbeat(data.timeout)],
              ['Frame max', data.frame_max === undefined ? '' : `${data.frame_max} bytes`],
              ['Channel max', data.channel_max === undefined ? '' : `${data.channel_max} channels`],
              ['Connected at', time(data.connected_at)],
              ['Received', `${bytes(data.recv_oct)} (${byteRate(data.recv_oct_details)})`],
              ['Sent', `${bytes(data.send_oct)} (${byteRate(data.send_oct_details)})`],
            ]}
          />
        </Section>
      </div>
      <Section title="Channels">
        <ChannelList path={`connections/${seg(name)}/channels`} id="connection-channels" withConnection={false} />
      </Section>
      <Section title="Client properties">
        <div data-client-properties>
          <KeyValues rows={Object.entries(props).map(([k, v]) => [k, propertyValue(v)] as const)} />
        </div>
      </Section>
      {mayClose && (
        <Section title="Close this connection">
          <CloseConnection
            name={name}
            action={close}
            onClosed={() => {
              setClosed(true);
              reload();
            }}
          />
        </Section>
      )}
    </div>
  );
}

/** "Close this connection" with a reason the client is told; also used by a channel's page. */
export function CloseConnection({ name, action, onClosed, label = 'Force Close' }: { name: string; action: Action; onClosed: () => void; label?: string }) {
  const [reason, setReason] = useState('Closed via management plugin');
  return (
    <div class="close-connection" data-form="close-connection">
      <label>
        Reason: <input name="reason" size={40} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      </label>{' '}
      <ConfirmAction
        label={label}
        question={`Close connection ${name}?`}
        action={action}
        onConfirm={async () => {
          // The reason travels in an HTTP header, which carries Latin-1 text only.
          if (!/^[\x20-\x7e\xa0-\xff]*$/.test(reason)) throw new Error('The reason may only use Latin-1 characters (it is sent in the X-Reason header)');
          await del(`connections/${seg(name)}`, reason.trim() === '' ? {} : { 'X-Reason': reason });
          onClosed();
          return 'Connection closed.';
        }}
      />
    </div>
  );
}
