/** @module engines/memory/idempotency-cache.test */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { IdempotencyCache } from './idempotency-cache.js';

const pos = (offset: number): { offset: number; epoch: string } => ({ offset, epoch: 'ep' });

void describe('IdempotencyCache', () => {
  void it('returns a result until its expiry, then forgets it', () => {
    const c = new IdempotencyCache();
    c.set('ch', 'k', pos(3), 1000);
    assert.deepEqual(c.get('ch', 'k', 999), pos(3));
    assert.equal(c.get('ch', 'k', 1000), undefined);
    assert.equal(c.size, 0, 'an expired entry found on access is dropped');
  });

  void it('does not confuse channel and key boundaries', () => {
    const c = new IdempotencyCache();
    c.set('a_b', 'c', pos(1), 100);
    c.set('a', 'b_c', pos(2), 100);
    c.set('a_', 'b_c', pos(3), 100);
    assert.deepEqual(c.get('a_b', 'c', 0), pos(1));
    assert.deepEqual(c.get('a', 'b_c', 0), pos(2));
    assert.deepEqual(c.get('a_', 'b_c', 0), pos(3));
    assert.equal(c.get('a_b_c', '', 0), undefined);
  });

  void it('sweep reclaims expired entries only, and skips entries replaced since', () => {
    const c = new IdempotencyCache();
    c.set('ch', 'old', pos(1), 100);
    c.set('ch', 'new', pos(2), 300);
    c.set('ch', 'again', pos(3), 100);
    c.set('ch', 'again', pos(4), 500); // replaced: the first expiry must not remove it
    c.sweep(100);
    assert.equal(c.size, 2);
    assert.deepEqual(c.get('ch', 'again', 100), pos(4));
    c.sweep(300);
    assert.equal(c.size, 1);
    c.sweep(500);
    assert.equal(c.size, 0);
  });
});
