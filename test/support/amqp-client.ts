/**
 * @cloudamqp/amqp-client helpers: connect with a bound, close quietly, and decode the
 * "channel N closed: TEXT (CODE)" / "connection closed: TEXT (CODE)" errors it raises.
 */
import { AMQPClient } from '@cloudamqp/amqp-client';
import type { AMQPBaseClient } from '@cloudamqp/amqp-client';
import type { TestBroker } from './broker.js';
import { brokerUrl } from './broker.js';
import { withTimeout } from './wait.js';

export interface ClientClose {
  readonly scope: 'channel' | 'connection';
  readonly code: number;
  readonly text: string;
}

/** Decodes an amqp-client error caused by a server channel.close or connection.close. */
export function clientClose(err: unknown): ClientClose {
  const message = err instanceof Error ? err.message : String(err);
  const m = /^(channel \d+|connection) closed: ([\s\S]*) \((\d+)\)$/.exec(message);
  if (m === null) throw new Error(`not a server close: ${message}`);
  return { scope: m[1] === 'connection' ? 'connection' : 'channel', code: Number(m[3]), text: m[2] ?? '' };
}

/** Awaits a promise that must reject with a server close. */
export async function clientRejection(promise: Promise<unknown>, timeoutMs = 5000): Promise<ClientClose> {
  try {
    await withTimeout(promise, timeoutMs, 'operation expected to fail');
  } catch (err) {
    return clientClose(err);
  }
  throw new Error('expected the operation to fail, but it succeeded');
}

export class AmqpClients {
  private readonly open: AMQPBaseClient[] = [];

  constructor(readonly broker: TestBroker) {}

  async connect(query?: Record<string, string | number>): Promise<AMQPBaseClient> {
    const url = brokerUrl(this.broker, query === undefined ? {} : { query });
    const client = new AMQPClient(url);
    const conn = await withTimeout(client.connect(), 10_000, `amqp-client connect ${url}`);
    conn.onerror = () => {};
    this.open.push(conn);
    return conn;
  }

  async closeAll(): Promise<void> {
    const all = this.open.splice(0);
    await Promise.all(
      all.map(async (c) => {
        if (c.closed) return;
        try {
          await withTimeout(c.close(), 5000, 'amqp-client close');
        } catch {
          // closed by the server meanwhile
        }
      }),
    );
  }
}
