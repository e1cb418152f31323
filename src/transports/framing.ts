/**
 * @module transports/framing — how already-encoded messages are laid out on each streaming wire
 * (Centrifugo's client protocol framing): newline-terminated JSON lines, SSE `data:` events, varint-prefixed protobuf.
 */
import { protobufCodec } from '../protocol/index.js';

/** Turns a batch of encoded messages into the bytes of one write. */
export type Framer = (messages: readonly Uint8Array[]) => Uint8Array;

const NL = 0x0a;
const CR = 0x0d;
const SSE_PREFIX = Buffer.from('data: ');

/** Every message followed by `\n` (http_stream JSON, uni_http_stream). */
export const frameLines: Framer = (messages) => {
  let total = messages.length;
  for (const m of messages) total += m.length;
  const buf = Buffer.allocUnsafe(total);
  let pos = 0;
  for (const m of messages) {
    buf.set(m, pos);
    pos += m.length;
    buf[pos++] = NL;
  }
  return buf;
};

/**
 * One SSE event per message: `data: <message>\n\n` (sse, uni_sse). A raw CR in valid JSON can
 * only be insignificant whitespace (inside strings it is escaped), but EventSource treats it as a
 * line break, so it is dropped; LF is already removed by the JSON codec.
 */
export const frameSse: Framer = (messages) => {
  let total = 0;
  for (const m of messages) total += SSE_PREFIX.length + m.length + 2;
  const buf = Buffer.allocUnsafe(total);
  let pos = 0;
  for (const m of messages) {
    buf.set(SSE_PREFIX, pos);
    pos += SSE_PREFIX.length;
    if (m.indexOf(CR) < 0 && m.indexOf(NL) < 0) {
      buf.set(m, pos);
      pos += m.length;
    } else {
      for (const b of m) if (b !== CR && b !== NL) buf[pos++] = b;
    }
    buf[pos++] = NL;
    buf[pos++] = NL;
  }
  return pos === total ? buf : buf.subarray(0, pos);
};

/** Each message prefixed by its varint length (http_stream Protobuf). */
export const frameVarint: Framer = (messages) => protobufCodec.joinFrames(messages);
