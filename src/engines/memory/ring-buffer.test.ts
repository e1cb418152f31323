/** @module engines/memory/ring-buffer.test */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { RingBuffer } from './ring-buffer.js';

const contents = <T>(r: RingBuffer<T>): (T | undefined)[] => Array.from({ length: r.length }, (_, i) => r.at(i));

void describe('RingBuffer', () => {
  void it('pushes, shifts and indexes in FIFO order across growth and wrap-around', () => {
    const r = new RingBuffer<number>();
    assert.equal(r.shift(), undefined);
    assert.equal(r.last(), undefined);
    for (let i = 1; i <= 3; i++) r.push(i);
    assert.equal(r.shift(), 1);
    assert.equal(r.shift(), 2);
    for (let i = 4; i <= 12; i++) r.push(i); // wraps, then grows while wrapped
    assert.deepEqual(contents(r), [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    assert.equal(r.length, 10);
    assert.equal(r.last(), 12);
    assert.equal(r.at(-1), undefined);
    assert.equal(r.at(10), undefined);
  });

  void it('keeps a bounded window when used as a sliding history', () => {
    const r = new RingBuffer<number>();
    for (let i = 1; i <= 1000; i++) {
      while (r.length >= 7) r.shift();
      r.push(i);
    }
    assert.deepEqual(contents(r), [994, 995, 996, 997, 998, 999, 1000]);
  });

  void it('clear empties it and it stays usable', () => {
    const r = new RingBuffer<string>();
    r.push('a');
    r.push('b');
    r.clear();
    assert.equal(r.length, 0);
    assert.equal(r.at(0), undefined);
    r.push('c');
    assert.deepEqual(contents(r), ['c']);
  });
});
