/** @module engines/wire-protobuf.test — the shared writer/reader; the messages are tested per engine dialect. */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { WIRE_LEN, WIRE_VARINT, WireReader, WireWriter } from './wire-protobuf.js';
import type { WireDialect } from './wire-protobuf.js';

class TestWireError extends Error {}

const dialect = (strict: boolean): WireDialect => ({
  error: TestWireError,
  strictUtf8: strict,
  strictWireTypes: strict,
  readChannel: true,
  emptyMapFields: true,
});
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const varint = (value: number): string => {
  const w = new WireWriter();
  w.varint(value);
  return hex(w.finish());
};

void describe('wire protobuf writer and reader', () => {
  void it('writes varints: fractions truncated, negatives and values past 2^53 as 64-bit two\'s complement', () => {
    assert.equal(varint(0), '00');
    assert.equal(varint(300), 'ac02');
    assert.equal(varint(2.9), '02');
    assert.equal(varint(Number.MAX_SAFE_INTEGER), 'ffffffffffffff0f');
    assert.equal(varint(2 ** 60), '808080808080808010');
    assert.equal(varint(-1), 'ffffffffffffffffff01');
    assert.equal(varint(2 ** 64), '00');
    assert.throws(() => varint(Number.NaN), RangeError);
  });

  void it('reads what it writes and grows past its first buffer', () => {
    const w = new WireWriter();
    const big = new Uint8Array(1000).fill(9);
    w.varintField(1, 2 ** 40);
    w.bytesField(2, big);
    w.stringField(3, 'ключ');
    const r = new WireReader(w.finish(), dialect(true));
    assert.equal(r.field(), 1);
    assert.equal(r.wire, WIRE_VARINT);
    assert.equal(r.varint(), 2 ** 40);
    assert.equal(r.field(), 2);
    assert.deepEqual(r.bytes(), big);
    assert.equal(r.field(), 3);
    assert.equal(r.string(), 'ключ');
    assert.equal(r.done, true);
  });

  void it('returns plain Uint8Array copies when given a Buffer', () => {
    const w = new WireWriter();
    w.bytesField(1, Uint8Array.of(1, 2));
    const input = Buffer.concat([Buffer.of(0xee), Buffer.from(w.finish())]);
    const r = new WireReader(input, dialect(true), 1);
    r.field();
    const out = r.bytes();
    assert.equal(out.constructor, Uint8Array);
    input.fill(0);
    assert.deepEqual(out, Uint8Array.of(1, 2));
  });

  void it('reads a ten-byte varint as a negative int64', () => {
    const r = new WireReader(Uint8Array.of(0xfb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), dialect(true));
    assert.equal(r.int64(), -5);
  });

  void it('applies the dialect to wire types and UTF-8', () => {
    const lenient = new WireReader(Uint8Array.of(0x08, 0x01, 0x12, 0x01, 0xff), dialect(false));
    assert.equal(lenient.field(), 1);
    assert.equal(lenient.wireIs(WIRE_LEN, 'f1'), false);
    lenient.skip();
    lenient.field();
    assert.equal(lenient.string(), '\ufffd');

    const strict = new WireReader(Uint8Array.of(0x08, 0x01, 0x12, 0x01, 0xff), dialect(true));
    strict.field();
    assert.throws(() => strict.wireIs(WIRE_LEN, 'f1'), TestWireError);
    strict.skip();
    strict.field();
    assert.throws(() => strict.string(), TestWireError);
  });

  void it('fails with the dialect error on truncated input, and never reads past the range', () => {
    for (const bytes of [[0x80], [0x0a, 0x05, 0x01], [0x09, 1, 2], [0x0d, 1], [0x0b]]) {
      const r = new WireReader(Uint8Array.from(bytes), dialect(false));
      assert.throws(() => {
        r.field();
        if (r.wire === WIRE_LEN) r.bytes();
        else r.skip();
      }, TestWireError);
    }
    const ranged = new WireReader(Uint8Array.of(0x0a, 0x02, 0x61, 0x62), dialect(false), 0, 3);
    ranged.field();
    assert.throws(() => ranged.sub(), TestWireError);
  });
});
