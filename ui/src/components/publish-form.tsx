/**
 * "Publish message": POST /api/exchanges/{vhost}/{exchange}/publish, as RabbitMQ's form. A queue
 * page publishes through the default exchange with the queue's name as routing key.
 */
import { post, seg } from '../api.js';
import { parseKeyValueLines } from './key-value-lines.js';
import { Options } from './options.js';
import { Field, Form, text, useAction } from './ui.js';

interface Props {
  readonly vhost: string;
  readonly exchange: string;
  /** Fixed routing key (a queue's name on its page); editable when absent. */
  readonly routingKey?: string;
}

/** The message properties the form offers as plain text fields (priority sent as a number). */
const PROPERTIES = ['content_type', 'correlation_id', 'reply_to', 'expiration', 'message_id', 'type', 'priority'] as const;

export function PublishForm({ vhost, exchange, routingKey }: Props) {
  const action = useAction();
  return (
    <Form
      name="publish"
      submit="Publish message"
      action={action}
      onSubmit={async (data) => {
        const properties: Record<string, unknown> = {};
        const mode = text(data, 'delivery_mode');
        if (mode !== '') properties['delivery_mode'] = Number(mode);
        // Numbers stay strings, as RabbitMQ's form sends them.
        const headers = parseKeyValueLines(text(data, 'headers'), 'Header');
        if (Object.keys(headers).length > 0) properties['headers'] = headers;
        for (const p of PROPERTIES) {
          const v = text(data, p).trim();
          if (v !== '') properties[p] = p === 'priority' ? Number(v) : v;
        }
        const res = await post<{ routed: boolean }>(`exchanges/${seg(vhost)}/${seg(exchange)}/publish`, {
          properties,
          routing_key: routingKey ?? text(data, 'routing_key'),
          payload: text(data, 'payload'),
          payload_encoding: text(data, 'payload_encoding') || 'string',
        });
        return res.routed ? 'Message published.' : 'Message published, but not routed.';
      }}
    >
      {routingKey === undefined && (
        <Field label="Routing key">
          <input name="routing_key" />
        </Field>
      )}
      <Field label="Delivery mode">
        <select name="delivery_mode">
          <Options
            choices={[
              ['1', '1 - Non-persistent'],
              ['2', '2 - Persistent'],
            ]}
          />
        </select>
      </Field>
      <Field label="Headers (key=value per line)">
        <textarea name="headers" rows={2} />
      </Field>
      <Field label="Properties">
        <div class="props">
          {PROPERTIES.map((p) => (
            <input key={p} name={p} placeholder={p} size={14} />
          ))}
        </div>
      </Field>
      <Field label="Payload">
        <textarea name="payload" rows={4} />
      </Field>
      <Field label="Payload encoding">
        <select name="payload_encoding">
          <Options
            choices={[
              ['string', 'String (default)'],
              ['base64', 'Base64'],
            ]}
          />
        </select>
      </Field>
    </Form>
  );
}
