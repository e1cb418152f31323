/**
 * @module core/prepared — a publication encoded at most once per (protocol, framing) for fan-out.
 *
 * The hub builds one PreparedPublication per incoming publication and hands it to every
 * subscriber; each encoding is produced lazily by the first subscriber that needs it and reused
 * by all the others (spec: "encodes each publication once per protocol").
 */
import { jsonCodec, protobufCodec } from '../protocol/index.js';
import type { ProtoPublication } from '../protocol/types.js';
import type { Publication, StreamPosition } from './types.js';

/** Encoding slots: 0 JSON reply, 1 JSON bare push, 2 Protobuf reply, 3 Protobuf bare push. */
const JSON_REPLY = 0;
const PB_REPLY = 2;

/** Thrown-free marker: the payload cannot be encoded for this protocol. */
export const ENCODE_FAILED: Uint8Array = new Uint8Array(0);

export class PreparedPublication {
  readonly channel: string;
  readonly publication: Publication;
  readonly position: StreamPosition;
  #proto: ProtoPublication | undefined;
  readonly #slots: (Uint8Array | undefined)[] = [undefined, undefined, undefined, undefined];

  constructor(channel: string, publication: Publication, position: StreamPosition) {
    this.channel = channel;
    this.publication = publication;
    this.position = position;
  }

  get offset(): number {
    return this.publication.offset;
  }

  /** The wire form of the publication (shared by all encodings). */
  toProto(): ProtoPublication {
    if (this.#proto === undefined) this.#proto = toProtoPublication(this.publication, this.position.epoch);
    return this.#proto;
  }

  /**
   * Bytes for a subscriber using `protocol`; `unidirectional` selects a bare Push instead of a
   * Reply. Returns ENCODE_FAILED when the payload cannot be represented (binary → JSON).
   */
  bytes(protobuf: boolean, unidirectional: boolean): Uint8Array {
    const slot = (protobuf ? PB_REPLY : JSON_REPLY) + (unidirectional ? 1 : 0);
    let b = this.#slots[slot];
    if (b === undefined) {
      const codec = protobuf ? protobufCodec : jsonCodec;
      try {
        b = unidirectional
          ? codec.encodePublicationPush(this.channel, this.toProto())
          : codec.encodePublicationReply(this.channel, this.toProto());
      } catch {
        b = ENCODE_FAILED;
      }
      this.#slots[slot] = b;
    }
    return b;
  }
}

/** Domain publication → wire publication. The publication with offset 1 carries the epoch. */
export function toProtoPublication(p: Publication, epoch?: string): ProtoPublication {
  const out: ProtoPublication = { data: p.data };
  if (p.info !== undefined) {
    out.info = { user: p.info.userId, client: p.info.clientId };
    if (p.info.connInfo !== undefined) out.info.connInfo = p.info.connInfo;
    if (p.info.chanInfo !== undefined) out.info.chanInfo = p.info.chanInfo;
  }
  if (p.offset > 0) out.offset = p.offset;
  if (p.tags !== undefined && Object.keys(p.tags).length > 0) out.tags = { ...p.tags };
  if (p.offset === 1 && epoch) out.epoch = epoch;
  return out;
}
