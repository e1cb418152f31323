/**
 * @module transports/ws-frames — server-side WebSocket frames (RFC 6455: unmasked, final,
 * uncompressed) carrying Centrifugo messages: up to 16 per frame, `\n`-joined JSON or
 * varint-length-prefixed Protobuf (Centrifugo's client protocol framing, client protocol messages).
 */

import { varintSize, writeVarint } from '../wire/varint.js';

export const MAX_MESSAGES_IN_FRAME = 16;

/** Bytes of an RFC 6455 server frame header for a payload of `length`. */
function headerSize(length: number): number {
  return length < 126 ? 2 : length < 65536 ? 4 : 10;
}

/** Writes a frame header at `pos`; returns the position after it. */
function putHeader(out: Buffer, pos: number, opcode: number, length: number): number {
  out[pos] = 0x80 | opcode;
  if (length < 126) {
    out[pos + 1] = length;
    return pos + 2;
  }
  if (length < 65536) {
    out[pos + 1] = 126;
    out[pos + 2] = length >>> 8;
    out[pos + 3] = length & 0xff;
    return pos + 4;
  }
  out[pos + 1] = 127;
  out.writeUInt32BE(Math.floor(length / 2 ** 32), pos + 2);
  out.writeUInt32BE(length >>> 0, pos + 6);
  return pos + 10;
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
 * Every message of a flush as complete frames of up to 16 messages each, in one buffer (one socket
 * write). Also builds the single-message frame a publication shares between its subscribers.
 */
export function packFrames(messages: readonly Uint8Array[], opcode: number, binary: boolean): Buffer {
  const frames = Math.ceil(messages.length / MAX_MESSAGES_IN_FRAME);
  if (frames > frameSizes.length) frameSizes = new Int32Array(frames * 2);
  const sizes = frameSizes;
  let total = 0;
  for (let f = 0; f < frames; f++) {
    const from = f * MAX_MESSAGES_IN_FRAME;
    const p = payloadSize(messages, from, Math.min(messages.length, from + MAX_MESSAGES_IN_FRAME), binary);
    sizes[f] = p;
    total += headerSize(p) + p;
  }
  const out = Buffer.allocUnsafe(total);
  let pos = 0;
  for (let f = 0; f < frames; f++) {
    const from = f * MAX_MESSAGES_IN_FRAME;
    const end = Math.min(messages.length, from + MAX_MESSAGES_IN_FRAME);
    pos = putHeader(out, pos, opcode, sizes[f]!);
    for (let j = from; j < end; j++) {
      const m = messages[j]!;
      if (binary) pos = writeVarint(out, pos, m.length);
      else if (j > from) out[pos++] = 0x0a;
      out.set(m, pos);
      pos += m.length;
    }
  }
  return out;
}
