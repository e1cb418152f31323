/**
 * @module wire/varint — protobuf base-128 varints over plain JS numbers.
 *
 * 64-bit values are numbers (exact up to 2^53, which offsets and timestamps never reach); negative
 * values take the 10-byte two's-complement form protobuf uses for int32/int64. Decoding reads the
 * low and high 32-bit halves separately so that every 64-bit interpretation can be derived exactly.
 */

const TWO_32 = 4294967296;
const TWO_64 = 18446744073709551616;

/** Bytes `writeVarint` uses for `n`. */
export function varintSize(n: number): number {
  if (n < 0) return 10;
  if (!(n >= 0x80)) return 1; // also NaN, written as a single 0 byte
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  if (n < 0x10000000) return 4;
  if (n < 0x800000000) return 5;
  if (n < 0x40000000000) return 6;
  if (n < 0x2000000000000) return 7;
  if (n < 0x100000000000000) return 8;
  if (n < 0x8000000000000000) return 9;
  return 10;
}

/**
 * Writes `n` at `pos` (the caller reserved `varintSize(n)` bytes); returns the position after it.
 * Fractions are truncated; negatives and values of 2^64 and more take their 64-bit two's complement
 * (so at most 10 bytes); NaN is written as 0, ±Infinity throws a RangeError.
 */
export function writeVarint(buf: Uint8Array, pos: number, n: number): number {
  if (n < 0) return writeVarint64(buf, pos, n);
  if (n >= 0x80000000) {
    if (n >= TWO_64) return writeVarint64(buf, pos, n);
    do {
      buf[pos++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    } while (n >= 0x80000000);
  }
  while (n > 0x7f) {
    buf[pos++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  buf[pos++] = n;
  return pos;
}

/** `n` outside 0…2^64 as its 64-bit two's complement (negatives: always 10 bytes). */
function writeVarint64(buf: Uint8Array, pos: number, n: number): number {
  let v = BigInt.asUintN(64, BigInt(Math.trunc(n)));
  while (v > 0x7fn) {
    buf[pos++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  buf[pos++] = Number(v);
  return pos;
}

/** A varint ran past the end of its buffer or over 10 bytes; callers map it to their error type. */
export class VarintError extends Error {
  override readonly name = 'VarintError';
}

/**
 * Cursor over a byte range with varint reading. `lo`/`hi` hold the halves of the last 64-bit
 * varint read by `varint64()`.
 */
export class ByteCursor {
  buf: Uint8Array;
  pos: number;
  end: number;
  lo = 0;
  hi = 0;

  constructor(buf: Uint8Array, pos = 0, end = buf.length) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  /** Reads a varint into `lo`/`hi`. */
  varint64(): void {
    const buf = this.buf;
    const end = this.end;
    let pos = this.pos;
    let lo = 0;
    let hi: number;
    let b: number;
    for (let shift = 0; shift < 28; shift += 7) {
      if (pos >= end) throw new VarintError('truncated varint');
      b = buf[pos++]!;
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        this.lo = lo >>> 0;
        this.hi = 0;
        return;
      }
    }
    // 5th byte: 4 bits to lo, 3 bits to hi
    if (pos >= end) throw new VarintError('truncated varint');
    b = buf[pos++]!;
    lo |= (b & 0x0f) << 28;
    hi = (b & 0x7f) >> 4;
    if (b >= 0x80) {
      for (let shift = 3; ; shift += 7) {
        if (pos >= end) throw new VarintError('truncated varint');
        if (shift > 31) throw new VarintError('varint longer than 10 bytes');
        b = buf[pos++]!;
        hi |= (b & 0x7f) << shift;
        if (b < 0x80) break;
      }
    }
    this.pos = pos;
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
  }

  /** Unsigned value of a varint, exact up to 2^53. */
  uint64(): number {
    this.varint64();
    return this.hi * TWO_32 + this.lo;
  }

  /** A varint that must fit 32 bits unsigned (lengths, tags); larger values are rejected. */
  uint32Strict(): number {
    this.varint64();
    if (this.hi !== 0) throw new VarintError('varint exceeds 32 bits');
    return this.lo;
  }

  /** proto uint32: the low 32 bits. */
  uint32(): number {
    this.varint64();
    return this.lo;
  }

  /** proto int32: the low 32 bits as signed. */
  int32(): number {
    this.varint64();
    return this.lo | 0;
  }

  /** proto int64 (two's complement). */
  int64(): number {
    this.varint64();
    return (this.hi | 0) * TWO_32 + this.lo;
  }

  /** proto sint64 (zigzag). */
  sint64(): number {
    this.varint64();
    const u = this.hi * TWO_32 + this.lo;
    return this.lo & 1 ? -(u + 1) / 2 : u / 2;
  }

  bool(): boolean {
    this.varint64();
    return this.lo !== 0 || this.hi !== 0;
  }
}
