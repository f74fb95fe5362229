import type { FieldTable } from '../protocol/field-types.js';
import { DestBucket } from './dest-bucket.js';
import type { BindingSpec, ExchangeRouter } from './exchange-router.js';

/** Direct exchange: a message goes to the bindings whose key equals its routing key exactly. */
export class DirectRouter<D> implements ExchangeRouter<D> {
  private readonly byKey = new Map<string, DestBucket<D>>();
  /** destination → routing keys it is bound with (for removeDestination). */
  private readonly keysOf = new Map<D, Set<string>>();
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
    let keys = this.keysOf.get(destination);
    if (keys === undefined) {
      keys = new Set<string>();
      this.keysOf.set(destination, keys);
    }
    keys.add(routingKey);
    this.count++;
    return true;
  }

  unbind(destination: D, routingKey: string, args: FieldTable): boolean {
    const bucket = this.byKey.get(routingKey);
    if (bucket === undefined || !bucket.remove(destination, args)) return false;
    this.count--;
    if (bucket.size === 0) this.byKey.delete(routingKey);
    if (!bucket.hasDest(destination)) {
      const keys = this.keysOf.get(destination);
      if (keys !== undefined) {
        keys.delete(routingKey);
        if (keys.size === 0) this.keysOf.delete(destination);
      }
    }
    return true;
  }

  hasBinding(destination: D, routingKey: string, args: FieldTable): boolean {
    return this.byKey.get(routingKey)?.has(destination, args) ?? false;
  }

  removeDestination(destination: D): BindingSpec<D>[] {
    const keys = this.keysOf.get(destination);
    if (keys === undefined) return [];
    this.keysOf.delete(destination);
    const removed: BindingSpec<D>[] = [];
    for (const routingKey of keys) {
      const bucket = this.byKey.get(routingKey);
      if (bucket === undefined) continue;
      for (const a of bucket.removeDest(destination)) {
        removed.push({ destination, routingKey, arguments: a });
      }
      if (bucket.size === 0) this.byKey.delete(routingKey);
    }
    this.count -= removed.length;
    return removed;
  }

  route(routingKey: string, _headers: FieldTable | undefined, out: Set<D>): void {
    const bucket = this.byKey.get(routingKey);
    if (bucket !== undefined) bucket.routeTo(out);
  }

  *bindings(): Generator<BindingSpec<D>> {
    for (const [routingKey, bucket] of this.byKey) {
      for (const [destination, a] of bucket.bindings()) yield { destination, routingKey, arguments: a };
    }
  }
}
