/** @module engines/memory/deadline-heap.test */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { DeadlineHeap } from './deadline-heap.js';

void describe('DeadlineHeap', () => {
  void it('pops entries in deadline order', () => {
    const h = new DeadlineHeap<{ at: number; id: number }>();
    const ats = [50, 10, 40, 10, 90, 0, 70, 30, 20, 60, 80, 5];
    ats.forEach((at, id) => h.push({ at, id }));
    assert.equal(h.size, ats.length);
    assert.equal(h.peek()?.at, 0);
    const out: number[] = [];
    for (let e = h.pop(); e !== undefined; e = h.pop()) out.push(e.at);
    assert.deepEqual(out, [...ats].sort((a, b) => a - b));
    assert.equal(h.size, 0);
    assert.equal(h.pop(), undefined);
  });

  void it('stays ordered when pushes and pops interleave', () => {
    const h = new DeadlineHeap<{ at: number }>();
    let seed = 7;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 1000;
    const shadow: number[] = [];
    for (let i = 0; i < 2000; i++) {
      if (i % 3 === 2) {
        shadow.sort((a, b) => a - b);
        assert.equal(h.pop()?.at, shadow.shift());
      } else {
        const at = rnd();
        h.push({ at });
        shadow.push(at);
      }
    }
    h.clear();
    assert.equal(h.size, 0);
  });
});
