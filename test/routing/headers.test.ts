import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { FieldTable, FieldValue } from '../../src/protocol/field-types.js';
import { headersMatch, validateHeadersBindingArgs, xMatchMode } from '../../src/routing/headers-match.js';
import { createRouter } from '../../src/routing/exchange-router.js';
import { formatErlangFloat } from '../../src/routing/erlang-format.js';

const S = (value: string): FieldValue => ({ type: 'S', value });
const I = (value: number): FieldValue => ({ type: 'I', value });
const V: FieldValue = { type: 'V', value: null };
const T = (entries: [string, FieldValue][]): FieldTable => new Map(entries);

test('all (default): every non-x- argument must be present and equal', () => {
  const b = T([['format', S('pdf')], ['type', S('report')]]);
  assert.equal(xMatchMode(b), 'all');
  assert.ok(headersMatch(b, T([['format', S('pdf')], ['type', S('report')]])));
  assert.ok(headersMatch(b, T([['type', S('report')], ['format', S('pdf')], ['other', I(1)]])));
  assert.ok(!headersMatch(b, T([['format', S('pdf')]])));
  assert.ok(!headersMatch(b, T([['format', S('pdf')], ['type', S('log')]])));
  assert.ok(!headersMatch(b, undefined));
  assert.ok(!headersMatch(b, T([])));
  const explicit = T([['x-match', S('all')], ['format', S('pdf')]]);
  assert.ok(headersMatch(explicit, T([['format', S('pdf')]])));
});

test('any: one equal argument is enough', () => {
  const b = T([['x-match', S('any')], ['format', S('pdf')], ['type', S('report')]]);
  assert.ok(headersMatch(b, T([['format', S('pdf')]])));
  assert.ok(headersMatch(b, T([['type', S('report')], ['format', S('zip')]])));
  assert.ok(!headersMatch(b, T([['format', S('zip')]])));
  assert.ok(!headersMatch(b, undefined));
});

test('no argument left to compare: all matches everything, any nothing', () => {
  assert.ok(headersMatch(T([]), undefined));
  assert.ok(headersMatch(T([]), T([['a', I(1)]])));
  assert.ok(headersMatch(T([['x-match', S('all')], ['x-foo', S('bar')]]), undefined));
  assert.ok(!headersMatch(T([['x-match', S('any')]]), T([['a', I(1)]])));
  assert.ok(!headersMatch(T([['x-match', S('any')], ['x-foo', S('bar')]]), T([['x-foo', S('bar')]])));
  assert.ok(!headersMatch(T([['x-match', S('any-with-x')]]), T([['x-match', S('any-with-x')]])));
  assert.ok(headersMatch(T([['x-match', S('all-with-x')]]), undefined));
});

test('x- arguments are ignored by all/any and compared by the -with-x variants', () => {
  const all = T([['x-match', S('all')], ['x-foo', S('bar')], ['a', I(1)]]);
  assert.ok(headersMatch(all, T([['a', I(1)]])));
  const allX = T([['x-match', S('all-with-x')], ['x-foo', S('bar')], ['a', I(1)]]);
  assert.ok(!headersMatch(allX, T([['a', I(1)]])));
  assert.ok(!headersMatch(allX, T([['a', I(1)], ['x-foo', S('baz')]])));
  assert.ok(headersMatch(allX, T([['a', I(1)], ['x-foo', S('bar')]])));
  const anyX = T([['x-match', S('any-with-x')], ['x-foo', S('bar')], ['a', I(1)]]);
  assert.ok(headersMatch(anyX, T([['x-foo', S('bar')]])));
  assert.ok(!headersMatch(anyX, T([['x-foo', S('baz')]])));
  const any = T([['x-match', S('any')], ['x-foo', S('bar')], ['a', I(1)]]);
  assert.ok(!headersMatch(any, T([['x-foo', S('bar')]])));
  // the x-match header of a message is just a header
  assert.ok(headersMatch(T([['x-match', S('any')], ['k', S('v')]]), T([['k', S('v')], ['x-match', S('all')]])));
});

test('void arguments match on presence only', () => {
  const b = T([['k', V]]);
  assert.ok(headersMatch(b, T([['k', S('anything')]])));
  assert.ok(headersMatch(b, T([['k', V]])));
  assert.ok(!headersMatch(b, T([['j', V]])));
  assert.ok(!headersMatch(T([['k', S('v')]]), T([['k', V]])), 'a void header does not equal a value');
  assert.ok(headersMatch(T([['x-match', S('any')], ['k', V], ['j', S('no')]]), T([['k', I(0)]])));
  assert.ok(headersMatch(T([['x-match', S('all-with-x')], ['x-k', V]]), T([['x-k', I(0)]])));
});

test('value comparison is Erlang =:= on the decoded values', () => {
  const m = (b: FieldValue, h: FieldValue): boolean => headersMatch(T([['k', b]]), T([['k', h]]));
  // integers of any width are equal when numerically equal
  assert.ok(m(I(1), { type: 'b', value: 1 }));
  assert.ok(m(I(1), { type: 'l', value: 1n }));
  assert.ok(m({ type: 'l', value: 5n }, { type: 'u', value: 5 }));
  assert.ok(m({ type: 'l', value: 2n ** 60n }, { type: 'l', value: 2n ** 60n }));
  assert.ok(!m(I(1), I(2)));
  // integers never equal floats; floats of either width equal floats
  assert.ok(!m(I(1), { type: 'd', value: 1 }));
  assert.ok(!m({ type: 'd', value: 1 }, I(1)));
  assert.ok(m({ type: 'd', value: 1.5 }, { type: 'f', value: 1.5 }));
  // longstr and binary are both binaries
  assert.ok(m(S('abc'), { type: 'x', value: Buffer.from('abc') }));
  assert.ok(m({ type: 'x', value: Buffer.from('abc') }, S('abc')));
  assert.ok(!m(S('abc'), S('abd')));
  assert.ok(!m(S('1'), I(1)));
  // booleans
  assert.ok(m({ type: 't', value: true }, { type: 't', value: true }));
  assert.ok(!m({ type: 't', value: true }, I(1)));
  // decimals
  assert.ok(m({ type: 'D', value: { scale: 2, value: 100 } }, { type: 'D', value: { scale: 2, value: 100 } }));
  assert.ok(!m({ type: 'D', value: { scale: 2, value: 100 } }, { type: 'D', value: { scale: 1, value: 10 } }));
  // nested values keep their types and order
  assert.ok(m({ type: 'A', value: [I(1), S('a')] }, { type: 'A', value: [I(1), S('a')] }));
  assert.ok(!m({ type: 'A', value: [I(1)] }, { type: 'A', value: [{ type: 'l', value: 1n }] }));
  assert.ok(!m({ type: 'A', value: [I(1), I(2)] }, { type: 'A', value: [I(2), I(1)] }));
  const t1: FieldValue = { type: 'F', value: T([['a', I(1)], ['b', I(2)]]) };
  const t2: FieldValue = { type: 'F', value: T([['b', I(2)], ['a', I(1)]]) };
  assert.ok(m(t1, { type: 'F', value: T([['a', I(1)], ['b', I(2)]]) }));
  assert.ok(!m(t1, t2));
  // [] =:= []
  assert.ok(m({ type: 'A', value: [] }, { type: 'F', value: T([]) }));
  // timestamp headers are routed in milliseconds
  assert.ok(m(I(5000), { type: 'T', value: 5 }));
  assert.ok(!m({ type: 'T', value: 5 }, { type: 'T', value: 5 }));
  assert.ok(m({ type: 'T', value: 5 }, I(5)));
});

test('invalid x-match routes as all', () => {
  assert.equal(xMatchMode(T([['x-match', S('bogus')]])), 'all');
  assert.equal(xMatchMode(T([['x-match', { type: 'x', value: Buffer.from('any') }]])), 'all');
  assert.ok(!headersMatch(T([['x-match', S('bogus')], ['a', I(1)], ['b', I(2)]]), T([['a', I(1)]])));
});

test('validateHeadersBindingArgs gives RabbitMQ texts', () => {
  assert.equal(validateHeadersBindingArgs(T([])), undefined);
  for (const ok of ['all', 'any', 'all-with-x', 'any-with-x']) {
    assert.equal(validateHeadersBindingArgs(T([['x-match', S(ok)]])), undefined);
  }
  assert.equal(
    validateHeadersBindingArgs(T([['x-match', S('bogus')]])),
    'Invalid x-match field value <<"bogus">>; expected all, any, all-with-x, or any-with-x',
  );
  assert.equal(
    validateHeadersBindingArgs(T([['x-match', S('ALL')]])),
    'Invalid x-match field value <<"ALL">>; expected all, any, all-with-x, or any-with-x',
  );
  assert.equal(
    validateHeadersBindingArgs(T([['x-match', { type: 'b', value: 1 }]])),
    'Invalid x-match field type byte (value 1); expected longstr',
  );
  assert.equal(
    validateHeadersBindingArgs(T([['x-match', { type: 'x', value: Buffer.from('any') }]])),
    'Invalid x-match field type binary (value <<"any">>); expected longstr',
  );
  assert.equal(
    validateHeadersBindingArgs(T([['x-match', { type: 't', value: true }]])),
    'Invalid x-match field type bool (value true); expected longstr',
  );
  assert.equal(
    validateHeadersBindingArgs(T([['x-match', V]])),
    'Invalid x-match field type void (value undefined); expected longstr',
  );
  assert.equal(
    validateHeadersBindingArgs(T([['x-match', S('a"b\\')]])),
    'Invalid x-match field value <<"a\\"b\\\\">>; expected all, any, all-with-x, or any-with-x',
  );
});

test('Erlang float formatting', () => {
  assert.equal(formatErlangFloat(1), '1.0');
  assert.equal(formatErlangFloat(1.5), '1.5');
  assert.equal(formatErlangFloat(0.1), '0.1');
  assert.equal(formatErlangFloat(-2.25), '-2.25');
  assert.equal(formatErlangFloat(1e20), '1.0e20');
  assert.equal(formatErlangFloat(123456.0), '123456.0');
  assert.equal(formatErlangFloat(1e-10), '1.0e-10');
});

test('headers router: routes, dedups destinations, args distinguish bindings', () => {
  const r = createRouter<string>('headers');
  const b1 = T([['x-match', S('any')], ['a', I(1)]]);
  const b2 = T([['b', I(2)]]);
  assert.ok(r.bind('q1', '', b1));
  assert.ok(!r.bind('q1', '', T([['a', I(1)], ['x-match', S('any')]])), 'same args in another order');
  assert.ok(r.bind('q1', 'other-key', b1), 'the routing key is part of the identity');
  assert.ok(r.bind('q1', '', b2));
  assert.ok(r.bind('q2', '', b2));
  assert.equal(r.bindingCount, 4);
  const out = new Set<string>();
  r.route('ignored', T([['a', I(1)], ['b', I(2)]]), out);
  assert.deepEqual([...out].sort(), ['q1', 'q2']);
  out.clear();
  r.route('', T([['a', I(1)]]), out);
  assert.deepEqual([...out], ['q1']);
  out.clear();
  r.route('', undefined, out);
  assert.deepEqual([...out], []);
  assert.ok(r.unbind('q1', 'other-key', b1));
  assert.ok(!r.unbind('q1', 'other-key', b1));
  assert.ok(r.hasBinding('q1', '', b2));
  const removed = r.removeDestination('q1');
  assert.equal(removed.length, 2);
  assert.equal(r.bindingCount, 1);
  assert.deepEqual([...r.bindings()].map((b) => b.destination), ['q2']);
  r.route('', T([['a', I(1)], ['b', I(2)]]), out);
  assert.deepEqual([...out], ['q2']);
});

test('property: headers router routes as headersMatch over its bindings', () => {
  const key = fc.constantFrom('a', 'b', 'x-a');
  const val = fc.constantFrom<FieldValue>(I(1), I(2), { type: 'l', value: 1n }, S('1'), V, { type: 'd', value: 1 });
  const table = fc.uniqueArray(fc.tuple(key, val), { maxLength: 3, selector: ([k]) => k }).map((e) => new Map(e));
  const mode = fc.constantFrom<string | undefined>(undefined, 'all', 'any', 'all-with-x', 'any-with-x');
  const binding = fc.record({
    d: fc.constantFrom('q1', 'q2', 'q3'),
    mode,
    t: table,
  });
  fc.assert(
    fc.property(fc.array(binding, { maxLength: 8 }), fc.array(table, { maxLength: 5 }), (bs, hs) => {
      const r = createRouter<string>('headers');
      const list: { d: string; args: FieldTable }[] = [];
      for (const b of bs) {
        const args: FieldTable = b.mode === undefined ? b.t : new Map([['x-match', S(b.mode)], ...b.t]);
        if (r.bind(b.d, '', args)) list.push({ d: b.d, args });
      }
      for (const h of hs) {
        const out = new Set<string>();
        r.route('', h, out);
        const expected = new Set(list.filter((b) => headersMatch(b.args, h)).map((b) => b.d));
        assert.deepEqual([...out].sort(), [...expected].sort());
      }
    }),
    { numRuns: 200 },
  );
});
