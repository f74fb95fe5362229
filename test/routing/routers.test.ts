import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { FieldTable, FieldValue } from '../../src/protocol/field-types.js';
import { createRouter, isExchangeType, type ExchangeType } from '../../src/routing/exchange-router.js';
import { tablesEqual } from '../../src/protocol/field-table.js';

const E: FieldTable = new Map();
const T = (entries: [string, FieldValue][]): FieldTable => new Map(entries);
const route = (r: ReturnType<typeof createRouter<string>>, key: string, headers?: FieldTable): string[] => {
  const out = new Set<string>();
  r.route(key, headers, out);
  return [...out].sort();
};

test('isExchangeType / createRouter', () => {
  for (const t of ['direct', 'fanout', 'topic', 'headers']) assert.ok(isExchangeType(t));
  for (const t of ['', 'x-delayed-message', 'Direct', 'match']) assert.ok(!isExchangeType(t));
  for (const t of ['direct', 'fanout', 'topic', 'headers'] as ExchangeType[]) {
    const r = createRouter<string>(t);
    assert.equal(r.bindingCount, 0);
    assert.deepEqual([...r.bindings()], []);
  }
});

test('direct: exact key, distinct args are distinct bindings, duplicate bind is false', () => {
  const r = createRouter<string>('direct');
  const a1 = T([['x', { type: 'S', value: 'y' }]]);
  assert.equal(r.bind('q1', 'k', E), true);
  assert.equal(r.bind('q1', 'k', new Map()), false);
  assert.equal(r.bind('q1', 'k', a1), true);
  assert.equal(r.bind('q1', 'k', T([['x', { type: 'S', value: 'y' }]])), false);
  assert.equal(r.bind('q2', 'k', E), true);
  assert.equal(r.bind('q2', 'other', E), true);
  assert.equal(r.bind('q3', '', E), true);
  assert.equal(r.bindingCount, 5);
  assert.deepEqual(route(r, 'k'), ['q1', 'q2']);
  assert.deepEqual(route(r, 'K'), []);
  assert.deepEqual(route(r, ''), ['q3']);
  assert.deepEqual(route(r, 'other'), ['q2']);
  assert.ok(r.unbind('q1', 'k', E));
  assert.deepEqual(route(r, 'k'), ['q1', 'q2'], 'still bound with a1');
  assert.ok(!r.unbind('q1', 'k', E));
  assert.ok(r.unbind('q1', 'k', a1));
  assert.deepEqual(route(r, 'k'), ['q2']);
  const removed = r.removeDestination('q2');
  assert.deepEqual(removed.map((b) => b.routingKey).sort(), ['k', 'other']);
  assert.equal(r.bindingCount, 1);
  assert.deepEqual(route(r, 'k'), []);
  assert.deepEqual([...r.bindings()], [{ destination: 'q3', routingKey: '', arguments: E }]);
});

test('fanout: every destination once; key and args are part of the identity', () => {
  const r = createRouter<string>('fanout');
  assert.ok(r.bind('q1', '', E));
  assert.ok(!r.bind('q1', '', E));
  assert.ok(r.bind('q1', 'k', E));
  assert.ok(r.bind('q1', '', T([['a', { type: 'I', value: 1 }]])));
  assert.ok(r.bind('q2', 'whatever', E));
  assert.equal(r.bindingCount, 4);
  assert.deepEqual(route(r, 'anything'), ['q1', 'q2']);
  assert.ok(r.unbind('q1', 'k', E));
  assert.ok(r.unbind('q1', '', E));
  assert.deepEqual(route(r, ''), ['q1', 'q2']);
  assert.ok(r.hasBinding('q1', '', T([['a', { type: 'I', value: 1 }]])));
  assert.ok(!r.hasBinding('q1', '', T([['a', { type: 'l', value: 1n }]])));
  assert.ok(r.unbind('q1', '', T([['a', { type: 'I', value: 1 }]])));
  assert.deepEqual(route(r, ''), ['q2']);
  assert.equal(r.removeDestination('q2').length, 1);
  assert.equal(r.bindingCount, 0);
  assert.deepEqual(route(r, ''), []);
});

test('binding args equality: top level in any order, nested in order, types matter', () => {
  const I = (value: number): FieldValue => ({ type: 'I', value });
  assert.ok(tablesEqual(T([['a', I(1)], ['b', I(2)]]), T([['b', I(2)], ['a', I(1)]])));
  assert.ok(!tablesEqual(T([['a', I(1)]]), T([['a', { type: 'i', value: 1 }]])));
  assert.ok(!tablesEqual(T([['a', I(1)]]), T([['a', I(1)], ['b', I(1)]])));
  assert.ok(tablesEqual(T([['a', { type: 'x', value: Buffer.from('z') }]]), T([['a', { type: 'x', value: Buffer.from('z') }]])));
  assert.ok(tablesEqual(T([['a', { type: 'l', value: 7n }]]), T([['a', { type: 'l', value: 7n }]])));
  const nested = (entries: [string, FieldValue][]): FieldTable => T([['t', { type: 'F', value: T(entries) }]]);
  assert.ok(tablesEqual(nested([['a', I(1)], ['b', I(2)]]), nested([['a', I(1)], ['b', I(2)]])));
  assert.ok(!tablesEqual(nested([['a', I(1)], ['b', I(2)]]), nested([['b', I(2)], ['a', I(1)]])));
  const arr = (vs: FieldValue[]): FieldTable => T([['a', { type: 'A', value: vs }]]);
  assert.ok(tablesEqual(arr([I(1), { type: 'V', value: null }]), arr([I(1), { type: 'V', value: null }])));
  assert.ok(!tablesEqual(arr([I(1)]), arr([I(1), I(1)])));
  assert.ok(tablesEqual(
    T([['d', { type: 'D', value: { scale: 2, value: 5 } }]]),
    T([['d', { type: 'D', value: { scale: 2, value: 5 } }]]),
  ));
});

test('property: direct and fanout against a model', () => {
  const dest = fc.constantFrom('q1', 'q2', 'q3');
  const key = fc.constantFrom('', 'a', 'b');
  const argChoices: FieldTable[] = [E, T([['x', { type: 'S', value: '1' }]]), T([['x', { type: 'I', value: 1 }]])];
  const arg = fc.integer({ min: 0, max: argChoices.length - 1 });
  const op = fc.oneof(
    fc.record({ kind: fc.constantFrom('bind' as const, 'unbind' as const, 'has' as const), d: dest, k: key, a: arg }),
    fc.record({ kind: fc.constant('remove' as const), d: dest }),
    fc.record({ kind: fc.constant('route' as const), k: key }),
  );
  for (const type of ['direct', 'fanout'] as const) {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const r = createRouter<string>(type);
        const model = new Map<string, { d: string; k: string }>();
        for (const o of ops) {
          switch (o.kind) {
            case 'bind': {
              const id = `${o.d}|${o.k}|${o.a}`;
              assert.equal(r.bind(o.d, o.k, argChoices[o.a] as FieldTable), !model.has(id));
              model.set(id, { d: o.d, k: o.k });
              break;
            }
            case 'unbind':
              assert.equal(r.unbind(o.d, o.k, argChoices[o.a] as FieldTable), model.delete(`${o.d}|${o.k}|${o.a}`));
              break;
            case 'has':
              assert.equal(r.hasBinding(o.d, o.k, argChoices[o.a] as FieldTable), model.has(`${o.d}|${o.k}|${o.a}`));
              break;
            case 'remove': {
              const mine = [...model.keys()].filter((id) => id.startsWith(`${o.d}|`));
              assert.equal(r.removeDestination(o.d).length, mine.length);
              for (const id of mine) model.delete(id);
              break;
            }
            case 'route': {
              const expected = new Set<string>();
              for (const b of model.values()) if (type === 'fanout' || b.k === o.k) expected.add(b.d);
              assert.deepEqual(route(r, o.k), [...expected].sort());
              break;
            }
          }
          assert.equal(r.bindingCount, model.size);
          assert.equal([...r.bindings()].length, model.size);
        }
      }),
      { numRuns: 200 },
    );
  }
});
