/**
 * @module core/prepared — a publication encoded at most once per (protocol, framing) for fan-out.
 *
 * The hub builds one PreparedPublication per incoming publication and hands it to every
 * subscriber; each encoding is produced lazily by the first subscriber that needs it and reused
 * by all the others (each publication is encoded once per protocol; see docs/CONTRIBUTING.md "Hot paths").
 */
import { jsonCodec, protobufCodec } from '../protocol/index.js';
import type { ProtoPublication } from '../protocol/types.js';
import { asJsonString, fossilPatch } from './delta.js';
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
  /** Previous publication of the stream (delta publishing), if the engine provided it. */
  readonly prev: Publication | undefined;
  #proto: ProtoPublication | undefined;
  /** Delta encodings: [JSON full, JSON patch, Protobuf full, Protobuf patch] × [reply, push]. */
  #delta: (Uint8Array | undefined)[] | undefined;
  #patch: Uint8Array | null | undefined;
  readonly #slots: (Uint8Array | undefined)[] = [undefined, undefined, undefined, undefined];
  #frames: (Uint8Array | undefined)[] | undefined;

  constructor(channel: string, publication: Publication, position: StreamPosition, prev?: Publication) {
    this.channel = channel;
    this.publication = publication;
    this.position = position;
    this.prev = prev;
  }

  /** The fossil patch against the previous publication, when it was published with delta and is worth it. */
  #fossil(): Uint8Array | undefined {
    if (this.#patch === undefined) {
      this.#patch = null;
      if (this.publication.delta === true && this.prev !== undefined && this.prev.offset === this.publication.offset - 1) {
        this.#patch = fossilPatch(this.prev.data, this.publication.data) ?? null;
      }
    }
    return this.#patch ?? undefined;
  }

  /** Whether a delta-ready subscriber can get a patch (otherwise it gets the full payload). */
  get hasPatch(): boolean {
    return this.#fossil() !== undefined;
  }

  /**
   * Bytes for a delta-negotiated subscriber: the full payload (`patch` false) or the fossil patch
   * with `delta: true`. JSON carries either as a JSON string (Centrifugo's delta encoding).
   */
  deltaBytes(protobuf: boolean, unidirectional: boolean, patch: boolean): Uint8Array {
    const slot = (protobuf ? 4 : 0) + (patch ? 2 : 0) + (unidirectional ? 1 : 0);
    const cache = (this.#delta ??= []);
    let b = cache[slot];
    if (b === undefined) {
      const raw = patch ? this.#fossil() ?? this.publication.data : this.publication.data;
      const pub: ProtoPublication = { ...this.toProto(), data: protobuf ? raw : asJsonString(raw) };
      if (patch && this.#fossil() !== undefined) pub.delta = true;
      const codec = protobuf ? protobufCodec : jsonCodec;
      try {
        b = unidirectional ? codec.encodePublicationPush(this.channel, pub) : codec.encodePublicationReply(this.channel, pub);
      } catch {
        b = ENCODE_FAILED;
      }
      cache[slot] = b;
    }
    return b;
  }

  get offset(): number {
    return this.publication.offset;
  }

  /** The wire form of the publication (shared by all encodings). */
  toProto(): ProtoPublication {
    if (this.#proto === undefined) this.#proto = toProtoPublication(this.publication, this.position.epoch);
    return this.#proto;
  }

  /** Complete transport frame for `kind`, built by `t.frame` on first use. */
  framed(kind: number, bytes: Uint8Array, t: FramingTransport): Uint8Array {
    const frames = (this.#frames ??= []);
    let f = frames[kind];
    if (f === undefined) {
      f = t.frame!(bytes);
      frames[kind] = f;
    }
    return f;
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

export interface FramingTransport {
  readonly frameKind?: number | undefined;
  frame?(message: Uint8Array): Uint8Array;
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
  if (p.channel) out.channel = p.channel;
  return out;
}
