import type { Broker } from '../../server/broker.js';
import type { Queue } from '../../queue/queue.js';
import type { ApiContext } from '../context.js';
import type { StatsDb } from '../stats/stats-db.js';
import { parseRanges, type Ranges } from '../stats/ranges.js';

/** What formatting rows needs, computed once per request. */
export class FormatContext {
  readonly broker: Broker;
  readonly stats: StatsDb;
  readonly ranges: Ranges;
  private unackedBytes: Map<Queue, number> | null = null;

  constructor(ctx: ApiContext) {
    this.broker = ctx.broker;
    this.stats = ctx.stats;
    this.ranges = parseRanges(ctx.query, Date.now());
  }

  /** Bytes of a queue's delivered-but-unacked messages (held by channels; summed once per request). */
  unackedBytesOf(q: Queue): number {
    if (this.unackedBytes === null) {
      const m = new Map<Queue, number>();
      for (const c of this.broker.connections) {
        for (const ch of c.channels.values()) {
          for (const u of ch.unacked.values()) m.set(u.queue, (m.get(u.queue) ?? 0) + u.entry.size);
        }
      }
      this.unackedBytes = m;
    }
    return this.unackedBytes.get(q) ?? 0;
  }
}
