/**
 * Bindings of a queue (to it) or of an exchange (from it, or to it), with unbind buttons and a
 * form to add one: RabbitMQ's /api/bindings resources.
 */
import { del, post, seg } from '../api.js';
import { usePoll } from '../poll.js';
import { href } from '../router.js';
import { parseKeyValueLines } from './key-value-lines.js';
import { ActionResult, ErrorBox, Field, Form, text, useAction } from './ui.js';

export interface Binding {
  readonly source: string;
  readonly vhost: string;
  readonly destination: string;
  readonly destination_type: 'queue' | 'exchange';
  readonly routing_key: string;
  readonly arguments: Readonly<Record<string, unknown>>;
  readonly properties_key: string;
}

interface Props {
  readonly vhost: string;
  /** Whose bindings: a queue's, an exchange's as source, or an exchange's as destination. */
  readonly of: { readonly queue: string } | { readonly exchangeSource: string } | { readonly exchangeDestination: string };
  /** Shows the "add binding" form. */
  readonly canAdd?: boolean;
}

function listPath(vhost: string, of: Props['of']): string {
  if ('queue' in of) return `queues/${seg(vhost)}/${seg(of.queue)}/bindings`;
  if ('exchangeSource' in of) return `exchanges/${seg(vhost)}/${seg(of.exchangeSource)}/bindings/source`;
  return `exchanges/${seg(vhost)}/${seg(of.exchangeDestination)}/bindings/destination`;
}

function bindingPath(b: Binding): string {
  const kind = b.destination_type === 'queue' ? 'q' : 'e';
  return `bindings/${seg(b.vhost)}/e/${seg(b.source)}/${kind}/${seg(b.destination)}/${seg(b.properties_key)}`;
}

export function Bindings({ vhost, of, canAdd = true }: Props) {
  const { data, error, reload } = usePoll<readonly Binding[]>(listPath(vhost, of));
  const unbind = useAction();
  const add = useAction();
  const showSource = !('exchangeSource' in of);
  return (
    <div class="bindings" data-bindings>
      {error !== undefined && <ErrorBox error={error} />}
      <table class="list">
        <thead>
          <tr>
            <th>{showSource ? 'From' : 'To'}</th>
            <th>Routing key</th>
            <th>Arguments</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {data?.map((b) => {
            const other = showSource ? b.source : b.destination;
            const otherIsQueue = !showSource && b.destination_type === 'queue';
            return (
              <tr key={`${b.source}|${b.destination_type}|${b.destination}|${b.properties_key}`} data-binding={`${b.source}->${b.destination}:${b.routing_key}`}>
                <td>
                  {other === '' ? (
                    <i>(AMQP default)</i>
                  ) : (
                    <a href={href(otherIsQueue ? 'queues' : 'exchanges', b.vhost, other)}>{other}</a>
                  )}
                </td>
                <td>{b.routing_key}</td>
                <td>{Object.entries(b.arguments).map(([k, v]) => `${k}=${String(v)}`).join(', ')}</td>
                <td>
                  {b.source !== '' && (
                    <button type="button" data-action="Unbind" disabled={unbind.busy} onClick={() => void unbind.run(async () => { await del(bindingPath(b)); reload(); })}>
                      Unbind
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
          {data !== undefined && data.length === 0 && (
            <tr>
              <td colSpan={4} class="empty">
                No bindings
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <ActionResult action={unbind} />
      {canAdd && (
        <Form
          name="bind"
          submit="Bind"
          action={add}
          onSubmit={async (form) => {
            const args = parseKeyValueLines(text(form, 'arguments'), 'Argument');
            const key = text(form, 'routing_key');
            if ('queue' in of) {
              await post(`bindings/${seg(vhost)}/e/${seg(text(form, 'exchange'))}/q/${seg(of.queue)}`, { routing_key: key, arguments: args });
            } else if ('exchangeSource' in of) {
              const kind = text(form, 'destination_type') === 'exchange' ? 'e' : 'q';
              await post(`bindings/${seg(vhost)}/e/${seg(of.exchangeSource)}/${kind}/${seg(text(form, 'destination'))}`, { routing_key: key, arguments: args });
            } else {
              await post(`bindings/${seg(vhost)}/e/${seg(text(form, 'exchange'))}/e/${seg(of.exchangeDestination)}`, { routing_key: key, arguments: args });
            }
            reload();
            return 'Binding added.';
          }}
        >
          {'exchangeSource' in of ? (
            <>
              <Field label="To">
                <select name="destination_type">
                  <option value="queue">queue</option>
                  <option value="exchange">exchange</option>
                </select>{' '}
                <input name="destination" required />
              </Field>
            </>
          ) : (
            <Field label="From exchange">
              <input name="exchange" required />
            </Field>
          )}
          <Field label="Routing key">
            <input name="routing_key" />
          </Field>
          <Field label="Arguments (key=value per line)">
            <textarea name="arguments" rows={2} />
          </Field>
        </Form>
      )}
    </div>
  );
}
