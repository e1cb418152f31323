/**
 * @module transports/ws-frames — server-side WebSocket frames (RFC 6455: unmasked, final,
 * uncompressed) carrying Centrifugo messages: up to 16 per frame, `\n`-joined JSON or
 * varint-length-prefixed Protobuf (client protocol §2.3, §3).
 */

export const MAX_MESSAGES_IN_FRAME = 16;
/** Flushes up to this size are packed into one buffer; larger ones are written corked, uncopied. */
export const PACK_LIMIT = 64 * 1024;

/** Bytes of an RFC 6455 server frame header for a payload of `length`. */
function headerSize(length: number): number {
  return length < 126 ? 2 : length < 65536 ? 4 : 10;
}

/** Writes a frame header at `pos` (payload below 64 KiB); returns the position after it. */
function putHeader(out: Buffer, pos: number, opcode: number, length: number): number {
  out[pos] = 0x80 | opcode;
  if (length < 126) {
    out[pos + 1] = length;
    return pos + 2;
  }
  out[pos + 1] = 126;
  out[pos + 2] = length >>> 8;
  out[pos + 3] = length & 0xff;
  return pos + 4;
}

function varintSize(n: number): number {
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  let size = 3;
  n = Math.floor(n / 0x200000);
  while (n > 0) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function putVarint(out: Buffer, pos: number, n: number): number {
  if (n < 0x80) {
    out[pos] = n;
    return pos + 1;
  }
  while (n >= 0x80) {
    out[pos++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  out[pos++] = n;
  return pos;
}

/** Payload bytes of one frame carrying `messages[from..to)`: `\n`-joined JSON or length-prefixed Protobuf. */
function payloadSize(messages: readonly Uint8Array[], from: number, to: number, binary: boolean): number {
  let n = binary ? 0 : to - from - 1;
  for (let i = from; i < to; i++) {
    const len = messages[i]!.length;
    n += binary ? varintSize(len) + len : len;
  }
  return n;
}

/** Payload size of each frame of the flush being packed (reused: packing is synchronous). */
let frameSizes = new Int32Array(64);

/**
 * Every message of a flush as complete frames of up to 16 messages each, in one buffer, or
 * `undefined` when that would exceed {@link PACK_LIMIT} (then the caller writes pieces uncopied).
 */
export function packFrames(messages: readonly Uint8Array[], opcode: number, binary: boolean): Buffer | undefined {
  const frames = Math.ceil(messages.length / MAX_MESSAGES_IN_FRAME);
  if (frames > frameSizes.length) frameSizes = new Int32Array(frames * 2);
  const sizes = frameSizes;
  let total = 0;
  for (let f = 0; f < frames; f++) {
    const from = f * MAX_MESSAGES_IN_FRAME;
    const p = payloadSize(messages, from, Math.min(messages.length, from + MAX_MESSAGES_IN_FRAME), binary);
    sizes[f] = p;
    total += headerSize(p) + p;
    if (total > PACK_LIMIT) return undefined;
  }
  const out = Buffer.allocUnsafe(total);
  let pos = 0;
  for (let f = 0; f < frames; f++) {
    const from = f * MAX_MESSAGES_IN_FRAME;
    const end = Math.min(messages.length, from + MAX_MESSAGES_IN_FRAME);
    pos = putHeader(out, pos, opcode, sizes[f]!);
    for (let j = from; j < end; j++) {
      const m = messages[j]!;
      if (binary) pos = putVarint(out, pos, m.length);
      else if (j > from) out[pos++] = 0x0a;
      out.set(m, pos);
      pos += m.length;
    }
  }
  return out;
}

/** RFC 6455 header of an unmasked, final, uncompressed server frame. */
export function frameHeader(opcode: number, length: number): Buffer {
  if (length < 126) {
    const h = Buffer.allocUnsafe(2);
    h[0] = 0x80 | opcode;
    h[1] = length;
    return h;
  }
  if (length < 65536) {
    const h = Buffer.allocUnsafe(4);
    h[0] = 0x80 | opcode;
    h[1] = 126;
    h.writeUInt16BE(length, 2);
    return h;
  }
  const h = Buffer.allocUnsafe(10);
  h[0] = 0x80 | opcode;
  h[1] = 127;
  h.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
  h.writeUInt32BE(length >>> 0, 6);
  return h;
}
