import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RingBuffer } from '../../src/queue/ring-buffer.js';
import { FifoReadyList, PriorityReadyList } from '../../src/queue/ready-list.js';

test('insertAt agrees with Array#splice, across wrap-around and growth', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.record({ op: fc.constant('push' as const), v: fc.integer() }), fc.record({ op: fc.constant('shift' as const) }), fc.record({ op: fc.constant('insert' as const), at: fc.nat(40), v: fc.integer() })), { maxLength: 200 }),
      (ops) => {
        const ring = new RingBuffer<number>();
        const model: number[] = [];
        for (const o of ops) {
          if (o.op === 'push') {
            ring.push(o.v);
            model.push(o.v);
          } else if (o.op === 'shift') {
            assert.equal(ring.shift(), model.shift());
          } else {
            ring.insertAt(o.at, o.v);
            model.splice(Math.min(o.at, model.length), 0, o.v);
          }
          assert.deepEqual(ring.toArray(), model);
        }
      },
    ),
    { numRuns: 300 },
  );
});

test('insertBefore puts a requeued message back at its original place', () => {
  for (const list of [new FifoReadyList<number>(), new PriorityReadyList<number>(5)]) {
    for (const seq of [4, 5, 6]) list.push(seq, 0);
    for (const seq of [2, 0, 3, 1]) list.insertBefore(seq, 0, (e) => e > seq);
    assert.deepEqual([...list], [0, 1, 2, 3, 4, 5, 6]);
    assert.equal(list.length, 7);
  }
});
