import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createReadyList, FifoReadyList, PriorityReadyList, type ReadyList } from '../../src/queue/ready-list.js';

test('createReadyList picks the implementation', () => {
  assert.ok(createReadyList(undefined) instanceof FifoReadyList);
  assert.ok(createReadyList(0) instanceof FifoReadyList);
  const p = createReadyList<number>(10);
  assert.ok(p instanceof PriorityReadyList);
  assert.equal((p as PriorityReadyList<number>).maxPriority, 10);
  assert.equal((createReadyList<number>(1000) as PriorityReadyList<number>).maxPriority, 255);
  assert.throws(() => new PriorityReadyList(0), RangeError);
  assert.throws(() => new PriorityReadyList(256), RangeError);
});

test('fifo ignores priorities; pushFront requeues at the head', () => {
  const l = new FifoReadyList<string>();
  l.push('a', 9);
  l.push('b', 0);
  l.pushFront('z', 5);
  assert.equal(l.peek(), 'z');
  assert.deepEqual([...l], ['z', 'a', 'b']);
  assert.equal(l.shift(), 'z');
  assert.deepEqual(l.clear(), ['a', 'b']);
  assert.equal(l.length, 0);
  assert.equal(l.shift(), undefined);
});

test('priority: higher first, FIFO within a level, clamped, undefined is 0', () => {
  const l = new PriorityReadyList<string>(5);
  l.push('low1');
  l.push('mid1', 3);
  l.push('high1', 200); // clamped to 5
  l.push('low2', 0);
  l.push('high2', 5);
  l.push('mid2', 3);
  l.pushFront('mid0', 3);
  assert.equal(l.length, 7);
  assert.equal(l.peek(), 'high1');
  assert.deepEqual([...l], ['high1', 'high2', 'mid0', 'mid1', 'mid2', 'low1', 'low2']);
  assert.equal(l.shift(), 'high1');
  assert.equal(l.shift(), 'high2');
  assert.equal(l.shift(), 'mid0');
  l.push('high3', 4);
  assert.equal(l.shift(), 'high3');
  assert.deepEqual(l.clear(), ['mid1', 'mid2', 'low1', 'low2']);
  assert.equal(l.length, 0);
  assert.equal(l.peek(), undefined);
  assert.equal(l.shift(), undefined);
  l.push('again', 1);
  assert.equal(l.shift(), 'again');
});

type Op = { k: 'push' | 'pushFront'; v: number; p: number | undefined } | { k: 'shift' | 'peek' | 'clear' };

function check(make: () => ReadyList<number>, maxPriority: number | undefined): void {
  const op: fc.Arbitrary<Op> = fc.oneof(
    { arbitrary: fc.record({ k: fc.constantFrom('push' as const), v: fc.integer(), p: fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }) }), weight: 5 },
    { arbitrary: fc.record({ k: fc.constantFrom('pushFront' as const), v: fc.integer(), p: fc.option(fc.integer({ min: 0, max: 12 }), { nil: undefined }) }), weight: 2 },
    { arbitrary: fc.record({ k: fc.constantFrom('shift' as const, 'peek' as const) }), weight: 5 },
    { arbitrary: fc.record({ k: fc.constant('clear' as const) }), weight: 1 },
  );
  const level = (p: number | undefined): number => (maxPriority === undefined ? 0 : Math.min(p ?? 0, maxPriority));
  fc.assert(
    fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
      const l = make();
      // model: array in delivery order of [value, level]
      let model: [number, number][] = [];
      for (const o of ops) {
        switch (o.k) {
          case 'push': {
            const lv = level(o.p);
            l.push(o.v, o.p);
            // after the last element of level >= lv
            let i = model.length;
            while (i > 0 && (model[i - 1] as [number, number])[1] < lv) i--;
            model.splice(i, 0, [o.v, lv]);
            break;
          }
          case 'pushFront': {
            const lv = level(o.p);
            l.pushFront(o.v, o.p);
            // before the first element of level <= lv
            let i = 0;
            while (i < model.length && (model[i] as [number, number])[1] > lv) i++;
            model.splice(i, 0, [o.v, lv]);
            break;
          }
          case 'shift':
            assert.equal(l.shift(), model.shift()?.[0]);
            break;
          case 'peek':
            assert.equal(l.peek(), model[0]?.[0]);
            break;
          case 'clear':
            assert.deepEqual(l.clear(), model.map(([v]) => v));
            model = [];
            break;
        }
        assert.equal(l.length, model.length);
      }
      assert.deepEqual([...l], model.map(([v]) => v));
    }),
    { numRuns: 300 },
  );
}

test('property: fifo against an array model', () => check(() => new FifoReadyList<number>(), undefined));
test('property: priority against a stable-sorted model', () => {
  check(() => new PriorityReadyList<number>(1), 1);
  check(() => new PriorityReadyList<number>(10), 10);
  check(() => new PriorityReadyList<number>(255), 255);
});
