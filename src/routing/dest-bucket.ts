import type { FieldTable } from '../protocol/field-types.js';
import { tablesEqual } from '../protocol/field-table.js';

interface DestEntry {
  /** Position of the destination in DestBucket.dests. */
  index: number;
  /** The argument tables of this destination's bindings here (distinct by tablesEqual). */
  readonly args: FieldTable[];
}

/**
 * The bindings that share one routing key (or one trie node): a destination may be bound several
 * times with different arguments, but it is routed to once. `dests` is a dense array of distinct
 * destinations so that routing is a plain loop.
 */
export class DestBucket<D> {
  /** Distinct destinations, in no particular order. Read-only for callers. */
  readonly dests: D[] = [];
  private readonly entries = new Map<D, DestEntry>();
  private count = 0;

  /** Number of bindings (not destinations) in the bucket. */
  get size(): number {
    return this.count;
  }

  add(dest: D, args: FieldTable): boolean {
    const e = this.entries.get(dest);
    if (e === undefined) {
      this.entries.set(dest, { index: this.dests.length, args: [args] });
      this.dests.push(dest);
      this.count++;
      return true;
    }
    for (const a of e.args) if (tablesEqual(a, args)) return false;
    e.args.push(args);
    this.count++;
    return true;
  }

  has(dest: D, args: FieldTable): boolean {
    const e = this.entries.get(dest);
    if (e === undefined) return false;
    for (const a of e.args) if (tablesEqual(a, args)) return true;
    return false;
  }

  hasDest(dest: D): boolean {
    return this.entries.has(dest);
  }

  /** Removes one binding; returns false if there was none. */
  remove(dest: D, args: FieldTable): boolean {
    const e = this.entries.get(dest);
    if (e === undefined) return false;
    for (let i = 0; i < e.args.length; i++) {
      if (tablesEqual(e.args[i] as FieldTable, args)) {
        e.args.splice(i, 1);
        this.count--;
        if (e.args.length === 0) this.dropDest(dest, e);
        return true;
      }
    }
    return false;
  }

  /** Removes every binding of dest; returns their argument tables (empty if none). */
  removeDest(dest: D): FieldTable[] {
    const e = this.entries.get(dest);
    if (e === undefined) return [];
    this.count -= e.args.length;
    this.dropDest(dest, e);
    return e.args;
  }

  /** Every binding as [destination, args]. */
  *bindings(): Generator<[D, FieldTable]> {
    for (const [d, e] of this.entries) for (const a of e.args) yield [d, a];
  }

  /** Adds every destination to out. */
  routeTo(out: Set<D>): void {
    const ds = this.dests;
    for (let i = 0; i < ds.length; i++) out.add(ds[i] as D);
  }

  private dropDest(dest: D, e: DestEntry): void {
    this.entries.delete(dest);
    const last = this.dests.pop() as D;
    if (e.index < this.dests.length) {
      this.dests[e.index] = last;
      (this.entries.get(last) as DestEntry).index = e.index;
    }
  }
}
