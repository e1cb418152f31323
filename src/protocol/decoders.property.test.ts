/**
 * @module protocol/decoders.property.test — property-based tests of the client-protocol decoders
 * (fast-check, fixed seed, small budget; the long campaign is `npm run fuzz`).
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
// eslint-disable-next-line no-restricted-imports -- test-only: the shared fuzz generators live in test/fuzz
import { expectOnly, jsonFrame, jsonFrames, noise, protoCommand, protoFrame, protoFrames, unitParams, wireCommand } from '../../test/fuzz/arbitraries.js';
import { ProtocolError } from './codec.js';
import { jsonCodec } from './json.js';
import { protobufCodec } from './protobuf.js';

/** Runs `fn`; only a ProtocolError may come out of it. */
const onlyProtocolErrors = (fn: () => unknown): void => expectOnly(ProtocolError, fn);

void describe('client-protocol decoders: properties', () => {
  void it('JSON: any frame decodes to commands or fails with a ProtocolError (never another error)', () => {
    fc.assert(fc.property(jsonFrames, (frame) => onlyProtocolErrors(() => jsonCodec.decodeCommands(frame))), unitParams());
  });

  void it('Protobuf: any frame decodes to commands or fails with a ProtocolError', () => {
    fc.assert(fc.property(protoFrames, (frame) => onlyProtocolErrors(() => protobufCodec.decodeCommands(frame))), unitParams());
  });

  void it('connect and emulation requests: decoded or ProtocolError, both encodings', () => {
    fc.assert(
      fc.property(fc.oneof(noise, jsonFrames, protoFrames), (bytes) => {
        for (const codec of [jsonCodec, protobufCodec]) {
          onlyProtocolErrors(() => codec.decodeConnectRequest(bytes));
          onlyProtocolErrors(() => codec.decodeEmulationRequest(bytes));
        }
      }),
      unitParams(),
    );
  });

  void it('JSON: valid commands keep their ids and order; a bad line after them leaves them in `decoded`', () => {
    fc.assert(
      fc.property(fc.array(wireCommand, { minLength: 1, maxLength: 6 }), fc.constantFrom('{"id":', 'x', '[]', '{"id":"1"}', '\u00ff'), (cmds, bad) => {
        const decoded = jsonCodec.decodeCommands(jsonFrame(cmds));
        assert.deepEqual(decoded.map((c) => c.id ?? 0), cmds.map((c) => (c['id'] as number | undefined) ?? 0));
        const frame = Buffer.concat([jsonFrame(cmds), Buffer.from(`\n${bad}`)]);
        assert.throws(() => jsonCodec.decodeCommands(frame), (err: unknown) => err instanceof ProtocolError && err.decoded.length === cmds.length);
      }),
      unitParams(),
    );
  });

  void it('Protobuf: valid commands decode like their JSON form; a truncated command after them leaves them in `decoded`', () => {
    fc.assert(
      fc.property(fc.array(wireCommand, { minLength: 1, maxLength: 6 }), fc.nat(), (cmds, cutAt) => {
        const messages = cmds.map(protoCommand);
        const decoded = protobufCodec.decodeCommands(protoFrame(messages));
        const fromJson = jsonCodec.decodeCommands(jsonFrame(cmds));
        assert.deepEqual(decoded.map((c) => [c.id ?? 0, Object.keys(c).filter((k) => k !== 'id')]), fromJson.map((c) => [c.id ?? 0, Object.keys(c).filter((k) => k !== 'id')]));
        const last = messages[messages.length - 1]!;
        const frame = protoFrame(messages);
        // Declared length of the last command kept, bytes cut: it can not be decoded.
        const cut = frame.subarray(0, frame.length - 1 - (cutAt % Math.max(1, last.length)));
        assert.throws(() => protobufCodec.decodeCommands(cut), (err: unknown) => err instanceof ProtocolError && err.decoded.length === cmds.length - 1);
      }),
      unitParams(),
    );
  });
});
