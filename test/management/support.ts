/** An in-process Warren with its management API on a free port, and an API client for it. */
import { startBroker, type RunningBroker } from '../../src/index.js';
import type { BrokerOptions } from '../../src/server/config.js';
import { ApiClient } from './http.js';

export interface ManagedBroker {
  readonly running: RunningBroker;
  readonly api: ApiClient;
  readonly amqpUrl: string;
  /** Takes a statistics sample now (instead of waiting for the 5 s timer). */
  sample(): void;
  close(): Promise<void>;
}

export async function startManagedBroker(options: BrokerOptions = {}): Promise<ManagedBroker> {
  const running = await startBroker({ port: 0, managementPort: 0, bind: ['127.0.0.1'], ...options });
  const url = running.managementUrl;
  if (url === undefined) throw new Error('startBroker gave no managementUrl');
  return {
    running,
    api: new ApiClient(url),
    amqpUrl: running.url,
    sample: () => running.broker.management?.stats.sample(),
    close: () => running.close(),
  };
}
