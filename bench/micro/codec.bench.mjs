/**
 * @module bench/micro/codec.bench — JSON vs Protobuf codec hot paths from the built `dist/`
 * (run `npm run build` in the repository root first): encoding one publication push (96 B, 1 KiB,
 * 64 KiB payload), framing 16 pushes for one write, and decoding a frame of publish commands.
 *
 *   npm --prefix bench run micro
 */
import { bench, group, run, summary } from 'mitata';
import { jsonCodec, protobufCodec } from '../../dist/protocol/index.js';
import { makePayload } from '../lib/payload.mjs';

const enc = new TextEncoder();
const sizes = { '96 B': 96, '1 KiB': 1024, '64 KiB': 65536 };

/** A JSON object payload of about `size` bytes (valid JSON for both codecs). */
function payload(size) {
  if (size <= 96) return enc.encode(makePayload(1));
  return enc.encode(JSON.stringify({ t: 1, s: 1, p: 'x'.repeat(size - 24) }));
}

for (const [label, size] of Object.entries(sizes)) {
  const pub = { data: payload(size), offset: 42 };
  group(`encodePublicationReply ${label}`, () => {
    summary(() => {
      bench('json', () => jsonCodec.encodePublicationReply('fan', pub));
      bench('protobuf', () => protobufCodec.encodePublicationReply('fan', pub));
    });
  });
}

const pub96 = { data: payload(96), offset: 42 };
const msgsJson = Array.from({ length: 16 }, () => jsonCodec.encodePublicationReply('fan', pub96));
const msgsProto = Array.from({ length: 16 }, () => protobufCodec.encodePublicationReply('fan', pub96));
group('joinFrames 16 pushes (96 B)', () => {
  summary(() => {
    bench('json', () => jsonCodec.joinFrames(msgsJson));
    bench('protobuf', () => protobufCodec.joinFrames(msgsProto));
  });
});

const publishJson = enc.encode(
  Array.from({ length: 16 }, (_, i) => `{"id":${i + 1},"publish":{"channel":"fan","data":${makePayload(i)}}}`).join('\n'),
);
/** Protobuf frame of the same 16 publish commands, built by hand (Command{id, publish{channel, data}}). */
function protoPublishFrame() {
  const out = [];
  const varint = (v) => {
    while (v > 0x7f) {
      out.push((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out.push(v);
  };
  for (let i = 0; i < 16; i++) {
    const ch = enc.encode('fan');
    const data = enc.encode(makePayload(i));
    const req = [0x0a, ch.length, ...ch, 0x12, data.length, ...data];
    const cmd = [0x08, i + 1, 0x3a, req.length, ...req];
    varint(cmd.length);
    out.push(...cmd);
  }
  return Uint8Array.from(out);
}
const publishProto = protoPublishFrame();
group('decodeCommands 16 publish commands', () => {
  summary(() => {
    bench('json', () => jsonCodec.decodeCommands(publishJson));
    bench('protobuf', () => protobufCodec.decodeCommands(publishProto));
  });
});

await run();
