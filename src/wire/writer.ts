/**
 * @module wire/writer — the protobuf wire writer shared by the client protocol codec and the engines.
 *
 * Writes into one growing scratch buffer. A sub-message reserves one byte for its length and is
 * written in place; if its length needs more than one varint byte the body is moved right
 * (`copyWithin`), so no size pre-pass is needed.
 */
import { Buffer } from 'node:buffer';
import { utf8Length, writeUtf8 } from './utf8.js';
import { varintSize, writeVarint } from './varint.js';

export class ProtoWriter {
  buf: Buffer;
  pos = 0;
  readonly #initialSize: number;

  /** `initialSize`: the scratch buffer's first size (a long-lived shared writer: 4 KiB; one per small message: less). */
  constructor(initialSize = 4096) {
    this.#initialSize = initialSize;
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  reset(): void {
    this.pos = 0;
    // Do not keep a huge scratch buffer around after one big message.
    if (this.buf.length > 1 << 20) this.buf = Buffer.allocUnsafe(this.#initialSize);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  varint(n: number): void {
    this.ensure(10);
    this.pos = writeVarint(this.buf, this.pos, n);
  }

  bytes(b: Uint8Array): void {
    this.ensure(10 + b.length);
    this.pos = writeVarint(this.buf, this.pos, b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  string(s: string): void {
    const len = utf8Length(s);
    this.ensure(10 + len);
    this.pos = writeVarint(this.buf, this.pos, len);
    this.pos = writeUtf8(this.buf, this.pos, s, len);
  }

  /** Starts a length-delimited body; returns the marker for `endLen`. */
  beginLen(): number {
    this.ensure(1);
    return this.pos++;
  }

  endLen(mark: number): void {
    const len = this.pos - mark - 1;
    if (len < 0x80) {
      this.buf[mark] = len;
      return;
    }
    const extra = varintSize(len) - 1;
    this.ensure(extra);
    this.buf.copyWithin(mark + 1 + extra, mark + 1, this.pos);
    writeVarint(this.buf, mark, len);
    this.pos += extra;
  }

  /** A copy of the written bytes. */
  finish(): Uint8Array {
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    return out;
  }
}
