/**
 * @module engines/wire-protobuf — the protobuf wire rules and the two client-protocol messages that the
 * Redis and NATS engines both carry between nodes (client protocol numbering):
 *
 * - `ClientInfo { user = 1 string; client = 2 string; conn_info = 3 bytes; chan_info = 4 bytes }`
 * - `Publication { data = 4 bytes; info = 5 ClientInfo; offset = 6 uint64; tags = 7 map<string,string>;
 *   delta = 8 bool; time = 9 int64 (unix ms); channel = 10 string }`
 *
 * Engines do not import the client protocol codec (`protocol/`): both build on the neutral wire module
 * (`wire/`: varints, cursor, writer). Where the engines' encodings or decoders differ, each states it in
 * its {@link WireDialect}.
 * Unknown fields are skipped on decode, as protobuf requires.
 */
import type { ClientInfo, Publication } from '../core/types.js';
import { ByteCursor, VarintError } from '../wire/varint.js';
import { ProtoWriter } from '../wire/writer.js';

export const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

/** The error class an engine throws for malformed bytes. */
type WireErrorClass = new (message: string, options?: ErrorOptions) => Error;

/** What differs between the engines' codecs: one constant per engine. */
export interface WireDialect {
  /** Thrown for malformed input. */
  readonly error: WireErrorClass;
  /** Invalid UTF-8 in a string field: the error (true) or U+FFFD replacements (false). */
  readonly strictUtf8: boolean;
  /** A known field with another wire type: the error (true) or skipped like an unknown field (false). */
  readonly strictWireTypes: boolean;
  /** Publication.channel (10) on decode: read (true) or skipped (false). */
  readonly readChannel: boolean;
  /** Tags entries on encode: an empty key or value written (true, as Go writes map entries) or left out. */
  readonly emptyMapFields: boolean;
}

/** A publication as it travels between nodes: the domain value plus the optional concrete channel. */
export interface WirePublication extends Publication {
  /** Publication.channel (10): set only for wildcard deliveries. */
  readonly channel?: string | undefined;
}

const strictUtf8Decoder = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8Decoder = new TextDecoder('utf-8', { fatal: false });
const EMPTY = new Uint8Array(0);

/** Appends protobuf fields to a growable buffer (the shared wire writer, small first buffer). */
export class WireWriter extends ProtoWriter {
  constructor() {
    super(64);
  }

  /**
   * Varint of an integer (fractions are truncated): exact for 0…2^53 (offsets, times, lengths); negatives
   * and larger values are written as 64-bit two's complement; NaN is refused (RangeError).
   */
  override varint(value: number): void {
    if (value !== value) throw new RangeError('varint of NaN');
    super.varint(value);
  }

  tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  varintField(field: number, value: number): void {
    this.tag(field, WIRE_VARINT);
    this.varint(value);
  }

  bytesField(field: number, value: Uint8Array): void {
    this.tag(field, WIRE_LEN);
    this.bytes(value);
  }

  stringField(field: number, value: string): void {
    this.tag(field, WIRE_LEN);
    this.string(value);
  }

  /** A copy of the written bytes as a plain Uint8Array. */
  override finish(): Uint8Array {
    return new Uint8Array(this.buf.subarray(0, this.pos));
  }
}

/** Reads protobuf fields from a byte range; every read is bounds-checked and fails with the dialect's error. */
export class WireReader extends ByteCursor {
  readonly dialect: WireDialect;
  /** Wire type of the field key last read by {@link field}. */
  wire = 0;

  constructor(buf: Uint8Array, dialect: WireDialect, start = 0, end = buf.length) {
    // A plain view, so that `slice` copies into a plain Uint8Array even when given a Buffer.
    super(buf.constructor === Uint8Array ? buf : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), start, end);
    this.dialect = dialect;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Reads a field key: returns the field number and leaves the wire type in {@link wire}. */
  field(): number {
    const key = this.varint();
    this.wire = key % 8;
    return Math.floor(key / 8);
  }

  /**
   * Whether the field just read has the wire type its schema declares. A mismatch throws under
   * `strictWireTypes`; otherwise the caller skips the field like an unknown one.
   */
  wireIs(expected: number, what: string): boolean {
    if (this.wire === expected) return true;
    if (this.dialect.strictWireTypes) throw new this.dialect.error(`unexpected wire type ${this.wire} for ${what}`);
    return false;
  }

  /** Varint as a number (exact up to 2^53; larger values lose precision, as all offsets are < 2^53). */
  varint(): number {
    try {
      return this.uint64();
    } catch (err) {
      throw this.#varintError(err);
    }
  }

  /** Signed int64 varint (Publication.time): values >= 2^63 are negative. */
  override int64(): number {
    try {
      return super.int64();
    } catch (err) {
      throw this.#varintError(err);
    }
  }

  #varintError(err: unknown): unknown {
    if (!(err instanceof VarintError)) return err;
    return new this.dialect.error(err.message === 'truncated varint' ? 'truncated varint' : 'varint too long', { cause: err });
  }

  /** Reads the length of a length-delimited field and checks that its content is within range. */
  #length(what: string): number {
    const len = this.varint();
    if (len > this.end - this.pos) throw new this.dialect.error(`truncated ${what}`);
    return len;
  }

  /** A length-delimited field as a copy (a plain Uint8Array). */
  bytes(): Uint8Array {
    const len = this.#length('length-delimited field');
    const out = this.buf.slice(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  string(): string {
    const len = this.#length('length-delimited field');
    const view = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    if (!this.dialect.strictUtf8) return lenientUtf8Decoder.decode(view);
    try {
      return strictUtf8Decoder.decode(view);
    } catch (err) {
      throw new this.dialect.error('invalid utf-8 in string field', { cause: err });
    }
  }

  /** A reader over the next length-delimited field (an embedded message). */
  sub(): WireReader {
    const len = this.#length('embedded message');
    const reader = new WireReader(this.buf, this.dialect, this.pos, this.pos + len);
    this.pos += len;
    return reader;
  }

  /** Skips the value of the field just read. */
  skip(): void {
    switch (this.wire) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
        this.#advance(8);
        return;
      case WIRE_LEN: {
        const len = this.#length('length-delimited field');
        this.pos += len;
        return;
      }
      case WIRE_FIXED32:
        this.#advance(4);
        return;
      default:
        throw new this.dialect.error(`unsupported wire type ${this.wire}`);
    }
  }

  #advance(n: number): void {
    if (n > this.end - this.pos) throw new this.dialect.error('truncated fixed field');
    this.pos += n;
  }
}

/** Encodes a ClientInfo message (empty fields left out, as proto3 does). */
export function encodeClientInfo(info: ClientInfo): Uint8Array {
  const w = new WireWriter();
  if (info.userId !== '') w.stringField(1, info.userId);
  if (info.clientId !== '') w.stringField(2, info.clientId);
  if (info.connInfo !== undefined && info.connInfo.length > 0) w.bytesField(3, info.connInfo);
  if (info.chanInfo !== undefined && info.chanInfo.length > 0) w.bytesField(4, info.chanInfo);
  return w.finish();
}

/** Decodes a ClientInfo message from the rest of `r`. */
export function readClientInfo(r: WireReader): ClientInfo {
  let userId = '';
  let clientId = '';
  let connInfo: Uint8Array | undefined;
  let chanInfo: Uint8Array | undefined;
  while (!r.done) {
    const field = r.field();
    if (field === 1 && r.wireIs(WIRE_LEN, 'ClientInfo.user')) userId = r.string();
    else if (field === 2 && r.wireIs(WIRE_LEN, 'ClientInfo.client')) clientId = r.string();
    else if (field === 3 && r.wireIs(WIRE_LEN, 'ClientInfo.conn_info')) connInfo = r.bytes();
    else if (field === 4 && r.wireIs(WIRE_LEN, 'ClientInfo.chan_info')) chanInfo = r.bytes();
    else r.skip();
  }
  const info: { clientId: string; userId: string; connInfo?: Uint8Array; chanInfo?: Uint8Array } = {
    clientId,
    userId,
  };
  if (connInfo !== undefined) info.connInfo = connInfo;
  if (chanInfo !== undefined) info.chanInfo = chanInfo;
  return info;
}

/**
 * Encodes a Publication, zero values left out as proto3 does; `channel` is Publication.channel (10).
 * The dialect decides only how empty tags keys and values are written.
 */
export function encodePublication(pub: Publication, channel: string | undefined, dialect: WireDialect): Uint8Array {
  const w = new WireWriter();
  if (pub.data.length > 0) w.bytesField(4, pub.data);
  if (pub.info !== undefined) w.bytesField(5, encodeClientInfo(pub.info));
  if (pub.offset > 0) w.varintField(6, pub.offset);
  if (pub.tags !== undefined) {
    const empties = dialect.emptyMapFields;
    for (const [key, value] of Object.entries(pub.tags)) {
      const entry = new WireWriter();
      if (empties || key !== '') entry.stringField(1, key);
      if (empties || value !== '') entry.stringField(2, value);
      w.bytesField(7, entry.finish());
    }
  }
  if (pub.delta === true) w.varintField(8, 1);
  if (pub.timeMs !== undefined && pub.timeMs !== 0) w.varintField(9, pub.timeMs);
  if (channel !== undefined && channel !== '') w.stringField(10, channel);
  return w.finish();
}

function readTagEntry(r: WireReader): [string, string] {
  let key = '';
  let value = '';
  while (!r.done) {
    const field = r.field();
    if (field === 1 && r.wireIs(WIRE_LEN, 'tags key')) key = r.string();
    else if (field === 2 && r.wireIs(WIRE_LEN, 'tags value')) value = r.string();
    else r.skip();
  }
  return [key, value];
}

/** Decodes a Publication from the rest of `r`; `channel` is set only when the dialect reads it. */
export function readPublication(r: WireReader): WirePublication {
  const readChannel = r.dialect.readChannel;
  let data: Uint8Array = EMPTY;
  let info: ClientInfo | undefined;
  let offset = 0;
  let tags: Record<string, string> | undefined;
  let delta = false;
  let timeMs = 0;
  let channel = '';
  while (!r.done) {
    const field = r.field();
    if (field === 4 && r.wireIs(WIRE_LEN, 'Publication.data')) data = r.bytes();
    else if (field === 5 && r.wireIs(WIRE_LEN, 'Publication.info')) info = readClientInfo(r.sub());
    else if (field === 6 && r.wireIs(WIRE_VARINT, 'Publication.offset')) offset = r.varint();
    else if (field === 7 && r.wireIs(WIRE_LEN, 'Publication.tags')) {
      const [k, v] = readTagEntry(r.sub());
      tags ??= {};
      tags[k] = v;
    } else if (field === 8 && r.wireIs(WIRE_VARINT, 'Publication.delta')) delta = r.varint() !== 0;
    else if (field === 9 && r.wireIs(WIRE_VARINT, 'Publication.time')) timeMs = r.int64();
    else if (field === 10 && readChannel && r.wireIs(WIRE_LEN, 'Publication.channel')) channel = r.string();
    else r.skip();
  }
  const pub: {
    offset: number;
    data: Uint8Array;
    info?: ClientInfo;
    tags?: Record<string, string>;
    timeMs?: number;
    delta?: boolean;
    channel?: string;
  } = { offset, data };
  if (info !== undefined) pub.info = info;
  if (tags !== undefined) pub.tags = tags;
  if (timeMs !== 0) pub.timeMs = timeMs;
  if (delta) pub.delta = true;
  if (channel !== '') pub.channel = channel;
  return pub;
}
