import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { FieldTable, FieldValue } from '../../src/protocol/field-types.js';
import { splitTopicKey, TopicTrie } from '../../src/routing/topic-trie.js';
import { createRouter } from '../../src/routing/exchange-router.js';

const E: FieldTable = new Map();
const args = (k: string, v: FieldValue): FieldTable => new Map([[k, v]]);

function routeOne(patterns: readonly string[], key: string): string[] {
  const trie = new TopicTrie<string>();
  for (const p of patterns) trie.add(p, p, E);
  const out = new Set<string>();
  trie.match(key, out);
  return [...out].sort();
}

function matches(pattern: string, key: string): boolean {
  return routeOne([pattern], key).length === 1;
}

// ---------------------------------------------------------------------------------------------
// Oracle: a transliteration of RabbitMQ's rabbit_db_topic_exchange trie_match/5 and
// trie_match_skip_any/5 over a naive trie whose edges are words ("*" and "#" included).

interface ONode {
  readonly edges: Map<string, ONode>;
  readonly dests: string[];
}

function oracleTrie(patterns: readonly string[]): ONode {
  const root: ONode = { edges: new Map(), dests: [] };
  for (const p of patterns) {
    let n = root;
    for (const w of splitTopicKey(p)) {
      let c = n.edges.get(w);
      if (c === undefined) {
        c = { edges: new Map(), dests: [] };
        n.edges.set(w, c);
      }
      n = c;
    }
    n.dests.push(p);
  }
  return root;
}

function oracleMatch(root: ONode, key: string): string[] {
  const acc = new Set<string>();
  const trieMatch = (node: ONode, words: readonly string[]): void => {
    if (words.length === 0) {
      for (const d of node.dests) acc.add(d);
      const h = node.edges.get('#');
      if (h !== undefined) skipAny(h, []);
      return;
    }
    const [w, ...rest] = words as [string, ...string[]];
    const c = node.edges.get(w);
    if (c !== undefined) trieMatch(c, rest);
    const s = node.edges.get('*');
    if (s !== undefined) trieMatch(s, rest);
    const h = node.edges.get('#');
    if (h !== undefined) skipAny(h, words);
  };
  const skipAny = (node: ONode, words: readonly string[]): void => {
    if (words.length === 0) {
      trieMatch(node, []);
      return;
    }
    trieMatch(node, words);
    skipAny(node, words.slice(1));
  };
  trieMatch(root, splitTopicKey(key));
  return [...acc].sort();
}

// ---------------------------------------------------------------------------------------------

test('split: empty key is zero words, empty words are kept', () => {
  assert.deepEqual(splitTopicKey(''), []);
  assert.deepEqual(splitTopicKey('a'), ['a']);
  assert.deepEqual(splitTopicKey('a..b'), ['a', '', 'b']);
  assert.deepEqual(splitTopicKey('a.'), ['a', '']);
  assert.deepEqual(splitTopicKey('.'), ['', '']);
});

test('RabbitMQ tutorial and documented examples', () => {
  // abc.#
  assert.ok(matches('abc.#', 'abc'));
  assert.ok(matches('abc.#', 'abc.x'));
  assert.ok(matches('abc.#', 'abc.x.y'));
  assert.ok(!matches('abc.#', 'abcd'));
  assert.ok(!matches('abc.#', 'x.abc'));
  // abc.*
  assert.ok(matches('abc.*', 'abc.x'));
  assert.ok(!matches('abc.*', 'abc'));
  assert.ok(!matches('abc.*', 'abc.x.y'));
  assert.ok(matches('abc.*', 'abc.'), 'the empty word is a word');
  // #.a and *.a
  assert.ok(matches('#.a', 'a'));
  assert.ok(matches('#.a', 'x.a'));
  assert.ok(matches('#.a', 'x.y.a'));
  assert.ok(!matches('#.a', 'a.x'));
  assert.ok(matches('*.a', 'x.a'));
  assert.ok(!matches('*.a', 'a'));
  assert.ok(!matches('*.a', 'x.y.a'));
  assert.ok(matches('*.a', '.a'));
  // # alone
  for (const k of ['', 'a', 'a.b', '.', 'a..b', '#', '*']) assert.ok(matches('#', k), `# vs ${JSON.stringify(k)}`);
  assert.ok(matches('#.#', ''));
  // * alone: exactly one word; the empty key has none
  assert.ok(!matches('*', ''));
  assert.ok(matches('*', 'a'));
  assert.ok(!matches('*', '.'), '"." is two empty words');
  assert.ok(!matches('*', 'a.b'));
  assert.ok(matches('*.*', '.'));
  // empty binding key matches only the empty routing key
  assert.ok(matches('', ''));
  assert.ok(!matches('', 'a'));
  assert.ok(!matches('', '.'));
  // tutorial 5
  const tut = ['*.orange.*', '*.*.rabbit', 'lazy.#'];
  assert.deepEqual(routeOne(tut, 'quick.orange.rabbit'), ['*.*.rabbit', '*.orange.*']);
  assert.deepEqual(routeOne(tut, 'lazy.orange.elephant'), ['*.orange.*', 'lazy.#']);
  assert.deepEqual(routeOne(tut, 'quick.orange.fox'), ['*.orange.*']);
  assert.deepEqual(routeOne(tut, 'lazy.brown.fox'), ['lazy.#']);
  assert.deepEqual(routeOne(tut, 'lazy.pink.rabbit'), ['*.*.rabbit', 'lazy.#']);
  assert.deepEqual(routeOne(tut, 'quick.brown.fox'), []);
  assert.deepEqual(routeOne(tut, 'orange'), []);
  assert.deepEqual(routeOne(tut, 'quick.orange.new.rabbit'), []);
  assert.deepEqual(routeOne(tut, 'lazy.orange.new.rabbit'), ['lazy.#']);
  // a.#.b
  assert.ok(matches('a.#.b', 'a.b'));
  assert.ok(matches('a.#.b', 'a.x.b'));
  assert.ok(matches('a.#.b', 'a.x.y.b'));
  assert.ok(!matches('a.#.b', 'a'));
  assert.ok(!matches('a.#.b', 'a.b.c'));
  assert.ok(matches('#.b.#', 'b'));
  assert.ok(matches('*.#', 'a'));
  assert.ok(!matches('*.#', ''));
  assert.ok(matches('#.*', 'a.b.c'));
  // '*' and '#' in a routing key are ordinary words
  assert.ok(matches('*', '#'));
  assert.ok(!matches('a.#', 'b.#'));
  assert.ok(!matches('a.*.c', 'a.b.*'));
  assert.ok(matches('a..b', 'a..b'));
  assert.ok(!matches('a..b', 'a.b'));
});

test('many # against a long key stays fast', () => {
  const pattern = '#.#.#.#.#.#.#.#.#.#.a';
  const words = Array.from({ length: 127 }, () => 'x'); // 127 words, 253 bytes
  const miss = words.join('.');
  const hit = [...words.slice(1), 'a'].join('.');
  const t0 = process.hrtime.bigint();
  assert.ok(!matches(pattern, miss));
  assert.ok(matches(pattern, hit));
  const emptyWords = '.'.repeat(254); // 255 empty words
  assert.ok(!matches(pattern, emptyWords));
  assert.ok(matches('#.#.#.#.#.*.#.#.#.#.#', emptyWords));
  const trie = new TopicTrie<number>();
  for (let i = 0; i < 100; i++) trie.add('#.'.repeat(i % 20) + '*.#.x', i, E);
  trie.match(miss, new Set());
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  assert.ok(ms < 500, `took ${ms} ms`);
});

test('a destination bound by several matching patterns is routed once', () => {
  const r = createRouter<string>('topic');
  assert.ok(r.bind('q', 'a.*', E));
  assert.ok(r.bind('q', 'a.#', E));
  assert.ok(r.bind('q', '#', E));
  assert.ok(r.bind('q', '#', args('x', { type: 'S', value: 'y' })));
  assert.ok(r.bind('p', 'a.b', E));
  const out = new Set<string>();
  r.route('a.b', undefined, out);
  assert.deepEqual([...out].sort(), ['p', 'q']);
  assert.equal(r.bindingCount, 5);
});

test('bind / unbind / removeDestination bookkeeping', () => {
  const r = createRouter<string>('topic');
  const A = args('k', { type: 'I', value: 1 });
  const A2 = args('k', { type: 'I', value: 1 });
  const B = args('k', { type: 'l', value: 1n });
  assert.equal(r.bind('q1', 'a.#', E), true);
  assert.equal(r.bind('q1', 'a.#', new Map()), false, 'equal args → same binding');
  assert.equal(r.bind('q1', 'a.#', A), true, 'different args → another binding');
  assert.equal(r.bind('q1', 'a.#', A2), false);
  assert.equal(r.bind('q1', 'a.#', B), true, 'same number, different type → another binding');
  assert.equal(r.bind('q2', 'a.#', E), true);
  assert.equal(r.bind('q2', '*.b', E), true);
  assert.equal(r.bindingCount, 5);
  assert.ok(r.hasBinding('q1', 'a.#', A2));
  assert.ok(!r.hasBinding('q1', 'a.*', A));
  assert.ok(!r.hasBinding('q3', 'a.#', E));

  assert.equal(r.unbind('q1', 'a.#', A2), true);
  assert.equal(r.unbind('q1', 'a.#', A2), false);
  assert.equal(r.unbind('q1', 'a.*', E), false);
  assert.equal(r.bindingCount, 4);

  const out = new Set<string>();
  r.route('a.b', undefined, out);
  assert.deepEqual([...out].sort(), ['q1', 'q2']);

  const removed = r.removeDestination('q1');
  assert.equal(removed.length, 2);
  assert.ok(removed.every((b) => b.destination === 'q1' && b.routingKey === 'a.#'));
  assert.deepEqual(r.removeDestination('q1'), []);
  assert.equal(r.bindingCount, 2);
  out.clear();
  r.route('a.b', undefined, out);
  assert.deepEqual([...out].sort(), ['q2']);
  assert.deepEqual(
    [...r.bindings()].map((b) => `${b.destination} ${b.routingKey}`).sort(),
    ['q2 *.b', 'q2 a.#'],
  );
  assert.equal(r.unbind('q2', 'a.#', E), true);
  assert.equal(r.unbind('q2', '*.b', E), true);
  assert.equal(r.bindingCount, 0);
  assert.deepEqual([...r.bindings()], []);
  out.clear();
  r.route('a.b', undefined, out);
  assert.equal(out.size, 0);
  // the trie is usable again after being emptied (pruned)
  assert.ok(r.bind('q3', 'a.b', E));
  r.route('a.b', undefined, out);
  assert.deepEqual([...out], ['q3']);
});

const word = fc.constantFrom('a', 'b', '', '*', '#');
const keyWord = fc.constantFrom('a', 'b', '', '*', '#', 'c');
const patternArb = fc.array(word, { maxLength: 6 }).map((ws) => ws.join('.'));
const keyArb = fc.array(keyWord, { maxLength: 8 }).map((ws) => ws.join('.'));

test('property: trie agrees with a transliteration of RabbitMQ trie_match', () => {
  fc.assert(
    fc.property(fc.uniqueArray(patternArb, { maxLength: 12 }), fc.array(keyArb, { minLength: 1, maxLength: 10 }), (patterns, keys) => {
      const trie = new TopicTrie<string>();
      for (const p of patterns) trie.add(p, p, E);
      const root = oracleTrie(patterns);
      for (const k of keys) {
        const out = new Set<string>();
        trie.match(k, out);
        assert.deepEqual([...out].sort(), oracleMatch(root, k), `key ${JSON.stringify(k)}`);
      }
    }),
    { numRuns: 300 },
  );
});

test('property: single pattern agrees with a word-level recursive matcher', () => {
  const wordMatch = (p: readonly string[], k: readonly string[], i = 0, j = 0): boolean => {
    if (i === p.length) return j === k.length;
    const w = p[i];
    if (w === '#') return wordMatch(p, k, i + 1, j) || (j < k.length && wordMatch(p, k, i, j + 1));
    if (j === k.length) return false;
    return (w === '*' || w === k[j]) && wordMatch(p, k, i + 1, j + 1);
  };
  fc.assert(
    fc.property(patternArb, keyArb, (p, k) => {
      assert.equal(matches(p, k), wordMatch(splitTopicKey(p), splitTopicKey(k)), `${p} vs ${k}`);
    }),
    { numRuns: 1000 },
  );
});

test('property: bind/unbind/removeDestination against a model', () => {
  const dest = fc.constantFrom('q1', 'q2', 'q3');
  const argArb = fc.constantFrom<FieldTable>(E, args('x', { type: 'S', value: '1' }), args('x', { type: 'I', value: 1 }));
  const op = fc.oneof(
    fc.record({ kind: fc.constant('bind' as const), d: dest, p: patternArb, a: argArb }),
    fc.record({ kind: fc.constant('unbind' as const), d: dest, p: patternArb, a: argArb }),
    fc.record({ kind: fc.constant('remove' as const), d: dest }),
    fc.record({ kind: fc.constant('route' as const), k: keyArb }),
  );
  const argKey = (a: FieldTable): string => JSON.stringify([...a].map(([k, v]) => [k, v.type, String(v.value)]));
  fc.assert(
    fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      const r = createRouter<string>('topic');
      const model = new Map<string, { d: string; p: string }>(); // id → binding
      for (const o of ops) {
        if (o.kind === 'bind') {
          const id = `${o.d}|${o.p}|${argKey(o.a)}`;
          assert.equal(r.bind(o.d, o.p, o.a), !model.has(id));
          model.set(id, { d: o.d, p: o.p });
        } else if (o.kind === 'unbind') {
          const id = `${o.d}|${o.p}|${argKey(o.a)}`;
          assert.equal(r.unbind(o.d, o.p, o.a), model.delete(id));
        } else if (o.kind === 'remove') {
          const mine = [...model].filter(([, b]) => b.d === o.d);
          const removed = r.removeDestination(o.d);
          assert.equal(removed.length, mine.length);
          for (const [id] of mine) model.delete(id);
        } else {
          const out = new Set<string>();
          r.route(o.k, undefined, out);
          const expected = new Set<string>();
          for (const b of model.values()) if (matches(b.p, o.k)) expected.add(b.d);
          assert.deepEqual([...out].sort(), [...expected].sort());
        }
        assert.equal(r.bindingCount, model.size);
        assert.equal([...r.bindings()].length, model.size);
      }
    }),
    { numRuns: 200 },
  );
});
