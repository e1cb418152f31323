/**
 * @module wire/utf8 — string ↔ UTF-8 helpers tuned for the short ASCII strings of the protocols
 * (channel names, client ids, epochs).
 */
import { Buffer, isUtf8 } from 'node:buffer';

/** Below this many characters a JS loop beats a native call. */
const SHORT = 16;

/** UTF-8 byte length of `s` (lone surrogates count as the 3-byte replacement character). */
export function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Writes `s` (whose UTF-8 length is `len`) into `buf` at `pos`; returns the position after it. */
export function writeUtf8(buf: Buffer, pos: number, s: string, len: number): number {
  const n = s.length;
  if (len === n && n <= SHORT) {
    for (let i = 0; i < n; i++) buf[pos + i] = s.charCodeAt(i);
    return pos + n;
  }
  return pos + buf.write(s, pos, len, 'utf8');
}

/** A Buffer view over the same memory (no copy). */
export function asBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

/** Whether bytes [start, end) of `buf` are valid UTF-8 (ASCII fast path for short ranges). */
export function isUtf8Range(buf: Buffer, start: number, end: number): boolean {
  if (end - start <= 4 * SHORT) {
    let i = start;
    while (i < end && buf[i]! < 0x80) i++;
    if (i === end) return true;
  }
  return isUtf8(buf.subarray(start, end));
}

export { isUtf8 };
