/** @module engines/redis/hash.test — FNV-1a 64 and Jump hash against independently computed vectors. */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { bucketIndex, fnv1a64, jumpHash, shardIndex } from './hash.js';

/** Straightforward BigInt FNV-1a used as an independent reference. */
function referenceFnv(s: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (const b of new TextEncoder().encode(s)) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) % (1n << 64n);
  }
  return h;
}

void describe('fnv1a64', () => {
  void it('matches the published FNV-1a 64 vectors', () => {
    assert.equal(fnv1a64(''), 0xcbf29ce484222325n);
    assert.equal(fnv1a64('a'), 0xaf63dc4c8601ec8cn);
    assert.equal(fnv1a64('foobar'), 0x85944171f73967e8n);
  });

  void it('hashes UTF-8 bytes (vectors computed with a separate Python implementation)', () => {
    assert.equal(fnv1a64('chat:index'), 0x4e648ca6baf3d6b9n);
    assert.equal(fnv1a64('привет'), 0x1bd8a912173e871fn);
    assert.equal(fnv1a64(new TextEncoder().encode('news')), 0xe5495bbaa03a6526n);
  });

  void it('agrees with a naive BigInt implementation on many strings', () => {
    for (let i = 0; i < 500; i++) {
      const s = `channel:${i}:${'x'.repeat(i % 37)}\u00e9${i * 7919}`;
      assert.equal(fnv1a64(s), referenceFnv(s), s);
    }
  });
});

void describe('jumpHash', () => {
  void it('matches vectors computed with a separate Python implementation (float64 step)', () => {
    const cases: Array<[bigint, number[]]> = [
      [0n, [0, 0, 0, 0, 0, 0, 0]],
      [1n, [0, 0, 0, 0, 6, 55, 549]],
      [0xdeadbeefn, [0, 1, 2, 3, 5, 87, 285]],
      [0xffffffffffffffffn, [0, 1, 2, 2, 9, 92, 313]],
    ];
    const buckets = [1, 2, 3, 5, 10, 100, 1000];
    for (const [key, expected] of cases) {
      assert.deepEqual(
        buckets.map((n) => jumpHash(key, n)),
        expected,
        `key ${key}`,
      );
    }
  });

  void it('places channels like the reference', () => {
    const buckets = [1, 2, 3, 5, 10, 100];
    assert.deepEqual(buckets.map((n) => shardIndex('', n)), [0, 1, 1, 1, 1, 90]);
    assert.deepEqual(buckets.map((n) => shardIndex('a', n)), [0, 1, 2, 2, 2, 31]);
    assert.deepEqual(buckets.map((n) => shardIndex('foobar', n)), [0, 1, 1, 1, 5, 33]);
    assert.deepEqual(buckets.map((n) => shardIndex('chat:index', n)), [0, 0, 0, 0, 0, 78]);
    assert.deepEqual(buckets.map((n) => shardIndex('news', n)), [0, 1, 2, 3, 3, 81]);
  });

  void it('is monotone: growing n by one only moves keys into the new bucket', () => {
    for (let i = 0; i < 300; i++) {
      const key = fnv1a64(`k${i}`);
      for (let n = 1; n < 20; n++) {
        const before = jumpHash(key, n);
        const after = jumpHash(key, n + 1);
        assert.ok(after === before || after === n, `key ${i}: ${before} -> ${after} at n=${n}`);
        assert.ok(before >= 0 && before < n);
      }
    }
  });

  void it('spreads channels over buckets', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[shardIndex(`ch${i}`, 4)]! += 1;
    for (const c of counts) assert.ok(c > 800 && c < 1200, `unbalanced: ${counts.join(',')}`);
  });
});

void describe('bucketIndex', () => {
  void it('is fnv1a64 mod n', () => {
    assert.equal(bucketIndex('a', 1), 0);
    assert.equal(bucketIndex('a', 7), Number(0xaf63dc4c8601ec8cn % 7n));
    assert.equal(bucketIndex('foobar', 16), Number(0x85944171f73967e8n % 16n));
  });
});
