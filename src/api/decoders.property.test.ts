/**
 * @module api/decoders.property.test — property-based tests of the server-API request decoders:
 * HTTP JSON bodies of every method, the legacy `/api` command stream, and GRPC request messages
 * (fast-check, fixed seed, small budget; the long campaign is `npm run fuzz`).
 */
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { apiBodies, expectOnly, mutate, noise, unitParams } from '../../test/fuzz/arbitraries.js';
import { loadApiSchema } from './grpc-codec.js';
import { JsonDecodeError, decodeCommandStream, decodeRequest } from './json.js';
import { API_METHODS } from './types.js';

const onlyDecodeErrors = (fn: () => unknown): void => expectOnly(JsonDecodeError, fn);

const schema = loadApiSchema();
const grpcMethods = Object.entries(schema.service);

/** Valid GRPC request bytes of a method from a JSON-ish object (unknown fields dropped by fromObject). */
function grpcBytes(method: string, value: Record<string, unknown>): Uint8Array {
  const def = schema.service[method]!;
  try {
    return def.requestSerialize(value);
  } catch {
    return new Uint8Array(0);
  }
}

void describe('server API decoders: properties', () => {
  void it('HTTP: every method decodes any body to a request or a JsonDecodeError', () => {
    fc.assert(
      fc.property(apiBodies, fc.constantFrom(...API_METHODS), (body, method) => onlyDecodeErrors(() => decodeRequest(method, body))),
      unitParams(),
    );
  });

  void it('legacy /api command stream: commands until the first bad one, then a JsonDecodeError', () => {
    fc.assert(
      fc.property(fc.oneof(apiBodies, noise), (body) => onlyDecodeErrors(() => [...decodeCommandStream(body)])),
      unitParams(),
    );
  });

  void it('GRPC: every method deserializes any bytes to an object or throws an Error (grpc-js answers INTERNAL), never hangs or returns garbage types', () => {
    const bytes = fc.oneof(
      noise,
      mutate(fc.tuple(fc.constantFrom(...grpcMethods.map(([m]) => m)), fc.record({ channel: fc.string(), data: fc.string(), user: fc.string() })).map(([m, v]) => grpcBytes(m, v))),
    );
    fc.assert(
      fc.property(bytes, fc.constantFrom(...grpcMethods), (input, [name, def]) => {
        let out: unknown;
        try {
          out = def.requestDeserialize(Buffer.from(input));
        } catch (err) {
          if (!(err instanceof Error)) throw new TypeError(`${name}: non-Error thrown: ${String(err)}`, { cause: err });
          return;
        }
        if (typeof out !== 'object' || out === null) throw new TypeError(`${name}: decoded to ${typeof out}`);
      }),
      unitParams(),
    );
  });
});
