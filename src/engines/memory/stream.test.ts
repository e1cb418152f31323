/** @module engines/memory/stream.test */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Publication } from '../../core/types.js';
import { HistoryStream } from './stream.js';

const pub = (offset: number): Publication => ({ offset, data: new Uint8Array([offset]) });

/** A stream holding offsets 1…top, keeping the last `size`. */
function stream(top: number, size: number): HistoryStream {
  const s = new HistoryStream('ch', 1000, 'epochAAA');
  for (let i = 1; i <= top; i++) s.append(pub(i), size);
  return s;
}

const read = (s: HistoryStream, sinceOffset: number | undefined, limit: number, reverse = false): number[] =>
  s.read({ sinceOffset, limit, reverse }).map((p) => p.offset);

void describe('HistoryStream', () => {
  void it('starts empty at offset 0 with the given epoch', () => {
    const s = new HistoryStream('ch', 1000, 'epochAAA');
    assert.equal(s.top, 0);
    assert.equal(s.epoch, 'epochAAA');
    assert.deepEqual(read(s, undefined, -1), []);
    assert.deepEqual(read(s, 0, -1), []);
    assert.match(new HistoryStream('ch', 1).epoch, /^[a-zA-Z]{8}$/);
  });

  void it('keeps the last size publications, contiguous up to top', () => {
    const s = stream(100, 10);
    assert.equal(s.top, 100);
    assert.equal(s.length, 10);
    assert.deepEqual(read(s, undefined, -1), [91, 92, 93, 94, 95, 96, 97, 98, 99, 100]);
    assert.equal(s.last()?.offset, 100);
  });

  void it('shrinks to a smaller size on the next append', () => {
    const s = stream(10, 10);
    s.append(pub(11), 3);
    assert.deepEqual(read(s, undefined, -1), [9, 10, 11]);
  });

  void it('reads forward from since with index math, clamped to the retained window', () => {
    const s = stream(100, 10);
    assert.deepEqual(read(s, 95, -1), [96, 97, 98, 99, 100]);
    assert.deepEqual(read(s, 95, 2), [96, 97]);
    assert.deepEqual(read(s, 3, 2), [91, 92]);
    assert.deepEqual(read(s, -5, 1), [91]);
    assert.deepEqual(read(s, 100, -1), []);
    assert.deepEqual(read(s, 250, -1), []);
    assert.deepEqual(read(s, 95, 0), []);
  });

  void it('reads backward from since, excluding it', () => {
    const s = stream(100, 10);
    assert.deepEqual(read(s, undefined, 3, true), [100, 99, 98]);
    assert.deepEqual(read(s, 95, -1, true), [94, 93, 92, 91]);
    assert.deepEqual(read(s, 95, 2, true), [94, 93]);
    assert.deepEqual(read(s, 91, -1, true), []);
    assert.deepEqual(read(s, 50, -1, true), []);
    assert.deepEqual(read(s, 101, 1, true), [100]);
    assert.deepEqual(read(s, 500, 2, true), [100, 99]);
  });

  void it('clearItems keeps top and epoch, and the next append continues the offsets', () => {
    const s = stream(5, 10);
    s.expireAt = 77;
    s.clearItems();
    assert.equal(s.length, 0);
    assert.equal(s.expireAt, 0);
    assert.equal(s.top, 5);
    assert.equal(s.last(), undefined);
    s.append(pub(6), 10);
    assert.deepEqual(read(s, undefined, -1), [6]);
    assert.deepEqual(read(s, 2, -1), [6]);
  });

  void it('nextDeadline is the item expiry while items exist, else the meta removal', () => {
    const s = stream(2, 10);
    s.removeAt = 500;
    s.expireAt = 200;
    assert.equal(s.nextDeadline(), 200);
    s.expireAt = 900;
    assert.equal(s.nextDeadline(), 500);
    s.clearItems();
    assert.equal(s.nextDeadline(), 500);
  });
});
