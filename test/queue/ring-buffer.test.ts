import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RingBuffer } from '../../src/queue/ring-buffer.js';

test('basic deque operations', () => {
  const r = new RingBuffer<number>();
  assert.equal(r.length, 0);
  assert.equal(r.shift(), undefined);
  assert.equal(r.peek(), undefined);
  for (let i = 0; i < 100; i++) r.push(i);
  r.unshift(-1);
  assert.equal(r.length, 101);
  assert.equal(r.peek(), -1);
  assert.equal(r.at(0), -1);
  assert.equal(r.at(100), 99);
  assert.equal(r.at(-1), 99);
  assert.equal(r.at(101), undefined);
  assert.equal(r.shift(), -1);
  assert.deepEqual([...r].slice(0, 3), [0, 1, 2]);
  assert.equal(r.removeWhere((v) => v % 2 === 1), 50);
  assert.deepEqual(r.toArray().slice(0, 3), [0, 2, 4]);
  assert.equal(r.length, 50);
  const drained = r.drain();
  assert.equal(drained.length, 50);
  assert.equal(r.length, 0);
  assert.equal(r.capacity, 16);
});

test('grows by doubling and shrinks when mostly empty', () => {
  const r = new RingBuffer<number>();
  for (let i = 0; i < 1000; i++) r.push(i);
  assert.equal(r.capacity, 1024);
  for (let i = 0; i < 990; i++) assert.equal(r.shift(), i);
  assert.ok(r.capacity <= 64, `capacity ${r.capacity}`);
  assert.deepEqual(r.toArray(), [990, 991, 992, 993, 994, 995, 996, 997, 998, 999]);
});

test('shift clears the slot it empties', () => {
  const r = new RingBuffer<object>();
  const o = {};
  r.push(o);
  r.shift();
  // reach into the private array to check the reference is gone
  const buf = (r as unknown as { buf: unknown[] }).buf;
  assert.ok(!buf.includes(o));
});

type Op =
  | { k: 'push'; v: number }
  | { k: 'unshift'; v: number }
  | { k: 'shift' }
  | { k: 'pop' }
  | { k: 'peek' }
  | { k: 'at'; i: number }
  | { k: 'removeWhere'; m: number }
  | { k: 'clear' }
  | { k: 'drain' };

test('property: behaves like an array', () => {
  const op: fc.Arbitrary<Op> = fc.oneof(
    { arbitrary: fc.record({ k: fc.constant('push' as const), v: fc.integer() }), weight: 5 },
    { arbitrary: fc.record({ k: fc.constant('unshift' as const), v: fc.integer() }), weight: 3 },
    { arbitrary: fc.record({ k: fc.constant('shift' as const) }), weight: 5 },
    { arbitrary: fc.record({ k: fc.constant('pop' as const) }), weight: 1 },
    { arbitrary: fc.record({ k: fc.constant('peek' as const) }), weight: 1 },
    { arbitrary: fc.record({ k: fc.constant('at' as const), i: fc.integer({ min: -40, max: 40 }) }), weight: 1 },
    { arbitrary: fc.record({ k: fc.constant('removeWhere' as const), m: fc.integer({ min: 2, max: 5 }) }), weight: 1 },
    { arbitrary: fc.record({ k: fc.constant('clear' as const) }), weight: 1 },
    { arbitrary: fc.record({ k: fc.constant('drain' as const) }), weight: 1 },
  );
  // bursts of pushes so that the buffer grows past the minimum and wraps around
  const burst = fc.integer({ min: 0, max: 3 }).chain((n) => fc.array(op, { minLength: n * 10, maxLength: n * 30 }));
  fc.assert(
    fc.property(fc.array(burst, { maxLength: 8 }).map((a) => a.flat()), (ops) => {
      const r = new RingBuffer<number>();
      let model: number[] = [];
      for (const o of ops) {
        switch (o.k) {
          case 'push':
            r.push(o.v);
            model.push(o.v);
            break;
          case 'unshift':
            r.unshift(o.v);
            model.unshift(o.v);
            break;
          case 'shift':
            assert.equal(r.shift(), model.shift());
            break;
          case 'pop':
            assert.equal(r.pop(), model.pop());
            break;
          case 'peek':
            assert.equal(r.peek(), model[0]);
            break;
          case 'at':
            assert.equal(r.at(o.i), model.at(o.i));
            break;
          case 'removeWhere': {
            const keep = model.filter((v) => v % o.m !== 0);
            assert.equal(r.removeWhere((v) => v % o.m === 0), model.length - keep.length);
            model = keep;
            break;
          }
          case 'clear':
            r.clear();
            model = [];
            break;
          case 'drain':
            assert.deepEqual(r.drain(), model);
            model = [];
            break;
        }
        assert.equal(r.length, model.length);
        const cap = r.capacity;
        assert.equal(cap & (cap - 1), 0, 'power of two');
        assert.ok(cap >= r.length);
        assert.ok(cap === 16 || r.length > cap / 4, `capacity ${cap} for length ${r.length}`);
      }
      assert.deepEqual([...r], model);
      assert.deepEqual(r.toArray(), model);
    }),
    { numRuns: 300 },
  );
});
