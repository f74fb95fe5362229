import type { FieldTable } from '../protocol/field-types.js';
import { DestBucket } from './dest-bucket.js';
import type { BindingSpec, ExchangeRouter } from './exchange-router.js';

/**
 * Fanout exchange: every message goes to every destination. The routing key of a binding is kept
 * (it is part of the binding's identity and is listed) but plays no part in routing.
 */
export class FanoutRouter<D> implements ExchangeRouter<D> {
  /** Distinct destinations, for routing. */
  private readonly all = new DestBucket<D>();
  /** routing key → bindings with that key (identity and listing). */
  private readonly byKey = new Map<string, DestBucket<D>>();
  /** destination → number of its bindings. */
  private readonly perDest = new Map<D, number>();
  private count = 0;

  get bindingCount(): number {
    return this.count;
  }

  bind(destination: D, routingKey: string, args: FieldTable): boolean {
    let bucket = this.byKey.get(routingKey);
    if (bucket === undefined) {
      bucket = new DestBucket<D>();
      this.byKey.set(routingKey, bucket);
    }
    if (!bucket.add(destination, args)) return false;
    const n = this.perDest.get(destination) ?? 0;
    if (n === 0) this.all.add(destination, EMPTY);
    this.perDest.set(destination, n + 1);
    this.count++;
    return true;
  }

  unbind(destination: D, routingKey: string, args: FieldTable): boolean {
    const bucket = this.byKey.get(routingKey);
    if (bucket === undefined || !bucket.remove(destination, args)) return false;
    if (bucket.size === 0) this.byKey.delete(routingKey);
    const n = (this.perDest.get(destination) ?? 1) - 1;
    if (n === 0) {
      this.perDest.delete(destination);
      this.all.removeDest(destination);
    } else {
      this.perDest.set(destination, n);
    }
    this.count--;
    return true;
  }

  hasBinding(destination: D, routingKey: string, args: FieldTable): boolean {
    return this.byKey.get(routingKey)?.has(destination, args) ?? false;
  }

  removeDestination(destination: D): BindingSpec<D>[] {
    if (!this.perDest.has(destination)) return [];
    this.perDest.delete(destination);
    this.all.removeDest(destination);
    const removed: BindingSpec<D>[] = [];
    for (const [routingKey, bucket] of this.byKey) {
      for (const a of bucket.removeDest(destination)) removed.push({ destination, routingKey, arguments: a });
      if (bucket.size === 0) this.byKey.delete(routingKey);
    }
    this.count -= removed.length;
    return removed;
  }

  route(_routingKey: string, _headers: FieldTable | undefined, out: Set<D>): void {
    this.all.routeTo(out);
  }

  *bindings(): Generator<BindingSpec<D>> {
    for (const [routingKey, bucket] of this.byKey) {
      for (const [destination, a] of bucket.bindings()) yield { destination, routingKey, arguments: a };
    }
  }
}

const EMPTY: FieldTable = new Map();
