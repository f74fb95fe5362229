import type { FieldTable } from '../protocol/field-types.js';
import { DestBucket } from './dest-bucket.js';
import type { BindingSpec } from './exchange-router.js';

/*
 * Topic matching as RabbitMQ does it (rabbit_db_topic_exchange.erl, split_topic_key/1 and
 * trie_match/5):
 *
 * - A key is split on every '.', keeping empty words: "a..b" is ["a", "", "b"], "a." is ["a", ""],
 *   "." is ["", ""]. The one exception is the empty key, which is zero words (split_topic_key(<<>>)
 *   is []), not one empty word. Binding keys and routing keys split the same way.
 * - In a binding key, the word "*" matches exactly one word and "#" zero or more; every other word
 *   (including "") matches itself. In a routing key "*" and "#" are ordinary words.
 * - Hence "#" matches every routing key including ""; "*" does not match "" but matches "x" and
 *   "" is not a word of ""; the binding key "" matches only the routing key "".
 *
 * RabbitMQ walks the trie recursively and gathers duplicates; we simulate the same trie as an NFA
 * over the words, keeping the set of live nodes per word (deduplicated with an epoch mark), which
 * is O(words × live nodes) however many '#' a pattern has. A node reached through a '#' edge loops
 * on any word; entering a node also enters its '#' child (zero words).
 */

class TrieNode<D> {
  children: Map<string, TrieNode<D>> | null = null;
  star: TrieNode<D> | null = null;
  hash: TrieNode<D> | null = null;
  bucket: DestBucket<D> | null = null;
  /** The binding key of the bindings in bucket (set when the first binding is added). */
  key = '';
  /** Epoch of the last match step that put this node in the live set. */
  mark = 0;
  /** Reached through a '#' edge: matches any number of words, so it loops on every word. */
  readonly isHash: boolean;

  constructor(
    readonly parent: TrieNode<D> | null,
    /** Label of the edge from parent: '*', '#' or a literal word. */
    readonly word: string,
  ) {
    this.isHash = parent !== null && word === '#';
  }

  isEmpty(): boolean {
    return (
      this.bucket === null &&
      this.star === null &&
      this.hash === null &&
      (this.children === null || this.children.size === 0)
    );
  }
}

/** Splits a topic key into words as RabbitMQ does: "" → [], otherwise split on every '.'. */
export function splitTopicKey(key: string): string[] {
  return key === '' ? [] : key.split('.');
}

export class TopicTrie<D> {
  private readonly root = new TrieNode<D>(null, '');
  /** destination → trie nodes holding at least one of its bindings. */
  private readonly nodesOf = new Map<D, Set<TrieNode<D>>>();
  private count = 0;
  private epoch = 0;
  // Scratch live sets, reused by every match (match is synchronous and not re-entrant).
  private cur: TrieNode<D>[] = [];
  private next: TrieNode<D>[] = [];
  private nextLen = 0;

  /** Number of bindings. */
  get size(): number {
    return this.count;
  }

  add(bindingKey: string, dest: D, args: FieldTable): boolean {
    let node = this.root;
    for (const w of splitTopicKey(bindingKey)) node = this.childFor(node, w);
    if (node.bucket === null) {
      node.bucket = new DestBucket<D>();
      node.key = bindingKey;
    }
    if (!node.bucket.add(dest, args)) {
      this.prune(node);
      return false;
    }
    let nodes = this.nodesOf.get(dest);
    if (nodes === undefined) {
      nodes = new Set<TrieNode<D>>();
      this.nodesOf.set(dest, nodes);
    }
    nodes.add(node);
    this.count++;
    return true;
  }

  remove(bindingKey: string, dest: D, args: FieldTable): boolean {
    const node = this.find(bindingKey);
    if (node === undefined || node.bucket === null || !node.bucket.remove(dest, args)) return false;
    this.count--;
    if (!node.bucket.hasDest(dest)) this.forgetNode(dest, node);
    if (node.bucket.size === 0) {
      node.bucket = null;
      this.prune(node);
    }
    return true;
  }

  has(bindingKey: string, dest: D, args: FieldTable): boolean {
    return this.find(bindingKey)?.bucket?.has(dest, args) ?? false;
  }

  removeDestination(dest: D): BindingSpec<D>[] {
    const nodes = this.nodesOf.get(dest);
    if (nodes === undefined) return [];
    this.nodesOf.delete(dest);
    const removed: BindingSpec<D>[] = [];
    for (const node of nodes) {
      if (node.bucket === null) continue;
      for (const a of node.bucket.removeDest(dest)) {
        removed.push({ destination: dest, routingKey: node.key, arguments: a });
      }
      if (node.bucket.size === 0) {
        node.bucket = null;
        this.prune(node);
      }
    }
    this.count -= removed.length;
    return removed;
  }

  *bindings(): Generator<BindingSpec<D>> {
    const stack: TrieNode<D>[] = [this.root];
    for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
      if (n.bucket !== null) {
        for (const [destination, a] of n.bucket.bindings()) {
          yield { destination, routingKey: n.key, arguments: a };
        }
      }
      if (n.hash !== null) stack.push(n.hash);
      if (n.star !== null) stack.push(n.star);
      if (n.children !== null) for (const c of n.children.values()) stack.push(c);
    }
  }

  /** Adds to out the destination of every binding whose key matches routingKey. */
  match(routingKey: string, out: Set<D>): void {
    if (this.count === 0) return;
    this.nextLen = 0;
    this.epoch++;
    this.enter(this.root);
    let liveLen = this.swap();
    if (routingKey !== '') {
      let start = 0;
      for (;;) {
        const dot = routingKey.indexOf('.', start);
        const word = dot < 0 ? routingKey.slice(start) : routingKey.slice(start, dot);
        this.epoch++;
        const live = this.cur;
        for (let i = 0; i < liveLen; i++) {
          const n = live[i] as TrieNode<D>;
          if (n.children !== null) {
            const c = n.children.get(word);
            if (c !== undefined) this.enter(c);
          }
          if (n.star !== null) this.enter(n.star);
          if (n.isHash) this.enter(n);
        }
        liveLen = this.swap();
        if (liveLen === 0 || dot < 0) break;
        start = dot + 1;
      }
    }
    const live = this.cur;
    for (let i = 0; i < liveLen; i++) {
      const b = (live[i] as TrieNode<D>).bucket;
      if (b !== null) b.routeTo(out);
    }
    // The scratch arrays keep their slots (no reallocation per message); stale slots beyond the
    // live length are never read.
  }

  /** Puts n and its chain of '#' children in the next live set, each once per step. */
  private enter(n: TrieNode<D> | null): void {
    const epoch = this.epoch;
    while (n !== null && n.mark !== epoch) {
      n.mark = epoch;
      this.next[this.nextLen++] = n;
      n = n.hash;
    }
  }

  /** Makes next the current live set; returns its length. */
  private swap(): number {
    const len = this.nextLen;
    const t = this.cur;
    this.cur = this.next;
    this.next = t;
    this.nextLen = 0;
    return len;
  }

  private childFor(node: TrieNode<D>, w: string): TrieNode<D> {
    if (w === '*') return (node.star ??= new TrieNode<D>(node, w));
    if (w === '#') return (node.hash ??= new TrieNode<D>(node, w));
    node.children ??= new Map();
    let c = node.children.get(w);
    if (c === undefined) {
      c = new TrieNode<D>(node, w);
      node.children.set(w, c);
    }
    return c;
  }

  private find(bindingKey: string): TrieNode<D> | undefined {
    let node: TrieNode<D> | null | undefined = this.root;
    for (const w of splitTopicKey(bindingKey)) {
      if (w === '*') node = node.star;
      else if (w === '#') node = node.hash;
      else node = node.children?.get(w);
      if (node === null || node === undefined) return undefined;
    }
    return node;
  }

  private forgetNode(dest: D, node: TrieNode<D>): void {
    const nodes = this.nodesOf.get(dest);
    if (nodes === undefined) return;
    nodes.delete(node);
    if (nodes.size === 0) this.nodesOf.delete(dest);
  }

  /** Removes node and its ancestors while they hold nothing. */
  private prune(node: TrieNode<D>): void {
    let n: TrieNode<D> = node;
    while (n.parent !== null && n.isEmpty()) {
      const p: TrieNode<D> = n.parent;
      if (n.word === '*' && p.star === n) p.star = null;
      else if (n.word === '#' && p.hash === n) p.hash = null;
      else if (p.children !== null) {
        p.children.delete(n.word);
        if (p.children.size === 0) p.children = null;
      }
      n = p;
    }
  }
}
