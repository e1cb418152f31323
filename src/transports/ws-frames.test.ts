import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_MESSAGES_IN_FRAME, packFrames } from './ws-frames.js';

interface Frame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

/** Reads back server frames (unmasked) with an independent parser. */
function parseFrames(buf: Buffer): Frame[] {
  const out: Frame[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const b0 = buf[pos]!;
    const b1 = buf[pos + 1]!;
    assert.equal(b1 & 0x80, 0, 'server frames are not masked');
    let len = b1 & 0x7f;
    pos += 2;
    if (len === 126) {
      len = buf.readUInt16BE(pos);
      pos += 2;
    } else if (len === 127) {
      len = Number(buf.readBigUInt64BE(pos));
      pos += 8;
    }
    out.push({ fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, payload: buf.subarray(pos, pos + len) });
    pos += len;
  }
  assert.equal(pos, buf.length, 'no bytes after the last frame');
  return out;
}

function varintDelimited(payload: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let pos = 0;
  while (pos < payload.length) {
    let len = 0;
    let shift = 0;
    for (;;) {
      const b = payload[pos++]!;
      len += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (b < 0x80) break;
    }
    out.push(payload.subarray(pos, pos + len));
    pos += len;
  }
  return out;
}

const msgs = (n: number, size: (i: number) => number): Buffer[] =>
  Array.from({ length: n }, (_, i) => Buffer.alloc(size(i), 97 + (i % 26)));

describe('ws-frames', () => {
  it('packs JSON messages into text frames of at most 16, \\n-joined, in order', () => {
    const input = msgs(MAX_MESSAGES_IN_FRAME * 2 + 3, (i) => 20 + i);
    const frames = parseFrames(packFrames(input, 0x1, false));
    assert.deepEqual(
      frames.map((f) => f.payload.toString().split('\n').length),
      [16, 16, 3],
    );
    for (const f of frames) {
      assert.equal(f.fin, true);
      assert.equal(f.opcode, 0x1);
    }
    const back = frames.flatMap((f) => f.payload.toString().split('\n'));
    assert.deepEqual(back, input.map((m) => m.toString()));
  });

  it('packs Protobuf messages varint-length-prefixed in binary frames, with 2- and 4-byte-length headers', () => {
    // 300-byte messages: 2-byte varints; 16 of them → a payload above 125 bytes (16-bit length).
    const input = [...msgs(17, () => 300), Buffer.alloc(0), Buffer.from([1, 2, 3])];
    const frames = parseFrames(packFrames(input, 0x2, true));
    assert.equal(frames.length, 2);
    assert.ok(frames.every((f) => f.opcode === 0x2));
    const back = frames.flatMap((f) => varintDelimited(f.payload));
    assert.deepEqual(back, input);
    // A single small message gets the 2-byte header.
    const one = packFrames([Buffer.from('x')], 0x2, true);
    assert.deepEqual([...one], [0x82, 2, 1, 0x78]);
  });

  it('3-byte varints, and more frames than the reused size table first holds', () => {
    const big = [Buffer.alloc(20_000, 1), Buffer.alloc(16_384, 2), Buffer.alloc(16_383, 3)];
    const frames = parseFrames(packFrames(big, 0x2, true));
    assert.deepEqual(varintDelimited(frames[0]!.payload), big);
    const many = msgs(65 * MAX_MESSAGES_IN_FRAME + 1, (i) => 1 + (i % 7));
    for (const binary of [false, true]) {
      const parsed = parseFrames(packFrames(many, binary ? 0x2 : 0x1, binary));
      assert.equal(parsed.length, 66);
      const back = parsed.flatMap((f) => (binary ? varintDelimited(f.payload) : f.payload.toString().split('\n').map((t) => Buffer.from(t))));
      assert.deepEqual(back, many);
    }
  });

  it('frame headers with 7-bit, 16-bit and 64-bit lengths', () => {
    assert.deepEqual([...packFrames([Buffer.alloc(125)], 0x1, false).subarray(0, 2)], [0x81, 125]);
    assert.deepEqual([...packFrames([Buffer.alloc(126)], 0x1, false).subarray(0, 4)], [0x81, 126, 0, 126]);
    const big = Buffer.alloc(70_000, 7);
    const out = packFrames([big], 0x1, false);
    assert.deepEqual([...out.subarray(0, 10)], [0x81, 127, 0, 0, 0, 0, 0, 1, 0x11, 0x70]);
    assert.equal(out.length, 10 + 70_000);
    assert.deepEqual(parseFrames(out)[0]!.payload, big);
    // Several large messages: every frame stays intact.
    const large = msgs(3, (i) => 40_000 + i);
    assert.deepEqual(parseFrames(packFrames(large, 0x2, true)).flatMap((f) => varintDelimited(f.payload)), large);
  });
});
