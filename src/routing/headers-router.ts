import type { FieldTable } from '../protocol/field-types.js';
import type { BindingSpec, ExchangeRouter } from './exchange-router.js';
import { tablesEqual } from '../protocol/field-table.js';
import { compileHeadersMatch, matchCompiled, type CompiledHeadersMatch } from './headers-match.js';

interface HeadersBinding<D> extends BindingSpec<D> {
  readonly match: CompiledHeadersMatch;
  /** Position in HeadersRouter.list. */
  index: number;
}

/**
 * Headers exchange: each binding's arguments are tested against the message headers (see
 * headers-match.ts); the routing key plays no part in routing but is part of a binding's identity.
 * Routing is a loop over the bindings, skipping destinations already in the result.
 * Validation of x-match belongs to the caller (validateHeadersBindingArgs) before bind.
 */
export class HeadersRouter<D> implements ExchangeRouter<D> {
  private readonly list: HeadersBinding<D>[] = [];
  private readonly byDest = new Map<D, HeadersBinding<D>[]>();

  get bindingCount(): number {
    return this.list.length;
  }

  bind(destination: D, routingKey: string, args: FieldTable): boolean {
    let mine = this.byDest.get(destination);
    if (mine !== undefined && findBinding(mine, routingKey, args) >= 0) return false;
    const b: HeadersBinding<D> = {
      destination,
      routingKey,
      arguments: args,
      match: compileHeadersMatch(args),
      index: this.list.length,
    };
    this.list.push(b);
    if (mine === undefined) {
      mine = [];
      this.byDest.set(destination, mine);
    }
    mine.push(b);
    return true;
  }

  unbind(destination: D, routingKey: string, args: FieldTable): boolean {
    const mine = this.byDest.get(destination);
    if (mine === undefined) return false;
    const i = findBinding(mine, routingKey, args);
    if (i < 0) return false;
    const b = mine[i] as HeadersBinding<D>;
    mine.splice(i, 1);
    if (mine.length === 0) this.byDest.delete(destination);
    this.dropFromList(b);
    return true;
  }

  hasBinding(destination: D, routingKey: string, args: FieldTable): boolean {
    const mine = this.byDest.get(destination);
    return mine !== undefined && findBinding(mine, routingKey, args) >= 0;
  }

  removeDestination(destination: D): BindingSpec<D>[] {
    const mine = this.byDest.get(destination);
    if (mine === undefined) return [];
    this.byDest.delete(destination);
    const removed: BindingSpec<D>[] = [];
    for (const b of mine) {
      this.dropFromList(b);
      removed.push({ destination, routingKey: b.routingKey, arguments: b.arguments });
    }
    return removed;
  }

  route(_routingKey: string, headers: FieldTable | undefined, out: Set<D>): void {
    const list = this.list;
    for (let i = 0; i < list.length; i++) {
      const b = list[i] as HeadersBinding<D>;
      if (!out.has(b.destination) && matchCompiled(b.match, headers)) out.add(b.destination);
    }
  }

  *bindings(): Generator<BindingSpec<D>> {
    for (const b of this.list) yield { destination: b.destination, routingKey: b.routingKey, arguments: b.arguments };
  }

  /** Swap-remove from the routing list (routing order is not significant). */
  private dropFromList(b: HeadersBinding<D>): void {
    const last = this.list.pop() as HeadersBinding<D>;
    if (b.index < this.list.length) {
      this.list[b.index] = last;
      last.index = b.index;
    }
  }
}

function findBinding<D>(list: readonly HeadersBinding<D>[], routingKey: string, args: FieldTable): number {
  for (let i = 0; i < list.length; i++) {
    const b = list[i] as HeadersBinding<D>;
    if (b.routingKey === routingKey && tablesEqual(b.arguments, args)) return i;
  }
  return -1;
}
