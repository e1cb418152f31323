/**
 * @module engines/redis/protobuf — the protobuf messages inside Redis PUB/SUB payloads, history streams
 * and presence hashes: `Publication` and `ClientInfo` (client protocol numbering), in the wire rules of
 * `engines/wire-protobuf` with Redis's dialect: map entries written whole, lenient decoding (a known
 * field with another wire type is skipped, invalid UTF-8 becomes U+FFFD) and Publication.channel not read.
 */
import type { ClientInfo, Publication } from '../../core/types.js';
import {
  WireReader,
  encodePublication as encodeWirePublication,
  readClientInfo,
  readPublication,
} from '../wire-protobuf.js';
import type { WireDialect } from '../wire-protobuf.js';

export { encodeClientInfo } from '../wire-protobuf.js';

/** Malformed protobuf bytes. */
export class ProtobufDecodeError extends Error {
  override readonly name = 'ProtobufDecodeError';
}

const REDIS_WIRE: WireDialect = {
  error: ProtobufDecodeError,
  strictUtf8: false,
  strictWireTypes: false,
  readChannel: false,
  emptyMapFields: true,
};

/** Decodes a ClientInfo message; throws ProtobufDecodeError on malformed input. */
export function decodeClientInfo(buf: Uint8Array): ClientInfo {
  return readClientInfo(new WireReader(buf, REDIS_WIRE));
}

/** Extra fields of the wire Publication that the domain type does not carry. */
export interface EncodePublicationExtras {
  readonly channel?: string | undefined;
}

/** Encodes a Publication (offset only when > 0, as proto3 omits zero values). */
export function encodePublication(pub: Publication, extras?: EncodePublicationExtras): Uint8Array {
  return encodeWirePublication(pub, extras?.channel, REDIS_WIRE);
}

/** Decodes a Publication from `buf[start, end)`; throws ProtobufDecodeError on malformed input. */
export function decodePublication(buf: Uint8Array, start = 0, end = buf.length): Publication {
  return readPublication(new WireReader(buf, REDIS_WIRE, start, end));
}
