import { Broker } from './server/broker.js';
import type { BrokerOptions } from './server/config.js';

export type { BrokerOptions } from './server/config.js';
export { Broker } from './server/broker.js';

/** A broker running in this process. */
export interface RunningBroker {
  /** amqp://guest:guest@127.0.0.1:PORT (the default user, on the first bind address). */
  readonly url: string;
  readonly port: number;
  /** http://127.0.0.1:PORT (the first bind address), when `managementPort` was given. */
  readonly managementUrl?: string;
  /** http://127.0.0.1:PORT/metrics (the first bind address), when `prometheusPort` was given. */
  readonly prometheusUrl?: string;
  readonly broker: Broker;
  close(): Promise<void>;
}

/**
 * Starts a broker in this process, e.g. for an application's test suite:
 * `const b = await startBroker({ port: 0 })` then connect to `b.url`, and `await b.close()`.
 * It keeps everything in memory. Logging is off unless `logLevel` is given. With `managementPort`
 * (0 for a free one) it also serves the management HTTP API at `managementUrl`, and with
 * `prometheusPort` Prometheus metrics at `prometheusUrl`.
 */
export async function startBroker(options: BrokerOptions = {}): Promise<RunningBroker> {
  const broker = new Broker({ logLevel: 'silent', ...options });
  await broker.listen();
  const host = broker.options.bind[0]!;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const user = encodeURIComponent(broker.options.defaultUser);
  const pass = encodeURIComponent(broker.options.defaultPass);
  return {
    url: `amqp://${user}:${pass}@${hostPart}:${broker.port}`,
    port: broker.port,
    ...(broker.options.managementPort !== null ? { managementUrl: `http://${hostPart}:${broker.managementPort}` } : {}),
    ...(broker.options.prometheusPort !== null ? { prometheusUrl: `http://${hostPart}:${broker.prometheusPort}/metrics` } : {}),
    broker,
    close: () => broker.close(),
  };
}
