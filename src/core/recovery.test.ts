import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isStreamRecovered, mergePublications } from './recovery.js';
import type { Publication } from './types.js';

const pub = (offset: number): Publication => ({ offset, data: new Uint8Array([offset]) });

describe('isStreamRecovered', () => {
  it('nothing missed when the top equals the client offset', () => {
    assert.equal(isStreamRecovered(5, 5, []), true);
    assert.equal(isStreamRecovered(4, 5, []), false);
  });
  it('needs the missed range to start right after the client offset and end at the top', () => {
    assert.equal(isStreamRecovered(2, 4, [pub(3), pub(4)]), true);
    assert.equal(isStreamRecovered(1, 4, [pub(3), pub(4)]), false, 'offset 2 was evicted');
    assert.equal(isStreamRecovered(2, 5, [pub(3), pub(4)]), false, 'limit cut the tail');
  });
});

describe('mergePublications', () => {
  it('deduplicates and sorts history with buffered live publications', () => {
    const merged = mergePublications([pub(3), pub(4)], [pub(4), pub(5), pub(2)], 2);
    assert.deepEqual(merged?.map((p) => p.offset), [3, 4, 5]);
  });
  it('reports a gap as undefined', () => {
    assert.equal(mergePublications([pub(3)], [pub(5)], 2), undefined);
    assert.equal(mergePublications([], [pub(5)], 3), undefined, 'first must follow afterOffset');
  });
  it('returns history unchanged without buffered publications', () => {
    assert.deepEqual(mergePublications([pub(1)], [], 0)?.map((p) => p.offset), [1]);
  });
});
