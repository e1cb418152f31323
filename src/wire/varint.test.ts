/** @module wire/varint.test — varint sizes, encoding and 64-bit decoding. */
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

  void it('matches an independent BigInt encoding on integers, fractions and values past 2^53 and 2^64', () => {
    const oracle = (n: number): string => {
      let v = BigInt.asUintN(64, BigInt(Math.trunc(n)));
      const out: number[] = [];
      while (v > 0x7fn) {
        out.push(Number(v & 0x7fn) | 0x80);
        v >>= 7n;
      }
      out.push(Number(v));
      return Buffer.from(out).toString('hex');
    };
    const values = [0, 1, 127, 128, 300, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 0.5, 2 ** 32, 2 ** 53 - 1, 2 ** 60, 2 ** 63, 2 ** 64, 2 ** 64 + 2 ** 12, 2 ** 70, 2.9, -1, -5, -(2 ** 53)];
    let seed = 12345; // deterministic pseudo-random values of every magnitude
    for (let i = 0; i < 200; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      values.push(Math.floor((seed / 2 ** 31) * 2 ** (i % 64)));
    }
    for (const n of values) {
      const buf = new Uint8Array(16);
      const end = writeVarint(buf, 0, n);
      assert.equal(Buffer.from(buf.subarray(0, end)).toString('hex'), oracle(n), `value ${n}`);
      assert.ok(end <= varintSize(n), `varintSize(${n}) covers what is written`);
    }
    assert.equal(writeVarint(new Uint8Array(1), 0, Number.NaN), 1);
    assert.throws(() => writeVarint(new Uint8Array(10), 0, Number.POSITIVE_INFINITY), RangeError);
  });
});
