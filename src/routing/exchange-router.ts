import type { FieldTable } from '../protocol/field-types.js';
import { DirectRouter } from './direct-router.js';
import { FanoutRouter } from './fanout-router.js';
import { HeadersRouter } from './headers-router.js';
import { TopicRouter } from './topic-router.js';

export interface BindingSpec<D> {
  readonly destination: D;
  readonly routingKey: string;
  readonly arguments: FieldTable;
}

/**
 * The bindings of one exchange and how it routes. A binding is identified, as in RabbitMQ, by
 * (destination, routing key, arguments): the same destination and key with different arguments
 * are two bindings, for every exchange type. Arguments compare by type and value, top-level keys
 * in any order.
 *
 * Destinations are compared by identity (Map/Set semantics), so the broker passes the same object
 * (or the same primitive id) for the same queue or exchange.
 */
export interface ExchangeRouter<D> {
  /** Adds a binding; false if an identical one (same destination, key and equal args) exists. */
  bind(destination: D, routingKey: string, args: FieldTable): boolean;
  /** Removes a binding; false if there was no such binding. */
  unbind(destination: D, routingKey: string, args: FieldTable): boolean;
  hasBinding(destination: D, routingKey: string, args: FieldTable): boolean;
  /** Removes every binding to destination and returns them. */
  removeDestination(destination: D): BindingSpec<D>[];
  /**
   * Adds the destinations of the bindings that match to out (a destination bound several ways
   * appears once, being a Set). Call once per routing key of a message (CC/BCC headers give a
   * message several) with the same out. Allocates nothing per binding.
   */
  route(routingKey: string, headers: FieldTable | undefined, out: Set<D>): void;
  /** Number of bindings. */
  readonly bindingCount: number;
  /** Every binding (a snapshot is not taken: do not mutate while iterating). */
  bindings(): Iterable<BindingSpec<D>>;
}

export type ExchangeType = 'direct' | 'fanout' | 'topic' | 'headers';

export const EXCHANGE_TYPES: readonly ExchangeType[] = ['direct', 'fanout', 'topic', 'headers'];

export function isExchangeType(s: string): s is ExchangeType {
  return s === 'direct' || s === 'fanout' || s === 'topic' || s === 'headers';
}

export function createRouter<D>(type: ExchangeType): ExchangeRouter<D> {
  switch (type) {
    case 'direct':
      return new DirectRouter<D>();
    case 'fanout':
      return new FanoutRouter<D>();
    case 'topic':
      return new TopicRouter<D>();
    case 'headers':
      return new HeadersRouter<D>();
  }
}
