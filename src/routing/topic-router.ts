import type { FieldTable } from '../protocol/field-types.js';
import type { BindingSpec, ExchangeRouter } from './exchange-router.js';
import { TopicTrie } from './topic-trie.js';

/** Topic exchange: binding keys are patterns of dot-separated words with '*' and '#'. */
export class TopicRouter<D> implements ExchangeRouter<D> {
  private readonly trie = new TopicTrie<D>();

  get bindingCount(): number {
    return this.trie.size;
  }

  bind(destination: D, routingKey: string, args: FieldTable): boolean {
    return this.trie.add(routingKey, destination, args);
  }

  unbind(destination: D, routingKey: string, args: FieldTable): boolean {
    return this.trie.remove(routingKey, destination, args);
  }

  hasBinding(destination: D, routingKey: string, args: FieldTable): boolean {
    return this.trie.has(routingKey, destination, args);
  }

  removeDestination(destination: D): BindingSpec<D>[] {
    return this.trie.removeDestination(destination);
  }

  route(routingKey: string, _headers: FieldTable | undefined, out: Set<D>): void {
    this.trie.match(routingKey, out);
  }

  bindings(): Iterable<BindingSpec<D>> {
    return this.trie.bindings();
  }
}
