import type { FieldTable } from '../protocol/field-types.js';
import { createRouter, type ExchangeRouter, type ExchangeType } from '../routing/exchange-router.js';
import type { Queue } from '../queue/queue.js';

/** Where a binding points: a queue, or another exchange (exchange-to-exchange binding). */
export type Destination = Queue | Exchange;

export interface ExchangeOptions {
  readonly name: string;
  readonly type: ExchangeType;
  readonly durable: boolean;
  readonly autoDelete: boolean;
  readonly internal: boolean;
  readonly arguments: FieldTable;
}

export class Exchange {
  readonly name: string;
  readonly type: ExchangeType;
  readonly durable: boolean;
  readonly autoDelete: boolean;
  readonly internal: boolean;
  readonly arguments: FieldTable;
  readonly router: ExchangeRouter<Destination>;
  /** Counters for the management API. */
  readonly stats = { publishIn: 0, publishOut: 0 };

  constructor(options: ExchangeOptions) {
    this.name = options.name;
    this.type = options.type;
    this.durable = options.durable;
    this.autoDelete = options.autoDelete;
    this.internal = options.internal;
    this.arguments = options.arguments;
    this.router = createRouter<Destination>(options.type);
  }
}
