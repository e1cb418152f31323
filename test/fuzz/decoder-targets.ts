/**
 * @module test/fuzz/decoder-targets — the in-process fuzz targets of the campaign: every decoder with the
 * error class it may throw. Anything else thrown (or a wrong result shape) is a finding.
 */
import fc from 'fast-check';
import { loadApiSchema } from '../../src/api/grpc-codec.js';
import { JsonDecodeError, decodeCommandStream, decodeRequest } from '../../src/api/json.js';
import { API_METHODS } from '../../src/api/types.js';
import { ConfigError } from '../../src/config/errors.js';
import { parseConfigText } from '../../src/config/file.js';
import { SCHEMA } from '../../src/config/schema/index.js';
import { validateConfig } from '../../src/config/validate.js';
import { ProtocolError } from '../../src/protocol/codec.js';
import { jsonCodec } from '../../src/protocol/json.js';
import { protobufCodec } from '../../src/protocol/protobuf.js';
import { apiBodies, configObjects, expectOnly, jsonFrames, mutate, noise, protoFrames } from './arbitraries.js';

/** One fuzz target: inputs and a check that throws on a finding. */
export interface DecoderTarget {
  readonly name: string;
  /** Relative share of the decoder budget. */
  readonly weight: number;
  readonly property: fc.IProperty<[unknown]>;
}

const grpc = loadApiSchema();
const grpcMethods = Object.entries(grpc.service);
const configKeys = Object.keys(SCHEMA);

const target = <T>(name: string, weight: number, arb: fc.Arbitrary<T>, check: (input: T) => void): DecoderTarget => ({
  name,
  weight,
  property: fc.property(arb, (input) => check(input)),
});

/** Every decoder of the project. */
export const DECODER_TARGETS: readonly DecoderTarget[] = [
  target('client JSON frames', 3, jsonFrames, (f) => expectOnly(ProtocolError, () => jsonCodec.decodeCommands(f))),
  target('client Protobuf frames', 3, protoFrames, (f) => expectOnly(ProtocolError, () => protobufCodec.decodeCommands(f))),
  target('uni connect requests (JSON, Protobuf)', 1, fc.oneof(noise, jsonFrames, protoFrames), (b) => {
    expectOnly(ProtocolError, () => jsonCodec.decodeConnectRequest(b));
    expectOnly(ProtocolError, () => protobufCodec.decodeConnectRequest(b));
  }),
  target('emulation requests (JSON, Protobuf)', 1, fc.oneof(noise, jsonFrames, protoFrames), (b) => {
    expectOnly(ProtocolError, () => jsonCodec.decodeEmulationRequest(b));
    expectOnly(ProtocolError, () => protobufCodec.decodeEmulationRequest(b));
  }),
  target('HTTP API requests (all methods)', 2, fc.tuple(apiBodies, fc.constantFrom(...API_METHODS)), ([b, m]) =>
    expectOnly(JsonDecodeError, () => decodeRequest(m, b)),
  ),
  target('HTTP API legacy command stream', 1, fc.oneof(apiBodies, noise), (b) => expectOnly(JsonDecodeError, () => [...decodeCommandStream(b)])),
  target('GRPC API requests (all methods)', 2, fc.tuple(fc.oneof(noise, mutate(apiBodies)), fc.constantFrom(...grpcMethods)), ([b, [name, def]]) => {
    let out: unknown;
    try {
      out = def.requestDeserialize(Buffer.from(b));
    } catch (err) {
      if (!(err instanceof Error)) throw new TypeError(`${name}: non-Error thrown`, { cause: err });
      return;
    }
    if (typeof out !== 'object' || out === null) throw new TypeError(`${name}: decoded to ${typeof out}`);
  }),
  target('config objects', 1, configObjects(configKeys), (raw) => expectOnly(ConfigError, () => validateConfig(raw))),
  target(
    'config files (JSON, YAML, TOML)',
    1,
    fc.tuple(fc.oneof(fc.string({ maxLength: 200 }), configObjects(configKeys).map((o) => JSON.stringify(o))), fc.constantFrom<'json' | 'yaml' | 'toml'>('json', 'yaml', 'toml')),
    ([text, format]) =>
      expectOnly(ConfigError, () => {
        const raw = parseConfigText(text, format, `config.${format}`);
        validateConfig(raw);
      }),
  ),
];
