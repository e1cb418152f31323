/** @module protocol/varint.test — varint sizes, encoding and 64-bit decoding. */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ByteCursor, VarintError, varintSize, writeVarint } from './varint.js';

const enc = (n: number): number[] => {
  const buf = new Uint8Array(10);
  const end = writeVarint(buf, 0, n);
  assert.equal(end, varintSize(n), `size of ${n}`);
  return [...buf.subarray(0, end)];
};
const cur = (bytes: number[]): ByteCursor => new ByteCursor(new Uint8Array(bytes));

void describe('varint', () => {
  void it('encodes boundaries with matching sizes', () => {
    assert.deepStrictEqual(enc(0), [0]);
    assert.deepStrictEqual(enc(127), [0x7f]);
    assert.deepStrictEqual(enc(128), [0x80, 0x01]);
    assert.deepStrictEqual(enc(300), [0xac, 0x02]);
    assert.deepStrictEqual(enc(2 ** 31), [0x80, 0x80, 0x80, 0x80, 0x08]);
    assert.deepStrictEqual(enc(2 ** 32 - 1), [0xff, 0xff, 0xff, 0xff, 0x0f]);
    assert.deepStrictEqual(enc(2 ** 53 - 1), [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    assert.deepStrictEqual(enc(-1), [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    assert.deepStrictEqual(enc(-(2 ** 31)), [0x80, 0x80, 0x80, 0x80, 0xf8, 0xff, 0xff, 0xff, 0xff, 0x01]);
    for (let e = 0; e < 53; e++) for (const n of [2 ** e - 1, 2 ** e, 2 ** e + 1]) enc(n);
  });

  void it('decodes every interpretation exactly', () => {
    for (const n of [0, 1, 127, 128, 300, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 5, 2 ** 53 - 1]) {
      assert.equal(cur(enc(n)).uint64(), n);
      assert.equal(cur(enc(n)).int64(), n);
    }
    for (const n of [-1, -2, -(2 ** 31), -(2 ** 40), -(2 ** 53) + 1]) assert.equal(cur(enc(n)).int64(), n);
    assert.equal(cur(enc(-1)).int32(), -1);
    assert.equal(cur(enc(-(2 ** 31))).int32(), -(2 ** 31));
    assert.equal(cur(enc(2 ** 32 + 7)).uint32(), 7);
    assert.equal(cur(enc(2 ** 32 - 1)).uint32(), 2 ** 32 - 1);
    assert.equal(cur([0x09]).sint64(), -5);
    assert.equal(cur([0x0a]).sint64(), 5);
    assert.equal(cur(enc(2 ** 41 - 1)).sint64(), -(2 ** 40));
    assert.equal(cur([0x00]).bool(), false);
    assert.equal(cur([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]).bool(), true);
  });

  void it('rejects truncated and over-long varints', () => {
    assert.throws(() => cur([]).uint64(), VarintError);
    assert.throws(() => cur([0x80]).uint64(), VarintError);
    assert.throws(() => cur([0xff, 0xff, 0xff, 0xff, 0xff]).uint64(), VarintError);
    assert.throws(() => cur([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]).uint64(), VarintError);
    assert.throws(() => cur([0x80, 0x80, 0x80, 0x80, 0x10]).uint32Strict(), VarintError);
    assert.equal(cur([0xff, 0xff, 0xff, 0xff, 0x0f]).uint32Strict(), 2 ** 32 - 1);
  });

  void it('advances the cursor', () => {
    const c = cur([0xac, 0x02, 0x05]);
    assert.equal(c.uint64(), 300);
    assert.equal(c.pos, 2);
    assert.equal(c.uint64(), 5);
    assert.equal(c.pos, 3);
  });
});
