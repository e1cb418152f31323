/** @module protocol — client protocol codecs (JSON and Protobuf) and message types. */
import type { Codec, ProtocolType } from './codec.js';
import { jsonCodec } from './json.js';
import { protobufCodec } from './protobuf.js';

export type * from './types.js';
export type { Codec, ProtocolType } from './codec.js';
export { EncodeError, ProtocolError } from './codec.js';
export { jsonCodec } from './json.js';
export { protobufCodec } from './protobuf.js';

/** The codec of a connection's protocol. */
export function codecFor(type: ProtocolType): Codec {
  return type === 'protobuf' ? protobufCodec : jsonCodec;
}
