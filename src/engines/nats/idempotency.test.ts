/** @module engines/nats/idempotency.test — node-local idempotency keys. */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { LocalIdempotencyKeys } from './idempotency.js';

void describe('LocalIdempotencyKeys', () => {
  void it('remembers a key per channel until it expires', () => {
    const keys = new LocalIdempotencyKeys();
    keys.add('a', 'k', 1000, 0);
    assert.equal(keys.has('a', 'k', 999), true);
    assert.equal(keys.has('b', 'k', 0), false);
    assert.equal(keys.has('a', 'other', 0), false);
    assert.equal(keys.has('a', 'k', 1000), false);
    assert.equal(keys.size, 0);
  });

  void it('does not confuse (channel, key) pairs that concatenate alike', () => {
    const keys = new LocalIdempotencyKeys();
    keys.add('ab', 'c', 10, 0);
    assert.equal(keys.has('a', 'bc', 0), false);
  });

  void it('sweeps expired entries on add and supports delete/clear', () => {
    const keys = new LocalIdempotencyKeys();
    keys.add('a', '1', 10, 0);
    keys.add('a', '2', 20, 0);
    keys.add('a', '3', 100, 15);
    assert.equal(keys.size, 2);
    keys.delete('a', '2');
    assert.equal(keys.has('a', '2', 15), false);
    keys.clear();
    assert.equal(keys.size, 0);
  });
});
