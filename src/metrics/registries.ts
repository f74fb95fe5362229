import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Broker } from '../server/broker.js';
import { messageMetrics } from './message-metrics.js';
import { nodeMetrics } from './node-metrics.js';
import { objectMetrics } from './object-metrics.js';
import { BrokerSnapshot } from './snapshot.js';

/** What each endpoint serves. */
export interface MetricsRegistries {
  /** `/metrics`: node figures, object counts, global message counters, one series per queue. */
  readonly metrics: Registry;
  /** `/metrics/per-object`: all of the above plus one series per connection and per channel. */
  readonly perObject: Registry;
}

let processRegistry: Registry | null = null;

/**
 * prom-client's default metrics (process_*, nodejs_*: CPU, memory, event-loop lag, GC). They
 * describe the process, and their collectors (an event-loop delay monitor, a GC observer) stay
 * on for good, so every broker in the process shares one set.
 */
function processMetrics(): Registry {
  if (processRegistry === null) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * The broker's metrics in registries of their own (never prom-client's global one, so several
 * brokers can live in one process). Every value is read from the broker when a scrape asks.
 */
export function createRegistries(broker: Broker): MetricsRegistries {
  const own = new Registry();
  nodeMetrics(own, broker);
  messageMetrics(own, new BrokerSnapshot(broker));
  const objects = new Registry();
  objectMetrics(objects, broker);
  const metrics = Registry.merge([own, processMetrics()]);
  return { metrics, perObject: Registry.merge([metrics, objects]) };
}
